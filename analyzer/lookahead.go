package analyzer

// The lookahead: with more than one thread and rules loaded, the packets
// are read ahead of the engine into a ring of slots, and worker threads
// (and the engine's own, when it gets to a slot nobody took) work out
// each slot's rules before the engine runs it (rulematch/ahead.go). The
// engine still runs every packet in capture order on one goroutine, so
// all state and every event are as with one thread; what the workers
// add is only what a packet's bytes alone decide.
//
// A slot holds a copy of the packet (the reader's buffer is reused), so
// the workers never read memory the reader writes. A slot's state names
// its packet's number and whether it is filled, claimed or done, so a
// thread late for one packet never takes the next one in the same slot.
// The engine's goroutine works out the oldest packet itself when nobody
// has claimed it; workers claim in order from aheadLead packets past it,
// so when the engine is faster it takes more of the work, and when it
// is slower they do, and neither waits long for the other. A slot is
// filled again only after the engine ran it.

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/rulematch"
)

// aheadSlots is how many packets are read ahead: enough that a worker
// rarely waits for the reader and that waking one is paid for by many
// packets, few enough that the copies stay in cache.
const aheadSlots = 256

// aheadSpin is how many times an idle thread polls before it parks: waking
// a parked goroutine takes microseconds, as long as a packet's work.
const aheadSpin = 5000

// aheadLead is how far past the engine's next packet the workers claim:
// far enough that the packet the engine comes to is rarely one a worker
// is still on.
const aheadLead = 4

// A slot's state: its packet's number << 2 | one of these.
const (
	slotFilled = iota + 1
	slotClaimed
	slotDone
)

type aheadSlot struct {
	state   atomic.Uint64
	link    LinkType
	data    []byte
	t       int64
	wireLen int
	ref     packet.PacketRef
	ahead   rulematch.Ahead
}

// aheadWorker is one thread's decoder and worker Matcher.
type aheadWorker struct {
	dec *decoder
	f   packet.Facts
	m   *rulematch.Matcher
}

type lookahead struct {
	slots     []aheadSlot
	head      uint64        // the next slot the engine runs (feed's goroutine)
	tail      uint64        // the next slot to fill (feed's goroutine)
	published atomic.Uint64 // packets below it are filled
	engineAt  atomic.Uint64 // head, for the workers
	cursor    atomic.Uint64 // the next packet a worker may claim
	parked    atomic.Int32
	quit      atomic.Bool
	wake      chan struct{}
	own       aheadWorker // feed's goroutine's
	wg        sync.WaitGroup
}

// readsAhead reports whether a run with opts should read ahead: with more
// than one thread and enough rules to be worth it, as fast as the machine
// allows (a paced replay runs each packet at its time, a transmitted one
// must leave when it is analysed).
func (e *Engine) readsAhead(opts RunOptions) bool {
	return e.matcher != nil && e.cfg.Rules.Threads > 1 && e.matcher.Rules() >= e.cfg.Rules.LookaheadMinRules &&
		opts.Pacer == nil && opts.Tap == nil
}

// newLookahead starts threads-1 workers for m's rules.
func newLookahead(m *rulematch.Matcher, threads int) *lookahead {
	la := &lookahead{slots: make([]aheadSlot, aheadSlots), wake: make(chan struct{}, threads),
		own: newAheadWorker(m)}
	for range threads - 1 {
		w := newAheadWorker(m)
		la.wg.Add(1)
		go la.work(&w)
	}
	return la
}

func newAheadWorker(m *rulematch.Matcher) aheadWorker {
	d := newDecoder()
	d.alone = true
	return aheadWorker{dec: d, m: m.Worker()}
}

// close stops the workers and waits for them.
func (la *lookahead) close() {
	la.quit.Store(true)
	close(la.wake)
	la.wg.Wait()
}

// slot returns the slot of packet n.
func (la *lookahead) slot(n uint64) *aheadSlot { return &la.slots[n%uint64(len(la.slots))] }

