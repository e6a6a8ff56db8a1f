package analyzer

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

// defragPayload is the TCP payload split across fragments in these tests.
var defragPayload = []byte("GET /cgi-bin/../../../../bin/sh HTTP/1.0\r\nHost: victim\r\n\r\n!!")

// tcpSegment is a TCP header and payload, as the fragments carry it.
func tcpSegment(t testing.TB, payload []byte) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 7, Ack: 9, ACK: true, PSH: true, Window: 1024}
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// frag4 is one Ethernet-framed IPv4 fragment of datagram id.
func frag4(t testing.TB, id uint16, off int, more bool, data []byte) []byte {
	t.Helper()
	ip := ip4Hdr(layers.IPProtocolTCP)
	ip.Id, ip.FragOffset = id, uint16(off/8)
	if more {
		ip.Flags = layers.IPv4MoreFragments
	}
	return serialize(t, ethHdr(layers.EthernetTypeIPv4), ip, gopacket.Payload(data))
}

// frag6 is one IPv6 fragment; with dstOpts a destination-options header
// precedes the fragment header.
func frag6(t testing.TB, id uint32, off int, more, dstOpts bool, data []byte) []byte {
	t.Helper()
	n := 0
	if dstOpts {
		n = 1
	}
	return frag6Ext(t, id, off, more, n, data)
}

// frag6Ext is one IPv6 fragment after ext destination-options headers.
func frag6Ext(t testing.TB, id uint32, off int, more bool, ext int, data []byte) []byte {
	t.Helper()
	fh := make([]byte, 8, 8+len(data))
	fh[0] = byte(layers.IPProtocolTCP)
	v := uint16(off) &^ 7
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(fh[2:4], v)
	binary.BigEndian.PutUint32(fh[4:8], id)
	pl := append(fh, data...)
	next := layers.IPProtocolIPv6Fragment
	for range ext {
		pl = append([]byte{byte(next), 0, 1, 4, 0, 0, 0, 0}, pl...)
		next = layers.IPProtocolIPv6Destination
	}
	return serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(next), gopacket.Payload(pl))
}

// split cuts seg at the given offsets (multiples of 8).
func split(seg []byte, cuts ...int) (parts [][]byte, offs []int) {
	prev := 0
	for _, c := range append(cuts, len(seg)) {
		parts, offs = append(parts, seg[prev:c]), append(offs, prev)
		prev = c
	}
	return parts, offs
}

// feedFrags decodes pkts in order, a millisecond apart, and returns the facts
// of every packet that carried transport facts, with its index.
func feedFrags(d *decoder, start int64, pkts [][]byte) (got []packet.Facts, at []int) {
	var f packet.Facts
	for i, p := range pkts {
		f.Time = start + int64(i)*int64(time.Millisecond)
		if !d.decode(LinkEthernet, p, &f) {
			continue
		}
		if f.Proto != 0 {
			g := f
			g.Payload = append([]byte(nil), f.Payload...)
			got, at = append(got, g), append(at, i)
		}
	}
	return got, at
}

