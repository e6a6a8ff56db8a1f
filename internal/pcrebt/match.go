package pcrebt

// The backtracking machine: depth first, so the first alternative and
// the greedy (or lazy) preference decide which match is found, as in
// PCRE (leftmost, not leftmost-longest). State lives in a Machine the
// caller keeps, so a match allocates nothing once it has warmed up.

import "math"

// Result is how a match ended.
type Result uint8

const (
	// NoMatch: no match at any start position.
	NoMatch Result = iota
	// Matched: the leftmost match, as PCRE finds it.
	Matched
	// LimitHit: the match or depth limit was reached first. PCRE2 returns
	// PCRE2_ERROR_MATCHLIMIT (or DEPTHLIMIT) and Suricata takes that as no
	// match, for a negated pcre too.
	LimitHit
)

// Suricata's defaults (detect-pcre.h: SC_MATCH_LIMIT_DEFAULT,
// SC_MATCH_LIMIT_RECURSION_DEFAULT), set on every pattern it compiles;
// the O flag applies the configured pcre.match-limit instead, which
// defaults to the same.
const (
	DefaultMatchLimit = 3500
	DefaultDepthLimit = 1500
)

// maxSteps bounds the work of one call beyond the match limit: the
// limit counts backtracking points, as PCRE2's counts calls of its
// internal match(), but a run over many bytes or a long stretch of
// instructions between two points costs nothing there. Past this many
// instructions and bytes scanned the call ends as LimitHit, which PCRE
// itself would not do (it would only take longer): a few milliseconds,
// at the 5 ns or so a step costs (BenchmarkMatch).
const maxSteps = 1 << 20

// stackPerDepth: the stack holds capture undo records beside the
// backtracking points PCRE2's depth limit counts; a cap of this many
// frames per unit of depth keeps memory bounded (1500 × 4 × 20 bytes)
// while leaving the depth PCRE2 would allow.
const stackPerDepth = 4

type frameKind uint8

const (
	fChoice  frameKind = iota // resume at pc, pos
	fUndo                     // restore slots[slot] = old
	fGreedy                   // a greedy run: give back one byte, down to lo
	fLazy                     // a lazy run: take one more byte, up to hi
	fBarrier                  // an opLook's start: pos, continuation pc
)

type frame struct {
	kind frameKind
	pc   int32 // fChoice, fGreedy, fLazy: where to go on; fBarrier: the opLook
	pos  int32
	aux  int32 // fUndo: the slot; fGreedy: lo; fLazy: hi
	old  int32 // fUndo: the old value; fLazy: the set
}

// Machine is the working state of matches: a backtracking stack and
// capture slots. The zero value is ready; reuse it across calls (one
// goroutine at a time). Limits of 0 take the defaults.
type Machine struct {
	MatchLimit int
	DepthLimit int
	stack      []frame
	slots      []int32
	calls      int
	steps      int
}

// Match searches subject from start (PCRE2's start_offset: bytes before
// it are seen by lookbehind, \b and multiline ^ but a match starts at
// start or later) and returns where the leftmost match starts and ends.
// Positions are kept as int32: a subject over 2 GiB is not searched.
func (re *Regexp) Match(m *Machine, subject []byte, start int) (ms, me int, res Result) {
	if start < 0 || start > len(subject) || len(subject) > math.MaxInt32 {
		return 0, 0, NoMatch
	}
	limit := m.MatchLimit
	if limit <= 0 {
		limit = DefaultMatchLimit
	}
	depth := m.DepthLimit
	if depth <= 0 {
		depth = DefaultDepthLimit
	}
	if cap(m.slots) < re.nslots {
		m.slots = make([]int32, re.nslots)
	}
	m.slots = m.slots[:re.nslots]
	m.calls, m.steps = 0, 0
	// The match limit covers the whole call and counts backtracking
	// points, not start positions, as PCRE2's JIT (which Suricata uses
	// where it can) counts it; some releases of the interpreter start the
	// count again at each start position. The step cap bounds the time
	// the start positions take.
	for pos := start; pos <= len(subject); pos++ {
		if re.hasFirst {
			for pos < len(subject) && !re.first.has(subject[pos]) {
				pos++
			}
			if pos == len(subject) {
				break
			}
		}
		if re.anchored && pos != 0 || re.anchoredAtOffset && pos != start {
			break
		}
		if len(subject)-pos < re.minLen {
			break
		}
		end, r := m.run(re, subject, start, pos, limit, depth)
		switch r {
		case Matched:
			return pos, end, Matched
		case LimitHit:
			return 0, 0, LimitHit
		}
	}
	return 0, 0, NoMatch
}

