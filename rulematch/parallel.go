package rulematch

// Evaluating one packet's candidate rules on several cores (Config.Threads).
//
// Why per packet and not per flow: everything else the pipeline does to a
// packet (flow tables, reassembly, the built-in detectors, thresholds,
// flowbits, autoblock) depends on the packets before it, and costs little;
// what costs is the full evaluation of the rules the prefilter lets
// through (with the ET Open rules, contents and pcres over the payload:
// 70-90% of a run). Most of those rules are decided by the packet alone
// (packetOnly): their outcome depends on nothing a rule or an earlier
// packet changes. So the packet's candidates are split: those rules are
// evaluated by all threads at once, each claiming small chunks, and the
// packet's thread then walks the candidates in rule order as before,
// taking their outcomes as computed, evaluating the others itself, and
// checking flowbits, firing thresholds and actions in order. The result
// is the one-thread result by construction: no outcome depends on the
// order the parallel part ran in, and every state change happens in the
// same order as with one thread.
//
// What bounds scaling: the serial part of each packet (decoding, flows,
// the built-ins, the prefilter search, the in-order walk) and the cost of
// waking helpers, which is why a packet is split only when its candidates
// are worth Config.ParallelMinWork. Measured with ET Open on the 300 MB
// capture on 2 cores (make bench): once the prefilter and pcre literals
// had cut full evaluation to about a fifth of a packet's time, splitting
// gave 0.95x; the serial part bounds it at any core count (Amdahl). More
// cores need the pipeline itself split: flows sharded across workers,
// with thresholds, autoblock and events sequenced in capture order.

