package analyzer

// Decoder events (packet.DecodeEvents), the anomalies Suricata's decoders
// report (decode-ipv4.c, decode-ipv6.c, decode-tcp.c, decode-udp.c,
// defrag.c) and rules match with decode-event:. Each check here runs only
// on what is already unusual: IPv4 options, IPv6 extension headers, TCP
// options, a header gopacket refused. A clean packet without options pays
// a comparison or two.
//
// A packet whose IP or transport header gopacket refuses (a bad option
// length, a length field that lies) is still given to the detectors and
// rules with what its fixed IP header says and its events, as Suricata
// inspects an invalid packet: pkthdr rules are how such packets are seen.

import (
	"encoding/binary"

	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

// IPv4 option types (RFC 791 and IANA), as decode-ipv4.h names them.
const (
	ipv4OptEOL    = 0
	ipv4OptNOP    = 1
	ipv4OptRR     = 7
	ipv4OptQS     = 25
	ipv4OptTS     = 68
	ipv4OptSec    = 130
	ipv4OptLSRR   = 131
	ipv4OptCIPSO  = 134
	ipv4OptESec   = 133
	ipv4OptSID    = 136
	ipv4OptSSRR   = 137
	ipv4OptRtrAlt = 148
)

// ipv4Options reads the options of an IPv4 header (opts is the header
// past its first 20 bytes) as DecodeIPV4Options does: which options are
// present, and the events of a bad one. Like Suricata it stops at a
// length that does not fit, which leaves the packet invalid.
func ipv4Options(opts []byte) (set uint16, ev packet.DecodeEvents) {
	var seen [256 / 8]byte
	for len(opts) > 0 {
		t := opts[0]
		switch t {
		case ipv4OptEOL:
			return set | packet.IPOptEOL, ev
		case ipv4OptNOP:
			set |= packet.IPOptNOP
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			return set, ev | packet.EvIPv4OptEOLRequired
		}
		n := int(opts[1])
		if n < 2 || n > len(opts) {
			return set, ev | packet.EvIPv4OptInvalidLen
		}
		if seen[t/8]&(1<<(t%8)) != 0 {
			ev |= packet.EvIPv4OptDuplicate
		}
		seen[t/8] |= 1 << (t % 8)
		switch t {
		case ipv4OptRR:
			set |= packet.IPOptRR
			if n < 3 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptTS:
			set |= packet.IPOptTS
			if n < 5 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptSec:
			set |= packet.IPOptSec
		case ipv4OptESec:
			set |= packet.IPOptESec
		case ipv4OptLSRR:
			set |= packet.IPOptLSRR
			if n < 3 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptSSRR:
			set |= packet.IPOptSSRR
			if n < 3 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptSID:
			set |= packet.IPOptSATID
			if n != 4 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptRtrAlt:
			if n != 4 {
				ev |= packet.EvIPv4OptMalformed
			}
		case ipv4OptQS, ipv4OptCIPSO:
		default:
			ev |= packet.EvIPv4OptUnknown
		}
		opts = opts[n:]
	}
	return set, ev
}

// ipv6ExtEvents walks the extension headers of the IPv6 packet raw
// (fixed header included, cut to its payload length) for the events
// decode-ipv6.c raises on them: a header running past the packet (or
// leaving under two bytes for the next), a header given twice (a third
// destination options header), a fragment header that fragments nothing
// (offset 0, no more fragments) or has reserved bits set, a type 0
// routing header, data after "no next header". The walk stops at a real
// fragment header, as Suricata's does. It is called only when the first
// next header is an extension header.
func ipv6ExtEvents(raw []byte) (ev packet.DecodeEvents) {
	if len(raw) < 40 {
		return 0
	}
	next, off := raw[6], 40
	var seen [4]int // fragment, hop-by-hop, routing, destination options headers so far
	dup := func(i, most int, e packet.DecodeEvents) {
		if seen[i]++; seen[i] > most {
			ev |= e
		}
	}
	ah := 0
	for range 16 {
		switch next {
		case 44: // fragment
			if off+8 > len(raw) {
				return ev | packet.EvIPv6TruncExthdr
			}
			dup(0, 1, packet.EvIPv6ExthdrDuplFH)
			if raw[off+1] != 0 || raw[off+3]&6 != 0 {
				ev |= packet.EvIPv6FHNonZeroReserved
			}
			if binary.BigEndian.Uint16(raw[off+2:off+4])&^6 != 0 {
				return ev // a real fragment: what follows is reassembled first
			}
			ev |= packet.EvIPv6ExthdrUselessFH // offset 0, M clear
			next, off = raw[off], off+8
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination, mobility, HIP, shim6
			if off+2 > len(raw) {
				return ev | packet.EvIPv6TruncExthdr
			}
			n := int(raw[off+1])*8 + 8
			if off+n > len(raw) {
				return ev | packet.EvIPv6TruncExthdr
			}
			switch next {
			case 0:
				dup(1, 1, packet.EvIPv6ExthdrDuplHH)
			case 43:
				dup(2, 1, packet.EvIPv6ExthdrDuplRH)
				if n >= 3 && raw[off+2] == 0 {
					ev |= packet.EvIPv6RHType0
				}
			case 60: // two are allowed: before and after a routing header
				dup(3, 2, packet.EvIPv6ExthdrDuplDH)
			}
			next, off = raw[off], off+n
		case 51: // authentication header: length in 4-byte words, minus 2
			if off+2 > len(raw) {
				return ev | packet.EvIPv6TruncExthdr
			}
			n := (int(raw[off+1]) + 2) * 4
			if off+n > len(raw) {
				return ev | packet.EvIPv6TruncExthdr
			}
			if ah++; ah > 1 {
				ev |= packet.EvIPv6ExthdrDuplAH
			}
			next, off = raw[off], off+n
		case 59: // no next header
			if off < len(raw) {
				ev |= packet.EvIPv6DataAfterNone
			}
			return ev
		default:
			// Suricata wants two bytes of whatever follows an extension
			// header before it looks at it
			if len(raw)-off < 2 {
				ev |= packet.EvIPv6TruncExthdr
			}
			return ev
		}
	}
	return ev
}

// isIPv6ExtHeader reports whether next names an IPv6 extension header.
func isIPv6ExtHeader(next uint8) bool {
	switch next {
	case 0, 43, 44, 51, 60, 135, 139, 140:
		return true
	}
	return false
}

// tcpOptEvents checks the lengths of the TCP options opts (the header past
// its first 20 bytes) as DecodeTCPOptions does: an option running past the
// header, a length under 2, a known option of the wrong length, an option
// given twice.
func tcpOptEvents(opts []byte) (ev packet.DecodeEvents) {
	var seen uint32 // kinds 0-31
	for len(opts) > 0 {
		k := opts[0]
		if k == 0 {
			return ev
		}
		if k == 1 {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			return ev | packet.EvTCPOptInvalidLen
		}
		n := int(opts[1])
		if n < 2 || n > len(opts) {
			return ev | packet.EvTCPOptInvalidLen
		}
		if k < 32 {
			if seen&(1<<k) != 0 {
				ev |= packet.EvTCPOptDuplicate
			}
			seen |= 1 << k
		}
		switch k {
		case 2: // MSS
			if n != 4 {
				ev |= packet.EvTCPOptInvalidLen
			}
		case 3: // window scale
			if n != 3 {
				ev |= packet.EvTCPOptInvalidLen
			}
		case 4: // SACK permitted
			if n != 2 {
				ev |= packet.EvTCPOptInvalidLen
			}
		case 5: // SACK: blocks of 8 bytes; an empty one is tolerated,
			// as Suricata 7.0.10 does (suricata-verify tcp-empty-sack)
			if n > 2 && (n < 10 || (n-2)%8 != 0) {
				ev |= packet.EvTCPOptInvalidLen
			}
		case 8: // timestamps
			if n != 10 {
				ev |= packet.EvTCPOptInvalidLen
			}
		}
		opts = opts[n:]
	}
	return ev
}

// invalidIP fills f from an IP header the parser refused, b being the
// bytes where it starts: the fixed header's addresses, TTL and protocol,
// and the events that say what is wrong. It reports whether b held enough
// of an IP header to do so.
func invalidIP(f *packet.Facts, b []byte) bool {
	if len(b) < 1 {
		return false
	}
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			f.Events |= packet.EvIPv4PktTooSmall
			return false
		}
		f.L3 = packet.L3IPv4
		f.Src = addr4(b[12:16])
		f.Dst = addr4(b[16:20])
		f.TTL, f.IPProto, f.IPID = b[8], b[9], binary.BigEndian.Uint16(b[4:6])
		f.IPFlags = b[6] >> 5
		f.FragOffset = binary.BigEndian.Uint16(b[6:8]) & 0x1fff
		hlen, total := int(b[0]&0x0f)*4, int(binary.BigEndian.Uint16(b[2:4]))
		switch {
		case hlen < 20:
			f.Events |= packet.EvIPv4HlenTooSmall
		case total < hlen:
			f.Events |= packet.EvIPv4IPLenSmallerThanHlen
		case len(b) < hlen || len(b) < total:
			f.Events |= packet.EvIPv4TruncPkt
		default:
			f.L3Header = b[:hlen]
			var ev packet.DecodeEvents
			f.IPOpts, ev = ipv4Options(b[20:hlen])
			f.Events |= ev
		}
		return true
	case 6:
		if len(b) < 40 {
			f.Events |= packet.EvIPv6PktTooSmall
			return false
		}
		f.L3 = packet.L3IPv6
		f.Src = addr16(b[8:24])
		f.Dst = addr16(b[24:40])
		f.TTL, f.IPProto = b[7], b[6]
		if len(b) < 40+int(binary.BigEndian.Uint16(b[4:6])) {
			f.Events |= packet.EvIPv6TruncPkt
		}
		if isIPv6ExtHeader(b[6]) {
			f.Events |= ipv6ExtEvents(b)
		}
		return true
	}
	return false
}

