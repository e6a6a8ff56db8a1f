package analyzer

// Synthetic captures, built here with gopacket layers and written with
// pcapgo, one per detector: each runs through Analyze and the test checks
// the detection (attacker, victim, count, evidence packets), the autoblock
// it causes (first block at the detection, later packets from and to the
// attacker counted as dropped, a detection during the block counted as an
// extension) and that an excluded attacker is reported but never blocked.
// BenchmarkEnginePacket and TestEnginePacketNoAllocs feed a steady mix of
// preserialized packets straight into Engine.Packet.

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
)

// e2eHost is an endpoint of a synthetic capture.
type e2eHost struct {
	mac net.HardwareAddr
	ip  netip.Addr
}

func e2eNewHost(mac, ip string) e2eHost {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		panic(err)
	}
	return e2eHost{mac: hw, ip: netip.MustParseAddr(ip)}
}

var e2eBroadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// e2ePacket is one frame of a synthetic capture, with the addresses the
// autoblock oracle needs.
type e2ePacket struct {
	at       time.Duration // from testEpoch
	data     []byte
	src, dst netip.Addr // invalid for ARP
}

// e2eCapture collects frames in time order; each add returns the frame's
// 1-based number, as PacketLocation counts.
type e2eCapture struct {
	tb   testing.TB
	pkts []e2ePacket
}

func (c *e2eCapture) add(at time.Duration, src, dst netip.Addr, ls ...gopacket.SerializableLayer) uint64 {
	c.tb.Helper()
	if n := len(c.pkts); n > 0 && at < c.pkts[n-1].at {
		c.tb.Fatalf("frame %d at %s added after one at %s: add in time order", n+1, at, c.pkts[n-1].at)
	}
	c.pkts = append(c.pkts, e2ePacket{at: at, data: serialize(c.tb, ls...), src: src, dst: dst})
	return uint64(len(c.pkts))
}

// time is the capture time of frame n.
func (c *e2eCapture) time(n uint64) time.Time { return testEpoch.Add(c.pkts[n-1].at) }

func e2eIP(from, to e2eHost, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: from.ip.AsSlice(), DstIP: to.ip.AsSlice()}
}

func e2eEth(from, to e2eHost, et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: from.mac, DstMAC: to.mac, EthernetType: et}
}

// tcp adds a segment; flags is a string of S, A, F, R, P.
func (c *e2eCapture) tcp(at time.Duration, from, to e2eHost, sport, dport uint16, flags string, seq, ack uint32, payload []byte) uint64 {
	c.tb.Helper()
	t := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, Window: 64240,
		SYN: strings.Contains(flags, "S"), ACK: strings.Contains(flags, "A"), FIN: strings.Contains(flags, "F"),
		RST: strings.Contains(flags, "R"), PSH: strings.Contains(flags, "P")}
	return c.add(at, from.ip, to.ip, e2eEth(from, to, layers.EthernetTypeIPv4), e2eIP(from, to, layers.IPProtocolTCP), t, gopacket.Payload(payload))
}

func (c *e2eCapture) ping(at time.Duration, from, to e2eHost, reply bool, seq uint16) uint64 {
	c.tb.Helper()
	typ := uint8(layers.ICMPv4TypeEchoRequest)
	if reply {
		typ = layers.ICMPv4TypeEchoReply
	}
	return c.add(at, from.ip, to.ip, e2eEth(from, to, layers.EthernetTypeIPv4), e2eIP(from, to, layers.IPProtocolICMPv4),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, 0), Id: 7, Seq: seq}, gopacket.Payload(make([]byte, 32)))
}

// arp adds an ARP frame sent by eth (to ethDst) saying sender is at
// senderMAC, about target.
func (c *e2eCapture) arp(at time.Duration, op uint16, eth e2eHost, ethDst net.HardwareAddr, senderMAC net.HardwareAddr, senderIP netip.Addr, targetMAC net.HardwareAddr, targetIP netip.Addr) uint64 {
	c.tb.Helper()
	return c.add(at, netip.Addr{}, netip.Addr{},
		&layers.Ethernet{SrcMAC: eth.mac, DstMAC: ethDst, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: op, SourceHwAddress: senderMAC, SourceProtAddress: senderIP.AsSlice(),
			DstHwAddress: targetMAC, DstProtAddress: targetIP.AsSlice()})
}

// e2eConn is a TCP connection in a synthetic capture, with sequence numbers
// kept so the flow table sees a real handshake.
type e2eConn struct {
	c            *e2eCapture
	cli, srv     e2eHost
	cport, sport uint16
	cseq, sseq   uint32
}

// open adds SYN, SYN-ACK and ACK 1 ms apart, from at; it returns the SYN.
func (c *e2eCapture) open(at time.Duration, cli, srv e2eHost, cport, sport uint16) (*e2eConn, uint64) {
	c.tb.Helper()
	k := &e2eConn{c: c, cli: cli, srv: srv, cport: cport, sport: sport, cseq: 1000 + uint32(cport)*7, sseq: 5000 + uint32(cport)*13}
	syn := c.tcp(at, cli, srv, cport, sport, "S", k.cseq, 0, nil)
	k.cseq++
	c.tcp(at+time.Millisecond, srv, cli, sport, cport, "SA", k.sseq, k.cseq, nil)
	k.sseq++
	c.tcp(at+2*time.Millisecond, cli, srv, cport, sport, "A", k.cseq, k.sseq, nil)
	return k, syn
}

