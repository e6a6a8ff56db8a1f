package detectors

// Multi-pattern prefilter for the rule matcher, after Suricata's
// detect-engine-prefilter.c and detect-engine-mpm.c: every rule with a
// positive content gives one pattern (its fast_pattern, else its longest
// content), all patterns of a protocol go into one Aho-Corasick automaton,
// and one pass over a packet's payload says which rules are worth
// evaluating in full. A rule whose pattern is absent cannot match: every
// buffer the matcher inspects is a slice of the payload, so a content found
// in any buffer is found in the payload too.
//
// Case: patterns are stored lowercased and the automaton folds the
// payload's case as it reads it, so one automaton and one pass serve both
// nocase and case-sensitive contents; the full match afterwards checks
// case. A case-sensitive pattern therefore can hit on a
// differently cased payload and cost a wasted evaluation, never a missed
// match.
//
// The automaton is our own: the Aho-Corasick trie compiled into a full DFA
// over byte classes (the distinct bytes of the patterns, with case folded
// into the class map, so no lowercased copy of the payload is made), one
// int32 a transition, the low bit saying the state ends a pattern. The scan
// is one table load per byte. Measured in one make-bench run on the 300 MB
// capture with 1,000 generated content rules: 2.35 s and 44 MB peak RSS,
// against 2.93 s and 55 MB with github.com/BobuSumisu/aho-corasick (a
// 2 KB row a state, and a lowercased copy of each payload first).

import (
	"encoding/binary"
	"math/bits"
)

// prefilter is one compiled automaton and, per pattern, the rules that chose
// it. Read-only once built; the scratch it needs lives in pfScratch.
type prefilter struct {
	minLen int // shortest pattern: a shorter buffer cannot hold any
	maxLen int // longest pattern: how far past a boundary a spanning one ends
	// cls maps a byte to its column; upper-case ASCII shares its lower-case
	// column, bytes in no pattern share column 0.
	cls   [256]uint8
	shift uint // columns per state = 1 << shift
	// trans[state<<shift|class] = next<<1 | (1 if next ends a pattern)
	trans []int32
	// outIdx[state]..outIdx[state+1] indexes outs: the patterns ending in
	// a state, its own and those of its suffixes.
	outIdx   []int32
	outs     []int32
	postings [][]int32 // pattern id → rule indexes, ascending
	patterns [][]byte  // lowercased, by id (for tests and memory estimates)
}

// prefilterBuilder collects patterns and deduplicates them: rules sharing a
// fast pattern share one trie path and one posting list.
type prefilterBuilder struct {
	ids      map[string]int32
	patterns [][]byte
	postings [][]int32
}

// add registers rule as wanting the lowercased pattern lp.
func (b *prefilterBuilder) add(lp []byte, rule int32) {
	if b.ids == nil {
		b.ids = make(map[string]int32)
	}
	id, ok := b.ids[string(lp)]
	if !ok {
		id = int32(len(b.patterns))
		b.ids[string(lp)] = id
		b.patterns = append(b.patterns, lp)
		b.postings = append(b.postings, nil)
	}
	b.postings[id] = append(b.postings[id], rule)
}

