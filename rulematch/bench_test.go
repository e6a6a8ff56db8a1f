package rulematch

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// benchRules makes n content rules the way a large ruleset looks to the
// prefilter: one or two contents of random 6-12 bytes (printable or
// binary, half of them nocase), mostly TCP with server ports, some UDP/53,
// some to_client from port 80, a few with a pcre behind the content. None
// fires on benchTraffic.
func benchRules(n int) []*rules.Rule {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=%?&"
	pat := func() string {
		b := make([]byte, 6+rng.IntN(7))
		binary := rng.IntN(3) == 0
		for i := range b {
			if binary && i > 0 { // a printable first byte keeps pcre sources valid UTF-8
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = printable[rng.IntN(len(printable))]
			}
		}
		return string(b)
	}
	content := func(p, mods string) rules.Match {
		m := contentMatch("", mods)
		m.Content.Pattern = []byte(p)
		return m
	}
	out := make([]*rules.Rule, 0, n)
	for i := range n {
		sid := uint32(2_000_000 + i)
		var opts []ruleOpt
		proto := "tcp"
		mods := ""
		if rng.IntN(2) == 0 {
			mods = "nocase"
		}
		ms := []rules.Match{content(pat(), mods)}
		switch r := rng.IntN(10); {
		case r < 4:
			opts = append(opts, withPorts("any", []string{"80", "443", "8080", "25", "445"}[rng.IntN(5)]),
				withFlow(rules.FlowToServer, true, false, false))
		case r < 6:
			opts = append(opts, withPorts("any", "any"))
		case r < 7:
			opts = append(opts, withPorts("80", "any"), withFlow(rules.FlowToClient, true, false, false))
		case r < 8:
			proto = "http"
			ms[0].Buffer = []rules.Buffer{rules.BufferHTTPURI, rules.BufferHTTPUserAgent, rules.BufferHTTPHeader}[rng.IntN(3)]
		default:
			proto = "udp"
			opts = append(opts, withPorts("any", "53"))
		}
		switch rng.IntN(10) {
		case 0:
			ms = append(ms, content(pat(), "distance:0"))
		case 1:
			ms = append(ms, pcreMatch(regexp.QuoteMeta(pat()[:1])+`[a-z]{3}\d+`, "R"))
		}
		opts = append(opts, withMatches(ms...))
		out = append(out, newRule(sid, proto, opts...))
	}
	return out
}

