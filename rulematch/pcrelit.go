package rulematch

// Prefilter patterns from a pcre, in the manner of RE2's FilteredRE2 and
// Hyperscan's literal extraction: a set of literals such that every match
// of the regexp holds at least one of them, so a payload holding none of
// them cannot match and the rule need not run. ET Open has rules whose
// only positive content is one byte ("=") or absent, with a (?i)
// alternation of CLSIDs or of attribute names in the pcre; without
// patterns of their own they ran their regexp on every candidate packet
// (3 of the 7.3 s of a 60 MB run went to five such rules).
//
// The analysis walks the parsed regexp and keeps, for each part, either a
// small set holding every string the part can match (exact: a superset
// is as good, since it is only ever used to say what a match must
// contain), or a set one of whose strings every match of the part holds
// (required). Exact sets multiply across a concatenation and unite across
// an alternation while they stay small; anything the walk cannot bound
// (".", a large or non-ASCII class, a star) breaks the concatenation, and
// the best set found in any of its pieces speaks for the whole.
//
// Literals are lowercased: the prefilter folds case as it searches, so a
// (?i) part and a case-sensitive one are found alike. They are ASCII only:
// a pcre runs on the buffer presented one rune per byte, or, when it can
// only consume ASCII, on the raw bytes (pcre.go), and a byte past 0x7f
// would stand for different runes in the two.

import (
	"cmp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds on the sets, so a rule adds a few patterns, not hundreds:
// maxExactLits for the strings a part can match (a cross product grows
// fast), maxReqLits for the alternatives a match may hold (the ET CLSID
// alternations have about twenty).
const (
	maxExactLits = 16
	maxReqLits   = 32
	// maxClassLits: a class of more characters than this (\d, [0-9a-f])
	// is too unselective to multiply out.
	maxClassLits = 8
	// minPCRELit: a one-byte pattern is found in almost every payload.
	minPCRELit = 2
	// maxRepeatCopies bounds the copies of a counted repeat multiplied out.
	maxRepeatCopies = 8
)

// litInfo is what the walk knows of the strings a part matches: with exact,
// lits holds them all (and may hold ""); without, every match holds one of
// lits, and nil lits says nothing is known.
type litInfo struct {
	exact bool
	lits  []string
}

var unknownLits = litInfo{}

// pcreLiterals returns the lowercased literals one of which every match of
// re holds, or nil when no such set has all its strings minPCRELit bytes
// or more (or re cannot be analysed).
func pcreLiterals(expr string) []string {
	sre, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return requiredLiterals(sre)
}

// requiredLiterals is pcreLiterals on the parsed regexp.
func requiredLiterals(re *syntax.Regexp) []string {
	lits := literalsOf(re, 0).required()
	if len(lits) == 0 || shortest(lits) < minPCRELit {
		return nil
	}
	slices.Sort(lits)
	return lits
}

// required turns info into a set one of whose strings every match holds;
// nil when there is none (an exact set holding "" means a match may be
// empty, so it holds nothing).
func (info litInfo) required() []string {
	if !info.exact {
		return info.lits
	}
	if len(info.lits) == 0 || slices.Contains(info.lits, "") {
		return nil
	}
	return minimalLits(info.lits)
}

// minimalLits drops the strings that hold another of the set: a match
// holding one holds the other, so the smaller set says the same with fewer
// patterns ("src" speaks for "lowsrc").
func minimalLits(lits []string) []string {
	lits = slices.Clone(lits)
	slices.SortFunc(lits, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	lits = slices.Compact(lits)
	out := lits[:0]
	for _, s := range lits {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.Contains(s, o) }) {
			out = append(out, s)
		}
	}
	return out
}

func shortest(lits []string) int {
	n := len(lits[0])
	for _, s := range lits[1:] {
		n = min(n, len(s))
	}
	return n
}

// betterLits reports whether required set a filters better than b (nil
// for none): its shortest string is longer, or as long with fewer strings.
func betterLits(a, b []string) bool {
	if len(a) == 0 {
		return false
	}
	if len(b) == 0 {
		return true
	}
	if sa, sb := shortest(a), shortest(b); sa != sb {
		return sa > sb
	}
	return len(a) < len(b)
}

