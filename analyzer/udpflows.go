package analyzer

// UDP flows, as Suricata's flow engine keeps them: the sender of a flow's
// first packet is its client, so rules' flow:to_server and to_client mean
// the same on UDP as there (a SIP or DNS reply is to_client), and a flow
// that has carried packets both ways is established.

import (
	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

// udpFlow is a UDP flow's entry. Its ends are the table's key, and
// clientIsLo says which is the client (the first sender): the entry holds
// no pointer (see flowKey).
type udpFlow struct {
	clientIsLo bool
	bothWays   bool  // the server has answered
	last       int64 // capture time of the flow's last packet
	start      int64 // and of its first
	server     uint16
	counts     packet.FlowCounts
	app        appState
	alerted    bool
}

// udpFlowTable follows UDP flows; bounded like the TCP tables, the least
// recently seen going first.
type udpFlowTable struct {
	flows *bounded.Table[flowKey, udpFlow]
	// newTimeout ends a flow nobody answered (Suricata's udp new
	// timeout, the TCP half-open one here); idleTimeout an answered one.
	newTimeout, idleTimeout int64
	// onEnd, when set, sees each flow end (flowend.go) for endReason
	// while expiring, else endForced.
	onEnd     func(s *flowSummary, reason uint8)
	endReason uint8
	onGone    func(flowKey, *udpFlow) // bound once
	created   uint64                  // flows followed
}

func newUDPFlowTable(cfg FlowConfig) *udpFlowTable {
	t := &udpFlowTable{
		flows:       bounded.NewHashed[flowKey, udpFlow](cfg.MaxEstablished, flowKey.hash),
		newTimeout:  cfg.HalfOpenTimeout.Nanos(),
		idleTimeout: cfg.IdleTimeout.Nanos(),
	}
	t.onGone = t.gone
	return t
}

// gone logs a flow leaving the table.
func (t *udpFlowTable) gone(key flowKey, fl *udpFlow) {
	if t.onEnd == nil || fl.counts.Pkts == [2]uint64{} {
		return
	}
	state := stateNew
	if fl.bothWays {
		state = stateEstablished
	}
	s := flowSummary{client: key.loAddr(), server: key.hiAddr(), cport: key.loPort(), sport: key.hiPort(),
		proto: packet.ProtoUDP, state: state, alerted: fl.alerted, app: fl.app.proto,
		counts: fl.counts, start: fl.start, end: fl.last}
	if !fl.clientIsLo {
		s.client, s.server, s.cport, s.sport = s.server, s.client, key.hiPort(), key.loPort()
	}
	t.onEnd(&s, t.endReason)
}

// markAlerted notes that a rule alerted on f, a packet of a flow the
// table follows.
func (t *udpFlowTable) markAlerted(f *packet.Facts) {
	key, _ := makeFlowKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
	if fl, ok := t.flows.Peek(key); ok {
		fl.alerted = true
	}
}

// observe sets f.Dir and f.BothWays for the UDP packet f.
// observe counts f in its flow and sets its flow facts; outer says f is a
// tunnel's outer packet (Teredo, VXLAN), whose flow Suricata keeps but
// never runs protocol detection on: its app_proto is "failed".
func (t *udpFlowTable) observe(f *packet.Facts, outer bool) {
	key, fromLo := makeFlowKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
	fl, created := t.flows.Put(key, f.Time, t.onGone)
	if created || !fl.bothWays && f.Time-fl.last > t.newTimeout || f.Time-fl.last > t.idleTimeout {
		if !created {
			t.endReason = endTimeout // timed out, found before the table's expiry did
			t.gone(key, fl)
			t.endReason = endForced
		}
		t.created++
		*fl = udpFlow{clientIsLo: fromLo, start: f.Time, server: f.DstPort}
	}
	f.FlowStart = fl.start
	fl.last = max(fl.last, f.Time)
	d := 0
	if fromLo == fl.clientIsLo {
		f.Dir = packet.DirToServer
	} else {
		f.Dir = packet.DirToClient
		fl.bothWays = true
		d = 1
	}
	f.BothWays = fl.bothWays
	fl.counts.Pkts[d]++
	fl.counts.Bytes[d] += uint64(f.CapLen)
	f.FlowCounts = fl.counts
	if outer {
		fl.app.proto = packet.AppFailed
	} else {
		fl.app.observe(f, d == 0, fl.server)
	}
	f.AppProto = fl.app.proto
}

func (t *udpFlowTable) expire(now int64) {
	t.expireFor(now, endTimeout)
}

func (t *udpFlowTable) expireFor(now int64, reason uint8) {
	t.endReason = reason
	t.flows.Expire(now-t.idleTimeout, t.onGone)
	t.endReason = endForced
}

// flush ends every flow, as at the end of the capture.
func (t *udpFlowTable) flush() {
	t.expireFor(1<<63-1, endShutdown)
}
