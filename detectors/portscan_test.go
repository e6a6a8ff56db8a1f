package detectors

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/packet/packettest"
)

const psT0 = int64(1_700_000_000) * int64(time.Second)

var psScannerMAC = [6]byte{0x02, 0, 0, 0, 0, 0x99}

func psIP(at time.Duration, src, dst string, proto uint8) packet.Facts {
	return packettest.IP(psT0+int64(at), psScannerMAC, src, dst, proto)
}

// psTCP is a TCP packet; dir is what the analyzer's flow table would say.
func psTCP(at time.Duration, src, dst string, sport, dport uint16, flags, dir uint8) packet.Facts {
	f := psIP(at, src, dst, packet.ProtoTCP)
	f.SrcPort, f.DstPort, f.TCPFlags, f.Dir = sport, dport, flags, dir
	if flags&(packet.TCPSyn|packet.TCPAck) == packet.TCPSyn {
		f.ConnEvent = packet.ConnOpened
	}
	return f
}

func psUDPFacts(at time.Duration, src, dst string, sport, dport uint16) packet.Facts {
	f := psIP(at, src, dst, packet.ProtoUDP)
	f.SrcPort, f.DstPort = sport, dport
	return f
}

func psICMP(at time.Duration, src, dst string, typ, code uint8) packet.Facts {
	proto := packet.ProtoICMP
	if netip.MustParseAddr(src).Is6() {
		proto = packet.ProtoICMPv6
	}
	f := psIP(at, src, dst, proto)
	f.ICMPType, f.ICMPCode = typ, code
	return f
}

// psPortUnreachable is the ICMP error dst sends back for a UDP probe from
// scanner:sport to dst:dport.
func psPortUnreachable(at time.Duration, scanner, dst string, sport, dport uint16) packet.Facts {
	f := psICMP(at, dst, scanner, 3, 3)
	f.HasQuoted = true
	f.Quoted = packet.QuotedFacts{
		Src: netip.MustParseAddr(scanner), Dst: netip.MustParseAddr(dst),
		Proto: packet.ProtoUDP, SrcPort: sport, DstPort: dport,
	}
	return f
}

// psARPFacts is an ARP packet from psScannerMAC: requests are broadcast,
// as host discovery sends them.
func psARPFacts(at time.Duration, op uint16, sender, target string) packet.Facts {
	f := packettest.ARP(psT0+int64(at), op, psScannerMAC, sender, [6]byte{}, target)
	if op == 2 {
		f.DstMAC = [6]byte{0x02, 0, 0, 0, 0, 0x01}
	}
	return f
}

const (
	psScanner = "10.0.0.99"
	psVictim  = "10.0.0.5"
)

// psVertical probes ports 1..n of psVictim from psScanner, one every gap,
// with flags; closed ports answer RST+ACK a millisecond later.
func psVertical(start, gap time.Duration, n int, flags uint8, answer bool) []packet.Facts {
	var out []packet.Facts
	for i := range n {
		at := start + time.Duration(i)*gap
		port := uint16(1 + i)
		out = append(out, psTCP(at, psScanner, psVictim, 40000, port, flags, packet.DirUnknown))
		if answer {
			out = append(out, psTCP(at+time.Millisecond, psVictim, psScanner, port, 40000, packet.TCPRst|packet.TCPAck, packet.DirUnknown))
		}
	}
	return out
}

func psUDPScan(n int) []packet.Facts {
	var out []packet.Facts
	for i := range n {
		at := time.Duration(i) * 100 * time.Millisecond
		port := uint16(1 + i)
		out = append(out, psUDPFacts(at, psScanner, psVictim, 40000, port))
		out = append(out, psPortUnreachable(at+time.Millisecond, psScanner, psVictim, 40000, port))
	}
	return out
}

func psHost(i int) string { return netip.AddrFrom4([4]byte{10, 0, 1, byte(1 + i)}).String() }

