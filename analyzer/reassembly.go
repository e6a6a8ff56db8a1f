package analyzer

// TCP stream reassembly for the rule matcher, per direction: in-order data
// is handed over with the stream's last bytes before it (the window the
// rules ask for), segments that arrive ahead of a gap are copied and held
// until the gap fills, and overlaps keep the first data seen (Suricata's
// default stream.reassembly policy on most OSes), so no byte is delivered
// twice and no rule fires twice on the same bytes.
//
// Memory is bounded three ways, all counted when they bite: stream state
// (two window-sized tails) exists only for connections that carried payload,
// in a table capped at MaxStreams whose least recently used entry goes
// first; each direction holds at most HoldSegments segments reaching at most
// HoldBytes past the gap; and all held bytes live in one arena of fixed
// chunks capped at HoldMemcap. A segment that cannot be held restarts its
// direction's stream at itself, as a capture loss would: what was held
// before it is dropped and counted. State goes when its connection does.
//
// github.com/google/gopacket/reassembly was measured against this on the
// same segments (reassembly_bench_test.go): neither allocates per packet and
// their speed is similar, but it keeps a connection for every SYN with no
// count cap (about 747 bytes each, against our capped 139-byte half-open
// entry: a spoofed flood would take gigabytes), keeps the newest data on
// queued overlaps, and delivers reassembled data to a callback rather than
// the window before one packet's bytes, which per-packet alerts need; see
// the CHANGELOG for the numbers.

import (
	"github.com/ipsreplay/ipsreplay/internal/bounded"
)

// heldChunk is the unit held bytes are stored in: a 1460-byte segment
// takes three, so little is wasted on full-size segments and a small one
// costs at most 512 bytes of the memcap.
const heldChunk = 512

// streamDir is one direction's reassembly state beyond its next sequence
// number (which the flow keeps, so it survives the stream state's eviction).
type streamDir struct {
	held     int32 // first held segment, in sequence order; none when none
	heldSegs int32
	tailLen  int32
}

// streamState is a connection's stream state: tail slot index and both
// directions (0 client to server, 1 server to client).
type streamState struct {
	slot int32
	dir  [2]streamDir
}

// heldSeg is one held piece of a segment, its bytes in a chunk chain.
type heldSeg struct {
	seq   uint32
	n     int32
	chunk int32 // first chunk; chunkNext links the rest
	next  int32 // next held segment of the direction, or the free list
}

type tcpStreams struct {
	window     int
	holdSegs   int32
	holdBytes  int
	heldChunks int32 // memcap in chunks

	streams *bounded.Table[flowKey, streamState]
	// tails holds slot s's two tails at [2sW, 2(s+1)W): grown on demand
	// up to MaxStreams slots, reused through freeSlots.
	tails     []byte
	freeSlots []int32

	segs      []heldSeg
	freeSeg   int32
	chunks    []byte
	chunkNext []int32
	freeChunk int32
	used      int32 // chunks holding data

	// scratch holds the packet's stream prefix and, after a gap fills,
	// its new data joined with the held segments; pieces their ends.
	scratch []byte
	pieces  []int32

	dropped uint64 // held (or to-be-held) segments dropped at a limit
	gaps    uint64 // gaps given up: acknowledged, never captured

	// bound once: no closure per call
	onEvicted, onExpired func(flowKey, *streamState)
}

func newTCPStreams(cfg FlowConfig, window int) *tcpStreams {
	r := &tcpStreams{
		window:     window,
		holdSegs:   int32(cfg.HoldSegments),
		holdBytes:  cfg.HoldBytes,
		heldChunks: int32(cfg.HoldMemcap / heldChunk),
		streams:    bounded.NewHashed[flowKey, streamState](cfg.MaxStreams, flowKey.hash),
		freeSeg:    none,
		freeChunk:  none,
	}
	r.onEvicted, r.onExpired = r.evicted, r.expired
	return r
}

// none ends the held-segment and chunk lists.
const none = -1