// send adds a data segment from the client (toServer) or the server.
func (k *e2eConn) send(at time.Duration, toServer bool, payload []byte) uint64 {
	k.c.tb.Helper()
	if toServer {
		n := k.c.tcp(at, k.cli, k.srv, k.cport, k.sport, "PA", k.cseq, k.sseq, payload)
		k.cseq += uint32(len(payload))
		return n
	}
	n := k.c.tcp(at, k.srv, k.cli, k.sport, k.cport, "PA", k.sseq, k.cseq, payload)
	k.sseq += uint32(len(payload))
	return n
}

// serverClose adds server FIN, client FIN and server ACK 1 ms apart; it
// returns the client's FIN, which ends the connection.
// serverClose closes from the server side and returns the packet number of
// the server's FIN, where the connection's outcome is known.
func (k *e2eConn) serverClose(at time.Duration) uint64 {
	k.c.tb.Helper()
	n := k.c.tcp(at, k.srv, k.cli, k.sport, k.cport, "FA", k.sseq, k.cseq, nil)
	k.sseq++
	k.c.tcp(at+time.Millisecond, k.cli, k.srv, k.cport, k.sport, "FA", k.cseq, k.sseq, nil)
	k.cseq++
	k.c.tcp(at+2*time.Millisecond, k.srv, k.cli, k.sport, k.cport, "A", k.sseq, k.cseq, nil)
	return n
}

func (c *e2eCapture) write(path string) {
	c.tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		c.tb.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		c.tb.Fatal(err)
	}
	for _, p := range c.pkts {
		ci := gopacket.CaptureInfo{Timestamp: testEpoch.Add(p.at), CaptureLength: len(p.data), Length: len(p.data)}
		if err := w.WritePacket(ci, p.data); err != nil {
			c.tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		c.tb.Fatal(err)
	}
}

// e2eDrops is the autoblock oracle: it replays the frames with detections
// against attacker at the frames numbered in dets, and counts what a
// firewall rule on attacker would have dropped. A frame is checked against
// the block before its own detection applies, ARP frames carry no address
// to drop, and the detecting frame of a new block is the detection itself.
func (c *e2eCapture) e2eDrops(attacker netip.Addr, dets []uint64, length time.Duration) (pkts, bytes uint64, blocks, extensions int) {
	var start, until time.Duration
	d := 0
	for i, p := range c.pkts {
		if blocks > 0 && (p.src == attacker || p.dst == attacker) && p.at > start && p.at < until {
			pkts++
			bytes += uint64(len(p.data))
		}
		for d < len(dets) && dets[d] == uint64(i+1) {
			d++
			if blocks > 0 && p.at < until {
				extensions++
			} else {
				blocks++
				start = p.at
			}
			until = p.at + length
		}
	}
	return pkts, bytes, blocks, extensions
}

// e2eAlert is an expected detection; packet numbers are 1-based.
type e2eAlert struct {
	sid         uint32
	victim      string
	port        uint16
	kind        string
	count       uint64
	first, last uint64 // evidence frames
	at          uint64 // the frame that makes it fire
}

// e2eScenario is one synthetic attack. build writes the frames and says
// what must be found; exclude is an --exclude line matching the attacker.
type e2eScenario struct {
	name    string
	exclude string
	build   func(c *e2eCapture) e2eExpect
}

type e2eExpect struct {
	attacker string
	// attackerMAC is the attacker's MAC as the alert names it: none for an
	// address off the LAN, whose frames carry a router's MAC
	attackerMAC string
	alerts      []e2eAlert
	dropped     uint64 // worked out by hand; e2eDrops must agree
	blocks      int
	extensions  int
}

var (
	e2eGateway = e2eNewHost("00:1a:2b:3c:4d:01", "192.168.1.1")
	e2eWeb     = e2eNewHost("f8:bc:12:4a:10:0a", "192.168.1.10")
	e2eVictim  = e2eNewHost("b8:ca:3a:71:20:14", "192.168.1.20")
	e2eVictim2 = e2eNewHost("b8:ca:3a:71:20:15", "192.168.1.21")
	e2eSSH     = e2eNewHost("a0:36:9f:22:16:22", "192.168.1.22")
	e2eARPVic  = e2eNewHost("8c:ec:4b:30:1e:30", "192.168.1.30")
	e2eAdmin   = e2eNewHost("3c:fd:fe:50:32:50", "192.168.1.50")
	e2eWork    = e2eNewHost("f8:bc:12:53:0e:65", "192.168.1.101")
)

const e2eMs = time.Millisecond

