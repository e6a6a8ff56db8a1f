package rulematch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

func gzipped(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func deflated(s string, wrap bool) string {
	var b bytes.Buffer
	if wrap {
		w := zlib.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
	} else {
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write([]byte(s))
		w.Close()
	}
	return b.String()
}

// serverSegment is a to_client segment of the connection tcpPacket's
// requests go on, its payload the in-order stream data.
func serverSegment(payload string, i int, flags uint8) packet.Facts {
	f := tcpPacket(payload, fromAddr("10.0.0.2", 80), toAddr("10.0.0.1", 40000), withDir(packet.DirToClient),
		withTCPFlags(flags), atTime(time.Duration(i)*time.Millisecond))
	f.StreamData = f.Payload
	return f
}

// TestHTTPResponses runs response rules on a server's stream: each case is
// its segments (the last one closes the connection) and the segments each
// rule alerts on.
func TestHTTPResponses(t *testing.T) {
	const (
		fileRule   = 1 // file_data; content:"EICAR-STANDARD"
		codeRule   = 2 // flow:to_client; http.stat_code; content:"404"
		serverRule = 3 // http.server; content:"nginx"
		cookieRule = 4 // flow:to_client; http.cookie; content:"sid=1" (Set-Cookie)
		mixRule    = 5 // http.stat_code; content:"200"; file_data; content:"MZ"
		// file_data; pcre, with nothing else to give it a prefilter
		// pattern: it alerts where fileRule does
		pcreRule = 6
	)
	rs := []*rules.Rule{
		newRule(fileRule, "http", withMatches(contentMatch("EICAR-STANDARD", "buffer:file.data"))),
		newRule(codeRule, "http", withFlow(rules.FlowToClient, false, false, false), withMatches(contentMatch("404", "buffer:http.stat_code"))),
		newRule(serverRule, "http", withMatches(contentMatch("nginx", "buffer:http.server"))),
		newRule(cookieRule, "http", withFlow(rules.FlowToClient, false, false, false), withMatches(contentMatch("sid=1", "buffer:http.cookie"))),
		newRule(mixRule, "http", withMatches(contentMatch("200", "buffer:http.stat_code"), contentMatch("MZ", "buffer:file.data"))),
		newRule(pcreRule, "http", withMatches(pcreMatch(`(?i)eicar-(standard|test)`, "buffer:file.data"))),
	}
	head := "HTTP/1.1 200 OK\r\nServer: nginx\r\n"
	tests := []struct {
		name   string
		layers int // HTTPDecompressLayers; 0 for the default
		segs   []string
		want   map[uint32][]int // sid -> indexes of the segments it alerts on
	}{
		{"content-length body split over segments",
			0, []string{head + "Content-Length: 68\r\n\r\nX5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STAN", "DARD-ANTIVIRUS-TEST-FILE!$H+H*", ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"chunked",
			0, []string{head + "Transfer-Encoding: chunked\r\n\r\n5\r\nX5O!P\r\n", "3f; ext=1\r\n" + eicar[5:] + "\r\n0\r\n\r\n", ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"chunk sizes with bare LFs and junk after the digits",
			0, []string{head + "Transfer-Encoding: chunked\r\n\r\n22junk\n" + eicar[:34] + "\n22\n" + eicar[34:] + "\n0\n\n", ""},
			map[uint32][]int{serverRule: {0}, fileRule: {0}}},
		{"not chunked after all: libhtp reads it to the close",
			0, []string{head + "Transfer-Encoding: chunked\r\n\r\n" + eicar, ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"body to the close",
			0, []string{head + "\r\n" + eicar[:40], eicar[40:], ""},
			map[uint32][]int{serverRule: {0}, fileRule: {2}}},
		{"gzip",
			0, []string{head + "Content-Encoding: gzip\r\nContent-Length: " + itoa(len(gzipped(eicar))) + "\r\n\r\n" + gzipped(eicar), ""},
			map[uint32][]int{serverRule: {0}, fileRule: {0}}},
		{"deflate, zlib-wrapped",
			0, []string{head + "Content-Encoding: deflate\r\n\r\n" + deflated(eicar, true), ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"deflate, raw",
			0, []string{head + "Content-Encoding: deflate\r\n\r\n" + deflated(eicar, false), ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"two layers from repeated headers",
			0, []string{head + "Content-Encoding: gzip\r\nContent-Encoding: deflate\r\n\r\n" + gzipped(deflated(eicar, false)), ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"layers past the limit stay encoded",
			1, []string{head + "Content-Encoding: gzip, deflate\r\n\r\n" + gzipped(deflated(eicar, false)), ""},
			map[uint32][]int{serverRule: {0}}},
		{"gzip that is not gzip passes through",
			0, []string{head + "Content-Encoding: gzip\r\n\r\n" + eicar, ""},
			map[uint32][]int{serverRule: {0}, fileRule: {1}}},
		{"status and Set-Cookie",
			0, []string{"HTTP/1.1 404 Not Found\r\nSet-Cookie: sid=1\r\nContent-Length: 0\r\n\r\n", ""},
			map[uint32][]int{codeRule: {0}, cookieRule: {0}}},
		{"two responses, once per transaction",
			0, []string{head + "Content-Length: 2\r\n\r\nMZ" + head + "Content-Length: 2\r\n\r\nMZ", ""},
			map[uint32][]int{serverRule: {0, 0}, mixRule: {0, 0}}},
		{"interim 100 Continue then the response",
			0, []string{"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n", ""},
			map[uint32][]int{codeRule: {1}}},
		{"304 has no body",
			0, []string{"HTTP/1.1 304 Not Modified\r\nServer: nginx\r\n\r\n" + head + "Content-Length: 68\r\n\r\n" + eicar, ""},
			map[uint32][]int{serverRule: {0, 0}, fileRule: {0}}},
		{"a header with a NUL in its name and a folded value",
			0, []string{head + "Transfer\x00-Encoding:\r\n chunked\r\n\r\n44\r\n" + eicar + "\r\n0\r\n\r\n", ""},
			map[uint32][]int{serverRule: {0}, fileRule: {0}}},
		{"bare CR line ends",
			0, []string{"HTTP/1.1 200 OK\rServer: nginx\rTransfer-Encoding: chunked\r\n\r\n44\r\n" + eicar + "\r\n0\r\n\r\n", ""},
			map[uint32][]int{serverRule: {0}, fileRule: {0}}},
		{"headers cut by the close",
			0, []string{"HTTP/1.1 404 Nope\r\nServer: nginx", ""},
			map[uint32][]int{serverRule: {1}, codeRule: {1}}},
		{"not a response",
			0, []string{"SSH-2.0-OpenSSH\r\n", "Server: nginx\r\n\r\n" + eicar, ""},
			map[uint32][]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.layers > 0 {
				cfg.HTTPDecompressLayers = tt.layers
			}
			m, err := New(rs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := tt.want[fileRule]; ok {
				tt.want[pcreRule] = w
			}
			got := map[uint32][]int{}
			for i, seg := range tt.segs {
				flags := uint8(packet.TCPPsh | packet.TCPAck)
				if i == len(tt.segs)-1 {
					flags = packet.TCPFin | packet.TCPAck
				}
				f := serverSegment(seg, i, flags)
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
		})
	}
}

// TestResponseBodyCaps: the body kept and the decompressed output stop at
// HTTPResponseBodyBytes; a zip bomb does not expand past it.
func TestResponseBodyCaps(t *testing.T) {
	bomb := gzipped(strings.Repeat("A", 8<<20) + "EICAR-STANDARD")
	cfg := DefaultConfig()
	cfg.HTTPResponseBodyBytes = 4096
	m, err := New([]*rules.Rule{
		newRule(1, "http", withMatches(contentMatch("EICAR-STANDARD", "buffer:file.data"))),
		newRule(2, "http", withMatches(contentMatch("AAAA", "buffer:file.data"))),
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sids []uint32
	for i, seg := range []string{"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + bomb, ""} {
		flags := uint8(packet.TCPAck)
		if i == 1 {
			flags |= packet.TCPFin
		}
		f := serverSegment(seg, i, flags)
		m.Observe(&f, func(ev packet.Event) { sids = append(sids, ev.SID) })
	}
	if !slices.Equal(sids, []uint32{2}) {
		t.Errorf("alerts %v, want [2]: the body is cut at 4096 bytes", sids)
	}
	if n := len(m.decoder.bufs[0]); n > 4096 {
		t.Errorf("decoded %d bytes, cap 4096", n)
	}
}

func TestChunkSize(t *testing.T) {
	tests := []struct {
		line string
		want int64
		ok   bool
	}{
		{"44", 0x44, true},
		{"  1f;ext=1", 0x1f, true},
		{"\x0bf", 0xf, true},
		{"A junk", 0xa, true},
		{"X5O!P", 0, false},
		{"", 0, false},
		{"1234567890abcdef0", 0, false},
	}
	for _, tt := range tests {
		got, ok := chunkSize([]byte(tt.line))
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("chunkSize(%q) = %d, %v; want %d, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseHTTPResponse(t *testing.T) {
	tests := []struct {
		head              string
		code, msg, server string
		status, layers    int
		chunked           bool
		length            int64
	}{
		{"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 68\r\n\r\n", "200", "OK", "nginx", 200, 0, false, 68},
		{"HTTP/1.0  404  Not Found \r\nTransfer-Encoding: x, Chunked\r\n\r\n", "404", "Not Found", "", 404, 0, true, -1},
		{"HTTP/1.1 0204 ok\r\nContent-length: 34( 68)\r\n\r\n", "0204", "ok", "", -1, 0, false, -1},
		{"HTTP/1.1 200 ok\r\nContent-length: 34\r\n 68\r\n\r\n", "200", "ok", "", 200, 0, false, -1},
		{"HTTP/1.1 200 ok\r\nContent-length:  68 \r\n\r\n", "200", "ok", "", 200, 0, false, 68},
		{"HTTP/1.1 200 ok\r\nContent-Encoding: gzip\r\nContent-Encoding: identity, deflate\r\n\r\n", "200", "ok", "", 200, 1, false, -1},
		{"HTTP/1.1 200 ok\r\nContent-Encoding:\r\n \r\n gzip\r\n\r\n", "200", "ok", "", 200, 1, false, -1},
	}
	for _, tt := range tests {
		var h httpSpans
		fr := parseHTTPResponse([]byte(tt.head), &h, 2)
		str := func(id rules.Buffer) string { sp := h.spans[id]; return tt.head[sp.lo:sp.hi] }
		if str(rules.BufferHTTPStatCode) != tt.code || str(rules.BufferHTTPStatMsg) != tt.msg || str(rules.BufferHTTPServer) != tt.server ||
			fr.status != tt.status || fr.layers != tt.layers || fr.chunked != tt.chunked || fr.length != tt.length {
			t.Errorf("%q: code %q msg %q server %q, %+v", tt.head, str(rules.BufferHTTPStatCode), str(rules.BufferHTTPStatMsg), str(rules.BufferHTTPServer), fr)
		}
	}
}

// TestResponsesPairedWithRequests: a response takes the oldest request not
// answered yet; the answer to HEAD has no body, and one without a status
// line is an HTTP/0.9 body up to the close.
func TestResponsesPairedWithRequests(t *testing.T) {
	rs := []*rules.Rule{newRule(1, "http", withMatches(contentMatch("EICAR-STANDARD", "buffer:file.data")))}
	tests := []struct {
		name string
		req  string   // the client's request(s), one segment
		segs []string // the server's segments; the last closes
		want int      // alerts
	}{
		{"GET then a body", "GET / HTTP/1.1\r\n\r\n", []string{"HTTP/1.1 200 OK\r\nContent-Length: 68\r\n\r\n" + eicar, ""}, 1},
		{"HEAD: no body, the next response's bytes are not its body", "HEAD / HTTP/1.1\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\nContent-Length: 68\r\n\r\n", eicar, ""}, 0},
		{"HTTP/0.9: no status line", "GET / HTTP/1.1\r\n\r\n", []string{eicar, ""}, 1},
		{"no request: not followed", "", []string{eicar, ""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatcher(t, rs...)
			n := 0
			count := func(packet.Event) { n++ }
			if tt.req != "" {
				f := tcpPacket(tt.req)
				f.StreamData = f.Payload
				m.Observe(&f, count)
			}
			for i, seg := range tt.segs {
				flags := uint8(packet.TCPPsh | packet.TCPAck)
				if i == len(tt.segs)-1 {
					flags = packet.TCPFin | packet.TCPAck
				}
				f := serverSegment(seg, i+1, flags)
				m.Observe(&f, count)
			}
			if n != tt.want {
				t.Errorf("%d alerts, want %d", n, tt.want)
			}
		})
	}
}

// TestHTTPResponseNoAllocs: a request and its chunked, gzipped response
// (closed after it) allocate nothing once the buffers and the
// decompressor are recycled.
func TestHTTPResponseNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	m := newMatcher(t,
		newRule(1, "http", withMatches(contentMatch("EICAR-STANDARD", "buffer:file.data"))),
		newRule(2, "http", withFlow(rules.FlowToClient, false, false, false), withMatches(contentMatch("200", "buffer:http.stat_code"))))
	body := gzipped(eicar)
	req := tcpPacket("GET / HTTP/1.1\r\n\r\n")
	req.StreamData = req.Payload
	a := serverSegment("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"+
		itoaHex(len(body))+"\r\n"+body+"\r\n", 1, packet.TCPAck)
	b := serverSegment("0\r\n\r\n", 2, packet.TCPAck|packet.TCPFin)
	n := 0
	emit := func(packet.Event) { n++ }
	run := func() {
		m.Observe(&req, emit)
		m.Observe(&a, emit)
		m.Observe(&b, emit)
	}
	run()
	if n != 2 {
		t.Fatalf("%d alerts, want 2", n)
	}
	if allocs := testing.AllocsPerRun(100, run); allocs != 0 {
		t.Errorf("%v allocations per response, want 0", allocs)
	}
}

func itoaHex(n int) string {
	const digits = "0123456789abcdef"
	s := ""
	for {
		s = string(digits[n%16]) + s
		n /= 16
		if n == 0 {
			return s
		}
	}
}

// FuzzHTTPResponse feeds a server stream, cut in two segments at split, to
// the response parser with small caps: it must never panic nor keep more
// than its caps.
func FuzzHTTPResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip, deflate\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), 20)
	f.Add([]byte("HTTP/1.0 200\rContent-Length: 3\n \n\x1f\x8b\x08\x02\x00\x00\x00\x00\x00\x00\x00\x00"), 7)
	f.Add([]byte("http/1.1 100 x\r\n\r\nHTTP/1.1 204 x\r\nContent-length: 34( 68)\r\n\r\n"+eicar), 40)
	cfg := DefaultConfig()
	cfg.HTTPRequestBytes, cfg.HTTPResponseBodyBytes, cfg.HTTPDecompressLayers = 256, 256, 3
	m, err := New([]*rules.Rule{
		newRule(1, "http", withMatches(contentMatch("EICAR", "buffer:file.data"))),
		newRule(2, "http", withMatches(contentMatch("200", "buffer:http.stat_code"))),
		newRule(3, "http", withMatches(contentMatch("x", "buffer:http.header_names"))),
	}, cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		req := tcpPacket("GET / HTTP/1.1\r\n\r\n")
		req.StreamData = req.Payload
		m.Observe(&req, func(packet.Event) {})
		for i, seg := range [][]byte{data[:split], data[split:], nil} {
			flags := uint8(packet.TCPAck)
			if i == 2 {
				flags |= packet.TCPFin
			}
			p := serverSegment(string(seg), i, flags)
			m.Observe(&p, func(packet.Event) {})
		}
		m.resp.Each(func(_ httpKey, r *httpResponse) {
			if len(r.head) > 256 || len(r.body) > 256 {
				t.Fatalf("kept %d head, %d body bytes past the caps", len(r.head), len(r.body))
			}
		})
		for _, b := range m.decoder.bufs {
			if len(b) > 256 {
				t.Fatalf("decoded %d bytes past the cap", len(b))
			}
		}
	})
}

// TestRequestContentLength: http.content_len reads the request's
// Content-Length on to_server rules (the response's on to_client ones).
func TestRequestContentLength(t *testing.T) {
	m := newMatcher(t, newRule(1, "http", withFlow(rules.FlowToServer, false, false, false),
		withMatches(contentMatch("12", "buffer:http.content_len; startswith; endswith"))))
	for _, tt := range []struct {
		req  string
		want int
	}{
		{"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\nhello world!", 1},
		{"POST / HTTP/1.1\r\nContent-Length: 120\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\n\r\n", 0},
	} {
		f := tcpPacket(tt.req)
		n := 0
		m.Observe(&f, func(packet.Event) { n++ })
		if n != tt.want {
			t.Errorf("%q: %d alerts, want %d", tt.req, n, tt.want)
		}
	}
}
