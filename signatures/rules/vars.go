package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
)

// Vars holds the rule variables, as suricata.yaml's address-groups and
// port-groups write them: names without the "$", values in rule syntax
// ("[192.168.0.0/16,10.0.0.0/8]", "!$HOME_NET", "[80,8080:8090]"). Values
// may use other variables; they are resolved when a rule uses them.
type Vars struct {
	Addr map[string]string
	Port map[string]string
}

// DefaultVars returns the variables Suricata's default suricata.yaml
// defines, plus the port groups rule sets commonly use (Snort's
// snort.conf, ET Open). HTTP_PORTS is a reasonable subset of the ports
// web servers listen on: Suricata's default is "80" alone, ET's list is
// longer. HOME_NET is the yaml's RFC 1918 space plus
// the IPv6 unique-local space fc00::/7 (RFC 4193), which the yaml leaves
// out, so an IPv6 LAN is home too; a run's --home-net replaces it. Each
// call returns fresh maps the caller may change.
func DefaultVars() Vars {
	v := Vars{
		Addr: map[string]string{
			"HOME_NET":     "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7]",
			"EXTERNAL_NET": "!$HOME_NET",
			"AIM_SERVERS":  "$EXTERNAL_NET",
		},
		Port: map[string]string{
			"HTTP_PORTS":      "[80,81,311,591,593,8000,8008,8080,8088,8090]",
			"SHELLCODE_PORTS": "!80",
			"ORACLE_PORTS":    "1521",
			"SSH_PORTS":       "22",
			"DNP3_PORTS":      "20000",
			"MODBUS_PORTS":    "502",
			"FILE_DATA_PORTS": "[$HTTP_PORTS,110,143]",
			"FTP_PORTS":       "21",
			"GENEVE_PORTS":    "6081",
			"VXLAN_PORTS":     "4789",
			"TEREDO_PORTS":    "3544",
			"SIP_PORTS":       "[5060,5061,5600]",
			"GTP_PORTS":       "[2123,2152,3386]",
		},
	}
	for _, name := range []string{
		"HTTP_SERVERS", "SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS",
		"TELNET_SERVERS", "DC_SERVERS", "FTP_SERVERS", "SSH_SERVERS",
		"SIP_SERVERS", "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_SERVER",
		"MODBUS_CLIENT", "ENIP_SERVER", "ENIP_CLIENT",
	} {
		v.Addr[name] = "$HOME_NET"
	}
	return v
}

