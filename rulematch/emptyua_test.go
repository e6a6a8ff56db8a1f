package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestEmptyHeaderValue: a header sent with no value is an empty buffer,
// not a missing one (suricata-verify detect-bsize-0, sids 46 and 47).
func TestEmptyHeaderValue(t *testing.T) {
	const empty = "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent:\r\n\r\n"
	const none = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	const bs0 = `alert http any any -> any any (http.user_agent; bsize: 0; sid:46;)`
	const notU = `alert http any any -> any any (http.user_agent; content: !"u"; sid:47;)`
	runKwCases(t, []kwCase{
		{"bsize 0 on empty", bs0, empty, true},
		{"negated content on empty", notU, empty, true},
		{"bsize 0 without the header", bs0, none, false},
		{"negated content without the header", notU, none, false},
		{"LF line ends", bs0, "GET / HTTP/1.1\nHost: localhost\nUser-Agent:\n\n", true},
	})
}

// TestHTTPRequestLFOnlySplit: a request with bare LF line ends sent a line
// per segment (detect-bsize-0's pcap) is inspected once its blank line
// comes, as one with CRLFs is.
func TestHTTPRequestLFOnlySplit(t *testing.T) {
	r := parseRules(t, `alert http any any -> any any (http.user_agent; bsize: 0; sid:46;)`)[0]
	for _, segs := range [][]string{
		{"GET / HTTP/1.1\n", "Host: localhost\n", "User-Agent:\n", "\n"},
		{"GET / HTTP/1.1\r\n", "Host: localhost\r\n", "User-Agent:\r", "\n\r", "\n"},
	} {
		m := newMatcher(t, r)
		got := false
		for i, seg := range segs {
			f := tcpPacket(seg, toAddr("203.0.113.5", 80))
			f.Time += int64(i) * 1e6
			f.StreamData = f.Payload
			m.Observe(&f, func(e packet.Event) { got = got || e.SID == r.SID })
		}
		if !got {
			t.Errorf("%q: no alert", segs)
		}
	}
}
