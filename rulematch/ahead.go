package rulematch

// Working out a packet's rules ahead of its turn, on another thread
// (Config.Threads): the analyzer's lookahead (analyzer/lookahead.go) hands
// the packets it has read to worker Matchers, and the packet's own Matcher
// takes what they found when the packet's turn comes (UseAhead).
//
// What a worker can do alone: with ET Open, most of a packet's cost is the
// prefilter's search of its payload and the full evaluation of the
// candidates it lets through, and for most rules (packetOnly) both depend
// on the packet's bytes alone. What they cannot: whatever the flow table
// set on the packet (direction, established, retransmission) and the
// state that rules and earlier packets change (flowbits, handshakes,
// thresholds, datasets, the flow's verdict). So a worker decodes the
// packet on its own, finds its candidates and evaluates the packetOnly
// ones as if the flow checks held (Matcher.ahead); the packet's Matcher
// then applies those checks (flowChecks) and does everything else in rule
// order as with one thread. A rule's outcome is a conjunction of pure
// tests, so the split cannot change it: the output is the one-thread
// output by construction, and the thread-identity tests check it.
//
// What bounds scaling: the packet's own thread still reads, decodes, and
// runs the flow tables, the built-in detectors, the stream and HTTP
// passes and the in-order walk; with ET Open on 2 cores that serial part
// is about a fifth of a packet's time, so 16 cores would be bounded near
// 5x by it (Amdahl) unless flows are also sharded across threads.