func TestPortScan(t *testing.T) {
	scanner := netip.MustParseAddr(psScanner)
	victim := netip.MustParseAddr(psVictim)

	tests := []struct {
		name  string
		cfg   func(*PortScanConfig)
		facts func() []packet.Facts
		check func(t *testing.T, evs []packet.Event, d *PortScan)
	}{
		{
			name:  "vertical SYN scan at ten a second over fifteen seconds fires once",
			facts: func() []packet.Facts { return psVertical(0, 100*time.Millisecond, 150, packet.TCPSyn, true) },
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				e := evs[0]
				at := psT0 + int64(1400*time.Millisecond)
				want := packet.Event{
					SID: SIDPortScan, Time: at,
					Attacker: scanner, AttackerMAC: psScannerMAC, HasMAC: true,
					Victim: victim, Proto: packet.ProtoTCP,
					FirstTime: psT0, LastTime: at,
					First: packet.PacketRef{Num: 1}, Last: packet.PacketRef{Num: 29},
					Count: 15, Kind: "vertical",
					Detail: "15 distinct ports in 1.4s (SYN probes), 14 answered closed",
				}
				if !reflect.DeepEqual(e, want) {
					t.Errorf("event\n got %+v\nwant %+v", e, want)
				}
			},
		},
		{
			name:  "FIN scan",
			facts: func() []packet.Facts { return psVertical(0, 100*time.Millisecond, 40, packet.TCPFin, true) },
			check: psWantStealth("FIN"),
		},
		{
			name:  "NULL scan",
			facts: func() []packet.Facts { return psVertical(0, 100*time.Millisecond, 40, 0, true) },
			check: psWantStealth("NULL"),
		},
		{
			name: "Xmas scan",
			facts: func() []packet.Facts {
				return psVertical(0, 100*time.Millisecond, 40, packet.TCPFin|packet.TCPPsh|packet.TCPUrg, true)
			},
			check: psWantStealth("Xmas"),
		},
		{
			name:  "UDP scan answered by port unreachable",
			facts: func() []packet.Facts { return psUDPScan(40) },
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantStealth("UDP")(t, evs, d)
				if evs[0].Proto != packet.ProtoUDP {
					t.Errorf("proto %d, want UDP", evs[0].Proto)
				}
			},
		},
		{
			name: "open ports found by a SYN scan are not counted",
			facts: func() []packet.Facts {
				out := psVertical(0, 100*time.Millisecond, 40, packet.TCPSyn, false)
				for _, port := range []uint16{1, 2, 3} {
					at := time.Duration(port-1)*100*time.Millisecond + time.Millisecond
					out = append(out, psTCP(at, psVictim, psScanner, port, 40000, packet.TCPSyn|packet.TCPAck, packet.DirToClient))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				e := evs[0]
				if e.Count != 15 || e.Last.Num != 21 || !strings.Contains(e.Detail, "0 answered closed; 3 more ports answered") {
					t.Errorf("got %+v, want the 18th probe to fire with 3 open ports noted", e)
				}
			},
		},
		{
			name: "sweep of port 22 over 30 hosts",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 30 {
					out = append(out, psTCP(time.Duration(i)*50*time.Millisecond, psScanner, psHost(i), 40000, 22, packet.TCPSyn, packet.DirToServer))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				e := evs[0]
				if e.Kind != "sweep" || e.Victim.IsValid() || e.VictimPort != 22 || e.Proto != packet.ProtoTCP ||
					e.Attacker != scanner || e.Count != 25 || e.Last.Num != 25 {
					t.Errorf("got %+v, want a 25-host sweep of 22/tcp", e)
				}
				if want := "25 distinct hosts on 22/tcp in 1.2s (SYN probes), 0 answered closed"; e.Detail != want {
					t.Errorf("detail %q, want %q", e.Detail, want)
				}
			},
		},
		{
			name: "ARP sweep",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 40 {
					out = append(out, psARPFacts(time.Duration(i)*10*time.Millisecond, 1, "10.0.1.200", psHost(i)))
				}
				// Two hosts answer: live hosts do not count.
				out = append(out, psARPFacts(time.Millisecond, 2, psHost(0), "10.0.1.200"))
				out = append(out, psARPFacts(11*time.Millisecond, 2, psHost(1), "10.0.1.200"))
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				e := evs[0]
				if e.Kind != "arp-sweep" || e.Victim.IsValid() || e.Attacker != netip.MustParseAddr("10.0.1.200") ||
					e.Count != 20 || !e.HasMAC || e.Proto != psProtoARP || e.Last.Num != 22 {
					t.Errorf("got %+v, want an arp-sweep of 20 addresses on the 20th request", e)
				}
				if want := "ARP requests for 20 distinct addresses in 190ms, 18 unanswered"; e.Detail != want {
					t.Errorf("detail %q, want %q", e.Detail, want)
				}
			},
		},
		{
			// nmap -sn -n on a /27 with 6 hosts up: 29 who-has in 1.3 s.
			name: "ARP sweep of a /27 with most hosts up is still a sweep",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 29 {
					at := time.Duration(i) * 45 * time.Millisecond
					out = append(out, psARPFacts(at, 1, "10.0.1.200", psHost(i)))
					if i%5 == 0 {
						out = append(out, psARPFacts(at+time.Millisecond, 2, psHost(i), "10.0.1.200"))
					}
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Kind != "arp-sweep" || e.Count != 20 || !strings.HasSuffix(e.Detail, ", 16 unanswered") {
					t.Errorf("got %+v, want an arp-sweep of 20 addresses, 16 unanswered", e)
				}
			},
		},
		{
			// Dead addresses see only who-has; live ones ARP and then echo.
			name: "echo sweep sent through the kernel (nmap --send-ip)",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 29 {
					at := time.Duration(i) * 10 * time.Millisecond
					out = append(out, psARPFacts(at, 1, psScanner, psHost(i)))
					if i%4 == 0 {
						out = append(out, psARPFacts(at+time.Millisecond, 2, psHost(i), psScanner))
						out = append(out, psICMP(at+2*time.Millisecond, psScanner, psHost(i), 8, 0))
						out = append(out, psICMP(at+3*time.Millisecond, psHost(i), psScanner, 0, 0))
					}
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Kind != "host-sweep" || e.Count != 20 || e.Attacker != scanner ||
					!strings.HasPrefix(e.Detail, "ARP and echo requests for 20 distinct addresses") {
					t.Errorf("got %+v, want a host-sweep of 20 addresses", e)
				}
			},
		},
		{
			name: "router asking for the hosts it serves, all up, is quiet",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 60 {
					at := time.Duration(i) * 100 * time.Millisecond
					out = append(out, psARPFacts(at, 1, "10.0.1.254", psHost(i)))
					out = append(out, psARPFacts(at+time.Millisecond, 2, psHost(i), "10.0.1.254"))
				}
				return out
			},
			check: psWantNone,
		},
		{
			// masscan --router-ip: every probe goes to the router's MAC and
			// the router asks for each address before forwarding it.
			name: "router resolving addresses for a scan it forwards is not the scanner",
			facts: func() []packet.Facts {
				router := [6]byte{0x02, 0, 0, 0, 0, 0x01}
				var out []packet.Facts
				for i := range 30 {
					at := time.Duration(i) * 20 * time.Millisecond
					syn := psTCP(at, psScanner, psHost(i), 40000, 80, packet.TCPSyn, packet.DirUnknown)
					syn.DstMAC = router
					out = append(out, syn)
					who := psARPFacts(at+time.Millisecond, 1, "10.0.1.254", psHost(i))
					who.SrcMAC, who.ARP.SenderMAC = router, router
					out = append(out, who)
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				// the scanner's own 80/tcp sweep still fires; the router never
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Attacker != scanner || e.Kind != "sweep" {
					t.Errorf("got %+v, want only the scanner's sweep", e)
				}
			},
		},
		{
			name: "unicast who-has re-checking known neighbours is not discovery",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 24 {
					f := psARPFacts(time.Duration(i)*10*time.Millisecond, 1, "10.0.1.200", psHost(i))
					f.DstMAC = [6]byte{0x02, 0, 0, 0, 1, byte(i)}
					out = append(out, f)
				}
				return out
			},
			check: psWantNone,
		},
		{
			// 12 a minute never reaches discovery_threshold; 25 unanswered
			// in the 5-minute sweep window still do.
			name: "slow ARP sweep of dead addresses fires on the unanswered count",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 40 {
					out = append(out, psARPFacts(time.Duration(i)*5*time.Second, 1, "10.0.1.200", psHost(i)))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Kind != "arp-sweep" || e.Count != 25 ||
					e.Detail != "ARP requests for 25 distinct addresses in 2m0s without a reply" {
					t.Errorf("got %+v, want the slow arp-sweep of 25 unanswered addresses", e)
				}
			},
		},
		{
			// One request a second for 400 s: the discovery count fires at
			// 20 s; the source is then reported for the sweep window (5
			// min), as a vertical scan is for its window, and fires again
			// after it. The unanswered count, which passes 25 in between,
			// must not restate it.
			name: "a continuing sweep re-fires once a sweep window, never on the slow count",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 400 {
					dst := netip.AddrFrom4([4]byte{10, 0, byte(1 + i/250), byte(1 + i%250)}).String()
					out = append(out, psARPFacts(time.Duration(i)*time.Second, 1, "10.0.1.200", dst))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 2)
				if evs[1].FirstTime-evs[0].FirstTime < int64(5*time.Minute) {
					t.Errorf("second sweep starts %v after the first, want a sweep window apart",
						time.Duration(evs[1].FirstTime-evs[0].FirstTime))
				}
				for _, e := range evs {
					if e.Kind != "arp-sweep" || e.Count != 20 {
						t.Errorf("got %+v, want only arp-sweeps of 20 addresses", e)
					}
				}
			},
		},
		{
			name: "ICMP echo sweep",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 30 {
					out = append(out, psICMP(time.Duration(i)*10*time.Millisecond, psScanner, psHost(i), 8, 0))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Kind != "icmp-sweep" || e.Victim.IsValid() || e.Proto != packet.ProtoICMP || e.Count != 20 {
					t.Errorf("got %+v, want an icmp-sweep of 20 hosts", e)
				}
			},
		},
		{
			name: "ICMPv6 echo sweep",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 30 {
					dst := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(1 + i)}).String()
					out = append(out, psICMP(time.Duration(i)*10*time.Millisecond, "2001:db8::99", dst, 128, 0))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if e := evs[0]; e.Kind != "icmp-sweep" || e.Proto != packet.ProtoICMPv6 {
					t.Errorf("got %+v, want an ICMPv6 icmp-sweep", e)
				}
			},
		},
		{
			name:  "slow scan under the threshold is quiet",
			facts: func() []packet.Facts { return psVertical(0, 30*time.Second, 10, packet.TCPSyn, true) },
			check: psWantNone,
		},
		{
			name:  "fourteen ports in the window is quiet",
			facts: func() []packet.Facts { return psVertical(0, 20*time.Second, 14, packet.TCPSyn, true) },
			check: psWantNone,
		},
		{
			name: "DNS client with many source ports is quiet",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 500 {
					at := time.Duration(i) * 100 * time.Millisecond
					sport := uint16(1024 + (i*7919)%60000)
					out = append(out, psUDPFacts(at, "10.0.0.7", "10.0.0.53", sport, 53))
					out = append(out, psUDPFacts(at+2*time.Millisecond, "10.0.0.53", "10.0.0.7", 53, sport))
				}
				return out
			},
			check: psWantNone,
		},
		{
			name: "resolver querying many name servers is quiet",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 100 {
					at := time.Duration(i) * 100 * time.Millisecond
					ns := psHost(i % 60)
					sport := uint16(1024 + i)
					out = append(out, psUDPFacts(at, "10.0.0.53", ns, sport, 53))
					out = append(out, psUDPFacts(at+20*time.Millisecond, ns, "10.0.0.53", 53, sport))
				}
				return out
			},
			check: psWantNone,
		},
		{
			name: "DNS answers without their queries are quiet",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 200 {
					out = append(out, psUDPFacts(time.Duration(i)*time.Millisecond, "10.0.0.53", "10.0.0.7", 53, uint16(1024+i)))
				}
				return out
			},
			check: psWantNone,
		},
		{
			name: "browsing many web servers is quiet",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 60 {
					at := time.Duration(i) * 200 * time.Millisecond
					srv, sport := psHost(i), uint16(50000+i)
					out = append(out,
						psTCP(at, "10.0.0.7", srv, sport, 443, packet.TCPSyn, packet.DirToServer),
						psTCP(at+10*time.Millisecond, srv, "10.0.0.7", 443, sport, packet.TCPSyn|packet.TCPAck, packet.DirToClient))
					est := psTCP(at+11*time.Millisecond, "10.0.0.7", srv, sport, 443, packet.TCPAck, packet.DirToServer)
					est.ConnEvent = packet.ConnEstablished
					out = append(out, est)
				}
				return out
			},
			check: psWantNone,
		},
		{
			name: "established traffic to many ports is not probes",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for i := range 100 {
					at := time.Duration(i) * time.Millisecond
					out = append(out,
						psTCP(at, "10.0.0.7", psVictim, 50000, uint16(1+i), packet.TCPAck|packet.TCPPsh, packet.DirToServer),
						psTCP(at, psVictim, "10.0.0.7", uint16(1+i), 50000, packet.TCPAck, packet.DirToClient),
						psTCP(at, "10.0.0.7", psVictim, 50000, uint16(1+i), packet.TCPAck|packet.TCPFin, packet.DirToServer))
				}
				return out
			},
			check: psWantNone,
		},
		{
			name: "second window re-fires",
			facts: func() []packet.Facts {
				a := psVertical(0, 100*time.Millisecond, 30, packet.TCPSyn, true)
				b := psVertical(6*time.Minute, 100*time.Millisecond, 30, packet.TCPSyn, true)
				return append(a, b...)
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 2)
				if evs[1].Time-evs[0].Time != int64(6*time.Minute) || evs[1].Count != 15 {
					t.Errorf("second event %+v, want six minutes after the first", evs[1])
				}
			},
		},
		{
			name: "a key that fired stops growing its set",
			facts: func() []packet.Facts {
				return psVertical(0, time.Millisecond, 1000, packet.TCPSyn, true)
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantEvents(t, evs, 1)
				if d.probes.Len() != 15 {
					t.Errorf("%d probes remembered, want 15", d.probes.Len())
				}
			},
		},
		{
			name: "ports probed after a host's vertical scan fired are not swept",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for p := range 30 {
					for h := range 40 {
						at := time.Duration(p*40+h) * time.Millisecond
						out = append(out, psTCP(at, psScanner, psHost(h), 40000, uint16(1+p), packet.TCPSyn, packet.DirToServer))
					}
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				// Port-major order: each early port sweeps the subnet, until
				// every host's vertical scan has fired (by port 16). Later
				// ports would only restate those 40 events.
				vertical := 0
				for _, e := range evs {
					switch {
					case e.Kind == "vertical":
						vertical++
					case e.Kind == "sweep" && e.VictimPort <= 16:
					default:
						t.Errorf("unexpected %+v", e)
					}
				}
				if vertical != 40 {
					t.Errorf("%d vertical events, want 40", vertical)
				}
			},
		},
		{
			name: "probe table cap evicts and counts",
			cfg:  func(c *PortScanConfig) { c.MaxTrackedProbes = 8 },
			facts: func() []packet.Facts {
				return psVertical(0, time.Millisecond, 12, packet.TCPSyn, false)
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				if d.Evicted() != 4 {
					t.Errorf("evicted %d, want 4", d.Evicted())
				}
			},
		},
		{
			name: "expiry empties the tables",
			facts: func() []packet.Facts {
				out := psVertical(0, time.Second, 10, packet.TCPSyn, true)
				// A late unrelated packet moves capture time on.
				return append(out, psTCP(20*time.Minute, "10.0.0.7", "10.0.0.8", 1, 2, packet.TCPAck, packet.DirToServer))
			},
			check: func(t *testing.T, evs []packet.Event, d *PortScan) {
				psWantNone(t, evs, d)
				if n := d.pairs.Len() + d.sweeps.Len() + d.probes.Len(); n != 0 {
					t.Errorf("%d entries left after expiry", n)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultPortScanConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			d := NewPortScan(cfg)
			tc.check(t, packettest.Drive(d, tc.facts()), d)
		})
	}
}

