package rulematch

// Handshakes kept per flow: the TLS handshake messages and SSH banners
// each side of a TCP connection sends, read from the in-order stream
// (Facts.StreamData), for the buffers Suricata fills from its TLS and SSH
// parsers: tls.cert_subject, tls.cert_issuer, tls.cert_serial,
// tls.cert_fingerprint (the first, leaf, certificate of a Certificate
// message), ja3.hash/ja3.string (the ClientHello), ja3s.hash/ja3s.string
// (the ServerHello), ssh.proto and ssh.software (the banner).
//
// Each side is read as Suricata's parsers read it: a side whose stream
// starts with a TLS handshake record (type 22, version 3.x) is TLS, its
// records are followed across segments and its handshake messages across
// records, until a record of another type (ChangeCipherSpec, an alert,
// application data: what follows is encrypted) or one that is not TLS. A
// side starting with "SSH-" is SSH: its banner line, then its KEXINIT
// for hassh. Any other first byte ends the side's reading at once, so a
// flow that is neither costs one table entry and no buffer. There is no
// port test, as Suricata's protocol detection looks at the bytes too.
//
// A buffer is a side's: on a packet from that side the rule sees what
// that side sent (the server's certificate on to_client packets, the
// client's on to_server ones, as Suricata 7 inspects both). A rule using
// these buffers fires at most once per side of a flow (Suricata: once per
// transaction and direction; TLS and SSH have one transaction per flow),
// on the first packet of the side where all its buffers are there.
//
// Memory: a side holds a reassembly buffer only while its handshake is
// being read (at most handshakeBufBytes, at most handshakeBuffers of them
// in use at once: a side that finds none free stops reading), and at most
// handshakeValueBytes of values; the flows are capped by MaxRuleFlows and
// end on Suricata's flow timeouts.

