package rulematch

import (
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// TestRuleStreamReach: the stream window a rule asks for is what one match
// can span; contents that may sit any distance apart get the flow cap.
func TestRuleStreamReach(t *testing.T) {
	tests := []struct {
		name string
		ms   []rules.Match
		want int
	}{
		{"one content", []rules.Match{contentMatch("ATTACK", "")}, 6},
		{"longest of a chain start", []rules.Match{contentMatch("ab", ""), contentMatch("cdefgh", "distance:2; within:10")}, 2 + 2 + 10},
		{"negative distance counts its size", []rules.Match{contentMatch("abc", ""), contentMatch("x", "distance:-2; within:3")}, 3 + 2 + 3},
		{"distance without within", []rules.Match{contentMatch("ab", ""), contentMatch("cd", "distance:0")}, unboundedReach},
		{"two chains", []rules.Match{contentMatch("ab", ""), contentMatch("cd", "")}, unboundedReach},
		{"a negated lone content needs no bytes", []rules.Match{contentMatch("abcd", ""), contentMatch("zz", "negated")}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := contentRule(tc.ms...)
			if !streamable(r) {
				t.Fatal("not streamable")
			}
			if got := streamReach(r); got != tc.want {
				t.Errorf("reach %d, want %d", got, tc.want)
			}
		})
	}
	m := newMatcher(t, contentRule(contentMatch("short", "")), newRule(2, "tcp", withMatches(contentMatch(strings.Repeat("L", 100), ""))),
		newRule(3, "tcp", withMatches(contentMatch(strings.Repeat("Z", 500), "offset:0")))) // anchored: not a stream rule
	if w := m.StreamWindow(); w != 99 {
		t.Errorf("stream window %d, want 99 (the longest stream content - 1)", w)
	}
	if w := newMatcher(t, contentRule(contentMatch("x", "depth:1"))).StreamWindow(); w != 0 {
		t.Errorf("stream window %d without stream rules, want 0", w)
	}
}

// TestRuleStreamPass: a stream rule fires on the packet whose stream data
// completes a match that neither the prefix, nor the payload, nor any held
// piece made alone, so the same bytes never alert twice.
func TestRuleStreamPass(t *testing.T) {
	long := strings.Repeat("0123456789", 10) // 100 bytes: past the old 64-byte tail
	tests := []struct {
		name   string
		proto  string // "" is tcp
		rule   rules.Match
		prefix string
		data   string // "" means the payload
		pieces []int32
		pay    string
		retx   bool // the packet is a retransmission
		want   bool
	}{
		// tcp-pkt: the packet alone; tcp-stream: the stream alone, so not
		// a retransmission's payload (which may differ from the bytes the
		// stream kept)
		{"tcp-pkt: not across segments", "tcp-pkt", contentMatch("ATTACK", ""), "xxATT", "", nil, "ACKyy", false, false},
		{"tcp-pkt: in the payload", "tcp-pkt", contentMatch("ATTACK", ""), "xx", "", nil, "ATTACKyy", false, true},
		{"tcp-pkt: a retransmission's payload", "tcp-pkt", contentMatch("EVIL", ""), "GOOD", "-", nil, "EVIL", true, true},
		{"tcp-stream: across segments", "tcp-stream", contentMatch("ATTACK", ""), "xxATT", "", nil, "ACKyy", false, true},
		{"tcp-stream: not a retransmission's payload", "tcp-stream", contentMatch("EVIL", ""), "GOOD", "-", nil, "EVIL", true, false},
		{"tcp: a retransmission's payload", "", contentMatch("EVIL", ""), "GOOD", "-", nil, "EVIL", true, true},
		{"split at the boundary", "", contentMatch("ATTACK", ""), "xxATT", "", nil, "ACKyy", false, true},
		{"wholly in the prefix: fired before", "", contentMatch("ATTACK", ""), "ATTACKxx", "", nil, "yy", false, false},
		{"wholly in the payload: the packet pass fires, once", "", contentMatch("ATTACK", ""), "xx", "", nil, "ATTACKyy", false, true},
		{"longer than 64 bytes", "", contentMatch(long, ""), long[:70], "", nil, long[70:] + "!", false, true},
		{"data is the payload's new part", "", contentMatch("ATTACK", ""), "xxATT", "ACK", nil, "TACK", false, true},
		{"held pieces that do not join up", "", contentMatch("ATTACK", ""), "", "ab-ATT-ACK", []int32{3, 6, 10}, "ab-", false, false},
		{"across held pieces, split", "", contentMatch("ATTACK", ""), "", "ab-ATTACK", []int32{3, 6, 9}, "ab-", false, true},
		{"inside one held piece: fired when it arrived", "", contentMatch("ATTACK", ""), "", "ab-ATTACK-", []int32{3, 10}, "ab-", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			proto := tc.proto
			if proto == "" {
				proto = "tcp"
			}
			m := newMatcher(t, newRule(1, proto, withMatches(tc.rule)))
			f := tcpPacket(tc.pay)
			f.Retransmission = tc.retx
			f.StreamPrefix = []byte(tc.prefix)
			f.StreamData = f.Payload
			if tc.data != "" {
				f.StreamData = []byte(tc.data)
			}
			f.StreamPieces = tc.pieces
			if tc.retx {
				f.StreamData = nil // nothing new
			}
			n := 0
			m.Observe(&f, func(e packet.Event) {
				n++
				if e.First != f.Packet {
					t.Errorf("alert on packet %v, want %v", e.First, f.Packet)
				}
			})
			if n > 1 || (n == 1) != tc.want {
				t.Errorf("%d alerts, want match %v", n, tc.want)
			}
		})
	}
}

