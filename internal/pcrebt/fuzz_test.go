package pcrebt

import (
	"strings"
	"testing"
)

// FuzzMatch: any pattern either fails to compile or runs on any subject
// without panicking, within the step cap, and reports a match inside
// the subject.
func FuzzMatch(f *testing.F) {
	seeds := []string{`(a+)+b`, `(\w+)\s*=\s*\1`, `(?<=ab|c)x(?!y)`, `(?>a+)b`, `a*+a`, `(?i)(x|y)\1{2,5}?`,
		`^(?:(a)|b)*\1$`, `[^\x27]{10,}\x27`, `(?m)^a$`, `\bfoo\B`, `((a)|b)+\2`, `(?x) a # c`, `(?U)a+`}
	for _, s := range seeds {
		f.Add(s, "aaaaaaaaaaaaaaaaaaaaaaaaaaab ab'cx", 0, false)
	}
	f.Add(`(.*)*x`, strings.Repeat("a", 200), 3, true)
	f.Fuzz(func(t *testing.T, pat, subj string, start int, caseless bool) {
		if len(pat) > 300 || len(subj) > 5000 {
			return
		}
		re, err := Compile(pat, Options{Caseless: caseless})
		if err != nil {
			return
		}
		var m Machine
		if start < 0 {
			start = -start
		}
		start %= len(subj) + 1
		ms, me, res := re.Match(&m, []byte(subj), start)
		if m.steps > maxSteps+len(subj)+1 {
			t.Fatalf("%q: %d steps, above the cap", pat, m.steps)
		}
		if len(m.stack) > DefaultDepthLimit*stackPerDepth {
			t.Fatalf("%q: stack of %d frames", pat, len(m.stack))
		}
		if res == Matched && (ms < start || ms > me || me > len(subj)) {
			t.Fatalf("%q on %q from %d: match [%d,%d]", pat, subj, start, ms, me)
		}
	})
}