import (
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

const (
	// handshakeBufBytes bounds the handshake bytes kept for one side: a
	// ServerHello and a leaf certificate take 1-5 KiB; a certificate
	// longer than this gives no certificate buffers.
	handshakeBufBytes = 16 << 10
	// handshakeBuffers bounds the reassembly buffers in use at once
	// (16 MiB); a handshake that finds none is not read.
	handshakeBuffers = 1024
	// handshakeValueBytes bounds a side's values (subject, issuer, JA3
	// string, ...); a value that does not fit is left out.
	handshakeValueBytes = 8 << 10
	// numHandshakeBuffers is how many buffers a side holds.
	numHandshakeBuffers = int(rules.BufferSSHHasshServerString-rules.BufferTLSCertSubject) + 1
	// sniSlot is where a side keeps its ClientHello's server name, for
	// tls.sni on a hello split over segments (tlsSNI)
	sniSlot = numHandshakeBuffers
)

// What a side's stream is, as far as it has been read.
const (
	sideStart  uint8 = iota // nothing read yet
	sideTLS                 // TLS records
	sideSSH                 // the SSH banner line
	sideSSHKex              // SSH binary packets up to KEXINIT
	sideDone                // nothing more to read
)

// handshakeFlow is one connection's two sides, indexed as ruleFlowKey's
// side.
type handshakeFlow struct {
	last int64
	side [2]handshakeSide
	// proto is the application protocol seen (protoTLS, protoSSH), 0
	// until then
	proto uint8
}

// Application protocols a flow is found to carry.
const (
	protoTLS uint8 = iota + 1
	protoSSH
)

// handshakeProto returns the protocol of a rule naming tls or ssh with
// no buffer or other payload keyword, 0 for other rules.
func handshakeProto(r *rules.Rule) uint8 {
	if len(r.Matches) > 0 || len(r.BSize) > 0 || r.URILen != nil {
		return 0
	}
	switch r.Proto {
	case rules.ProtoTLS:
		return protoTLS
	case rules.ProtoSSH:
		return protoSSH
	}
	return 0
}

// handshakeFlowIs reports whether f's flow was found to carry proto before
// f: as for protocol-only http rules (flowstate.go), Suricata runs a rule
// naming only tls or ssh on every packet of such a flow once the protocol
// is detected, and the packet it is detected on is not one of them.
func (m *Matcher) handshakeFlowIs(proto uint8, f *packet.Facts) bool {
	h := m.handshakeSideOf(f)
	return h != nil && m.sc.hsFlow.proto == proto && !m.sc.hsProtoNow
}

// handshakeSide is what one side sent and how far it has been read.
type handshakeSide struct {
	state uint8
	// TLS record layer: a record header read in part, the payload bytes
	// left of the current record
	hdr     [5]byte
	hdrN    uint8
	recLeft int
	// buf holds handshake message bytes (or the SSH banner, or an SSH
	// packet) not yet complete; skip is bytes of a message being passed
	// over
	buf  []byte
	skip int
	// certDone: the first Certificate message's leaf has been read
	certDone bool
	// vals holds the values, low the same lowercased; spans locate each
	// buffer, has says which are set
	vals, low []byte
	spans     [numHandshakeBuffers + 1]span // and sniSlot
	has       uint32
	// helloNow: the side's first ClientHello was read from this packet's
	// data
	helloNow bool
	// fired are the rules that have fired on this side
	fired []int32
	// proto is what the side's bytes were found to be: a valid TLS
	// record header, or an SSH banner
	proto uint8
}

// handshakeBuffer reports whether a rule reads a per-flow handshake buffer.
func handshakeBuffer(id rules.Buffer) bool { return id.TLSHandshake() || id.SSH() }

// handshakeSideOf returns the state of f's side of its connection, nil
// when f is not TCP or its flow has sent no data yet. It is looked up once
// per packet, and the packet's in-order data (f.StreamData) is read into
// it then, before any rule looks. A flow idle past the longest TCP
// timeout, or a SYN on its ends, starts afresh.
func (m *Matcher) handshakeSideOf(f *packet.Facts) *handshakeSide {
	s := &m.sc
	if s.hsLooked {
		return s.hsSide
	}
	s.hsLooked = true
	if f.Proto != packet.ProtoTCP {
		return nil
	}
	k, side := ruleFlowKey(f)
	var fl *handshakeFlow
	if len(f.StreamData) == 0 {
		// nothing to read: an existing flow or none
		var ok bool
		if fl, ok = m.handshakes.Get(k, f.Time); !ok {
			return nil
		}
	} else {
		var created bool
		fl, created = m.handshakes.Put(k, f.Time, m.onHandshakeEnd)
		if created {
			*fl = handshakeFlow{}
		}
	}
	if f.Time-fl.last > tcpEstablishedIdle || f.ConnEvent == packet.ConnOpened && fl.last != 0 {
		m.recycleHandshake(k, fl) // a new connection on the same ends
		*fl = handshakeFlow{}
	}
	fl.last = max(fl.last, f.Time)
	h := &fl.side[side]
	h.helloNow = false
	if len(f.StreamData) > 0 && h.state != sideDone {
		m.readSide(h, f.StreamData)
		if fl.proto == 0 && h.proto != 0 {
			fl.proto, s.hsProtoNow = h.proto, true
		}
	}
	s.hsSide, s.hsFlow = h, fl
	return h
}

// readSide reads a side's next in-order bytes.
func (m *Matcher) readSide(h *handshakeSide, data []byte) {
	for len(data) > 0 && h.state != sideDone {
		switch h.state {
		case sideStart:
			switch {
			case data[0] == tlsContentHandshk:
				h.state = sideTLS
			case data[0] == 'S':
				h.state = sideSSH
			default:
				h.state = sideDone
				return
			}
			if h.buf == nil && !m.takeHandshakeBuf(h) {
				h.state = sideDone
				return
			}
			m.valuesOf(h)
		case sideTLS:
			data = h.readTLS(data)
		case sideSSH, sideSSHKex:
			data = h.readSSH(data)
		}
	}
	if h.state == sideDone {
		m.dropHandshakeBuf(h)
	}
}

// takeHandshakeBuf gives h a reassembly buffer, false when all are in use.
func (m *Matcher) takeHandshakeBuf(h *handshakeSide) bool {
	if n := len(m.hsFree); n > 0 {
		h.buf = m.hsFree[n-1][:0]
		m.hsFree = m.hsFree[:n-1]
		m.hsInUse++
		return true
	}
	if m.hsInUse >= handshakeBuffers {
		m.hsRefused++
		return false
	}
	m.hsInUse++
	h.buf = make([]byte, 0, handshakeBufBytes)
	return true
}

// dropHandshakeBuf returns h's reassembly buffer, if it has one.
func (m *Matcher) dropHandshakeBuf(h *handshakeSide) {
	if h.buf == nil {
		return
	}
	m.hsFree = append(m.hsFree, h.buf[:0])
	m.hsInUse--
	h.buf = nil
}

// recycleHandshake keeps an ended flow's buffers for reuse.
func (m *Matcher) recycleHandshake(_ flowKey, fl *handshakeFlow) {
	for i := range fl.side {
		h := &fl.side[i]
		m.dropHandshakeBuf(h)
		if h.vals != nil && len(m.valsFree) < handshakeBuffers {
			m.valsFree = append(m.valsFree, [2][]byte{h.vals[:0], h.low[:0]})
		}
		h.vals, h.low = nil, nil
	}
}

// valuesOf gives h its value arenas, reusing an ended flow's. A value is
// appended to h.vals, then endValue is called with the length vals had
// before.
func (m *Matcher) valuesOf(h *handshakeSide) {
	if h.vals == nil {
		if n := len(m.valsFree); n > 0 {
			h.vals, h.low = m.valsFree[n-1][0], m.valsFree[n-1][1]
			m.valsFree = m.valsFree[:n-1]
		} else {
			h.vals, h.low = make([]byte, 0, 512), make([]byte, 0, 512)
		}
	}
}

// handshakeBit is buffer id's bit in handshakeSide.has.
func handshakeBit(id rules.Buffer) uint32 { return 1 << (id - rules.BufferTLSCertSubject) }

// handshakeCands adds to cands the handshake rules of set whose buffers
// f's side holds.
func (m *Matcher) handshakeCands(set *ruleSet, f *packet.Facts, cands []int32) []int32 {
	h := m.handshakeSideOf(f)
	if h == nil || h.has == 0 {
		return cands
	}
	for _, ri := range set.handshake {
		if need := m.eng.rules[ri].hsNeed; h.has&need == need {
			cands = append(cands, ri)
		}
	}
	return cands
}

// endValue makes vals[start:] the value of buffer id, unless the values
// have grown past their cap (then it is dropped) or id is set already.
func (h *handshakeSide) endValue(id rules.Buffer, start int) {
	h.endSlot(int(id-rules.BufferTLSCertSubject), start)
}

// endSlot is endValue for slot i of spans.
func (h *handshakeSide) endSlot(i, start int) {
	if len(h.vals) > handshakeValueBytes || h.has&(1<<i) != 0 {
		h.vals = h.vals[:start]
		return
	}
	h.low = append(h.low[:start], h.vals[start:]...)
	lowerASCII(h.low[start:], h.vals[start:])
	h.spans[i] = span{int32(start), int32(len(h.vals))}
	h.has |= 1 << i
}

// value returns buffer id of side h.
func (h *handshakeSide) value(id rules.Buffer) (raw, low []byte, ok bool) {
	i := int(id - rules.BufferTLSCertSubject)
	if h == nil || h.has&(1<<i) == 0 {
		return nil, nil, false
	}
	sp := h.spans[i]
	return h.vals[sp.lo:sp.hi], h.low[sp.lo:sp.hi], true
}

// handshakeValue returns f's side's buffer id.
func (m *Matcher) handshakeValue(id rules.Buffer, f *packet.Facts) (raw, low []byte, ok bool) {
	// Suricata reads the client's hassh on to_server packets only and
	// the server's on to_client ones; a side's KEXINIT gives both here
	switch id {
	case rules.BufferSSHHassh, rules.BufferSSHHasshString:
		if f.Dir == packet.DirToClient {
			return nil, nil, false
		}
	case rules.BufferSSHHasshServer, rules.BufferSSHHasshServerString:
		if f.Dir == packet.DirToServer {
			return nil, nil, false
		}
	}
	return m.handshakeSideOf(f).value(id)
}

// handshakeOnce reports whether rule ri may fire on f's side, noting that
// it has: once per side of a flow.
func (m *Matcher) handshakeOnce(ri int32, f *packet.Facts) bool {
	h := m.handshakeSideOf(f)
	if h == nil {
		return false
	}
	for _, x := range h.fired {
		if x == ri {
			return false
		}
	}
	h.fired = append(h.fired, ri)
	return true
}
