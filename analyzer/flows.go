package analyzer

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

// FlowConfig bounds TCP connection tracking.
type FlowConfig struct {
	// HalfOpenTimeout drops connections whose handshake has not completed
	// after this long. Zeek waits 5s for an answer (tcp_attempt_delay) and
	// Suricata 30s for a new flow (flow-timeouts.tcp.new); the longer one
	// keeps slow servers' handshakes.
	HalfOpenTimeout packet.Duration `json:"half_open_timeout"`
	// IdleTimeout ends an established connection with no packets for this
	// long. Zeek: tcp_inactivity_timeout 5 min.
	IdleTimeout packet.Duration `json:"idle_timeout"`
	// MaxHalfOpen caps handshakes in progress. A spoofed SYN flood fills it
	// first; the stalest are evicted (counted) so memory stays bounded.
	// 65,536 entries (about 13 MB; stream state lives apart) keep a 5M-packet
	// spoofed flood well under 256 MB RSS; the flood detector counts SYNs
	// on its own, so evictions here do not hide it.
	MaxHalfOpen int `json:"max_half_open"`
	// MaxEstablished caps established connections tracked at once.
	MaxEstablished int `json:"max_established"`
	// Midstream picks up connections whose handshake the capture missed
	// (it started before the capture), as Suricata's stream.midstream
	// does: from a SYN-ACK (its sender the server) or as established from
	// an ACK without SYN, FIN or RST. Off by default, as there: without the SYN
	// the client can only be guessed (the side on the higher,
	// non-service port), and a stray packet would open a connection.
	Midstream bool `json:"midstream"`

	// StreamWindow caps, in bytes, how much of each direction's TCP
	// stream before a segment is kept so rule contents split across
	// segments match. The rule set asks for what its longest stream rule
	// reaches (a content's length, or a distance/within chain's span);
	// rules whose contents may sit any distance apart get the cap. Higher:
	// longer split contents and chains match, at 2 × window bytes per
	// connection with payload (see MaxStreams) and more bytes scanned per
	// segment. 256 covers the longest contents of common rule packs;
	// at most 4096.
	StreamWindow int `json:"stream_window"`
	// MaxStreams caps connections with stream state (tails of both
	// directions, held segments) at once; only connections that carried
	// payload have any, so a SYN flood takes none. The least recently used
	// goes first (counted). Memory: MaxStreams × 2 × StreamWindow, 32 MiB
	// at the defaults. Lower: less memory, more split contents missed on
	// captures with many concurrent connections.
	MaxStreams int `json:"max_streams"`
	// HoldSegments caps out-of-order segments held per direction until a
	// gap fills. Higher: longer reorderings still reassemble; a capture
	// that lost a segment holds (and then drops, counted) more before the
	// stream restarts after the gap. Suricata sets no count, only memcap.
	HoldSegments int `json:"hold_segments"`
	// HoldBytes caps, in bytes, how far past a gap a held segment may end:
	// a receiver accepts no more than its window, 64 KiB without window
	// scaling. Higher: more reordering tolerated per direction.
	HoldBytes int `json:"hold_bytes"`
	// HoldMemcap caps, in bytes, all held segment data together (stored in
	// 512-byte chunks), as Suricata's stream.reassembly.memcap does. When
	// it bites the direction that needed more restarts after its gap and
	// its held data is dropped (counted). Higher: more memory for heavily
	// reordered captures.
	HoldMemcap int `json:"hold_memcap"`
}

// DefaultFlowConfig returns the defaults documented on FlowConfig.
func DefaultFlowConfig() FlowConfig {
	return FlowConfig{
		HalfOpenTimeout: packet.Duration(30e9),
		IdleTimeout:     packet.Duration(300e9),
		MaxHalfOpen:     1 << 16,
		MaxEstablished:  1 << 17,
		StreamWindow:    256,
		MaxStreams:      1 << 16,
		HoldSegments:    64,
		HoldBytes:       1 << 16,
		HoldMemcap:      32 << 20,
	}
}