// invalidL4 sets the events of a transport header of protocol proto the
// parser refused, b being its bytes.
func invalidL4(f *packet.Facts, proto uint8, b []byte) {
	switch proto {
	case packet.ProtoTCP:
		switch {
		case len(b) < 20:
			f.Events |= packet.EvTCPPktTooSmall
		case int(b[12]>>4)*4 < 20:
			f.Events |= packet.EvTCPHlenTooSmall
		case int(b[12]>>4)*4 > len(b):
			f.Events |= packet.EvTCPInvalidOptLen
		default:
			f.Events |= tcpOptEvents(b[20 : int(b[12]>>4)*4])
		}
	case packet.ProtoUDP:
		if len(b) < 8 {
			f.Events |= packet.EvUDPPktTooSmall
		} else if n := int(binary.BigEndian.Uint16(b[4:6])); n < 8 || n > len(b) {
			f.Events |= packet.EvUDPHlenInvalid
		}
	case packet.ProtoICMP:
		if len(b) < 8 {
			f.Events |= packet.EvICMPv4PktTooSmall
		}
	case packet.ProtoICMPv6:
		if len(b) < 4 {
			f.Events |= packet.EvICMPv6PktTooSmall
		}
	}
}

// icmpv4HeaderLen is how much of an ICMP message Suricata's icmpv4.hdr
// holds: the 8 fixed bytes, more for the types whose fixed part is longer
// (decode-icmpv4.c): router advertisements with their address entries,
// timestamps, address masks. At most len(b).
func icmpv4HeaderLen(b []byte) int {
	n := 8
	if len(b) >= 8 {
		switch b[0] {
		case layers.ICMPv4TypeRouterAdvertisement:
			n = 8 + int(b[4])*int(b[5])*4
		case layers.ICMPv4TypeTimestampRequest, layers.ICMPv4TypeTimestampReply:
			n = 20
		case layers.ICMPv4TypeAddressMaskRequest, layers.ICMPv4TypeAddressMaskReply:
			n = 12
		}
	}
	return min(n, len(b))
}
