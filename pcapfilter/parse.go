package pcapfilter

// The parser: tokens to a tree of tests (gen.go) for one link layout, as
// libpcap's grammar builds its blocks. Qualifiers carry over to a bare
// identifier after and/or, as in "host a or b".

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

// Link types (LINKTYPE_ values) the compiler knows the layout of.
const (
	linkEthernet = 1
	linkRaw12    = 12
	linkRaw14    = 14
	linkRaw      = 101
	linkSLL      = 113
	linkIPv4     = 228
	linkIPv6     = 229
	linkSLL2     = 276
)

// layout is where a link type puts the network header and its type.
type layout struct {
	nl      uint32 // the network header's offset
	typeOff int    // the EtherType's offset; -1 on raw IP links
	ether   bool   // Ethernet addresses at 0 and 6
	only    int    // a raw link carrying only IPv4 (4) or IPv6 (6); 0 for both
}

func layoutOf(link uint32) (layout, bool) {
	switch link {
	case linkEthernet:
		return layout{nl: 14, typeOff: 12, ether: true}, true
	case linkSLL:
		return layout{nl: 16, typeOff: 14}, true
	case linkSLL2:
		return layout{nl: 20, typeOff: 0}, true
	case linkRaw, linkRaw12, linkRaw14:
		return layout{typeOff: -1}, true
	case linkIPv4:
		return layout{typeOff: -1, only: 4}, true
	case linkIPv6:
		return layout{typeOff: -1, only: 6}, true
	}
	return layout{}, false
}

// EtherTypes and IP protocols the words stand for.
const (
	etherIPv4 = 0x0800
	etherARP  = 0x0806
	etherRARP = 0x8035
	etherIPv6 = 0x86dd

	protoICMP  = 1
	protoIGMP  = 2
	protoTCP   = 6
	protoUDP   = 17
	protoFrag  = 44
	protoICMP6 = 58
	protoSCTP  = 132
)

var protoNames = map[string]uint32{
	"icmp": protoICMP, "igmp": protoIGMP, "tcp": protoTCP, "udp": protoUDP, "gre": 47, "esp": 50,
	"ah": 51, "icmp6": protoICMP6, "icmpv6": protoICMP6, "ospf": 89, "pim": 103, "vrrp": 112, "sctp": protoSCTP,
}

var etherNames = map[string]uint32{"ip": etherIPv4, "ip6": etherIPv6, "arp": etherARP, "rarp": etherRARP}

// portNames are the services tcpdump users write most; others need their
// number (tcpdump reads /etc/services, which a capture's reader may lack).
var portNames = map[string]uint32{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67,
	"bootpc": 68, "tftp": 69, "http": 80, "www": 80, "pop3": 110, "ntp": 123, "netbios-ns": 137,
	"netbios-ssn": 139, "imap": 143, "snmp": 161, "ldap": 389, "https": 443, "microsoft-ds": 445,
	"syslog": 514, "imaps": 993, "pop3s": 995, "ms-wbt-server": 3389,
}

// Named constants of relations, as pcap-filter(7) lists them.
var constNames = map[string]uint32{
	"tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
	"icmptype": 0, "icmpcode": 1, "icmp6type": 0, "icmp6code": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
	"icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11,
	"icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
	"icmp6-echo": 128, "icmp6-echoreply": 129, "icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136,
}

// unsupported are pcap-filter words this compiler refuses by name.
var unsupported = map[string]bool{
	"gateway": true, "protochain": true, "decnet": true, "atalk": true, "aarp": true, "iso": true,
	"esis": true, "isis": true, "clnp": true, "stp": true, "ipx": true, "netbeui": true, "llc": true,
	"mpls": true, "pppoed": true, "pppoes": true, "geneve": true, "vxlan": true, "lat": true, "moprc": true,
	"mopdl": true, "sca": true, "inbound": true, "outbound": true, "ifname": true, "on": true,
	"rnr": true, "rulenum": true, "reason": true, "rset": true, "ruleset": true, "srnr": true,
	"subrulenum": true, "action": true, "type": true, "subtype": true, "wlan": true, "ra": true,
	"ta": true, "addr1": true, "addr2": true, "addr3": true, "addr4": true, "dir": true,
	"fddi": true, "tr": true, "ppp": true, "slip": true,
}

// token is a word or an operator, with its byte offset for errors.
type token struct {
	s   string
	pos int
}