var e2eScenarios = []e2eScenario{
	{
		// 250 SYNs 1 ms apart; the 200th half-open one fires. The 50 after
		// it and 5 RSTs the server sends back are dropped; a SYN 11 minutes
		// later is past the block.
		name:    "synflood",
		exclude: "198.51.100.23",
		build: func(c *e2eCapture) e2eExpect {
			att := e2eNewHost("02:00:00:00:00:23", "198.51.100.23")
			var first, det uint64
			for i := 0; i < 250; i++ {
				n := c.tcp(time.Second+time.Duration(i)*e2eMs, att, e2eWeb, uint16(10000+i), 80, "S", uint32(i)*7919, 0, nil)
				switch i {
				case 0:
					first = n
				case 199:
					det = n
				}
			}
			c.tcp(2*time.Second, e2eWork, e2eWeb, 50000, 80, "S", 1, 0, nil) // unrelated
			for k := 0; k < 5; k++ {
				c.tcp(3*time.Second+time.Duration(k)*time.Second, e2eWeb, att, 80, uint16(10000+k), "RA", 0, uint32(k)*7919+1, nil)
			}
			c.tcp(11*time.Minute, att, e2eWeb, 12345, 443, "S", 1, 0, nil)
			return e2eExpect{
				attacker: "198.51.100.23", attackerMAC: "", // routed in: no MAC of its own
				alerts:  []e2eAlert{{sid: detectors.SIDSynFlood, victim: "192.168.1.10", port: 80, kind: "direct", count: 200, first: first, last: det, at: det}},
				dropped: 55, blocks: 1,
			}
		},
	},
	{
		// Ports 1-20 of two hosts, 100 ms apart, each answered RST-ACK.
		// The 15th port of the first host fires and starts the block; the
		// 15th of the second fires again during it: an extension. Dropped:
		// the first host's 15th RST and last 5 probes and RSTs (11), and all
		// 40 frames to and from the second host.
		name:    "portscan",
		exclude: "203.0.113.0/24",
		build: func(c *e2eCapture) e2eExpect {
			att := e2eNewHost("02:00:00:00:00:66", "203.0.113.66")
			var alerts []e2eAlert
			for h, v := range []e2eHost{e2eVictim, e2eVictim2} {
				var first uint64
				for p := 1; p <= 20; p++ {
					at := time.Second + time.Duration(h)*4*time.Second + time.Duration(p)*100*e2eMs
					n := c.tcp(at, att, v, 61772, uint16(p), "S", 4242, 0, nil)
					c.tcp(at+e2eMs, v, att, uint16(p), 61772, "RA", 0, 4243, nil)
					switch p {
					case 1:
						first = n
					case 15:
						alerts = append(alerts, e2eAlert{sid: detectors.SIDPortScan, victim: v.ip.String(), kind: "vertical", count: 15, first: first, last: n, at: n})
					}
				}
			}
			return e2eExpect{attacker: "203.0.113.66", attackerMAC: "", alerts: alerts, dropped: 51, blocks: 1, extensions: 1}
		},
	},
	{
		// Normal ARP, then 192.168.1.66 tells the victim it is the gateway
		// and the gateway it is the victim (unsolicited replies), and
		// repeats it. Two detections, the second extends the block; the
		// repeats fall inside the report window. The attacker's pings and
		// their replies after the first lie are dropped (4); ARP frames
		// carry no address to drop, and the ping before is not.
		name:    "arp",
		exclude: "3c:97:0e:aa:bb:cc", // by MAC
		build: func(c *e2eCapture) e2eExpect {
			att := e2eNewHost("3c:97:0e:aa:bb:cc", "192.168.1.66")
			gw, vic := e2eGateway, e2eARPVic
			zero := net.HardwareAddr{0, 0, 0, 0, 0, 0}
			c.arp(0, 1, vic, e2eBroadcast, vic.mac, vic.ip, zero, gw.ip)
			c.arp(e2eMs, 2, gw, vic.mac, gw.mac, gw.ip, vic.mac, vic.ip)
			c.arp(500*e2eMs, 1, att, e2eBroadcast, att.mac, att.ip, zero, vic.ip)
			c.arp(501*e2eMs, 2, vic, att.mac, vic.mac, vic.ip, att.mac, att.ip)
			c.ping(time.Second, att, vic, false, 1)
			c.ping(time.Second+e2eMs, vic, att, true, 1)
			var alerts []e2eAlert
			for round := 0; round < 3; round++ {
				at := 6*time.Second + time.Duration(round)*2*time.Second
				n1 := c.arp(at, 2, att, vic.mac, att.mac, gw.ip, vic.mac, vic.ip)
				n2 := c.arp(at+e2eMs, 2, att, gw.mac, att.mac, vic.ip, gw.mac, gw.ip)
				if round == 0 {
					alerts = append(alerts,
						e2eAlert{sid: detectors.SIDARPPoison, victim: gw.ip.String(), kind: "unsolicited-reply", count: 1, first: n1, last: n1, at: n1},
						e2eAlert{sid: detectors.SIDARPPoison, victim: vic.ip.String(), kind: "unsolicited-reply", count: 1, first: n2, last: n2, at: n2})
				}
				if round < 2 {
					c.ping(at+time.Second, att, vic, false, uint16(2+round))
					c.ping(at+time.Second+e2eMs, vic, att, true, uint16(2+round))
				}
			}
			return e2eExpect{attacker: "192.168.1.66", attackerMAC: "3c:97:0e:aa:bb:cc", alerts: alerts, dropped: 4, blocks: 1, extensions: 1}
		},
	},
	{
		// Seven FTP connections with three USER/PASS attempts each, every
		// one refused with 530; the 20th refusal fires. Dropped after it:
		// the last attempt (4 frames), the close (3) and a SYN two minutes
		// later; a SYN 15 minutes later is past the block.
		name:    "bruteforce-ftp",
		exclude: "203.0.113.70-203.0.113.80",
		build: func(c *e2eCapture) e2eExpect {
			att := e2eNewHost("02:00:00:00:00:78", "203.0.113.78")
			ftp := e2eVictim2
			var first, det uint64
			fails := 0
			for k := 0; k < 7; k++ {
				b := time.Second + time.Duration(k)*3*time.Second
				conn, _ := c.open(b, att, ftp, uint16(40000+k), 21)
				conn.send(b+10*e2eMs, false, []byte("220 (vsFTPd 3.0.5)\r\n"))
				for j := 0; j < 3; j++ {
					at := b + 100*e2eMs + time.Duration(j)*400*e2eMs
					conn.send(at, true, []byte("USER admin\r\n"))
					conn.send(at+50*e2eMs, false, []byte("331 Please specify the password.\r\n"))
					conn.send(at+100*e2eMs, true, []byte(fmt.Sprintf("PASS guess%d\r\n", k*3+j)))
					n := conn.send(at+200*e2eMs, false, []byte("530 Login incorrect.\r\n"))
					if fails++; fails == 1 {
						first = n
					} else if fails == 20 {
						det = n
					}
				}
				conn.serverClose(b + 1500*e2eMs)
			}
			c.tcp(2*time.Minute, att, ftp, 40100, 21, "S", 1, 0, nil)
			c.tcp(15*time.Minute, att, ftp, 40101, 21, "S", 1, 0, nil)
			return e2eExpect{
				attacker: "203.0.113.78", attackerMAC: "",
				alerts:  []e2eAlert{{sid: detectors.SIDBruteForce, victim: "192.168.1.21", port: 21, kind: "ftp", count: 20, first: first, last: det, at: det}},
				dropped: 8, blocks: 1,
			}
		},
	},
	{
		// Eight short SSH connections (banners, key exchange, two small
		// client messages) each closed by the server after 3 s; the 8th
		// server FIN fires (the server's bytes are final then). Its evidence
		// runs from the first connection's SYN to that FIN. Dropped: the
		// client's FIN, the server's final ACK and a SYN a minute later. The admin's long session afterwards (from
		// another host) is not blamed.
		name:    "bruteforce-ssh",
		exclude: "203.0.113.77",
		build: func(c *e2eCapture) e2eExpect {
			att := e2eNewHost("02:00:00:00:00:77", "203.0.113.77")
			var first, det uint64
			for k := 0; k < 8; k++ {
				b := time.Second + time.Duration(k)*5*time.Second
				conn, syn := c.open(b, att, e2eSSH, uint16(50000+k), 22)
				if k == 0 {
					first = syn
				}
				conn.send(b+10*e2eMs, false, []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"))
				conn.send(b+20*e2eMs, true, []byte("SSH-2.0-libssh_0.10.6\r\n"))
				conn.send(b+50*e2eMs, true, make([]byte, 600))
				conn.send(b+100*e2eMs, false, make([]byte, 900))
				conn.send(b+time.Second, true, make([]byte, 100))
				conn.send(b+2*time.Second, true, make([]byte, 100))
				det = conn.serverClose(b + 3*time.Second)
			}
			c.tcp(time.Minute, att, e2eSSH, 50100, 22, "S", 1, 0, nil)
			admin, _ := c.open(70*time.Second, e2eAdmin, e2eSSH, 51000, 22)
			for i := 0; i < 40; i++ {
				admin.send(71*time.Second+time.Duration(i)*time.Second, false, make([]byte, 1400))
			}
			admin.serverClose(115 * time.Second)
			return e2eExpect{
				attacker: "203.0.113.77", attackerMAC: "",
				alerts:  []e2eAlert{{sid: detectors.SIDBruteForce, victim: "192.168.1.22", port: 22, kind: "ssh", count: 8, first: first, last: det, at: det}},
				dropped: 3, blocks: 1,
			}
		},
	},
}

func e2eAnalyzeFile(t *testing.T, path string, mutate func(*Config)) (*Result, []Alert) {
	t.Helper()
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	var streamed []Alert
	cfg.OnEvent = func(ev Event) {
		if ev.Type == EventAlert {
			streamed = append(streamed, *ev.Alert)
		}
	}
	if mutate != nil {
		mutate(&cfg)
	}
	res, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{})
	if err != nil {
		t.Fatalf("analyze %s: %v", path, err)
	}
	return res, streamed
}