func TestDefragReassembles(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	parts, offs := split(seg, 24, 48)
	v4 := func(order ...int) [][]byte {
		var out [][]byte
		for _, i := range order {
			out = append(out, frag4(t, 0x1234, offs[i], i < len(parts)-1, parts[i]))
		}
		return out
	}
	v6 := func(ext bool, order ...int) [][]byte {
		var out [][]byte
		for _, i := range order {
			out = append(out, frag6(t, 0xdeadbeef, offs[i], i < len(parts)-1, ext, parts[i]))
		}
		return out
	}
	// a long chain of extension headers before the fragment header, to
	// hide it from a decoder that gives up early
	v6Chain := func(ext int, order ...int) [][]byte {
		var out [][]byte
		for _, i := range order {
			out = append(out, frag6Ext(t, 0xdeadbeef, offs[i], i < len(parts)-1, ext, parts[i]))
		}
		return out
	}
	tests := []struct {
		name   string
		pkts   [][]byte
		l3     uint8
		atLast int // the packet that completes the datagram
	}{
		{"ipv4 in order", v4(0, 1, 2), packet.L3IPv4, 2},
		{"ipv4 out of order", v4(2, 0, 1), packet.L3IPv4, 2},
		{"ipv4 last first then middle", v4(1, 2, 0), packet.L3IPv4, 2},
		{"ipv4 duplicate fragment", v4(0, 1, 1, 2), packet.L3IPv4, 3},
		{"ipv6 in order", v6(false, 0, 1, 2), packet.L3IPv6, 2},
		{"ipv6 out of order", v6(false, 2, 1, 0), packet.L3IPv6, 2},
		{"ipv6 duplicate fragment", v6(false, 0, 0, 2, 1), packet.L3IPv6, 3},
		{"ipv6 after destination options", v6(true, 1, 0, 2), packet.L3IPv6, 2},
		{"ipv6 after 20 extension headers", v6Chain(20, 0, 2, 1), packet.L3IPv6, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			got, at := feedFrags(d, int64(time.Hour), tc.pkts)
			if len(got) != 1 || at[0] != tc.atLast {
				t.Fatalf("%d packets with transport facts (at %v), want 1 at %d", len(got), at, tc.atLast)
			}
			f := got[0]
			want(t, f.L3 == tc.l3 && f.Proto == packet.ProtoTCP && f.SrcPort == 40000 && f.DstPort == 80,
				"l3 %d proto %d ports %d>%d", f.L3, f.Proto, f.SrcPort, f.DstPort)
			want(t, f.HasEth && f.SrcMAC == [6]byte(macB), "link facts lost: eth %v mac %x", f.HasEth, f.SrcMAC)
			want(t, f.Seq == 7 && f.TCPFlags == packet.TCPAck|packet.TCPPsh, "seq %d flags %x", f.Seq, f.TCPFlags)
			want(t, bytes.Equal(f.Payload, defragPayload), "payload %q", f.Payload)
			// the link header and the whole datagram, as Suricata counts it
			wantLen := 14 + len(f.L3Header) + len(f.L4Header) + len(f.Payload)
			want(t, f.Source == packet.SrcDefrag && f.CapLen == wantLen, "source %d, length %d, want %d %d",
				f.Source, f.CapLen, packet.SrcDefrag, wantLen)
			want(t, d.reasons[reasonFragment] == uint64(len(tc.pkts)), "fragments counted %d, want %d", d.reasons[reasonFragment], len(tc.pkts))
			want(t, d.frag.table.Len() == 0, "%d datagrams left in the table", d.frag.table.Len())
			for r, n := range d.reasons {
				if r != reasonFragment && n != 0 {
					t.Errorf("reason %q counted %d", reasonNames[r], n)
				}
			}
		})
	}
}

// TestDefragOverlapFirstWins: a later fragment never overwrites bytes
// already held.
func TestDefragOverlapFirstWins(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	parts, offs := split(seg, 24, 48)
	evil := bytes.Repeat([]byte{'X'}, len(parts[1]))
	pkts := [][]byte{
		frag4(t, 7, offs[1], true, parts[1]),
		frag4(t, 7, offs[1], true, evil), // same range, other bytes
		frag4(t, 7, 16, true, bytes.Repeat([]byte{'Y'}, 16)),
		frag4(t, 7, offs[0], true, parts[0]),
		frag4(t, 7, offs[2], false, parts[2]),
	}
	d := newDecoder()
	got, _ := feedFrags(d, 1, pkts)
	if len(got) != 1 {
		t.Fatalf("%d reassembled packets, want 1", len(got))
	}
	// bytes 24-47 came first from fragment 1 (the 'X' copy lost), bytes
	// 16-23 from the 'Y' fragment, which came before fragment 0: the TCP
	// checksum, urgent pointer and first four payload bytes are 'Y'
	wantPayload := append([]byte("YYYY"), defragPayload[4:]...)
	want(t, bytes.Equal(got[0].Payload, wantPayload), "payload %q, want %q", got[0].Payload, wantPayload)
	want(t, got[0].DstPort == 80 && got[0].Seq == 7, "header from the first fragment: port %d seq %d", got[0].DstPort, got[0].Seq)
}

