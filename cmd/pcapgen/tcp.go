package main

import (
	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// TCP flag bits as they sit in the header's flags byte.
const (
	fFIN uint8 = 1 << iota
	fSYN
	fRST
	fPSH
	fACK
)

const (
	cli = 0 // side that sent the SYN
	srv = 1
)

// delayedAck is the receiver's delayed-ACK timer (Linux uses 40 ms).
const delayedAck = 40 * msec

// tcpConn simulates one TCP connection as seen at the capture point. Each
// side has a one-way distance from the capture point, so an answer to a
// packet observed at t is observed at t + 2*dist(answering side) + processing.
type tcpConn struct {
	c        *capture
	ifc      int
	h        [2]*host
	port     [2]uint16
	seq      [2]uint32
	unacked  [2]int   // data segments received by a side and not yet ACKed
	lastRx   [2]int64 // when a side's latest unACKed segment was observed
	lastTx   [2]int64
	lastData int64 // time of the latest data segment (or handshake ACK)
	lastSide int   // side that sent it
	last     int64 // time of the latest packet of the connection
	mss      int
	closed   bool
}

// dial prepares a connection; nothing is sent until handshake.
func (c *capture) dial(t int64, client *host, cport uint16, server *host, sport uint16) *tcpConn {
	return &tcpConn{
		c: c, ifc: c.ifc,
		h:    [2]*host{client, server},
		port: [2]uint16{cport, sport},
		seq:  [2]uint32{c.rng.Uint32(), c.rng.Uint32()},
		last: t, lastData: t, lastSide: cli,
		mss: 1460,
	}
}

// resp is how long after observing a packet the answer of side s is observed.
func (k *tcpConn) resp(s int) int64 {
	return 2*k.h[s].dist + k.c.between(15, 90)
}

// seg emits one segment from side s.
func (k *tcpConn) seg(s int, t int64, flags uint8, payload []byte) {
	o := 1 - s
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(k.port[s]), DstPort: layers.TCPPort(k.port[o]),
		Seq: k.seq[s], Window: k.h[s].win,
		FIN: flags&fFIN != 0, SYN: flags&fSYN != 0, RST: flags&fRST != 0,
		PSH: flags&fPSH != 0, ACK: flags&fACK != 0,
	}
	if flags&fACK != 0 {
		tcp.Ack = k.seq[o]
	}
	if flags&fSYN != 0 {
		tcp.Window = 64240
		tcp.Options = synOptions(k.mss)
	}
	saved := k.c.ifc
	k.c.ifc = k.ifc
	if len(payload) > 0 {
		k.c.ip(t, k.h[s], k.h[o], layers.IPProtocolTCP, tcp, gopacket.Payload(payload))
	} else {
		k.c.ip(t, k.h[s], k.h[o], layers.IPProtocolTCP, tcp)
	}
	k.c.ifc = saved
	k.seq[s] += uint32(len(payload))
	if flags&(fSYN|fFIN) != 0 {
		k.seq[s]++
	}
	k.lastTx[s] = t
	k.last = max(k.last, t)
}

// synOptions are the options of a Windows-style SYN: MSS, NOP, WS, NOP, NOP, SACK permitted.
func synOptions(mss int) []layers.TCPOption {
	return []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{8}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
	}
}

// handshake sends SYN, SYN-ACK and ACK.
func (k *tcpConn) handshake() *tcpConn {
	t := k.last
	k.seg(cli, t, fSYN, nil)
	t += k.resp(srv)
	k.seg(srv, t, fSYN|fACK, nil)
	t += k.resp(cli)
	k.seg(cli, t, fACK, nil)
	k.lastData, k.lastSide = t, cli
	return k
}

// start is when side s, after thinking for think µs, starts sending.
func (k *tcpConn) start(s int, think int64) int64 {
	if k.lastSide != s {
		return k.lastData + k.resp(s) + think
	}
	return k.lastTx[s] + k.c.between(5, 40) + think
}

// flushAck sends side s's delayed ACK if its timer fires before time before.
func (k *tcpConn) flushAck(s int, before int64) {
	if k.unacked[s] == 0 {
		return
	}
	at := k.lastRx[s] + 2*k.h[s].dist + delayedAck
	if at < before {
		k.seg(s, at, fACK, nil)
		k.unacked[s] = 0
	}
}

// gap is the time a segment of n payload bytes takes on a ~100 Mbit/s path.
func gap(n int) int64 { return int64(n+78)/12 + 2 }

// send transmits data from side s after think µs: MSS-sized segments in
// flights of up to 10, with the receiver ACKing every second segment.
func (k *tcpConn) send(s int, data []byte, think int64) *tcpConn {
	if len(data) == 0 || k.closed {
		return k
	}
	o := 1 - s
	t := k.start(s, think)
	k.flushAck(s, t)
	k.flushAck(o, t)
	k.unacked[s] = 0 // our segments carry the ACK
	var lastAck int64
	flight := 0
	for off := 0; off < len(data); {
		n := min(k.mss, len(data)-off)
		flags := fACK
		if off+n == len(data) {
			flags |= fPSH
		}
		k.seg(s, t, flags, data[off:off+n])
		off += n
		k.unacked[o]++
		k.lastRx[o] = t
		if k.unacked[o] >= 2 {
			at := t + k.resp(o)
			k.seg(o, at, fACK, nil)
			k.unacked[o] = 0
			lastAck = max(lastAck, at)
		}
		flight++
		if off < len(data) {
			t += gap(n) + k.c.between(0, 6)
			if flight >= 10 {
				t = max(t, lastAck+k.resp(s))
				flight = 0
			}
		}
	}
	k.lastData, k.lastSide = k.lastTx[s], s
	return k
}

// wait idles for d µs before whatever comes next.
func (k *tcpConn) wait(d int64) *tcpConn { return k.after(k.lastData + d) }

// after makes the next send or close start no earlier than t (plus the
// usual reaction time), to tie the connection to events elsewhere.
func (k *tcpConn) after(t int64) *tcpConn {
	if t > k.lastData {
		k.lastData = t
		k.lastTx[k.lastSide] = max(k.lastTx[k.lastSide], t)
	}
	return k
}

// close: side s sends FIN after think µs, the peer answers FIN-ACK, s ACKs.
func (k *tcpConn) close(s int, think int64) int64 {
	if k.closed {
		return k.last
	}
	o := 1 - s
	t := k.start(s, think)
	k.flushAck(s, t)
	k.flushAck(o, t)
	k.seg(s, t, fFIN|fACK, nil)
	k.unacked[s] = 0
	t += k.resp(o)
	k.flushAck(o, t)
	k.seg(o, t, fFIN|fACK, nil)
	k.unacked[o] = 0
	t += k.resp(s)
	k.seg(s, t, fACK, nil)
	k.closed = true
	return k.last
}