func TestEngineSyntheticAttacks(t *testing.T) {
	for _, sc := range e2eScenarios {
		t.Run(sc.name, func(t *testing.T) {
			c := &e2eCapture{tb: t}
			want := sc.build(c)
			path := filepath.Join(t.TempDir(), sc.name+".pcap")
			c.write(path)
			attacker := netip.MustParseAddr(want.attacker)

			// the oracle and the hand count agree before the engine is asked
			var dets []uint64
			for _, a := range want.alerts {
				dets = append(dets, a.at)
			}
			oPkts, oBytes, oBlocks, oExt := c.e2eDrops(attacker, dets, DefaultAutoblock)
			if oPkts != want.dropped || oBlocks != want.blocks || oExt != want.extensions {
				t.Fatalf("scenario arithmetic: oracle drops %d in %d blocks, %d extensions; hand count %d, %d, %d",
					oPkts, oBlocks, oExt, want.dropped, want.blocks, want.extensions)
			}

			t.Run("autoblock", func(t *testing.T) {
				res, streamed := e2eAnalyzeFile(t, path, nil)
				e2eCheckAlerts(t, c, path, want, res)
				if len(streamed) != len(res.Alerts) {
					t.Errorf("OnAlert saw %d alerts, result has %d", len(streamed), len(res.Alerts))
				}
				if s := res.Summary; s.Packets != uint64(len(c.pkts)) || s.Undecoded != 0 || len(s.DecodeErrors) != 0 {
					t.Errorf("summary %d packets (wrote %d), undecoded %d, %v", s.Packets, len(c.pkts), s.Undecoded, s.DecodeErrors)
				}
				if len(res.Blocks) != 1 {
					t.Fatalf("blocks %+v, want one of %s", res.Blocks, want.attacker)
				}
				b := res.Blocks[0]
				firstAt, lastAt := c.time(want.alerts[0].at), c.time(want.alerts[len(want.alerts)-1].at)
				if b.Host.String() != want.attacker || !b.FirstBlock.Equal(firstAt) || !b.FirstBlock.Equal(res.Alerts[0].Time.Time) {
					t.Errorf("block of %s from %s, want %s from the detection at %s", b.Host, b.FirstBlock, want.attacker, firstAt)
				}
				if b.Blocks != want.blocks || b.Extensions != want.extensions {
					t.Errorf("%d blocks, %d extensions; want %d, %d", b.Blocks, b.Extensions, want.blocks, want.extensions)
				}
				if b.DroppedPackets != want.dropped || b.DroppedBytes != oBytes {
					t.Errorf("dropped %d packets, %d bytes; want %d, %d", b.DroppedPackets, b.DroppedBytes, want.dropped, oBytes)
				}
				if wantEnd := lastAt.Add(DefaultAutoblock); !b.LastUnblock.Equal(wantEnd) {
					t.Errorf("last unblock %s, want %s (10 min after the last detection)", b.LastUnblock, wantEnd)
				}
				if wantTotal := packet.Duration(lastAt.Add(DefaultAutoblock).Sub(firstAt)); b.TotalBlocked != wantTotal {
					t.Errorf("total blocked %s, want %s", b.TotalBlocked, wantTotal)
				}
				if len(b.SIDs) != 1 || b.SIDs[0] != want.alerts[0].sid {
					t.Errorf("block SIDs %v", b.SIDs)
				}
				if len(res.FalsePositives) != 0 {
					t.Errorf("false positives %+v", res.FalsePositives)
				}
			})

			t.Run("excluded", func(t *testing.T) {
				ex, err := ParseExclusions("exclude.txt", strings.NewReader("# test\n"+sc.exclude+" # the attacker\n"))
				if err != nil {
					t.Fatal(err)
				}
				res, streamed := e2eAnalyzeFile(t, path, func(cfg *Config) { cfg.Exclusions = ex })
				// removed, as an IPS with the list would never have raised them
				if len(res.Alerts) != 0 || len(res.Signatures) != 0 || len(res.Events) != 0 || len(streamed) != 0 {
					t.Errorf("excluded attacker's alerts kept: %d alerts, %d signatures, %d events, %d streamed",
						len(res.Alerts), len(res.Signatures), len(res.Events), len(streamed))
				}
				if len(res.Blocks) != 0 || len(res.FalsePositives) != 0 {
					t.Errorf("excluded attacker blocked or classified: %+v, %+v", res.Blocks, res.FalsePositives)
				}
				wantUse := []ExclusionUse{{Entry: sc.exclude, Where: "exclude.txt:2", Kind: ExclusionHost, Alerts: uint64(len(want.alerts))}}
				if got := res.Summary.Exclusions; !reflect.DeepEqual(got, wantUse) {
					t.Errorf("summary exclusions %+v, want %+v", got, wantUse)
				}
			})

			t.Run("autoblock-off", func(t *testing.T) {
				res, _ := e2eAnalyzeFile(t, path, func(cfg *Config) { cfg.Autoblock = 0 })
				e2eCheckAlerts(t, c, path, want, res)
				if len(res.Blocks) != 0 || res.Summary.Autoblock != 0 {
					t.Errorf("autoblock off: blocks %+v, summary autoblock %s", res.Blocks, res.Summary.Autoblock)
				}
				for i, a := range res.Alerts {
					if a.Blocked {
						t.Errorf("alert %d blocked with autoblock off", i)
					}
				}
			})
		})
	}
}