func tokenize(expr string) ([]token, error) {
	var out []token
	depth := 0 // inside [ ]: ':' separates the size
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.ContainsRune("()[]+*/%^", rune(c)):
			if c == '[' {
				depth++
			} else if c == ']' {
				depth--
			}
			out = append(out, token{string(c), i})
			i++
		case c == ':' && depth > 0:
			out = append(out, token{":", i})
			i++
		case strings.ContainsRune("&|!=<>-", rune(c)):
			n := 1
			if i+1 < len(expr) {
				two := expr[i : i+2]
				switch two {
				case "&&", "||", "!=", "==", "<=", ">=", "<<", ">>":
					n = 2
				}
			}
			out = append(out, token{expr[i : i+n], i})
			i += n
		case isWordByte(c) || c == ':' || c == '\\':
			j := i + 1
			for j < len(expr) && (isWordByte(expr[j]) || expr[j] == '-' || expr[j] == '/' ||
				expr[j] == ':' && depth == 0) {
				j++
			}
			out = append(out, token{expr[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at position %d", c, i+1)
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '\\'
}

// qualifiers are a primitive's proto, dir and type words.
type qualifiers struct {
	proto, dir, typ string
}

type parser struct {
	toks []token
	i    int
	lay  layout
	last qualifiers // for an abbreviated primitive (host a or b)
	prev bool       // a primitive has been parsed, so last holds
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i].s
	}
	return ""
}

func (p *parser) peekAt(k int) string {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k].s
	}
	return ""
}

func (p *parser) next() string {
	s := p.peek()
	p.i++
	return s
}

// errorf names the token at hand and its position.
func (p *parser) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.i < len(p.toks) {
		return fmt.Errorf("%s at %q (position %d)", msg, p.toks[p.i].s, p.toks[p.i].pos+1)
	}
	return fmt.Errorf("%s at the end", msg)
}

func (p *parser) expect(s string) error {
	if p.peek() != s {
		return p.errorf("expected %q", s)
	}
	p.i++
	return nil
}

func (p *parser) parseOr() (node, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" || p.peek() == "||" {
		p.i++
		m, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		n = nOr{n, m}
	}
	return n, nil
}

func (p *parser) parseAnd() (node, error) {
	n, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "and" || p.peek() == "&&" {
		p.i++
		m, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		n = nAnd{n, m}
	}
	return n, nil
}

var relops = map[string]bpf.JumpTest{
	"=": bpf.JumpEqual, "==": bpf.JumpEqual, "!=": bpf.JumpNotEqual, "<": bpf.JumpLessThan,
	"<=": bpf.JumpLessOrEqual, ">": bpf.JumpGreaterThan, ">=": bpf.JumpGreaterOrEqual,
}

var arithOps = map[string]bpf.ALUOp{
	"+": bpf.ALUOpAdd, "-": bpf.ALUOpSub, "*": bpf.ALUOpMul, "/": bpf.ALUOpDiv, "%": bpf.ALUOpMod,
	"&": bpf.ALUOpAnd, "|": bpf.ALUOpOr, "^": bpf.ALUOpXor, "<<": bpf.ALUOpShiftLeft, ">>": bpf.ALUOpShiftRight,
}

func (p *parser) parseUnary() (node, error) {
	switch s := p.peek(); {
	case s == "not" || s == "!":
		p.i++
		n, err := p.parseUnary()
		return nNot{n}, err
	case s == "(":
		if p.arithParen() {
			return p.parseRelation()
		}
		p.i++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		return n, p.expect(")")
	case s == "":
		return nil, p.errorf("expected a primitive")
	}
	if p.startsRelation() {
		return p.parseRelation()
	}
	return p.parsePrimitive()
}

// arithParen reports whether the parenthesis at hand opens an arithmetic
// expression: what follows its match is an operator.
func (p *parser) arithParen() bool {
	depth := 0
	for k := p.i; k < len(p.toks); k++ {
		switch p.toks[k].s {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				if k+1 >= len(p.toks) {
					return false
				}
				s := p.toks[k+1].s
				_, rel := relops[s]
				_, ar := arithOps[s]
				return rel || ar
			}
		}
	}
	return false
}

// startsRelation reports whether a relation starts here: a number, len,
// a named constant, or proto[.
func (p *parser) startsRelation() bool {
	s := p.peek()
	if p.peekAt(1) == "[" {
		return true
	}
	if s == "len" || s == "-" {
		return true
	}
	if _, ok := constNames[s]; ok {
		_, rel := relops[p.peekAt(1)]
		_, ar := arithOps[p.peekAt(1)]
		return rel || ar
	}
	if _, err := parseNumber(s); err == nil {
		_, rel := relops[p.peekAt(1)]
		_, ar := arithOps[p.peekAt(1)]
		return rel || ar
	}
	return false
}

