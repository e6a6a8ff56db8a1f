package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestFragBits runs fragbits: from ET Open rules on IPv4 packets with each
// combination of flag bits the modifiers tell apart.
func TestFragBits(t *testing.T) {
	const M, D, R = packet.IPv4MoreFragments, packet.IPv4DontFragment, packet.IPv4Reserved
	p := func(bits uint8) packet.Facts { return tcpPacket("x", func(f *packet.Facts) { f.IPFlags = bits }) }
	rule := func(fb string) string {
		return `alert tcp any any -> any any (msg:"x"; fragbits:` + fb + `; sid:1;)`
	}
	cases := []struct {
		name string
		rule string
		pkt  packet.Facts
		want bool
	}{
		// sid:2001023 "ET EXPLOIT Invalid fragment - ACK reset" (fragbits: M)
		{"exact M on M", rule(" M"), p(M), true},
		{"exact M on MD", rule(" M"), p(M | D), false},
		{"exact M on none", rule(" M"), p(0), false},
		// sid:2100272 "GPL DOS IGMP dos attack" (fragbits:M+): Suricata's
		// '+' wants another bit besides
		{"plus M on MR", rule("M+"), p(M | R), true},
		{"plus M on M alone", rule("M+"), p(M), false},
		{"plus M on D", rule("+M"), p(D), false},
		// fragbits:!D, as in ET's !D rules
		{"not D on none", rule("!D"), p(0), true},
		{"not D on DF", rule("!D"), p(D), false},
		{"not MD on D", rule("!MD"), p(D), true},
		{"any MR on R", rule("*MR"), p(R | D), true},
		{"any MR on D", rule("*MR"), p(D), false},
		{"reserved", rule("R"), p(R), true},
		{"lower case", rule("d"), p(D), true},
		{"IPv6 never", rule("!D"), func() packet.Facts { f := p(0); f.L3 = packet.L3IPv6; return f }(), false},
	}
	for _, c := range cases {
		rs := parseRules(t, c.rule)
		runCases(t, []matchCase{{c.name, rs[0], c.pkt, c.want}})
	}
}