// state returns key's stream state, creating it (and evicting the least
// recently used one at the cap) when absent.
func (r *tcpStreams) state(key flowKey, now int64) *streamState {
	st, created := r.streams.Put(key, now, r.onEvicted)
	if !created {
		return st
	}
	st.dir[0].held, st.dir[1].held = none, none
	if n := len(r.freeSlots); n > 0 {
		st.slot = r.freeSlots[n-1]
		r.freeSlots = r.freeSlots[:n-1]
	} else {
		st.slot = int32(len(r.tails) / (2 * r.window))
		r.tails = append(r.tails, make([]byte, 2*r.window)...)
	}
	return st
}

// evicted frees a stream state the table's cap pushed out: its held data
// counts as dropped.
func (r *tcpStreams) evicted(_ flowKey, st *streamState) { r.free(st, true) }

// expired frees a stream state that went idle.
func (r *tcpStreams) expired(_ flowKey, st *streamState) { r.free(st, false) }

// free returns a stream state's tail slot and held data.
func (r *tcpStreams) free(st *streamState, capped bool) {
	r.freeSlots = append(r.freeSlots, st.slot)
	r.dropHeld(&st.dir[0], capped)
	r.dropHeld(&st.dir[1], capped)
}

// drop forgets key's stream state, as its connection ends.
func (r *tcpStreams) drop(key flowKey) {
	if st, ok := r.streams.Peek(key); ok {
		r.free(st, false)
		r.streams.Delete(key)
	}
}

// expire forgets stream state untouched since cutoff (the flows' idle
// timeout; connections normally take theirs with them sooner).
func (r *tcpStreams) expire(cutoff int64) {
	r.streams.Expire(cutoff, r.onExpired)
}

func (r *tcpStreams) tail(st *streamState, d int) []byte {
	at := (int(st.slot)*2 + d) * r.window
	return r.tails[at : at+r.window]
}

// reset empties direction d's tail and held data, as a SYN restarts it.
func (r *tcpStreams) reset(key flowKey, d int) {
	if st, ok := r.streams.Peek(key); ok {
		r.dropHeld(&st.dir[d], false)
		st.dir[d].tailLen = 0
	}
}

// segment takes one data segment of direction d whose stream expects next
// and returns the new next. It sets f's stream fields when the segment
// advanced the stream in order. keep says the direction's tail is worth
// keeping (flowTable.tailWanted); without it the prefix stays empty.
// holding says the direction may hold data ahead of a gap (it did after
// its last segment).
func (r *tcpStreams) segment(key flowKey, d int, next uint32, seq uint32, payload []byte, f *streamFacts, keep, holding bool) uint32 {
	diff := int64(int32(seq - next))
	end := diff + int64(len(payload))
	if end <= 0 {
		return next // all seen before: first data wins
	}
	if diff <= 0 && !keep && !holding {
		// in order, with no tail to keep and nothing held to join: the
		// stream state has nothing to add, so it is neither looked up
		// nor made (the lookup was 2 % of a mixed capture's run)
		f.data = payload[-diff:]
		return next + uint32(len(f.data))
	}
	st := r.state(key, f.now)
	sd := &st.dir[d]
	if diff > 0 {
		if r.hold(sd, next, seq, payload) {
			f.holding = true
			return next
		}
		// cannot hold it: restart the stream here, as after a capture
		// loss, so matching goes on with what comes next
		r.dropped++ // this one, and those held before it:
		r.dropHeld(sd, true)
		sd.tailLen = 0
		r.keepTail(st, d, payload, keep)
		return seq + uint32(len(payload))
	}
	data := payload[-diff:]
	// the prefix is copied: the tail changes below, the packet is
	// inspected after
	tail := r.tail(st, d)
	r.scratch = append(r.scratch[:0], tail[:sd.tailLen]...)
	pre := len(r.scratch)
	f.prefix = r.scratch[:pre:pre]
	if sd.held == none {
		f.data = data
		r.keepTail(st, d, data, keep)
		return next + uint32(len(data))
	}
	defer func() { f.holding = sd.held != none }()
	// Held data arrived first, so it wins over this segment's overlap
	// with it; what joins up is delivered now, in order: this segment's
	// bytes up to the next held segment, that segment, and so on.
	next0, p := next, 0
	r.pieces = r.pieces[:0]
	for {
		lim := len(data)
		if sd.held != none {
			lim = min(lim, int(r.segs[sd.held].seq-next0))
		}
		if lim > p {
			r.scratch = append(r.scratch, data[p:lim]...)
			r.pieces = append(r.pieces, int32(len(r.scratch)-pre))
			p = lim
		}
		if sd.held == none || int(r.segs[sd.held].seq-next0) != p {
			break // delivered all, or a gap is left
		}
		for sd.held != none && int(r.segs[sd.held].seq-next0) == p {
			i := sd.held
			h := &r.segs[i]
			r.scratch = r.appendSeg(r.scratch, h)
			r.pieces = append(r.pieces, int32(len(r.scratch)-pre))
			p += int(h.n)
			sd.held = h.next
			sd.heldSegs--
			r.freeSeg1(i)
		}
	}
	r.scratch = r.scratch[:len(r.scratch):len(r.scratch)]
	f.prefix = r.scratch[:pre:pre]
	f.data = r.scratch[pre:]
	if len(r.pieces) > 1 {
		f.pieces = r.pieces
	}
	r.keepTail(st, d, r.scratch, keep)
	return next0 + uint32(p)
}

