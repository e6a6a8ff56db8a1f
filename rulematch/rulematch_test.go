package rulematch

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
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
		File: "test.rules", Line: int(sid), Action: "alert", Proto: mustProtocol(proto),
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
	p := &rules.PCRE{Source: "/" + re + "/", Re: regexp.MustCompile(re)}
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
			return &rules.Range{Op: op, Min: lo, Max: hi}
		}
	}
	for _, op := range []string{"<=", ">=", "<", ">", "!"} {
		if v, ok := strings.CutPrefix(s, op); ok {
			n, _ := strconv.Atoi(v)
			return &rules.Range{Op: op, Min: n}
		}
	}
	n, _ := strconv.Atoi(s)
	return &rules.Range{Op: "=", Min: n}
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

func withAction(a string) ruleOpt { return func(r *rules.Rule) { r.Action = a } }

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

// runCases checks each case with and without the prefilter.
func runCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, noPF := range []bool{false, true} {
				m := newMatcher(t, c.rule)
				m.noPrefilter = noPF
				f := c.pkt
				got := false
				m.Observe(&f, func(e packet.Event) { got = e.SID == c.rule.SID })
				if got != c.want {
					t.Errorf("noPrefilter=%v: matched %v, want %v", noPF, got, c.want)
				}
			}
		})
	}
}

func contentRule(ms ...rules.Match) *rules.Rule { return newRule(1, "tcp", withMatches(ms...)) }

func TestRuleContentModifiers(t *testing.T) {
	c := contentMatch
	R := contentRule
	p := func(s string) packet.Facts { return tcpPacket(s) }
	runCases(t, []matchCase{
		// content and hex
		{"plain", R(c("abc", "")), p("xxabcxx"), true},
		{"plain absent", R(c("abc", "")), p("xxabxcx"), false},
		{"case-sensitive", R(c("ABC", "")), p("abc"), false},
		{"hex bytes", R(c("a|0D 0a|bc", "")), p("za\r\nbc"), true},
		{"hex absent", R(c("|0d 0a 0d 0a|", "")), p("a\r\nb\r\n"), false},
		{"nocase", R(c("ABC", "nocase")), p("xaBcx"), true},
		{"nocase hex", R(c("|41|bc", "nocase")), p("ABC"), true},

		// depth: content:"abc"; depth:3;
		{"depth in", R(c("abc", "depth:3")), p("abcdef"), true},
		{"depth out", R(c("abc", "depth:3")), p("xabc"), false},
		{"depth longer", R(c("abc", "depth:5")), p("xxabc"), true},
		// startswith is depth:len; offset:0
		{"startswith", R(c("GET|20|", "startswith")), p("GET /"), true},
		{"startswith later", R(c("GET|20|", "startswith")), p(" GET /"), false},
		// endswith
		{"endswith", R(c(".php", "endswith")), p("/index.php"), true},
		{"endswith not at end", R(c(".php", "endswith")), p("/index.php?x=1"), false},
		{"endswith later occurrence", R(c(".php", "endswith")), p("/a.php/b.php"), true},
		{"endswith nocase", R(c(".PHP", "nocase; endswith")), p("/a.php"), true},
		{"startswith endswith exact", R(c("GET", "startswith; endswith")), p("GET"), true},
		{"startswith endswith longer", R(c("GET", "startswith; endswith")), p("GETX"), false},
		// offset: content:"def"; offset:3;
		{"offset in", R(c("def", "offset:3")), p("abcdef"), true},
		{"offset before", R(c("def", "offset:3")), p("defabc"), false},
		// offset and depth: content:"def"; offset:3; depth:3; (bytes 3-5)
		{"offset depth in", R(c("def", "offset:3; depth:3")), p("abcdefghi"), true},
		{"offset depth beyond", R(c("def", "offset:3; depth:3")), p("abcxdefgh"), false},
		{"offset beyond payload", R(c("a", "offset:10")), p("aaaa"), false},
		{"nocase offset", R(c("HOST", "nocase; offset:2")), p("x host"), true},

		// distance: relative to the end of the previous match
		{"distance 0", R(c("abc", ""), c("def", "distance:0")), p("abcdef"), true},
		{"distance 0 before", R(c("abc", ""), c("def", "distance:0")), p("defabc"), false},
		{"distance skips", R(c("abc", ""), c("def", "distance:2")), p("abcdef"), false},
		{"distance skips ok", R(c("abc", ""), c("def", "distance:2")), p("abcxxdef"), true},
		{"distance negative", R(c("abcd", ""), c("def", "distance:-1")), p("abcdef"), true},
		{"distance negative needed", R(c("abcd", ""), c("def", "distance:0")), p("abcdef"), false},
		{"distance before start", R(c("ab", ""), c("xa", "distance:-10")), p("xab"), true},
		// within: the match must end within N bytes of the previous end
		{"within", R(c("abc", ""), c("def", "within:3")), p("abcdef"), true},
		{"within too far", R(c("abc", ""), c("def", "within:3")), p("abcxdef"), false},
		{"within is from distance", R(c("abc", ""), c("def", "distance:1; within:4")), p("abcxdef"), true},
		{"within distance too near", R(c("abc", ""), c("def", "distance:1; within:4")), p("abcdef"), false},
		{"within distance edge", R(c("abc", ""), c("def", "distance:1; within:4")), p("abcxxdef"), true},
		{"within distance too far", R(c("abc", ""), c("def", "distance:1; within:4")), p("abcxxxdef"), false},
		{"within nocase", R(c("abc", ""), c("DEF", "nocase; within:3")), p("abcdef"), true},
		{"first content relative to start", R(c("b", "distance:1")), p("ab"), true},
		{"first content relative to start miss", R(c("a", "distance:1")), p("ab"), false},
		// chains: Suricata retries later occurrences of a content whose
		// next content has within
		{"retry for within", R(c("A", ""), c("B", "within:1")), p("AxAB"), true},
		{"retry exhausted", R(c("A", ""), c("B", "within:1")), p("AxAxB"), false},
		{"three-step retry", R(c("A", ""), c("B", "distance:0"), c("C", "within:1")), p("ABxABC"), true},
		{"three-step no C", R(c("A", ""), c("B", "distance:0"), c("C", "within:1")), p("ABxABx"), false},
		{"absolute after relative", R(c("A", ""), c("B", "distance:0"), c("Z", "depth:1")), p("ZAB"), true},
		{"absolute after relative miss", R(c("A", ""), c("B", "distance:0"), c("Z", "depth:1")), p("AZB"), false},
		{"relative to last positive", R(c("a", ""), c("q", "negated"), c("b", "within:1")), p("xab"), true},

		// negation
		{"negated absent", R(c("evil", "negated")), p("good"), true},
		{"negated present", R(c("evil", "negated")), p("so evil"), false},
		{"negated nocase", R(c("EVIL", "negated; nocase")), p("evil"), false},
		{"negated depth outside", R(c("GET", "negated; depth:3")), p("POST /GET"), true},
		{"negated depth inside", R(c("GET", "negated; depth:3")), p("GET /"), false},
		{"negated relative clean", R(c("user=", ""), c("admin", "negated; within:10")), p("user=guest"), true},
		{"negated relative dirty", R(c("user=", ""), c("admin", "negated; within:10")), p("user=admin"), false},
		{"negated relative retry", R(c("user=", ""), c("admin", "negated; within:10")), p("user=admin&user=guest"), true},
		{"negated empty window", R(c("end", ""), c("x", "negated; distance:5")), p("the end"), true},
		{"negated endswith clean", R(c(".exe", "negated; endswith")), p("a.exe.txt"), true},
		{"negated endswith dirty", R(c(".exe", "negated; endswith")), p("a.exe"), false},
		{"negated then positive", R(c("x", "negated"), c("abc", "")), p("abc"), true},
		{"negated then positive dirty", R(c("x", "negated"), c("abc", "")), p("abcx"), false},
		{"endswith relative", R(c("a", ""), c("z", "distance:0; endswith")), p("a..z"), true},
		{"endswith relative not end", R(c("a", ""), c("z", "distance:0; endswith")), p("a..zq"), false},

		// the fast_pattern choice must not matter
		{"fast_pattern short", R(c("abcdef", ""), c("x", "fast_pattern")), p("abcdefx"), true},
		{"fast_pattern absent", R(c("abcdef", ""), c("x", "fast_pattern")), p("abcdef"), false},

		{"empty payload", R(c("a", "negated")), p(""), false},
	})
}

