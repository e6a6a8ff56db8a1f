package rulematch

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// parsedRule parses a rule holding pcre (as the rules parser converts it)
// and fails the test if it does not load.
func parsedRule(tb testing.TB, opts string) *rules.Rule {
	tb.Helper()
	r, skip, err := rules.Parse("t.rules", 1, "alert tcp any any -> any any ("+opts+" sid:1;)", rules.DefaultVars())
	if err != nil || skip != nil || r == nil {
		tb.Fatalf("%s: %v, %v; want it loaded", opts, skip, err)
	}
	return r
}

// The run each pattern requires: its length, and bytes in and out of its
// set.
func TestRunCheckRequired(t *testing.T) {
	tests := []struct {
		re      string
		k, n    int // runs, the shortest's length
		in, out string
		exact   bool
	}{
		{`[^\']{1000}[^\']{75}[^\']*`, 1, 1075, "a\"\xff", "'", true},
		{`\(\s*(\'[^\']{1000}[^\']{24}[^\']*|"[^"]{1000}[^"]{24}[^"]*)`, 2, 1024, "a'\"", "", false},
		{`(?smi)^X?PAT\s+[^\n]{1000}[^\n]{24}`, 1, 1024, "a\r", "\n", false},
		{`(?i)(GET).\/%.{1000}.{586}.*`, 1, 1586, "a", "\n", false},
		{`(?s).{1000}.{1000}.{500}.*`, 1, 2500, "\n\x00\xff", "", true},
		{`(?i)[a-z0-9]{1000}[a-z0-9]*`, 1, 1000, "aZ9", "-\xe9", true},
		{`^a{100}`, 1, 100, "a", "b", false},
		{`(?i)k{100}`, 1, 100, "kK", "x", true},
		{`a{100}b*a{100}`, 1, 100, "a", "b", false},
		{`a{100}a*a{100}`, 1, 200, "a", "b", true},
		{`(?:x{300}|y{200})`, 2, 200, "xy", "z", false},
		{`(?:x{300}|y?)`, 0, 0, "", "", false},
		{`a{63}`, 0, 0, "", "", false}, // too short to be worth a scan
		{`(?:a{100})?b`, 0, 0, "", "", false},
		{`(?:ab){100}`, 0, 0, "", "", false},                                                    // no single-class run
		{`a{100}|b{100}|c{100}|d{100}|e{100}|f{100}|g{100}|h{100}|i{100}`, 0, 0, "", "", false}, // more runs than the scan keeps
	}
	for _, tt := range tests {
		rc := newRunCheck(regexp.MustCompile(tt.re))
		n, k := 0, 0
		if rc != nil {
			n, k = rc.n(), rc.k
		}
		if n != tt.n || k != tt.k || rc != nil && rc.exact != tt.exact {
			t.Errorf("%s: %d runs, the shortest %d; want %d, %d (exact: want %v)", tt.re, k, n, tt.k, tt.n, tt.exact)
			continue
		}
		inSome := func(c byte) bool {
			for _, a := range rc.alts[:rc.k] {
				if a.set.has(c) {
					return true
				}
			}
			return false
		}
		for i := 0; rc != nil && i < len(tt.in); i++ {
			if !inSome(tt.in[i]) {
				t.Errorf("%s: %q in no run's set", tt.re, tt.in[i])
			}
		}
		for i := 0; rc != nil && i < len(tt.out); i++ {
			if inSome(tt.out[i]) {
				t.Errorf("%s: %q in a run's set", tt.re, tt.out[i])
			}
		}
	}
}

