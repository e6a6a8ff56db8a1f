package rules

import (
	"math/bits"
	"net/netip"
	"slices"
)

// Address and port sets are sorted lists of disjoint inclusive spans, one
// list per family: IPv4 and IPv6 for addresses, one for ports. 128-bit
// values hold either.

type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) u128 {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, carry)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return u128{hi, lo}
}

func (a u128) add1() u128 { return a.add(u128{0, 1}) }
func (a u128) sub1() u128 { return a.sub(u128{0, 1}) }
func (a u128) or(b u128) u128 {
	return u128{a.hi | b.hi, a.lo | b.lo}
}

func (a u128) shr(n uint) u128 {
	switch {
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{0, a.hi >> (n - 64)}
	case n == 0:
		return a
	}
	return u128{a.hi >> n, a.lo>>n | a.hi<<(64-n)}
}

func (a u128) setBit(k int) u128 {
	switch {
	case k >= 128:
		return a
	case k >= 64:
		a.hi |= 1 << (k - 64)
	default:
		a.lo |= 1 << k
	}
	return a
}

func (a u128) trailingZeros() int {
	if a.lo != 0 {
		return bits.TrailingZeros64(a.lo)
	}
	if a.hi != 0 {
		return 64 + bits.TrailingZeros64(a.hi)
	}
	return 128
}

func (a u128) bitLen() int {
	if a.hi != 0 {
		return 64 + bits.Len64(a.hi)
	}
	return bits.Len64(a.lo)
}

func toU128(a netip.Addr) (u128, bool) {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}, true
	}
	b := a.As16()
	var x u128
	for i := 0; i < 8; i++ {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x, false
}

