package analyzer

import (
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

func TestIPv4Options(t *testing.T) {
	cases := []struct {
		name string
		opts []byte
		set  uint16
		ev   packet.DecodeEvents
	}{
		{"none", nil, 0, 0},
		{"nop, eol", []byte{1, 0, 0, 0}, packet.IPOptNOP | packet.IPOptEOL, 0},
		{"record route, then eol", []byte{7, 7, 4, 0, 0, 0, 0, 0}, packet.IPOptRR | packet.IPOptEOL, 0},
		{"timestamp, then eol", []byte{68, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0}, packet.IPOptTS | packet.IPOptEOL, 0},
		{"stream id of the wrong length", []byte{136, 6, 0, 0, 0, 0, 1, 1}, packet.IPOptSATID | packet.IPOptNOP, packet.EvIPv4OptMalformed},
		{"length past the header", []byte{131, 40, 4, 0}, 0, packet.EvIPv4OptInvalidLen},
		{"length under 2", []byte{130, 1, 0, 0}, 0, packet.EvIPv4OptInvalidLen},
		{"type with no room for a length", []byte{1, 1, 1, 130}, packet.IPOptNOP, packet.EvIPv4OptEOLRequired},
		{"duplicate", []byte{130, 4, 0, 0, 130, 4, 0, 0}, packet.IPOptSec, packet.EvIPv4OptDuplicate},
		{"unknown", []byte{99, 4, 0, 0}, 0, packet.EvIPv4OptUnknown},
	}
	for _, c := range cases {
		set, ev := ipv4Options(c.opts)
		if set != c.set || ev != c.ev {
			t.Errorf("%s: options %09b events %v, want %09b %v", c.name, set, ev, c.set, c.ev)
		}
	}
}

func TestTCPOptEvents(t *testing.T) {
	cases := []struct {
		name string
		opts []byte
		ev   packet.DecodeEvents
	}{
		{"mss, sack permitted, timestamps", []byte{2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1}, 0},
		{"empty sack (suricata-verify tcp-empty-sack)", []byte{5, 2, 1, 1}, 0},
		{"sack of 6 bytes", []byte{5, 6, 0, 0, 0, 0}, packet.EvTCPOptInvalidLen},
		{"mss of 3 bytes", []byte{2, 3, 5, 1}, packet.EvTCPOptInvalidLen},
		{"length past the header", []byte{8, 10, 0, 0}, packet.EvTCPOptInvalidLen},
		{"two mss", []byte{2, 4, 5, 0xb4, 2, 4, 5, 0xb4}, packet.EvTCPOptDuplicate},
	}
	for _, c := range cases {
		if ev := tcpOptEvents(c.opts); ev != c.ev {
			t.Errorf("%s: events %v, want %v", c.name, ev, c.ev)
		}
	}
}

// TestDecodeEvents decodes whole packets with anomalies Suricata reports:
// each is still decoded (so pkthdr rules see it) and carries its event.
func TestDecodeEvents(t *testing.T) {
	ip6frag := func(fh []byte, tail []byte) []byte {
		ip := serialize(t, ip6Hdr(layers.IPProtocolIPv6Fragment))
		b := cat(ip[:40], fh, tail)
		b[4], b[5] = 0, byte(len(b)-40)
		return b
	}
	ip4opts := func(opts []byte) []byte {
		b := serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP())
		b = cat(b[:20], opts, b[20:])
		b[0] = 0x40 | byte((20+len(opts))/4)
		b[3] = byte(len(b))
		return b
	}
	cases := []struct {
		name string
		link LinkType
		data []byte
		want packet.DecodeEvents
	}{
		{"ipv4 option length past the header (bug-7414)", LinkRaw, ip4opts([]byte{131, 40, 4, 0}), packet.EvIPv4OptInvalidLen},
		{"ipv4 timestamp option", LinkRaw, ip4opts([]byte{68, 8, 5, 0, 0, 0, 0, 0}), 0},
		{"atomic fragment", LinkRaw, ip6frag([]byte{6, 0, 0, 0, 0, 0, 0, 1}, tcpBytes(t, synTCP())), packet.EvIPv6ExthdrUselessFH},
		{"two atomic fragment headers", LinkRaw, ip6frag([]byte{44, 0, 0, 0, 0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0, 1}, tcpBytes(t, synTCP())),
			packet.EvIPv6ExthdrUselessFH | packet.EvIPv6ExthdrDuplFH},
		{"one byte after a fragment header", LinkRaw, ip6frag([]byte{6, 0, 0, 0, 0, 0, 0, 1}, []byte{0}),
			packet.EvIPv6ExthdrUselessFH | packet.EvIPv6TruncExthdr},
		{"ipv6 in ipv6 of version 4 (bug-7964)", LinkEthernet,
			serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv6),
				gopacket.Payload(serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP()))),
			packet.EvIPv6InIPv6WrongVersion},
	}
	for _, c := range cases {
		d := newDecoder()
		var f packet.Facts
		ok := d.decode(c.link, c.data, &f)
		if !ok || f.Events != c.want {
			t.Errorf("%s: decoded %v, events %v, want %v", c.name, ok, f.Events, c.want)
		}
	}
}

func TestIPv6ExtEvents(t *testing.T) {
	hdr := func(next uint8, ext ...byte) []byte {
		b := serialize(t, ip6Hdr(layers.IPProtocol(next)))
		b = cat(b[:40], ext)
		b[4], b[5] = 0, byte(len(ext))
		return b
	}
	hbh := []byte{0, 0, 1, 4, 0, 0, 0, 0} // next: hop-by-hop again, PadN
	cases := []struct {
		name string
		raw  []byte
		want packet.DecodeEvents
	}{
		{"hop-by-hop then tcp", hdr(0, cat([]byte{6, 0, 1, 4, 0, 0, 0, 0}, tcpBytes(t, synTCP()))...), 0},
		{"two hop-by-hop", hdr(0, cat(hbh, []byte{59, 0, 1, 4, 0, 0, 0, 0})...), packet.EvIPv6ExthdrDuplHH},
		{"routing type 0", hdr(43, 59, 0, 0, 0, 0, 0, 0, 0), packet.EvIPv6RHType0},
		{"data after no next header", hdr(60, cat([]byte{59, 0, 1, 4, 0, 0, 0, 0}, []byte("x"))...), packet.EvIPv6DataAfterNone},
		{"fragment header reserved byte", hdr(44, 59, 1, 0, 0, 0, 0, 0, 1), packet.EvIPv6FHNonZeroReserved | packet.EvIPv6ExthdrUselessFH},
		{"three destination options", hdr(60, 60, 0, 1, 4, 0, 0, 0, 0, 60, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0), packet.EvIPv6ExthdrDuplDH},
		{"routing header past the packet", hdr(43, 59, 2, 0, 0), packet.EvIPv6TruncExthdr},
	}
	for _, c := range cases {
		if ev := ipv6ExtEvents(c.raw); ev != c.want {
			t.Errorf("%s: events %v, want %v", c.name, ev, c.want)
		}
	}
	raw := cases[1].raw
	if n := testing.AllocsPerRun(100, func() { ipv6ExtEvents(raw) }); n != 0 {
		t.Errorf("walking extension headers allocates %v times", n)
	}
}