// fill copies the merger's next packet into the next slot and publishes
// it; false at the end of the input or when the ring is full.
func (la *lookahead) fill(m *merger) bool {
	if la.tail-la.head >= uint64(len(la.slots)) {
		return false
	}
	s := m.next()
	if s == nil {
		return false
	}
	sl := la.slot(la.tail)
	sl.link, sl.t, sl.wireLen = s.Link, s.Time, s.Length
	sl.ref = packet.PacketRef{File: s.Index, Num: s.Num}
	sl.data = append(sl.data[:0], s.Data...)
	m.step()
	sl.state.Store(la.tail<<2 | slotFilled)
	la.tail++
	la.published.Store(la.tail)
	if la.parked.Load() > 0 {
		select {
		case la.wake <- struct{}{}:
		default: // a token is waiting already
		}
	}
	return true
}

// claim takes the next packet past the engine's lead that nobody took,
// and works it out; false when none is waiting.
func (la *lookahead) claim(w *aheadWorker) bool {
	for {
		c := la.cursor.Load()
		n := max(c, la.engineAt.Load()+aheadLead)
		if n >= la.published.Load() {
			return false
		}
		if !la.cursor.CompareAndSwap(c, n+1) {
			continue
		}
		sl := la.slot(n)
		if sl.state.CompareAndSwap(n<<2|slotFilled, n<<2|slotClaimed) {
			w.run(sl, n)
			return true
		}
	}
}

// waiting reports whether a worker has a packet to claim.
func (la *lookahead) waiting() bool {
	return max(la.cursor.Load(), la.engineAt.Load()+aheadLead) < la.published.Load()
}

func (w *aheadWorker) run(sl *aheadSlot, n uint64) {
	f := &w.f
	if w.dec.decodeAt(sl.link, sl.data, f, sl.t, sl.ref, sl.wireLen) && !w.dec.fragment {
		w.m.Ahead(f, &sl.ahead)
	} else {
		sl.ahead.Reset()
	}
	f.Payload, f.TCPOptions, f.L3Header, f.L4Header = nil, nil, nil, nil
	sl.state.Store(n<<2 | slotDone)
}

// work is a worker's loop: claim while there is work, poll a while, park.
func (la *lookahead) work(w *aheadWorker) {
	defer la.wg.Done()
	for !la.quit.Load() {
		if la.claim(w) {
			continue
		}
		waiting := false
		for i := 0; i < aheadSpin && !waiting; i++ {
			waiting = la.waiting()
		}
		if waiting {
			continue
		}
		la.parked.Add(1)
		if !la.waiting() {
			<-la.wake // the reader publishes, then looks for parked workers
		}
		la.parked.Add(-1)
	}
}

// next runs the engine on the oldest read packet, working it out first
// if no worker took it; false when none is left.
func (la *lookahead) next(e *Engine) bool {
	if la.head == la.tail {
		return false
	}
	n := la.head
	sl := la.slot(n)
	if sl.state.CompareAndSwap(n<<2|slotFilled, n<<2|slotClaimed) {
		la.own.run(sl, n)
	} else {
		for i := 0; sl.state.Load() != n<<2|slotDone; i++ {
			if i > aheadSpin {
				runtime.Gosched() // its worker was descheduled mid-packet
			}
		}
	}
	e.matcher.UseAhead(&sl.ahead)
	e.Packet(sl.link, sl.data, sl.t, sl.wireLen, sl.ref)
	e.matcher.UseAhead(nil)
	la.head++
	la.engineAt.Store(la.head)
	return true
}

// feedAhead is feed with a lookahead: the same packets in the same order.
// Interrupted, it still runs the packets it read, so what was read was
// analysed.
func feedAhead(ctx context.Context, e *Engine, m *merger, la *lookahead, report func() error) error {
	defer la.close()
	var n uint64
	for {
		for la.fill(m) {
		}
		if !la.next(e) {
			return report()
		}
		if n++; n%progressEvery == 0 {
			if err := report(); err != nil {
				for la.next(e) {
				}
				return err
			}
		}
	}
}