// psWantStealth checks one vertical event whose 15 ports were probed at
// ten a second and 14 answered closed by the time it fired.
func psWantStealth(kind string) func(*testing.T, []packet.Event, *PortScan) {
	return func(t *testing.T, evs []packet.Event, d *PortScan) {
		t.Helper()
		psWantEvents(t, evs, 1)
		e := evs[0]
		want := "15 distinct ports in 1.4s (" + kind + " probes), 14 answered closed"
		if e.Kind != "vertical" || e.Count != 15 || e.Detail != want {
			t.Errorf("got %+v, want detail %q", e, want)
		}
	}
}

func psWantEvents(t *testing.T, evs []packet.Event, n int) {
	t.Helper()
	if len(evs) != n {
		for _, e := range evs {
			t.Logf("event: %+v", e)
		}
		t.Fatalf("%d events, want %d", len(evs), n)
	}
}

func psWantNone(t *testing.T, evs []packet.Event, _ *PortScan) {
	t.Helper()
	psWantEvents(t, evs, 0)
}

func TestPortScanDeterministic(t *testing.T) {
	run := func() []packet.Event {
		var facts []packet.Facts
		for p := range 50 {
			for h := range 60 {
				at := time.Duration(p*60+h) * time.Millisecond
				facts = append(facts, psTCP(at, psScanner, psHost(h), 40000, uint16(1+p), packet.TCPSyn, packet.DirToServer))
			}
		}
		return packettest.Drive(NewPortScan(DefaultPortScanConfig()), facts)
	}
	a, b := run(), run()
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("runs differ or are empty:\n%+v\n%+v", a, b)
	}
}

