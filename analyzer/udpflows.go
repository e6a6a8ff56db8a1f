package analyzer

// UDP flows, as Suricata's flow engine keeps them: the sender of a flow's
// first packet is its client, so rules' flow:to_server and to_client mean
// the same on UDP as there (a SIP or DNS reply is to_client), and a flow
// that has carried packets both ways is established.

import (
	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

type udpFlow struct {
	clientIsLo bool
	bothWays   bool  // the server has answered
	last       int64 // capture time of the flow's last packet
	start      int64 // and of its first
	server     uint16
	counts     packet.FlowCounts
	app        appState
}

// udpFlowTable follows UDP flows; bounded like the TCP tables, the least
// recently seen going first.
type udpFlowTable struct {
	flows *bounded.Table[flowKey, udpFlow]
	// newTimeout ends a flow nobody answered (Suricata's udp new
	// timeout, the TCP half-open one here); idleTimeout an answered one.
	newTimeout, idleTimeout int64
}

func newUDPFlowTable(cfg FlowConfig) *udpFlowTable {
	return &udpFlowTable{
		flows:       bounded.NewHashed[flowKey, udpFlow](cfg.MaxEstablished, flowKey.hash),
		newTimeout:  cfg.HalfOpenTimeout.Nanos(),
		idleTimeout: cfg.IdleTimeout.Nanos(),
	}
}

// observe sets f.Dir and f.BothWays for the UDP packet f.
func (t *udpFlowTable) observe(f *packet.Facts) {
	key, fromLo := makeFlowKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
	fl, created := t.flows.Put(key, f.Time, nil)
	if created || !fl.bothWays && f.Time-fl.last > t.newTimeout || f.Time-fl.last > t.idleTimeout {
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
	fl.app.observe(f, d == 0, fl.server)
	f.AppProto = fl.app.proto
}

func (t *udpFlowTable) expire(now int64) {
	t.flows.Expire(now-t.idleTimeout, nil)
}