// run tries one start position.
func (m *Machine) run(re *Regexp, subj []byte, searchStart, pos, limit, depth int) (int, Result) {
	for i := range m.slots {
		m.slots[i] = -1
	}
	m.stack = m.stack[:0]
	prog := re.prog
	pc := 0
	n := len(subj)
	for {
		m.steps++
		if m.steps > maxSteps {
			return 0, LimitHit
		}
		in := &prog[pc]
		ok := true
		switch in.op {
		case opByte:
			if pos < n && subj[pos] == byte(in.arg) {
				pos++
				pc++
			} else {
				ok = false
			}
		case opSet:
			if pos < n && re.sets[in.arg].has(subj[pos]) {
				pos++
				pc++
			} else {
				ok = false
			}
		case opRepeat:
			set := &re.sets[in.arg]
			lo := pos + int(in.min)
			if lo > n {
				ok = false
				break
			}
			k := pos
			for ; k < lo; k++ {
				if !set.has(subj[k]) {
					break
				}
			}
			m.steps += k - pos
			if k < lo {
				ok = false
				break
			}
			if in.mode == lazy {
				hi := n
				if in.max >= 0 {
					hi = min(n, pos+int(in.max))
				}
				if lo < hi {
					if !m.push(frame{kind: fLazy, pc: int32(pc + 1), pos: int32(lo), aux: int32(hi), old: in.arg}, limit, depth) {
						return 0, LimitHit
					}
				}
				pos = lo
				pc++
				break
			}
			hi := n
			if in.max >= 0 {
				hi = min(n, pos+int(in.max))
			}
			for ; k < hi && set.has(subj[k]); k++ {
			}
			m.steps += k - lo
			if in.mode == greedy && k > lo {
				if !m.push(frame{kind: fGreedy, pc: int32(pc + 1), pos: int32(k), aux: int32(lo)}, limit, depth) {
					return 0, LimitHit
				}
			}
			pos = k
			pc++
		case opSplit:
			if !m.push(frame{kind: fChoice, pc: in.x, pos: int32(pos)}, limit, depth) {
				return 0, LimitHit
			}
			pc++
		case opSplitLast:
			if !m.push(frame{kind: fChoice, pc: int32(pc + 1), pos: int32(pos)}, limit, depth) {
				return 0, LimitHit
			}
			pc = int(in.x)
		case opJmp:
			pc = int(in.x)
		case opSave, opMark:
			if len(m.stack) >= depth*stackPerDepth {
				return 0, LimitHit
			}
			m.stack = append(m.stack, frame{kind: fUndo, aux: in.arg, old: m.slots[in.arg]})
			m.slots[in.arg] = int32(pos)
			pc++
		case opClose:
			if len(m.stack)+2 > depth*stackPerDepth {
				return 0, LimitHit
			}
			g := 2 * in.arg
			m.stack = append(m.stack, frame{kind: fUndo, aux: g, old: m.slots[g]}, frame{kind: fUndo, aux: g + 1, old: m.slots[g+1]})
			m.slots[g], m.slots[g+1] = m.slots[in.x], int32(pos)
			pc++
		case opProgress:
			if m.slots[in.arg] == int32(pos) {
				pc = int(in.x) // an empty iteration: the loop ends here
			} else {
				pc++
			}
		case opAssert:
			if assertAt(assertKind(in.arg), subj, pos, searchStart) {
				pc++
			} else {
				ok = false
			}
		case opRef:
			s, e := m.slots[2*in.arg], m.slots[2*in.arg+1]
			if s < 0 || e < s || int(e-s) > n-pos {
				ok = false
				break
			}
			l := int(e - s)
			m.steps += l
			for i := 0; i < l; i++ {
				a, b := subj[int(s)+i], subj[pos+i]
				if a != b && !(in.fold && lowerASCII(a) == lowerASCII(b)) {
					ok = false
					break
				}
			}
			if ok {
				pos += l
				pc++
			}
		case opLook:
			if !m.push(frame{kind: fBarrier, pc: int32(pc), pos: int32(pos)}, limit, depth) {
				return 0, LimitHit
			}
			if in.look == lookBehind {
				if pos < int(in.min) {
					// Nothing to look at: the body cannot match.
					ok = false
					break
				}
				pos -= int(in.min)
			}
			pc++
		case opLookEnd:
			b := m.barrier()
			look := &prog[m.stack[b].pc]
			start := int(m.stack[b].pos)
			if look.look == lookBehind && pos != start {
				ok = false
				break
			}
			if look.neg {
				// The body matched, so the assertion fails: undo the body
				// and the barrier, then backtrack from there.
				m.unwind(b)
				ok = false
				break
			}
			m.cut(b)
			if look.look != lookAtomic {
				pos = start
			}
			pc = int(look.x)
		case opMatch:
			return pos, Matched
		}
		if ok {
			continue
		}
		// Backtrack to the latest choice point.
		var r Result
		pc, pos, r = m.backtrack(re, subj, prog, limit, depth)
		if r != Matched {
			return 0, r
		}
	}
}

