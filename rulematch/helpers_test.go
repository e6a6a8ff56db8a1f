package rulematch

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Rules are built by hand here (the parser is tested on its own): newRule
// gives an "alert <proto> any any -> any any" rule and the with* options
// change it. Content and pcre modifiers are written as in a rule, e.g.
// contentMatch("def", "offset:3; depth:3"), so cases read like Suricata's
// docs.

const t0 = int64(1_700_000_000) * int64(time.Second)

var srcMAC = [6]byte{0x02, 0, 0, 0, 0, 0x42}

type ruleOpt func(*rules.Rule)

func newRule(sid uint32, proto string, opts ...ruleOpt) *rules.Rule {
	r := &rules.Rule{
		File: "test.rules", Line: int(sid), Action: rules.ActionAlert, Proto: mustProtocol(proto),
		Src: rules.AddrSpec{Any: true}, Dst: rules.AddrSpec{Any: true},
		SrcPorts: rules.PortSpec{Any: true}, DstPorts: rules.PortSpec{Any: true},
		Msg: fmt.Sprintf("test rule %d", sid), SID: sid, GID: 1, Rev: 1,
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

func mustProtocol(name string) rules.Protocol {
	p, ok := rules.LookupProtocol(name)
	if !ok {
		panic("unknown protocol " + name)
	}
	return p
}

// named returns the value among first..last whose String is name, or
// none.
func named[T interface {
	~uint8
	String() string
}](name string, first, last, none T) T {
	for v := first; v <= last; v++ {
		if v.String() == name {
			return v
		}
	}
	return none
}

// decodePattern decodes a content pattern with |hex| blocks.
func decodePattern(s string) []byte {
	var out []byte
	for {
		i := strings.IndexByte(s, '|')
		if i < 0 {
			return append(out, s...)
		}
		out = append(out, s[:i]...)
		j := strings.IndexByte(s[i+1:], '|')
		b, err := hex.DecodeString(strings.ReplaceAll(s[i+1:i+1+j], " ", ""))
		if err != nil {
			panic(err)
		}
		out = append(out, b...)
		s = s[i+1+j+1:]
	}
}

// contentMatch is content:"pat" with modifiers "nocase; offset:3; depth:3;
// distance:0; within:5; startswith; endswith; fast_pattern; negated;
// buffer:http.uri".
func contentMatch(pat, mods string) rules.Match {
	c := &rules.Content{Pattern: decodePattern(pat)}
	m := rules.Match{Content: c}
	for _, mod := range strings.Split(mods, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(mod), ":")
		n, _ := strconv.Atoi(v)
		switch k {
		case "":
		case "nocase":
			c.NoCase = true
		case "offset":
			c.Offset, c.HasOffset = n, true
		case "depth":
			c.Depth, c.HasDepth = n, true
		case "distance":
			c.Distance, c.HasDistance = n, true
		case "within":
			c.Within, c.HasWithin = n, true
		case "startswith":
			c.StartsWith = true
		case "endswith":
			c.EndsWith = true
		case "fast_pattern":
			c.FastPattern = true
		case "negated":
			c.Negated = true
		case "buffer":
			m.Buffer = named(v, rules.BufferPayload, rules.NumBuffers-1, rules.NumBuffers)
		default:
			panic("unknown content modifier " + k)
		}
	}
	return m
}

// pcreMatch is pcre:"/re/" with modifiers "R; negated; buffer:http.uri"; re is
// RE2 syntax, as the parser leaves it.
func pcreMatch(re, mods string) rules.Match {
	p := &rules.PCRE{Source: "/" + re + "/", Expr: re}
	m := rules.Match{PCRE: p}
	for _, mod := range strings.Split(mods, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(mod), ":")
		switch k {
		case "":
		case "R":
			p.Relative = true
		case "negated":
			p.Negated = true
		case "buffer":
			m.Buffer = named(v, rules.BufferPayload, rules.NumBuffers-1, rules.NumBuffers)
		default:
			panic("unknown pcre modifier " + k)
		}
	}
	return m
}

func withMatches(ms ...rules.Match) ruleOpt {
	return func(r *rules.Rule) { r.Matches = append(r.Matches, ms...) }
}

func withAddrs(src, dst string) ruleOpt {
	return func(r *rules.Rule) { r.Src, r.Dst = addrSpec(src), addrSpec(dst) }
}

// addrSpec reads "any", "10.0.0.1", "10.0.0.0/8" or "!10.0.0.0/8".
func addrSpec(s string) rules.AddrSpec {
	var a rules.AddrSpec
	if strings.HasPrefix(s, "!") {
		a.Negated, s = true, s[1:]
	}
	if s == "any" {
		a.Any = true
		return a
	}
	if !strings.Contains(s, "/") {
		ip := netip.MustParseAddr(s)
		a.Include = []netip.Prefix{netip.PrefixFrom(ip, ip.BitLen())}
		return a
	}
	a.Include = []netip.Prefix{netip.MustParsePrefix(s)}
	return a
}