func TestDefragTimeoutAndCap(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	parts, offs := split(seg, 24, 48)
	sec := int64(time.Second)

	t.Run("timeout", func(t *testing.T) {
		d := newDecoder()
		var f packet.Facts
		for i := range 2 {
			f.Time = 100 * sec
			d.decode(LinkEthernet, frag4(t, 1, offs[i], true, parts[i]), &f)
		}
		f.Time = 131 * sec // past ipfrag_time from the first fragment
		d.decode(LinkEthernet, frag4(t, 1, offs[2], false, parts[2]), &f)
		want(t, f.Proto == 0, "a datagram completed across the timeout")
		want(t, d.frag.timedOut == 1, "timed out %d, want 1", d.frag.timedOut)
		found := false
		for _, rc := range d.decodeErrors() {
			found = found || rc.Reason == reasonNames[reasonFragTimeout] && rc.Count == 1
		}
		want(t, found, "decode errors %v lack the timeout", d.decodeErrors())
		d.frag.expire(200 * sec) // as Engine.tick does
		want(t, d.frag.timedOut == 2 && d.frag.table.Len() == 0, "timed out %d, %d left", d.frag.timedOut, d.frag.table.Len())
	})

	t.Run("cap", func(t *testing.T) {
		d := newDecoder()
		d.frag = newReassembler(2)
		var f packet.Facts
		for id := range uint16(3) {
			f.Time = sec + int64(id)
			d.decode(LinkEthernet, frag4(t, id, offs[0], true, parts[0]), &f)
		}
		want(t, d.frag.evicted() == 1 && d.frag.table.Len() == 2, "evicted %d, %d held", d.frag.evicted(), d.frag.table.Len())
		got, _ := feedFrags(d, 2*sec, [][]byte{
			frag4(t, 0, offs[1], true, parts[1]), frag4(t, 0, offs[2], false, parts[2]), // the evicted one
			frag4(t, 2, offs[1], true, parts[1]), frag4(t, 2, offs[2], false, parts[2]),
		})
		// datagram 0 was evicted; its later fragments re-created an entry and
		// evicted datagram 1 in turn
		want(t, len(got) == 1 && bytes.Equal(got[0].Payload, defragPayload), "%d reassembled", len(got))
	})

	t.Run("engine reports the evictions", func(t *testing.T) {
		cfg, err := DefaultConfig()
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEngine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.dec.frag = newReassembler(1)
		for id := range uint16(4) {
			p := frag4(t, id, offs[0], true, parts[0])
			e.Packet(LinkEthernet, p, sec+int64(id), len(p), packet.PacketRef{})
		}
		e.Finish()
		r := e.Result(nil, nil)
		found := false
		for _, ev := range r.Summary.Evictions {
			found = found || ev.Reason == "IP fragments" && ev.Count == 3
		}
		want(t, found, "evictions %v", r.Summary.Evictions)
	})
}

func TestDefragAtomicFragment(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	for _, ext := range []bool{false, true} {
		d := newDecoder()
		got, _ := feedFrags(d, 1, [][]byte{frag6(t, 5, 0, false, ext, seg)})
		if len(got) != 1 || !bytes.Equal(got[0].Payload, defragPayload) || got[0].DstPort != 80 {
			t.Errorf("ext %v: atomic fragment not decoded: %+v", ext, got)
		}
		want(t, d.frag.table.Len() == 0, "atomic fragment stored")
	}
}

func TestDefragMalformed(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	parts, offs := split(seg, 24, 48)
	odd := frag4(t, 3, 0, true, seg[:23]) // not a multiple of 8
	beyond := frag4(t, 3, 65528, true, make([]byte, 16))
	shortLast := frag4(t, 9, 8, false, seg[8:16])
	// IPv4 truncated: snap length cut the fragment's data
	trunc := frag4(t, 4, 0, true, parts[0])
	trunc = trunc[:len(trunc)-5]
	// IPv6 fragment header cut short, and one with a bogus payload length
	cut6 := frag6(t, 1, 8, true, false, seg[:8])
	cut6 = cut6[:14+40+4]
	long6 := frag6(t, 1, 8, true, false, seg[:8])
	binary.BigEndian.PutUint16(long6[14+4:], 4000)
	jumbo6 := frag6(t, 1, 8, true, false, seg[:8])
	binary.BigEndian.PutUint16(jumbo6[14+4:], 0)

	tests := []struct {
		name   string
		pkts   [][]byte
		reason int
	}{
		{"length not a multiple of 8", [][]byte{odd}, reasonMalformedL3},
		{"end past 65535", [][]byte{beyond}, reasonMalformedL3},
		{"truncated fragment", [][]byte{trunc}, reasonTruncated},
		{"last fragment shorter than data held", [][]byte{
			frag4(t, 9, offs[1], true, parts[1]), shortLast}, reasonMalformedL3},
		{"two different ends", [][]byte{
			frag4(t, 9, offs[2], false, parts[2]), frag4(t, 9, offs[1], false, parts[1])}, reasonMalformedL3},
		{"fragment past the end", [][]byte{
			frag4(t, 9, offs[1], false, parts[1]), frag4(t, 9, offs[2], true, parts[2][:16])}, reasonMalformedL3},
		{"ipv6 payload length past the packet", [][]byte{long6}, reasonTruncated},
		{"ipv6 jumbo fragment", [][]byte{jumbo6}, reasonMalformedL3},
		{"ipv6 fragment header cut", [][]byte{cut6}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			got, _ := feedFrags(d, 1, tc.pkts)
			want(t, len(got) == 0, "%d packets with transport facts", len(got))
			if tc.reason >= 0 {
				want(t, d.reasons[tc.reason] > 0, "reason %q not counted: %v", reasonNames[tc.reason], d.decodeErrors())
			}
		})
	}
}

