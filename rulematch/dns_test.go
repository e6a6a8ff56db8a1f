package rulematch

import (
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// dnsHeader is a DNS header: id 0x1234, flags as given, qd questions.
func dnsHeader(flags uint16, qd int) []byte {
	return []byte{0x12, 0x34, byte(flags >> 8), byte(flags), byte(qd >> 8), byte(qd), 0, 0, 0, 0, 0, 0}
}

// wireName is name in DNS wire format, ending with the zero label.
func wireName(name string) []byte {
	var out []byte
	for _, l := range strings.Split(name, ".") {
		if l != "" {
			out = append(out, byte(len(l)))
			out = append(out, l...)
		}
	}
	return append(out, 0)
}

var qTail = []byte{0, 1, 0, 1} // QTYPE A, QCLASS IN

// dnsQuery is a standard query (RD set) for names, one question each.
func dnsQuery(names ...string) []byte {
	msg := dnsHeader(0x0100, len(names))
	for _, n := range names {
		msg = append(append(msg, wireName(n)...), qTail...)
	}
	return msg
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// tcpFramed prefixes msg with its two-byte length, as DNS over TCP.
func tcpFramed(msg []byte) []byte { return cat([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg) }

func TestParseDNSRequest(t *testing.T) {
	// "www.example.com" at 12, then "mail" + pointer to "example.com"
	// (offset 16) in the second question
	compressed := cat(dnsHeader(0x0100, 2), wireName("www.example.com"), qTail,
		[]byte{4, 'm', 'a', 'i', 'l', 0xc0, 16}, qTail)
	tests := []struct {
		name string
		msg  []byte
		tcp  bool
		want []string // nil: not a request
	}{
		{"one question", dnsQuery("www.Example.com"), false, []string{"www.Example.com"}},
		{"two questions", dnsQuery("a.b", "c.d.e"), false, []string{"a.b", "c.d.e"}},
		{"compression pointer", compressed, false, []string{"www.example.com", "mail.example.com"}},
		{"root name", dnsQuery("."), false, []string{""}},
		{"label with a dot", cat(dnsHeader(0, 1), []byte{3, 'a', '.', 'b', 0}, qTail), false, []string{"a.b"}},
		{"tcp framing", tcpFramed(dnsQuery("evil.example")), true, []string{"evil.example"}},
		{"tcp, message continues later", tcpFramed(dnsQuery("evil.example"))[:20], true, nil},
		{"tcp, two messages", cat(tcpFramed(dnsQuery("a.example")), tcpFramed(dnsQuery("b.example"))), true, []string{"a.example"}},
		{"tcp length only", []byte{0}, true, nil},
		{"response", cat(dnsHeader(0x8180, 1), wireName("a.b"), qTail), false, nil},
		{"no question", dnsHeader(0x0100, 0), false, nil},
		{"short header", dnsHeader(0x0100, 1)[:11], false, nil},
		{"name truncated", dnsQuery("www.example.com")[:20], false, nil},
		{"qtype truncated", dnsQuery("www.example.com")[:30], false, nil},
		{"second question missing", cat(dnsHeader(0x0100, 2), wireName("a.b"), qTail), false, nil},
		{"pointer to itself", cat(dnsHeader(0, 1), []byte{0xc0, 12}, qTail), false, nil},
		{"pointer forward", cat(dnsHeader(0, 1), []byte{0xc0, 14}, wireName("a"), qTail), false, nil},
		{"pointer loop", cat(dnsHeader(0, 2), wireName("a"), qTail, []byte{1, 'b', 0xc0, 19}, qTail), false, nil},
		{"pointer cut", cat(dnsHeader(0, 1), []byte{1, 'a', 0xc0}), false, nil},
		{"reserved label type", cat(dnsHeader(0, 1), []byte{0x40, 'a', 0}, qTail), false, nil},
		{"name too long", dnsQuery(strings.Repeat("a.", 128)), false, nil},
		{"longest name", dnsQuery(strings.Repeat("a.", 127)), false, []string{strings.Repeat("a.", 126) + "a"}},
	}
	var q dnsQueries
	for _, tt := range tests {
		ok := parseDNSRequest(tt.msg, tt.tcp, &q)
		var got []string
		if ok {
			got = []string{}
			for i := range q.n {
				sp := q.spans[i]
				got = append(got, string(q.names[sp.lo:sp.hi]))
				if low := string(q.low[sp.lo:sp.hi]); low != strings.ToLower(got[i]) {
					t.Errorf("%s: lowercased %q", tt.name, low)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || (got == nil) != (tt.want == nil) {
			t.Errorf("%s: got %q (ok %v), want %q", tt.name, got, ok, tt.want)
		}
	}
}

// The second question's pointer goes back into the first question's
// name, which itself ends in a pointer further back: a chain of jumps
// that each go back.
func TestParseDNSRequestPointerChain(t *testing.T) {
	msg := cat(dnsHeader(0x0100, 3), wireName("www.example.com"), qTail, // 12..28, qtail 29..32
		[]byte{4, 'm', 'a', 'i', 'l', 0xc0, 16}, qTail, // 33..39
		[]byte{3, 'f', 't', 'p', 0xc0, 33}, qTail) // ftp + pointer to "mail.example.com"
	var q dnsQueries
	if !parseDNSRequest(msg, false, &q) || q.n != 3 {
		t.Fatalf("parse failed: n %d", q.n)
	}
	sp := q.spans[2]
	if got := string(q.names[sp.lo:sp.hi]); got != "ftp.mail.example.com" {
		t.Errorf("third name %q", got)
	}
}

// dnsRule parses an ET-style dns rule.
func dnsRule(t testing.TB, text string) *rules.Rule {
	t.Helper()
	r, sk, err := rules.Parse("dns.rules", 1, text, rules.DefaultVars())
	if err != nil || sk != nil {
		t.Fatalf("%s: err %v, skipped %+v", text, err, sk)
	}
	return r
}

func dnsPacket(msg []byte, opts ...pktOpt) packet.Facts {
	return udpPacket(string(msg), append([]pktOpt{fromAddr("10.0.0.1", 50000), toAddr("10.0.0.53", 53)}, opts...)...)
}

func TestDNSQueryRules(t *testing.T) {
	et := dnsRule(t, `alert dns $HOME_NET any -> any any (msg:"coinminer"; dns_query; content:"crypto-loot.com"; isdataat:!1,relative; sid:2024828;)`)
	anchored := dnsRule(t, `alert dns any any -> any any (msg:"phish"; dns.query; content:"netbanking.sparkasse.at."; pcre:"/^[a-z]*?[0-9]{3,9}\.[a-z]{2,4}$/Ri"; sid:2;)`)
	nocase := dnsRule(t, `alert dns any any -> any any (msg:"nocase"; dns.query; content:"EVIL.example"; nocase; startswith; sid:3;)`)
	dots := dnsRule(t, `alert dns any any -> any any (msg:"dots"; dns.query; content:".."; sid:4;)`)
	wire := dnsRule(t, `alert udp any any -> any 53 (msg:"payload"; content:"|0b|crypto-loot|03|com|00|"; sid:5;)`)
	cases := []matchCase{
		{"query name", et, dnsPacket(dnsQuery("crypto-loot.com")), true},
		{"subdomain", et, dnsPacket(dnsQuery("www.crypto-loot.com")), true},
		{"not at the end", et, dnsPacket(dnsQuery("crypto-loot.com.evil")), false},
		{"second question", et, dnsPacket(dnsQuery("example.org", "crypto-loot.com")), true},
		{"each name on its own", nocase, dnsPacket(dnsQuery("x.evil", "example")), false},
		{"compressed name", et, dnsPacket(cat(dnsHeader(0x0100, 2), wireName("crypto-loot.com"), qTail, []byte{3, 'w', 'w', 'w', 0xc0, 12}, qTail)), true},
		{"response", et, dnsPacket(cat(dnsHeader(0x8180, 1), wireName("crypto-loot.com"), qTail)), false},
		{"not port 53", et, dnsPacket(dnsQuery("crypto-loot.com"), toAddr("10.0.0.53", 5353)), false},
		{"from port 53", et, dnsPacket(dnsQuery("crypto-loot.com"), fromAddr("10.0.0.53", 53), toAddr("10.0.0.1", 50000)), false},
		{"truncated", et, dnsPacket(dnsQuery("crypto-loot.com")[:25]), false},
		{"tcp", et, tcpPacket(string(tcpFramed(dnsQuery("crypto-loot.com"))), toAddr("10.0.0.53", 53)), true},
		{"tcp without length", et, tcpPacket(string(dnsQuery("crypto-loot.com")), toAddr("10.0.0.53", 53)), false},
		{"pcre relative", anchored, dnsPacket(dnsQuery("netbanking.sparkasse.at.abc123.com")), true},
		{"pcre relative fails", anchored, dnsPacket(dnsQuery("netbanking.sparkasse.at.abc.com")), false},
		{"nocase", nocase, dnsPacket(dnsQuery("Evil.EXAMPLE.net")), true},
		{"startswith", nocase, dnsPacket(dnsQuery("www.evil.example")), false},
		{"pattern of dots", dots, dnsPacket(cat(dnsHeader(0, 1), []byte{2, 'a', '.', 1, 'b', 0}, qTail)), true},
		{"pattern of dots absent", dots, dnsPacket(dnsQuery("a.b")), false},
		{"payload rule still sees wire bytes", wire, dnsPacket(dnsQuery("crypto-loot.com")), true},
	}
	runCases(t, cases)
}

// A dns rule is left out only when it can never match: with
// flow:to_client (the query is read from requests), or with an http
// buffer's protocol (refused by the parser).
func TestDNSQuerySkipped(t *testing.T) {
	toClient := dnsRule(t, `alert dns any any -> any any (dns.query; content:"a"; flow:to_client; sid:1;)`)
	if _, ok := Unsupported(toClient); !ok {
		t.Error("dns.query with flow:to_client is not skipped")
	}
	ok := dnsRule(t, `alert dns any any -> any any (dns.query; content:"a"; flow:to_server; sid:2;)`)
	if sk, skipped := Unsupported(ok); skipped {
		t.Errorf("dns.query rule skipped: %+v", sk)
	}
	bare := dnsRule(t, `alert dns any any -> any any (msg:"any dns"; sid:3;)`)
	if _, skipped := Unsupported(bare); !skipped {
		t.Error("alert dns with no buffer is not skipped: DNS is not detected")
	}
}

func TestDNSQueryNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	m := newMatcher(t,
		dnsRule(t, `alert dns any any -> any any (dns.query; content:"crypto-loot.com"; sid:1;)`),
		dnsRule(t, `alert dns any any -> any any (dns.query; content:"."; pcre:"/^w+\./"; sid:2;)`))
	pkts := []packet.Facts{
		dnsPacket(dnsQuery("www.crypto-loot.com", "example.org")),
		dnsPacket(dnsQuery("crypto-loot.org")),
		tcpPacket(string(tcpFramed(dnsQuery("www.crypto-loot.com"))), toAddr("10.0.0.53", 53)),
	}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if fired == 0 {
		t.Fatal("no alert on the queries")
	}
	if n := testing.AllocsPerRun(200, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

func TestDNSPrefilterPiece(t *testing.T) {
	for pat, want := range map[string]string{"crypto-loot.com": "crypto-loot", "a.example": "example", "...": "", "abc": "abc", ".x.": "x"} {
		if got := string(dnsPrefilterPiece([]byte(pat))); got != want {
			t.Errorf("dnsPrefilterPiece(%q) = %q, want %q", pat, got, want)
		}
	}
}

// Malformed requests never panic: every prefix of crafted messages, and
// bytes flipped in them, parse or fail within bounds.
func TestParseDNSRequestMalformed(t *testing.T) {
	seeds := [][]byte{
		dnsQuery("www.example.com", "a.b.c"),
		cat(dnsHeader(0, 3), []byte{1, 'a', 0xc0, 12, 0xc0, 13, 0xff, 0xff}, qTail),
		tcpFramed(dnsQuery("evil.example")),
	}
	var q dnsQueries
	for _, s := range seeds {
		for n := 0; n <= len(s); n++ {
			for _, tcp := range []bool{false, true} {
				parseDNSRequest(s[:n], tcp, &q)
				for i := 12; i < n; i++ {
					b := append([]byte(nil), s[:n]...)
					for _, v := range []byte{0, 0x3f, 0xc0, 0xff, byte(i)} {
						b[i] = v
						parseDNSRequest(b, tcp, &q)
					}
				}
			}
		}
	}
}

func FuzzParseDNSRequest(f *testing.F) {
	f.Add(dnsQuery("www.example.com"), false)
	f.Add(tcpFramed(dnsQuery("a.b", "c")), true)
	f.Add(cat(dnsHeader(0, 2), wireName("a"), qTail, []byte{1, 'b', 0xc0, 12}, qTail), false)
	f.Fuzz(func(t *testing.T, msg []byte, tcp bool) {
		var q dnsQueries
		if !parseDNSRequest(msg, tcp, &q) {
			return
		}
		for i := range q.n {
			sp := q.spans[i]
			if sp.hi-sp.lo > dnsMaxName {
				t.Fatalf("name %d is %d bytes", i, sp.hi-sp.lo)
			}
		}
	})
}

// Each packet's names are parsed anew: a match on one request does not
// carry over to the next packet, even one with the same length.
func TestDNSQueryPerPacket(t *testing.T) {
	m := newMatcher(t, dnsRule(t, `alert dns any any -> any any (dns.query; content:"evil.example"; sid:7;)`))
	got := sidsOf(m, []packet.Facts{
		dnsPacket(dnsQuery("evil.example")),
		dnsPacket(dnsQuery("good.example")),
		dnsPacket(dnsQuery("evil.example")),
	})
	if len(got[0]) != 1 || len(got[1]) != 0 || len(got[2]) != 1 {
		t.Errorf("alerts per packet %v, want [[7] [] [7]]", got)
	}
}