// flow:only_stream and flow:no_stream are tcp-stream and tcp-pkt on a tcp
// rule: the stream only (so not a retransmission's payload), the packet
// only (so not a content split across segments).
func TestRuleFlowStreamOptions(t *testing.T) {
	onlyStream := rules.Flow{OnlyStream: true}
	noStream := rules.Flow{NoStream: true}
	split := tcpPacket("ACKyy")
	split.StreamPrefix, split.StreamData = []byte("xxATT"), split.Payload
	retx := tcpPacket("ATTACK")
	retx.Retransmission = true
	tests := []struct {
		name string
		flow rules.Flow
		f    packet.Facts
		want bool
	}{
		{"only_stream: split", onlyStream, split, true},
		{"only_stream: retransmission", onlyStream, retx, false},
		{"no_stream: split", noStream, split, false},
		{"no_stream: retransmission", noStream, retx, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := contentRule(contentMatch("ATTACK", ""))
			r.Flow = tc.flow
			m := newMatcher(t, r)
			n := 0
			m.Observe(&tc.f, func(packet.Event) { n++ })
			if (n > 0) != tc.want {
				t.Errorf("%d alerts, want match %v", n, tc.want)
			}
		})
	}
}

// TestStreamPrefixWanted: the flow table is told to keep a direction's
// tail only where the stream pass may read it, on the ports of some stream
// rule (Observe's condition).
func TestStreamPrefixWanted(t *testing.T) {
	tests := []struct {
		name     string
		rules    []string
		src, dst uint16
		want     bool
	}{
		{"server port of a stream rule", []string{`alert tcp any any -> any 80 (content:"abc"; sid:1;)`}, 50000, 80, true},
		{"another port", []string{`alert tcp any any -> any 80 (content:"abc"; sid:1;)`}, 50000, 22, false},
		{"the answer's direction", []string{`alert tcp any any -> any 80 (content:"abc"; sid:1;)`}, 80, 50000, false},
		{"a rule on any port", []string{`alert tcp any any -> any any (content:"abc"; sid:1;)`}, 50000, 22, true},
		{"no stream rule", []string{`alert tcp any any -> any any (content:"abc"; offset:2; sid:1;)`}, 50000, 80, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatcher(t, parseRules(t, tt.rules...)...)
			if got := m.StreamPrefixWanted(tt.src, tt.dst); got != tt.want {
				t.Errorf("StreamPrefixWanted(%d, %d) = %v, want %v", tt.src, tt.dst, got, tt.want)
			}
		})
	}
}