// TestDefragUnfragmentedNoAllocs: whole datagrams never touch the
// reassembler's memory.
func TestDefragUnfragmentedNoAllocs(t *testing.T) {
	if e2eRaceEnabled {
		t.Skip("the race detector allocates")
	}
	pkts := [][]byte{
		serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP()),
		serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolTCP), synTCP()),
		serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv6Destination),
			gopacket.Payload(append([]byte{byte(layers.IPProtocolTCP), 0, 1, 4, 0, 0, 0, 0}, tcpBytes(t, synTCP())...))),
	}
	d := newDecoder()
	var f packet.Facts
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range pkts {
			d.decode(LinkEthernet, p, &f)
			d.frag.expire(f.Time)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per pass, want 0", allocs)
	}
}

// FuzzDefrag feeds three packets that may be fragments of one datagram:
// nothing may panic, and a completed datagram is never longer than 65535
// bytes of IP payload.
func FuzzDefrag(f *testing.F) {
	seg := tcpSegment(f, defragPayload)
	parts, offs := split(seg, 24, 48)
	var v4, v6 [3][]byte
	for i := range parts {
		v4[i] = frag4(f, 1, offs[i], i < 2, parts[i])[14:]
		v6[i] = frag6(f, 1, offs[i], i < 2, i == 1, parts[i])[14:]
	}
	f.Add(v4[0], v4[1], v4[2])
	f.Add(v4[2], v4[0], v4[1])
	f.Add(v6[0], v6[1], v6[2])
	f.Add(v6[1], v6[1], v6[0])
	f.Add(v4[0], v6[1], []byte{0x45})
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		d := newDecoder()
		d.frag = newReassembler(2)
		var facts packet.Facts
		for i, p := range [][]byte{a, b, c, a} {
			facts.Time = int64(i) * int64(10*time.Second)
			d.decode(LinkRaw, p, &facts)
			if len(facts.Payload) > defragMaxSize {
				t.Fatalf("payload of %d bytes", len(facts.Payload))
			}
		}
	})
}

func TestDefragFuzzSeeds(t *testing.T) {
	// every prefix of each fragment, after a first fragment is held
	seg := tcpSegment(t, defragPayload)
	parts, offs := split(seg, 24, 48)
	for i := range parts {
		for _, p := range [][]byte{frag4(t, 1, offs[i], i < 2, parts[i]), frag6(t, 1, offs[i], i < 2, true, parts[i])} {
			for n := 0; n <= len(p); n++ {
				d := newDecoder()
				var f packet.Facts
				d.decode(LinkEthernet, p[:n], &f)
				d.decode(LinkRaw, p[14:max(n, 14)], &f)
			}
		}
	}
}

// A chain of extension headers past maxIPv6ExtHeaders is counted as such
// and its transport not read, rather than a fragment header taken for one.
func TestDefragExtensionChainCap(t *testing.T) {
	seg := tcpSegment(t, defragPayload)
	d := newDecoder()
	var f packet.Facts
	ok := d.decode(LinkEthernet, frag6Ext(t, 1, 0, true, maxIPv6ExtHeaders+1, seg[:24]), &f)
	want(t, ok && f.L3 == packet.L3IPv6 && f.Proto == 0, "decoded %v l3 %d proto %d, want IPv6 facts and no transport", ok, f.L3, f.Proto)
	want(t, d.reasons[reasonIPv6ExtChain] == 1, "chain over the cap counted %d, want 1", d.reasons[reasonIPv6ExtChain])
	want(t, d.frag.table.Len() == 0, "%d datagrams held, want none", d.frag.table.Len())
}
