package rulematch

// pcre:, run as RE2 on the buffer presented one rune per byte (see the
// package comment), or, for a pattern RE2 cannot run, by the bounded
// backtracking matcher on the bytes; retried at later matches after a
// failed relative chain.

import (
	"regexp"
	"regexp/syntax"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// pcre is a compiled pcre.
type pcre struct {
	re *regexp.Regexp
	// bt: the pattern for the backtracking matcher, when re is nil.
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
	// anchored: the regexp can only match at the start of its subject
	// (^ or \A), so a retry further on cannot match, as with PCRE's
	// start_offset; Go slicing would otherwise make ^ match there.
	anchored bool
	// run: a run of bytes every match holds, checked before the regexp
	// (pcrerun.go); nil when there is none worth checking.
	run *runCheck
}

func compilePCRE(p *rules.PCRE) *pcre {
	if p.Re == nil {
		return &pcre{bt: p.BT, negated: p.Negated, relative: p.Relative}
	}
	return &pcre{re: p.Re, negated: p.Negated, relative: p.Relative, anchored: anchoredAtStart(p.Re), run: newRunCheck(p.Re)}
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
		case start > len(raw) || p.anchored && start > base:
		case p.run != nil && p.run.exact && !(p.needEnd && !p.negated):
			// Only yes or no is needed and the scan gives it exactly.
			matched = p.run.possible(raw[start:])
		case p.run == nil || p.run.possible(raw[start:]):
			subj, wide := s.presentLatin1(raw[start:])
			if p.needEnd && !p.negated {
				if loc := p.re.FindIndex(subj); loc != nil {
					lo, hi := loc[0], loc[1]
					if wide {
						lo, hi = latin1Bytes(subj[:lo]), latin1Bytes(subj[:hi])
					}
					matched, ms, me = true, start+lo, start+hi
				}
			} else {
				matched = p.re.Match(subj)
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
