// Package bounded provides a capped key/value table that expires entries on
// packet time, shared by the analyzer's flow and host state and by every
// detector's per-key state.
//
// Entries live in one slab linked in least-recently-touched order, so expiry
// pops from the front in O(expired) and eviction at the cap always removes the
// stalest entry: the same input therefore evicts the same entries on every run,
// which keeps reports deterministic. Keys are small comparable values
// (netip.Addr, [6]byte, structs of those), never formatted strings. New
// finds keys through a Go map; NewHashed, for tables on the per-packet
// path, through an open-addressing index fed by the caller's Hash.
package bounded

const none = -1

type slot[K comparable, V any] struct {
	key        K
	val        V
	touched    int64 // packet time (unix ns) of the last Get/Put
	prev, next int32
	hash       uint32 // the key's hash in a NewHashed table
}

// Table is a capped map from K to V whose entries expire on packet time.
// Pointers returned by Get and Put stay valid until the next call that may
// insert (Put) or remove (Expire, Delete) entries.
type Table[K comparable, V any] struct {
	index      map[K]int32 // nil in a NewHashed table, which uses idx instead
	idx        openIndex
	hash       func(K) Hash
	slots      []slot[K, V]
	free       int32
	head, tail int32 // head is the least recently touched entry
	capacity   int
	evicted    uint64
}

// New returns a table holding at most capacity entries (at least 1).
func New[K comparable, V any](capacity int) *Table[K, V] {
	if capacity < 1 {
		capacity = 1
	}
	return &Table[K, V]{
		index:    make(map[K]int32),
		free:     none,
		head:     none,
		tail:     none,
		capacity: capacity,
	}
}

// NewHashed is New for a table on a hot path: hash, which must give equal
// keys equal hashes, feeds an open-addressing index that replaces the Go
// map. Under churn (a spoofed flood makes every key new, so each insert
// evicts) the map's deletes leave tombstones that lengthen every later
// probe; this index deletes by shifting the cluster back and stays short.
// The entries, their order and what is evicted are exactly New's.
func NewHashed[K comparable, V any](capacity int, hash func(K) Hash) *Table[K, V] {
	t := New[K, V](capacity)
	t.index = nil
	t.hash = hash
	return t
}

// Len is the number of live entries.
func (t *Table[K, V]) Len() int {
	if t.index == nil {
		return int(t.idx.n)
	}
	return len(t.index)
}

// lookup finds k's slot; h is k's hash when the table is NewHashed and
// k is found or insert is set. An empty table, as the established table
// is through a spoofed flood, then costs no hashing.
func (t *Table[K, V]) lookup(k K, insert bool) (i int32, h uint32, ok bool) {
	if t.index != nil {
		i, ok = t.index[k]
		return i, 0, ok
	}
	if t.idx.n == 0 && !insert {
		return none, 0, false
	}
	h = fold(t.hash(k))
	if t.idx.n == 0 {
		return none, h, false
	}
	mask := uint32(len(t.idx.cells) - 1)
	for pos := h & mask; ; pos = (pos + 1) & mask {
		c := t.idx.cells[pos]
		if c == 0 {
			return none, h, false
		}
		if uint32(c>>32) == h {
			if i := int32(uint32(c)) - 1; t.slots[i].key == k {
				return i, h, true
			}
		}
	}
}

// Cap is the most entries the table holds.
func (t *Table[K, V]) Cap() int { return t.capacity }

// Evicted counts entries removed because the table was full, not because they
// expired. A non-zero value means state was lost and results may undercount.
func (t *Table[K, V]) Evicted() uint64 { return t.evicted }

// Peek returns the entry for k without touching it.
func (t *Table[K, V]) Peek(k K) (*V, bool) {
	i, _, ok := t.lookup(k, false)
	if !ok {
		return nil, false
	}
	return &t.slots[i].val, true
}

// Get returns the entry for k and marks it touched at now.
func (t *Table[K, V]) Get(k K, now int64) (*V, bool) {
	i, _, ok := t.lookup(k, false)
	if !ok {
		return nil, false
	}
	t.touch(i, now)
	return &t.slots[i].val, true
}

// Put returns the entry for k, creating a zero value when absent (created is
// then true). When the table is full the least recently touched entry is
// evicted first and onEvict, if not nil, sees it before it goes.
func (t *Table[K, V]) Put(k K, now int64, onEvict func(K, *V)) (v *V, created bool) {
	i, h, ok := t.lookup(k, true)
	if ok {
		t.touch(i, now)
		return &t.slots[i].val, false
	}
	if t.Len() >= t.capacity {
		h := t.head
		if onEvict != nil {
			onEvict(t.slots[h].key, &t.slots[h].val)
		}
		t.remove(h)
		t.evicted++
	}
	if t.free != none {
		i = t.free
		t.free = t.slots[i].next
	} else {
		if len(t.slots) == cap(t.slots) {
			t.grow()
		}
		t.slots = t.slots[:len(t.slots)+1]
		i = int32(len(t.slots) - 1)
	}
	// a free slot is zero already (remove clears it, append makes it)
	s := &t.slots[i]
	s.key, s.touched, s.hash = k, now, h
	s.prev, s.next = t.tail, none
	if t.tail != none {
		t.slots[t.tail].next = i
	} else {
		t.head = i
	}
	t.tail = i
	if t.index != nil {
		t.index[k] = i
	} else {
		t.idx.insert(h, i)
	}
	return &s.val, true
}

