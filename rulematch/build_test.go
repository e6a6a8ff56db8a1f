package rulematch

import (
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