func fromU128(x u128, is4 bool) netip.Addr {
	if is4 {
		v := uint32(x.lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := 7; i >= 0; i-- {
		b[i], b[8+i] = byte(x.hi), byte(x.lo)
		x.hi >>= 8
		x.lo >>= 8
	}
	return netip.AddrFrom16(b)
}

type span struct{ lo, hi u128 }

// spanSets is one sorted, merged span list per family.
type spanSets [][]span

func familyMax(kind exprKind) []u128 {
	if kind == kindAddr {
		return []u128{{0, 1<<32 - 1}, {^uint64(0), ^uint64(0)}}
	}
	return []u128{{0, 65535}}
}

func emptySet(kind exprKind) spanSets { return make(spanSets, len(familyMax(kind))) }

func fullSet(kind exprKind) spanSets {
	var s spanSets
	for _, m := range familyMax(kind) {
		s = append(s, []span{{u128{}, m}})
	}
	return s
}

func addrSpanSet(a, b netip.Addr) spanSets {
	lo, is4 := toU128(a)
	hi, _ := toU128(b)
	s := make(spanSets, 2)
	if is4 {
		s[0] = []span{{lo, hi}}
	} else {
		s[1] = []span{{lo, hi}}
	}
	return s
}

func (s spanSets) empty() bool {
	for _, f := range s {
		if len(f) > 0 {
			return false
		}
	}
	return true
}

func (s spanSets) equal(t spanSets) bool {
	for i := range max(len(s), len(t)) {
		a, b := s.fam(i), t.fam(i)
		if len(a) != len(b) {
			return false
		}
		for j := range a {
			if a[j] != b[j] {
				return false
			}
		}
	}
	return true
}

// fam returns family i's spans; a nil set is empty in every family.
func (s spanSets) fam(i int) []span {
	if i < len(s) {
		return s[i]
	}
	return nil
}

func (s spanSets) union(t spanSets) spanSets { return unionAll([]spanSets{s, t}) }

// unionAll is the union of every set in one sort per family. Folding union
// over a list's items instead copied and sorted the growing result once an
// item, quadratic in the list: a rule header of 16,384 ports took 40 s.
func unionAll(sets []spanSets) spanSets {
	fams := 0
	for _, s := range sets {
		fams = max(fams, len(s))
	}
	out := make(spanSets, fams)
	for i := range out {
		n := 0
		for _, s := range sets {
			n += len(s.fam(i))
		}
		all := make([]span, 0, n)
		for _, s := range sets {
			all = append(all, s.fam(i)...)
		}
		out[i] = mergeSpans(all)
	}
	return out
}

// mergeSpans sorts spans in place and merges overlapping or adjacent ones.
func mergeSpans(all []span) []span {
	slices.SortFunc(all, func(a, b span) int { return a.lo.cmp(b.lo) })
	var merged []span
	for _, sp := range all {
		if n := len(merged); n > 0 {
			last := &merged[n-1]
			// Overlapping or adjacent: extend (last.hi+1 cannot
			// overflow when sp.lo > last.hi).
			if sp.lo.cmp(last.hi) <= 0 || sp.lo == last.hi.add1() {
				if sp.hi.cmp(last.hi) > 0 {
					last.hi = sp.hi
				}
				continue
			}
		}
		merged = append(merged, sp)
	}
	return merged
}

func (s spanSets) complement(kind exprKind) spanSets {
	maxes := familyMax(kind)
	out := make(spanSets, len(maxes))
	for i := range out {
		spans := s.fam(i)
		next := u128{}
		done := false
		for _, sp := range spans {
			if sp.lo.cmp(next) > 0 {
				out[i] = append(out[i], span{next, sp.lo.sub1()})
			}
			if sp.hi == maxes[i] {
				done = true
				break
			}
			next = sp.hi.add1()
		}
		if !done {
			out[i] = append(out[i], span{next, maxes[i]})
		}
	}
	return out
}

func (s spanSets) intersect(t spanSets) spanSets {
	out := make(spanSets, max(len(s), len(t)))
	for i := range out {
		a, b := s.fam(i), t.fam(i)
		for len(a) > 0 && len(b) > 0 {
			lo, hi := a[0].lo, a[0].hi
			if b[0].lo.cmp(lo) > 0 {
				lo = b[0].lo
			}
			if b[0].hi.cmp(hi) < 0 {
				hi = b[0].hi
			}
			if lo.cmp(hi) <= 0 {
				out[i] = append(out[i], span{lo, hi})
			}
			if a[0].hi.cmp(b[0].hi) < 0 {
				a = a[1:]
			} else {
				b = b[1:]
			}
		}
	}
	return out
}

func (s spanSets) minus(kind exprKind, t spanSets) spanSets {
	return s.intersect(t.complement(kind))
}

// portRanges turns a port set into ranges.
func portRanges(s spanSets) []PortRange {
	if len(s) == 0 {
		return nil
	}
	var out []PortRange
	for _, sp := range s[0] {
		out = append(out, PortRange{Lo: uint16(sp.lo.lo), Hi: uint16(sp.hi.lo)})
	}
	return out
}

// prefixes turns an address set into the fewest CIDR prefixes, IPv4 first.
func prefixes(s spanSets) []netip.Prefix {
	var out []netip.Prefix
	for fam, spans := range s {
		is4 := fam == 0
		width := 128
		if is4 {
			width = 32
		}
		for _, sp := range spans {
			lo := sp.lo
			for {
				// The largest aligned block starting at lo that ends by hi.
				k := lo.trailingZeros()
				if k > width {
					k = width
				}
				diff := sp.hi.sub(lo)
				if diff != (u128{^uint64(0), ^uint64(0)}) {
					if m := diff.add1().bitLen() - 1; m < k {
						k = m
					}
				}
				out = append(out, netip.PrefixFrom(fromU128(lo, is4), width-k))
				end := lo.add(u128{}.setBit(k)).sub(u128{0, 1}) // lo + 2^k - 1
				if k == 128 || end.cmp(sp.hi) >= 0 {
					break
				}
				lo = end.add1()
			}
		}
	}
	return out
}
