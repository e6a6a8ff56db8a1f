// Package bounded provides a capped key/value table that expires entries on
// packet time, shared by the analyzer's flow and host state and by every
// detector's per-key state.
//
// Entries live in one slab linked in least-recently-touched order, so expiry
// pops from the front in O(expired) and eviction at the cap always removes the
// stalest entry: the same input therefore evicts the same entries on every run,
// which keeps reports deterministic. Keys are small comparable values
// (netip.Addr, [6]byte, structs of those), never formatted strings.
package bounded

const none = -1

type slot[K comparable, V any] struct {
	key        K
	val        V
	touched    int64 // packet time (unix ns) of the last Get/Put
	prev, next int32
}

// Table is a capped map from K to V whose entries expire on packet time.
// Pointers returned by Get and Put stay valid until the next call that may
// insert (Put) or remove (Expire, Delete) entries.
type Table[K comparable, V any] struct {
	index      map[K]int32
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

// Len is the number of live entries.
func (t *Table[K, V]) Len() int { return len(t.index) }

// Cap is the most entries the table holds.
func (t *Table[K, V]) Cap() int { return t.capacity }

// Evicted counts entries removed because the table was full, not because they
// expired. A non-zero value means state was lost and results may undercount.
func (t *Table[K, V]) Evicted() uint64 { return t.evicted }

// Peek returns the entry for k without touching it.
func (t *Table[K, V]) Peek(k K) (*V, bool) {
	i, ok := t.index[k]
	if !ok {
		return nil, false
	}
	return &t.slots[i].val, true
}

// Get returns the entry for k and marks it touched at now.
func (t *Table[K, V]) Get(k K, now int64) (*V, bool) {
	i, ok := t.index[k]
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
	if i, ok := t.index[k]; ok {
		t.touch(i, now)
		return &t.slots[i].val, false
	}
	if len(t.index) >= t.capacity {
		h := t.head
		if onEvict != nil {
			onEvict(t.slots[h].key, &t.slots[h].val)
		}
		t.remove(h)
		t.evicted++
	}
	var i int32
	if t.free != none {
		i = t.free
		t.free = t.slots[i].next
	} else {
		t.slots = append(t.slots, slot[K, V]{})
		i = int32(len(t.slots) - 1)
	}
	s := &t.slots[i]
	var zero V
	s.key, s.val, s.touched = k, zero, now
	s.prev, s.next = t.tail, none
	if t.tail != none {
		t.slots[t.tail].next = i
	} else {
		t.head = i
	}
	t.tail = i
	t.index[k] = i
	return &s.val, true
}

// Delete removes k if present.
func (t *Table[K, V]) Delete(k K) {
	if i, ok := t.index[k]; ok {
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
	delete(t.index, s.key)
	var zero slot[K, V]
	*s = zero
	s.next = t.free
	s.prev = none
	t.free = i
}