func TestRulePCRE(t *testing.T) {
	c, P, R := contentMatch, pcreMatch, contentRule
	p := func(s string) packet.Facts { return tcpPacket(s) }
	runCases(t, []matchCase{
		{"pcre", R(P(`foo\d+`, "")), p("xxfoo12"), true},
		{"pcre absent", R(P(`foo\d+`, "")), p("foo"), false},
		{"pcre anchored", R(P(`^GET`, "")), p(" GET"), false},
		{"pcre caseless", R(P(`(?i)select.+from`, "")), p("SELECT * FROM t"), true},
		{"pcre negated clean", R(P(`admin`, "negated")), p("user"), true},
		{"pcre negated dirty", R(P(`admin`, "negated")), p("admin"), false},
		{"pcre with content", R(c("id=", ""), P(`\d{3}`, "")), p("id=x 123"), true},
		// relative: from the end of the previous match
		{"pcre R", R(c("id=", ""), P(`^\d+`, "R")), p("id=123"), true},
		{"pcre R not digit", R(c("id=", ""), P(`^\d+`, "R")), p("id=abc"), false},
		{"pcre R before", R(c("id=", ""), P(`\d`, "R")), p("1 id=x"), false},
		{"pcre R negated clean", R(c("id=", ""), P(`^\d`, "R; negated")), p("id=abc"), true},
		{"pcre R negated dirty", R(c("id=", ""), P(`^\d`, "R; negated")), p("id=1"), false},
		// Suricata does not retry a content for a following relative
		// pcre: only within does that
		{"pcre R no retry", R(c("A", ""), P(`^B`, "R")), p("AxAB"), false},
		// content relative to a pcre match, retried on later matches
		{"content after pcre", R(P(`a+b`, ""), c("c", "within:1")), p("abXabc"), true},
		{"content after pcre none", R(P(`a+b`, ""), c("c", "within:1")), p("abXab"), false},
		{"anchored pcre retry", R(P(`^b+?`, ""), c("c", "within:1")), p("bbc"), false},
		{"pcre retried for a relative pcre", R(P(`k=`, ""), P(`^v`, "R")), p("k=x k=v"), true},
		{"pcre retried, none fits", R(P(`k=`, ""), P(`^v`, "R")), p("k=x k=y"), false},
		{"pcre R then content", R(c("GET ", ""), P(`^/\w+`, "R"), c(".php", "within:4")), p("GET /index.php"), true},
		// bytes >= 0x80: the parser writes \xff as U+00FF; the matcher
		// presents the buffer one rune per byte
		{"pcre high byte", R(P(`\x{90}\x{90}\x{90}`, "")), p("\x01\x90\x90\x90\x02"), true},
		{"pcre high byte absent", R(P(`\x{90}{3}`, "")), p("\x90\x90\x91"), false},
		{"pcre dot is one byte", R(P(`^a.b`, "")), p("a\xc3\xa9b"), false},
		{"pcre dot two bytes", R(P(`^a..b`, "")), p("a\xc3\xa9b"), true},
		{"pcre offset after high bytes", R(P(`\x{ff}+`, ""), c("Z", "within:1")), p("\xff\xffZ"), true},
		{"pcre offset after high bytes miss", R(P(`\x{ff}+`, ""), c("Z", "within:1")), p("\xff\xffxZ"), false},
	})
}

const request = "POST /admin/login.php?user=x HTTP/1.1\r\n" +
	"Host: Example.COM:8080\r\n" +
	"User-Agent: curl/8.0\r\n" +
	"Cookie: session=abc\r\n" +
	"X-Api-Key: 123\r\n" +
	"Content-Length: 16\r\n" +
	"\r\n" +
	"password=hunter2"

func TestRuleHTTPBuffers(t *testing.T) {
	R := contentRule
	b := func(buf, pat, mods string) rules.Match { return contentMatch(pat, "buffer:"+buf+"; "+mods) }
	req := tcpPacket(request)
	get := tcpPacket("GET /index.html HTTP/1.1\nHost: a.example\nUser-Agent: Mozilla/5.0\n\n")
	runCases(t, []matchCase{
		{"method", R(b("http.method", "POST", "")), req, true},
		{"method other", R(b("http.method", "GET", "")), req, false},
		{"method exact", R(b("http.method", "POST", "startswith; endswith")), req, true},
		{"uri startswith", R(b("http.uri", "/admin", "startswith")), req, true},
		{"uri content", R(b("http.uri", "login.php", "")), req, true},
		{"uri endswith", R(b("http.uri", "user=x", "endswith")), req, true},
		{"uri is not headers", R(b("http.uri", "Host", "")), req, false},
		{"host lowercased, no port", R(b("http.host", "example.com", "startswith; endswith")), req, true},
		{"host nocase", R(b("http.host", "EXAMPLE", "nocase")), req, true},
		{"host port dropped", R(b("http.host", "8080", "")), req, false},
		{"user_agent", R(b("http.user_agent", "curl/", "startswith")), req, true},
		{"user_agent lf lines", R(b("http.user_agent", "Mozilla", "startswith")), get, true},
		{"cookie", R(b("http.cookie", "session=", "")), req, true},
		{"cookie absent", R(b("http.cookie", "session=", "negated")), get, false},
		{"header", R(b("http.header", "X-Api-Key: 123|0d 0a|", "")), req, true},
		{"header not request line", R(b("http.header", "POST", "")), req, false},
		{"header not body", R(b("http.header", "password", "")), req, false},
		{"header relative", R(b("http.header", "Host:", ""), b("http.header", "Example", "distance:0; within:8")), req, true},
		{"body", R(b("http.request_body", "password=", "startswith")), req, true},
		{"body absent", R(b("http.request_body", "x", "negated")), get, false},
		{"pcre uri", R(pcreMatch(`\.php\?user=\w`, "buffer:http.uri")), req, true},
		{"pcre host lowercased", R(pcreMatch(`^example\.com$`, "buffer:http.host")), req, true},
		{"payload and uri", R(contentMatch("hunter2", ""), b("http.uri", "/admin", "")), req, true},
		{"uri and method", R(b("http.method", "GET", ""), b("http.uri", ".html", "endswith")), get, true},
		{"not http", R(b("http.uri", "/admin", "")), tcpPacket("XPOST /admin HTTP/1.1\r\n\r\n"), false},
		{"not over udp", R(b("http.uri", "/admin", "")), udpPacket(request), false},
		{"request line only", R(b("http.uri", "/x", "")), tcpPacket("GET /x"), true},
		{"no header block", R(b("http.header", "a", "negated")), tcpPacket("GET /x HTTP/1.0\r\n"), false},
	})
}