// e2eCheckAlerts compares the detections with what the scenario expects;
// Blocked is checked against the block state by the callers.
func e2eCheckAlerts(t *testing.T, c *e2eCapture, path string, want e2eExpect, res *Result) {
	t.Helper()
	if len(res.Alerts) != len(want.alerts) {
		for _, a := range res.Alerts {
			t.Logf("alert: %d %s %s -> %s %s %q", a.SID, a.Kind, a.Attacker, a.Victim, a.Time.Format(time.RFC3339Nano), a.Detail)
		}
		t.Fatalf("%d alerts, want %d", len(res.Alerts), len(want.alerts))
	}
	for i, w := range want.alerts {
		a := res.Alerts[i]
		loc := func(n uint64) PacketLocation { return PacketLocation{File: path, Packet: n} }
		if a.SID != w.sid || addrString(a.Attacker) != want.attacker || a.AttackerMAC.String() != want.attackerMAC ||
			a.Victim.String() != w.victim || a.VictimPort != w.port || a.Kind != w.kind || a.Count != w.count {
			t.Errorf("alert %d: sid %d attacker %s (%s) victim %s:%d kind %s count %d\nwant     sid %d attacker %s (%s) victim %s:%d kind %s count %d",
				i, a.SID, a.Attacker, a.AttackerMAC, a.Victim, a.VictimPort, a.Kind, a.Count,
				w.sid, want.attacker, want.attackerMAC, w.victim, w.port, w.kind, w.count)
		}
		if a.FirstPacket != loc(w.first) || a.LastPacket != loc(w.last) {
			t.Errorf("alert %d evidence %+v .. %+v, want packets %d .. %d", i, a.FirstPacket, a.LastPacket, w.first, w.last)
		}
		if !a.Time.Equal(c.time(w.at)) || !a.First.Equal(c.time(w.first)) || !a.Last.Equal(c.time(w.last)) {
			t.Errorf("alert %d at %s (evidence %s .. %s), want %s (%s .. %s)", i, a.Time, a.First, a.Last,
				c.time(w.at), c.time(w.first), c.time(w.last))
		}
	}
}