// streamFacts is what segment hands back for the packet's Facts, and
// whether the direction still holds data ahead of a gap.
type streamFacts struct {
	now     int64
	prefix  []byte
	data    []byte
	pieces  []int32
	holding bool
}

// skipGap gives up direction d's gaps that ack has passed: the peer got
// those bytes but the capture did not, so they will never arrive. The
// held segments after a gap become the stream; their bytes were inspected
// as packets when they came, so they only rebuild the tail, which restarts
// at each gap (bytes on either side were never adjacent). It stops at a
// gap ack has not passed, returning the direction's next sequence number
// and whether data is still held. keep is as for segment.
func (r *tcpStreams) skipGap(key flowKey, d int, next, ack uint32, keep bool) (uint32, bool) {
	st, ok := r.streams.Peek(key)
	if !ok {
		return next, false
	}
	sd := &st.dir[d]
	for sd.held != none {
		i := sd.held
		h := &r.segs[i]
		if int32(h.seq-next) > 0 {
			if int32(ack-next) <= 0 {
				break // this gap may still fill
			}
			r.gaps++
			sd.tailLen = 0
			next = h.seq
		}
		r.scratch = r.appendSeg(r.scratch[:0], h)
		r.keepTail(st, d, r.scratch, keep)
		next = h.seq + uint32(h.n)
		sd.held = h.next
		sd.heldSegs--
		r.freeSeg1(i)
	}
	return next, sd.held != none
}

// keepTail makes the last window bytes of the stream, ending with b, the
// direction's tail. b may include the old tail (it is then rewritten with
// the same bytes). With want unset nobody reads the tail: it stays empty.
func (r *tcpStreams) keepTail(st *streamState, d int, b []byte, want bool) {
	sd := &st.dir[d]
	if !want {
		sd.tailLen = 0
		return
	}
	t := r.tail(st, d)
	if len(b) >= len(t) {
		sd.tailLen = int32(copy(t, b[len(b)-len(t):]))
		return
	}
	keep := min(int(sd.tailLen), len(t)-len(b))
	copy(t[:keep], t[int(sd.tailLen)-keep:sd.tailLen])
	copy(t[keep:], b)
	sd.tailLen = int32(keep + len(b))
}