func TestRuleHTTPParse(t *testing.T) {
	var h httpSpans
	parseHTTPRequest([]byte(request), &h)
	got := map[string]string{}
	names := map[rules.Buffer]string{rules.BufferHTTPMethod: "method", rules.BufferHTTPURI: "uri", rules.BufferHTTPHeader: "header",
		rules.BufferHTTPHost: "host", rules.BufferHTTPUserAgent: "ua", rules.BufferHTTPCookie: "cookie", rules.BufferHTTPBody: "body"}
	for id, n := range names {
		sp := h.spans[id]
		got[n] = request[sp.lo:sp.hi]
	}
	want := map[string]string{
		"method": "POST", "uri": "/admin/login.php?user=x",
		"header": "Host: Example.COM:8080\r\nUser-Agent: curl/8.0\r\nCookie: session=abc\r\nX-Api-Key: 123\r\nContent-Length: 16\r\n",
		"host":   "Example.COM", "ua": "curl/8.0", "cookie": "session=abc", "body": "password=hunter2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %q\nwant %q", got, want)
	}
	for _, p := range []string{"", "GET", "GET/", "get / HTTP/1.1\r\n\r\n", "\x16\x03\x01\x02\x00", "FOOBAR / HTTP/1.1\r\n"} {
		parseHTTPRequest([]byte(p), &h)
		if h != (httpSpans{}) {
			t.Errorf("%q: parsed as a request: %+v", p, h)
		}
	}
	parseHTTPRequest([]byte("GET / HTTP/1.1\r\nHost: [::1]:80\r\nHost: second\r\n"), &h)
	if sp := h.spans[rules.BufferHTTPHost]; "GET / HTTP/1.1\r\nHost: [::1]:80\r\nHost: second\r\n"[sp.lo:sp.hi] != "[::1]" {
		t.Errorf("IPv6 host: %+v", sp)
	}
}

func TestRuleFlags(t *testing.T) {
	R := func(flags string) *rules.Rule { return newRule(1, "tcp", withFlags(flags)) }
	p := func(fl uint8) packet.Facts { return tcpPacket("", withTCPFlags(fl)) }
	const S, A, F, R_, P, U, E, C = packet.TCPSyn, packet.TCPAck, packet.TCPFin, packet.TCPRst, packet.TCPPsh, packet.TCPUrg, packet.TCPEce, packet.TCPCwr
	runCases(t, []matchCase{
		{"exact S on SYN", R("S"), p(S), true},
		{"exact S on SYN-ACK", R("S"), p(S | A), false},
		{"exact S on SYN+ECN", R("S"), p(S | E | C), false},
		{"exact S ignoring CE", R("S,CE"), p(S | E | C), true},
		{"exact S ignoring 12", R("S,12"), p(S | E), true},
		{"exact SA", R("SA"), p(S | A), true},
		{"plus S on SYN-ACK", R("+S"), p(S | A), true},
		{"plus SA on SYN", R("+SA"), p(S), false},
		{"any SF on FIN", R("*SF"), p(F | A), true},
		{"any SF on ACK", R("*SF"), p(A), false},
		{"not R on ACK", R("!R"), p(A), true},
		{"not R on RST", R("!R"), p(R_ | A), false},
		// Suricata: '!' is "not all of these", so !SA matches a bare SYN
		{"not SA on SYN", R("!SA"), p(S), true},
		{"not SA on SYN-ACK", R("!SA"), p(S | A), false},
		{"xmas", R("FPU"), p(F | P | U), true},
		{"null scan", R("0"), p(0), true},
		{"null on ACK", R("0"), p(A), false},
		{"not null", R("!0"), p(A), true},
		{"flags on udp", R("S"), udpPacket("", withTCPFlags(S)), false},
	})
}

func TestRuleRanges(t *testing.T) {
	runCases(t, []matchCase{
		{"dsize =", newRule(1, "tcp", withDsize("3")), tcpPacket("abc"), true},
		{"dsize = miss", newRule(1, "tcp", withDsize("3")), tcpPacket("abcd"), false},
		{"dsize 0", newRule(1, "tcp", withDsize("0")), tcpPacket(""), true},
		{"dsize <", newRule(1, "tcp", withDsize("<4")), tcpPacket("abc"), true},
		{"dsize < edge", newRule(1, "tcp", withDsize("<3")), tcpPacket("abc"), false},
		{"dsize >", newRule(1, "tcp", withDsize(">2")), tcpPacket("abc"), true},
		{"dsize <= ", newRule(1, "tcp", withDsize("<=3")), tcpPacket("abc"), true},
		{"dsize >=", newRule(1, "tcp", withDsize(">=4")), tcpPacket("abc"), false},
		{"dsize !", newRule(1, "tcp", withDsize("!3")), tcpPacket("abc"), false},
		{"dsize ! other", newRule(1, "tcp", withDsize("!9")), tcpPacket("abc"), true},
		// Suricata requires a payload for !, >, >=, ranges and =N>0
		{"dsize ! empty", newRule(1, "tcp", withDsize("!9")), tcpPacket(""), false},
		{"dsize range from 0 empty", newRule(1, "tcp", withDsize("0-5")), tcpPacket(""), false},
		{"dsize >= 0 empty", newRule(1, "tcp", withDsize(">=0")), tcpPacket(""), false},
		{"dsize <= empty", newRule(1, "tcp", withDsize("<=5")), tcpPacket(""), true},
		{"dsize <> exclusive", newRule(1, "tcp", withDsize("3<>5")), tcpPacket("abc"), false},
		{"dsize <> inside", newRule(1, "tcp", withDsize("2<>5")), tcpPacket("abc"), true},
		{"dsize - inclusive", newRule(1, "tcp", withDsize("3-5")), tcpPacket("abc"), true},
		{"dsize with content", newRule(1, "tcp", withDsize(">100"), withMatches(contentMatch("abc", ""))), tcpPacket("abc"), false},
		{"ttl", newRule(1, "ip", withTTL("<5")), tcpPacket("", withPktTTL(1)), true},
		{"ttl miss", newRule(1, "ip", withTTL("<5")), tcpPacket(""), false},
		{"ttl range", newRule(1, "ip", withTTL("60-64")), tcpPacket(""), true},
		{"itype echo", newRule(1, "icmp", withIType("8")), icmpPacket(8, 0, false), true},
		{"itype reply", newRule(1, "icmp", withIType("8")), icmpPacket(0, 0, false), false},
		{"itype v6", newRule(1, "icmp", withIType("128")), icmpPacket(128, 0, true), true},
		{"itype >", newRule(1, "icmp", withIType(">30")), icmpPacket(40, 0, false), true},
		{"icode", newRule(1, "icmp", withIType("3"), withICode("3")), icmpPacket(3, 3, false), true},
		{"icode miss", newRule(1, "icmp", withIType("3"), withICode("3")), icmpPacket(3, 1, false), false},
		{"icode range", newRule(1, "icmp", withICode("0-3")), icmpPacket(3, 2, false), true},
		{"itype on ip rule, tcp packet", newRule(1, "ip", withIType("0")), tcpPacket(""), false},
	})
}