func withPorts(src, dst string) ruleOpt {
	return func(r *rules.Rule) { r.SrcPorts, r.DstPorts = portSpec(src), portSpec(dst) }
}

// portSpec reads "any", "80", "80,443", "1000:2000" or "!80".
func portSpec(s string) rules.PortSpec {
	var p rules.PortSpec
	if strings.HasPrefix(s, "!") {
		p.Negated, s = true, s[1:]
	}
	if s == "any" {
		p.Any = true
		return p
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, ok := strings.Cut(part, ":")
		l, _ := strconv.Atoi(lo)
		h := l
		if ok {
			h, _ = strconv.Atoi(hi)
		}
		p.Include = append(p.Include, rules.PortRange{Lo: uint16(l), Hi: uint16(h)})
	}
	return p
}

func bidirectional(r *rules.Rule) { r.Bidirectional = true }

func withFlow(dir rules.FlowDirection, established, notEstablished, stateless bool) ruleOpt {
	return func(r *rules.Rule) {
		r.Flow = rules.Flow{Direction: dir, Established: established, NotEstablished: notEstablished, Stateless: stateless}
	}
}

// withFlags reads flags: as written, e.g. "S", "+SA", "*SF", "!R", "S,CE", "0".
func withFlags(s string) ruleOpt {
	return func(r *rules.Rule) {
		f := &rules.Flags{}
		s, ign, _ := strings.Cut(s, ",")
		if s != "" && strings.ContainsRune("+*!", rune(s[0])) {
			f.Mode, s = s[0], s[1:]
		}
		f.Mask, f.Ignore = flagBits(s), flagBits(ign)
		r.Flags = f
	}
}

func flagBits(s string) uint8 {
	var m uint8
	for _, c := range s {
		m |= map[rune]uint8{'F': packet.TCPFin, 'S': packet.TCPSyn, 'R': packet.TCPRst, 'P': packet.TCPPsh, 'A': packet.TCPAck,
			'U': packet.TCPUrg, 'E': packet.TCPEce, 'C': packet.TCPCwr, '2': packet.TCPEce, '1': packet.TCPCwr, '0': 0}[c]
	}
	return m
}

// rangeOf reads a dsize/ttl/itype/icode value: "5", "<5", ">5", "<=5",
// ">=5", "!5", "3<>7", "3-7".
func rangeOf(s string) *rules.Range {
	for _, op := range []string{"<>", "-"} {
		if a, b, ok := strings.Cut(s, op); ok && a != "" {
			lo, _ := strconv.Atoi(a)
			hi, _ := strconv.Atoi(b)
			return &rules.Range{Op: named(op, rules.RangeEq, rules.RangeInclusive, 0), Min: lo, Max: hi}
		}
	}
	for _, op := range []string{"<=", ">=", "<", ">", "!"} {
		if v, ok := strings.CutPrefix(s, op); ok {
			n, _ := strconv.Atoi(v)
			return &rules.Range{Op: named(op, rules.RangeEq, rules.RangeInclusive, 0), Min: n}
		}
	}
	n, _ := strconv.Atoi(s)
	return &rules.Range{Op: rules.RangeEq, Min: n}
}

func withDsize(s string) ruleOpt { return func(r *rules.Rule) { r.Dsize = rangeOf(s) } }
func withTTL(s string) ruleOpt   { return func(r *rules.Rule) { r.TTL = rangeOf(s) } }
func withIType(s string) ruleOpt { return func(r *rules.Rule) { r.IType = rangeOf(s) } }
func withICode(s string) ruleOpt { return func(r *rules.Rule) { r.ICode = rangeOf(s) } }

func withThreshold(typ, track string, count, seconds int) ruleOpt {
	return func(r *rules.Rule) {
		r.Threshold = &rules.Threshold{Type: named(typ, rules.ThresholdLimit, rules.DetectionFilter, 0),
			Track: named(track, rules.TrackBySrc, rules.TrackByFlow, 0), Count: count, Seconds: seconds}
	}
}

func withAction(a string) ruleOpt {
	return func(r *rules.Rule) { r.Action = named(a, rules.ActionAlert, rules.ActionPass, 0) }
}

// Packets.

type pktOpt func(*packet.Facts)