// hold copies the parts of an early segment that no held segment covers
// yet into sd's list, in sequence order. It reports false, holding nothing
// more, when a limit stops it; the caller then drops the direction's held
// data.
func (r *tcpStreams) hold(sd *streamDir, next, seq uint32, p []byte) bool {
	base := int(seq - next) // > 0: the segment is ahead
	lo, hi := base, base+len(p)
	if hi > r.holdBytes {
		return false
	}
	prev, cur := int32(none), sd.held
	for lo < hi {
		for cur != none && int(r.segs[cur].seq-next)+int(r.segs[cur].n) <= lo {
			prev, cur = cur, r.segs[cur].next
		}
		pieceHi := hi
		if cur != none {
			o := int(r.segs[cur].seq - next)
			if o <= lo { // covered already: first data wins
				lo = o + int(r.segs[cur].n)
				continue
			}
			pieceHi = min(hi, o)
		}
		if sd.heldSegs >= r.holdSegs {
			return false
		}
		i, ok := r.newSeg(next+uint32(lo), p[lo-base:pieceHi-base])
		if !ok {
			return false
		}
		r.segs[i].next = cur
		if prev == none {
			sd.held = i
		} else {
			r.segs[prev].next = i
		}
		sd.heldSegs++
		prev, lo = i, pieceHi
	}
	return true
}

// newSeg copies b into chunks under the memcap.
func (r *tcpStreams) newSeg(seq uint32, b []byte) (int32, bool) {
	need := int32((len(b) + heldChunk - 1) / heldChunk)
	if r.used+need > r.heldChunks {
		return none, false
	}
	var i int32
	if r.freeSeg != none {
		i = r.freeSeg
		r.freeSeg = r.segs[i].next
	} else {
		r.segs = append(r.segs, heldSeg{})
		i = int32(len(r.segs) - 1)
	}
	n := int32(len(b))
	first, last := int32(none), int32(none)
	for len(b) > 0 {
		c := r.newChunk()
		b = b[copy(r.chunks[int(c)*heldChunk:int(c+1)*heldChunk], b):]
		if last == none {
			first = c
		} else {
			r.chunkNext[last] = c
		}
		last = c
	}
	r.segs[i] = heldSeg{seq: seq, n: n, chunk: first, next: none}
	return i, true
}

func (r *tcpStreams) newChunk() int32 {
	r.used++
	if c := r.freeChunk; c != none {
		r.freeChunk = r.chunkNext[c]
		r.chunkNext[c] = none
		return c
	}
	r.chunks = append(r.chunks, make([]byte, heldChunk)...)
	r.chunkNext = append(r.chunkNext, none)
	return int32(len(r.chunkNext) - 1)
}

// appendSeg appends h's bytes to b.
func (r *tcpStreams) appendSeg(b []byte, h *heldSeg) []byte {
	n := int(h.n)
	for c := h.chunk; c != none && n > 0; c = r.chunkNext[c] {
		k := min(n, heldChunk)
		b = append(b, r.chunks[int(c)*heldChunk:int(c)*heldChunk+k]...)
		n -= k
	}
	return b
}

// freeSeg1 returns a segment and its chunks to the free lists.
func (r *tcpStreams) freeSeg1(i int32) {
	for c := r.segs[i].chunk; c != none; {
		next := r.chunkNext[c]
		r.chunkNext[c] = r.freeChunk
		r.freeChunk = c
		r.used--
		c = next
	}
	r.segs[i] = heldSeg{next: r.freeSeg, chunk: none}
	r.freeSeg = i
}

// dropHeld frees every held segment of sd, counting them as dropped when
// a cap made it (not when their connection ended or went idle).
func (r *tcpStreams) dropHeld(sd *streamDir, capped bool) {
	for i := sd.held; i != none; {
		next := r.segs[i].next
		r.freeSeg1(i)
		if capped {
			r.dropped++
		}
		i = next
	}
	sd.held, sd.heldSegs = none, 0
}

// heldBytes is how many bytes of chunks hold data (tests, reports).
func (r *tcpStreams) heldBytes() int { return int(r.used) * heldChunk }
