package main

import (
	"net/netip"

	"github.com/google/gopacket/layers"
)

// The fixed cast of the scenarios. MAC prefixes: f8:bc:12, b8:ca:3a,
// 8c:ec:4b, d4:be:d9 Dell; 00:1b:21, a0:36:9f, 3c:fd:fe Intel; f0:18:98
// Apple; 3c:97:0e Wistron (laptop NIC, not a VM); 00:0c:29 VMware;
// 00:1c:42 Parallels.
const (
	macWebServer  = "f8:bc:12:4a:10:0a" // 192.168.1.10
	macScanVictim = "b8:ca:3a:71:20:14" // 192.168.1.20
	macFTPServer  = "00:1b:21:5c:21:15" // 192.168.1.21
	macSSHServer  = "a0:36:9f:22:16:22" // 192.168.1.22
	macARPVictim  = "8c:ec:4b:30:1e:30" // 192.168.1.30
	macMac        = "f0:18:98:40:28:40" // 192.168.1.40
	macAdmin      = "3c:fd:fe:50:32:50" // 192.168.1.50
	macARPAttack  = "3c:97:0e:aa:bb:cc" // 192.168.1.66
	macPC1        = "f8:bc:12:53:0e:65" // 192.168.1.101
	macPC2        = "3c:fd:fe:9a:41:66" // 192.168.1.102
	macPC3        = "b8:ca:3a:8e:17:67" // 192.168.1.103
	macScanner    = "d4:be:d9:fa:00:fa" // 192.168.1.250
	macVMware1    = "00:0c:29:5e:71:a2" // 192.168.1.41, first guest
	macVMware2    = "00:0c:29:c4:19:3b" // 192.168.1.41, re-created guest
	macParallels  = "00:1c:42:8d:13:6f" // 192.168.1.42
	macMonitoring = "00:1b:21:60:05:05" // 192.168.1.5
	macPC4        = "3c:fd:fe:9a:41:77" // 192.168.1.77
)

// Attackers and victims (see README.md).
const (
	ipPortScanner  = "203.0.113.66"
	ipFlooder      = "198.51.100.23"
	ipSSHBrute     = "203.0.113.77"
	ipFTPBrute     = "203.0.113.78"
	ipSplitScanner = "203.0.113.88"
	ipSlowScanner  = "203.0.113.99"
	ipMonitoring   = "192.168.1.5"  // health checks, a false positive
	ipCompromised  = "192.168.1.77" // guesses SSH passwords, then logs in
)

// cast builds the usual hosts of one capture.
type cast struct {
	gw, web, scanVictim, ftp, ssh, arpVictim, mac, admin, pc1, pc2, pc3 *host
	www, news, cdn, bastion                                             *host
}

func (c *capture) cast() *cast {
	return &cast{
		gw:         c.gw,
		web:        c.lanHost("192.168.1.10", macWebServer, 64),
		scanVictim: c.lanHost("192.168.1.20", macScanVictim, 64),
		ftp:        c.lanHost("192.168.1.21", macFTPServer, 64),
		ssh:        c.lanHost("192.168.1.22", macSSHServer, 64),
		arpVictim:  c.lanHost("192.168.1.30", macARPVictim, 128),
		mac:        c.lanHost("192.168.1.40", macMac, 64),
		admin:      c.lanHost("192.168.1.50", macAdmin, 64),
		pc1:        c.lanHost("192.168.1.101", macPC1, 128),
		pc2:        c.lanHost("192.168.1.102", macPC2, 64),
		pc3:        c.lanHost("192.168.1.103", macPC3, 128),
		www:        c.wanHost("203.0.113.10", 52, 18),
		news:       c.wanHost("198.51.100.80", 116, 31),
		cdn:        c.wanHost("203.0.113.25", 57, 7),
		bastion:    c.wanHost("198.51.100.40", 50, 24),
	}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// synProbe is one nmap-style SYN probe (window 1024, MSS only, random IP id
// and sequence) and the victim's answer: SYN-ACK then the scanner's RST for
// an open port, RST-ACK for a closed one. Returns the time of the last packet.
func (c *capture) synProbe(t int64, scanner, victim *host, sport, dport uint16, open bool) int64 {
	seq := c.rng.Uint32()
	scanner.ipid = uint16(c.rng.Uint32())
	c.ip(t, scanner, victim, layers.IPProtocolTCP, &layers.TCP{
		SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, SYN: true, Window: 1024,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}},
	})
	rt := t + 2*victim.dist + c.between(10, 60)
	if !open {
		c.ip(rt, victim, scanner, layers.IPProtocolTCP, &layers.TCP{
			SrcPort: layers.TCPPort(dport), DstPort: layers.TCPPort(sport), Ack: seq + 1, RST: true, ACK: true,
		})
		return rt
	}
	c.ip(rt, victim, scanner, layers.IPProtocolTCP, &layers.TCP{
		SrcPort: layers.TCPPort(dport), DstPort: layers.TCPPort(sport), Seq: c.rng.Uint32(), Ack: seq + 1,
		SYN: true, ACK: true, Window: 64240, Options: synOptions(1460),
	})
	rst := rt + 2*scanner.dist + c.between(10, 60)
	scanner.ipid = uint16(c.rng.Uint32())
	c.ip(rst, scanner, victim, layers.IPProtocolTCP, &layers.TCP{
		SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq + 1, RST: true,
	})
	return rst
}

// scanPorts runs synProbe over ports starting at t, one probe every
// lo..hi µs. Returns the time of the last probe.
func (c *capture) scanPorts(t int64, scanner, victim *host, sport uint16, ports []uint16, open map[uint16]bool, lo, hi int64) int64 {
	for i, p := range ports {
		if i > 0 {
			t += c.between(lo, hi)
		}
		c.synProbe(t, scanner, victim, sport, p, open[p])
	}
	return t
}

func portRange(lo, hi int) []uint16 {
	var ps []uint16
	for p := lo; p <= hi; p++ {
		ps = append(ps, uint16(p))
	}
	return ps
}

func (c *capture) shuffled(ps []uint16) []uint16 {
	c.rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	return ps
}

func openSet(ps ...uint16) map[uint16]bool {
	m := make(map[uint16]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// publicIPv4 draws a random globally routable unicast IPv4 address (no
// private, loopback, link-local, CGNAT, multicast, reserved or
// documentation ranges), as a spoofing flood tool would.
func (c *capture) publicIPv4() netip.Addr {
	for {
		v := c.rng.Uint32()
		a, b, cc := byte(v>>24), byte(v>>16), byte(v>>8)
		switch {
		case a == 0, a == 10, a == 127, a >= 224:
		case a == 100 && b&0xc0 == 64:
		case a == 169 && b == 254, a == 172 && b&0xf0 == 16, a == 192 && b == 168:
		case a == 192 && b == 0 && (cc == 0 || cc == 2):
		case a == 198 && (b == 18 || b == 19), a == 198 && b == 51 && cc == 100, a == 203 && b == 0 && cc == 113:
		default:
			return netip.AddrFrom4([4]byte{a, b, cc, byte(v)})
		}
	}
}
