package rulematch

// Multi-pattern prefilter for the rule matcher, after Suricata's
// detect-engine-prefilter.c and detect-engine-mpm.c: every rule with a
// positive content gives one pattern (its fast_pattern, else its longest
// content), or a few, one of which every match of its pcre holds
// (pcrelit.go), and one pass over a packet's payload says which rules are
// worth evaluating in full. A rule whose patterns are all absent cannot
// match: every buffer the prefilter speaks for is a slice of the payload,
// so a content or a pcre match found in it is found in the payload too.
//
// Case: patterns are stored lowercased and both searches fold the
// payload's case as they read it, so one pass serves both nocase and
// case-sensitive contents; the full match afterwards checks case. A
// case-sensitive pattern can therefore hit on a differently cased payload
// and cost a wasted evaluation, never a missed match.
//
// Two searches share the work, by pattern length:
//
//   - Patterns of two bytes or more go to block indexes (sampling, in the
//     spirit of Wu-Manber and Hyperscan's FDR): with L the shortest
//     pattern of a length tier and w its block width (2 or 4), every
//     occurrence contains a w-byte block starting at a multiple of L-w+1,
//     so the scan looks at one block every L-w+1 bytes, tests a bit in a
//     bitmap of at most 32 KB, and only on a hit looks the block up and
//     verifies the patterns it starts. The tests are independent of
//     each other, so the CPU overlaps them; nothing waits on the previous
//     byte as an automaton does.
//   - Single-byte patterns go to a byte finder (byteFinder).
//
// Measured in one make-bench run on the 300 MB capture with 1,000 generated
// 8-12 byte content rules: the automaton alone spent 1.05 s of a 1.41 s run
// in search (its 2.5 MB table misses cache on every byte); see CHANGELOG.md
// for the block index's figure.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// Pattern length tiers. Each tier has its own index, so a few short
// patterns do not shrink the stride of many long ones: 2-3 bytes are
// indexed by 2-byte blocks (stride 1 or 2), 4-7 and 8 or more by 4-byte
// blocks. Even at stride 1 a block test is cheaper than the automaton's
// dependent load (1.3 against 3 ns a byte in BenchmarkPrefilterSearch).
// Single-byte patterns go to the byte finder.
const (
	blockMin      = 2
	blockTierWide = 4
	blockTierLong = 8
)

// maxStrideLen caps L (the length whose first bytes are indexed): a longer
// L means a longer stride but L-3 index entries a pattern.
const maxStrideLen = 16

// prefilter holds the patterns, the rules that chose each, and the searches
// over them. Read-only once built; the scratch it needs lives in prefilterScratch.
//
// Patterns are split into two groups, after Suricata's per-port signature
// group heads: those of rules open to any port, scanned in every payload,
// and those only of rules limited to a few ports (the default pack's
// $HTTP_PORTS rules), scanned only when the packet's ports can match one.
// Without the split, one any-port rule made every payload pay for the short
// patterns of the port-limited ones. A packet on the ports of both is
// searched once over all patterns (all) rather than once per group: each
// group's tiers scan every byte for their short patterns, and the ET Open
// rules' $HTTP_PORTS rules put four such scans on every web payload.
type prefilter struct {
	minLen   int            // shortest pattern: a shorter buffer cannot hold any
	maxLen   int            // longest pattern: how far past a boundary a spanning one ends
	postings [][]int32      // pattern id → rule indexes, ascending
	patterns [][]byte       // lowercased, by id
	groups   []patternGroup // open first; at most one of each kind
	all      *patternGroup  // both groups' patterns, when there are two
}

// patternGroup is the searches over one group's patterns.
type patternGroup struct {
	ported bool // only patterns of port-limited rules
	bytes  *byteFinder
	blocks []*blockIndex // by tier; at most three
}

// prefilterBuilder collects patterns and deduplicates them: rules sharing a
// fast pattern share one pattern and one posting list.
type prefilterBuilder struct {
	ids      map[string]int32
	patterns [][]byte
	postings [][]int32
	open     []bool // by pattern: some rule wanting it accepts any ports
}

