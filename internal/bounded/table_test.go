package bounded

import (
	"math/rand"
	"net/netip"
	"strconv"
	"testing"
)

func TestTableLRUAndCap(t *testing.T) {
	tb := New[int, int](3)
	for k := 1; k <= 3; k++ {
		v, created := tb.Put(k, int64(k), nil)
		if !created {
			t.Fatalf("put %d: not created", k)
		}
		*v = k * 10
	}
	if v, ok := tb.Get(1, 4); !ok || *v != 10 { // 1 becomes most recent
		t.Fatalf("get 1 = %v %v", v, ok)
	}
	var evicted []int
	tb.Put(4, 5, func(k int, _ *int) { evicted = append(evicted, k) })
	if len(evicted) != 1 || evicted[0] != 2 || tb.Evicted() != 1 {
		t.Fatalf("evicted %v (count %d), want the stalest key 2", evicted, tb.Evicted())
	}
	if _, ok := tb.Peek(2); ok {
		t.Fatal("2 still present")
	}
	var order []int
	tb.Each(func(k int, _ *int) { order = append(order, k) })
	if want := []int{3, 1, 4}; len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Fatalf("order %v, want %v", order, want)
	}
}

func TestTableExpireAndReuse(t *testing.T) {
	tb := New[int, int](10)
	for k := 0; k < 10; k++ {
		tb.Put(k, int64(k), nil)
	}
	var expired []int
	if n := tb.Expire(5, func(k int, _ *int) { expired = append(expired, k) }); n != 5 {
		t.Fatalf("expired %d, want 5", n)
	}
	for i, k := range expired {
		if k != i {
			t.Fatalf("expired %v, want oldest first", expired)
		}
	}
	tb.Delete(7)
	if tb.Len() != 4 {
		t.Fatalf("len %d", tb.Len())
	}
	// freed slots are reused: no growth past the cap
	for k := 100; k < 106; k++ {
		v, _ := tb.Put(k, 20, nil)
		*v = k
	}
	if len(tb.slots) != 10 || cap(tb.slots) != 10 || tb.Len() != 10 || tb.Evicted() != 0 {
		t.Fatalf("slots %d (room for %d) len %d evicted %d", len(tb.slots), cap(tb.slots), tb.Len(), tb.Evicted())
	}
	if v, ok := tb.Peek(103); !ok || *v != 103 {
		t.Fatal("reused slot lost its value")
	}
	if v, created := tb.Put(103, 21, nil); created || *v != 103 {
		t.Fatal("existing key recreated")
	}
}

// TestHashedMatchesMap drives a NewHashed table and a map-backed one with
// the same random operations: every answer, eviction and the final order
// must agree. The weak hash puts many keys on each home cell, so probing
// runs through long clusters and deletes shift them back.
func TestHashedMatchesMap(t *testing.T) {
	for _, hash := range []struct {
		name string
		fn   func(int) Hash
	}{
		{"weak", func(k int) Hash { return Hash(k % 7) }},
		{"full", func(k int) Hash { return Seed().Word(uint64(k)) }},
	} {
		t.Run(hash.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			ref := New[int, int](50)
			got := NewHashed[int, int](50, hash.fn)
			var refEv, gotEv []int
			for step := int64(0); step < 20000; step++ {
				k := rng.Intn(120)
				switch op := rng.Intn(10); {
				case op < 5:
					rv, rc := ref.Put(k, step, func(k int, _ *int) { refEv = append(refEv, k) })
					gv, gc := got.Put(k, step, func(k int, _ *int) { gotEv = append(gotEv, k) })
					if rc != gc || *rv != *gv {
						t.Fatalf("step %d put %d: created %v/%v value %d/%d", step, k, rc, gc, *rv, *gv)
					}
					*rv, *gv = int(step), int(step)
				case op < 7:
					rv, rok := ref.Get(k, step)
					gv, gok := got.Get(k, step)
					if rok != gok || rok && *rv != *gv {
						t.Fatalf("step %d get %d: %v/%v", step, k, rok, gok)
					}
				case op < 9:
					ref.Delete(k)
					got.Delete(k)
				default:
					ref.Expire(step-200, nil)
					got.Expire(step-200, nil)
				}
				if ref.Len() != got.Len() {
					t.Fatalf("step %d: len %d/%d", step, ref.Len(), got.Len())
				}
			}
			if len(refEv) == 0 || len(refEv) != len(gotEv) {
				t.Fatalf("evictions %d/%d", len(refEv), len(gotEv))
			}
			for i := range refEv {
				if refEv[i] != gotEv[i] {
					t.Fatalf("eviction %d: %d/%d", i, refEv[i], gotEv[i])
				}
			}
			var ro, gor []int
			ref.Each(func(k int, _ *int) { ro = append(ro, k) })
			got.Each(func(k int, _ *int) { gor = append(gor, k) })
			if len(ro) != len(gor) {
				t.Fatalf("order %v/%v", ro, gor)
			}
			for i := range ro {
				if ro[i] != gor[i] {
					t.Fatalf("order %v/%v", ro, gor)
				}
			}
			// every live key is still reachable through the index
			for _, k := range ro {
				if _, ok := got.Peek(k); !ok {
					t.Fatalf("key %d listed but not found", k)
				}
			}
		})
	}
}

// TestHashAddr checks equal addresses hash alike and that an IPv4 address
// and its IPv4-mapped IPv6 form, which differ, are distinct keys.
func TestHashAddr(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.1")
	if Seed().Addr(a) != Seed().Addr(b) {
		t.Fatal("equal addresses hash differently")
	}
	m := netip.MustParseAddr("::ffff:10.0.0.1")
	tb := NewHashed[netip.Addr, int](4, func(a netip.Addr) Hash { return Seed().Addr(a) })
	*must(tb.Put(a, 1, nil)) = 4
	*must(tb.Put(m, 1, nil)) = 6
	if v, _ := tb.Peek(a); *v != 4 {
		t.Fatal("IPv4 key lost")
	}
	if v, _ := tb.Peek(m); *v != 6 || tb.Len() != 2 {
		t.Fatal("mapped key merged with IPv4 key")
	}
}

func must(v *int, _ bool) *int { return v }

func BenchmarkTableGet(b *testing.B) {
	tb := New[[2]uint64, [4]uint64](1 << 16)
	for i := 0; i < 1<<16; i++ {
		tb.Put([2]uint64{uint64(i), 7}, int64(i), nil)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tb.Get([2]uint64{uint64(i & 0xffff), 7}, int64(i))
	}
}

// BenchmarkTableChurn is the spoofed-flood pattern: every key is new, the
// table is full, each insert evicts the stalest entry.
func BenchmarkTableChurn(b *testing.B) {
	hash := func(k [2]uint64) Hash { return Seed().Word(k[0]).Word(k[1]) }
	for _, capacity := range []int{1 << 12, 1 << 17} {
		for _, hashed := range []bool{false, true} {
			name := strconv.Itoa(capacity)
			tb := New[[2]uint64, [4]uint64](capacity)
			if hashed {
				name += "/hashed"
				tb = NewHashed[[2]uint64, [4]uint64](capacity, hash)
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					tb.Put([2]uint64{uint64(i) * 0x9e3779b97f4a7c15, 7}, int64(i), nil)
				}
			})
		}
	}
}
