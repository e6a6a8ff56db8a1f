package rulematch

// pcre:, run as RE2 on the buffer presented one rune per byte (see the
// package comment), or, for a pattern RE2 cannot run, by the bounded
// backtracking matcher on the bytes; retried at later matches after a
// failed relative chain.

import (
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// pcre is a compiled pcre.
type pcre struct {
	// src holds the RE2 expression, compiled on the pcre's first run
	// (tuning), with the rest of what running it needs.
	src *rules.PCRE
	// bt: the pattern for the backtracking matcher, when src has no RE2
	// expression.
	bt       *pcrebt.Regexp
	negated  bool
	relative bool
	// relativeNext: the next item is relative to this match, so later
	// matches are retried when it fails (DETECT_PCRE_RELATIVE_NEXT).
	relativeNext bool
	// needEnd: a later item uses where this match ended, so the match
	// position is needed (FindIndex, which allocates on a match) rather
	// than a yes/no (Match, which does not).
	needEnd bool
	// tune is worked out on the pcre's first run (tuning): most of a large
	// set's pcres never run on a given capture, as the prefilter rules
	// their rules out, and working it out for all of them was two thirds
	// of the ET Open set's compile time.
	tuneOnce sync.Once
	tune     *pcreTuning
}

// pcreTuning is a Go regexp pcre compiled, and what makes it cheaper to
// run.
type pcreTuning struct {
	re *regexp.Regexp
	// anchored: the regexp can only match at the start of its subject
	// (^ or \A), so a retry further on cannot match, as with PCRE's
	// start_offset; Go slicing would otherwise make ^ match there.
	anchored bool
	// run: a run of bytes every match holds, checked before the regexp
	// (pcrerun.go); nil when there is none worth checking.
	run *runCheck
	// ascii: no part of re can match a rune past ASCII, so it runs on the
	// raw bytes, which give the same matches as the Latin-1 presentation
	// without copying the subject (presentLatin1 was a sixth of the time
	// with the ET Open rules, rescanning a payload per pcre).
	ascii bool
	// folded: for a pattern case-insensitive in every letter it can
	// consume, the same pattern in lower case, case-sensitive, to run on
	// the lowercased subject: Go's regexp folds each rune it compares
	// (unicode.SimpleFold), and a lower-case pattern can use its literal
	// prefix; the ET Open rules' (?i) CLSID and javascript: pcres were a
	// quarter of their time. nil when that does not hold.
	folded *regexp.Regexp
}

// tuning returns p's tuning, working it out on first use; safe from
// several threads (Config.Threads share the compiled rules).
func (p *pcre) tuning() *pcreTuning {
	p.tuneOnce.Do(func() {
		re := p.src.Regexp()
		p.tune = &pcreTuning{re: re, anchored: anchoredAtStart(re), run: newRunCheck(re),
			ascii: matchesASCIIOnly(re), folded: foldedRegexp(re)}
	})
	return p.tune
}

func compilePCRE(p *rules.PCRE) *pcre {
	if p.Expr == "" {
		return &pcre{bt: p.BT, negated: p.Negated, relative: p.Relative}
	}
	return &pcre{src: p, negated: p.Negated, relative: p.Relative}
}

// foldedRegexp returns re in lower case and case-sensitive, when re is
// case-insensitive in every ASCII letter it can consume; else nil. On the
// subject lowercased (ASCII letters only, byte for byte) it gives the
// matches and offsets re gives on the Latin-1 presentation: a subject
// presented one rune per byte holds no rune past U+00FF, so the folds
// that lead there ((?i)k to U+212A) are dropped from classes; and the
// result must be ASCII-only (matchesASCIIOnly) to run on raw bytes.
func foldedRegexp(re *regexp.Regexp) *regexp.Regexp {
	sre, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	sre = sre.Simplify()
	if !hasFoldCase(sre) || !lowerFolded(sre) {
		return nil
	}
	low, err := regexp.Compile(sre.String())
	if err != nil || !matchesASCIIOnly(low) {
		return nil
	}
	return low
}

// hasFoldCase reports whether re has a case-insensitive part: a
// pattern without one has nothing to gain.
func hasFoldCase(re *syntax.Regexp) bool {
	if re.Flags&syntax.FoldCase != 0 {
		return true
	}
	for _, sub := range re.Sub {
		if hasFoldCase(sub) {
			return true
		}
	}
	return false
}

// lowerFolded rewrites re in place to its lower-case, case-sensitive
// form, or reports false when some part of it tells the cases of an ASCII
// letter apart.
func lowerFolded(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for i, r := range re.Rune {
			if r < 0x80 && unicode.IsLetter(r) {
				if !fold {
					return false
				}
				re.Rune[i] = unicode.ToLower(r)
			}
		}
		re.Flags &^= syntax.FoldCase
	case syntax.OpCharClass:
		var kept []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if lo, hi := re.Rune[i], min(re.Rune[i+1], 0xff); lo <= hi {
				kept = append(kept, lo, hi)
			}
		}
		in := func(r rune) bool {
			for i := 0; i+1 < len(kept); i += 2 {
				if kept[i] <= r && r <= kept[i+1] {
					return true
				}
			}
			return false
		}
		for c := 'a'; c <= 'z'; c++ {
			if in(c) != in(c-'a'+'A') {
				return false // [A-Z] without (?i): the cases differ
			}
		}
		re.Rune = kept
		re.Flags &^= syntax.FoldCase
	}
	for _, sub := range re.Sub {
		if !lowerFolded(sub) {
			return false
		}
	}
	return true
}

