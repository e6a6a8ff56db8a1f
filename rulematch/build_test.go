package rulematch

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// TestClassesFollowTransports: a rule's classes are its protocol's
// rules.Transport bits, so the two numberings must agree.
func TestClassesFollowTransports(t *testing.T) {
	for _, c := range []struct {
		class int
		proto uint8
		want  rules.Transport
	}{
		{classTCP, packet.ProtoTCP, rules.TransportTCP},
		{classUDP, packet.ProtoUDP, rules.TransportUDP},
		{classICMP4, packet.ProtoICMP, rules.TransportICMPv4},
		{classICMP6, packet.ProtoICMPv6, rules.TransportICMPv6},
		{classOther, 47, rules.TransportOther},
	} {
		if got := classTransport(c.class); got != c.want {
			t.Errorf("class %d: transport %b, want %b", c.class, got, c.want)
		}
		if got := packetClass(&packet.Facts{Proto: c.proto}); got != c.class {
			t.Errorf("proto %d: class %d, want %d", c.proto, got, c.class)
		}
	}
}

// TestRuleGrouping: cost follows the packet, not the rule count; only the
// rules of the packet's ports and the rules whose pattern is present are
// evaluated.
func TestRuleGrouping(t *testing.T) {
	var rs []*rules.Rule
	for i := range 200 {
		rs = append(rs, newRule(uint32(1+i), "tcp", withPorts("any", strconv.Itoa(1000+i)), withFlags("S")))
		rs = append(rs, newRule(uint32(1001+i), "tcp", withMatches(contentMatch(fmt.Sprintf("pattern-%03d", i), ""))))
		rs = append(rs, newRule(uint32(2001+i), "udp", withPorts(strconv.Itoa(2000+i), "any")))
	}
	rs = append(rs, newRule(5000, "tcp", withDsize(">9000")))
	m := newMatcher(t, rs...)
	var sids []uint32
	emit := func(e packet.Event) { sids = append(sids, e.SID) }

	f := tcpPacket("xx pattern-007 pattern-007 pattern-150", toAddr("10.0.0.2", 1005), withTCPFlags(packet.TCPSyn))
	m.Observe(&f, emit)
	if got := len(m.sc.cands); got != 4 {
		t.Errorf("%d rules evaluated for a TCP packet, want 4 (port 1005, two patterns, any-port rule)", got)
	}
	if want := []uint32{6, 1008, 1151}; !reflect.DeepEqual(sids, want) {
		t.Errorf("matched %v, want %v", sids, want)
	}
	u := udpPacket("x", fromAddr("10.0.0.1", 2003))
	m.Observe(&u, emit)
	if got := len(m.sc.cands); got != 1 {
		t.Errorf("%d rules evaluated for a UDP packet from port 2003, want 1", got)
	}
}
