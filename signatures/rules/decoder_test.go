package rules

import (
	"strings"
	"testing"
)

// TestParseDecoderKeywords parses the decoder and header keywords as
// suricata-verify and ET Open write them, and the rules Suricata refuses.
func TestParseDecoderKeywords(t *testing.T) {
	ok := []struct {
		text  string
		check func(*Rule) bool
	}{
		{`alert pkthdr any any -> any any (msg:"SURICATA IPv4 invalid option length"; decode-event:ipv4.opt_invalid_len; sid:2200005;)`,
			func(r *Rule) bool {
				return r.Proto == ProtoPkthdr && len(r.DecodeEvents) == 1 && r.DecodeEvents[0] == "ipv4.opt_invalid_len"
			}},
		{`alert ip any any -> any any (ipopts:ssrr ; sid:1;)`, func(r *Rule) bool { return r.IPOpts == IPOptSSRR }},
		{`alert ip any any -> any any (ipopts:any; sid:1;)`, func(r *Rule) bool { return r.IPOpts == IPOptAny }},
		{`alert ip any any -> any any (ip_proto:!1; ip_proto:!2; sid:1;)`, func(r *Rule) bool {
			return len(r.IPProto) == 2 && r.IPProto[0].Op == RangeNot && r.IPProto[1].Min == 2
		}},
		{`alert ip any any -> any any (ip_proto:>134; sid:1;)`, func(r *Rule) bool { return r.IPProto[0].Op == RangeGt && r.IPProto[0].Min == 134 }},
		{`alert ip any any -> any any (ip_proto:gre; sid:1;)`, func(r *Rule) bool { return r.IPProto[0].Op == RangeEq && r.IPProto[0].Min == 47 }},
		{`alert ip any any -> any any (fragoffset: >0; sid:1;)`, func(r *Rule) bool { return r.FragOffset.Op == RangeGt }},
		{`alert tcp any any -> any any (tcp.mss:<536; sid:1;)`, func(r *Rule) bool { return r.TCPMSS.Op == RangeLt && r.TCPMSS.Min == 536 }},
		{`alert tcp any any -> any any (tcp.hdr; content:"|02 04|"; offset:20; sid:1;)`, func(r *Rule) bool { return r.Matches[0].Buffer == BufferTCPHdr }},
		{`alert icmp any any -> any any (icmpv4.hdr; content:"|0a|"; sid:1;)`, func(r *Rule) bool { return r.Matches[0].Buffer == BufferICMPv4Hdr }},
		{`alert ip any any -> any any (ipv4.hdr; content:"|00 00|"; offset:4; depth:2; sid:1;)`, func(r *Rule) bool { return r.Matches[0].Buffer == BufferIPv4Hdr }},
	}
	for _, c := range ok {
		r, sk, err := Parse("t.rules", 1, c.text, DefaultVars())
		if err != nil || sk != nil || !c.check(r) {
			t.Errorf("%s: %v %+v %+v", c.text, err, sk, r)
		}
	}
	bad := []struct{ text, want string }{
		{`alert pkthdr any any -> any any (decode-event:bogus; sid:1;)`, "want a decoder event"},
		{`alert ip any any -> any any (ipopts:xyz; sid:1;)`, "want rr, eol"},
		{`alert ip any any -> any any (ipopts:rr; ipopts:ts; sid:1;)`, "given twice"},
		{`alert ip any any -> any any (ip_proto:300; sid:1;)`, "ip_proto"},
		{`alert udp any any -> any any (tcp.hdr; content:"a"; sid:1;)`, "needs a rule whose protocol carries that header"},
		{`alert ipv6 any any -> any any (ipv4.hdr; content:"a"; sid:1;)`, "needs a rule whose protocol carries that header"},
	}
	for _, c := range bad {
		_, _, err := Parse("t.rules", 1, c.text, DefaultVars())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.text, err, c.want)
		}
	}
}
