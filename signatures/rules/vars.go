package rules

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
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

// exprKind says which language an expression is in.
type exprKind uint8

const (
	kindAddr exprKind = iota
	kindPort
)

func (k exprKind) String() string {
	if k == kindAddr {
		return "address"
	}
	return "port"
}

// maxExprDepth bounds list nesting and variable chains, so a hostile
// expression cannot exhaust the stack.
const maxExprDepth = 32

// resolver parses expressions and resolves variables, caching each
// variable's set so a file that uses $HOME_NET ten thousand times resolves
// it once.
type resolver struct {
	vars  Vars
	cache [2]map[string]spanSets
	exprs [2]map[string]*expr // parsed definitions
	// Compiled header expressions: a rule set repeats a few dozen.
	addrs map[string]AddrSpec
	ports map[string]PortSpec
	// active holds the variables being resolved, to report cycles.
	active [2]map[string]bool
}

func newResolver(vars Vars) *resolver {
	r := &resolver{vars: vars, addrs: map[string]AddrSpec{}, ports: map[string]PortSpec{}}
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

// expr is a parsed address or port expression.
type expr struct {
	op    exprOp
	set   spanSets // opAtom
	name  string   // opVar
	items []*expr  // opList
	inner *expr    // opNot
}

type exprOp uint8

const (
	opAny exprOp = iota
	opAtom
	opVar
	opList
	opNot
)

// parseExpr parses an expression; variables stay names until eval.
func parseExpr(kind exprKind, s string) (*expr, error) {
	p := exprParser{kind: kind, s: s}
	e, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("unexpected %q in %s %q", p.s[p.i:], kind, s)
	}
	return e, nil
}

type exprParser struct {
	kind exprKind
	s    string
	i    int
}

func (p *exprParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *exprParser) parse(depth int) (*expr, error) {
	if depth > maxExprDepth {
		return nil, fmt.Errorf("%s %q is nested too deeply", p.kind, p.s)
	}
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("empty %s in %q", p.kind, p.s)
	}
	switch p.s[p.i] {
	case '!':
		p.i++
		inner, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		return &expr{op: opNot, inner: inner}, nil
	case '[':
		p.i++
		e := &expr{op: opList}
		for {
			item, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			e.items = append(e.items, item)
			p.skipSpace()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unterminated list in %s %q", p.kind, p.s)
			}
			c := p.s[p.i]
			p.i++
			if c == ']' {
				return e, nil
			}
			if c != ',' {
				return nil, fmt.Errorf("unexpected %q in %s %q", c, p.kind, p.s)
			}
		}
	}
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("[],! \t", rune(p.s[p.i])) {
		p.i++
	}
	word := p.s[start:p.i]
	switch {
	case word == "":
		return nil, fmt.Errorf("unexpected %q in %s %q", p.s[p.i], p.kind, p.s)
	case strings.EqualFold(word, "any"):
		return &expr{op: opAny}, nil
	case word[0] == '$':
		if !validVarName(word[1:]) {
			return nil, fmt.Errorf("bad variable name %q", word)
		}
		return &expr{op: opVar, name: word[1:]}, nil
	}
	var set spanSets
	var err error
	if p.kind == kindAddr {
		set, err = parseAddrAtom(word)
	} else {
		set, err = parsePortAtom(word)
	}
	if err != nil {
		return nil, err
	}
	return &expr{op: opAtom, set: set}, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
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
	pos, neg = emptySet(kind), emptySet(kind)
	anyPos := false
	for _, item := range e.items {
		if item.op == opNot {
			s, err := r.eval(kind, item.inner, depth+1)
			if err != nil {
				return nil, nil, err
			}
			neg = neg.union(s)
			continue
		}
		s, err := r.eval(kind, item, depth+1)
		if err != nil {
			return nil, nil, err
		}
		pos = pos.union(s)
		anyPos = true
	}
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
	spec, ok := r.addrs[text]
	if !ok {
		sh, err := r.shapeOf(kindAddr, text)
		if err != nil {
			return AddrSpec{}, err
		}
		spec = AddrSpec{
			Any:     sh.any,
			Include: prefixes(sh.include),
			Exclude: prefixes(sh.exclude),
			Negated: sh.negated,
		}
		r.addrs[text] = spec
	}
	spec.Include, spec.Exclude = slices.Clone(spec.Include), slices.Clone(spec.Exclude)
	return spec, nil
}

// portSpec compiles a port expression, like addrSpec.
func (r *resolver) portSpec(text string) (PortSpec, error) {
	spec, ok := r.ports[text]
	if !ok {
		sh, err := r.shapeOf(kindPort, text)
		if err != nil {
			return PortSpec{}, err
		}
		spec = PortSpec{
			Any:     sh.any,
			Include: portRanges(sh.include),
			Exclude: portRanges(sh.exclude),
			Negated: sh.negated,
		}
		r.ports[text] = spec
	}
	spec.Include, spec.Exclude = slices.Clone(spec.Include), slices.Clone(spec.Exclude)
	return spec, nil
}

