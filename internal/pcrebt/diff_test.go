package pcrebt

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// On the syntax both accept with the same meaning, Go's regexp finds the
// match a backtracking engine would (leftmost-first), so it is an oracle
// for this matcher's search order, quantifiers and classes. The patterns
// avoid what differs: \s (no VT in RE2), $ (end only in RE2), and
// non-ASCII subjects (RE2 reads UTF-8).
func TestDifferentialRE2(t *testing.T) {
	atoms := []string{"a", "b", "c", ".", `\d`, `\w`, `\W`, "[ab]", "[^a]", "[a-c]", `\x2d`, "-", `\n`}
	quants := []string{"", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,2}?", "{2,}"}
	asserts := []string{`\b`, `\B`, "^", `\A`, `\z`}
	r := rand.New(rand.NewPCG(1, 2))
	var gen func(depth int) string
	gen = func(depth int) string {
		var b strings.Builder
		for n := 1 + r.IntN(3); n > 0; n-- {
			switch k := r.IntN(10); {
			case k < 6 || depth > 2:
				b.WriteString(atoms[r.IntN(len(atoms))])
			case k < 7:
				b.WriteString(asserts[r.IntN(len(asserts))])
				continue
			case k < 8:
				b.WriteString("(" + gen(depth+1) + "|" + gen(depth+1) + ")")
			default:
				b.WriteString("(?:" + gen(depth+1) + ")")
			}
			b.WriteString(quants[r.IntN(len(quants))])
		}
		return b.String()
	}
	alphabet := "abc-1 \nab"
	var m Machine
	checked := 0
	for i := 0; i < 6000; i++ {
		pat := gen(0)
		caseless := r.IntN(4) == 0
		goPat := pat
		if caseless {
			goPat = "(?i)" + pat
		}
		want, err := regexp.Compile(goPat)
		if err != nil || nullableLoop(pat) {
			continue
		}
		got, err := Compile(pat, Options{Caseless: caseless})
		if err != nil {
			t.Errorf("Compile(%q): %v", pat, err)
			continue
		}
		for j := 0; j < 5; j++ {
			sb := make([]byte, r.IntN(12))
			for k := range sb {
				sb[k] = alphabet[r.IntN(len(alphabet))]
				if caseless && r.IntN(3) == 0 {
					sb[k] = strings.ToUpper(string(sb[k]))[0]
				}
			}
			loc := want.FindIndex(sb)
			ms, me, res := got.Match(&m, sb, 0)
			if res == LimitHit {
				continue
			}
			checked++
			if (loc != nil) != (res == Matched) || loc != nil && (loc[0] != ms || loc[1] != me) {
				t.Errorf("%q on %q: regexp %v, pcrebt %v [%d,%d]", goPat, sb, loc, res, ms, me)
				if t.Failed() && checked > 0 {
					return
				}
			}
		}
	}
	t.Logf("%d comparisons", checked)
}

// nullableLoop reports a repeated group that can match the empty
// string: there PCRE and RE2 are known to disagree (PCRE ends a loop
// after an empty iteration; RE2 simplifies), so neither is the oracle.
func nullableLoop(pat string) bool {
	root, _, err := parse(pat, flags{}, false)
	if err != nil {
		return false
	}
	var walk func(n *node) bool
	walk = func(n *node) bool {
		if n.kind == nRepeat && n.subs[0].kind != nChar {
			if lo, _ := n.subs[0].width(); lo == 0 {
				return true
			}
		}
		for _, s := range n.subs {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(root)
}