func parseNumber(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err
}

var protoWords = map[string]bool{"ether": true, "link": true, "ip": true, "ip6": true, "arp": true, "rarp": true,
	"tcp": true, "udp": true, "sctp": true, "icmp": true, "icmp6": true, "igmp": true}
var dirWords = map[string]bool{"src": true, "dst": true}
var typeWords = map[string]bool{"host": true, "net": true, "port": true, "portrange": true}

func (p *parser) parsePrimitive() (node, error) {
	s := p.peek()
	if unsupported[s] {
		return nil, p.errorf("%q is not supported by ipsreplay's filter compiler", s)
	}
	switch s {
	case "vlan":
		return p.parseVLAN()
	case "greater", "less":
		p.i++
		v, err := parseNumber(p.peek())
		if err != nil {
			return nil, p.errorf("expected a length")
		}
		p.i++
		op := bpf.JumpGreaterOrEqual
		if s == "less" {
			op = bpf.JumpLessOrEqual
		}
		return nRel{lhs: aLen{}, rhs: aConst(v), op: op}, nil
	case "broadcast", "multicast":
		p.i++
		return p.castTest("", s)
	}
	var q qualifiers
	explicit := false
	if protoWords[s] {
		q.proto = p.next()
		explicit = true
		if q.proto == "link" {
			q.proto = "ether"
		}
		switch p.peek() {
		case "proto":
			p.i++
			return p.protoTest(q.proto)
		case "broadcast", "multicast":
			return p.castTest(q.proto, p.next())
		}
	}
	if d := p.peek(); dirWords[d] {
		q.dir = p.next()
		explicit = true
		if c := p.peek(); (c == "or" || c == "and") && dirWords[p.peekAt(1)] && p.peekAt(1) != q.dir {
			q.dir += " " + c + " " + p.peekAt(1)
			p.i += 2
		}
	}
	if t := p.peek(); typeWords[t] {
		q.typ = p.next()
		explicit = true
	}
	if s == "proto" && !explicit {
		p.i++
		return p.protoTest("")
	}
	if explicit && q.typ == "" && q.dir == "" && !p.isID() {
		// a protocol alone: tcp, ip6, arp
		p.last, p.prev = q, true
		return p.protoAlone(q.proto)
	}
	if !explicit {
		if !p.prev || !p.isID() {
			if p.isID() {
				// a bare address is a host
				q.typ = "host"
			} else {
				return nil, p.errorf("expected a primitive")
			}
		} else {
			q = p.last
		}
	}
	if !p.isID() {
		return nil, p.errorf("expected an address, network or port")
	}
	p.last, p.prev = q, true
	return p.qualified(q)
}

// isID reports whether the token at hand is an identifier, not a keyword
// or operator.
func (p *parser) isID() bool {
	s := p.peek()
	if s == "" || protoWords[s] || dirWords[s] || typeWords[s] || unsupported[s] {
		return false
	}
	switch s {
	case "and", "or", "not", "(", ")", "[", "]", "&&", "||", "!", "vlan", "greater", "less", "proto", "broadcast", "multicast", "len":
		return false
	}
	if _, ok := relops[s]; ok {
		return false
	}
	_, ok := arithOps[s]
	return !ok
}

func (p *parser) parseVLAN() (node, error) {
	p.i++
	if !p.lay.ether {
		return nil, p.errorf("vlan needs an Ethernet capture")
	}
	t := uint32(p.lay.typeOff)
	var n node = nOr{nOr{cmpAbs(t, 2, etherVLAN), cmpAbs(t, 2, etherQinQ)}, cmpAbs(t, 2, etherQinQOld)}
	if id, err := parseNumber(p.peek()); err == nil && p.isID() {
		if id > 4095 {
			return nil, p.errorf("VLAN id %d out of range", id)
		}
		p.i++
		c := cmpAbs(t+2, 2, id)
		c.mask = 0x0fff
		n = nAnd{n, c}
	}
	// what follows looks past the tag, as libpcap's vlan does
	p.lay.nl += 4
	p.lay.typeOff += 4
	return n, nil
}

const (
	etherVLAN    = 0x8100
	etherQinQ    = 0x88a8
	etherQinQOld = 0x9100
)
