package pcrebt

import "fmt"

// The program a pattern compiles to: instructions run by a depth-first
// backtracking machine (match.go).

type opcode uint8

const (
	opByte      opcode = iota // the byte arg
	opSet                     // a byte in sets[arg]
	opRepeat                  // a run of bytes in sets[arg], min..max long (max < 0: any), mode
	opSplit                   // try next first, then x (choice point)
	opSplitLast               // try x first, then next (a lazy loop's exit)
	opJmp                     // continue at x
	opSave                    // slot arg := position
	opClose                   // group arg captured from slot x to here
	opAssert                  // assertKind arg
	opRef                     // the text group arg captured (fold: caseless)
	opLook                    // lookaround or atomic group; body at next, continuation at x
	opLookEnd                 // the body of the innermost opLook matched
	opMark                    // slot arg := position (a loop iteration starts)
	opProgress                // the loop iteration from mark arg matched nothing: go to x
	opMatch
)

// lookKind is what an opLook asserts.
type lookKind uint8

const (
	lookAhead lookKind = iota
	lookBehind
	lookAtomic
)

type inst struct {
	op   opcode
	mode repeatMode
	neg  bool // opLook
	fold bool // opRef
	look lookKind
	arg  int32
	x    int32
	min  int32
	max  int32
}

// maxProg bounds the program, so a counted repeat of a large group
// (X{500} with X forty instructions long) cannot take unbounded memory.
const maxProg = 20000

type compiler struct {
	prog  []inst
	sets  []byteSet
	slots int // capture slots, then loop marks
	err   error
}

func (c *compiler) emit(in inst) int {
	if len(c.prog) >= maxProg {
		if c.err == nil {
			c.err = unsupported(fmt.Sprintf("a pattern of more than %d instructions", maxProg))
		}
		return len(c.prog) - 1
	}
	c.prog = append(c.prog, in)
	return len(c.prog) - 1
}

func (c *compiler) set(s byteSet) int32 {
	for i := range c.sets {
		if c.sets[i] == s {
			return int32(i)
		}
	}
	c.sets = append(c.sets, s)
	return int32(len(c.sets) - 1)
}

// next is the first set the item following n in a concatenation must
// match, for auto-possessification; nil when unknown.
func (c *compiler) gen(n *node, next *byteSet) {
	if c.err != nil {
		return
	}
	switch n.kind {
	case nEmpty:
	case nChar:
		if b, ok := n.set.single(); ok {
			c.emit(inst{op: opByte, arg: int32(b)})
		} else {
			c.emit(inst{op: opSet, arg: c.set(n.set)})
		}
	case nConcat:
		for i, s := range n.subs {
			nx := next // the last item is followed by what follows n
			if i+1 < len(n.subs) {
				nx = nil
				if n.subs[i+1].kind == nChar {
					nx = &n.subs[i+1].set
				}
			}
			c.gen(s, nx)
		}
	case nAlt:
		// split L1 / L1: a; jmp end / split L2 / ... / last
		var jumps []int
		for i, s := range n.subs {
			if i < len(n.subs)-1 {
				sp := c.emit(inst{op: opSplit})
				c.gen(s, next)
				jumps = append(jumps, c.emit(inst{op: opJmp}))
				c.prog[sp].x = int32(len(c.prog))
			} else {
				c.gen(s, next)
			}
		}
		for _, j := range jumps {
			c.prog[j].x = int32(len(c.prog))
		}
	case nCapture:
		// The start goes to a slot of its own until the group closes: a
		// back-reference inside the group, or after it in a later
		// iteration that fails, sees the last complete capture, as in
		// PCRE.
		open := c.slots
		c.slots++
		c.emit(inst{op: opSave, arg: int32(open)})
		c.gen(n.subs[0], next)
		c.emit(inst{op: opClose, arg: int32(n.group), x: int32(open)})
	case nAssert:
		c.emit(inst{op: opAssert, arg: int32(n.assert)})
	case nRef:
		c.emit(inst{op: opRef, arg: int32(n.group), fold: n.fold})
	case nLook:
		kind := lookAhead
		if n.behind {
			kind = lookBehind
		}
		l := c.emit(inst{op: opLook, look: kind, neg: n.neg, min: int32(n.min)})
		c.gen(n.subs[0], nil)
		c.emit(inst{op: opLookEnd})
		c.prog[l].x = int32(len(c.prog))
	case nAtomic:
		l := c.emit(inst{op: opLook, look: lookAtomic})
		c.gen(n.subs[0], next)
		c.emit(inst{op: opLookEnd})
		c.prog[l].x = int32(len(c.prog))
	case nRepeat:
		c.repeat(n, next)
	}
}