// add registers rule as wanting the lowercased pattern lp; open says the
// rule is not limited to a few ports.
func (b *prefilterBuilder) add(lp []byte, rule int32, open bool) {
	if b.ids == nil {
		b.ids = make(map[string]int32)
	}
	id, ok := b.ids[string(lp)]
	if !ok {
		id = int32(len(b.patterns))
		b.ids[string(lp)] = id
		b.patterns = append(b.patterns, lp)
		b.postings = append(b.postings, nil)
		b.open = append(b.open, false)
	}
	b.postings[id] = append(b.postings[id], rule)
	b.open[id] = b.open[id] || open
}

// build returns the prefilter, or nil when no pattern was added.
func (b *prefilterBuilder) build() *prefilter {
	var tasks []func()
	p := b.plan(&tasks)
	for _, t := range tasks {
		t()
	}
	return p
}

// plan is build with the indexes left to build: the work of each is
// appended to tasks, which the caller runs, on several threads where it
// has them (each index is built apart, into its own place; on one thread
// building ET Open's indexes was the last eighth of its load). The
// prefilter is ready once they have all run.
func (b *prefilterBuilder) plan(tasks *[]func()) *prefilter {
	if len(b.patterns) == 0 {
		return nil
	}
	p := &prefilter{minLen: len(b.patterns[0]), postings: b.postings, patterns: b.patterns}
	var open, ported []int32
	for id, pat := range b.patterns {
		p.minLen = min(p.minLen, len(pat))
		p.maxLen = max(p.maxLen, len(pat))
		if b.open[id] {
			open = append(open, int32(id))
		} else {
			ported = append(ported, int32(id))
		}
	}
	if len(open) > 0 {
		p.groups = append(p.groups, planGroup(b.patterns, open, false, tasks))
	}
	if len(ported) > 0 {
		p.groups = append(p.groups, planGroup(b.patterns, ported, true, tasks))
	}
	if len(p.groups) == 2 {
		all := planGroup(b.patterns, append(slices.Clone(open), ported...), true, tasks)
		p.all = &all
	}
	return p
}

// planGroup splits a group's patterns by length between the byte finder and
// the block index tiers, and appends the work of building each to tasks.
// The group's byte finder and index slice are allocated here, so the
// group may be copied before the tasks fill them.
func planGroup(patterns [][]byte, ids []int32, ported bool, tasks *[]func()) patternGroup {
	g := patternGroup{ported: ported}
	var short, narrow, mid, long []int32
	for _, id := range ids {
		switch n := len(patterns[id]); {
		case n < blockMin:
			short = append(short, id)
		case n < blockTierWide:
			narrow = append(narrow, id)
		case n < blockTierLong:
			mid = append(mid, id)
		default:
			long = append(long, id)
		}
	}
	if len(short) > 0 {
		bf := &byteFinder{}
		g.bytes = bf
		*tasks = append(*tasks, func() { *bf = *buildByteFinder(patterns, short) })
	}
	type tier struct {
		ids   []int32
		width int
	}
	var tiers []tier
	for _, t := range []tier{{narrow, 2}, {mid, 4}, {long, 4}} {
		if len(t.ids) > 0 {
			tiers = append(tiers, t)
		}
	}
	g.blocks = make([]*blockIndex, len(tiers))
	for i, t := range tiers {
		*tasks = append(*tasks, func() { g.blocks[i] = buildBlockIndex(patterns, t.ids, t.width) })
	}
	return g
}

// hasOpen reports whether some pattern belongs to an any-port rule.
func (p *prefilter) hasOpen() bool { return len(p.groups) > 0 && !p.groups[0].ported }

// prefilterScratch is the per-worker state of a search: a generation stamp per
// pattern so a pattern seen many times in one payload adds its rules once.
type prefilterScratch struct {
	seen []uint32
	gen  uint32
}