import (
	"runtime"
	"sync/atomic"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// evalChunk is how many light candidates a thread claims at a time; a
// heavy one (a pcre: heavyWork) is claimed alone, as one may cost as much
// as a hundred content rules.
const (
	evalChunk = 8
	heavyWork = 40
)

// spinRounds is how many times a helper polls for the next packet (some
// microseconds) before it parks: waking a parked goroutine takes
// microseconds too, as long as many packets' whole evaluation. Polling is
// a plain atomic load: runtime.Gosched takes the scheduler's global lock,
// which the threads then queue on. Longer polling wins little and costs
// much when the threads outnumber the free cores.
const spinRounds = 5000

// evalPool is a Matcher's helpers and the packet they share.
type evalPool struct {
	// alone and work are by rule index: whether the packet alone decides
	// the rule's matchPacket, and an estimate of its cost.
	alone   []bool
	work    []int32
	minWork int
	wake    []chan struct{} // one per helper: a Matcher sharing the engine, with its own scratch
	quit    atomic.Bool

	// The packet being evaluated. state is epoch<<32 | len(cands)<<16 |
	// the next candidate to claim; a thread claims by compare-and-swap,
	// so one that arrives after the packet is done (a new epoch) claims
	// nothing and reads nothing of it; having the count in the same word
	// keeps a late thread from judging the old packet by the new one's
	// length. done counts the candidates evaluated.
	f     *packet.Facts
	cands []int32
	res   []uint8 // by position in cands: 0 not evaluated here, 1 no match, 2 match
	// order is the positions in cands to evaluate, the heavy first;
	// heavy is read before a claim, so a late thread may read it as the
	// next packet is set up (its claim then fails)
	order []int32
	heavy atomic.Int32
	state atomic.Uint64
	done  atomic.Int64
}

// newEvalPool starts threads-1 helpers for m; nil when threads < 2 or no
// rule can be evaluated apart.
func newEvalPool(m *Matcher, threads, minWork int) *evalPool {
	if threads < 2 {
		return nil
	}
	p := &evalPool{alone: make([]bool, len(m.eng.rules)), work: make([]int32, len(m.eng.rules)), minWork: minWork}
	any := false
	for i := range m.eng.rules {
		r := &m.eng.rules[i]
		p.alone[i] = packetOnly(r)
		p.work[i] = ruleWork(r)
		any = any || p.alone[i]
	}
	if !any {
		return nil
	}
	p.state.Store(1 << 32)
	for range threads - 1 {
		h := &Matcher{eng: m.eng, sc: scratch{limit: m.sc.limit,
			ipRaw: make([]byte, 0, 16), ipLow: make([]byte, 0, 16)}}
		wake := make(chan struct{}, 1)
		p.wake = append(p.wake, wake)
		go p.help(h, wake)
	}
	return p
}

// packetOnly reports whether matchPacket's outcome for r depends on the
// packet alone: no flow or handshake state, no dataset a rule may change.
func packetOnly(r *rule) bool {
	if r.ipOnly || r.appHTTP || r.appProto != 0 || r.handshake {
		return false
	}
	for i := range r.bufs {
		b := &r.bufs[i]
		if handshakeBuffer(b.id) || b.id == rules.BufferTLSSNI {
			return false
		}
		for _, it := range b.items {
			if it.d != nil {
				return false
			}
		}
	}
	return true
}

// ruleWork estimates what evaluating r costs, in units of a header test
// (some 100 ns): a content that the prefilter let through about as much, a
// Go regexp tens of times more (ET Open's pcres took 10-60 µs a call).
func ruleWork(r *rule) int32 {
	w := int32(1)
	for i := range r.bufs {
		for _, it := range r.bufs[i].items {
			if it.p != nil {
				w += heavyWork
			} else {
				w++
			}
		}
	}
	return w
}

// maxSplit is the most candidates a packet may have to be split: the
// count and the next index share the state word, 16 bits each, and a
// claim may step a chunk past the count.
const maxSplit = 1<<16 - evalChunk

// worth reports whether cands are worth splitting.
func (p *evalPool) worth(cands []int32) bool {
	if len(cands) > maxSplit {
		return false
	}
	w := 0
	for _, ri := range cands {
		if p.alone[ri] {
			w += int(p.work[ri])
			if w >= p.minWork {
				return true
			}
		}
	}
	return false
}

// evaluate fills p.res for f's candidates that the packet alone decides,
// with m (the packet's thread) and the helpers claiming them. It returns
// when all are done.
func (p *evalPool) evaluate(m *Matcher, f *packet.Facts, cands []int32) []uint8 {
	n := len(cands)
	if cap(p.res) < n {
		p.res = make([]uint8, n, n+n/2)
	}
	p.res = p.res[:n]
	clear(p.res)
	// the costly ones first, one at a time, so they spread over the
	// threads; then the rest in chunks
	order := p.order[:0]
	for i, ri := range cands {
		if p.alone[ri] && p.work[ri] >= heavyWork {
			order = append(order, int32(i))
		}
	}
	p.heavy.Store(int32(len(order)))
	for i, ri := range cands {
		if p.alone[ri] && p.work[ri] < heavyWork {
			order = append(order, int32(i))
		}
	}
	p.order = order
	p.f, p.cands = f, cands
	p.done.Store(0)
	epoch := p.state.Load()>>32 + 1
	p.state.Store(epoch<<32 | uint64(len(order))<<16) // publishes the packet to the helpers
	for _, w := range p.wake {
		select {
		case w <- struct{}{}:
		default: // awake already, or about to look
		}
	}
	p.claim(m, epoch)
	for i := 0; p.done.Load() < int64(len(order)); i++ {
		if i > spinRounds {
			runtime.Gosched() // a helper is finishing its last claim, descheduled
		}
	}
	p.f, p.cands = nil, nil
	return p.res
}

// claim evaluates the current packet's candidates, a claim at a time,
// until none is left or the epoch has passed.
func (p *evalPool) claim(m *Matcher, epoch uint64) {
	for {
		w := p.state.Load()
		n, lo := int(uint16(w>>16)), int(uint16(w))
		if w>>32 != epoch || lo >= n {
			return
		}
		step := evalChunk
		if lo < int(p.heavy.Load()) {
			step = 1
		}
		if !p.state.CompareAndSwap(w, w+uint64(step)) {
			continue
		}
		hi := min(lo+step, n)
		for _, i := range p.order[lo:hi] {
			r := &m.eng.rules[p.cands[i]]
			if m.matchPacket(r, p.f) {
				p.res[i] = 2
			} else {
				p.res[i] = 1
			}
		}
		p.done.Add(int64(hi - lo))
	}
}

// help is a helper's loop: poll for a new epoch a while, then park until
// woken.
func (p *evalPool) help(h *Matcher, wake chan struct{}) {
	seen := p.state.Load() >> 32
	for {
		for i := 0; i < spinRounds && p.state.Load()>>32 == seen; i++ {
		}
		if p.state.Load()>>32 == seen {
			<-wake
		}
		if p.quit.Load() {
			return
		}
		seen = p.state.Load() >> 32
		h.sc.newPacket() // never the previous packet's bytes
		p.claim(h, seen)
	}
}

// close stops the helpers.
func (p *evalPool) close() {
	if p.quit.Swap(true) {
		return
	}
	for _, w := range p.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// newPacket forgets what the scratch worked out from the previous packet's
// bytes: Observe starts each packet with it, and so does each helper.
func (s *scratch) newPacket() {
	s.lowered, s.httpDone = false, false
	s.dnsDone, s.tlsDone = false, false
}
