package rulematch

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// TestPCREPrefilterPatterns: which patterns a rule with a pcre gets.
func TestPCREPrefilterPatterns(t *testing.T) {
	const js = `pcre:"/(((URL|SRC|HREF|LOWSRC)[\s]*=)|(url[\s]*[\(]))[\s]*['\"]*j[\x09-\x0d]*a/i";`
	tests := []struct {
		name string
		rule string
		want []string // nil: none
	}{
		{"pcre only", `alert tcp any any -> any any (pcre:"/42B07B28-2280|542FB453-5003/i"; sid:1;)`,
			[]string{"42b07b28-2280", "542fb453-5003"}},
		{"a one-byte content loses to the pcre", `alert tcp any any -> any any (content:"="; ` + js + ` sid:1;)`,
			[]string{"href", "src", "url"}},
		{"a longer content wins", `alert tcp any any -> any any (content:"javascript"; ` + js + ` sid:1;)`,
			[]string{"javascript"}},
		{"as long: the content", `alert tcp any any -> any any (content:"abc"; pcre:"/xyz|uvw/"; sid:1;)`,
			[]string{"abc"}},
		{"the best of two pcres", `alert tcp any any -> any any (pcre:"/ab/"; pcre:"/abcd|efgh/"; sid:1;)`,
			[]string{"abcd", "efgh"}},
		{"negated pcre", `alert tcp any any -> any any (pcre:!"/abcdef/"; sid:1;)`, nil},
		{"sticky http buffer", `alert http any any -> any any (http.user_agent; pcre:"/curl|wget/"; sid:1;)`,
			[]string{"curl", "wget"}},
		{"header names are built", `alert http any any -> any any (http.header_names; pcre:"/X-Forwarded/"; sid:1;)`, nil},
		{"a transformed buffer", `alert http any any -> any any (http.uri; url_decode; pcre:"/passwd/"; sid:1;)`, nil},
		{"the dns name is dotted", `alert dns any any -> any any (dns.query; pcre:"/evil\.example/"; sid:1;)`, nil},
		{"a handshake buffer", `alert tls any any -> any any (tls.cert_subject; pcre:"/CN=evil/"; sid:1;)`, nil},
		{"nothing long enough", `alert tcp any any -> any any (pcre:"/a|bc/"; sid:1;)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseRules(t, tt.rule)[0]
			_, fps, err := compileRule(r)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fp := range fps {
				got = append(got, string(fp))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("patterns %q, want %q", got, tt.want)
			}
			// the stream pass's window (streamReach) is measured on
			// contents: a pcre's literals must not reach it
			if streamable(r) {
				t.Error("a rule with a pcre is a stream rule")
			}
		})
	}
}

// TestPCREPrefilterOnce: a payload holding several of a rule's literals
// makes it a candidate once, so it alerts once.
func TestPCREPrefilterOnce(t *testing.T) {
	rs := parseRules(t,
		`alert tcp any any -> any any (msg:"js"; pcre:"/(src|href)\s*=\s*javascript/i"; sid:1;)`,
		`alert tcp any any -> any any (msg:"c"; content:"src"; sid:2;)`)
	m := newMatcher(t, rs...)
	got := sidsOf(m, []packet.Facts{tcpPacket(`<a href=javascript:x><img src=JavaScript:y>`)})
	if want := [][]uint32{{1, 2}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("sids %v, want %v", got, want)
	}
}

// TestPCREPrefilterHTTP: http rules whose only patterns come from a pcre
// are found on a request in one packet, on one split over segments (the
// pending-request path), and on any port as before.
func TestPCREPrefilterHTTP(t *testing.T) {
	runKwCases(t, []kwCase{
		{"uri pcre", `alert http any any -> any any (msg:"u"; flow:to_server; http.uri; pcre:"/\/(admin|setup)\.php/i"; sid:1;)`,
			"GET /x/SETUP.php HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"uri pcre, literal elsewhere only", `alert http any any -> any any (msg:"u"; flow:to_server; http.uri; pcre:"/\/(admin|setup)\.php/i"; sid:1;)`,
			"GET /x HTTP/1.1\r\nHost: admin.php\r\n\r\n", false},
		{"user agent pcre", `alert http any any -> any any (msg:"ua"; http.user_agent; pcre:"/^(curl|wget)\//"; sid:1;)`,
			"GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: wget/1.2\r\n\r\n", true},
		{"one-byte content, pcre on the header", `alert http any any -> any any (msg:"h"; content:"="; http.header; pcre:"/x-(token|key)\s*:/i"; sid:1;)`,
			"GET /?a=b HTTP/1.1\r\nHost: a\r\nX-Key: 1\r\n\r\n", true},
		{"one-byte content, pcre absent", `alert http any any -> any any (msg:"h"; content:"="; http.header; pcre:"/x-(token|key)\s*:/i"; sid:1;)`,
			"GET /?a=b HTTP/1.1\r\nHost: a\r\nX-Other: 1\r\n\r\n", false},
		{"port-limited", `alert http any any -> any 8080 (msg:"p"; http.uri; pcre:"/cmd=(ls|id)/"; sid:1;)`,
			"GET /?cmd=id HTTP/1.1\r\nHost: a\r\n\r\n", false}, // the packets go to port 80
		{"request body", `alert http any any -> any any (msg:"b"; http.request_body; pcre:"/pass(word|wd)=/"; sid:1;)`,
			"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\npassword=abc", true},
	})
}

// TestPCREPrefilterEquivalence: rules whose patterns come from their
// pcres (pcre-only, or with a one-byte content the pcre outranks) match
// exactly what they match with every rule evaluated on every packet.
func TestPCREPrefilterEquivalence(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 7))
	bufs := []string{"pkt_data", "pkt_data", "pkt_data", "http.uri", "http.header", "http.user_agent", "http.request_body", "http.header_names"}
	multi, matches := 0, 0
	for round := range 4 {
		var rs []*rules.Rule
		for i := range 200 {
			proto := []string{"tcp", "tcp", "udp", "ip", "http"}[rng.IntN(5)]
			buf := bufs[rng.IntN(len(bufs))]
			if proto == "udp" {
				buf = "pkt_data"
			}
			var ms []rules.Match
			if rng.IntN(3) == 0 {
				ms = append(ms, contentMatch("=", "buffer:"+buf))
			}
			for k := range 1 + rng.IntN(2) {
				mods := "buffer:" + buf
				if k > 0 && rng.IntN(2) == 0 {
					mods += "; R"
				}
				if rng.IntN(8) == 0 {
					mods += "; negated"
				}
				ms = append(ms, pcreMatch(randomRegexp(rng, 0), mods))
			}
			opts := []ruleOpt{withMatches(ms...)}
			switch rng.IntN(4) {
			case 0:
				opts = append(opts, withPorts("any", []string{"80", "53", "80,8080"}[rng.IntN(3)]))
			case 1:
				opts = append(opts, withPorts("80", "any"))
			}
			r := newRule(uint32(i+1), proto, opts...)
			if _, fps, err := compileRule(r); err == nil && len(fps) > 1 {
				multi++
			}
			rs = append(rs, r)
		}
		facts := randomPackets(rng, 2000)
		fast := newMatcher(t, rs...)
		slow := newMatcher(t, rs...)
		slow.noPrefilter = true
		got, want := sidsOf(fast, facts), sidsOf(slow, facts)
		for i := range facts {
			matches += len(want[i])
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("round %d packet %d %q: prefilter %v, all rules %v", round, i, facts[i].Payload, got[i], want[i])
			}
		}
	}
	if multi < 100 || matches < 1000 {
		t.Errorf("%d rules with several patterns, %d matches: the generator no longer exercises the pcre prefilter", multi, matches)
	}
}