func (c *compiler) repeat(n *node, next *byteSet) {
	sub := n.subs[0]
	if n.max == 0 {
		return
	}
	if sub.kind == nChar {
		mode := n.mode
		// Auto-possessification, as PCRE2 does: when the next item can
		// never match a byte the run takes, giving a byte back (or, lazy,
		// taking one more) cannot help, so the run keeps no choice point.
		// Besides speed, PCRE2's match limit then counts what it counts.
		if mode != possessive && next != nil && !sub.set.intersects(next) {
			mode = possessive
		}
		c.emit(inst{op: opRepeat, arg: c.set(sub.set), min: int32(n.min), max: int32(n.max), mode: mode})
		return
	}
	if n.mode == possessive {
		atomic := &node{kind: nAtomic, subs: []*node{{kind: nRepeat, subs: n.subs, min: n.min, max: n.max, mode: greedy}}}
		c.gen(atomic, next)
		return
	}
	// X{n,m}: n copies, then m-n optional ones, where skipping one skips
	// the rest (X(X(X)?)?)?, or a loop for X{n,}.
	for i := 0; i < n.min; i++ {
		c.gen(sub, nil)
		if c.err != nil {
			return
		}
	}
	if n.max < 0 {
		c.loop(sub, n.mode == lazy)
		return
	}
	var exits []int
	for i := n.min; i < n.max; i++ {
		exits = append(exits, c.optional(n.mode == lazy))
		c.gen(sub, nil)
		if c.err != nil {
			return
		}
	}
	for _, e := range exits {
		c.prog[e].x = int32(len(c.prog))
	}
}

// optional emits the choice before an optional copy; its x is patched
// to where the copies end.
func (c *compiler) optional(lazy bool) int {
	if lazy {
		return c.emit(inst{op: opSplitLast})
	}
	return c.emit(inst{op: opSplit})
}

// loop emits X* (or X*?): an iteration that matched the empty string
// ends the loop, as in PCRE, so it cannot spin.
func (c *compiler) loop(sub *node, lazy bool) {
	mark := c.slots
	c.slots++
	top := c.optional(lazy)
	c.emit(inst{op: opMark, arg: int32(mark)})
	c.gen(sub, nil)
	prog := c.emit(inst{op: opProgress, arg: int32(mark)})
	c.emit(inst{op: opJmp, x: int32(top)})
	c.prog[top].x = int32(len(c.prog))
	c.prog[prog].x = int32(len(c.prog))
}

// firstSet returns the bytes a match can start with, when every match
// consumes at least one byte and they are known: the search then skips
// other positions without running the machine, as PCRE2's start-of-match
// optimisations do.
func firstSet(n *node) (s byteSet, ok bool) {
	s, nullable, ok := first(n, 0)
	return s, ok && !nullable
}

// first returns the set of first bytes of n, whether n can match empty,
// and whether the answer is known.
func first(n *node, depth int) (s byteSet, nullable, ok bool) {
	if depth > maxDepth {
		return s, false, false
	}
	switch n.kind {
	case nEmpty:
		return s, true, true
	case nChar:
		return n.set, false, true
	case nCapture, nAtomic:
		return first(n.subs[0], depth+1)
	case nConcat:
		for _, sub := range n.subs {
			fs, null, ok := first(sub, depth+1)
			if !ok {
				return s, false, false
			}
			s.union(&fs)
			if !null {
				return s, false, true
			}
		}
		return s, true, true
	case nAlt:
		for _, sub := range n.subs {
			fs, null, ok := first(sub, depth+1)
			if !ok {
				return s, false, false
			}
			s.union(&fs)
			nullable = nullable || null
		}
		return s, nullable, true
	case nRepeat:
		fs, null, ok := first(n.subs[0], depth+1)
		return fs, null || n.min == 0, ok
	case nAssert, nLook:
		// Zero width; what follows decides the first byte (a lookahead
		// may narrow it further, a superset is enough).
		return s, true, true
	}
	// Back-references: not worked out.
	return s, false, false
}