// e2eSteadyMix is a preserialized busy-LAN mix for the engine benchmark:
// established TCP connections sending data both ways, DNS queries and
// answers through the gateway, ARP requests and replies. setup opens the
// connections; mix is replayed over and over.
type e2eSteadyMix struct {
	setup, mix [][]byte
}

func e2eBuildSteadyMix(tb testing.TB, flows int) e2eSteadyMix {
	var m e2eSteadyMix
	c := &e2eCapture{tb: tb}
	client := func(i int) e2eHost {
		return e2eHost{mac: net.HardwareAddr{0x3c, 0xfd, 0xfe, 0x10, byte(i >> 8), byte(i)},
			ip: netip.AddrFrom4([4]byte{192, 168, 1, byte(100 + i%80)})}
	}
	server := func(i int) e2eHost {
		// Internet servers are behind the gateway's MAC
		return e2eHost{mac: e2eGateway.mac, ip: netip.AddrFrom4([4]byte{203, 0, 113, byte(10 + i%40)})}
	}
	conns := make([]*e2eConn, flows)
	for i := range conns {
		conns[i], _ = c.open(time.Duration(i)*3*e2eMs, client(i), server(i), uint16(40000+i), 443)
	}
	for _, p := range c.pkts {
		m.setup = append(m.setup, p.data)
	}
	c.pkts = nil
	req, resp := make([]byte, 300), make([]byte, 1400)
	for i, k := range conns {
		k.send(0, true, req)
		k.send(0, false, resp)
		k.send(0, false, resp)
		k.c.tcp(0, k.cli, k.srv, k.cport, k.sport, "A", k.cseq, k.sseq, nil)
		if i%4 == 0 { // a DNS query and its answer
			cl := client(i)
			q := &layers.UDP{SrcPort: layers.UDPPort(53000 + i), DstPort: 53}
			c.add(0, cl.ip, e2eGateway.ip, e2eEth(cl, e2eGateway, layers.EthernetTypeIPv4), e2eIP(cl, e2eGateway, layers.IPProtocolUDP), q, gopacket.Payload(make([]byte, 40)))
			a := &layers.UDP{SrcPort: 53, DstPort: layers.UDPPort(53000 + i)}
			c.add(0, e2eGateway.ip, cl.ip, e2eEth(e2eGateway, cl, layers.EthernetTypeIPv4), e2eIP(e2eGateway, cl, layers.IPProtocolUDP), a, gopacket.Payload(make([]byte, 120)))
		}
		if i%25 == 0 { // a host resolving the gateway
			cl := client(i)
			c.arp(0, 1, cl, e2eBroadcast, cl.mac, cl.ip, net.HardwareAddr{0, 0, 0, 0, 0, 0}, e2eGateway.ip)
			c.arp(0, 2, e2eGateway, cl.mac, e2eGateway.mac, e2eGateway.ip, cl.mac, cl.ip)
		}
	}
	for _, p := range c.pkts {
		m.mix = append(m.mix, p.data)
	}
	return m
}