// matchesASCIIOnly reports whether no instruction of re can consume a
// rune past U+007F (no ".", no class or folded letter reaching past
// ASCII: (?i)k also matches U+212A). Then a match consumes only ASCII
// bytes, which both presentations of the subject hold alike, and starts
// at an ASCII byte, a rune boundary in both (a pattern that can match the
// empty string is left out: its match may fall inside a raw rune); and
// \b reads every non-ASCII rune as a non-word rune in both. So matches
// and their offsets are the same on the raw bytes.
func matchesASCIIOnly(re *regexp.Regexp) bool {
	sre, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return false
	}
	if sre = sre.Simplify(); matchesEmpty(sre) {
		// an empty match can fall between the bytes of one raw rune
		return false
	}
	prog, err := syntax.Compile(sre)
	if err != nil {
		return false
	}
	for i := range prog.Inst {
		in := &prog.Inst[i]
		switch in.Op {
		case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			return false
		case syntax.InstRune, syntax.InstRune1:
			if len(in.Rune) == 1 {
				// one rune, folded when the flag says so (InstRune1
				// never folds)
				r := in.Rune[0]
				if r > 0x7f {
					return false
				}
				if in.Op == syntax.InstRune && syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
					for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
						if f > 0x7f {
							return false
						}
					}
				}
				continue
			}
			// ranges in pairs, folding already expanded into them
			for j := 1; j < len(in.Rune); j += 2 {
				if in.Rune[j] > 0x7f {
					return false
				}
			}
		}
	}
	return true
}

// matchesEmpty reports whether re can match without consuming a rune.
func matchesEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpNoMatch:
		return false
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpPlus, syntax.OpCapture:
		return matchesEmpty(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || matchesEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !matchesEmpty(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if matchesEmpty(sub) {
				return true
			}
		}
		return false
	}
	return true // the empty match and the zero-width assertions
}

// anchoredAtStart reports whether re can only match at the start of its
// input.
func anchoredAtStart(re *regexp.Regexp) bool {
	sre, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return false
	}
	prog, err := syntax.Compile(sre.Simplify())
	if err != nil {
		return false
	}
	return prog.StartCond()&syntax.EmptyBeginText != 0
}

func (s *scratch) inspectPCRE(items []item, i int, raw, low []byte, prevEnd int) int {
	p := items[i].p
	retry := 0 // after a failed chain: the last match's start+1
	for {
		base := 0
		if p.relative {
			base = prevEnd
		}
		start := base
		if retry != 0 {
			start = retry
		}
		matched := false
		ms, me := 0, prevEnd
		var t *pcreTuning
		if p.bt == nil {
			t = p.tuning()
		}
		switch {
		case p.bt != nil:
			if start > len(raw) {
				break
			}
			// As Suricata calls pcre2_match: the subject starts where a
			// relative pcre looks from, and a retry passes a start offset
			// into it, so lookbehind and \b still see the bytes before.
			lo, hi, res := p.bt.Match(&s.bt, raw[base:], start-base)
			if res == pcrebt.LimitHit {
				// PCRE2_ERROR_MATCHLIMIT: Suricata's pcre returns no
				// match, negated or not.
				return 0
			}
			matched, ms, me = res == pcrebt.Matched, base+lo, base+hi
		case start > len(raw) || t.anchored && start > base:
		case t.run != nil && t.run.exact && !(p.needEnd && !p.negated):
			// Only yes or no is needed and the scan gives it exactly.
			matched = t.run.possible(raw[start:])
		case t.run == nil || t.run.possible(raw[start:]):
			re, subj, wide := t.re, raw[start:], false
			switch {
			case t.folded != nil && len(low) == len(raw):
				re, subj = t.folded, low[start:]
			case !t.ascii:
				subj, wide = s.presentLatin1(subj)
			}
			if p.needEnd && !p.negated {
				if loc := re.FindIndex(subj); loc != nil {
					lo, hi := loc[0], loc[1]
					if wide {
						lo, hi = latin1Bytes(subj[:lo]), latin1Bytes(subj[:hi])
					}
					matched, ms, me = true, start+lo, start+hi
				}
			} else {
				matched = re.Match(subj)
			}
		}
		if p.negated {
			if matched {
				return 0
			}
			return s.next(items, i, raw, low, prevEnd)
		}
		if !matched {
			return 0
		}
		r := s.next(items, i, raw, low, me)
		if r != 0 || !p.relativeNext {
			return r
		}
		retry = ms + 1
	}
}

// presentLatin1 returns b as the parser's regexps expect it: one rune per
// byte, so \xff in a pattern (U+00FF) finds the byte 0xff and "." takes
// one byte, as PCRE does on raw bytes. ASCII-only input is returned as is;
// otherwise bytes >= 0x80 become their two-byte UTF-8 form in scratch and
// wide is true (offsets then need latin1Bytes).
func (s *scratch) presentLatin1(b []byte) (out []byte, wide bool) {
	high := 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return b, false
	}
	out = s.latin1[:0]
	if cap(out) < len(b)+high {
		out = make([]byte, 0, len(b)+high+len(b)/2)
	}
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		} else {
			out = append(out, 0xc0|c>>6, 0x80|c&0x3f)
		}
	}
	s.latin1 = out
	return out, true
}

// latin1Bytes is how many original bytes the presented prefix w stands
// for: its runes, every byte but UTF-8 continuation bytes.
func latin1Bytes(w []byte) int {
	n := 0
	for _, c := range w {
		if c&0xc0 != 0x80 {
			n++
		}
	}
	return n
}