// bench52Rules is a small hand-written policy: web attacks, scanners,
// shells, DNS, SMB, TCP flag scans and ICMP oddities.
func bench52Rules() []*rules.Rule {
	var rs []*rules.Rule
	sid := uint32(3_000_000)
	add := func(proto string, opts ...ruleOpt) {
		sid++
		rs = append(rs, newRule(sid, proto, opts...))
	}
	web := withFlow(rules.FlowToServer, true, false, false)
	uri := func(p, mods string) rules.Match { return contentMatch(p, "buffer:http.uri; "+mods) }
	ua := func(p string) rules.Match { return contentMatch(p, "buffer:http.user_agent; nocase") }
	for _, p := range []string{"/wp-login.php", "/xmlrpc.php", "/.env", "/.git/config", "/phpmyadmin", "/cgi-bin/", "/etc/passwd", "/boaform/admin", "/HNAP1", "/actuator/env", "/solr/admin", "/vendor/phpunit"} {
		add("http", web, withMatches(uri(p, "nocase")))
	}
	for _, p := range []string{"sqlmap", "nikto", "masscan", "zgrab", "nmap scripting", "python-requests/2.", "curl/7.1", "go-http-client/1.1 x", "hydra", "dirbuster"} {
		add("http", web, withMatches(ua(p)))
	}
	add("http", web, withMatches(uri("union", "nocase"), pcreMatch(`(?i)union\s+(all\s+)?select`, "buffer:http.uri")))
	add("http", web, withMatches(uri("../", ""), uri("../", "distance:0; within:6")))
	add("http", web, withMatches(uri("%2e%2e%2f", "nocase")))
	add("http", web, withMatches(contentMatch("${jndi:", "nocase")))
	add("http", web, withMatches(uri("<script", "nocase")))
	add("http", web, withMatches(contentMatch("() {", "buffer:http.header"), contentMatch(";", "buffer:http.header; distance:0; within:4")))
	add("http", web, withMatches(contentMatch("POST", "buffer:http.method"), uri(".jsp", "endswith"), contentMatch("cmd=", "buffer:http.request_body")))
	add("tcp", web, withMatches(contentMatch("cmd.exe", "nocase")))
	add("tcp", withMatches(contentMatch("/bin/sh", "")))
	add("tcp", withMatches(contentMatch("|90 90 90 90 90 90 90 90|", "")))
	add("tcp", withPorts("any", "445"), withMatches(contentMatch("|ff|SMB|72|", "offset:4; depth:5")))
	add("tcp", withPorts("any", "445"), withMatches(contentMatch("|fe|SMB", "offset:4; depth:4"), contentMatch("|00 00|", "distance:8; within:2")))
	add("tcp", withPorts("any", "3389"), withMatches(contentMatch("Cookie: mstshash=", "")))
	add("tcp", withPorts("any", "22"), withMatches(contentMatch("SSH-", "startswith"), contentMatch("libssh", "nocase; distance:0")))
	add("tcp", withPorts("any", "21"), withMatches(contentMatch("USER ", "startswith"), contentMatch("root", "distance:0; within:4")))
	add("tcp", withPorts("any", "23"), withMatches(contentMatch("enable|0d 0a|system|0d 0a|shell", "")))
	add("udp", withPorts("any", "53"), withMatches(contentMatch("|00 00 fc 00 01|", "")))
	add("udp", withPorts("any", "53"), withMatches(contentMatch("|00 00 ff 00 01|", "")))
	add("udp", withPorts("any", "53"), withMatches(contentMatch("|07|dnslog|02|cn|00|", "nocase")))
	add("udp", withPorts("any", "53"), withDsize(">512"), withMatches(contentMatch("|00 01 00 00 00 00 00 00|", "offset:4; depth:8")))
	add("udp", withPorts("any", "1900"), withMatches(contentMatch("M-SEARCH", "startswith")))
	add("udp", withPorts("any", "11211"), withMatches(contentMatch("stats", "")))
	add("udp", withPorts("any", "123"), withDsize("<10"))
	add("tcp", withFlags("FPU"))
	add("tcp", withFlags("0"))
	add("tcp", withFlags("SF,12"))
	add("tcp", withFlags("F"), withFlow(rules.FlowAny, false, true, false))
	add("tcp", withFlags("S"), withDsize(">0"))
	add("icmp", withIType("8"), withDsize(">800"))
	add("icmp", withIType("13"))
	add("icmp", withIType("5"), withICode("0-3"))
	add("ip", withTTL("0"))
	add("tcp", withPorts("any", "6667"), withMatches(contentMatch("PRIVMSG #", "")))
	return rs
}