func TestRuleFlow(t *testing.T) {
	fl := func(dir rules.FlowDirection, est, notEst, stateless bool) *rules.Rule {
		return newRule(1, "tcp", withFlow(dir, est, notEst, stateless))
	}
	data := tcpPacket("x")
	toClient := tcpPacket("x", withDir(packet.DirToClient))
	midstream := tcpPacket("x", withDir(packet.DirUnknown))
	syn := tcpPacket("", withTCPFlags(packet.TCPSyn), withConn(packet.ConnOpened))
	synAck := tcpPacket("", withTCPFlags(packet.TCPSyn|packet.TCPAck), withDir(packet.DirToClient))
	finalAck := tcpPacket("", withTCPFlags(packet.TCPAck), withConn(packet.ConnEstablished))
	finalAckData := tcpPacket("GET /", withTCPFlags(packet.TCPAck|packet.TCPPsh), withConn(packet.ConnEstablished))
	const anyDir, srv, cli = rules.FlowAny, rules.FlowToServer, rules.FlowToClient
	runCases(t, []matchCase{
		{"to_server", fl(srv, false, false, false), data, true},
		{"to_server on reply", fl(srv, false, false, false), toClient, false},
		{"to_server midstream", fl(srv, false, false, false), midstream, false},
		{"to_client", fl(cli, false, false, false), toClient, true},
		{"to_client on request", fl(cli, false, false, false), data, false},
		{"established data", fl(srv, true, false, false), data, true},
		{"established SYN", fl(anyDir, true, false, false), syn, false},
		{"established SYN-ACK", fl(anyDir, true, false, false), synAck, false},
		{"established final ACK", fl(srv, true, false, false), finalAck, false},
		{"established final ACK with data", fl(srv, true, false, false), finalAckData, true},
		{"not_established final ACK", fl(srv, false, true, false), finalAck, true},
		{"established midstream", fl(anyDir, true, false, false), midstream, false},
		{"established to_client", fl(cli, true, false, false), toClient, true},
		{"not_established SYN", fl(srv, false, true, false), syn, true},
		{"not_established data", fl(anyDir, false, true, false), data, false},
		{"not_established midstream", fl(anyDir, false, true, false), midstream, true},
		{"stateless SYN", fl(anyDir, false, false, true), syn, true},
		{"stateless to_server midstream", fl(srv, false, false, true), midstream, true},
		{"stateless to_server reply", fl(srv, false, false, true), toClient, false},
		{"udp ignores flow", newRule(1, "udp", withFlow(srv, true, false, false)), udpPacket("x"), true},
		{"udp ignores direction", newRule(1, "udp", withFlow(cli, false, false, false)), udpPacket("x"), true},
	})
}

func TestRuleHeader(t *testing.T) {
	hdr := func(proto, src, sp, dst, dp string, opts ...ruleOpt) *rules.Rule {
		return newRule(1, proto, append([]ruleOpt{withAddrs(src, dst), withPorts(sp, dp)}, opts...)...)
	}
	fwd := tcpPacket("", fromAddr("10.0.0.1", 4000), toAddr("10.0.0.2", 80))
	rev := tcpPacket("", fromAddr("10.0.0.2", 80), toAddr("10.0.0.1", 4000))
	wrongPort := tcpPacket("", fromAddr("10.0.0.2", 4000), toAddr("10.0.0.1", 80))
	runCases(t, []matchCase{
		{"addresses", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80"), fwd, true},
		{"one way only", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80"), rev, false},
		{"bidirectional forward", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), fwd, true},
		{"bidirectional reverse", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), rev, true},
		{"bidirectional keeps port with address", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), wrongPort, false},
		{"negated source", hdr("tcp", "!10.0.0.0/8", "any", "any", "any"), fwd, false},
		{"negated source outside", hdr("tcp", "!192.168.0.0/16", "any", "any", "any"), fwd, true},
		{"port list", hdr("tcp", "any", "any", "any", "443,80"), fwd, true},
		{"port range", hdr("tcp", "any", "3000:5000", "any", "any"), fwd, true},
		{"negated port", hdr("tcp", "any", "any", "any", "!80"), fwd, false},
		{"src port index", hdr("tcp", "any", "80", "any", "any"), rev, true},
		{"src port index miss", hdr("tcp", "any", "80", "any", "any"), fwd, false},
		{"ipv6", hdr("tcp", "fd00::/8", "any", "any", "any"), tcpPacket("", fromAddr("fd00::1", 1), toAddr("fd00::2", 80)), true},
		{"ipv4 rule range on ipv6", hdr("tcp", "10.0.0.0/8", "any", "any", "any"), tcpPacket("", fromAddr("fd00::1", 1), toAddr("fd00::2", 80)), false},
		// protocols
		{"http is tcp", newRule(1, "http"), tcpPacket("x"), true},
		{"http not udp", newRule(1, "http"), udpPacket("x"), false},
		{"http keeps its ports", hdr("http", "any", "any", "any", "8080"), tcpPacket("x"), false},
		{"dns on udp", newRule(1, "dns"), udpPacket("x"), true},
		{"dns on tcp", newRule(1, "dns"), tcpPacket("x"), true},
		{"tls not udp", newRule(1, "tls"), udpPacket("x"), false},
		{"quic is udp", newRule(1, "quic"), udpPacket("x"), true},
		{"icmp v4", newRule(1, "icmp"), icmpPacket(8, 0, false), true},
		{"icmp v6", newRule(1, "icmp"), icmpPacket(128, 0, true), true},
		{"icmpv4 not v6", newRule(1, "icmpv4"), icmpPacket(128, 0, true), false},
		{"icmp not tcp", newRule(1, "icmp"), tcpPacket("x"), false},
		{"icmp ignores ports", hdr("icmp", "any", "any", "any", "80"), icmpPacket(8, 0, false), true},
		{"ip on udp", newRule(1, "ip"), udpPacket("x"), true},
		{"ip on gre", newRule(1, "ip", withMatches(contentMatch("x", ""))), tcpPacket("x", withProto(47)), true},
		{"ipv6 rule on ipv4", newRule(1, "ipv6"), tcpPacket("x"), false},
		{"ipv6 rule on ipv6", newRule(1, "ipv6"), tcpPacket("x", fromAddr("fd00::1", 1), toAddr("fd00::2", 2)), true},
		{"tcp rule not udp", newRule(1, "tcp"), udpPacket("x"), false},
	})
}

