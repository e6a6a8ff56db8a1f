package packet

// DecodeEvents is a set of decoder events: anomalies the decoder noticed
// in one packet's headers, named as Suricata 7's decoder events
// (rules/decoder-events.rules, matched by decode-event:NAME). Only the
// events the decoder detects are here; each is a bit, so the set costs
// one word per packet and nothing when a packet is clean.
type DecodeEvents uint64

// Decoder events, in the order of DecodeEventNames.
const (
	EvIPv4PktTooSmall DecodeEvents = 1 << iota
	EvIPv4HlenTooSmall
	EvIPv4IPLenSmallerThanHlen
	EvIPv4TruncPkt
	EvIPv4OptInvalidLen
	EvIPv4OptMalformed
	EvIPv4OptUnknown
	EvIPv4OptDuplicate
	EvIPv4OptEOLRequired
	EvIPv4WrongIPVersion
	EvIPv4FragPktTooLarge
	EvIPv4FragOverlap
	EvIPv6PktTooSmall
	EvIPv6TruncPkt
	EvIPv6TruncExthdr
	EvIPv6ExthdrDuplFH
	EvIPv6ExthdrUselessFH
	EvIPv6WrongIPVersion
	EvIPv6FragPktTooLarge
	EvIPv6FragOverlap
	EvIPv6FragInvalidLength
	EvIPv4InIPv6WrongVersion
	EvIPv6InIPv6WrongVersion
	EvTCPPktTooSmall
	EvTCPHlenTooSmall
	EvTCPInvalidOptLen
	EvTCPOptInvalidLen
	EvTCPOptDuplicate
	EvUDPPktTooSmall
	EvUDPHlenInvalid
	EvICMPv4PktTooSmall
	EvICMPv6PktTooSmall
	EvIPv6ExthdrDuplHH
	EvIPv6ExthdrDuplRH
	EvIPv6ExthdrDuplDH
	EvIPv6ExthdrDuplAH
	EvIPv6RHType0
	EvIPv6FHNonZeroReserved
	EvIPv6DataAfterNone
	numDecodeEvents = iota
)

// decodeEventNames are Suricata's names of the events, bit by bit.
var decodeEventNames = [numDecodeEvents]string{
	"ipv4.pkt_too_small",
	"ipv4.hlen_too_small",
	"ipv4.iplen_smaller_than_hlen",
	"ipv4.trunc_pkt",
	"ipv4.opt_invalid_len",
	"ipv4.opt_malformed",
	"ipv4.opt_unknown",
	"ipv4.opt_duplicate",
	"ipv4.opt_eol_required",
	"ipv4.wrong_ip_version",
	"ipv4.frag_pkt_too_large",
	"ipv4.frag_overlap",
	"ipv6.pkt_too_small",
	"ipv6.trunc_pkt",
	"ipv6.trunc_exthdr",
	"ipv6.exthdr_dupl_fh",
	"ipv6.exthdr_useless_fh",
	"ipv6.wrong_ip_version",
	"ipv6.frag_pkt_too_large",
	"ipv6.frag_overlap",
	"ipv6.frag_invalid_length",
	"ipv6.ipv4_in_ipv6_wrong_version",
	"ipv6.ipv6_in_ipv6_wrong_version",
	"tcp.pkt_too_small",
	"tcp.hlen_too_small",
	"tcp.invalid_optlen",
	"tcp.opt_invalid_len",
	"tcp.opt_duplicate",
	"udp.pkt_too_small",
	"udp.hlen_invalid",
	"icmpv4.pkt_too_small",
	"icmpv6.pkt_too_small",
	"ipv6.exthdr_dupl_hh",
	"ipv6.exthdr_dupl_rh",
	"ipv6.exthdr_dupl_dh",
	"ipv6.exthdr_dupl_ah",
	"ipv6.rh_type_0",
	"ipv6.fh_non_zero_reserved_field",
	"ipv6.data_after_none_header",
}

// LookupDecodeEvent returns the event Suricata names name (as
// decode-event: writes it, "ipv4.opt_invalid_len"); ok is false for an
// event the decoder does not detect.
func LookupDecodeEvent(name string) (DecodeEvents, bool) {
	for i, n := range decodeEventNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// String names the events of the set, comma-separated.
func (e DecodeEvents) String() string {
	s := ""
	for i, n := range decodeEventNames {
		if e&(1<<i) != 0 {
			if s != "" {
				s += ","
			}
			s += n
		}
	}
	return s
}