// build returns the prefilter, or nil when no pattern was added.
func (b *prefilterBuilder) build() *prefilter {
	if len(b.patterns) == 0 {
		return nil
	}
	p := &prefilter{minLen: len(b.patterns[0]), postings: b.postings, patterns: b.patterns}
	ncls := 1
	for _, pat := range b.patterns {
		p.minLen = min(p.minLen, len(pat))
		p.maxLen = max(p.maxLen, len(pat))
		for _, c := range pat {
			if p.cls[c] == 0 {
				p.cls[c] = uint8(ncls)
				ncls++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		p.cls[c] = p.cls[c+'a'-'A'] // patterns are lowercased: fold the payload
	}
	p.shift = uint(bits.Len(uint(ncls - 1)))
	width := 1 << p.shift
	gotoT := make([]int32, width)
	own := [][]int32{nil}
	for id, pat := range b.patterns {
		st := 0
		for _, c := range pat {
			i := st*width + int(p.cls[c])
			if gotoT[i] == 0 {
				gotoT = append(gotoT, make([]int32, width)...)
				own = append(own, nil)
				gotoT[i] = int32(len(own))
			}
			st = int(gotoT[i] - 1)
		}
		own[st] = append(own[st], int32(id))
	}
	n := len(own)
	fail := make([]int32, n)
	next := make([]int32, n*width)
	outs := make([][]int32, n)
	queue := make([]int32, 0, n)
	for col := 0; col < width; col++ {
		if ch := gotoT[col]; ch != 0 {
			next[col] = ch - 1
			queue = append(queue, ch-1)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		st := int(queue[qi])
		outs[st] = append(append([]int32(nil), own[st]...), outs[fail[st]]...)
		for col := 0; col < width; col++ {
			ch := gotoT[st*width+col]
			if ch == 0 {
				next[st*width+col] = next[int(fail[st])*width+col]
				continue
			}
			child := ch - 1
			fail[child] = next[int(fail[st])*width+col]
			next[st*width+col] = child
			queue = append(queue, child)
		}
	}
	p.trans = make([]int32, n*width)
	for i, to := range next {
		v := to << 1
		if len(outs[to]) > 0 {
			v |= 1
		}
		p.trans[i] = v
	}
	p.outIdx = make([]int32, n+1)
	for st := 0; st < n; st++ {
		p.outIdx[st] = int32(len(p.outs))
		p.outs = append(p.outs, outs[st]...)
	}
	p.outIdx[n] = int32(len(p.outs))
	return p
}

// pfScratch is the per-worker state of a search: a generation stamp per
// pattern so a pattern seen many times in one payload adds its rules once.
type pfScratch struct {
	seen []uint32
	gen  uint32
}

// next starts a new search over n patterns.
func (s *pfScratch) next(n int) {
	if len(s.seen) < n {
		s.seen = make([]uint32, n)
		s.gen = 0
	}
	s.gen++
	if s.gen == 0 { // wrapped: stale stamps could equal the new generation
		clear(s.seen)
		s.gen = 1
	}
}

// search runs the automaton once over buf (any case) and appends to cands
// the rules of every pattern found, each pattern once. Order follows the
// payload; callers sort.
func (p *prefilter) search(buf []byte, s *pfScratch, cands []int32) []int32 {
	s.next(len(p.postings))
	seen, gen := s.seen, s.gen
	trans, cls, shift := p.trans, &p.cls, p.shift
	v := int32(0)
	for _, c := range buf {
		v = trans[int(v>>1)<<shift|int(cls[c])]
		if v&1 == 0 {
			continue
		}
		st := v >> 1
		for _, pat := range p.outs[p.outIdx[st]:p.outIdx[st+1]] {
			if seen[pat] != gen {
				seen[pat] = gen
				cands = append(cands, p.postings[pat]...)
			}
		}
	}
	return cands
}

// lowerASCII writes src with A-Z folded to a-z into dst, reusing its
// backing array, and returns it. Eight bytes at a time: a byte loop made
// this 16% of the matcher's time on the benchmark mix.
func lowerASCII(dst, src []byte) []byte {
	if cap(dst) < len(src) {
		dst = make([]byte, len(src), len(src)+len(src)/2)
	}
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], lower8(binary.LittleEndian.Uint64(src[i:])))
	}
	for ; i < len(src); i++ {
		c := src[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst
}

// lower8 folds the ASCII capitals among the eight bytes of w. Each byte's
// low seven bits plus a bias set its high bit exactly when it is at least
// 'A' (or above 'Z'); the sums stay under 256, so no carry crosses bytes.
// Bytes with the high bit set are not ASCII and are left alone.
func lower8(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	h := w &^ high
	geA := h + ones*(0x80-'A')
	gtZ := h + ones*(0x80-'Z'-1)
	upper := geA &^ gtZ &^ w & high
	return w | upper>>2
}