// closedLinger is how long a closed connection's direction is kept:
// Suricata's default flow-timeouts.tcp.closed. closedCap bounds the
// table (with the counts its flow record needs, about 100 bytes an entry
// with the key: 7 MB at most).
const (
	closedLinger = int64(60 * time.Second)
	closedCap    = 1 << 16
)

// flowKey is a connection's endpoints with the lower (address, port) first,
// so both directions find the same entry. The addresses are kept as two
// words each and the ports and families as one, not as netip.Addr, which
// holds a pointer (its zone): with no pointer in a key or a flow record,
// the tables' slabs hold none, so the collector never scans them and
// clearing or moving a slot takes no write barrier (a spoofed SYN flood
// churns through 65,536 half-open slots). Words, and three fields: a
// struct holding an array, or more than four fields, lives in memory, and
// the key, written a field at a time and copied 16 bytes at a time, could
// not be forwarded from its stores: a stall each time it was passed on.
type flowKey struct {
	lo, hi addrWords
	// ends: loPort in bits 0-15, hiPort in 16-31, lo's family in 32-33
	// and hi's in 34-35 (famNone, fam4, fam6)
	ends uint64
}

func (k flowKey) loPort() uint16 { return uint16(k.ends) }
func (k flowKey) hiPort() uint16 { return uint16(k.ends >> 16) }
func (k flowKey) fam() uint8     { return uint8(k.ends >> 32) }

func keyEnds(loPort, hiPort uint16, loFam, hiFam uint8) uint64 {
	return uint64(loPort) | uint64(hiPort)<<16 | uint64(loFam|hiFam<<2)<<32
}

// addrWords is an address's 16 bytes (IPv4 mapped) as two big-endian
// words, so comparing them compares the bytes.
type addrWords struct{ hi, lo uint64 }