// e2eBuildChurnMix is short connections opened and closed over and over:
// handshake, a request, an answer, server FIN, client FIN, last ACK. Ports
// repeat every pass, as they would after a while.
func e2eBuildChurnMix(tb testing.TB, conns int) e2eSteadyMix {
	c := &e2eCapture{tb: tb}
	srv := e2eHost{mac: e2eGateway.mac, ip: netip.MustParseAddr("203.0.113.10")}
	for i := 0; i < conns; i++ {
		cl := e2eHost{mac: e2eWork.mac, ip: netip.AddrFrom4([4]byte{192, 168, 1, byte(100 + i%50)})}
		at := time.Duration(i) * 10 * e2eMs
		k, _ := c.open(at, cl, srv, uint16(30000+i), 443)
		k.send(at+3*e2eMs, true, make([]byte, 200))
		k.send(at+4*e2eMs, false, make([]byte, 1200))
		k.serverClose(at + 5*e2eMs)
	}
	var m e2eSteadyMix
	for _, p := range c.pkts {
		m.mix = append(m.mix, p.data)
	}
	return m
}

// e2eFeeder drives an Engine with the mix, 20 µs of capture time a packet.
type e2eFeeder struct {
	e    *Engine
	file uint32
	t    int64
	n    uint64
	m    e2eSteadyMix
	i    int
}

