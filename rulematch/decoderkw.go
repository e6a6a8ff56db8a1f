package rulematch

// The decoder and IP/TCP header keywords: decode-event (pkthdr rules),
// ipopts, ip_proto, fragoffset and tcp.mss, tested together after the
// other header tests, and the header buffers (ipv4.hdr, ipv6.hdr,
// tcp.hdr, udp.hdr, icmpv4.hdr, icmpv6.hdr), which are the raw headers
// the decoder hands over in Facts.L3Header and L4Header.

import (
	"encoding/binary"
	"fmt"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// hdrChecks are a rule's decoder and header keywords; nil for the rules
// that have none, so the common rule pays one nil test.
type hdrChecks struct {
	events  packet.DecodeEvents // all must be set
	ipopts  uint16              // the option's bit; 0 with anyOpt
	anyOpt  bool                // ipopts:any
	hasOpts bool
	ipProto []rules.Range
	fragOff *rules.Range
	tcpMSS  *rules.Range
}

// ipOptBits maps ipopts: names to Facts.IPOpts bits.
func ipOptBit(o rules.IPOpt) uint16 {
	switch o {
	case rules.IPOptRR:
		return packet.IPOptRR
	case rules.IPOptEOL:
		return packet.IPOptEOL
	case rules.IPOptNOP:
		return packet.IPOptNOP
	case rules.IPOptTS:
		return packet.IPOptTS
	case rules.IPOptSec:
		return packet.IPOptSec
	case rules.IPOptESec:
		return packet.IPOptESec
	case rules.IPOptLSRR:
		return packet.IPOptLSRR
	case rules.IPOptSSRR:
		return packet.IPOptSSRR
	case rules.IPOptSATID:
		return packet.IPOptSATID
	}
	return 0
}

// compileDecoderKeywords sets cr.hdr from r's decoder and header keywords.
func compileDecoderKeywords(r *rules.Rule, cr *rule, bad func(format string, args ...any)) {
	if len(r.DecodeEvents) == 0 && r.IPOpts == 0 && len(r.IPProto) == 0 && r.FragOffset == nil && r.TCPMSS == nil {
		return
	}
	h := &hdrChecks{ipProto: r.IPProto, fragOff: r.FragOffset, tcpMSS: r.TCPMSS}
	for _, name := range r.DecodeEvents {
		ev, ok := packet.LookupDecodeEvent(name)
		if !ok {
			bad("decode-event %s is not detected", name) // Unsupported skips it first
		}
		h.events |= ev
	}
	if r.IPOpts != 0 {
		h.hasOpts = true
		h.anyOpt = r.IPOpts == rules.IPOptAny
		h.ipopts = ipOptBit(r.IPOpts)
		if h.ipopts == 0 && !h.anyOpt {
			bad("ipopts %s unknown", r.IPOpts)
		}
	}
	for _, rg := range append([]*rules.Range{r.FragOffset, r.TCPMSS}, rangePtrs(r.IPProto)...) {
		if rg != nil && (rg.Op < rules.RangeEq || rg.Op > rules.RangeInclusive) {
			bad("operator %q unknown", rg.Op)
		}
	}
	cr.hdr = h
}

func rangePtrs(rs []rules.Range) []*rules.Range {
	out := make([]*rules.Range, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// match tests the keywords on one packet.
func (h *hdrChecks) match(f *packet.Facts) bool {
	if f.Events&h.events != h.events {
		return false
	}
	if h.hasOpts {
		// Suricata's ipopts matches IPv4 packets with options only
		if f.L3 != packet.L3IPv4 || (h.anyOpt && f.IPOpts == 0) || (!h.anyOpt && f.IPOpts&h.ipopts == 0) {
			return false
		}
	}
	if len(h.ipProto) > 0 {
		if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
			return false
		}
		for i := range h.ipProto {
			if !h.ipProto[i].Match(int(f.IPProto)) {
				return false
			}
		}
	}
	if h.fragOff != nil && (f.L3 != packet.L3IPv4 || !h.fragOff.Match(int(f.FragOffset))) {
		return false
	}
	if h.tcpMSS != nil {
		mss, ok := tcpMSS(f)
		if !ok || !h.tcpMSS.Match(int(mss)) {
			return false
		}
	}
	return true
}

// tcpMSS reads the MSS option of a TCP packet's options.
func tcpMSS(f *packet.Facts) (uint16, bool) {
	if f.Proto != packet.ProtoTCP {
		return 0, false
	}
	o := f.TCPOptions
	for len(o) > 0 {
		switch o[0] {
		case 0:
			return 0, false
		case 1:
			o = o[1:]
			continue
		}
		if len(o) < 2 || o[1] < 2 || int(o[1]) > len(o) {
			return 0, false
		}
		if o[0] == 2 && o[1] == 4 {
			return binary.BigEndian.Uint16(o[2:4]), true
		}
		o = o[o[1]:]
	}
	return 0, false
}

// headerBufferOf returns the packet's header for a header buffer; ok is
// false when the packet has no such header.
func headerBufferOf(id rules.Buffer, f *packet.Facts) ([]byte, bool) {
	var b []byte
	switch id {
	case rules.BufferIPv4Hdr:
		if f.L3 == packet.L3IPv4 {
			b = f.L3Header
		}
	case rules.BufferIPv6Hdr:
		if f.L3 == packet.L3IPv6 {
			b = f.L3Header
		}
	case rules.BufferTCPHdr:
		if f.Proto == packet.ProtoTCP {
			b = f.L4Header
		}
	case rules.BufferUDPHdr:
		if f.Proto == packet.ProtoUDP {
			b = f.L4Header
		}
	case rules.BufferICMPv4Hdr:
		if f.Proto == packet.ProtoICMP {
			b = f.L4Header
		}
	case rules.BufferICMPv6Hdr:
		if f.Proto == packet.ProtoICMPv6 {
			b = f.L4Header
		}
	}
	return b, len(b) > 0
}

// headerBufferLow returns a header buffer and its lowercased copy (in
// scratch, reused: headers are at most 60 bytes for TCP and IPv4).
func (s *scratch) headerBufferLow(id rules.Buffer, f *packet.Facts) (raw, low []byte, ok bool) {
	raw, ok = headerBufferOf(id, f)
	if !ok {
		return nil, nil, false
	}
	s.hdrLow = lowerASCII(s.hdrLow, raw)
	return raw, s.hdrLow, true
}

// unsupportedDecoderKeyword says why a rule's decoder keywords cannot
// match here: a decode-event the decoder does not detect.
func unsupportedDecoderKeyword(r *rules.Rule) (keyword, reason string) {
	for _, name := range r.DecodeEvents {
		if _, ok := packet.LookupDecodeEvent(name); !ok {
			return "decode-event", fmt.Sprintf("decode-event %s is not detected by the decoder", name)
		}
	}
	return "", ""
}

// hasDecoderKeywords reports whether r has a keyword of this file, which
// makes it a packet rule rather than an IP-only one.
func hasDecoderKeywords(r *rules.Rule) bool {
	return len(r.DecodeEvents) > 0 || r.IPOpts != 0 || len(r.IPProto) > 0 || r.FragOffset != nil || r.TCPMSS != nil
}
