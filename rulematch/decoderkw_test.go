package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestDecoderKeywords runs decode-event, ipopts, ip_proto, fragoffset and
// tcp.mss rules, as suricata-verify and ET Open write them, on packets
// carrying (or not) what they test.
func TestDecoderKeywords(t *testing.T) {
	tcp := func(opts ...pktOpt) packet.Facts {
		f := tcpPacket("x", opts...)
		if f.IPProto == 0 {
			f.IPProto = f.Proto // as the decoder sets it
		}
		return f
	}
	with := func(set func(f *packet.Facts)) pktOpt { return set }
	mss := with(func(f *packet.Facts) { f.TCPOptions = []byte{1, 1, 2, 4, 0x05, 0xb4} })
	cases := []struct {
		name string
		rule string
		pkt  packet.Facts
		want bool
	}{
		// suricata-verify bug-7414-decoder-event-02-ips
		{"decode-event set", `alert pkthdr any any -> any any (decode-event:ipv4.opt_invalid_len; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.Events = packet.EvIPv4OptInvalidLen })), true},
		{"decode-event other", `alert pkthdr any any -> any any (decode-event:ipv4.opt_invalid_len; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.Events = packet.EvTCPOptInvalidLen })), false},
		{"decode-event clean", `alert pkthdr any any -> any any (decode-event:tcp.opt_invalid_len; sid:1;)`, tcp(), false},
		// suricata-verify detect-ipopts
		{"ipopts rr", `alert ip any any -> any any (ipopts:rr; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.IPOpts = packet.IPOptRR | packet.IPOptNOP })), true},
		{"ipopts rr absent", `alert ip any any -> any any (ipopts:rr; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.IPOpts = packet.IPOptTS })), false},
		{"ipopts any", `alert ip any any -> any any (ipopts:any; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.IPOpts = packet.IPOptEOL })), true},
		{"ipopts any, none", `alert ip any any -> any any (ipopts:any; sid:1;)`, tcp(), false},
		// ET Open: ip_proto:!1; ip_proto:!2; ... (all must hold), ip_proto:41
		{"ip_proto not", `alert ip any any -> any any (ip_proto:!1; ip_proto:!6; sid:1;)`, tcp(), false},
		{"ip_proto not, other", `alert ip any any -> any any (ip_proto:!1; ip_proto:!17; sid:1;)`, tcp(), true},
		{"ip_proto on a fragment", `alert ip any any -> any any (ip_proto:41; sid:1;)`,
			tcp(withProto(0), with(func(f *packet.Facts) { f.IPProto = 41 })), true},
		{"ip_proto name", `alert ip any any -> any any (ip_proto:tcp; sid:1;)`, tcp(), true},
		// ET Open: fragoffset: >0;
		{"fragoffset", `alert ip any any -> any any (fragoffset: >0; sid:1;)`,
			tcp(with(func(f *packet.Facts) { f.FragOffset = 185 })), true},
		{"fragoffset first", `alert ip any any -> any any (fragoffset: >0; sid:1;)`, tcp(), false},
		{"tcp.mss", `alert tcp any any -> any any (tcp.mss:<1461; sid:1;)`, tcp(mss), true},
		{"tcp.mss above", `alert tcp any any -> any any (tcp.mss:>1460; sid:1;)`, tcp(mss), false},
		{"tcp.mss absent", `alert tcp any any -> any any (tcp.mss:<1461; sid:1;)`, tcp(), false},
	}
	for _, c := range cases {
		rs := parseRules(t, c.rule)
		runCases(t, []matchCase{{c.name, rs[0], c.pkt, c.want}})
	}
}

// TestHeaderBuffers runs the header sticky buffers on raw headers, as
// suricata-verify's ipv4-hdr-keyword and tcp-hdr-keyword do, and checks
// that a header buffer content never becomes the payload prefilter's
// pattern (the packet's payload does not hold it).
func TestHeaderBuffers(t *testing.T) {
	ip := []byte{0x45, 0, 0, 40, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	th := []byte{0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0, 2, 4, 0x02, 0x00}
	hdrs := func(f *packet.Facts) { f.L3Header, f.L4Header = ip, th }
	cases := []struct {
		name string
		rule string
		pkt  packet.Facts
		want bool
	}{
		{"ipv4.hdr", `alert ip any any -> any any (ipv4.hdr; content:"|00 00|"; offset:6; depth:2; sid:1;)`, tcpPacket("GET", hdrs), true},
		{"ipv4.hdr miss", `alert ip any any -> any any (ipv4.hdr; content:"|12 35|"; sid:1;)`, tcpPacket("GET", hdrs), false},
		{"ipv4.hdr on IPv6", `alert ip any any -> any any (ipv4.hdr; content:"|12 34|"; sid:1;)`,
			tcpPacket("GET", hdrs, func(f *packet.Facts) { f.L3 = packet.L3IPv6 }), false},
		// tcp-hdr-keyword: the MSS option, then byte_test relative to it
		{"tcp.hdr and byte_test", `alert tcp any any -> any any (tcp.hdr; content:"|02 04|"; offset:20; byte_test:2,<,536,0,big,relative; sid:1;)`,
			tcpPacket("", hdrs), true},
		{"tcp.hdr without payload", `alert tcp any any -> any any (tcp.hdr; content:"|00 50|"; offset:2; depth:2; sid:1;)`, tcpPacket("", hdrs), true},
		{"tcp.hdr and payload", `alert tcp any any -> any 80 (content:"GET"; tcp.hdr; content:"|00 50|"; offset:2; depth:2; sid:1;)`, tcpPacket("GET /", hdrs), true},
		{"udp.hdr on tcp", `alert ip any any -> any any (udp.hdr; content:"|00 50|"; sid:1;)`, tcpPacket("GET", hdrs), false},
	}
	for _, c := range cases {
		rs := parseRules(t, c.rule)
		runCases(t, []matchCase{{c.name, rs[0], c.pkt, c.want}})
	}
}