func TestRuleNonIPIgnored(t *testing.T) {
	m := newMatcher(t, newRule(1, "ip"))
	f := tcpPacket("x")
	f.L3 = packet.L3ARP
	m.Observe(&f, func(packet.Event) { t.Error("fired on ARP") })
}

func TestRuleEvent(t *testing.T) {
	m := newMatcher(t, newRule(7, "tcp", withMatches(contentMatch("evil", ""))))
	var evs []packet.Event
	emit := func(e packet.Event) { evs = append(evs, e) }
	f := tcpPacket("so evil", atTime(3*time.Second))
	f.Packet = packet.PacketRef{File: 2, Num: 99}
	m.Observe(&f, emit)
	pub := tcpPacket("evil", fromAddr("198.51.100.7", 5555))
	m.Observe(&pub, emit)
	noEth := tcpPacket("evil")
	noEth.HasEth = false
	m.Observe(&noEth, emit)
	want := packet.Event{
		SID: 7, Time: t0 + 3e9,
		Attacker: netip.MustParseAddr("10.0.0.1"), AttackerMAC: srcMAC, HasMAC: true,
		Victim: netip.MustParseAddr("10.0.0.2"), VictimPort: 80, Proto: packet.ProtoTCP,
		FirstTime: t0 + 3e9, LastTime: t0 + 3e9,
		First: packet.PacketRef{File: 2, Num: 99}, Last: packet.PacketRef{File: 2, Num: 99}, Count: 1,
		Kind: "rule", Detail: "rule test.rules:7 matched: test rule 7",
	}
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	if !reflect.DeepEqual(evs[0], want) {
		t.Errorf("event\n got %+v\nwant %+v", evs[0], want)
	}
	if evs[1].HasMAC || evs[1].Attacker != netip.MustParseAddr("198.51.100.7") {
		t.Errorf("public source: %+v", evs[1])
	}
	if evs[2].HasMAC {
		t.Errorf("no Ethernet header but a MAC: %+v", evs[2])
	}
}

func TestRuleOrderAndPass(t *testing.T) {
	rs := []*rules.Rule{
		newRule(30, "tcp", withMatches(contentMatch("abc", ""))),
		newRule(10, "tcp"),
		newRule(20, "tcp", withMatches(contentMatch("b", ""))),
	}
	m := newMatcher(t, rs...)
	got := sidsOf(m, []packet.Facts{tcpPacket("abc"), tcpPacket("b"), tcpPacket("")})
	want := [][]uint32{{30, 10, 20}, {10, 20}, {10}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v (rule order)", got, want)
	}
	pass := newRule(99, "tcp", withAction("pass"), withAddrs("10.0.0.9", "any"))
	m = newMatcher(t, append(rs, pass)...)
	got = sidsOf(m, []packet.Facts{tcpPacket("abc"), tcpPacket("abc", fromAddr("10.0.0.9", 1))})
	want = [][]uint32{{30, 10, 20}, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with pass: got %v, want %v", got, want)
	}
}

func TestRuleThreshold(t *testing.T) {
	const A, B = "10.0.0.1", "10.0.0.3"
	type hit struct {
		at       time.Duration
		src, dst string
	}
	series := func(src string, from time.Duration, n int) []hit {
		var out []hit
		for i := range n {
			out = append(out, hit{from + time.Duration(i)*time.Second, src, "10.0.0.2"})
		}
		return out
	}
	cat := func(hs ...[]hit) []hit { return slices.Concat(hs...) }
	cases := []struct {
		name                 string
		typ, track           string
		count, seconds       int
		hits                 []hit
		want                 []int // indexes of hits that alert
		wantEvicted, maxKeys int
	}{
		{"limit first N", "limit", "by_src", 2, 60, series(A, 0, 5), []int{0, 1}, 0, 0},
		{"limit per source", "limit", "by_src", 2, 60, cat(series(A, 0, 3), series(B, 3*time.Second, 3)), []int{0, 1, 3, 4}, 0, 0},
		{"limit window end inclusive", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {60 * time.Second, A, "10.0.0.2"}}, []int{0}, 0, 0},
		{"limit next window", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {30 * time.Second, A, "10.0.0.2"}, {61 * time.Second, A, "10.0.0.2"}}, []int{0, 2}, 0, 0},
		{"limit by_dst", "limit", "by_dst", 1, 60, cat(series(A, 0, 2), series(B, 2*time.Second, 2)), []int{0}, 0, 0},
		{"limit by_rule", "limit", "by_rule", 1, 60, []hit{{0, A, "10.0.0.2"}, {time.Second, B, "10.0.0.4"}}, []int{0}, 0, 0},
		{"limit by_both", "limit", "by_both", 1, 60, []hit{{0, A, "10.0.0.2"}, {1, A, "10.0.0.4"}, {2, A, "10.0.0.2"}}, []int{0, 1}, 0, 0},
		{"threshold every Nth", "threshold", "by_src", 3, 60, series(A, 0, 7), []int{2, 5}, 0, 0},
		{"threshold window restarts count", "threshold", "by_src", 2, 10, []hit{{0, A, "10.0.0.2"}, {11 * time.Second, A, "10.0.0.2"}, {12 * time.Second, A, "10.0.0.2"}}, []int{2}, 0, 0},
		{"threshold 1 is every match", "threshold", "by_src", 1, 60, series(A, 0, 3), []int{0, 1, 2}, 0, 0},
		{"both once per window", "both", "by_src", 3, 60, series(A, 0, 7), []int{2}, 0, 0},
		{"both next window", "both", "by_src", 2, 5, cat(series(A, 0, 4), series(A, 10*time.Second, 3)), []int{1, 5}, 0, 0},
		{"both 1", "both", "by_src", 1, 60, cat(series(A, 0, 2), series(A, 61*time.Second, 1)), []int{0, 2}, 0, 0},
		{"detection_filter after count", "detection_filter", "by_src", 3, 60, series(A, 0, 6), []int{3, 4, 5}, 0, 0},
		{"detection_filter resets", "detection_filter", "by_src", 1, 10, cat(series(A, 0, 3), series(A, 20*time.Second, 2)), []int{1, 2, 4}, 0, 0},
		// one entry only: B's match evicts A's count, so A alerts again
		{"limit evicted", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {1, B, "10.0.0.2"}, {2, A, "10.0.0.2"}}, []int{0, 1, 2}, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.maxKeys > 0 {
				cfg.MaxThresholdEntries = c.maxKeys
			}
			r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold(c.typ, c.track, c.count, c.seconds))
			m, err := New([]*rules.Rule{r}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, h := range c.hits {
				f := tcpPacket("x", atTime(h.at), fromAddr(h.src, 1000), toAddr(h.dst, 80))
				m.Observe(&f, func(packet.Event) { got = append(got, i) })
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("alerts on hits %v, want %v", got, c.want)
			}
			if m.Evicted() != uint64(c.wantEvicted) {
				t.Errorf("evicted %d, want %d", m.Evicted(), c.wantEvicted)
			}
		})
	}
}