// TestPortScanFullTablesDeclineNewSources is the emergency mode: with the
// tables full, a spoofed flood's one-shot sources are declined instead of
// evicting counters, so a vertical scan interleaved with the flood still
// fires. Left to LRU eviction, the 100 new sources between two of the
// scanner's probes would flush its counter (cap 64) every time.
func TestPortScanFullTablesDeclineNewSources(t *testing.T) {
	run := func() ([]packet.Event, *PortScan) {
		cfg := DefaultPortScanConfig()
		cfg.MaxTrackedPairs, cfg.MaxTrackedSweeps, cfg.MaxTrackedProbes = 64, 64, 64
		d := NewPortScan(cfg)
		var facts []packet.Facts
		at := time.Duration(0)
		flood := func(n int) {
			for range n {
				at += 10 * time.Microsecond
				src := netip.AddrFrom4([4]byte{172, 16, byte(len(facts) >> 8), byte(len(facts))}).String()
				facts = append(facts, psTCP(at, src, "10.0.0.80", 1024, 80, packet.TCPSyn, packet.DirToServer))
			}
		}
		flood(200) // fills the tables
		for port := range 20 {
			facts = append(facts, psTCP(at, psScanner, psVictim, 40000, uint16(1+port), packet.TCPSyn, packet.DirToServer))
			flood(100)
		}
		var evs []packet.Event
		for i := range facts {
			psReplay(d, facts, i, func(e packet.Event) { evs = append(evs, e) })
		}
		return evs, d
	}
	evs, d := run()
	psWantEvents(t, evs, 1)
	if e := evs[0]; e.Kind != "vertical" || e.Count != 15 || e.Attacker != netip.MustParseAddr(psScanner) {
		t.Errorf("got %+v, want the scanner's vertical scan of 15 ports", e)
	}
	// The flood's one-shot sources are declined, not tracked, and still
	// show in the count of state lost at the cap.
	if got := d.Evicted(); got < 2000 {
		t.Errorf("evicted %d, want the flood's declined probes counted", got)
	}
	again, d2 := run()
	if !reflect.DeepEqual(evs, again) || d.Evicted() != d2.Evicted() {
		t.Errorf("runs differ: %+v (%d) vs %+v (%d)", evs, d.Evicted(), again, d2.Evicted())
	}
}

