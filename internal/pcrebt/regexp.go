// Package pcrebt runs the PCRE patterns Go's regexp (RE2) cannot: a
// bounded backtracking matcher for the subset rules use, byte by byte as
// Suricata runs libpcre2 (no UTF): literals, classes, anchors, groups,
// alternation, greedy, lazy and possessive quantifiers, back-references,
// lookahead, fixed-length lookbehind, atomic groups and the options
// i, m, s, x and U. Each call is bounded by a match limit as PCRE2's
// (Suricata sets 3500) and by a step cap, so no subject can make it run
// long; when either is reached the call reports LimitHit, which Suricata
// takes as no match.
//
// It belongs to neither the rule parser (signatures/rules, which
// compiles patterns to tell a rule it can run from one it cannot) nor
// the matcher (rulematch, which runs them), so it sits under internal/
// where both can use it.
package pcrebt

import "errors"

// Options are the pattern-wide options: Suricata's pcre modifiers
// i, s, m, x, A, E and G.
type Options struct {
	Caseless      bool // i: PCRE2_CASELESS (ASCII letters only, as without UTF)
	DotAll        bool // s: PCRE2_DOTALL
	Multiline     bool // m: PCRE2_MULTILINE
	Extended      bool // x: PCRE2_EXTENDED
	Anchored      bool // A: PCRE2_ANCHORED, a match only at the start offset
	DollarEndOnly bool // E: PCRE2_DOLLAR_ENDONLY
	Ungreedy      bool // G: PCRE2_UNGREEDY
}

// Regexp is a compiled pattern; it is immutable and may be shared.
type Regexp struct {
	src      string
	prog     []inst
	sets     []byteSet
	nslots   int
	first    byteSet
	hasFirst bool
	// anchored: every match starts at the subject's start (\A or ^
	// without m first in every branch).
	anchored bool
	// anchoredAtOffset: the A option, PCRE2_ANCHORED: a match starts at
	// the start offset or not at all.
	anchoredAtOffset bool
	minLen           int
}

// String returns the pattern as written.
func (re *Regexp) String() string { return re.src }

// Compile compiles a PCRE pattern. Like Suricata it first compiles with
// plain parentheses not capturing (PCRE2_NO_AUTO_CAPTURE) and, when a
// back-reference then names a group that does not exist, again with them
// capturing. Errors wrap ErrUnsupported for valid patterns it cannot
// run.
func Compile(pattern string, o Options) (*Regexp, error) {
	f := flags{caseless: o.Caseless, dotAll: o.DotAll, multiline: o.Multiline, extended: o.Extended,
		ungreedy: o.Ungreedy, dollarEndOnly: o.DollarEndOnly}
	root, p, err := parse(pattern, f, true)
	if errors.Is(err, errNoSuchGroup) {
		root, p, err = parse(pattern, f, false)
	}
	if err != nil {
		return nil, err
	}
	c := &compiler{slots: 2 * (p.groups + 1)}
	c.gen(root, nil)
	c.emit(inst{op: opMatch})
	if c.err != nil {
		return nil, c.err
	}
	re := &Regexp{src: pattern, prog: c.prog, sets: c.sets, nslots: c.slots}
	re.first, re.hasFirst = firstSet(root)
	re.anchored = startsAnchored(root)
	re.anchoredAtOffset = o.Anchored
	re.minLen, _ = root.width()
	return re, nil
}

// startsAnchored reports whether every match must start at the
// subject's start.
func startsAnchored(n *node) bool {
	switch n.kind {
	case nAssert:
		return n.assert == aStart
	case nConcat:
		return len(n.subs) > 0 && startsAnchored(n.subs[0])
	case nCapture, nAtomic:
		return startsAnchored(n.subs[0])
	case nAlt:
		for _, s := range n.subs {
			if !startsAnchored(s) {
				return false
			}
		}
		return true
	}
	return false
}
