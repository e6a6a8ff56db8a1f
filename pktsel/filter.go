package pktsel

import (
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Wireshark returns the selection as a Wireshark display filter. The
// time window is left out, as BPF has none: both filters select every
// packet of the capture that fits the rest, and --extract keeps those in
// the window.
func (s *Spec) Wireshark() string {
	var c []string
	ip := "ip"
	if s.A.Is6() || s.B.Is6() {
		ip = "ipv6"
	}
	switch s.Shape {
	case Conversation:
		c = append(c, ip+".addr=="+s.A.String(), ip+".addr=="+s.B.String())
		c = append(c, s.wiresharkProto(false)...)
	case Directed:
		if s.A.IsValid() {
			c = append(c, ip+".src=="+s.A.String())
		}
		if s.B.IsValid() {
			c = append(c, ip+".dst=="+s.B.String())
		}
		if s.BNet.IsValid() {
			c = append(c, ip+".dst=="+s.BNet.String())
		}
		if s.Echo {
			c = append(c, wiresharkEcho(ip))
		} else {
			c = append(c, s.wiresharkProto(true)...)
		}
		if s.SYNOnly {
			c = append(c, "tcp.flags.syn==1", "tcp.flags.ack==0")
		}
	case ARPFrom:
		c = append(c, "arp")
		if s.HasMAC {
			c = append(c, "eth.src=="+macString(s.MAC))
		} else {
			c = append(c, "arp.src.proto_ipv4=="+s.A.String())
		}
	case Discovery:
		var alt []string
		if s.ARP {
			alt = append(alt, "arp.opcode==1 && arp.src.proto_ipv4=="+s.A.String())
		}
		if s.Echo {
			alt = append(alt, ip+".src=="+s.A.String()+" && "+wiresharkEcho(ip))
		}
		if len(alt) == 1 {
			return alt[0]
		}
		return "(" + strings.Join(alt, ") || (") + ")"
	}
	return strings.Join(c, " && ")
}

// wiresharkProto is the protocol and port clauses; directed ports are
// the source's and the destination's.
func (s *Spec) wiresharkProto(directed bool) []string {
	var c []string
	switch s.Proto {
	case 0:
	case packet.ProtoTCP, packet.ProtoUDP:
		name := protoWord(s.Proto)
		c = append(c, name)
		if directed {
			if s.APort != 0 {
				c = append(c, name+".srcport=="+itoa(s.APort))
			}
			if s.BPort != 0 {
				c = append(c, name+".dstport=="+itoa(s.BPort))
			}
			break
		}
		for _, p := range []uint16{s.APort, s.BPort} {
			if p != 0 {
				c = append(c, name+".port=="+itoa(p))
			}
		}
	case packet.ProtoICMP:
		c = append(c, "icmp")
	case packet.ProtoICMPv6:
		c = append(c, "icmpv6")
	default:
		if s.A.Is6() || s.B.Is6() {
			c = append(c, "ipv6.nxt=="+itoa(uint16(s.Proto)))
		} else {
			c = append(c, "ip.proto=="+itoa(uint16(s.Proto)))
		}
	}
	if len(c) > 1 && (c[0] == "tcp" || c[0] == "udp") {
		c = c[1:] // tcp.port implies tcp
	}
	if s.Proto == packet.ProtoTCP || s.Proto == packet.ProtoUDP {
		// Wireshark dissects the header an ICMP error quotes, so
		// without this the errors the probes drew match too; BPF and
		// the extraction read the outer header only
		if s.A.Is6() || s.B.Is6() {
			c = append(c, "!icmpv6")
		} else {
			c = append(c, "!icmp")
		}
	}
	return c
}

func wiresharkEcho(ip string) string {
	if ip == "ipv6" {
		return "icmpv6.type==128"
	}
	return "icmp.type==8"
}

// BPF returns the selection as a tcpdump filter expression (libpcap
// syntax; check one with tcpdump -d). libpcap cannot index a TCP header
// behind IPv6 (tcp[] is IPv4 only), so an IPv6 SYN test reads the flags
// at their place after a 40-byte header without extension headers.
func (s *Spec) BPF() string {
	var c []string
	if s.VLAN {
		// libpcap reads the headers after the tag only past "vlan"
		c = append(c, "vlan")
	}
	switch s.Shape {
	case Conversation:
		c = append(c, "host "+s.A.String(), "host "+s.B.String())
		c = append(c, s.bpfProto(false)...)
	case Directed:
		if s.A.IsValid() {
			c = append(c, "src host "+s.A.String())
		}
		if s.B.IsValid() {
			c = append(c, "dst host "+s.B.String())
		}
		if s.BNet.IsValid() {
			c = append(c, "dst net "+s.BNet.String())
		}
		if s.Echo {
			c = append(c, bpfEcho(s.A.Is6() || s.B.Is6()))
		} else {
			c = append(c, s.bpfProto(true)...)
		}
		if s.SYNOnly {
			if s.A.Is6() || s.B.Is6() {
				c = append(c, "ip6[6] == 6 and ip6[53] & 0x12 == 0x02")
			} else {
				c = append(c, "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn")
			}
		}
	case ARPFrom:
		if s.HasMAC {
			c = append(c, "arp and ether src "+macString(s.MAC))
		} else {
			c = append(c, "arp src host "+s.A.String())
		}
	case Discovery:
		var alt []string
		if s.ARP {
			// arp[6:2] is the ARP operation: 1, a request
			alt = append(alt, "arp src host "+s.A.String()+" and arp[6:2] == 1")
		}
		if s.Echo {
			alt = append(alt, "src host "+s.A.String()+" and "+bpfEcho(s.A.Is6()))
		}
		if len(alt) == 1 {
			c = append(c, alt[0])
		} else {
			c = append(c, "(("+strings.Join(alt, ") or (")+"))")
		}
	}
	return strings.Join(c, " and ")
}

// bpfProto is the protocol and port clauses of a BPF expression.
func (s *Spec) bpfProto(directed bool) []string {
	var c []string
	switch s.Proto {
	case 0:
	case packet.ProtoTCP, packet.ProtoUDP:
		name := protoWord(s.Proto)
		ports := 0
		if directed {
			if s.APort != 0 {
				c, ports = append(c, name+" src port "+itoa(s.APort)), ports+1
			}
			if s.BPort != 0 {
				c, ports = append(c, name+" dst port "+itoa(s.BPort)), ports+1
			}
		} else {
			for _, p := range []uint16{s.APort, s.BPort} {
				if p != 0 {
					c, ports = append(c, name+" port "+itoa(p)), ports+1
				}
			}
		}
		if ports == 0 {
			c = append(c, name)
		}
	case packet.ProtoICMP:
		c = append(c, "icmp")
	case packet.ProtoICMPv6:
		c = append(c, "icmp6")
	default:
		if s.A.Is6() || s.B.Is6() {
			c = append(c, "ip6 proto "+itoa(uint16(s.Proto)))
		} else {
			c = append(c, "ip proto "+itoa(uint16(s.Proto)))
		}
	}
	return c
}

func bpfEcho(v6 bool) string {
	if v6 {
		return "icmp6 and ip6[40] == 128"
	}
	return "icmp[icmptype] == icmp-echo"
}

func protoWord(p uint8) string {
	if p == packet.ProtoUDP {
		return "udp"
	}
	return "tcp"
}

func itoa(n uint16) string { return strconv.FormatUint(uint64(n), 10) }

// macString writes a MAC as both filter languages read it.
func macString(m [6]byte) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, x := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[x>>4], hex[x&15])
	}
	return string(b)
}