// Delete removes k if present.
func (t *Table[K, V]) Delete(k K) {
	if i, _, ok := t.lookup(k, false); ok {
		t.remove(i)
	}
}

// Expire removes every entry last touched before cutoff, oldest first, and
// shows each to onExpire (which may be nil) before it goes. Entries touched
// out of time order (merged captures with jitter) are found a little late,
// never early.
func (t *Table[K, V]) Expire(cutoff int64, onExpire func(K, *V)) int {
	n := 0
	for t.head != none && t.slots[t.head].touched < cutoff {
		h := t.head
		if onExpire != nil {
			onExpire(t.slots[h].key, &t.slots[h].val)
		}
		t.remove(h)
		n++
	}
	return n
}

// Each calls fn for every entry from least to most recently touched. fn must
// not insert or delete.
func (t *Table[K, V]) Each(fn func(K, *V)) {
	for i := t.head; i != none; i = t.slots[i].next {
		fn(t.slots[i].key, &t.slots[i].val)
	}
}

func (t *Table[K, V]) touch(i int32, now int64) {
	s := &t.slots[i]
	if now > s.touched {
		s.touched = now
	}
	if t.tail == i {
		return
	}
	// unlink
	if s.prev != none {
		t.slots[s.prev].next = s.next
	} else {
		t.head = s.next
	}
	t.slots[s.next].prev = s.prev
	// append at tail
	s.prev, s.next = t.tail, none
	t.slots[t.tail].next = i
	t.tail = i
}

func (t *Table[K, V]) remove(i int32) {
	s := &t.slots[i]
	if s.prev != none {
		t.slots[s.prev].next = s.next
	} else {
		t.head = s.next
	}
	if s.next != none {
		t.slots[s.next].prev = s.prev
	} else {
		t.tail = s.prev
	}
	if t.index != nil {
		delete(t.index, s.key)
	} else {
		t.idx.remove(s.hash, i)
	}
	var zero slot[K, V]
	*s = zero
	s.next = t.free
	s.prev = none
	t.free = i
}

// grow doubles the slab, up to the cap. append grows a large slice by a
// quarter at a time: filling a 65,536-entry table that way copies it
// about five times over and leaves as many dead slabs for the collector.
func (t *Table[K, V]) grow() {
	n := min(max(16, 2*cap(t.slots)), t.capacity)
	grown := make([]slot[K, V], len(t.slots), max(n, len(t.slots)+1))
	copy(grown, t.slots)
	t.slots = grown
}

// fold narrows a Hash to the 32 bits the index keeps per cell.
func fold(h Hash) uint32 { return uint32(h>>32) ^ uint32(h) }

// openIndex maps hashes to slots by linear probing. A cell holds the
// hash in its high half and slot+1 in its low half, 0 when empty, so a
// probe rarely needs to read a slot's key. It grows to keep at most half
// its cells full, so a table far below its cap costs little.
type openIndex struct {
	cells []uint64
	n     int32
}

func (x *openIndex) insert(h uint32, i int32) {
	if int(x.n+1)*2 > len(x.cells) {
		x.grow()
	}
	mask := uint32(len(x.cells) - 1)
	pos := h & mask
	for x.cells[pos] != 0 {
		pos = (pos + 1) & mask
	}
	x.cells[pos] = uint64(h)<<32 | uint64(uint32(i+1))
	x.n++
}

func (x *openIndex) grow() {
	old := x.cells
	x.cells = make([]uint64, max(16, 2*len(old)))
	mask := uint32(len(x.cells) - 1)
	for _, c := range old {
		if c == 0 {
			continue
		}
		pos := uint32(c>>32) & mask
		for x.cells[pos] != 0 {
			pos = (pos + 1) & mask
		}
		x.cells[pos] = c
	}
}

// remove deletes slot i, whose hash is h, and shifts back the cells after
// it that probing would otherwise no longer reach: no tombstones.
func (x *openIndex) remove(h uint32, i int32) {
	mask := uint32(len(x.cells) - 1)
	want := uint64(h)<<32 | uint64(uint32(i+1))
	hole := h & mask
	for x.cells[hole] != want {
		hole = (hole + 1) & mask
	}
	for next := (hole + 1) & mask; x.cells[next] != 0; next = (next + 1) & mask {
		home := uint32(x.cells[next]>>32) & mask
		// the cell may fill the hole only if its home is not between the
		// hole and itself
		if (next-home)&mask >= (next-hole)&mask {
			x.cells[hole] = x.cells[next]
			hole = next
		}
	}
	x.cells[hole] = 0
	x.n--
}
