package rulematch

import (
	"bytes"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefilterMatchesContains checks both searches (byte finder, with few
// values and many, and block index, each tier) against a plain case-folded bytes.Contains over random
// pattern sets, lengths 1 to 20, and haystacks in mixed case.
func TestPrefilterMatchesContains(t *testing.T) {
	cases := []struct {
		name           string
		alpha          string
		minLen, maxLen int
		patterns       int
	}{
		{"short only", "abcAB\x00\xff", 1, 3, 50},
		{"many single bytes", "abcdefghijklmnopqrstuvwxyzABC\x00\x80\xff{@", 1, 1, 100},
		{"narrow tier", "abAB@`\x00", 2, 3, 100},
		{"mid tier", "abcdAB@`", 4, 7, 200},
		{"long tier", "abcdeABC-_", 8, 20, 300},
		{"all tiers", "abcABC@`{[", 1, 20, 400},
		{"stride cap", "abAB", 16, 24, 50},
		{"one to six bytes, no capitals", "abcab\x00\xff", 1, 6, 300},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.patterns)))
			word := func(n int) []byte {
				b := make([]byte, n)
				for i := range b {
					b[i] = tc.alpha[rng.IntN(len(tc.alpha))]
				}
				return b
			}
			var b prefilterBuilder
			for i := range tc.patterns {
				b.add(lowerASCII(nil, word(tc.minLen+rng.IntN(tc.maxLen-tc.minLen+1))), int32(i), true)
			}
			pf := b.build()
			var s prefilterScratch
			for range 2000 {
				hay := word(rng.IntN(120))
				if rng.IntN(3) == 0 && len(pf.patterns) > 0 { // plant a pattern, upper-cased
					p := upperASCII(pf.patterns[rng.IntN(len(pf.patterns))])
					at := rng.IntN(len(hay) + 1)
					hay = append(hay[:at], append(p, hay[at:]...)...)
				}
				got := pf.search(hay, &s, nil)
				slices.Sort(got)
				var want []int32
				low := lowerASCII(nil, hay)
				for id, p := range pf.patterns {
					if bytes.Contains(low, p) {
						want = append(want, pf.postings[id]...)
					}
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("%q: got %v, want %v", hay, got, want)
				}
			}
		})
	}
}

func TestPrefilterTiers(t *testing.T) {
	var b prefilterBuilder
	for i, p := range []string{"a", "abc", "abcdef", "abcdefghijkl", "0123456789abcdefghijklmnop"} {
		b.add([]byte(p), int32(i), true)
	}
	pf := b.build()
	if len(pf.groups) != 1 || pf.groups[0].ported {
		t.Fatalf("groups %+v, want one open group", pf.groups)
	}
	g := pf.groups[0]
	if g.bytes == nil || !slices.Equal(g.bytes.vals, []byte("a")) {
		t.Fatalf("byte finder for the 1-byte pattern: %+v", g.bytes)
	}
	type tier struct{ w, l, stride int }
	var got []tier
	for _, bi := range g.blocks {
		got = append(got, tier{bi.width, bi.minLen, bi.stride})
	}
	want := []tier{{2, 3, 2}, {4, 6, 3}, {4, 12, 9}}
	if !slices.Equal(got, want) {
		t.Errorf("block tiers (width, L, stride) = %v, want %v", got, want)
	}
	if pf.minLen != 1 || pf.maxLen != 26 {
		t.Errorf("minLen %d maxLen %d, want 1 and 26", pf.minLen, pf.maxLen)
	}
}

func TestEqualFolded(t *testing.T) {
	for _, tc := range []struct {
		b, lp string
		want  bool
	}{
		{"GET /", "get /", true},
		{"get /", "get /", true},
		{"@", "`", false}, // the block key folds these together; verification must not
		{"[", "{", false},
		{"\xc1", "\xe1", false}, // Latin-1 capitals are not folded
		{"AbC", "abd", false},
	} {
		if got := equalFolded([]byte(tc.b), []byte(tc.lp)); got != tc.want {
			t.Errorf("equalFolded(%q, %q) = %v, want %v", tc.b, tc.lp, got, tc.want)
		}
	}
}