// crossLits returns every string of a followed by one of b, deduplicated;
// false when there would be more than maxExactLits.
func crossLits(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxExactLits {
		return nil, false
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// unionLits returns a and b together, deduplicated; false when more than
// limit.
func unionLits(a, b []string, limit int) ([]string, bool) {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	out = slices.Compact(out)
	return out, len(out) <= limit
}

func literalsOf(re *syntax.Regexp, depth int) litInfo {
	if depth > maxDepth {
		return unknownLits
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// zero-width: whatever it asserts, it adds no bytes to a match
		return litInfo{exact: true, lits: []string{""}}
	case syntax.OpLiteral:
		return literalRunes(re.Rune)
	case syntax.OpCharClass:
		return classLits(re.Rune)
	case syntax.OpCapture:
		return literalsOf(re.Sub[0], depth+1)
	case syntax.OpQuest:
		return optionalLits(literalsOf(re.Sub[0], depth+1))
	case syntax.OpPlus:
		return litInfo{lits: literalsOf(re.Sub[0], depth+1).required()}
	case syntax.OpRepeat:
		return repeatLits(re, depth)
	case syntax.OpConcat:
		return concatLits(re.Sub, depth)
	case syntax.OpAlternate:
		return alternateLits(re.Sub, depth)
	}
	// ".", x*, and what matches nothing: no bound on what they match
	return unknownLits
}

// literalRunes: a literal's string, case-folded or not, is one string in
// lower case; a rune past ASCII splits it, and then every match holds its
// longest ASCII piece.
func literalRunes(rs []rune) litInfo {
	var b strings.Builder
	best, ascii := "", true
	for _, r := range rs {
		if r >= utf8.RuneSelf {
			ascii = false
			if b.Len() > len(best) {
				best = b.String()
			}
			b.Reset()
			continue
		}
		b.WriteByte(lowerByte(byte(r)))
	}
	if ascii {
		return litInfo{exact: true, lits: []string{b.String()}}
	}
	if b.Len() > len(best) {
		best = b.String()
	}
	if best == "" {
		return unknownLits
	}
	return litInfo{lits: []string{best}}
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// classLits: a small ASCII class is its characters, lowercased ([Aa] is
// one). Runes past U+00FF are dropped: a subject presented one rune per
// byte holds none (the parser puts U+212A in (?i)[k]); a class reaching
// 0x80-0xFF or wider than maxClassLits (negated classes are) is unknown.
func classLits(ranges []rune) litInfo {
	var set [128]bool
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], min(ranges[i+1], 0xff)
		if lo > hi {
			continue
		}
		if hi >= utf8.RuneSelf || hi-lo >= 2*maxClassLits {
			return unknownLits
		}
		for r := lo; r <= hi; r++ {
			if c := lowerByte(byte(r)); !set[c] {
				set[c] = true
				n++
			}
		}
	}
	if n == 0 || n > maxClassLits {
		return unknownLits
	}
	lits := make([]string, 0, n)
	for c := range set {
		if set[c] {
			lits = append(lits, string(rune(c)))
		}
	}
	return litInfo{exact: true, lits: lits}
}

// optionalLits: x? matches what x does or nothing.
func optionalLits(sub litInfo) litInfo {
	if !sub.exact {
		return unknownLits
	}
	lits, ok := unionLits(sub.lits, []string{""}, maxExactLits)
	if !ok {
		return unknownLits
	}
	return litInfo{exact: true, lits: lits}
}

// repeatLits: x{n,m} with n >= 1 starts with n copies of x, so a match
// holds their product when it stays small, else what x requires; with n
// 0 it may be empty.
func repeatLits(re *syntax.Regexp, depth int) litInfo {
	sub := literalsOf(re.Sub[0], depth+1)
	if re.Min == 0 {
		if re.Max == 1 {
			return optionalLits(sub)
		}
		if re.Max == 0 {
			return litInfo{exact: true, lits: []string{""}}
		}
		return unknownLits
	}
	if sub.exact && re.Min <= maxRepeatCopies {
		prod, ok := []string{""}, true
		for range re.Min {
			if prod, ok = crossLits(prod, sub.lits); !ok {
				break
			}
		}
		if ok {
			if re.Max == re.Min {
				return litInfo{exact: true, lits: prod}
			}
			if req := (litInfo{exact: true, lits: prod}).required(); req != nil {
				return litInfo{lits: req}
			}
		}
	}
	return litInfo{lits: sub.required()}
}

// concatLits multiplies out runs of adjacent exact parts; the concatenation
// is exact when every part is and the product stays small, else every
// match holds what the best run or inexact part requires.
func concatLits(subs []*syntax.Regexp, depth int) litInfo {
	var best []string
	consider := func(lits []string) {
		if betterLits(lits, best) {
			best = lits
		}
	}
	run, allExact := []string{""}, true
	for _, sub := range subs {
		info := literalsOf(sub, depth+1)
		if info.exact {
			if prod, ok := crossLits(run, info.lits); ok {
				run = prod
				continue
			}
			// too many: the run so far holds its own; a new one starts here
			consider(litInfo{exact: true, lits: run}.required())
			run, allExact = info.lits, false
			continue
		}
		allExact = false
		consider(litInfo{exact: true, lits: run}.required())
		run = []string{""}
		consider(info.lits)
	}
	if allExact {
		return litInfo{exact: true, lits: run}
	}
	consider(litInfo{exact: true, lits: run}.required())
	return litInfo{lits: best}
}

// alternateLits: a match is one branch's, so the branches' sets unite; a
// branch with nothing required leaves the alternation nothing.
func alternateLits(subs []*syntax.Regexp, depth int) litInfo {
	infos := make([]litInfo, len(subs))
	allExact := true
	for i, sub := range subs {
		infos[i] = literalsOf(sub, depth+1)
		allExact = allExact && infos[i].exact
	}
	if allExact {
		var lits []string
		ok := true
		for _, info := range infos {
			if lits, ok = unionLits(lits, info.lits, maxExactLits); !ok {
				break
			}
		}
		if ok {
			return litInfo{exact: true, lits: lits}
		}
	}
	var lits []string
	for _, info := range infos {
		req := info.required()
		if req == nil {
			return unknownLits
		}
		// minimised as it grows, so a long alternation costs no more
		// than its branches
		if lits, _ = unionLits(lits, req, maxReqLits); len(lits) > maxReqLits {
			if lits = minimalLits(lits); len(lits) > maxReqLits {
				return unknownLits
			}
		}
	}
	return litInfo{lits: minimalLits(lits)}
}