// TestRuleThresholdUniqueAndFlow covers detection_filter unique_on (count
// distinct ports, not matches) and track by_flow (one count per
// connection, both directions together).
func TestRuleThresholdUniqueAndFlow(t *testing.T) {
	type hit struct {
		at    time.Duration
		src   string
		sport uint16
		dst   string
		dport uint16
	}
	const A, B, V = "10.0.0.1", "10.0.0.3", "10.0.0.2"
	cases := []struct {
		name           string
		typ, track     string
		unique         string
		count, seconds int
		hits           []hit
		want           []int
	}{
		{"distinct dst ports above count", "detection_filter", "by_src", "dst_port", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, A, 1000, V, 80}, {2, A, 1000, V, 81}, {3, A, 1000, V, 82}, {4, A, 1000, V, 80}},
			[]int{3, 4}},
		{"duplicates do not count", "detection_filter", "by_dst", "dst_port", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, B, 1001, V, 80}, {2, A, 1002, V, 81}, {3, A, 1003, V, 81}},
			nil},
		{"distinct src ports", "detection_filter", "by_src", "src_port", 1, 60,
			[]hit{{0, A, 2000, V, 80}, {1, A, 2000, V, 80}, {2, A, 2001, V, 80}},
			[]int{2}},
		{"unique window restarts", "detection_filter", "by_src", "dst_port", 1, 10,
			[]hit{{0, A, 1000, V, 80}, {time.Second, A, 1000, V, 81}, {20 * time.Second, A, 1000, V, 82}, {21 * time.Second, A, 1000, V, 82}},
			[]int{1}},
		{"by_flow: both directions one flow", "limit", "by_flow", "", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, V, 80, A, 1000}, {2, A, 1000, V, 80}},
			[]int{0, 1}},
		{"by_flow: another port is another flow", "limit", "by_flow", "", 1, 60,
			[]hit{{0, A, 1000, V, 80}, {1, A, 1001, V, 80}, {2, A, 1000, V, 80}},
			[]int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold(c.typ, c.track, c.count, c.seconds))
			r.Threshold.UniqueOn = named(c.unique, rules.UniqueNone, rules.UniqueDstPort, rules.UniqueDstPort+1)
			m, err := New([]*rules.Rule{r}, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, h := range c.hits {
				f := tcpPacket("x", atTime(h.at), fromAddr(h.src, h.sport), toAddr(h.dst, h.dport))
				m.Observe(&f, func(packet.Event) { got = append(got, i) })
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("alerts on hits %v, want %v", got, c.want)
			}
		})
	}
	r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold("detection_filter", "by_src", 70000, 60))
	r.Threshold.UniqueOn = rules.UniqueDstPort
	if _, err := New([]*rules.Rule{r}, DefaultConfig()); err == nil || !strings.Contains(err.Error(), "never be exceeded") {
		t.Errorf("unique_on count 70000: err %v, want never be exceeded", err)
	}
}

func TestRuleThresholdExpire(t *testing.T) {
	m := newMatcher(t,
		newRule(1, "tcp", withMatches(contentMatch("x", "")), withThreshold("limit", "by_src", 1, 30)),
		newRule(2, "tcp", withMatches(contentMatch("y", "")), withThreshold("limit", "by_src", 1, 60)))
	for i, p := range []string{"x", "y"} {
		f := tcpPacket(p, fromAddr(fmt.Sprintf("10.0.1.%d", i), 1))
		m.Observe(&f, func(packet.Event) {})
	}
	if m.thresh.Len() != 2 {
		t.Fatalf("%d entries, want 2", m.thresh.Len())
	}
	m.Expire(t0+int64(60*time.Second), nil)
	if m.thresh.Len() != 2 {
		t.Errorf("expired at the longest window: %d entries left, want 2", m.thresh.Len())
	}
	m.Expire(t0+int64(61*time.Second), nil)
	if m.thresh.Len() != 0 {
		t.Errorf("%d entries after the longest window, want 0", m.thresh.Len())
	}
}

func TestRuleCompileErrors(t *testing.T) {
	bad := []*rules.Rule{
		newRule(1, "tcp"), // fine
		newRule(2, "tcp", func(r *rules.Rule) { r.Proto = 0 }), // built without a protocol
		newRule(3, "tcp", withAction("log")),
		newRule(4, "tcp", withFlags("S"), func(r *rules.Rule) { r.Flags.Mode = '?' }),
		newRule(5, "tcp", func(r *rules.Rule) { r.Dsize = &rules.Range{Op: "~"} }),
		newRule(6, "tcp", withThreshold("sometimes", "by_src", 1, 1)),
		newRule(7, "tcp", withThreshold("limit", "by_port", 1, 1)),
		newRule(8, "tcp", withThreshold("limit", "by_src", 0, 1)),
		newRule(9, "tcp", withMatches(contentMatch("abc", "depth:2"))),
		newRule(10, "tcp", withMatches(contentMatch("abc", ""), contentMatch("d", "within:0"))),
		newRule(11, "tcp", withMatches(contentMatch("abc", "startswith; offset:1"))),
		newRule(12, "tcp", withMatches(contentMatch("Host", "buffer:http.host"))),
		newRule(13, "tcp", withMatches(contentMatch("a", "buffer:http.stat_code"))),
		newRule(14, "tcp", withMatches(rules.Match{})),
		newRule(15, "tcp", withMatches(rules.Match{PCRE: &rules.PCRE{Source: "/x/"}})),
		newRule(16, "tcp", withMatches(rules.Match{Content: &rules.Content{}})),
		newRule(17, "tcp", withFlow(rules.FlowAny, true, true, false)),
		nil,
	}
	_, err := New(bad, DefaultConfig())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for line := 2; line <= 17; line++ {
		if !strings.Contains(msg, fmt.Sprintf("test.rules:%d: sid %d: ", line, line)) {
			t.Errorf("error does not name test.rules:%d:\n%s", line, msg)
		}
	}
	for _, want := range []string{`protocol "Protocol(0)" is not supported`, "nil rule", "depth 2 is less than", `buffer "Buffer(8)" is not supported`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "test.rules:1:") {
		t.Errorf("good rule reported:\n%s", msg)
	}
	if _, err := New(nil, Config{}); err == nil || !strings.Contains(err.Error(), "max_threshold_entries") {
		t.Errorf("zero config accepted: %v", err)
	}
}

func TestRuleConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c := DefaultConfig()
	c.MaxThresholdEntries = 0
	c.InspectionRecursionLimit = 1 << 21
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_threshold_entries: 0") ||
		!strings.Contains(err.Error(), "inspection_recursion_limit") {
		t.Errorf("got %v", err)
	}
}