func e2eNewFeeder(tb testing.TB, m e2eSteadyMix) *e2eFeeder {
	cfg, err := DefaultConfig()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := NewEngine(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	f := &e2eFeeder{e: e, file: e.AddFile("steady.pcap"), t: testEpoch.UnixNano(), m: m}
	for _, p := range m.setup {
		f.feed(p)
	}
	return f
}

func (f *e2eFeeder) feed(p []byte) {
	f.t += int64(20 * time.Microsecond)
	f.n++
	f.e.Packet(LinkEthernet, p, f.t, len(p), packet.PacketRef{File: f.file, Num: f.n})
}

// next feeds the next packet of the mix.
func (f *e2eFeeder) next() {
	f.feed(f.m.mix[f.i])
	if f.i++; f.i == len(f.m.mix) {
		f.i = 0
	}
}

func BenchmarkEnginePacket(b *testing.B) {
	m := e2eBuildSteadyMix(b, 300)
	e2eBenchFeed(b, m, e2eNewFeeder(b, m))
}

// BenchmarkEnginePacketBlocked is the same mix while two hosts are blocked,
// one of them a client in the mix whose packets are counted as dropped.
func BenchmarkEnginePacketBlocked(b *testing.B) {
	m := e2eBuildSteadyMix(b, 300)
	f := e2eNewFeeder(b, m)
	f.e.cfg.Autoblock = 24 * time.Hour // outlasts any b.N
	f.e.block = newAutoblock(f.e.cfg.Autoblock, DefaultMaxBlockedHosts, 10_000)
	f.e.block.block(netip.MustParseAddr("192.168.1.100"), f.t, detectors.SIDPortScan)
	f.e.block.block(netip.MustParseAddr("198.51.100.23"), f.t, detectors.SIDSynFlood)
	e2eBenchFeed(b, m, f)
	if d := f.e.block.results()[0].DroppedPackets; d == 0 {
		b.Fatal("no packet of the blocked client counted as dropped")
	}
}

func e2eBenchFeed(b *testing.B, m e2eSteadyMix, f *e2eFeeder) {
	// warm up: every table holds its steady-state entries, maps have grown
	for range 5 * len(m.mix) {
		f.next()
	}
	var bytes int64
	for _, p := range m.mix {
		bytes += int64(len(p))
	}
	b.SetBytes(bytes / int64(len(m.mix)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		f.next()
	}
	b.StopTimer()
	if len(f.e.alerts) != 0 {
		b.Fatalf("the benign mix fired %d alerts, first %+v", len(f.e.alerts), f.e.alerts[0])
	}
}

// BenchmarkEnginePacketChurn is connections opening and closing rather
// than established ones.
func BenchmarkEnginePacketChurn(b *testing.B) {
	m := e2eBuildChurnMix(b, 200)
	e2eBenchFeed(b, m, e2eNewFeeder(b, m))
}

// TestEnginePacketNoAllocs holds the hot path to no allocation once the
// tables hold a steady state (the benchmarks show the same, but nothing
// fails when they regress).
func TestEnginePacketNoAllocs(t *testing.T) {
	if e2eRaceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	tests := []struct {
		name string
		mix  e2eSteadyMix
	}{
		{name: "established", mix: e2eBuildSteadyMix(t, 300)},
		{name: "churn", mix: e2eBuildChurnMix(t, 200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := e2eNewFeeder(t, tc.mix)
			// warm up: every table holds its steady-state entries
			for range 5 * len(tc.mix.mix) {
				f.next()
			}
			allocs := testing.AllocsPerRun(20, func() {
				for range len(tc.mix.mix) {
					f.next()
				}
			})
			if len(f.e.alerts) != 0 {
				t.Errorf("the benign mix fired %d alerts, first %+v", len(f.e.alerts), f.e.alerts[0])
			}
			if f.e.undecoded != 0 {
				t.Errorf("%d packets of the mix undecoded", f.e.undecoded)
			}
			if allocs != 0 {
				t.Errorf("%.1f allocations per pass over %d packets, want 0 (go test -run '^$' -bench EnginePacket -memprofile mem.out ./analyzer)",
					allocs, len(tc.mix.mix))
			}
		})
	}
}

// TestEngineMACExclusionIsNotTheRouter: frames from hosts off the LAN carry
// the router's MAC, so a MAC entry in the exclusion list (the router's own,
// say, to quiet its ARP alerts after a VRRP failover) must not exclude every
// remote attacker routed through it.
func TestEngineMACExclusionIsNotTheRouter(t *testing.T) {
	c := &e2eCapture{tb: t}
	att := e2eHost{mac: e2eGateway.mac, ip: netip.MustParseAddr("203.0.113.66")} // routed in
	for p := 1; p <= 20; p++ {
		at := time.Second + time.Duration(p)*100*e2eMs
		c.tcp(at, att, e2eVictim, 61772, uint16(p), "S", 4242, 0, nil)
		c.tcp(at+e2eMs, e2eVictim, att, uint16(p), 61772, "RA", 0, 4243, nil)
	}
	path := filepath.Join(t.TempDir(), "routed-scan.pcap")
	c.write(path)
	ex, err := ParseExclusions("exclude.txt", strings.NewReader("00:1a:2b:3c:4d:01 # the router\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := e2eAnalyzeFile(t, path, func(cfg *Config) { cfg.Exclusions = ex })
	if len(res.Alerts) != 1 || res.Alerts[0].Attacker != netip.MustParseAddr("203.0.113.66") {
		t.Fatalf("alerts %+v, want the scan by 203.0.113.66", res.Alerts)
	}
	if a := res.Alerts[0]; len(res.Blocks) == 0 || res.Summary.Exclusions[0].Alerts != 0 {
		t.Errorf("excluding the router's MAC excluded the routed attacker %s (MAC %q) or stopped its block (blocks %d; %+v)",
			a.Attacker, a.AttackerMAC, len(res.Blocks), res.Summary.Exclusions)
	}
}

// TestEngineLateDetectionBlock: brute force judged from connection shape
// fires when a connection ends. A connection the server closed but the
// client never did (no FIN back, e.g. a one-way capture or a tool that just
// drops the socket) ends at the idle timeout or at the end of the capture,
// long after its last packet; the block the detection starts must then
// still account for the attacker's packets it claims to cover.
func TestEngineLateDetectionBlock(t *testing.T) {
	c := &e2eCapture{tb: t}
	att := e2eNewHost("02:00:00:00:00:77", "203.0.113.77")
	for k := 0; k < 12; k++ {
		b := time.Second + time.Duration(k)*5*time.Second
		conn, _ := c.open(b, att, e2eSSH, uint16(50000+k), 22)
		conn.send(b+10*e2eMs, false, []byte("SSH-2.0-OpenSSH_9.6p1\r\n"))
		conn.send(b+20*e2eMs, true, []byte("SSH-2.0-libssh_0.10.6\r\n"))
		conn.send(b+50*e2eMs, true, make([]byte, 600))
		conn.send(b+100*e2eMs, false, make([]byte, 900))
		// the server hangs up; the client only acknowledges
		c.tcp(b+3*time.Second, e2eSSH, att, 22, conn.cport, "FA", conn.sseq, conn.cseq, nil)
		c.tcp(b+3*time.Second+e2eMs, att, e2eSSH, conn.cport, 22, "A", conn.cseq, conn.sseq+1, nil)
	}
	path := filepath.Join(t.TempDir(), "half-closed-ssh.pcap")
	c.write(path)
	res, _ := e2eAnalyzeFile(t, path, nil)
	if len(res.Alerts) != 1 || res.Alerts[0].Kind != "ssh" || res.Alerts[0].Attacker != att.ip {
		t.Fatalf("alerts %+v, want one ssh brute force by %s", res.Alerts, att.ip)
	}
	if len(res.Blocks) != 1 {
		t.Fatalf("blocks %+v", res.Blocks)
	}
	a, b := res.Alerts[0], res.Blocks[0]
	// what the reported block covers, by the oracle
	var det uint64
	for i, p := range c.pkts {
		if testEpoch.Add(p.at).Equal(a.Time.Time) {
			det = uint64(i + 1)
		}
	}
	if det == 0 {
		t.Fatalf("alert time %s is no packet's time", a.Time)
	}
	want, _, _, _ := c.e2eDrops(att.ip, []uint64{det}, DefaultAutoblock)
	if b.DroppedPackets != want {
		t.Errorf("the detection is made at the end of the capture (analyzer.Engine.Finish -> flowTable.flush -> "+
			"BruteForce.ConnEnded) but stamped with the 8th connection's last packet (%s, packet %d); the block "+
			"starts there, in the past, so the %d later packets from and to %s inside it are not counted "+
			"(dropped_packets %d): a block cannot start before its detection, or it must count what it covers",
			a.Time.Format(time.RFC3339Nano), a.LastPacket.Packet, want, att.ip, b.DroppedPackets)
	}
}