func wordsOf(a netip.Addr) addrWords {
	if a.Is4() {
		// As16's array is written in words and copied in one 16-byte move:
		// another stall
		b := a.As4()
		return addrWords{0, 0xffff<<32 | uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return addrWords{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func (w addrWords) compare(o addrWords) int {
	if w.hi != o.hi {
		return cmp.Compare(w.hi, o.hi)
	}
	return cmp.Compare(w.lo, o.lo)
}

// Address families of a flowKey, ordered as netip.Addr.Compare orders
// them (by bit length): the key's sides are the ones Compare would pick.
const (
	famNone uint8 = iota // the zero netip.Addr
	fam4
	fam6
)

func addrFamily(a netip.Addr) uint8 {
	switch {
	case a.Is4():
		return fam4
	case a.IsValid():
		return fam6
	}
	return famNone
}

// addrFrom rebuilds an address kept in a flowKey. Packets carry no zones,
// so none is lost.
func addrFrom(w addrWords, fam uint8) netip.Addr {
	switch fam {
	case fam4:
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(w.lo))
		return netip.AddrFrom4(b)
	case fam6:
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], w.hi)
		binary.BigEndian.PutUint64(b[8:], w.lo)
		return netip.AddrFrom16(b)
	}
	return netip.Addr{}
}

// loAddr and hiAddr are the key's addresses.
func (k flowKey) loAddr() netip.Addr { return addrFrom(k.lo, k.fam()&3) }
func (k flowKey) hiAddr() netip.Addr { return addrFrom(k.hi, k.fam()>>2) }

func (k flowKey) hash() bounded.Hash {
	lo, hi, ends := k.lo, k.hi, k.ends
	if uint8(ends>>32) == fam4|fam4<<2 {
		// most traffic: both IPv4 addresses in one word
		return bounded.Seed().Word(lo.lo<<32 | hi.lo&0xffffffff).Word(ends)
	}
	return bounded.Seed().Word(lo.hi).Word(lo.lo).Word(hi.hi).Word(hi.lo).Word(ends)
}

// makeFlowKey is the key of a packet from src:sport to dst:dport, and
// whether src is its lo side.
func makeFlowKey(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (k flowKey, fromLo bool) {
	fromLo = k.set(src, sport, dst, dport)
	return k, fromLo
}

// set is makeFlowKey in place: a key returned in registers was stored to
// the stack and copied from there in 16-byte moves, which the stores could
// not be forwarded to (the flow table's hottest instruction).
func (k *flowKey) set(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (fromLo bool) {
	a, b := wordsOf(src), wordsOf(dst)
	fa, fb := addrFamily(src), addrFamily(dst)
	c := int(fa) - int(fb)
	if c == 0 {
		c = a.compare(b)
	}
	if c < 0 || c == 0 && sport <= dport {
		k.lo, k.hi, k.ends = a, b, keyEnds(sport, dport, fa, fb)
		return true
	}
	k.lo, k.hi, k.ends = b, a, keyEnds(dport, sport, fb, fa)
	return false
}

// connRecord is a connection's packet.Conn without its ends, which the
// table's key holds (pointer-free, see flowKey); end puts them back.
type connRecord struct {
	ClientMAC                [6]byte
	ClientPort, ServerPort   uint16
	Start, End               int64 // capture times, unix ns
	First, Last              packet.PacketRef
	Established              bool
	ClientBytes, ServerBytes uint64 // transport payload bytes each way
	ClientPkts, ServerPkts   uint32
	ClosedBy                 packet.CloseReason
}

type flow struct {
	conn       connRecord
	clientIsLo bool
	serverISN  uint32
	synAcked   bool // server answered with SYN-ACK
	clientFin  bool
	serverFin  bool
	reported   bool // ended was told already (at the server's FIN)
	// next is where each direction's next in-order byte starts (client
	// to server first), once known: from the SYN, or the first data of a
	// connection picked up mid-way. Kept here rather than in the stream
	// state so that state can be evicted and rebuilt without losing place.
	next  [2]uint32
	known [2]bool
	// hasStream: stream state may exist for this connection (it carried
	// payload), so its end must free it.
	hasStream bool
	// holding: the direction holds segments ahead of a gap, so the other
	// side's acknowledgements are checked for passing it.
	holding [2]bool
	// bytes are the whole packets' bytes each way (Conn counts payload),
	// to server first, for EVE's flow counters
	bytes   [2]uint64
	app     appState
	alerted bool // a rule alerted on one of its packets
}

// closedFlow is a closed connection in the closed table: which side was
// the client, and what its flow record and later packets' alerts need.
// Its ends are the table's key, so the entry stays small (about 60
// bytes): a connection closes on every short session.
type closedFlow struct {
	clientIsLo bool
	alerted    bool
	app        uint8
	counts     packet.FlowCounts
	start, end int64
}

// summary is cf's flow record summary; key holds its ends.
func (cf *closedFlow) summary(key flowKey) flowSummary {
	s := flowSummary{client: key.loAddr(), server: key.hiAddr(), cport: key.loPort(), sport: key.hiPort(),
		proto: packet.ProtoTCP, state: stateClosed, alerted: cf.alerted, app: cf.app,
		counts: cf.counts, start: cf.start, end: cf.end}
	if !cf.clientIsLo {
		s.client, s.server, s.cport, s.sport = s.server, s.client, key.hiPort(), key.loPort()
	}
	return s
}

// flowTable follows TCP connections from the first SYN so detectors learn a
// packet's direction, when a handshake completes and how a connection ended.
type flowTable struct {
	cfg         FlowConfig
	halfOpen    *bounded.Table[flowKey, flow]
	established *bounded.Table[flowKey, flow]
	// closed remembers which side was the client of connections that
	// ended (RST or both FINs) for closedLinger, as Suricata keeps a
	// closed flow until its closed timeout: a packet after the close (data
	// after a suspected RST injection, a late retransmission) still has a
	// direction, so flow:to_server and the app-layer buffers see it.
	closed *bounded.Table[flowKey, closedFlow]
	ended  func(c *packet.Conn)
	// prefixWanted says whether a segment with these ports may have its
	// StreamPrefix read (packet.StreamPrefixGate); nil: every segment's.
	prefixWanted func(src, dst uint16) bool
	// conn is the Conn ended is shown (see end)
	conn packet.Conn
	// onEnd, when set, sees each flow leave the tables (flowend.go), for
	// reason: endReason while expiring, else endForced (evicted when a
	// table is full).
	onEnd     func(s *flowSummary, reason uint8)
	endReason uint8
	created   uint64 // connections followed
	// rs reassembles payload for stream consumers; nil when none asked.
	rs *tcpStreams
	sf streamFacts
	// bound once: no closure per call
	onHalfOpenGone func(flowKey, *flow)
	onClosedGone   func(flowKey, *closedFlow)
}

// newFlowTable builds the table; streamWindow is the stream bytes before a
// segment the detectors asked for (packet.StreamConsumer), capped by
// cfg.StreamWindow; 0 tracks no stream data at all.
func newFlowTable(cfg FlowConfig, streamWindow int, ended func(c *packet.Conn)) *flowTable {
	t := &flowTable{
		cfg:         cfg,
		halfOpen:    bounded.NewHashed[flowKey, flow](cfg.MaxHalfOpen, flowKey.hash),
		established: bounded.NewHashed[flowKey, flow](cfg.MaxEstablished, flowKey.hash),
		closed:      bounded.NewHashed[flowKey, closedFlow](closedCap, flowKey.hash),
		ended:       ended,
	}
	if w := min(streamWindow, cfg.StreamWindow); w > 0 {
		t.rs = newTCPStreams(cfg, w)
	}
	t.onHalfOpenGone = t.halfOpenGone
	t.onClosedGone = t.closedGone
	return t
}

// observe updates the connection f belongs to and sets f.Dir and
// f.ConnEvent.
func (t *flowTable) observe(f *packet.Facts) {
	var key flowKey
	fromLo := key.set(f.Src, f.SrcPort, f.Dst, f.DstPort)
	now := f.Time
	if fl, ok := t.established.Get(key, now); ok {
		t.update(key, fl, fromLo, f, true)
		return
	}
	if f.TCPFlags&(packet.TCPSyn|packet.TCPAck|packet.TCPRst) == packet.TCPSyn {
		// Put finds a retransmitted SYN's entry as Get would: one lookup
		// instead of two for what a flood is made of
		fl, created := t.halfOpen.Put(key, now, t.onHalfOpenGone)
		if created {
			t.begin(fl, fromLo, f.SrcPort, f.DstPort, f.SrcMAC, f)
		}
		t.update(key, fl, fromLo, f, false)
		return
	}
	fl, ok := t.halfOpen.Get(key, now)
	if !ok {
		if cf, ok := t.closed.Get(key, now); ok {
			// still the closed connection's packet, as in Suricata's flow
			// until its closed timeout: counted, in its flow
			d := 1
			f.Dir = packet.DirToClient
			if fromLo == cf.clientIsLo {
				f.Dir, d = packet.DirToServer, 0
			}
			cf.counts.Pkts[d]++
			cf.counts.Bytes[d] += uint64(f.CapLen)
			cf.end = max(cf.end, f.Time)
			f.FlowStart, f.FlowCounts, f.AppProto = cf.start, cf.counts, cf.app
			return
		}
		synAck := f.TCPFlags&(packet.TCPSyn|packet.TCPAck|packet.TCPRst) == packet.TCPSyn|packet.TCPAck
		if !t.cfg.Midstream || !synAck && (f.TCPFlags&(packet.TCPSyn|packet.TCPRst|packet.TCPFin) != 0 ||
			f.TCPFlags&packet.TCPAck == 0) {
			return // mid-stream or stray: no direction known
		}
		if !synAck {
			t.pickUp(key, fromLo, f)
			return
		}
		// Suricata's midstream pickup of a SYN-ACK: its sender is the
		// server, and the client's ACK completes the handshake
		fl, _ = t.halfOpen.Put(key, now, t.onHalfOpenGone)
		t.begin(fl, !fromLo, f.DstPort, f.SrcPort, f.DstMAC, f)
	}
	t.update(key, fl, fromLo, f, false)
}

// segment hands f's payload, starting at sequence number seq, to stream
// reassembly for direction d and sets f's stream data.
func (t *flowTable) segment(key flowKey, fl *flow, d int, seq uint32, f *packet.Facts) {
	// every byte before where the stream is: a retransmission
	f.Retransmission = int32(seq+uint32(len(f.Payload))-fl.next[d]) <= 0
	fl.hasStream = true
	sf := &t.sf
	*sf = streamFacts{now: f.Time}
	fl.next[d] = t.rs.segment(key, d, fl.next[d], seq, f.Payload, sf, t.tailWanted(f.SrcPort, f.DstPort), fl.holding[d])
	f.StreamPrefix, f.StreamData, f.StreamPieces = sf.prefix, sf.data, sf.pieces
	fl.holding[d] = sf.holding
}

// tailWanted says whether the stream tail of the direction whose segments
// have these ports is worth keeping: whether their StreamPrefix may be read.
func (t *flowTable) tailWanted(src, dst uint16) bool {
	return t.prefixWanted == nil || t.prefixWanted(src, dst)
}

// begin fills in fl, a new entry of the half-open table, for a
// connection in its handshake.
func (t *flowTable) begin(fl *flow, clientIsLo bool, cport, sport uint16, clientMAC [6]byte, f *packet.Facts) {
	fl.clientIsLo = clientIsLo
	c := &fl.conn
	c.ClientPort, c.ServerPort = cport, sport
	c.ClientMAC = clientMAC
	c.Start, c.First = f.Time, f.Packet
	f.ConnEvent = packet.ConnOpened
	t.created++
}

func (t *flowTable) update(key flowKey, fl *flow, fromLo bool, f *packet.Facts, established bool) {
	c := &fl.conn
	fromClient := fromLo == fl.clientIsLo
	// the packet's reference by its fields: a PacketRef copied whole is a
	// 16-byte move over the two stores that wrote it, a stall
	c.End, c.Last.File, c.Last.Num = f.Time, f.Packet.File, f.Packet.Num
	f.FlowStart = c.Start
	payload := uint64(len(f.Payload))
	flags := f.TCPFlags
	if fromClient {
		f.Dir = packet.DirToServer
		c.ClientPkts++
		c.ClientBytes += payload
		fl.bytes[0] += uint64(f.CapLen)
	} else {
		f.Dir = packet.DirToClient
		c.ServerPkts++
		c.ServerBytes += payload
		fl.bytes[1] += uint64(f.CapLen)
	}
	// word by word: the struct, built on the stack and copied in 16-byte
	// moves, was read back right after its words (and fl.bytes, just
	// added to) were stored, and stalled (3 % of a SYN flood)
	fc := &f.FlowCounts
	fc.Pkts[0], fc.Pkts[1] = uint64(c.ClientPkts), uint64(c.ServerPkts)
	fc.Bytes[0], fc.Bytes[1] = fl.bytes[0], fl.bytes[1]

	// the stream starts after the SYN, which takes one sequence number
	d := 1
	if fromClient {
		d = 0
	}
	switch {
	case flags&packet.TCPSyn != 0:
		if fl.hasStream && (!fl.known[d] || fl.next[d] != f.Seq+1) {
			t.rs.reset(key, d) // a new ISN: what was kept is of no use
		}
		fl.known[d], fl.next[d] = true, f.Seq+1
		if t.rs != nil && len(f.Payload) > 0 {
			// TCP Fast Open: data on the SYN starts the stream, as
			// Suricata takes it
			t.segment(key, fl, d, f.Seq+1, f)
		}
	case t.rs != nil && len(f.Payload) > 0:
		if !fl.known[d] {
			fl.known[d], fl.next[d] = true, f.Seq
		}
		t.segment(key, fl, d, f.Seq, f)
	}
	fl.app.observe(f, fromClient, c.ServerPort)
	f.AppProto = fl.app.proto
	// The peer acknowledging past a gap got bytes the capture lost: they
	// will never come, so waiting for them would only fill the hold limit.
	if o := 1 - d; fl.holding[o] && flags&packet.TCPAck != 0 && int32(f.Ack-fl.next[o]) > 0 {
		// o's segments come the other way
		fl.next[o], fl.holding[o] = t.rs.skipGap(key, o, fl.next[o], f.Ack, t.tailWanted(f.DstPort, f.SrcPort))
	}

	if flags&packet.TCPRst != 0 {
		c.ClosedBy = packet.CloseServerRst
		if fromClient {
			c.ClosedBy = packet.CloseClientRst
		}
		t.finish(key, fl, established)
		return
	}
	if !established {
		switch {
		case !fromClient && flags&(packet.TCPSyn|packet.TCPAck) == packet.TCPSyn|packet.TCPAck:
			fl.synAcked = true
			fl.serverISN = f.Seq
		case fromClient && fl.synAcked && flags&(packet.TCPSyn|packet.TCPAck) == packet.TCPAck &&
			f.Ack == fl.serverISN+1:
			c.Established = true
			f.ConnEvent = packet.ConnEstablished
			moved, _ := t.established.Put(key, f.Time, t.evictEstablished)
			*moved = *fl
			t.halfOpen.Delete(key)
			fl = moved
		}
	}
	if flags&packet.TCPFin != 0 {
		if fromClient {
			if !fl.serverFin && !fl.clientFin {
				fl.conn.ClosedBy = packet.CloseClientFin
			}
			fl.clientFin = true
		} else {
			if !fl.serverFin && !fl.clientFin {
				fl.conn.ClosedBy = packet.CloseServerFin
			}
			fl.serverFin = true
		}
		if fl.clientFin && fl.serverFin {
			t.finish(key, fl, fl.conn.Established)
			return
		}
		// Once the server has closed, its byte count is final: report
		// the connection now rather than when the client gets round to
		// its FIN (some never do), so detections come when an IPS
		// would make them.
		if fl.serverFin && fl.conn.Established && !fl.reported {
			fl.reported = true
			t.end(key, fl)
		}
	}
}

// pickUp starts tracking a connection first seen mid-way, as established.
// The client is the side on the higher port when the other is a service
// port (below 1024), else the sender of this first packet.
func (t *flowTable) pickUp(key flowKey, fromLo bool, f *packet.Facts) {
	fromClient := !(f.SrcPort < 1024 && f.DstPort >= 1024)
	fl, _ := t.established.Put(key, f.Time, t.evictEstablished)
	fl.clientIsLo = fromLo == fromClient
	c := &fl.conn
	c.ClientPort, c.ServerPort, c.ClientMAC = f.SrcPort, f.DstPort, f.SrcMAC
	if !fromClient {
		c.ClientPort, c.ServerPort, c.ClientMAC = f.DstPort, f.SrcPort, f.DstMAC
	}
	c.Start, c.First, c.Established = f.Time, f.Packet, true
	t.created++
	t.update(key, fl, fromLo, f, true)
}

// finish reports an established connection as ended and forgets it.
func (t *flowTable) finish(key flowKey, fl *flow, established bool) {
	if fl.hasStream {
		t.rs.drop(key)
	}
	cf, created := t.closed.Put(key, fl.conn.End, t.onClosedGone)
	if !created && t.onEnd != nil {
		s := cf.summary(key)
		t.onEnd(&s, endTimeout) // the tuple's last connection, closed again
	}
	c := &fl.conn
	*cf = closedFlow{clientIsLo: fl.clientIsLo, alerted: fl.alerted, app: fl.app.proto,
		counts: fl.counts(), start: c.Start, end: c.End}
	if !established {
		t.halfOpen.Delete(key)
		return
	}
	if !fl.reported {
		fl.reported = true
		t.end(key, fl) // before Delete zeroes the slot
	}
	t.established.Delete(key)
}

func (t *flowTable) evictEstablished(key flowKey, fl *flow) {
	if fl.hasStream {
		t.rs.drop(key)
	}
	t.timedOut(key, fl)
	if t.onEnd != nil {
		s := summarize(key, fl, stateEstablished)
		t.onEnd(&s, t.endReason)
	}
}

// halfOpenGone frees the stream state of a half-open connection evicted or
// expired (one whose handshake was not seen whole can still carry data).
func (t *flowTable) halfOpenGone(key flowKey, fl *flow) {
	if fl.hasStream {
		t.rs.drop(key)
	}
	if t.onEnd != nil {
		s := summarize(key, fl, stateNew)
		t.onEnd(&s, t.endReason)
	}
}

// closedGone logs a closed connection leaving the closed table.
func (t *flowTable) closedGone(key flowKey, cf *closedFlow) {
	if t.onEnd != nil {
		s := cf.summary(key)
		t.onEnd(&s, t.endReason)
	}
}

// summarize is fl's flow record summary, in state; key holds its ends.
func summarize(key flowKey, fl *flow, state uint8) flowSummary {
	c := &fl.conn
	s := flowSummary{
		client: key.loAddr(), server: key.hiAddr(), cport: c.ClientPort, sport: c.ServerPort,
		proto: packet.ProtoTCP, state: state, alerted: fl.alerted, app: fl.app.proto,
		counts: fl.counts(), start: c.Start, end: c.End,
	}
	if !fl.clientIsLo {
		s.client, s.server = s.server, s.client
	}
	return s
}

// end tells the detectors fl ended. The connection is put together in the
// table's own Conn, which the callback must not keep, so ending one
// allocates nothing.
func (t *flowTable) end(key flowKey, fl *flow) {
	c := &fl.conn
	t.conn = packet.Conn{Client: key.loAddr(), Server: key.hiAddr(), ClientMAC: c.ClientMAC,
		ClientPort: c.ClientPort, ServerPort: c.ServerPort, Start: c.Start, End: c.End,
		First: c.First, Last: c.Last, Established: c.Established,
		ClientBytes: c.ClientBytes, ServerBytes: c.ServerBytes,
		ClientPkts: c.ClientPkts, ServerPkts: c.ServerPkts, ClosedBy: c.ClosedBy}
	if !fl.clientIsLo {
		t.conn.Client, t.conn.Server = t.conn.Server, t.conn.Client
	}
	t.ended(&t.conn)
}

// counts are fl's packets (the connection's) and whole-packet bytes each
// way, to the server first.
func (fl *flow) counts() packet.FlowCounts {
	return packet.FlowCounts{Pkts: [2]uint64{uint64(fl.conn.ClientPkts), uint64(fl.conn.ServerPkts)}, Bytes: fl.bytes}
}

// markAlerted notes that a rule alerted on f, a packet of a flow the
// table follows.
func (t *flowTable) markAlerted(f *packet.Facts) {
	key, _ := makeFlowKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
	if fl, ok := t.established.Peek(key); ok {
		fl.alerted = true
	} else if fl, ok := t.halfOpen.Peek(key); ok {
		fl.alerted = true
	} else if cf, ok := t.closed.Peek(key); ok {
		cf.alerted = true // a packet after the close, or the one that closed it
	}
}

// timedOut ends a connection nobody closed completely; a half-close keeps
// the side that sent the first FIN as the closer.
func (t *flowTable) timedOut(key flowKey, fl *flow) {
	if fl.reported {
		return
	}
	if !fl.clientFin && !fl.serverFin {
		fl.conn.ClosedBy = packet.CloseTimeout
	}
	t.end(key, fl)
}

// expire ages out connections on packet time.
func (t *flowTable) expire(now int64) {
	t.expireFor(now, endTimeout)
}

func (t *flowTable) expireFor(now int64, reason uint8) {
	t.endReason = reason
	t.halfOpen.Expire(now-t.cfg.HalfOpenTimeout.Nanos(), t.onHalfOpenGone)
	t.established.Expire(now-t.cfg.IdleTimeout.Nanos(), t.evictEstablished)
	t.closed.Expire(now-closedLinger, t.onClosedGone)
	t.endReason = endForced
	if t.rs != nil {
		t.rs.expire(now - t.cfg.IdleTimeout.Nanos())
	}
}

// flush ends every open connection, as at the end of the capture.
func (t *flowTable) flush() {
	t.expireFor(1<<63-1, endShutdown)
}

func (t *flowTable) evictions() (halfOpen, established uint64) {
	return t.halfOpen.Evicted(), t.established.Evicted()
}

// streamGaps counts gaps in TCP streams given up because the peer
// acknowledged data the capture does not have.
func (t *flowTable) streamGaps() uint64 {
	if t.rs == nil {
		return 0
	}
	return t.rs.gaps
}

// streamEvictions counts stream state evicted at MaxStreams and held
// segments dropped at a hold limit or the memcap.
func (t *flowTable) streamEvictions() (states, segments uint64) {
	if t.rs == nil {
		return 0, 0
	}
	return t.rs.streams.Evicted(), t.rs.dropped
}
