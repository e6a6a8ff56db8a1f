package rulematch

// A run check in front of long counted repeats. Patterns such as
// \x27[^\x27]{1075,} (the parser writes counts above RE2's 1000 as
// X{1000}X{75}X*) compile to programs of over a thousand instructions,
// and Go's regexp runs those with its NFA, whose cost per input byte
// grows with the number of live threads: up to one per instruction on a
// long run of X. Yet every match of such a pattern holds a run of at
// least n consecutive bytes from one class, and almost no packet does.
// runCheck finds that requirement in the compiled pattern and, before the
// regexp runs, scans the subject once for such a run; without one the
// pattern cannot match, so the answer (no match) is the regexp's own.
// With one, the regexp runs as before: the check never decides a match.

import (
	"regexp"
	"regexp/syntax"
	"unicode"
)

// minRunCheck is the shortest required run worth a scan: below it the
// regexp is cheap anyway and most subjects would pass the check.
const minRunCheck = 64

// byteSet is a set of byte values: the runes 0-255 a subject presented
// one rune per byte can hold.
type byteSet [4]uint64

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s *byteSet) addRange(lo, hi rune) {
	if lo < 0 {
		lo = 0
	}
	for r := lo; r <= hi && r <= 0xFF; r++ {
		s[r>>6] |= 1 << (r & 63)
	}
}

// run: at least n consecutive bytes from set.
type run struct {
	set byteSet
	n   int
}

// maxAlts bounds the runs a check holds (one per alternation branch), so
// the scan keeps its counters on the stack.
const maxAlts = 8

// runCheck: every match holds one of the runs alts[:k]. The ET shape
// '[^']{1075,}|"[^"]{1075,} needs either 1075 non-' bytes or
// 1075 non-" bytes; joining the two sets would need nothing at all.
type runCheck struct {
	alts [maxAlts]run
	k    int
	// exact: the whole pattern is such a run (every string of at least n
	// bytes from the set matches, and nothing else does, as in
	// [\w\W]{2500,} or [a-zA-Z0-9]{1000,}), so the scan's answer is the
	// regexp's. There the NFA would carry a thread for every byte of the
	// run so far: 23 ms for 2,500 bytes, against microseconds for a scan.
	exact bool
}

// n is the shortest run the check accepts: how strong it is.
func (rc *runCheck) n() int {
	if rc.k == 0 {
		return 0
	}
	n := rc.alts[0].n
	for _, a := range rc.alts[1:rc.k] {
		n = min(n, a.n)
	}
	return n
}

// possible reports whether b holds one of the runs; a linear scan that
// allocates nothing.
func (rc *runCheck) possible(b []byte) bool {
	if len(b) < rc.n() {
		return false
	}
	var cnt [maxAlts]int
	for _, c := range b {
		for j := 0; j < rc.k; j++ {
			a := &rc.alts[j]
			if !a.set.has(c) {
				cnt[j] = 0
				continue
			}
			cnt[j]++
			if cnt[j] >= a.n {
				return true
			}
		}
	}
	return false
}

func single(set byteSet, n int) runCheck {
	rc := runCheck{k: 1}
	rc.alts[0] = run{set: set, n: n}
	return rc
}

// newRunCheck returns the longest run re requires, or nil when it
// requires none of at least minRunCheck bytes (or cannot be analysed).
func newRunCheck(re *regexp.Regexp) *runCheck {
	sre, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	rc := required(sre, 0)
	if rc.n() < minRunCheck {
		return nil
	}
	// pureRun of the whole pattern: all strings over one set with lengths
	// from some set whose least is n; unanchored, a subject holds a match
	// exactly when it holds a run of n.
	_, _, rc.exact = pureRun(sre, 0)
	return &rc
}

// maxDepth bounds the analysis' recursion; deeper patterns get no check
// (RE2's own parser stops at a nesting of 1000).
const maxDepth = 200

// pureRun reports whether every match of re is made only of bytes from
// set, and the fewest it can be.
func pureRun(re *syntax.Regexp, depth int) (set byteSet, min int, ok bool) {
	if depth > maxDepth {
		return set, 0, false
	}
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return set, 0, false
		}
		r := re.Rune[0]
		set.addRange(r, r)
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				set.addRange(f, f)
			}
		}
		return set, 1, true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			set.addRange(re.Rune[i], re.Rune[i+1])
		}
		return set, 1, true
	case syntax.OpAnyChar:
		set.addRange(0, 0xFF)
		return set, 1, true
	case syntax.OpAnyCharNotNL:
		set.addRange(0, '\n'-1)
		set.addRange('\n'+1, 0xFF)
		return set, 1, true
	case syntax.OpCapture:
		return pureRun(re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus, syntax.OpRepeat:
		set, m, ok := pureRun(re.Sub[0], depth+1)
		if !ok {
			return set, 0, false
		}
		switch re.Op {
		case syntax.OpStar, syntax.OpQuest:
			m = 0
		case syntax.OpRepeat:
			m *= re.Min
		}
		return set, m, true
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return set, 0, false
		}
		total := 0
		for i, sub := range re.Sub {
			s, m, ok := pureRun(sub, depth+1)
			if !ok || i > 0 && s != set {
				return set, 0, false
			}
			set, total = s, total+m
		}
		return set, total, true
	}
	return set, 0, false
}

// required returns runs one of which every match of re holds (k 0: none
// known). Concatenation: the strongest part's, where adjacent parts that
// are runs of the same set add up (X{1000}X{75}X* holds 1075).
// Alternation: each branch's runs together, or none if a branch has none
// or they are too many. Optional parts require nothing.
func required(re *syntax.Regexp, depth int) runCheck {
	if depth > maxDepth {
		return runCheck{}
	}
	if set, m, ok := pureRun(re, depth); ok {
		if m == 0 {
			return runCheck{}
		}
		return single(set, m)
	}
	switch re.Op {
	case syntax.OpCapture:
		return required(re.Sub[0], depth+1)
	case syntax.OpPlus:
		return required(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0], depth+1)
		}
	case syntax.OpConcat:
		var best runCheck
		var cur run // the run of adjacent pure parts so far
		for _, sub := range re.Sub {
			if set, m, ok := pureRun(sub, depth+1); ok {
				if cur.n > 0 && set == cur.set || cur.n == 0 {
					cur.set, cur.n = set, cur.n+m
				} else {
					cur = run{set: set, n: m}
				}
			} else {
				cur = run{}
				if r := required(sub, depth+1); r.n() > best.n() {
					best = r
				}
			}
			if cur.n > best.n() {
				best = single(cur.set, cur.n)
			}
		}
		return best
	case syntax.OpAlternate:
		var out runCheck
		for _, sub := range re.Sub {
			r := required(sub, depth+1)
			if r.k == 0 || out.k+r.k > maxAlts {
				return runCheck{}
			}
			copy(out.alts[out.k:], r.alts[:r.k])
			out.k += r.k
		}
		return out
	}
	return runCheck{}
}