func TestPortScanConfigValidate(t *testing.T) {
	if err := DefaultPortScanConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		mutate func(*PortScanConfig)
		want   string
	}{
		{func(c *PortScanConfig) { c.VerticalThreshold = 1 }, "vertical_threshold: 1 out of range [2, 65536]"},
		{func(c *PortScanConfig) { c.VerticalWindow = packet.Duration(time.Millisecond) }, "vertical_window: 1ms out of range [1s, 24h]"},
		{func(c *PortScanConfig) { c.SweepThreshold = 0 }, "sweep_threshold: 0 out of range"},
		{func(c *PortScanConfig) { c.SweepWindow = packet.Duration(48 * time.Hour) }, "sweep_window: 48h0m0s out of range"},
		{func(c *PortScanConfig) { c.MaxTrackedPairs = 0 }, "max_tracked_pairs: 0 out of range"},
		{func(c *PortScanConfig) { c.MaxTrackedSweeps = 0 }, "max_tracked_sweeps: 0 out of range"},
		{func(c *PortScanConfig) { c.MaxTrackedProbes = 0 }, "max_tracked_probes: 0 out of range"},
	}
	for _, tc := range tests {
		c := DefaultPortScanConfig()
		tc.mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want error containing %q", err, tc.want)
		}
	}
}

