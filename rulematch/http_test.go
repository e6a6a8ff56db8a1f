package rulematch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// TestHTTPRequestAcrossSegments runs http-buffer rules on requests whose
// headers span segments: each case is the segments of one connection's
// client stream and the packets each rule alerts on.
func TestHTTPRequestAcrossSegments(t *testing.T) {
	const (
		uaRule  = 1 // http.user_agent; content:"Nessus"
		uriRule = 2 // http.uri; content:"/admin"
		hdrRule = 3 // http.header; content:"X-Late: 1"
	)
	rs := []*rules.Rule{
		newRule(uaRule, "http", withMatches(contentMatch("Nessus", "buffer:http.user_agent"))),
		newRule(uriRule, "http", withMatches(contentMatch("/admin", "buffer:http.uri"))),
		newRule(hdrRule, "http", withMatches(contentMatch("X-Late: 1", "buffer:http.header"))),
	}
	tests := []struct {
		name  string
		bytes int // HTTPRequestBytes; 0 for the default
		segs  []string
		want  map[uint32][]int // sid -> indexes of the segments it alerts on
	}{
		{"user agent split over two segments",
			0, []string{"GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Nes", "sus\r\n\r\n"},
			map[uint32][]int{uaRule: {1}}},
		{"header in a later segment",
			0, []string{"GET /x HTTP/1.1\r\n", "Host: a\r\n", "X-Late: 1\r\n\r\n"},
			map[uint32][]int{hdrRule: {2}}},
		{"a rule that matched the first segment does not fire again",
			0, []string{"GET /admin HTTP/1.1\r\nHost: a\r\n", "User-Agent: Nessus\r\n\r\n"},
			map[uint32][]int{uriRule: {0}, uaRule: {1}}},
		{"whole request in one segment: per packet only",
			0, []string{"GET /admin HTTP/1.1\r\nUser-Agent: Nessus\r\n\r\n"},
			map[uint32][]int{uriRule: {0}, uaRule: {0}}},
		{"end of headers split between segments",
			0, []string{"GET / HTTP/1.1\r\nUser-Agent: Nessus\r\n\r", "\n"},
			map[uint32][]int{uaRule: {0}}}, // its line was whole in the first
		{"not a request",
			0, []string{"SSH-2.0-OpenSSH\r\n", "User-Agent: Nessus\r\n\r\n"},
			map[uint32][]int{}},
		{"headers that never end are inspected at the cap",
			256, []string{"GET / HTTP/1.1\r\nUser-Agent: Ness", "us\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 20)},
			map[uint32][]int{uaRule: {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.bytes > 0 {
				cfg.HTTPRequestBytes = tt.bytes
			}
			m, err := New(rs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if m.StreamWindow() < 1 {
				t.Fatalf("stream window %d: http rules need the reassembled stream", m.StreamWindow())
			}
			got := map[uint32][]int{}
			for i, seg := range tt.segs {
				f := tcpPacket(seg, atTime(time.Duration(i)*time.Millisecond))
				f.StreamData = f.Payload
				m.Observe(&f, func(ev packet.Event) { got[ev.SID] = append(got[ev.SID], i) })
			}
			for sid, want := range tt.want {
				if !slices.Equal(got[sid], want) {
					t.Errorf("sid %d alerts on segments %v, want %v", sid, got[sid], want)
				}
			}
			for sid, idx := range got {
				if _, ok := tt.want[sid]; !ok {
					t.Errorf("sid %d alerts on segments %v, want none", sid, idx)
				}
			}
			if n := m.http.Len(); n != 0 && tt.name != "not a request" {
				t.Errorf("%d requests still pending", n)
			}
		})
	}
}

// TestHTTPRequestBounds: pending requests are capped (eviction counted),
// expire on packet time, and a retransmission (no new stream data) adds
// nothing.
func TestHTTPRequestBounds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxHTTPRequests = 1
	m, err := New([]*rules.Rule{newRule(1, "http", withMatches(contentMatch("Nessus", "buffer:http.user_agent")))}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := func(sport uint16, at time.Duration) {
		f := tcpPacket("GET / HTTP/1.1\r\nUser-Agent: Nes", fromAddr("10.0.0.1", sport), atTime(at))
		f.StreamData = f.Payload
		m.Observe(&f, func(packet.Event) {})
	}
	start(40000, 0)
	start(40001, time.Second) // evicts the first
	if m.http.Len() != 1 || m.Evicted() != 1 {
		t.Fatalf("%d pending, %d evicted; want 1 and 1", m.http.Len(), m.Evicted())
	}
	// a retransmission of the first segment brings no new stream data
	f := tcpPacket("GET / HTTP/1.1\r\nUser-Agent: Nes", fromAddr("10.0.0.1", 40001), atTime(2*time.Second))
	m.Observe(&f, func(packet.Event) {})
	if p, _ := m.http.Peek(httpKey{src: f.Src, dst: f.Dst, sp: 40001, dp: 80}); p == nil || len(p.buf) != len(f.Payload) {
		t.Errorf("retransmission changed the pending request: %+v", p)
	}
	m.Expire(t0+int64(time.Second)+httpRequestIdle+1, nil)
	if m.http.Len() != 0 {
		t.Errorf("%d pending after the idle timeout", m.http.Len())
	}
	// both the evicted and the expired request gave their buffer back;
	// no more are kept than the table holds
	if len(m.httpFree) != 1 {
		t.Errorf("%d buffers kept for reuse, want 1", len(m.httpFree))
	}
}

// TestHTTPRequestNoAllocs: following a split request allocates nothing
// once buffers are recycled.
func TestHTTPRequestNoAllocs(t *testing.T) {
	m := newMatcher(t, newRule(1, "http", withMatches(contentMatch("Nessus", "buffer:http.user_agent"))))
	a := tcpPacket("GET / HTTP/1.1\r\nUser-Agent: Nes")
	b := tcpPacket("sus\r\n\r\n")
	a.StreamData, b.StreamData = a.Payload, b.Payload
	emit := func(packet.Event) {}
	run := func() {
		m.Observe(&a, emit)
		m.Observe(&b, emit)
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per split request, want 0", n)
	}
}
