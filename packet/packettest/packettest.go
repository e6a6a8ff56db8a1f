// Package packettest builds packet.Facts for detector tests and plays them
// to a detector the way the analyzer does, so each detector's tests say
// only what is particular to its traffic.
package packettest

import (
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Broadcast is the Ethernet broadcast address.
var Broadcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// IP is a 60-byte IPv4 or IPv6 packet (by src's family) of protocol proto
// from src to dst, sent at t (unix ns) from Ethernet address mac.
func IP(t int64, mac [6]byte, src, dst string, proto uint8) packet.Facts {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	f := packet.Facts{
		Time:    t,
		WireLen: 60,
		HasEth:  true,
		SrcMAC:  mac,
		L3:      packet.L3IPv4,
		Src:     s,
		Dst:     d,
		TTL:     64,
		Proto:   proto,
	}
	if s.Is6() {
		f.L3 = packet.L3IPv6
	}
	return f
}

// TCP is a TCP segment with flags; the flow-table fields (Dir, ConnEvent)
// are the caller's to set.
func TCP(t int64, mac [6]byte, src, dst string, sport, dport uint16, flags uint8) packet.Facts {
	f := IP(t, mac, src, dst, packet.ProtoTCP)
	f.SrcPort, f.DstPort, f.TCPFlags = sport, dport, flags
	return f
}

// ARP is an ARP packet from mac saying senderIP is at mac: requests go to
// Broadcast, replies to targetMAC.
func ARP(t int64, op uint16, mac [6]byte, senderIP string, targetMAC [6]byte, targetIP string) packet.Facts {
	dst := Broadcast
	if op == 2 {
		dst = targetMAC
	}
	return packet.Facts{
		Time:   t,
		HasEth: true,
		SrcMAC: mac,
		DstMAC: dst,
		L3:     packet.L3ARP,
		ARP: packet.ARPFacts{
			Op:        op,
			SenderMAC: mac,
			SenderIP:  netip.MustParseAddr(senderIP),
			TargetMAC: targetMAC,
			TargetIP:  netip.MustParseAddr(targetIP),
		},
	}
}

// Drive plays facts as the analyzer would: in time order, numbered from 1,
// Expire once a second of capture time and once at the end.
func Drive(d packet.Detector, facts []packet.Facts) []packet.Event {
	slices.SortStableFunc(facts, func(a, b packet.Facts) int { return int(a.Time - b.Time) })
	var evs []packet.Event
	emit := func(e packet.Event) { evs = append(evs, e) }
	var last int64
	for i := range facts {
		f := &facts[i]
		f.Packet = packet.PacketRef{Num: uint64(i + 1)}
		if last == 0 {
			last = f.Time
		}
		if f.Time-last >= int64(time.Second) {
			d.Expire(f.Time, emit)
			last = f.Time
		}
		d.Observe(f, emit)
	}
	if len(facts) > 0 {
		d.Expire(facts[len(facts)-1].Time, emit)
	}
	return evs
}

// Replay plays the i-th packet of an endless loop over facts, 100µs apart
// from t0, with an Expire every 10,000 packets: the steady state that
// allocation checks and benchmarks measure.
func Replay(d packet.Detector, facts []packet.Facts, t0 int64, i int, emit packet.Emit) {
	f := &facts[i%len(facts)]
	f.Time = t0 + int64(i)*int64(100*time.Microsecond)
	d.Observe(f, emit)
	if i%10000 == 0 {
		d.Expire(f.Time, emit)
	}
}
