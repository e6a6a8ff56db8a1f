package bounded

import (
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
	if len(tb.slots) != 10 || tb.Len() != 10 || tb.Evicted() != 0 {
		t.Fatalf("slots %d len %d evicted %d", len(tb.slots), tb.Len(), tb.Evicted())
	}
	if v, ok := tb.Peek(103); !ok || *v != 103 {
		t.Fatal("reused slot lost its value")
	}
	if v, created := tb.Put(103, 21, nil); created || *v != 103 {
		t.Fatal("existing key recreated")
	}
}

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
	for _, capacity := range []int{1 << 12, 1 << 17} {
		b.Run(strconv.Itoa(capacity), func(b *testing.B) {
			tb := New[[2]uint64, [4]uint64](capacity)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				tb.Put([2]uint64{uint64(i) * 0x9e3779b97f4a7c15, 7}, int64(i), nil)
			}
		})
	}
}
