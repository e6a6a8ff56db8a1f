package pcrebt

// The parsed pattern: a tree of nodes, which compile.go turns into a
// program.

type nodeKind uint8

const (
	nEmpty   nodeKind = iota
	nChar             // one byte from set
	nConcat           // subs in order
	nAlt              // subs, the first that leads to a match wins
	nRepeat           // sub min..max times (max < 0: unbounded)
	nCapture          // sub, recorded as group capture
	nAssert           // a zero-width test: assert
	nRef              // the text group captured, again (fold: caseless)
	nLook             // lookahead or lookbehind on sub (neg, behind)
	nAtomic           // sub, its choices dropped once it has matched
)

// repeatMode is how a quantifier backtracks.
type repeatMode uint8

const (
	greedy     repeatMode = iota // longest first, then shorter
	lazy                         // shortest first, then longer
	possessive                   // longest, never shorter
)

// assertKind is a zero-width assertion.
type assertKind uint8

const (
	aStart           assertKind = iota // ^ without m, \A: at the subject's start
	aLineStart                         // ^ with m: at the start or after a \n that is not the last byte
	aEnd                               // \z, $ with E: at the end
	aEndOrFinalNL                      // $ without m, \Z: at the end or before a final \n
	aLineEnd                           // $ with m: at the end or before any \n
	aWordBoundary                      // \b
	aNotWordBoundary                   // \B
	aStartOffset                       // \G: where the search started
)

type node struct {
	kind   nodeKind
	set    byteSet
	subs   []*node
	min    int
	max    int
	mode   repeatMode
	group  int // nCapture, nRef
	fold   bool
	assert assertKind
	neg    bool // nLook
	behind bool // nLook
}

// width returns the fewest and most bytes n can match (most < 0:
// unbounded or unknown, as for a back-reference).
func (n *node) width() (lo, hi int) {
	switch n.kind {
	case nChar:
		return 1, 1
	case nConcat:
		for _, s := range n.subs {
			l, h := s.width()
			lo += l
			if hi >= 0 {
				if h < 0 {
					hi = -1
				} else {
					hi += h
				}
			}
		}
		return lo, hi
	case nAlt:
		for i, s := range n.subs {
			l, h := s.width()
			if i == 0 {
				lo, hi = l, h
				continue
			}
			lo = min(lo, l)
			if hi >= 0 && (h < 0 || h > hi) {
				hi = h
			}
		}
		return lo, hi
	case nRepeat:
		l, h := n.subs[0].width()
		lo = l * n.min
		switch {
		case n.max < 0 && h != 0, h < 0:
			hi = -1
		default:
			hi = h * max(n.max, 0)
		}
		return lo, hi
	case nCapture, nAtomic:
		return n.subs[0].width()
	case nRef:
		return 0, -1
	}
	return 0, 0
}
