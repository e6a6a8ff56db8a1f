package rules

// The decoder and IP/TCP header keywords: decode-event (with the pkthdr
// protocol), ipopts, ip_proto, fragoffset, tcp.mss, and the header sticky
// buffers (ipv4.hdr, ipv6.hdr, tcp.hdr, udp.hdr, icmpv4.hdr, icmpv6.hdr),
// as Suricata 7 parses them (detect-engine-event.c, detect-ipopts.c,
// detect-ipproto.c, detect-fragoffset.c, detect-tcpmss.c,
// detect-ipv4hdr.c and its kin).

import (
	"fmt"
	"strings"
)

// decoderKeywords are this file's entries of the keyword table.
func decoderKeywords() []keyword {
	return []keyword{
		{name: "decode-event", doc: "decode-event:NAME; a decoder event of the packet, Suricata's name (ipv4.opt_invalid_len); a rule naming an event the decoder does not detect is skipped.", parse: parseDecodeEvent},
		{name: "ipopts", doc: "ipopts:rr|eol|nop|ts|sec|esec|lsrr|ssrr|satid|any; the IPv4 header carries that option.", parse: parseIPOpts},
		{name: "ip_proto", doc: "ip_proto:[!<>]N|name; the IP header's protocol (IPv6: the last next header).", parse: parseIPProto},
		{name: "fragoffset", doc: "fragoffset:[!<>]N; the IPv4 fragment offset, in 8-byte units.", parse: rangeKeyword("fragoffset", 8191, func(r *Rule) **Range { return &r.FragOffset })},
		{name: "tcp.mss", doc: "tcp.mss:N|<N|>N|N-M|...; the TCP MSS option's value (packets without one do not match).", parse: rangeKeyword("tcp.mss", 65535, func(r *Rule) **Range { return &r.TCPMSS })},
		{name: "ipv4.hdr", doc: "ipv4.hdr; sticky buffer: the IPv4 header with its options.", value: valueNone, parse: sticky(BufferIPv4Hdr)},
		{name: "ipv6.hdr", doc: "ipv6.hdr; sticky buffer: the IPv6 header with its extension headers.", value: valueNone, parse: sticky(BufferIPv6Hdr)},
		{name: "tcp.hdr", doc: "tcp.hdr; sticky buffer: the TCP header with its options.", value: valueNone, parse: sticky(BufferTCPHdr)},
		{name: "udp.hdr", doc: "udp.hdr; sticky buffer: the UDP header.", value: valueNone, parse: sticky(BufferUDPHdr)},
		{name: "icmpv4.hdr", doc: "icmpv4.hdr; sticky buffer: the ICMP header (8 bytes, more for router advertisements, timestamps and address masks).", value: valueNone, parse: sticky(BufferICMPv4Hdr)},
		{name: "icmpv6.hdr", doc: "icmpv6.hdr; sticky buffer: the ICMPv6 header's first 8 bytes.", value: valueNone, parse: sticky(BufferICMPv6Hdr)},
	}
}

// Header reports whether b is one of the raw header buffers (ipv4.hdr,
// tcp.hdr, ...): present on packets without payload too.
func (b Buffer) Header() bool { return b >= BufferIPv4Hdr && b <= BufferICMPv6Hdr }

// headerBufferProto refuses a header buffer on a rule whose protocol
// never carries that header, as Suricata refuses tcp.hdr on a udp rule.
func headerBufferProto(b Buffer, p Protocol) error {
	var t Transport
	v := bothIPs
	switch b {
	case BufferIPv4Hdr:
		t, v = transportAll, IPv4
	case BufferIPv6Hdr:
		t, v = transportAll, IPv6
	case BufferTCPHdr:
		t = TransportTCP
	case BufferUDPHdr:
		t = TransportUDP
	case BufferICMPv4Hdr:
		t = TransportICMPv4
	case BufferICMPv6Hdr:
		t = TransportICMPv6
	}
	if !p.carries(t) || p != 0 && p.IPVersions()&v == 0 {
		return kwErrorf(b.String(), "needs a rule whose protocol carries that header, but the protocol is %s", p)
	}
	return nil
}

// IPOpt names an IPv4 option for ipopts:.
type IPOpt uint8

// IPv4 options ipopts: names; the zero value is none.
const (
	IPOptRR IPOpt = iota + 1
	IPOptEOL
	IPOptNOP
	IPOptTS
	IPOptSec
	IPOptESec
	IPOptLSRR
	IPOptSSRR
	IPOptSATID
	IPOptAny
	numIPOpts
)

// String returns the option as ipopts: writes it.
func (o IPOpt) String() string {
	return enumName("IPOpt", uint8(o), "", "rr", "eol", "nop", "ts", "sec", "esec", "lsrr", "ssrr", "satid", "any")
}

// parseDecodeEvent keeps the event's name: which events the packet can
// carry is the decoder's business (rulematch leaves out a rule naming one
// it does not detect). Suricata's names are "layer.event".
func parseDecodeEvent(st *ruleState, val string) error {
	name := strings.ToLower(strings.TrimSpace(val))
	layer, ev, ok := strings.Cut(name, ".")
	if !ok || layer == "" || ev == "" || strings.ContainsAny(name, " \t,") {
		return fmt.Errorf("bad value %q (want a decoder event, e.g. ipv4.opt_invalid_len)", clip(val))
	}
	st.r.DecodeEvents = append(st.r.DecodeEvents, name)
	return nil
}

func parseIPOpts(st *ruleState, val string) error {
	if err := st.onlyOnce("ipopts"); err != nil {
		return err
	}
	o, ok := lookup(strings.ToLower(strings.TrimSpace(val)), IPOptRR, numIPOpts-1)
	if !ok {
		return fmt.Errorf("bad value %q (want rr, eol, nop, ts, sec, esec, lsrr, ssrr, satid or any)", clip(val))
	}
	st.r.IPOpts = o
	return nil
}

// ipProtoNumber is the number of a protocol name ip_proto: takes besides
// numbers (Suricata asks getprotobyname; these are the ones rules write),
// -1 for another.
func ipProtoNumber(name string) int {
	switch strings.ToLower(name) {
	case "ip":
		return 0
	case "icmp":
		return 1
	case "igmp":
		return 2
	case "ipip":
		return 4
	case "tcp":
		return 6
	case "udp":
		return 17
	case "ipv6":
		return 41
	case "gre":
		return 47
	case "esp":
		return 50
	case "ah":
		return 51
	case "icmpv6", "ipv6-icmp":
		return 58
	case "ospf":
		return 89
	case "pim":
		return 103
	case "sctp":
		return 132
	}
	return -1
}

func parseIPProto(st *ruleState, val string) error {
	v := strings.TrimSpace(val)
	op := ""
	if v != "" && strings.ContainsRune("!<>", rune(v[0])) {
		op, v = v[:1], strings.TrimSpace(v[1:])
	}
	if n := ipProtoNumber(v); n >= 0 {
		v = fmt.Sprint(n)
	}
	r, err := parseRange("ip_proto", op+v, 255)
	if err != nil {
		return err
	}
	st.r.IPProto = append(st.r.IPProto, *r)
	return nil
}