func TestRuleRecursionLimit(t *testing.T) {
	// "A" then "B" within 1 retried at every A of a long run of A's
	r := newRule(1, "tcp", withMatches(contentMatch("A", ""), contentMatch("B", "within:1")))
	payload := strings.Repeat("A", 5000) + "B"
	cfg := DefaultConfig()
	m, err := New([]*rules.Rule{r}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := sidsOf(m, []packet.Facts{tcpPacket(payload), tcpPacket(payload[4000:])})
	if want := [][]uint32{nil, {1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v: the limit (%d steps) stops the long chain only", got, want, cfg.InspectionRecursionLimit)
	}
}

// TestRuleGrouping: cost follows the packet, not the rule count; only the
// rules of the packet's ports and the rules whose pattern is present are
// evaluated.
func TestRuleGrouping(t *testing.T) {
	var rs []*rules.Rule
	for i := range 200 {
		rs = append(rs, newRule(uint32(1+i), "tcp", withPorts("any", strconv.Itoa(1000+i)), withFlags("S")))
		rs = append(rs, newRule(uint32(1001+i), "tcp", withMatches(contentMatch(fmt.Sprintf("pattern-%03d", i), ""))))
		rs = append(rs, newRule(uint32(2001+i), "udp", withPorts(strconv.Itoa(2000+i), "any")))
	}
	rs = append(rs, newRule(5000, "tcp", withDsize(">9000")))
	m := newMatcher(t, rs...)
	var sids []uint32
	emit := func(e packet.Event) { sids = append(sids, e.SID) }

	f := tcpPacket("xx pattern-007 pattern-007 pattern-150", toAddr("10.0.0.2", 1005), withTCPFlags(packet.TCPSyn))
	m.Observe(&f, emit)
	if got := len(m.sc.cands); got != 4 {
		t.Errorf("%d rules evaluated for a TCP packet, want 4 (port 1005, two patterns, any-port rule)", got)
	}
	if want := []uint32{6, 1008, 1151}; !reflect.DeepEqual(sids, want) {
		t.Errorf("matched %v, want %v", sids, want)
	}
	u := udpPacket("x", fromAddr("10.0.0.1", 2003))
	m.Observe(&u, emit)
	if got := len(m.sc.cands); got != 1 {
		t.Errorf("%d rules evaluated for a UDP packet from port 2003, want 1", got)
	}
}

// TestRulePrefilterSearch checks the automaton against bytes.Contains.
func TestRulePrefilterSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const alpha = "abcab\x00\xff"
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return b
	}
	var b prefilterBuilder
	for i := range 300 {
		b.add(word(1+rng.IntN(6)), int32(i), true)
	}
	pf := b.build()
	var s prefilterScratch
	for range 500 {
		hay := word(rng.IntN(80))
		got := pf.search(hay, &s, nil)
		slices.Sort(got)
		var want []int32
		for id, p := range pf.patterns {
			if bytes.Contains(hay, p) {
				want = append(want, pf.postings[id]...)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", hay, got, want)
		}
	}
}

func TestRuleLowerASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var dst []byte
	for n := range 100 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		if n > 10 {
			copy(src, "@AZ[`az{\x80\xc1")
		}
		dst = lowerASCII(dst, src)
		for i, c := range src {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if dst[i] != want {
				t.Fatalf("%q: byte %d %#x became %#x, want %#x", src, i, c, dst[i], want)
			}
		}
	}
}

// randomRules makes n rules over a small alphabet so that random
// payloads hit them often, with every modifier, negation, pcre, HTTP
// buffers, ports and flags in the mix.
func randomRules(rng *rand.Rand, n int) []*rules.Rule {
	const alpha = "abcABC/="
	word := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	bufs := []string{"pkt_data", "pkt_data", "pkt_data", "http.uri", "http.method", "http.header", "http.host", "http.user_agent", "http.cookie", "http.request_body"}
	var rs []*rules.Rule
	for i := range n {
		var opts []ruleOpt
		proto := []string{"tcp", "tcp", "udp", "ip", "http", "dns"}[rng.IntN(6)]
		var ms []rules.Match
		for k := range rng.IntN(4) {
			buf := bufs[rng.IntN(len(bufs))]
			if proto == "udp" || proto == "dns" {
				buf = "pkt_data"
			}
			if k > 0 && rng.IntN(2) == 0 {
				buf = ms[len(ms)-1].Buffer.String() // chain in one buffer
			}
			if rng.IntN(6) == 0 {
				re := regexp.QuoteMeta(word(1, 3)) + []string{"", `\w*`, `.`, `[a-c]+`}[rng.IntN(4)]
				if rng.IntN(4) == 0 {
					re = "^" + re
				}
				mods := "buffer:" + buf
				if k > 0 && rng.IntN(2) == 0 {
					mods += "; R"
				}
				if rng.IntN(5) == 0 {
					mods += "; negated"
				}
				ms = append(ms, pcreMatch(re, mods))
				continue
			}
			pat := word(1, 4)
			var mods []string
			if rng.IntN(2) == 0 || buf == "http.host" {
				mods = append(mods, "nocase")
			}
			if rng.IntN(6) == 0 {
				mods = append(mods, "negated")
			}
			switch rel := k > 0 && rng.IntN(2) == 0; {
			case rel:
				switch rng.IntN(3) {
				case 0:
					mods = append(mods, fmt.Sprintf("distance:%d", rng.IntN(5)-2))
				case 1:
					mods = append(mods, fmt.Sprintf("within:%d", len(pat)+rng.IntN(4)))
				default:
					mods = append(mods, fmt.Sprintf("distance:%d; within:%d", rng.IntN(5)-2, len(pat)+rng.IntN(4)))
				}
			case rng.IntN(8) == 0:
				mods = append(mods, "startswith")
			default:
				if rng.IntN(3) == 0 {
					mods = append(mods, fmt.Sprintf("offset:%d", rng.IntN(6)))
				}
				if rng.IntN(3) == 0 {
					mods = append(mods, fmt.Sprintf("depth:%d", len(pat)+rng.IntN(8)))
				}
			}
			if rng.IntN(8) == 0 {
				mods = append(mods, "endswith")
			}
			if rng.IntN(8) == 0 {
				mods = append(mods, "fast_pattern")
			}
			ms = append(ms, contentMatch(pat, strings.Join(mods, ";")+"; buffer:"+buf))
		}
		opts = append(opts, withMatches(ms...))
		switch rng.IntN(5) {
		case 0:
			opts = append(opts, withPorts("any", []string{"80", "53", "80,8080", "1:1024"}[rng.IntN(4)]))
		case 1:
			opts = append(opts, withPorts([]string{"80", "53"}[rng.IntN(2)], "any"))
		case 2:
			opts = append(opts, bidirectional, withPorts("any", "80"))
		}
		if rng.IntN(5) == 0 {
			opts = append(opts, withFlags([]string{"+A", "*SF", "!R", "PA"}[rng.IntN(4)]))
		}
		if rng.IntN(6) == 0 {
			opts = append(opts, withFlow(rules.FlowDirection(rng.IntN(3)), rng.IntN(2) == 0, false, false))
		}
		if rng.IntN(6) == 0 {
			opts = append(opts, withDsize([]string{"<20", ">10", "5-30"}[rng.IntN(3)]))
		}
		if rng.IntN(10) == 0 {
			opts = append(opts, withThreshold([]string{"limit", "threshold", "both", "detection_filter"}[rng.IntN(4)], "by_src", 1+rng.IntN(3), 60))
		}
		rs = append(rs, newRule(uint32(i+1), proto, opts...))
	}
	return rs
}

