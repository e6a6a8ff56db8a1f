package rules

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// Address and port expressions, as rule headers and variables write them:
// parsed into an expr tree whose atoms are already sets; variables stay
// names until the resolver (vars.go) evaluates them.

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
	// Suricata reads a port list without brackets, as in ET's
	// "!5800,!445", like the bracketed one.
	if kind == kindPort && p.i < len(p.s) && p.s[p.i] == ',' {
		list := &expr{op: opList, items: []*expr{e}}
		for p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			item, err := p.parse(1)
			if err != nil {
				return nil, err
			}
			list.items = append(list.items, item)
			p.skipSpace()
		}
		e = list
	}
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