// psBenign is a repeating cycle of ordinary traffic: web connections, DNS
// queries and answers, pings answered, ARP asked and answered.
func psBenign() []packet.Facts {
	var out []packet.Facts
	for i := range 32 {
		srv, sport := psHost(i), uint16(50000+i)
		est := psTCP(0, "10.0.0.7", srv, sport, 443, packet.TCPAck, packet.DirToServer)
		est.ConnEvent = packet.ConnEstablished
		out = append(out,
			psTCP(0, "10.0.0.7", srv, sport, 443, packet.TCPSyn, packet.DirToServer),
			psTCP(0, srv, "10.0.0.7", 443, sport, packet.TCPSyn|packet.TCPAck, packet.DirToClient),
			est,
			psTCP(0, "10.0.0.7", srv, sport, 443, packet.TCPAck|packet.TCPPsh, packet.DirToServer),
			psTCP(0, srv, "10.0.0.7", 443, sport, packet.TCPAck|packet.TCPPsh, packet.DirToClient),
			psUDPFacts(0, "10.0.0.7", "10.0.0.53", sport, 53),
			psUDPFacts(0, "10.0.0.53", "10.0.0.7", 53, sport),
			psICMP(0, "10.0.0.7", srv, 8, 0),
			psICMP(0, srv, "10.0.0.7", 0, 0),
			psARPFacts(0, 1, "10.0.0.7", srv),
			psARPFacts(0, 2, srv, "10.0.0.7"),
		)
	}
	return out
}

func psReplay(d packet.Detector, facts []packet.Facts, i int, emit packet.Emit) {
	packettest.Replay(d, facts, psT0, i, emit)
}

func TestPortScanSteadyStateAllocs(t *testing.T) {
	d := NewPortScan(DefaultPortScanConfig())
	facts := psBenign()
	fired := 0
	emit := func(packet.Event) { fired++ }
	i := 0
	for ; i < 4*len(facts); i++ {
		psReplay(d, facts, i, emit)
	}
	allocs := testing.AllocsPerRun(200_000, func() {
		psReplay(d, facts, i, emit)
		i++
	})
	if allocs != 0 || fired != 0 {
		t.Errorf("%v allocs per packet and %d events, want none", allocs, fired)
	}
}

func BenchmarkPortScanBenign(b *testing.B) {
	d := NewPortScan(DefaultPortScanConfig())
	facts := psBenign()
	emit := func(packet.Event) {}
	for i := range 4 * len(facts) {
		psReplay(d, facts, i, emit)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		psReplay(d, facts, i, emit)
	}
}
