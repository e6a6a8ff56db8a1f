package analyzer

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/internal/bounded"
)

// FlowConfig bounds TCP connection tracking.
type FlowConfig struct {
	// HalfOpenTimeout drops connections whose handshake has not completed
	// after this long. Zeek waits 5s for an answer (tcp_attempt_delay) and
	// Suricata 30s for a new flow (flow-timeouts.tcp.new); the longer one
	// keeps slow servers' handshakes.
	HalfOpenTimeout detectors.Duration `json:"half_open_timeout"`
	// IdleTimeout ends an established connection with no packets for this
	// long. Zeek: tcp_inactivity_timeout 5 min.
	IdleTimeout detectors.Duration `json:"idle_timeout"`
	// MaxHalfOpen caps handshakes in progress. A spoofed SYN flood fills it
	// first; the stalest are evicted (counted) so memory stays bounded.
	// 65,536 entries (about 23 MB with stream tails) keep a 5M-packet
	// spoofed flood well under 256 MB RSS; the flood detector counts SYNs
	// on its own, so evictions here do not hide it.
	MaxHalfOpen int `json:"max_half_open"`
	// MaxEstablished caps established connections tracked at once.
	MaxEstablished int `json:"max_established"`
	// Midstream picks up connections whose handshake the capture missed
	// (it started before the capture) as established, as Suricata's
	// stream.midstream does. Off by default, as there: without the SYN
	// the client can only be guessed (the side on the higher,
	// non-service port), and a stray packet would open a connection.
	Midstream bool `json:"midstream"`
}

// DefaultFlowConfig returns the defaults documented on FlowConfig.
func DefaultFlowConfig() FlowConfig {
	return FlowConfig{
		HalfOpenTimeout: detectors.Duration(30e9),
		IdleTimeout:     detectors.Duration(300e9),
		MaxHalfOpen:     1 << 16,
		MaxEstablished:  1 << 17,
	}
}

// flowKey is a connection's endpoints with the lower (address, port) first,
// so both directions find the same entry.
type flowKey struct {
	loAddr, hiAddr netip.Addr
	loPort, hiPort uint16
}

func makeFlowKey(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) (flowKey, bool) {
	c := src.Compare(dst)
	if c < 0 || c == 0 && sport <= dport {
		return flowKey{src, dst, sport, dport}, true
	}
	return flowKey{dst, src, dport, sport}, false
}

// streamSide follows one direction's byte stream: where the next in-order
// segment starts and the last bytes before it.
type streamSide struct {
	next    uint32
	known   bool
	tail    [detectors.StreamTail]byte
	tailLen uint8
}

// advance takes one segment: it returns the tail the segment continues
// (nil unless it is the next in order) and keeps the stream's new end.
// Retransmissions and gaps restart the tail, so a split content across a
// loss is missed rather than matched on bytes that were never adjacent.
func (s *streamSide) advance(seq uint32, payload []byte, f *detectors.Facts) {
	if len(payload) == 0 {
		return
	}
	if s.known && seq == s.next && s.tailLen > 0 {
		f.SetStreamPrefix(s.tail[:s.tailLen])
	}
	if !s.known || seq != s.next {
		s.tailLen = 0
	}
	s.known, s.next = true, seq+uint32(len(payload))
	if len(payload) >= len(s.tail) {
		s.tailLen = uint8(copy(s.tail[:], payload[len(payload)-len(s.tail):]))
		return
	}
	keep := min(int(s.tailLen), len(s.tail)-len(payload))
	copy(s.tail[:keep], s.tail[int(s.tailLen)-keep:s.tailLen])
	copy(s.tail[keep:], payload)
	s.tailLen = uint8(keep + len(payload))
}

type flow struct {
	conn       detectors.Conn
	client     streamSide
	server     streamSide
	clientIsLo bool
	serverISN  uint32
	synAcked   bool // server answered with SYN-ACK
	clientFin  bool
	serverFin  bool
	reported   bool // ended was told already (at the server's FIN)
}

// flowTable follows TCP connections from the first SYN so detectors learn a
// packet's direction, when a handshake completes and how a connection ended.
type flowTable struct {
	cfg         FlowConfig
	halfOpen    *bounded.Table[flowKey, flow]
	established *bounded.Table[flowKey, flow]
	ended       func(c *detectors.Conn)
}

func newFlowTable(cfg FlowConfig, ended func(c *detectors.Conn)) *flowTable {
	return &flowTable{
		cfg:         cfg,
		halfOpen:    bounded.New[flowKey, flow](cfg.MaxHalfOpen),
		established: bounded.New[flowKey, flow](cfg.MaxEstablished),
		ended:       ended,
	}
}