// benchTraffic is a benign mix: HTTP requests and responses, TLS-like
// records of random bytes, DNS queries and answers.
func benchTraffic() []packet.Facts {
	rng := rand.New(rand.NewPCG(42, 42))
	words := strings.Fields("the of and to in is you that it he was for on are as with his they at be this from " +
		"have or by one had not but what all were when we there can an your which their said if do will each about " +
		"how up out them then she many some so these would other into has more her two like him see time could no make")
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		return b.String()[:n]
	}
	paths := []string{"/", "/index.html", "/static/app.js", "/api/v1/items?page=2", "/images/logo.png", "/search?q=weather+today", "/login"}
	agents := []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"}
	client, server := netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("203.0.113.80")
	var out []packet.Facts
	add := func(f packet.Facts) {
		f.Time = t0 + int64(len(out))*int64(time.Millisecond)
		f.Packet = packet.PacketRef{Num: uint64(len(out) + 1)}
		f.WireLen = 54 + len(f.Payload)
		f.L3, f.TTL, f.HasEth, f.SrcMAC = packet.L3IPv4, 64, true, srcMAC
		out = append(out, f)
	}
	for i := range 40 {
		req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: %s\r\n"+
			"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n"+
			"Accept-Encoding: gzip, deflate, br\r\nCookie: session=%016x; theme=dark\r\nConnection: keep-alive\r\n\r\n",
			paths[i%len(paths)], agents[i%len(agents)], rng.Uint64())
		add(packet.Facts{Src: client, Dst: server, Proto: packet.ProtoTCP, SrcPort: uint16(50000 + i), DstPort: 80,
			TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToServer, Payload: []byte(req)})
		body := "<html><head><title>" + text(30) + "</title></head><body><p>" + text(900) + "</p></body></html>"
		resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"+
			"Content-Length: %d\r\nCache-Control: max-age=600\r\n\r\n%s", len(body), body)
		add(packet.Facts{Src: server, Dst: client, Proto: packet.ProtoTCP, SrcPort: 80, DstPort: uint16(50000 + i),
			TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToClient, Payload: []byte(resp)})
		tls := make([]byte, 1400)
		for j := range tls {
			tls[j] = byte(rng.Uint32())
		}
		tls[0], tls[1], tls[2], tls[3], tls[4] = 0x17, 0x03, 0x03, 0x05, 0x73
		if i%2 == 0 {
			add(packet.Facts{Src: server, Dst: client, Proto: packet.ProtoTCP, SrcPort: 443, DstPort: uint16(40000 + i),
				TCPFlags: packet.TCPAck, Dir: packet.DirToClient, Payload: tls})
		} else {
			add(packet.Facts{Src: client, Dst: server, Proto: packet.ProtoTCP, SrcPort: uint16(40000 + i), DstPort: 443,
				TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToServer, Payload: tls[:300]})
		}
		name := []string{"\x03www\x07example\x03com\x00", "\x04mail\x06google\x03com\x00", "\x03cdn\x0bcloudflare\x03net\x00"}[i%3]
		q := append([]byte{byte(i), 0x2a, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, name...)
		q = append(q, 0, 1, 0, 1)
		dns := netip.MustParseAddr("192.168.1.1")
		add(packet.Facts{Src: client, Dst: dns, Proto: packet.ProtoUDP, SrcPort: uint16(30000 + i), DstPort: 53, Payload: q})
		a := append([]byte{}, q...)
		a[2], a[3], a[7] = 0x81, 0x80, 1
		a = append(a, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34)
		add(packet.Facts{Src: dns, Dst: client, Proto: packet.ProtoUDP, SrcPort: 53, DstPort: uint16(30000 + i), Payload: a})
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// BenchmarkRuleMatch is the cost per packet of the benign mix: with no
// rules (the floor: Observe returns at the class check), 52 hand-written
// rules, and 1,000 and 5,000 generated content rules; "all" evaluates
// every rule of the packet's protocol without the prefilter, for scale.
func BenchmarkRuleMatch(b *testing.B) {
	facts := benchTraffic()
	bytes := 0
	for _, f := range facts {
		bytes += len(f.Payload)
	}
	for _, bc := range []struct {
		name  string
		rules []*rules.Rule
		noPF  bool
	}{
		{"rules=0", nil, false},
		{"rules=52", bench52Rules(), false},
		{"rules=1000", benchRules(1000), false},
		{"rules=5000", benchRules(5000), false},
		{"rules=1000/all", benchRules(1000), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := newMatcher(b, bc.rules...)
			m.noPrefilter = bc.noPF
			fired := 0
			emit := func(packet.Event) { fired++ }
			for i := range facts {
				m.Observe(&facts[i], emit)
			}
			b.SetBytes(int64(bytes / len(facts)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				m.Observe(&facts[i%len(facts)], emit)
			}
			b.StopTimer()
			if fired != 0 {
				b.Fatalf("%d events on benign traffic", fired)
			}
		})
	}
}

// BenchmarkRuleCompile is the one-off cost of compiling 1,000 generated
// rules, with the heap the compiled rules hold (mostly the automaton).
func BenchmarkRuleCompile(b *testing.B) {
	rs := benchRules(1000)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	m := newMatcher(b, rs...)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	held := float64(ms.HeapAlloc-before) / (1 << 20)
	runtime.KeepAlive(m)
	b.ResetTimer()
	for range b.N {
		newMatcher(b, rs...)
	}
	b.ReportMetric(held, "MB-held")
}

// BenchmarkRuleMatchLarge is BenchmarkRuleMatch with rulesets the size of
// a full ET Open or commercial feed: the prefilter's block index must stay
// a hash lookup per sampled block as its tables grow (a 16-bit slot hash
// made 100k rules probe linearly, 35 ms a packet).
func BenchmarkRuleMatchLarge(b *testing.B) {
	facts := benchTraffic()
	for _, n := range []int{20_000, 100_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m := newMatcher(b, benchRules(n)...)
			fired := 0
			emit := func(packet.Event) { fired++ }
			for i := range facts {
				m.Observe(&facts[i], emit)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				m.Observe(&facts[i%len(facts)], emit)
			}
			b.StopTimer()
			if fired != 0 {
				b.Fatalf("%d events on benign traffic", fired)
			}
		})
	}
}