import (
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Ahead is what a worker found for one packet: its candidate rules and the
// outcome of the packetOnly ones. The zero Ahead holds nothing; a worker
// reuses one per slot so steady state does not allocate.
type Ahead struct {
	ok    bool
	class int
	// the packet it was worked out for: its network header's first byte
	// and the lengths of that header and of the payload. The packet's
	// thread decodes the same bytes, so its facts point at the same
	// memory; a datagram it reassembled, or a tunnel's outer packet, does
	// not.
	l3     *byte
	l3Len  int
	payLen int
	cands  []int32
	res    []uint8 // by position in cands: 0 not evaluated, 1 no match, 2 match
}

// Reset makes a hold nothing, for a packet no worker could decode alone
// (a fragment).
func (a *Ahead) Reset() { a.ok = false }

// Worker returns a Matcher that shares m's compiled rules, for another
// thread to call Ahead on. It holds no flow state and raises no alerts.
func (m *Matcher) Worker() *Matcher {
	return &Matcher{eng: m.eng, worker: true,
		sc: scratch{limit: m.sc.limit, ipRaw: make([]byte, 0, 16), ipLow: make([]byte, 0, 16)}}
}

// Ahead works out into a what Observe will need of f's rules that f's
// bytes alone decide. w must be a Worker; f is decoded but has no flow
// facts.
func (w *Matcher) Ahead(f *packet.Facts, a *Ahead) {
	a.ok = false
	if !w.worker || w.noPrefilter || f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 || len(f.L3Header) == 0 {
		return
	}
	class := packetClass(f)
	set := &w.eng.sets[class]
	if len(set.all) == 0 {
		return
	}
	s := &w.sc
	s.newPacket()
	cands := sortUnique(w.packetCands(set, f, a.cands[:0]), &s.candBits, len(w.eng.rules))
	guessFlow(f)
	res := a.res[:0]
	for _, ri := range cands {
		r := &w.eng.rules[ri]
		o := uint8(0)
		if r.alone && flowChecks(r, f) {
			o = 1
			if w.matchPacket(r, f) {
				o = 2
			}
		}
		res = append(res, o)
	}
	a.cands, a.res = cands, res
	a.ok, a.class = true, class
	a.l3, a.l3Len, a.payLen = &f.L3Header[0], len(f.L3Header), len(f.Payload)
}

// guessFlow gives f, decoded alone, the flow facts it most likely has: the
// side of an established flow its ports suggest (a client's ephemeral port
// is the higher), or a SYN's. Ahead evaluates a rule only when its flow
// checks hold on the guess, and leaves the others to the packet's thread:
// a wrong guess costs time, never a result, as the packet's thread applies
// the real checks to every outcome (flowChecks).
func guessFlow(f *packet.Facts) {
	f.Dir = packet.DirToServer
	switch {
	case f.Proto == packet.ProtoTCP && f.TCPFlags&packet.TCPSyn != 0:
		if f.TCPFlags&packet.TCPAck != 0 {
			f.Dir = packet.DirToClient
		}
	case f.SrcPort < f.DstPort:
		f.Dir = packet.DirToClient
	}
	f.ConnEvent, f.BothWays, f.Retransmission = packet.ConnNone, true, false
}

// UseAhead gives Observe what a worker found for the next packet it sees
// (nil: nothing). Observe takes it only if it was worked out for that
// packet's bytes.
func (m *Matcher) UseAhead(a *Ahead) { m.ahead = a }

// aheadFor returns m.ahead when it was worked out for f.
func (m *Matcher) aheadFor(f *packet.Facts, class int) *Ahead {
	a := m.ahead
	if a == nil || !a.ok || a.class != class || len(f.L3Header) == 0 || a.l3 != &f.L3Header[0] ||
		a.l3Len != len(f.L3Header) || a.payLen != len(f.Payload) {
		return nil
	}
	return a
}

// aheadOutcomes returns, by position in cands, the outcomes a found for
// them: a's own list when cands is it, else merged by rule index (both
// are sorted), 0 for a rule a did not evaluate.
func (s *scratch) aheadOutcomes(a *Ahead, cands []int32) []uint8 {
	out := s.aheadRes[:0]
	j := 0
	for _, ri := range cands {
		for j < len(a.cands) && a.cands[j] < ri {
			j++
		}
		o := uint8(0)
		if j < len(a.cands) && a.cands[j] == ri {
			o = a.res[j]
		}
		out = append(out, o)
	}
	s.aheadRes = out
	return out
}

// packetCands appends to cands the rules of set that f's bytes make
// candidates: the prefilter's, those always run, those of its ports. The
// rest (handshake and SNI rules) depend on the flow; the caller sorts.
func (m *Matcher) packetCands(set *ruleSet, f *packet.Facts, cands []int32) []int32 {
	s := &m.sc
	if set.pf != nil && len(f.Payload) >= set.pf.minLen {
		ported := f.Proto != packet.ProtoTCP && f.Proto != packet.ProtoUDP || set.portGate(f.SrcPort, f.DstPort)
		if ported || set.pf.hasOpen() {
			cands = set.pf.searchFor(f.Payload, ported, &s.pf, cands)
		}
	}
	cands = append(cands, set.always...)
	if f.Proto == packet.ProtoTCP || f.Proto == packet.ProtoUDP {
		if l, ok := set.byDst[f.DstPort]; ok {
			cands = append(cands, l...)
		}
		if l, ok := set.bySrc[f.SrcPort]; ok {
			cands = append(cands, l...)
		}
	}
	return cands
}

// packetOnly reports whether matchPacket's outcome for r depends on the
// packet alone, once flowChecks hold: no flow or handshake state, no
// dataset a rule may change.
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

// sessionBuffer reports whether buffer hands id out only on a TCP packet
// of a known session that is no retransmission: an application buffer
// parsed from the payload.
func sessionBuffer(id rules.Buffer) bool {
	return !id.IPBuffer() && !id.Header() && id != rules.BufferPayload && !handshakeBuffer(id) &&
		id != rules.BufferTLSSNI && id != rules.BufferDNSQuery
}

// flowChecks are matchPacket's tests of what the flow table set on f: the
// rest of a packetOnly rule's outcome may come from Ahead.
func flowChecks(r *rule, f *packet.Facts) bool {
	if r.streamOnly && f.Retransmission && len(r.bufs) > 0 {
		return false
	}
	if r.hasFlow && !flowMatch(&r.flow, f) {
		return false
	}
	return !r.session || f.Proto == packet.ProtoTCP && f.Dir != packet.DirUnknown && !f.Retransmission
}
