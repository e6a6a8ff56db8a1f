package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestHeaderFields runs seq, ack, window, id and icmp_id from ET Open rules.
func TestHeaderFields(t *testing.T) {
	// sid:2100623 "GPL SCAN NULL": ack:0; flags:0; seq:0
	const null = `alert tcp any any -> any any (msg:"GPL SCAN NULL"; flow:stateless; ack:0; flags:0; seq:0; classtype:attempted-recon; sid:2100623; rev:7;)`
	// sid:2023141 "ET EXPLOIT RST Flood With Window" without its threshold
	const rstWin = `alert tcp any any -> any any (msg:"ET EXPLOIT RST Flood With Window"; flags:R; window:!0; sid:2023141; rev:2;)`
	const win = `alert tcp any any -> any any (msg:"w"; window:2048; sid:3;)`
	const ipid = `alert ip any any -> any any (msg:"id"; id:13330; sid:4;)`
	tcp := func(flags uint8, seq, ack uint32, window uint16) packet.Facts {
		return tcpPacket("", func(f *packet.Facts) { f.TCPFlags, f.Seq, f.Ack, f.Window = flags, seq, ack, window })
	}
	icmp := func(typ uint8, id uint16, v6 bool) packet.Facts {
		f := icmpPacket(typ, 0, v6)
		f.ICMPID = id
		f.IPID = 666
		return f
	}
	// sid:2100471 "GPL SCAN icmpenum v1.1.1" without dsize
	icmpenum := `alert icmp any any -> any any (msg:"GPL SCAN icmpenum v1.1.1"; icmp_id:666 ; icmp_seq:0; id:666; itype:8; sid:2100471; rev:4;)`
	icmpID := `alert icmp any any -> any any (msg:"i"; icmp_id:7; sid:6;)`
	cases := []struct {
		name string
		rule string
		pkt  packet.Facts
		want bool
	}{
		{"null scan", null, tcp(0, 0, 0, 512), true},
		{"null scan, seq set", null, tcp(0, 1, 0, 512), false},
		{"null scan, ack set", null, tcp(0, 0, 9, 512), false},
		{"rst with window", rstWin, tcp(packet.TCPRst, 5, 0, 1024), true},
		{"rst without window", rstWin, tcp(packet.TCPRst, 5, 0, 0), false},
		{"window", win, tcp(packet.TCPAck, 1, 1, 2048), true},
		{"window miss", win, tcp(packet.TCPAck, 1, 1, 2049), false},
		{"window on udp", win, udpPacket("", func(f *packet.Facts) { f.Window = 2048 }), false},
		{"ip id", ipid, tcpPacket("", func(f *packet.Facts) { f.IPID = 13330 }), true},
		{"ip id miss", ipid, tcpPacket("", func(f *packet.Facts) { f.IPID = 13331 }), false},
		{"ip id on IPv6", ipid, tcpPacket("", func(f *packet.Facts) { f.IPID = 13330; f.L3 = packet.L3IPv6 }), false},
		{"icmpenum", icmpenum, icmp(8, 666, false), true},
		{"icmpenum other id", icmpenum, icmp(8, 667, false), false},
		{"icmpenum other seq", icmpenum, func() packet.Facts { f := icmp(8, 666, false); f.ICMPSeq = 1; return f }(), false},
		{"icmp_seq on ICMPv6 echo reply", `alert icmp any any -> any any (msg:"s"; icmp_seq:9; sid:8;)`,
			func() packet.Facts { f := icmp(129, 1, true); f.ICMPSeq = 9; return f }(), true},
		{"icmp_id on echo reply", icmpID, icmp(0, 7, false), true},
		{"icmp_id on ICMPv6 echo", icmpID, icmp(128, 7, true), true},
		// sid:2100527 "GPL SCAN same SRC/DST" is sameip on ip
		{"sameip", `alert ip any any -> any any (msg:"GPL SCAN same SRC/DST"; sameip; sid:2100527;)`,
			tcpPacket("", func(f *packet.Facts) { f.Dst = f.Src }), true},
		{"sameip differs", `alert ip any any -> any any (msg:"GPL SCAN same SRC/DST"; sameip; sid:2100527;)`, tcpPacket(""), false},
		{"icmp_id 0 on unreachable", `alert icmp any any -> any any (msg:"i"; icmp_id:0; sid:7;)`, icmp(3, 0, false), false},
	}
	for _, c := range cases {
		runCases(t, []matchCase{{c.name, parseRules(t, c.rule)[0], c.pkt, c.want}})
	}
}