// tcpPacket is a PSH|ACK segment of an established connection,
// 10.0.0.1:40000 -> 10.0.0.2:80, to the server.
func tcpPacket(payload string, opts ...pktOpt) packet.Facts {
	f := packet.Facts{
		Time: t0, Packet: packet.PacketRef{Num: 1}, WireLen: 54 + len(payload),
		HasEth: true, SrcMAC: srcMAC,
		L3: packet.L3IPv4, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"),
		TTL: 64, Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: 80,
		TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToServer,
		Payload: []byte(payload),
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func udpPacket(payload string, opts ...pktOpt) packet.Facts {
	f := tcpPacket(payload, opts...)
	f.Proto, f.TCPFlags, f.Dir = packet.ProtoUDP, 0, packet.DirUnknown
	for _, o := range opts { // options may set what the line above reset
		o(&f)
	}
	return f
}

func icmpPacket(typ, code uint8, v6 bool) packet.Facts {
	f := tcpPacket("")
	f.Proto, f.TCPFlags, f.Dir, f.SrcPort, f.DstPort = packet.ProtoICMP, 0, packet.DirUnknown, 0, 0
	f.ICMPType, f.ICMPCode = typ, code
	f.Payload = []byte("abcdefgh")
	if v6 {
		f.L3, f.Proto = packet.L3IPv6, packet.ProtoICMPv6
		f.Src, f.Dst = netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fd00::2")
	}
	return f
}

func fromAddr(src string, sport uint16) pktOpt {
	return func(f *packet.Facts) {
		f.Src, f.SrcPort = netip.MustParseAddr(src), sport
		if f.Src.Is6() {
			f.L3 = packet.L3IPv6
		}
	}
}

func toAddr(dst string, dport uint16) pktOpt {
	return func(f *packet.Facts) {
		f.Dst, f.DstPort = netip.MustParseAddr(dst), dport
		if f.Dst.Is6() {
			f.L3 = packet.L3IPv6
		}
	}
}

func withTCPFlags(fl uint8) pktOpt { return func(f *packet.Facts) { f.TCPFlags = fl } }
func withDir(d uint8) pktOpt       { return func(f *packet.Facts) { f.Dir = d } }
func withConn(e uint8) pktOpt      { return func(f *packet.Facts) { f.ConnEvent = e } }
func withPktTTL(t uint8) pktOpt    { return func(f *packet.Facts) { f.TTL = t } }
func withProto(p uint8) pktOpt     { return func(f *packet.Facts) { f.Proto = p } }
func atTime(d time.Duration) pktOpt {
	return func(f *packet.Facts) { f.Time = t0 + int64(d) }
}

// newMatcher compiles rs with defaults and fails the test on error.
func newMatcher(t testing.TB, rs ...*rules.Rule) *Matcher {
	t.Helper()
	m, err := New(rs, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sidsOf runs packets through m and returns the SIDs emitted per packet.
func sidsOf(m *Matcher, facts []packet.Facts) [][]uint32 {
	out := make([][]uint32, len(facts))
	for i := range facts {
		f := facts[i]
		m.Observe(&f, func(e packet.Event) { out[i] = append(out[i], e.SID) })
	}
	return out
}

// matchCase is one rule against one packet.
type matchCase struct {
	name string
	rule *rules.Rule
	pkt  packet.Facts
	want bool
}

// runCases checks each case with and without the prefilter, and with
// what a worker found ahead from the packet's bytes alone (ahead.go).
func runCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []string{"prefilter", "noPrefilter", "ahead"} {
				m := newMatcher(t, c.rule)
				m.noPrefilter = mode == "noPrefilter"
				f := c.pkt
				if mode == "ahead" {
					a := aheadOf(m, &f)
					m.UseAhead(a)
				}
				got := false
				m.Observe(&f, func(e packet.Event) { got = e.SID == c.rule.SID })
				if got != c.want {
					t.Errorf("%s: matched %v, want %v", mode, got, c.want)
				}
			}
		})
	}
}

// aheadOf has a worker of m work f out as the lookahead does: from f's
// bytes alone, without the flow facts, sharing f's network header so
// Observe takes the result for f.
func aheadOf(m *Matcher, f *packet.Facts) *Ahead {
	if len(f.L3Header) == 0 {
		f.L3Header = make([]byte, 20)
	}
	alone := *f
	alone.Dir, alone.ConnEvent, alone.BothWays, alone.FlowStart = packet.DirUnknown, packet.ConnNone, false, 0
	alone.Retransmission, alone.StreamData, alone.StreamPrefix, alone.StreamPieces = false, nil, nil, nil
	a := new(Ahead)
	m.Worker().Ahead(&alone, a)
	return a
}

func contentRule(ms ...rules.Match) *rules.Rule { return newRule(1, "tcp", withMatches(ms...)) }