// push adds a backtracking point, counted against the limits.
func (m *Machine) push(f frame, limit, depth int) bool {
	m.calls++
	if m.calls > limit || len(m.stack) >= depth*stackPerDepth {
		return false
	}
	m.stack = append(m.stack, f)
	return true
}

// backtrack pops frames until one gives somewhere to resume; Matched
// means it found one, NoMatch that the start position has failed.
func (m *Machine) backtrack(re *Regexp, subj []byte, prog []inst, limit, depth int) (pc, pos int, r Result) {
	for len(m.stack) > 0 {
		top := len(m.stack) - 1
		f := &m.stack[top]
		switch f.kind {
		case fUndo:
			m.slots[f.aux] = f.old
			m.stack = m.stack[:top]
		case fChoice:
			pc, pos = int(f.pc), int(f.pos)
			m.stack = m.stack[:top]
			return pc, pos, Matched
		case fGreedy:
			// Give back one byte: a new attempt at what follows, which
			// PCRE2 counts as a match() call.
			m.calls++
			if m.calls > limit {
				return 0, 0, LimitHit
			}
			f.pos--
			pc, pos = int(f.pc), int(f.pos)
			if f.pos <= f.aux {
				m.stack = m.stack[:top]
			}
			return pc, pos, Matched
		case fLazy:
			p := int(f.pos)
			if p >= int(f.aux) || !re.sets[f.old].has(subj[p]) {
				m.stack = m.stack[:top]
				continue
			}
			m.calls++
			if m.calls > limit {
				return 0, 0, LimitHit
			}
			f.pos++
			pc, pos = int(f.pc), int(f.pos)
			if f.pos >= f.aux {
				m.stack = m.stack[:top]
			}
			return pc, pos, Matched
		case fBarrier:
			look := &prog[f.pc]
			m.stack = m.stack[:top]
			if look.neg {
				// The body cannot match: the negative assertion holds.
				return int(look.x), int(f.pos), Matched
			}
		}
	}
	return 0, 0, NoMatch
}

// barrier returns the index of the innermost open opLook's frame.
func (m *Machine) barrier() int {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if m.stack[i].kind == fBarrier {
			return i
		}
	}
	return 0 // not reached: opLookEnd always has its opLook below
}

// unwind pops frames down to and including b, restoring slots.
func (m *Machine) unwind(b int) {
	for i := len(m.stack) - 1; i > b; i-- {
		if f := &m.stack[i]; f.kind == fUndo {
			m.slots[f.aux] = f.old
		}
	}
	m.stack = m.stack[:b]
}

// cut drops the choice points of a matched lookaround or atomic body and
// its barrier, keeping the undo records so that backtracking past it
// still restores the captures it set.
func (m *Machine) cut(b int) {
	w := b
	for i := b + 1; i < len(m.stack); i++ {
		if m.stack[i].kind == fUndo {
			m.stack[w] = m.stack[i]
			w++
		}
	}
	m.stack = m.stack[:w]
}

func assertAt(k assertKind, s []byte, pos, searchStart int) bool {
	n := len(s)
	switch k {
	case aStart:
		return pos == 0
	case aLineStart:
		// PCRE: not after a newline that ends the subject.
		return pos == 0 || pos < n && s[pos-1] == '\n'
	case aEnd:
		return pos == n
	case aEndOrFinalNL:
		return pos == n || pos == n-1 && s[pos] == '\n'
	case aLineEnd:
		return pos == n || s[pos] == '\n'
	case aWordBoundary, aNotWordBoundary:
		before := pos > 0 && isWord(s[pos-1])
		after := pos < n && isWord(s[pos])
		return (before != after) == (k == aWordBoundary)
	case aStartOffset:
		return pos == searchStart
	}
	return false
}