// randomPackets makes TCP and UDP packets over the rules' alphabet, some
// of them HTTP requests.
func randomPackets(rng *rand.Rand, n int) []packet.Facts {
	const alpha = "abcABC/=x "
	word := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	var out []packet.Facts
	for i := range n {
		payload := word(0, 40)
		if rng.IntN(3) == 0 {
			payload = []string{"GET", "POST"}[rng.IntN(2)] + " /" + word(0, 12) + " HTTP/1.1\r\nHost: " + word(1, 8) +
				"\r\nUser-Agent: " + word(0, 8) + "\r\nCookie: " + word(0, 6) + "\r\n\r\n" + word(0, 10)
		}
		var f packet.Facts
		if rng.IntN(4) == 0 {
			f = udpPacket(payload, fromAddr("10.0.0.1", []uint16{53, 5353, 80}[rng.IntN(3)]), toAddr("10.0.0.2", []uint16{53, 80, 9999}[rng.IntN(3)]))
		} else {
			f = tcpPacket(payload, withTCPFlags([]uint8{packet.TCPAck | packet.TCPPsh, packet.TCPAck, packet.TCPSyn, packet.TCPFin | packet.TCPAck, packet.TCPRst}[rng.IntN(5)]),
				withDir([]uint8{packet.DirToServer, packet.DirToClient, packet.DirUnknown}[rng.IntN(3)]))
			if rng.IntN(2) == 0 {
				f.Src, f.Dst, f.SrcPort, f.DstPort = f.Dst, f.Src, 80, 40000
			}
		}
		f.Time = t0 + int64(i)*int64(time.Second)
		f.Packet = packet.PacketRef{Num: uint64(i + 1)}
		out = append(out, f)
	}
	return out
}

// TestRulePrefilterEquivalence: for random rules and payloads, the
// prefilter and port grouping never change what matches.
func TestRulePrefilterEquivalence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	for round := range 5 {
		rs := randomRules(rng, 200)
		facts := randomPackets(rng, 2000)
		fast := newMatcher(t, rs...)
		slow := newMatcher(t, rs...)
		slow.noPrefilter = true
		got, want := sidsOf(fast, facts), sidsOf(slow, facts)
		matches := 0
		for i := range facts {
			matches += len(want[i])
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("round %d packet %d %q: prefilter %v, all rules %v", round, i, facts[i].Payload, got[i], want[i])
			}
		}
		if matches < 500 {
			t.Errorf("round %d: only %d matches: the generator no longer exercises the matcher", round, matches)
		}
	}
}

func TestRuleSteadyStateAllocs(t *testing.T) {
	m := newMatcher(t, benchRules(1000)...)
	facts := benchTraffic()
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range facts {
		m.Observe(&facts[i], emit)
	}
	i := 0
	allocs := testing.AllocsPerRun(20_000, func() {
		m.Observe(&facts[i%len(facts)], emit)
		i++
	})
	if allocs != 0 || fired != 0 {
		t.Errorf("%v allocs per packet and %d events on benign traffic, want none", allocs, fired)
	}
}

// TestRuleStreamReach: the stream window a rule asks for is what one match
// can span; contents that may sit any distance apart get the flow cap.
func TestRuleStreamReach(t *testing.T) {
	tests := []struct {
		name string
		ms   []rules.Match
		want int
	}{
		{"one content", []rules.Match{contentMatch("ATTACK", "")}, 6},
		{"longest of a chain start", []rules.Match{contentMatch("ab", ""), contentMatch("cdefgh", "distance:2; within:10")}, 2 + 2 + 10},
		{"negative distance counts its size", []rules.Match{contentMatch("abc", ""), contentMatch("x", "distance:-2; within:3")}, 3 + 2 + 3},
		{"distance without within", []rules.Match{contentMatch("ab", ""), contentMatch("cd", "distance:0")}, unboundedReach},
		{"two chains", []rules.Match{contentMatch("ab", ""), contentMatch("cd", "")}, unboundedReach},
		{"a negated lone content needs no bytes", []rules.Match{contentMatch("abcd", ""), contentMatch("zz", "negated")}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := contentRule(tc.ms...)
			if !streamable(r) {
				t.Fatal("not streamable")
			}
			if got := streamReach(r); got != tc.want {
				t.Errorf("reach %d, want %d", got, tc.want)
			}
		})
	}
	m := newMatcher(t, contentRule(contentMatch("short", "")), newRule(2, "tcp", withMatches(contentMatch(strings.Repeat("L", 100), ""))),
		newRule(3, "tcp", withMatches(contentMatch(strings.Repeat("Z", 500), "offset:0")))) // anchored: not a stream rule
	if w := m.StreamWindow(); w != 99 {
		t.Errorf("stream window %d, want 99 (the longest stream content - 1)", w)
	}
	if w := newMatcher(t, contentRule(contentMatch("x", "depth:1"))).StreamWindow(); w != 0 {
		t.Errorf("stream window %d without stream rules, want 0", w)
	}
}

// TestRuleStreamPass: a stream rule fires on the packet whose stream data
// completes a match that neither the prefix, nor the payload, nor any held
// piece made alone, so the same bytes never alert twice.
func TestRuleStreamPass(t *testing.T) {
	long := strings.Repeat("0123456789", 10) // 100 bytes: past the old 64-byte tail
	tests := []struct {
		name   string
		rule   rules.Match
		prefix string
		data   string // "" means the payload
		pieces []int32
		pay    string
		want   bool
	}{
		{"split at the boundary", contentMatch("ATTACK", ""), "xxATT", "", nil, "ACKyy", true},
		{"wholly in the prefix: fired before", contentMatch("ATTACK", ""), "ATTACKxx", "", nil, "yy", false},
		{"wholly in the payload: the packet pass fires, once", contentMatch("ATTACK", ""), "xx", "", nil, "ATTACKyy", true},
		{"longer than 64 bytes", contentMatch(long, ""), long[:70], "", nil, long[70:] + "!", true},
		{"data is the payload's new part", contentMatch("ATTACK", ""), "xxATT", "ACK", nil, "TACK", true},
		{"held pieces that do not join up", contentMatch("ATTACK", ""), "", "ab-ATT-ACK", []int32{3, 6, 10}, "ab-", false},
		{"across held pieces, split", contentMatch("ATTACK", ""), "", "ab-ATTACK", []int32{3, 6, 9}, "ab-", true},
		{"inside one held piece: fired when it arrived", contentMatch("ATTACK", ""), "", "ab-ATTACK-", []int32{3, 10}, "ab-", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatcher(t, contentRule(tc.rule))
			f := tcpPacket(tc.pay)
			f.StreamPrefix = []byte(tc.prefix)
			f.StreamData = f.Payload
			if tc.data != "" {
				f.StreamData = []byte(tc.data)
			}
			f.StreamPieces = tc.pieces
			n := 0
			m.Observe(&f, func(e packet.Event) {
				n++
				if e.First != f.Packet {
					t.Errorf("alert on packet %v, want %v", e.First, f.Packet)
				}
			})
			if n > 1 || (n == 1) != tc.want {
				t.Errorf("%d alerts, want match %v", n, tc.want)
			}
		})
	}
}