// BenchmarkPrefilterSearch times one search over a 1,400-byte payload with
// 1,000 random 8-12 byte patterns (as make bench generates) that it does
// not contain.
func BenchmarkPrefilterSearch(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-."
	var pb prefilterBuilder
	for i := range 1000 {
		p := make([]byte, 8+rng.IntN(5))
		for j := range p {
			p[j] = alphabet[rng.IntN(len(alphabet))]
		}
		pb.add(lowerASCII(nil, p), int32(i), true)
	}
	pf := pb.build()
	payloads := map[string][]byte{
		"text":   bytes.Repeat([]byte("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\n"), 20)[:1400],
		"binary": make([]byte, 1400),
	}
	for i := range payloads["binary"] {
		payloads["binary"][i] = byte(rng.IntN(256))
	}
	// The same patterns in one automaton, as before the block index: the
	// figure the index is measured against.
	all := make([]int32, len(pf.patterns))
	for i := range all {
		all[i] = int32(i)
	}
	ac := buildAutomaton(pf.patterns, all)
	for _, name := range []string{"text", "binary"} {
		buf := payloads[name]
		b.Run(name, func(b *testing.B) {
			var s prefilterScratch
			var cands []int32
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				cands = pf.search(buf, &s, cands[:0])
			}
		})
		b.Run(name+"/automaton-only", func(b *testing.B) {
			var s prefilterScratch
			var cands []int32
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				s.next(len(pf.patterns))
				cands = ac.search(pf, buf, &s, cands[:0])
			}
		})
	}
}

func upperASCII(p []byte) []byte {
	out := make([]byte, len(p))
	for i, c := range p {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// TestPrefilterPortGroups checks that patterns only port-limited rules want
// are skipped when the packet's ports rule those rules out, and that a
// pattern shared with an any-port rule is always searched.
func TestPrefilterPortGroups(t *testing.T) {
	var b prefilterBuilder
	b.add([]byte("() {"), 0, false)   // port-limited only
	b.add([]byte("nessus"), 1, false) // port-limited ...
	b.add([]byte("nessus"), 2, true)  // ... and any-port: open
	b.add([]byte("x-bench-pattern"), 3, true)
	pf := b.build()
	if len(pf.groups) != 2 || pf.groups[0].ported || !pf.groups[1].ported || !pf.hasOpen() {
		t.Fatalf("groups %+v: want open then ported", pf.groups)
	}
	hay := []byte("() { :;}; NESSUS x-bench-pattern")
	var s prefilterScratch
	for _, tc := range []struct {
		withPorted bool
		want       []int32
	}{
		{true, []int32{0, 1, 2, 3}},
		{false, []int32{1, 2, 3}},
	} {
		got := pf.searchFor(hay, tc.withPorted, &s, nil)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("withPorted %v: got %v, want %v", tc.withPorted, got, tc.want)
		}
	}
}

// TestPrefilterPortGroupsRandom: with port-limited and any-port patterns
// mixed, a search with the ported group (through the combined index) finds
// every pattern the payload holds, and one without finds the any-port ones.
func TestPrefilterPortGroupsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const alpha = "abcdAB@\x00"
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return b
	}
	var b prefilterBuilder
	for i := range 300 {
		o := rng.IntN(3) == 0
		b.add(lowerASCII(nil, word(1+rng.IntN(12))), int32(i), o)
	}
	pf := b.build()
	if pf.all == nil {
		t.Fatal("no combined index for two groups")
	}
	var s prefilterScratch
	for range 2000 {
		hay := word(rng.IntN(200))
		low := lowerASCII(nil, hay)
		for _, withPorted := range []bool{true, false} {
			got := pf.searchFor(hay, withPorted, &s, nil)
			slices.Sort(got)
			got = slices.Compact(got)
			var want []int32
			for id, p := range pf.patterns {
				if !bytes.Contains(low, p) {
					continue
				}
				for _, r := range pf.postings[id] {
					if withPorted || b.open[id] {
						want = append(want, r)
					}
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%q withPorted %v: got %v, want %v", hay, withPorted, got, want)
			}
		}
	}
}

func TestLowerASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var dst []byte
	for n := range 100 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		if n > 10 {
			copy(src, "@AZ[`az{\x80\xc1")
		}
		dst = lowerASCII(dst, src)
		for i, c := range src {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if dst[i] != want {
				t.Fatalf("%q: byte %d %#x became %#x, want %#x", src, i, c, dst[i], want)
			}
		}
	}
}

// TestBlockIndexLargeTables checks that the block index's slot table stays
// a hash lookup as it grows past 65,536 slots (a 16-bit slot hash started
// every probe in the first 65,536 slots, so 100k rules walked long runs),
// counting probes rather than timing them, and that its bloom filter grows
// with it, and that planted patterns are still found.
func TestBlockIndexLargeTables(t *testing.T) {
	for _, n := range []int{1_000, 30_000, 100_000} {
		rng := rand.New(rand.NewPCG(5, uint64(n)))
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/_-.%"
		var b prefilterBuilder
		for i := range n {
			p := make([]byte, 8+rng.IntN(5))
			for j := range p {
				p[j] = alphabet[rng.IntN(len(alphabet))]
			}
			b.add(p, int32(i), true)
		}
		pf := b.build()
		bi := pf.groups[0].blocks[0]
		// Average probes to find a present block: under 2 when the table is
		// at most half full and the hash spreads over all of it.
		probes, keys := 0, 0
		mask := len(bi.keys) - 1
		for i, k := range bi.keys {
			if k == 0 {
				continue
			}
			keys++
			home := int(k*hashMul>>bi.keyShift) & mask
			probes += (i-home)&mask + 1
		}
		if avg := float64(probes) / float64(keys); avg > 2 {
			t.Errorf("%d patterns, %d blocks in %d slots: %.1f probes a lookup, want under 2", n, keys, len(bi.keys), avg)
		}
		// The bloom filter keeps some 8 bits a block: most samples of
		// unrelated bytes stop there.
		set := 0
		for _, w := range bi.bloom {
			set += bits.OnesCount64(w)
		}
		if fill := float64(set) / float64(64*len(bi.bloom)); fill > 0.25 {
			t.Errorf("%d patterns: bloom filter %.0f%% full", n, 100*fill)
		}
		var s prefilterScratch
		for _, id := range []int32{0, int32(n / 2), int32(n - 1)} {
			hay := append(append([]byte("GET /x?"), upperASCII(pf.patterns[id])...), " HTTP/1.1"...)
			got := pf.search(hay, &s, nil)
			if !slices.Contains(got, id) {
				t.Errorf("%d patterns: pattern %d %q not found in %q", n, id, pf.patterns[id], hay)
			}
		}
		if n == 100_000 {
			hay := bytes.Repeat([]byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n"), 30)
			var cands []int32
			if a := testing.AllocsPerRun(20, func() { cands = pf.search(hay, &s, cands[:0]) }); a != 0 {
				t.Errorf("%d patterns: %v allocations a search, want 0", n, a)
			}
		}
	}
}

// TestSortUnique: the bitmap path and the sorting path both give sorted,
// repeat-free candidates, and the bitmap is left clear for the next packet.
func TestSortUnique(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var bitmap []uint64
	for _, n := range []int{0, 1, 5, 63, 64, 65, 300, 5000} {
		for _, rules := range []int{1, 64, 70, 20000} {
			in := make([]int32, n)
			for i := range in {
				in[i] = int32(rng.IntN(rules))
			}
			want := slices.Compact(slices.Sorted(slices.Values(in)))
			// random order, one ascending list (returned as it is), and
			// an ascending list with a repeat
			repeated := append(slices.Clone(want), want...)
			slices.Sort(repeated)
			for _, in := range [][]int32{in, slices.Clone(want), repeated} {
				got := sortUnique(slices.Clone(in), &bitmap, rules)
				if !slices.Equal(got, want) {
					t.Fatalf("%d candidates of %d rules: got %v, want %v", n, rules, got, want)
				}
				for i, w := range bitmap {
					if w != 0 {
						t.Fatalf("%d candidates of %d rules: bitmap word %d left %x", n, rules, i, w)
					}
				}
			}
		}
	}
}