// parseAddrAtom parses one address: IP, CIDR, IPv4 netmask or range.
func parseAddrAtom(s string) (spanSets, error) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := parseIP(lo)
		b, err2 := parseIP(hi)
		if err1 != nil || err2 != nil || a.Is4() != b.Is4() {
			return nil, fmt.Errorf("bad address range %q", s)
		}
		if b.Less(a) {
			return nil, fmt.Errorf("bad address range %q: the end is below the start", s)
		}
		return addrSpanSet(a, b), nil
	}
	if ip, mask, ok := strings.Cut(s, "/"); ok {
		a, err := parseIP(ip)
		if err != nil {
			return nil, fmt.Errorf("bad address %q", s)
		}
		n, err := strconv.Atoi(mask)
		if err != nil {
			m, merr := netip.ParseAddr(mask)
			if merr != nil || !a.Is4() || !m.Is4() {
				return nil, fmt.Errorf("bad address %q: bad prefix length or netmask %q", s, mask)
			}
			if n, ok = netmaskBits(m); !ok {
				return nil, fmt.Errorf("bad address %q: netmask %s is not contiguous", s, mask)
			}
		}
		if n < 0 || n > a.BitLen() || mask[0] == '+' || mask[0] == '-' {
			return nil, fmt.Errorf("bad address %q: prefix length %s out of range", s, mask)
		}
		p := netip.PrefixFrom(a, n).Masked()
		return addrSpanSet(p.Addr(), lastAddr(p)), nil
	}
	a, err := parseIP(s)
	if err != nil {
		return nil, fmt.Errorf("bad address %q", s)
	}
	return addrSpanSet(a, a), nil
}

func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, err
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("zone not allowed")
	}
	return a, nil
}

// netmaskBits converts 255.255.0.0 to 16.
func netmaskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := bits.LeadingZeros32(^v)
	return n, v<<n == 0
}

// lastAddr returns the last address in a (masked) prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	x, is4 := toU128(p.Addr())
	host := u128{^uint64(0), ^uint64(0)}.shr(uint(p.Bits() + 128 - p.Addr().BitLen()))
	return fromU128(x.or(host), is4)
}

// parsePortAtom parses N, N:M, :M or N:.
func parsePortAtom(s string) (spanSets, error) {
	lo, hi, isRange := strings.Cut(s, ":")
	num := func(t string, def int) (int, error) {
		if t == "" && isRange {
			return def, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > 65535 || t[0] == '+' {
			return 0, fmt.Errorf("bad port %q", s)
		}
		return n, nil
	}
	a, err := num(lo, 0)
	if err != nil {
		return nil, err
	}
	b := a
	if isRange {
		if lo == "" && hi == "" {
			return nil, fmt.Errorf("bad port %q", s)
		}
		if b, err = num(hi, 65535); err != nil {
			return nil, err
		}
		if b < a {
			return nil, fmt.Errorf("bad port range %q: the end is below the start", s)
		}
	}
	return spanSets{{{u128{0, uint64(a)}, u128{0, uint64(b)}}}}, nil
}

// portRanges turns a port set into ranges.
func portRanges(s spanSets) []PortRange {
	if len(s) == 0 {
		return nil
	}
	var out []PortRange
	for _, sp := range s[0] {
		out = append(out, PortRange{Lo: uint16(sp.lo.lo), Hi: uint16(sp.hi.lo)})
	}
	return out
}

// prefixes turns an address set into the fewest CIDR prefixes, IPv4 first.
func prefixes(s spanSets) []netip.Prefix {
	var out []netip.Prefix
	for fam, spans := range s {
		is4 := fam == 0
		width := 128
		if is4 {
			width = 32
		}
		for _, sp := range spans {
			lo := sp.lo
			for {
				// The largest aligned block starting at lo that ends by hi.
				k := lo.trailingZeros()
				if k > width {
					k = width
				}
				diff := sp.hi.sub(lo)
				if diff != (u128{^uint64(0), ^uint64(0)}) {
					if m := diff.add1().bitLen() - 1; m < k {
						k = m
					}
				}
				out = append(out, netip.PrefixFrom(fromU128(lo, is4), width-k))
				end := lo.add(u128{}.setBit(k)).sub(u128{0, 1}) // lo + 2^k - 1
				if k == 128 || end.cmp(sp.hi) >= 0 {
					break
				}
				lo = end.add1()
			}
		}
	}
	return out
}

// Address and port sets are sorted lists of disjoint inclusive spans, one
// list per family: IPv4 and IPv6 for addresses, one for ports. 128-bit
// values hold either.

type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) u128 {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, carry)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return u128{hi, lo}
}

func (a u128) add1() u128 { return a.add(u128{0, 1}) }
func (a u128) sub1() u128 { return a.sub(u128{0, 1}) }
func (a u128) or(b u128) u128 {
	return u128{a.hi | b.hi, a.lo | b.lo}
}

func (a u128) shr(n uint) u128 {
	switch {
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{0, a.hi >> (n - 64)}
	case n == 0:
		return a
	}
	return u128{a.hi >> n, a.lo>>n | a.hi<<(64-n)}
}