// next starts a new search over n patterns.
func (s *prefilterScratch) next(n int) {
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

// found adds pattern id's rules to cands unless this search added them.
func (p *prefilter) found(id int32, s *prefilterScratch, cands []int32) []int32 {
	if s.seen[id] != s.gen {
		s.seen[id] = s.gen
		cands = append(cands, p.postings[id]...)
	}
	return cands
}

// search looks for every pattern in buf (any case) and appends to cands the
// rules of each pattern found, each pattern once. Order is unspecified;
// callers sort.
func (p *prefilter) search(buf []byte, s *prefilterScratch, cands []int32) []int32 {
	return p.searchFor(buf, true, s, cands)
}

// searchFor is search limited to the open group unless withPorted: the
// packet's ports already rule out every port-limited rule.
func (p *prefilter) searchFor(buf []byte, withPorted bool, s *prefilterScratch, cands []int32) []int32 {
	s.next(len(p.postings))
	if withPorted && p.all != nil {
		return p.all.search(p, buf, s, cands)
	}
	for gi := range p.groups {
		g := &p.groups[gi]
		if g.ported && !withPorted {
			continue
		}
		cands = g.search(p, buf, s, cands)
	}
	return cands
}

// search runs the group's searches over buf.
func (g *patternGroup) search(p *prefilter, buf []byte, s *prefilterScratch, cands []int32) []int32 {
	if g.bytes != nil && len(buf) > 0 {
		cands = g.bytes.search(p, buf, s, cands)
	}
	for _, bi := range g.blocks {
		if len(buf) >= bi.minLen {
			cands = bi.search(p, buf, s, cands)
		}
	}
	return cands
}

// byteFinder finds single-byte patterns: which of their byte values occur
// in a buffer, in either case. It replaced an Aho-Corasick automaton,
// whose dependent table load per byte cost 3 ns a byte on every payload:
// with the ET Open rules, whose one-byte contents ("=", "|00|", "/") sit in
// every packet's search, that was a sixth of a run. A few values are found
// with bytes.IndexByte (vectorised, stops at the first); more with one
// pass marking the values present, whose stores depend on nothing.
type byteFinder struct {
	vals []byte  // the patterns' byte values, lowercased
	ids  []int32 // the pattern of each
}

// byteScanMax is the most values searched one by one with IndexByte: each
// costs a pass, at some 16 bytes a cycle where the value is absent.
const byteScanMax = 8

func buildByteFinder(patterns [][]byte, ids []int32) *byteFinder {
	bf := &byteFinder{}
	for _, id := range ids {
		bf.vals = append(bf.vals, patterns[id][0])
		bf.ids = append(bf.ids, id)
	}
	return bf
}

// search appends the rules of the patterns whose byte buf holds.
func (bf *byteFinder) search(p *prefilter, buf []byte, s *prefilterScratch, cands []int32) []int32 {
	if len(bf.vals) <= byteScanMax {
		for i, v := range bf.vals {
			if bytes.IndexByte(buf, v) >= 0 || 'a' <= v && v <= 'z' && bytes.IndexByte(buf, v-('a'-'A')) >= 0 {
				cands = p.found(bf.ids[i], s, cands)
			}
		}
		return cands
	}
	var seen [256]bool
	for _, c := range buf {
		seen[c] = true
	}
	for i, v := range bf.vals {
		if seen[v] || 'a' <= v && v <= 'z' && seen[v-('a'-'A')] {
			cands = p.found(bf.ids[i], s, cands)
		}
	}
	return cands
}

// blockIndex finds patterns of at least minLen bytes by sampling one block
// of w bytes (2 or 4) every stride bytes. An occurrence at s spans
// s..s+minLen-1 and the first multiple of stride (= minLen-w+1) at or after
// s is at most s+minLen-w, so the block there lies wholly inside the
// occurrence, at offset k < stride from its start. The index holds, for
// each pattern, its blocks at offsets 0..stride-1, keyed by the block's
// bytes with 0x20 set (ASCII case folded, plus a few harmless collisions
// such as '@' with '`'; verification is exact).
type blockIndex struct {
	minLen int // L, capped at maxStrideLen
	width  int // w: 2 or 4
	stride int // L-w+1
	// bloom has one bit per block (4-byte blocks hashed, 2-byte ones
	// exact): a clear bit means no pattern has this block at an indexed
	// offset, the common case the scan is built for.
	bloom []uint64
	// bloomShift keeps the top 32-bloomShift bits of a 4-byte block's
	// hash: see bloomBitsFor.
	bloomShift uint8
	// keys is an open-addressing table of folded blocks (0 marks empty;
	// a folded block is never 0, as every byte has 0x20 set); spans, by
	// the same slot, say which entries have that block.
	keys []uint32
	// keyShift keeps the top log2(len(keys)) bits of a block's hash as its
	// first slot. A fixed 16 bits made tables past 65,536 slots (some
	// 20k patterns) start every probe in their first 65,536 slots, so
	// lookups walked long runs: 100k rules took 35 ms a packet.
	keyShift uint8
	spans    []blockSpan
	entries  []blockEntry
}

type blockSpan struct{ lo, hi int32 }

// blockEntry is one pattern having the block at offset k.
type blockEntry struct {
	id int32
	k  int32
}

const (
	foldMask = 0x20202020
	hashMul  = 0x9E3779B1 // Fibonacci hashing: the high bits are well mixed
)

// Bloom filter sizes for 4-byte blocks, in log2 bits. 2^18 bits (32 KB)
// fits L1 and serves up to some 30k blocks (a few thousand patterns); a
// bigger table keeps about 8 bits a block, so the filter still rejects
// most samples rather than sending each to the slot table, up to 2^24 bits
// (2 MB, an L2 or L3 hit) for the largest feeds.
const (
	bloomBitsMin = 18
	bloomBitsMax = 24
)

// bloomBitsFor is the log2 size of the bloom filter for n distinct blocks.
func bloomBitsFor(n int) int {
	return min(max(bits.Len(uint(n))+3, bloomBitsMin), bloomBitsMax)
}

// blockOf is the folded block of w bytes at the start of b.
func blockOf(b []byte, w int) uint32 {
	if w == 2 {
		return uint32(binary.LittleEndian.Uint16(b)) | foldMask&0xffff
	}
	return binary.LittleEndian.Uint32(b) | foldMask
}

// bloomBit is the bloom filter bit of a block.
func (bi *blockIndex) bloomBit(blk uint32) uint32 {
	if bi.width == 2 {
		return blk
	}
	return blk * hashMul >> bi.bloomShift
}

// buildBlockIndex indexes the patterns named by ids (all at least w bytes
// long) by blocks of w bytes.
func buildBlockIndex(patterns [][]byte, ids []int32, w int) *blockIndex {
	bi := &blockIndex{minLen: maxStrideLen, width: w}
	for _, id := range ids {
		bi.minLen = min(bi.minLen, len(patterns[id]))
	}
	bi.stride = bi.minLen - w + 1
	// at most a block per indexed offset of each pattern; made to size, as
	// growing it rehashed it over and over for ET Open's 8,000 long patterns
	byBlock := make(map[uint32][]blockEntry, len(ids)*bi.stride)
	order := make([]uint32, 0, len(ids)*bi.stride)
	for _, id := range ids {
		pat := patterns[id]
		for k := 0; k < bi.stride; k++ {
			blk := blockOf(pat[k:], w)
			if _, ok := byBlock[blk]; !ok {
				order = append(order, blk)
			}
			byBlock[blk] = append(byBlock[blk], blockEntry{id: id, k: int32(k)})
		}
	}
	bloomBits := bloomBitsFor(len(order))
	if w == 2 {
		bloomBits = 16 // every 2-byte block has its own bit
	}
	bi.bloom = make([]uint64, 1<<bloomBits/64)
	bi.bloomShift = uint8(32 - bloomBits)
	// At most half full, so a probe for an absent block ends within a few
	// slots.
	logSize := bits.Len(uint(2 * len(order)))
	bi.keys = make([]uint32, 1<<logSize)
	bi.spans = make([]blockSpan, 1<<logSize)
	bi.keyShift = uint8(32 - logSize)
	for _, blk := range order {
		h := bi.bloomBit(blk)
		bi.bloom[h/64] |= 1 << (h % 64)
		slot := bi.slot(blk)
		bi.keys[slot] = blk
		lo := int32(len(bi.entries))
		bi.entries = append(bi.entries, byBlock[blk]...)
		bi.spans[slot] = blockSpan{lo, int32(len(bi.entries))}
	}
	return bi
}

// slot finds blk's slot in keys: where it is, or the empty one it would go to.
func (bi *blockIndex) slot(blk uint32) int {
	mask := len(bi.keys) - 1
	i := int(blk*hashMul>>(bi.keyShift&31)) & mask
	for bi.keys[i] != 0 && bi.keys[i] != blk {
		i = (i + 1) & mask
	}
	return i
}

// search samples buf one block every stride bytes.
func (bi *blockIndex) search(p *prefilter, buf []byte, s *prefilterScratch, cands []int32) []int32 {
	if bi.width == 2 {
		return bi.search2(p, buf, s, cands)
	}
	bloom, stride, shift := bi.bloom, bi.stride, bi.bloomShift
	for j := 0; j+4 <= len(buf); j += stride {
		blk := binary.LittleEndian.Uint32(buf[j:]) | foldMask
		h := blk * hashMul >> (shift & 31) // & 31: no check for shifts past 32 in the loop
		if bloom[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		cands = bi.verify(p, buf, j, blk, s, cands)
	}
	return cands
}

// search2 is search for 2-byte blocks: the bloom filter is exact, so no
// hashing; kept apart so neither loop branches on the width.
func (bi *blockIndex) search2(p *prefilter, buf []byte, s *prefilterScratch, cands []int32) []int32 {
	bloom, stride := bi.bloom, bi.stride
	for j := 0; j+2 <= len(buf); j += stride {
		blk := uint32(binary.LittleEndian.Uint16(buf[j:])) | foldMask&0xffff
		if bloom[blk/64]&(1<<(blk%64)) == 0 {
			continue
		}
		cands = bi.verify(p, buf, j, blk, s, cands)
	}
	return cands
}

// verify checks the patterns having block blk, found at j, in place.
func (bi *blockIndex) verify(p *prefilter, buf []byte, j int, blk uint32, s *prefilterScratch, cands []int32) []int32 {
	slot := bi.slot(blk)
	if bi.keys[slot] == 0 {
		return cands // a bloom false positive
	}
	sp := bi.spans[slot]
	for _, e := range bi.entries[sp.lo:sp.hi] {
		start := j - int(e.k)
		pat := p.patterns[e.id]
		if start >= 0 && start+len(pat) <= len(buf) && s.seen[e.id] != s.gen && equalFolded(buf[start:start+len(pat)], pat) {
			cands = p.found(e.id, s, cands)
		}
	}
	return cands
}

// equalFolded reports whether b equals the lowercased pattern lp once b's
// ASCII capitals are folded.
func equalFolded(b, lp []byte) bool {
	for i, c := range b {
		if c != lp[i] && (c < 'A' || c > 'Z' || c+'a'-'A' != lp[i]) {
			return false
		}
	}
	return true
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

// strictlyAscending reports whether cands is sorted without repeats.
func strictlyAscending(cands []int32) bool {
	for i := 1; i < len(cands); i++ {
		if cands[i] <= cands[i-1] {
			return false
		}
	}
	return true
}

// sortUnique returns cands sorted ascending without repeats: by a bitmap
// over the rule indexes when there are many (a payload of common patterns
// names hundreds of rules; sorting them was a sixth of the matching with
// the ET Open rules), else by sorting. bits is scratch, left clear.
func sortUnique(cands []int32, bitmap *[]uint64, rules int) []int32 {
	if len(cands) < 64 {
		if strictlyAscending(cands) {
			// one posting or port list alone, the common case with a
			// small rule set: sorting them cost 1-2 % of a run
			return cands
		}
		slices.Sort(cands)
		return slices.Compact(cands)
	}
	words := (rules + 63) / 64
	if len(*bitmap) < words {
		*bitmap = make([]uint64, words)
	}
	b := *bitmap
	lo, hi := words, 0
	for _, ri := range cands {
		w := int(ri >> 6)
		b[w] |= 1 << (ri & 63)
		lo, hi = min(lo, w), max(hi, w)
	}
	out := cands[:0]
	for w := lo; w <= hi; w++ {
		for x := b[w]; x != 0; x &= x - 1 {
			out = append(out, int32(w<<6|bits.TrailingZeros64(x)))
		}
		b[w] = 0
	}
	return out
}