// observe updates the connection f belongs to and sets f.Dir and
// f.ConnEvent.
func (t *flowTable) observe(f *detectors.Facts) {
	key, fromLo := makeFlowKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
	now := f.Time
	if fl, ok := t.established.Get(key, now); ok {
		t.update(key, fl, fromLo, f, true)
		return
	}
	fl, ok := t.halfOpen.Get(key, now)
	if !ok {
		if f.TCPFlags&(detectors.TCPSyn|detectors.TCPAck|detectors.TCPRst) != detectors.TCPSyn {
			if t.cfg.Midstream && f.TCPFlags&(detectors.TCPSyn|detectors.TCPRst|detectors.TCPFin) == 0 &&
				f.TCPFlags&detectors.TCPAck != 0 {
				t.pickUp(key, fromLo, f)
			}
			return // mid-stream or stray: no direction known
		}
		fl, _ = t.halfOpen.Put(key, now, nil)
		fl.clientIsLo = fromLo
		c := &fl.conn
		c.Client, c.Server = f.Src, f.Dst
		c.ClientPort, c.ServerPort = f.SrcPort, f.DstPort
		c.ClientMAC = f.SrcMAC
		c.Start, c.First = now, f.Packet
		f.ConnEvent = detectors.ConnOpened
	}
	t.update(key, fl, fromLo, f, false)
}

func (t *flowTable) update(key flowKey, fl *flow, fromLo bool, f *detectors.Facts, established bool) {
	c := &fl.conn
	fromClient := fromLo == fl.clientIsLo
	c.End, c.Last = f.Time, f.Packet
	payload := uint64(len(f.Payload))
	flags := f.TCPFlags
	if fromClient {
		f.Dir = detectors.DirToServer
		c.ClientPkts++
		c.ClientBytes += payload
	} else {
		f.Dir = detectors.DirToClient
		c.ServerPkts++
		c.ServerBytes += payload
	}

	// the stream starts after the SYN, which takes one sequence number
	side := &fl.server
	if fromClient {
		side = &fl.client
	}
	if flags&detectors.TCPSyn != 0 {
		side.known, side.next, side.tailLen = true, f.Seq+1, 0
	} else {
		side.advance(f.Seq, f.Payload, f)
	}

	if flags&detectors.TCPRst != 0 {
		c.ClosedBy = detectors.CloseServerRst
		if fromClient {
			c.ClosedBy = detectors.CloseClientRst
		}
		t.finish(key, fl, established)
		return
	}
	if !established {
		switch {
		case !fromClient && flags&(detectors.TCPSyn|detectors.TCPAck) == detectors.TCPSyn|detectors.TCPAck:
			fl.synAcked = true
			fl.serverISN = f.Seq
		case fromClient && fl.synAcked && flags&(detectors.TCPSyn|detectors.TCPAck) == detectors.TCPAck &&
			f.Ack == fl.serverISN+1:
			c.Established = true
			f.ConnEvent = detectors.ConnEstablished
			moved, _ := t.established.Put(key, f.Time, t.evictEstablished)
			*moved = *fl
			t.halfOpen.Delete(key)
			fl = moved
		}
	}
	if flags&detectors.TCPFin != 0 {
		if fromClient {
			if !fl.serverFin && !fl.clientFin {
				fl.conn.ClosedBy = detectors.CloseClientFin
			}
			fl.clientFin = true
		} else {
			if !fl.serverFin && !fl.clientFin {
				fl.conn.ClosedBy = detectors.CloseServerFin
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
			t.ended(&fl.conn)
		}
	}
}

// pickUp starts tracking a connection first seen mid-way, as established.
// The client is the side on the higher port when the other is a service
// port (below 1024), else the sender of this first packet.
func (t *flowTable) pickUp(key flowKey, fromLo bool, f *detectors.Facts) {
	fromClient := !(f.SrcPort < 1024 && f.DstPort >= 1024)
	fl, _ := t.established.Put(key, f.Time, t.evictEstablished)
	fl.clientIsLo = fromLo == fromClient
	c := &fl.conn
	c.Client, c.Server, c.ClientPort, c.ServerPort = f.Src, f.Dst, f.SrcPort, f.DstPort
	c.ClientMAC = f.SrcMAC
	if !fromClient {
		c.Client, c.Server, c.ClientPort, c.ServerPort = f.Dst, f.Src, f.DstPort, f.SrcPort
		c.ClientMAC = f.DstMAC
	}
	c.Start, c.First, c.Established = f.Time, f.Packet, true
	t.update(key, fl, fromLo, f, true)
}

// finish reports an established connection as ended and forgets it.
func (t *flowTable) finish(key flowKey, fl *flow, established bool) {
	if !established {
		t.halfOpen.Delete(key)
		return
	}
	if !fl.reported {
		fl.reported = true
		t.ended(&fl.conn) // before Delete zeroes the slot; no copy escapes
	}
	t.established.Delete(key)
}

func (t *flowTable) evictEstablished(_ flowKey, fl *flow) {
	t.timedOut(fl)
}

// timedOut ends a connection nobody closed completely; a half-close keeps
// the side that sent the first FIN as the closer.
func (t *flowTable) timedOut(fl *flow) {
	if fl.reported {
		return
	}
	if !fl.clientFin && !fl.serverFin {
		fl.conn.ClosedBy = detectors.CloseTimeout
	}
	t.ended(&fl.conn)
}

// expire ages out connections on packet time.
func (t *flowTable) expire(now int64) {
	t.halfOpen.Expire(now-t.cfg.HalfOpenTimeout.Nanos(), nil)
	t.established.Expire(now-t.cfg.IdleTimeout.Nanos(), t.evictEstablished)
}

// flush ends every open connection, as at the end of the capture.
func (t *flowTable) flush() {
	t.expire(1<<63 - 1)
}

func (t *flowTable) evictions() (halfOpen, established uint64) {
	return t.halfOpen.Evicted(), t.established.Evicted()
}