func (a u128) setBit(k int) u128 {
	switch {
	case k >= 128:
		return a
	case k >= 64:
		a.hi |= 1 << (k - 64)
	default:
		a.lo |= 1 << k
	}
	return a
}

func (a u128) trailingZeros() int {
	if a.lo != 0 {
		return bits.TrailingZeros64(a.lo)
	}
	if a.hi != 0 {
		return 64 + bits.TrailingZeros64(a.hi)
	}
	return 128
}

func (a u128) bitLen() int {
	if a.hi != 0 {
		return 64 + bits.Len64(a.hi)
	}
	return bits.Len64(a.lo)
}

func toU128(a netip.Addr) (u128, bool) {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}, true
	}
	b := a.As16()
	var x u128
	for i := 0; i < 8; i++ {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x, false
}

func fromU128(x u128, is4 bool) netip.Addr {
	if is4 {
		v := uint32(x.lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := 7; i >= 0; i-- {
		b[i], b[8+i] = byte(x.hi), byte(x.lo)
		x.hi >>= 8
		x.lo >>= 8
	}
	return netip.AddrFrom16(b)
}

type span struct{ lo, hi u128 }

// spanSets is one sorted, merged span list per family.
type spanSets [][]span

func familyMax(kind exprKind) []u128 {
	if kind == kindAddr {
		return []u128{{0, 1<<32 - 1}, {^uint64(0), ^uint64(0)}}
	}
	return []u128{{0, 65535}}
}

func emptySet(kind exprKind) spanSets { return make(spanSets, len(familyMax(kind))) }

func fullSet(kind exprKind) spanSets {
	var s spanSets
	for _, m := range familyMax(kind) {
		s = append(s, []span{{u128{}, m}})
	}
	return s
}

func addrSpanSet(a, b netip.Addr) spanSets {
	lo, is4 := toU128(a)
	hi, _ := toU128(b)
	s := make(spanSets, 2)
	if is4 {
		s[0] = []span{{lo, hi}}
	} else {
		s[1] = []span{{lo, hi}}
	}
	return s
}

func (s spanSets) empty() bool {
	for _, f := range s {
		if len(f) > 0 {
			return false
		}
	}
	return true
}

func (s spanSets) equal(t spanSets) bool {
	for i := range max(len(s), len(t)) {
		a, b := s.fam(i), t.fam(i)
		if len(a) != len(b) {
			return false
		}
		for j := range a {
			if a[j] != b[j] {
				return false
			}
		}
	}
	return true
}

// fam returns family i's spans; a nil set is empty in every family.
func (s spanSets) fam(i int) []span {
	if i < len(s) {
		return s[i]
	}
	return nil
}

func (s spanSets) union(t spanSets) spanSets {
	out := make(spanSets, max(len(s), len(t)))
	for i := range out {
		all := append(append([]span(nil), s.fam(i)...), t.fam(i)...)
		sort.Slice(all, func(a, b int) bool { return all[a].lo.cmp(all[b].lo) < 0 })
		var merged []span
		for _, sp := range all {
			if n := len(merged); n > 0 {
				last := &merged[n-1]
				// Overlapping or adjacent: extend (last.hi+1 cannot
				// overflow when sp.lo > last.hi).
				if sp.lo.cmp(last.hi) <= 0 || sp.lo == last.hi.add1() {
					if sp.hi.cmp(last.hi) > 0 {
						last.hi = sp.hi
					}
					continue
				}
			}
			merged = append(merged, sp)
		}
		out[i] = merged
	}
	return out
}

func (s spanSets) complement(kind exprKind) spanSets {
	maxes := familyMax(kind)
	out := make(spanSets, len(maxes))
	for i := range out {
		spans := s.fam(i)
		next := u128{}
		done := false
		for _, sp := range spans {
			if sp.lo.cmp(next) > 0 {
				out[i] = append(out[i], span{next, sp.lo.sub1()})
			}
			if sp.hi == maxes[i] {
				done = true
				break
			}
			next = sp.hi.add1()
		}
		if !done {
			out[i] = append(out[i], span{next, maxes[i]})
		}
	}
	return out
}

func (s spanSets) intersect(t spanSets) spanSets {
	out := make(spanSets, max(len(s), len(t)))
	for i := range out {
		a, b := s.fam(i), t.fam(i)
		for len(a) > 0 && len(b) > 0 {
			lo, hi := a[0].lo, a[0].hi
			if b[0].lo.cmp(lo) > 0 {
				lo = b[0].lo
			}
			if b[0].hi.cmp(hi) < 0 {
				hi = b[0].hi
			}
			if lo.cmp(hi) <= 0 {
				out[i] = append(out[i], span{lo, hi})
			}
			if a[0].hi.cmp(b[0].hi) < 0 {
				a = a[1:]
			} else {
				b = b[1:]
			}
		}
	}
	return out
}

func (s spanSets) minus(kind exprKind, t spanSets) spanSets {
	return s.intersect(t.complement(kind))
}
