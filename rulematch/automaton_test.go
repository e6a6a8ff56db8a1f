package rulematch

// The Aho-Corasick automaton the prefilter used before its block indexes
// and byte finder: kept for BenchmarkPrefilterSearch, the figure they are
// measured against.

import "math/bits"

// automaton is an Aho-Corasick trie compiled into a full DFA over byte
// classes (the distinct bytes of the patterns, with case folded into the
// class map, so no lowercased copy of the payload is made), one int32 a
// transition, the low bit saying the state ends a pattern.
type automaton struct {
	minLen int
	// cls maps a byte to its column; upper-case ASCII shares its lower-case
	// column, bytes in no pattern share column 0.
	cls   [256]uint8
	shift uint // columns per state = 1 << shift
	// trans[state<<shift|class] = next<<1 | (1 if next ends a pattern)
	trans []int32
	// outIdx[state]..outIdx[state+1] indexes outs: the pattern ids ending in
	// a state, its own and those of its suffixes.
	outIdx []int32
	outs   []int32
}

// buildAutomaton compiles the patterns named by ids.
func buildAutomaton(patterns [][]byte, ids []int32) *automaton {
	a := &automaton{minLen: len(patterns[ids[0]])}
	ncls := 1
	for _, id := range ids {
		pat := patterns[id]
		a.minLen = min(a.minLen, len(pat))
		for _, c := range pat {
			if a.cls[c] == 0 {
				a.cls[c] = uint8(ncls)
				ncls++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		a.cls[c] = a.cls[c+'a'-'A'] // patterns are lowercased: fold the payload
	}
	a.shift = uint(bits.Len(uint(ncls - 1)))
	width := 1 << a.shift
	gotoT := make([]int32, width)
	own := [][]int32{nil}
	for _, id := range ids {
		st := 0
		for _, c := range patterns[id] {
			i := st*width + int(a.cls[c])
			if gotoT[i] == 0 {
				gotoT = append(gotoT, make([]int32, width)...)
				own = append(own, nil)
				gotoT[i] = int32(len(own))
			}
			st = int(gotoT[i] - 1)
		}
		own[st] = append(own[st], id)
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
	a.trans = make([]int32, n*width)
	for i, to := range next {
		v := to << 1
		if len(outs[to]) > 0 {
			v |= 1
		}
		a.trans[i] = v
	}
	a.outIdx = make([]int32, n+1)
	for st := 0; st < n; st++ {
		a.outIdx[st] = int32(len(a.outs))
		a.outs = append(a.outs, outs[st]...)
	}
	a.outIdx[n] = int32(len(a.outs))
	return a
}

// search runs the automaton once over buf.
func (a *automaton) search(p *prefilter, buf []byte, s *prefilterScratch, cands []int32) []int32 {
	trans, cls, shift := a.trans, &a.cls, a.shift
	v := int32(0)
	for _, c := range buf {
		v = trans[int(v>>1)<<shift|int(cls[c])]
		if v&1 == 0 {
			continue
		}
		st := v >> 1
		for _, id := range a.outs[a.outIdx[st]:a.outIdx[st+1]] {
			cands = p.found(id, s, cands)
		}
	}
	return cands
}
