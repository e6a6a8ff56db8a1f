package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
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