// The check only says no where the regexp says no: on real ET patterns
// and inputs at the boundary, with the check and without it the rule
// fires alike, and as PCRE would.
func TestRulePCRELargeRepeat(t *testing.T) {
	r := strings.Repeat
	p := func(s string) packet.Facts { return tcpPacket(s) }
	sql := `pcre:"/\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})/si";` // sid 2102608
	pat := `pcre:"/^X?PAT\s+[^\n]{1024}/smi";`                        // sid 2102927
	rel := `content:"#"; pcre:"/^[^\x22\r\n]{2049}/R";`               // the /R shape of sid 2016364
	any := `pcre:"/[\w\W]{2500,}/i";`                                 // sid 2008128
	alnum := `pcre:"/[a-zA-Z0-9]{1000,}/i";`                          // as ET writes it
	tests := []struct {
		name, opts string
		pkt        packet.Facts
		want       bool
	}{
		{"sql n-1", sql, p("x('" + r("a", 1023)), false},
		{"sql n", sql, p("x('" + r("a", 1024)), true},
		{"sql n+1", sql, p("x(\"" + r("a", 1025)), true},
		{"sql broken run", sql, p("('" + r("a", 1000) + "'" + r("a", 1000)), false},
		{"sql high bytes", sql, p("('" + r("\xe9", 1024)), true},
		{"sql run without the quote", sql, p("(" + r("a", 2000)), false},
		{"pat n-1", pat, p("PAT " + r("a", 1023)), false},
		{"pat n", pat, p("pat " + r("a", 1024)), true},
		{"pat second line", pat, p("x\nPAT " + r("a", 1024)), true},
		{"pat not at a line start", pat, p("yPAT " + r("a", 1024)), false},
		{"relative n-1", rel, p("x#" + r("b", 2048)), false},
		{"relative n", rel, p("x#" + r("b", 2049)), true},
		{"relative run before the content", rel, p(r("b", 2049) + "#"), false},
		{"relative second content", rel, p("#\"#" + r("b", 2049)), true},
		// Whole patterns that are a run: the scan answers alone.
		{"any n-1", any, p(r("\n", 2499)), false},
		{"any n", any, p(r("\xff\n", 1250)), true},
		{"alnum n-1", alnum, p(r("a", 999)), false},
		{"alnum n", alnum, p("-" + r("Z", 1000)), true},
		{"alnum broken", alnum, p(r("a", 999) + "-" + r("a", 999)), false},
		{"alnum high bytes", alnum, p(r("a", 500) + "\xe9" + r("a", 500)), false},
		{"negated alnum n-1", `pcre:!"/[a-zA-Z0-9]{1000,}/i";`, p(r("a", 999)), true},
		{"negated alnum n", `pcre:!"/[a-zA-Z0-9]{1000,}/i";`, p(r("a", 1000)), false},
		{"relative run n", `content:"#"; pcre:"/[a-z]{1001,}/R";`, p("#" + r("b", 1001)), true},
		{"relative run before", `content:"#"; pcre:"/[a-z]{1001,}/R";`, p(r("b", 1001) + "#b"), false},
		{"run then content", `pcre:"/[a-z]{1001,}/"; content:"!"; within:1;`, p(r("b", 1001) + "!"), true},
		{"run then content n-1", `pcre:"/[a-z]{1001,}/"; content:"!"; within:1;`, p(r("b", 1000) + "!"), false},
	}
	for _, tt := range tests {
		rule := parsedRule(t, tt.opts)
		for _, check := range []bool{true, false} {
			m := newMatcher(t, rule)
			if !check {
				disableRunChecks(m)
			}
			f := tt.pkt
			got := false
			m.Observe(&f, func(e packet.Event) { got = e.SID == 1 })
			if got != tt.want {
				t.Errorf("%s (run check %v): fired %v, want %v", tt.name, check, got, tt.want)
			}
		}
	}
}

// disableRunChecks removes every pcre's run check, to compare with the
// regexp alone.
func disableRunChecks(m *Matcher) {
	forEachPCRE(m, func(p *pcre) {
		if p.bt == nil {
			p.tuning().run = nil
		}
	})
}

// The match path allocates nothing with a long-repeat pcre, whether the
// run check rejects the packet or the regexp runs.
func TestPCRELargeRepeatNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	rule := parsedRule(t, `pcre:"/\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})/si";`)
	m := newMatcher(t, rule)
	pkts := []packet.Facts{
		tcpPacket("GET /?q=('" + strings.Repeat("a", 1400)), // fires
		tcpPacket("GET /?q=('" + strings.Repeat("a", 900)),  // rejected by the check
		tcpPacket("('" + strings.Repeat("a", 600) + "'" + strings.Repeat("a", 600) + "\xff"),
	}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		m.Observe(&pkts[i%len(pkts)], emit)
		i++
	})
	if allocs != 0 || fired == 0 {
		t.Errorf("%v allocs per packet, %d events; want 0 allocs and some events", allocs, fired)
	}
}

// The check against the regexp alone, on a 1460-byte packet without a
// long run (miss) and a 3000-byte one that is all run (hit).
func BenchmarkPCRELargeRepeat(b *testing.B) {
	payloads := map[string]string{
		"miss": strings.Repeat("GET /a?b='c' (\"d\") ", 77)[:1460],
		"hit":  "('" + strings.Repeat("a", 2998),
	}
	for _, tc := range []struct{ name, opts string }{
		{"sql", `pcre:"/\(\s*(\x27[^\x27]{1075,}|\x22[^\x22]{1075,})/si";`},
		{"any2500", `pcre:"/[\w\W]{2500,}/i";`},
		{"alnum1000", `pcre:"/[a-zA-Z0-9]{1000,}/i";`},
	} {
		rule := parsedRule(b, tc.opts)
		for _, pl := range []string{"miss", "hit"} {
			for _, check := range []bool{true, false} {
				name := tc.name + "/" + pl + "/check"
				if !check {
					name = tc.name + "/" + pl + "/regexp"
				}
				b.Run(name, func(b *testing.B) {
					m := newMatcher(b, rule)
					if !check {
						disableRunChecks(m)
					}
					f := tcpPacket(payloads[pl])
					b.ReportAllocs()
					for b.Loop() {
						m.Observe(&f, func(packet.Event) {})
					}
				})
			}
		}
	}
}

// forEachPCRE calls fn with every compiled pcre of m's rules.
func forEachPCRE(m *Matcher, fn func(*pcre)) {
	for i := range m.eng.rules {
		for _, ch := range m.eng.rules[i].bufs {
			for _, it := range ch.items {
				if it.p != nil {
					fn(it.p)
				}
			}
		}
	}
}