// Validate resolves every variable and returns the first problem, naming
// the variable: a bad address or port, an unknown or self-referencing
// variable, or an expression that matches nothing.
func (v Vars) Validate() error {
	res := newResolver(v)
	for _, name := range sortedKeys(v.Addr) {
		if _, err := res.varSet(kindAddr, name); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(v.Port) {
		if _, err := res.varSet(kindPort, name); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseAddr compiles an address expression: "any", an IPv4 or IPv6
// address, a CIDR ("10.0.0.0/8"), an IPv4 netmask ("10.0.0.0/255.0.0.0"),
// a range ("10.0.0.1-10.0.0.9"), a $VARIABLE, a list in [] (nested lists
// allowed), each part optionally negated with "!". In a list the negated
// parts are taken out of the union of the others ("any" when there are
// none), as Suricata does.
func ParseAddr(expr string, vars Vars) (AddrSpec, error) {
	return newResolver(vars).addrSpec(expr)
}

// ParsePort compiles a port expression: "any", N, N:M, :M, N:, a
// $VARIABLE, a list in [], each part optionally negated with "!".
func ParsePort(expr string, vars Vars) (PortSpec, error) {
	return newResolver(vars).portSpec(expr)
}

// resolver parses expressions and resolves variables, caching each
// variable's set so a file that uses $HOME_NET ten thousand times resolves
// it once.
type resolver struct {
	vars  Vars
	cache [2]map[string]spanSets
	exprs [2]map[string]*expr // parsed definitions
	// Compiled header expressions: a rule set repeats a few dozen.
	addrs map[string]specParts[netip.Prefix]
	ports map[string]specParts[PortRange]
	// active holds the variables being resolved, to report cycles.
	active [2]map[string]bool
}

func newResolver(vars Vars) *resolver {
	r := &resolver{vars: vars, addrs: map[string]specParts[netip.Prefix]{}, ports: map[string]specParts[PortRange]{}}
	for i := range r.cache {
		r.cache[i] = map[string]spanSets{}
		r.exprs[i] = map[string]*expr{}
		r.active[i] = map[string]bool{}
	}
	return r
}

func (r *resolver) varDefs(kind exprKind) map[string]string {
	if kind == kindAddr {
		return r.vars.Addr
	}
	return r.vars.Port
}

// varSet returns the set a variable names.
func (r *resolver) varSet(kind exprKind, name string) (spanSets, error) {
	if s, ok := r.cache[kind][name]; ok {
		return s, nil
	}
	e, err := r.varExpr(kind, name, 0)
	if err != nil {
		return nil, err
	}
	r.active[kind][name] = true
	s, err := r.eval(kind, e, 1)
	delete(r.active[kind], name)
	if err != nil {
		return nil, fmt.Errorf("$%s: %w", name, err)
	}
	if s.empty() {
		return nil, fmt.Errorf("$%s: %q matches no %s", name, r.varDefs(kind)[name], kind)
	}
	r.cache[kind][name] = s
	return s, nil
}

// varExpr parses a variable's definition.
func (r *resolver) varExpr(kind exprKind, name string, depth int) (*expr, error) {
	def, ok := r.varDefs(kind)[name]
	if !ok {
		if _, other := r.varDefs(1 - kind)[name]; other {
			if kind == kindAddr {
				return nil, fmt.Errorf("$%s is a port variable, not an address variable", name)
			}
			return nil, fmt.Errorf("$%s is an address variable, not a port variable", name)
		}
		return nil, fmt.Errorf("unknown %s variable $%s", kind, name)
	}
	if r.active[kind][name] || depth > maxExprDepth {
		return nil, fmt.Errorf("%s variable $%s refers to itself", kind, name)
	}
	if e, ok := r.exprs[kind][name]; ok {
		return e, nil
	}
	e, err := parseExpr(kind, def)
	if err != nil {
		return nil, fmt.Errorf("$%s: %w", name, err)
	}
	r.exprs[kind][name] = e
	return e, nil
}

// eval computes the set an expression matches.
func (r *resolver) eval(kind exprKind, e *expr, depth int) (spanSets, error) {
	switch e.op {
	case opAny:
		return fullSet(kind), nil
	case opAtom:
		return e.set, nil
	case opVar:
		if depth > maxExprDepth || r.active[kind][e.name] {
			return nil, fmt.Errorf("%s variable $%s refers to itself", kind, e.name)
		}
		return r.varSet(kind, e.name)
	case opNot:
		s, err := r.eval(kind, e.inner, depth+1)
		if err != nil {
			return nil, err
		}
		return s.complement(kind), nil
	}
	// A list: the union of its positive items, less its negated ones.
	pos, neg, err := r.evalList(kind, e, depth)
	if err != nil {
		return nil, err
	}
	return pos.minus(kind, neg), nil
}

// evalList splits a list into the union of its positive items (the full
// set when there are none) and the union of its negated items.
func (r *resolver) evalList(kind exprKind, e *expr, depth int) (pos, neg spanSets, err error) {
	// Gathered and merged once (unionAll): a list of n items is then
	// O(n log n), not O(n^2).
	posSets := []spanSets{emptySet(kind)}
	negSets := []spanSets{emptySet(kind)}
	anyPos := false
	for _, item := range e.items {
		if item.op == opNot {
			s, err := r.eval(kind, item.inner, depth+1)
			if err != nil {
				return nil, nil, err
			}
			negSets = append(negSets, s)
			continue
		}
		s, err := r.eval(kind, item, depth+1)
		if err != nil {
			return nil, nil, err
		}
		posSets = append(posSets, s)
		anyPos = true
	}
	pos, neg = unionAll(posSets), unionAll(negSets)
	if !anyPos {
		pos = fullSet(kind)
	}
	return pos, neg, nil
}

// shape is an expression in the form AddrSpec and PortSpec store: (all or
// include) less exclude, the whole possibly negated. It keeps the
// expression's own structure where it can ("!$HOME_NET" stays a negated
// HOME_NET, "[10.0.0.0/8,!10.1.0.0/16]" an include and an exclude), so a
// spec reads like the rule.
type shape struct {
	any              bool
	include, exclude spanSets
	negated          bool
}

// shapeOf computes an expression's shape and checks it matches something.
func (r *resolver) shapeOf(kind exprKind, text string) (shape, error) {
	e, err := parseExpr(kind, text)
	if err != nil {
		return shape{}, err
	}
	sh, err := r.shape(kind, e, 0)
	if err != nil {
		return shape{}, err
	}
	all := fullSet(kind)
	in := sh.include
	if sh.any {
		in = all
	}
	set := in.minus(kind, sh.exclude)
	if sh.negated {
		set = set.complement(kind)
	}
	if set.empty() {
		return shape{}, fmt.Errorf("%s %q matches no %s", kind, text, kind)
	}
	if set.equal(all) {
		return shape{any: true}, nil
	}
	return sh, nil
}

func (r *resolver) shape(kind exprKind, e *expr, depth int) (shape, error) {
	if depth > maxExprDepth {
		return shape{}, fmt.Errorf("%s expression is nested too deeply", kind)
	}
	switch e.op {
	case opAny:
		return shape{any: true}, nil
	case opNot:
		sh, err := r.shape(kind, e.inner, depth+1)
		sh.negated = !sh.negated
		return sh, err
	case opVar:
		ve, err := r.varExpr(kind, e.name, depth)
		if err != nil {
			return shape{}, err
		}
		r.active[kind][e.name] = true
		sh, err := r.shape(kind, ve, depth+1)
		delete(r.active[kind], e.name)
		if err != nil {
			return shape{}, fmt.Errorf("$%s: %w", e.name, err)
		}
		return sh, nil
	case opList:
		if len(e.items) == 1 {
			return r.shape(kind, e.items[0], depth+1)
		}
		pos, neg, err := r.evalList(kind, e, depth)
		if err != nil {
			return shape{}, err
		}
		if pos.equal(fullSet(kind)) {
			return shape{any: true, exclude: neg}, nil
		}
		return shape{include: pos, exclude: neg.intersect(pos)}, nil
	}
	return shape{include: e.set}, nil
}

// addrSpec compiles an address expression. Each call returns its own
// slices, so no two rules share them.
func (r *resolver) addrSpec(text string) (AddrSpec, error) {
	p, err := compileSpec(r, kindAddr, text, r.addrs, prefixes)
	return AddrSpec{Any: p.any, Include: p.include, Exclude: p.exclude, Negated: p.negated}, err
}

// portSpec compiles a port expression, like addrSpec.
func (r *resolver) portSpec(text string) (PortSpec, error) {
	p, err := compileSpec(r, kindPort, text, r.ports, portRanges)
	return PortSpec{Any: p.any, Include: p.include, Exclude: p.exclude, Negated: p.negated}, err
}

// specParts is what AddrSpec and PortSpec hold, over their element type.
type specParts[E any] struct {
	any              bool
	include, exclude []E
	negated          bool
}

// compileSpec compiles a header expression of kind, turning its sets into
// elements with conv, through cache: a rule set repeats a few dozen
// expressions. The slices returned are the caller's own.
func compileSpec[E any](r *resolver, kind exprKind, text string, cache map[string]specParts[E], conv func(spanSets) []E) (specParts[E], error) {
	p, ok := cache[text]
	if !ok {
		sh, err := r.shapeOf(kind, text)
		if err != nil {
			return specParts[E]{}, err
		}
		p = specParts[E]{any: sh.any, include: conv(sh.include), exclude: conv(sh.exclude), negated: sh.negated}
		cache[text] = p
	}
	p.include, p.exclude = slices.Clone(p.include), slices.Clone(p.exclude)
	return p, nil
}
