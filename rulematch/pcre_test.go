package rulematch

import (
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

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
		// a relative pcre sets DETECT_CONTENT_RELATIVE_NEXT on the
		// content, so Suricata retries the content's later occurrences
		{"pcre R retries the content", R(c("A", ""), P(`^B`, "R")), p("AxAB"), true},
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

// pcreBTMatch is pcreMatch for a pattern RE2 cannot run, compiled for
// the backtracking matcher as the parser does.
func pcreBTMatch(re, mods string) rules.Match {
	m := pcreMatch("x", mods)
	bt, err := pcrebt.Compile(re, pcrebt.Options{})
	if err != nil {
		panic(err)
	}
	m.PCRE.Source, m.PCRE.Expr, m.PCRE.BT = "/"+re+"/", "", bt
	return m
}

func TestRulePCREBacktracking(t *testing.T) {
	c, B, R := contentMatch, pcreBTMatch, contentRule
	p := func(s string) packet.Facts { return tcpPacket(s) }
	runaway := "(a+)+b"
	long := strings.Repeat("a", 40) + "c"
	runCases(t, []matchCase{
		{"backreference", R(B(`(\w+)=\1;`, "")), p("x ab=ab;"), true},
		{"backreference differs", R(B(`(\w+)=\1;`, "")), p("x ab=ac;"), false},
		{"lookahead", R(B(`foo(?!bar)`, "")), p("foobar foobaz"), true},
		{"lookahead none", R(B(`foo(?!bar)`, "")), p("foobar"), false},
		{"negated backreference clean", R(B(`(\d)\1`, "negated")), p("1212"), true},
		{"negated backreference dirty", R(B(`(\d)\1`, "negated")), p("1221"), false},
		// relative: the subject starts after the previous match, as
		// Suricata passes it, so lookbehind cannot see the content
		{"R lookbehind at the subject start", R(c("id=", ""), B(`^(?<==)\d`, "R")), p("id=1"), false},
		{"R lookbehind inside", R(c("id", ""), B(`^=(?<==)\d`, "R")), p("id=1"), true},
		// a retry passes a start offset: bytes before it are still seen
		{"retry with lookbehind", R(B(`(?<=a)b`, ""), c("c", "within:1")), p("abXabc"), true},
		{"retry with lookbehind none", R(B(`(?<=a)b`, ""), c("c", "within:1")), p("abXbc"), false},
		{"retry anchored", R(B(`^(a)\1`, ""), c("c", "within:1")), p("aaXaac"), false},
		// the match limit: no match, negated or not (Suricata treats
		// PCRE2_ERROR_MATCHLIMIT as no match)
		{"limit hit", R(B(runaway, "")), p(long), false},
		{"limit hit negated", R(B(runaway, "negated")), p(long), false},
		{"within the limit negated", R(B(runaway, "negated")), p("aaac"), true},
	})
}

func TestRulePCREBacktrackingAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	m := newMatcher(t, contentRule(contentMatch("user=", ""), pcreBTMatch(`^(\w+)(?<!admin)&pass=\1`, "R")))
	facts := []packet.Facts{tcpPacket("GET /?user=bob&pass=bob"), tcpPacket("GET /?user=admin&pass=x")}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range facts {
		m.Observe(&facts[i], emit)
	}
	if fired != 1 {
		t.Fatalf("%d events, want 1", fired)
	}
	i := 0
	if n := testing.AllocsPerRun(200, func() { m.Observe(&facts[i%2], emit); i++ }); n != 0 {
		t.Errorf("%v allocs per packet", n)
	}
}
