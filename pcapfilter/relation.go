package pcapfilter

// Relations over packet bytes: arith relop arith, with proto[index:size]
// loads, len, numbers and the named constants. A load of a protocol's
// bytes holds only for packets of that protocol, as libpcap's: tcp[...]
// and its kin need an IPv4 packet that is no later fragment.

import "golang.org/x/net/bpf"

// levels of binary operators, lowest first, as libpcap's grammar ranks them
var arithLevels = [][]string{{"|", "^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}

// A value's conditions are the protocols its loads need. As libpcap's,
// a binary operation keeps only its left operand's (so the classic
// "ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0" holds for any
// IPv4 packet), and a relation needs both sides'.

func (p *parser) parseRelation() (node, error) {
	var lc, rc []node
	lhs, err := p.parseArith(0, &lc)
	if err != nil {
		return nil, err
	}
	op, ok := relops[p.peek()]
	if !ok {
		return nil, p.errorf("expected a comparison")
	}
	p.i++
	rhs, err := p.parseArith(0, &rc)
	if err != nil {
		return nil, err
	}
	var n node = nRel{lhs: lhs, rhs: rhs, op: op}
	conds := append(lc, rc...)
	for i := len(conds) - 1; i >= 0; i-- {
		n = nAnd{conds[i], n}
	}
	return n, nil
}

func (p *parser) parseArith(level int, conds *[]node) (arith, error) {
	if level == len(arithLevels) {
		return p.parsePrimary(conds)
	}
	a, err := p.parseArith(level+1, conds)
	if err != nil {
		return nil, err
	}
	for {
		s := p.peek()
		found := false
		for _, op := range arithLevels[level] {
			found = found || s == op
		}
		if !found {
			return a, nil
		}
		p.i++
		var dropped []node // the right operand's, as libpcap drops them
		b, err := p.parseArith(level+1, &dropped)
		if err != nil {
			return nil, err
		}
		a = fold(aBin{op: arithOps[s], a: a, b: b})
	}
}

// fold computes an operation on two constants, as libpcap's optimizer
// would, so "tcp-syn|tcp-ack" is one constant.
func fold(b aBin) arith {
	x, ok1 := b.a.(aConst)
	y, ok2 := b.b.(aConst)
	if !ok1 || !ok2 {
		return b
	}
	switch b.op {
	case bpf.ALUOpAdd:
		return x + y
	case bpf.ALUOpSub:
		return x - y
	case bpf.ALUOpMul:
		return x * y
	case bpf.ALUOpOr:
		return x | y
	case bpf.ALUOpAnd:
		return x & y
	case bpf.ALUOpXor:
		return x ^ y
	case bpf.ALUOpShiftLeft:
		return x << (y & 31)
	case bpf.ALUOpShiftRight:
		return x >> (y & 31)
	}
	return b // division is left to the program, which refuses by zero
}

func (p *parser) parsePrimary(conds *[]node) (arith, error) {
	s := p.peek()
	switch {
	case s == "(":
		p.i++
		a, err := p.parseArith(0, conds)
		if err != nil {
			return nil, err
		}
		return a, p.expect(")")
	case s == "-":
		p.i++
		a, err := p.parsePrimary(conds)
		if c, ok := a.(aConst); ok {
			return -c, err
		}
		return aNeg{a}, err
	case s == "len":
		p.i++
		return aLen{}, nil
	case p.peekAt(1) == "[":
		return p.parseLoad(conds)
	}
	if v, ok := constNames[s]; ok {
		p.i++
		return aConst(v), nil
	}
	v, err := parseNumber(s)
	if err != nil {
		return nil, p.errorf("expected a number, len or proto[index]")
	}
	p.i++
	return aConst(v), nil
}

// parseLoad is proto[index] or proto[index:size].
func (p *parser) parseLoad(conds *[]node) (arith, error) {
	proto := p.next()
	p.i++ // [
	nl := p.lay.nl
	var base loadSpec
	switch proto {
	case "ether", "link":
		base = loadAbs(0, 1)
	case "ip":
		*conds = append(*conds, p.isNet(etherIPv4))
		base = loadAbs(nl, 1)
	case "ip6":
		*conds = append(*conds, p.isNet(etherIPv6))
		base = loadAbs(nl, 1)
	case "arp", "rarp":
		*conds = append(*conds, p.isNet(etherNames[proto]))
		base = loadAbs(nl, 1)
	case "tcp", "udp", "sctp", "icmp", "igmp":
		*conds = append(*conds, p.ipProto(protoNames[proto]), notFragment(nl))
		base = loadL4(nl, 0, 1)
	case "icmp6":
		*conds = append(*conds, p.ip6Proto(protoICMP6))
		base = loadAbs(nl+40, 1)
	default:
		p.i--
		return nil, p.errorf("%q cannot be indexed", proto)
	}
	idx, err := p.parseArith(0, conds)
	if err != nil {
		return nil, err
	}
	if p.peek() == ":" {
		p.i++
		size, err := parseNumber(p.peek())
		if err != nil || size != 1 && size != 2 && size != 4 {
			return nil, p.errorf("expected a size of 1, 2 or 4")
		}
		p.i++
		base.size = int(size)
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	return aLoad{base: base, idx: idx}, nil
}
