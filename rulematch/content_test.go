package rulematch

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

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
