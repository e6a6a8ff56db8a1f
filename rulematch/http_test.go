package rulematch

import (
	"reflect"
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
		// http.request_body; content:"cmd=id"
		bodyRule = 4
		// http.uri; content:"/admin"; http.request_body; content:"cmd=id"
		uriBodyRule = 5
	)
	rs := []*rules.Rule{
		newRule(uaRule, "http", withMatches(contentMatch("Nessus", "buffer:http.user_agent"))),
		newRule(uriRule, "http", withMatches(contentMatch("/admin", "buffer:http.uri"))),
		newRule(hdrRule, "http", withMatches(contentMatch("X-Late: 1", "buffer:http.header"))),
		newRule(bodyRule, "http", withMatches(contentMatch("cmd=id", "buffer:http.request_body"))),
		newRule(uriBodyRule, "http", withMatches(contentMatch("/post", "buffer:http.uri"), contentMatch("cmd=id", "buffer:http.request_body"))),
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
		// a POST's body in the segments after its headers (Content-Length)
		{"body after the headers",
			0, []string{"POST /post HTTP/1.1\r\nContent-Length: 12\r\n\r\n", "a=1&", "cmd=id&b"},
			map[uint32][]int{bodyRule: {2}, uriBodyRule: {2}}},
		{"body after headers that spanned segments",
			0, []string{"POST /post HTTP/1.1\r\n", "Content-Length: 6\r\n\r\n", "cmd=id"},
			map[uint32][]int{bodyRule: {2}, uriBodyRule: {2}}},
		{"body with its headers: per packet only",
			0, []string{"POST /post HTTP/1.1\r\nContent-Length: 6\r\n\r\ncmd=id"},
			map[uint32][]int{bodyRule: {0}, uriBodyRule: {0}}},
		{"a rule that fired on the headers does not fire on the body",
			0, []string{"POST /admin HTTP/1.1\r\nContent-Length: 6\r\n\r\n", "cmd=id"},
			map[uint32][]int{uriRule: {0}, bodyRule: {1}}},
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

func TestRequestBodyEnd(t *testing.T) {
	for _, tt := range []struct {
		req  string
		want int
	}{
		{"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 43},
		{"POST / HTTP/1.1\nContent-length:5\n\nab", 39},
		{"POST / HTTP/1.1\r\nContent-Length: 5\r\n", 0},                                   // headers go on
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},                                          // no body
		{"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0},                               // an empty one
		{"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 0},                               // not a length
		{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 0}, // chunked: not followed
	} {
		if got := requestBodyEnd([]byte(tt.req)); got != tt.want {
			t.Errorf("%q: %d, want %d", tt.req, got, tt.want)
		}
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

const request = "POST /admin/login.php?user=x HTTP/1.1\r\n" +
	"Host: Example.COM:8080\r\n" +
	"User-Agent: curl/8.0\r\n" +
	"Cookie: session=abc\r\n" +
	"X-Api-Key: 123\r\n" +
	"Content-Length: 16\r\n" +
	"\r\n" +
	"password=hunter2"

func TestRuleHTTPBuffers(t *testing.T) {
	R := contentRule
	b := func(buf, pat, mods string) rules.Match { return contentMatch(pat, "buffer:"+buf+"; "+mods) }
	req := tcpPacket(request)
	get := tcpPacket("GET /index.html HTTP/1.1\nHost: a.example\nUser-Agent: Mozilla/5.0\n\n")
	runCases(t, []matchCase{
		{"method", R(b("http.method", "POST", "")), req, true},
		{"method other", R(b("http.method", "GET", "")), req, false},
		{"method exact", R(b("http.method", "POST", "startswith; endswith")), req, true},
		{"uri startswith", R(b("http.uri", "/admin", "startswith")), req, true},
		{"uri content", R(b("http.uri", "login.php", "")), req, true},
		{"uri endswith", R(b("http.uri", "user=x", "endswith")), req, true},
		{"uri is not headers", R(b("http.uri", "Host", "")), req, false},
		{"host lowercased, no port", R(b("http.host", "example.com", "startswith; endswith")), req, true},
		{"host nocase", R(b("http.host", "EXAMPLE", "nocase")), req, true},
		{"host port dropped", R(b("http.host", "8080", "")), req, false},
		{"user_agent", R(b("http.user_agent", "curl/", "startswith")), req, true},
		{"user_agent lf lines", R(b("http.user_agent", "Mozilla", "startswith")), get, true},
		{"cookie", R(b("http.cookie", "session=", "")), req, true},
		{"cookie absent", R(b("http.cookie", "session=", "negated")), get, false},
		{"header", R(b("http.header", "X-Api-Key: 123|0d 0a|", "")), req, true},
		{"header not request line", R(b("http.header", "POST", "")), req, false},
		{"header not body", R(b("http.header", "password", "")), req, false},
		{"header relative", R(b("http.header", "Host:", ""), b("http.header", "Example", "distance:0; within:8")), req, true},
		{"body", R(b("http.request_body", "password=", "startswith")), req, true},
		{"body absent", R(b("http.request_body", "x", "negated")), get, false},
		{"file.data is the body", R(b("file.data", "password=", "startswith")), req, true},
		// a multipart body's files sit between part headers Suricata
		// leaves out; not parsed here, so no file.data at all
		{"no file.data in a multipart body", R(b("file.data", "name=", "")),
			tcpPacket("POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\n\r\n--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nhi\r\n--x--\r\n"), false},
		{"pcre uri", R(pcreMatch(`\.php\?user=\w`, "buffer:http.uri")), req, true},
		{"pcre host lowercased", R(pcreMatch(`^example\.com$`, "buffer:http.host")), req, true},
		{"payload and uri", R(contentMatch("hunter2", ""), b("http.uri", "/admin", "")), req, true},
		{"uri and method", R(b("http.method", "GET", ""), b("http.uri", ".html", "endswith")), get, true},
		{"not http", R(b("http.uri", "/admin", "")), tcpPacket("XPOST /admin HTTP/1.1\r\n\r\n"), false},
		{"not over udp", R(b("http.uri", "/admin", "")), udpPacket(request), false},
		// a mid-stream packet the flow table did not pick up has no TCP
		// session, so Suricata runs no HTTP parser on it
		{"no session, no http", R(b("http.uri", "/admin", "")), tcpPacket(request, withDir(packet.DirUnknown)), false},
		{"no session, payload still", R(contentMatch("/admin", "")), tcpPacket(request, withDir(packet.DirUnknown)), true},
		{"retransmission, no http", R(b("http.uri", "/admin", "")), tcpPacket(request, func(f *packet.Facts) { f.Retransmission = true }), false},
		{"request line ends", R(b("http.uri", "/x", "")), tcpPacket("GET /x\r\n"), true},
		// the target may go on in the next segment: no URI until the
		// line ends, as in Suricata
		{"request line unfinished", R(b("http.uri", "/x", "")), tcpPacket("GET /x"), false},
		{"no header block", R(b("http.header", "a", "negated")), tcpPacket("GET /x HTTP/1.0\r\n"), false},
	})
}

func TestRuleHTTPParse(t *testing.T) {
	var h httpSpans
	parseHTTPRequest([]byte(request), &h)
	got := map[string]string{}
	names := map[rules.Buffer]string{rules.BufferHTTPMethod: "method", rules.BufferHTTPURI: "uri", rules.BufferHTTPHeader: "header",
		rules.BufferHTTPHost: "host", rules.BufferHTTPUserAgent: "ua", rules.BufferHTTPCookie: "cookie", rules.BufferHTTPBody: "body"}
	for id, n := range names {
		sp := h.spans[id]
		got[n] = request[sp.lo:sp.hi]
	}
	want := map[string]string{
		"method": "POST", "uri": "/admin/login.php?user=x",
		"header": "Host: Example.COM:8080\r\nUser-Agent: curl/8.0\r\nCookie: session=abc\r\nX-Api-Key: 123\r\nContent-Length: 16\r\n",
		"host":   "Example.COM", "ua": "curl/8.0", "cookie": "session=abc", "body": "password=hunter2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %q\nwant %q", got, want)
	}
	for _, p := range []string{"", "GET", "GET/", "get / HTTP/1.1\r\n\r\n", "\x16\x03\x01\x02\x00", "FOOBAR / HTTP/1.1\r\n"} {
		parseHTTPRequest([]byte(p), &h)
		if h != (httpSpans{}) {
			t.Errorf("%q: parsed as a request: %+v", p, h)
		}
	}
	parseHTTPRequest([]byte("GET / HTTP/1.1\r\nHost: [::1]:80\r\nHost: second\r\n"), &h)
	if sp := h.spans[rules.BufferHTTPHost]; "GET / HTTP/1.1\r\nHost: [::1]:80\r\nHost: second\r\n"[sp.lo:sp.hi] != "[::1]" {
		t.Errorf("IPv6 host: %+v", sp)
	}
}
