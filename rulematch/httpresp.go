package rulematch

// HTTP responses, one transaction at a time per connection, as libhtp
// parses them for Suricata: the status line and headers, then the body
// framed by the headers (none for 1xx, 204 and 304; chunked when a
// Transfer-Encoding names chunked; else Content-Length; else up to the
// connection's close), de-chunked leniently (a chunk size is its leading
// hex digits, what follows them is ignored; a chunk's data ends at the
// next LF) and decoded (httpdecode.go). The responses are fed by the
// in-order data reassembly hands over (Facts.StreamData) of the server's
// direction. The rules that read response buffers (rule.resp) run on a
// transaction twice, as Suricata's inspect a transaction as its progress
// passes the headers and then the body: once its headers end, with no
// body, and once its body ends (or reaches HTTPResponseBodyBytes, or the
// connection closes), with it. Each fires at most once per transaction.
//
// Responses are not paired with their requests: a response to HEAD is
// taken to have the body its headers announce (libhtp knows it has none),
// and rules mixing request and response buffers are left out (skip.go).

import (
	"bytes"

	"github.com/ipsreplay/ipsreplay/packet"
)

// respPhase is where in a response the next byte belongs.
type respPhase uint8

const (
	respHead      respPhase = iota // the status line and headers
	respLength                     // a Content-Length body
	respChunkSize                  // a chunk-size line
	respChunkData                  // a chunk's data
	respChunkEnd                   // the line end after a chunk's data
	respTrailer                    // the trailer after the last chunk
	respClose                      // a body that ends with the connection
	respIgnore                     // the rest of a connection that stopped parsing
)

// httpResponse is the transaction being received on one connection.
type httpResponse struct {
	head   []byte // status line and headers, up to HTTPRequestBytes
	body   []byte // the body de-chunked, as encoded, up to HTTPResponseBodyBytes
	spans  httpSpans
	phase  respPhase
	left   int64 // bytes left of the body or chunk
	layers int   // Content-Encoding layers to undo
	// sizeLine is the start of a chunk-size line; sizeN how much of it
	// is held, lineN the length of the current trailer line so far.
	sizeLine [20]byte
	sizeN    int
	lineN    int
	bodyDone bool    // the body stage ran (the cap was reached)
	fired    []int32 // the rules that fired on this transaction
	// requests are the requests seen on the connection and not answered
	// yet, at most 64; bit i of heads is set when the i-th is a HEAD.
	// started: this response took its request (paired: there was one;
	// isHead: it was a HEAD).
	requests                uint8
	heads                   uint64
	started, paired, isHead bool
}

// reset readies t for the connection's next transaction.
func (t *httpResponse) reset() {
	t.head, t.body, t.fired = t.head[:0], t.body[:0], t.fired[:0]
	t.phase, t.left, t.layers, t.sizeN, t.lineN, t.bodyDone = respHead, 0, 0, 0, 0, false
	t.started, t.paired, t.isHead = false, false, false
}

// response returns the connection's response state, new when it has none.
func (m *Matcher) response(k httpKey, now int64) *httpResponse {
	t, ok := m.resp.Get(k, now)
	if !ok {
		t, _ = m.resp.Put(k, now, m.onRespEnd)
		t.reset()
		t.requests, t.heads = 0, 0
		if n := len(m.headFree); n > 0 {
			t.head = m.headFree[n-1]
			m.headFree = m.headFree[:n-1]
		}
		if n := len(m.firedFree); n > 0 {
			t.fired = m.firedFree[n-1]
			m.firedFree = m.firedFree[:n-1]
		}
	}
	return t
}

// httpRequestSeen notes a request on the connection of the to_server
// packet f, whose new in-order data starts with a method: responses are
// paired with requests in order, as libhtp pairs them, so a response to
// HEAD has no body and one without a status line (HTTP/0.9) is body.
func (m *Matcher) httpRequestSeen(f *packet.Facts) {
	n := httpMethodLen(f.StreamData)
	if n == 0 {
		return
	}
	t := m.response(httpKey{src: f.Dst, dst: f.Src, sp: f.DstPort, dp: f.SrcPort}, f.Time)
	if t.requests < 64 {
		if string(f.StreamData[:n]) == "HEAD" {
			t.heads |= 1 << t.requests
		}
		t.requests++
	}
}

// takeRequest pairs the response starting on t with the oldest request
// not answered yet.
func (t *httpResponse) takeRequest() {
	t.started = true
	if t.requests == 0 {
		return
	}
	t.paired, t.isHead = true, t.heads&1 != 0
	t.heads >>= 1
	t.requests--
}

// responseStart reports whether p may start a response: after any blank
// lines, "HTTP" in any case (libhtp takes other lines as body, which is
// not followed here), or a prefix of it.
func responseStart(p []byte) bool {
	for len(p) > 0 && (p[0] == '\r' || p[0] == '\n' || p[0] == ' ' || p[0] == '\t' || p[0] == 0) {
		p = p[1:]
	}
	if len(p) == 0 {
		return false
	}
	n := min(len(p), 4)
	return asciiEqualFold(p[:n], "http"[:n])
}

// httpResponseData follows the server's side of a TCP connection: f is a
// to_client packet whose new in-order data is f.StreamData.
func (m *Matcher) httpResponseData(set *ruleSet, f *packet.Facts, emit packet.Emit) {
	k := httpKey{src: f.Src, dst: f.Dst, sp: f.SrcPort, dp: f.DstPort}
	data := f.StreamData
	if _, ok := m.resp.Peek(k); !ok && !responseStart(data) && statusLineAt(data) < 0 {
		return // no request seen, and not a response
	}
	t := m.response(k, f.Time)
	for len(data) > 0 && t.phase != respIgnore {
		if t.phase == respHead && len(t.head) == 0 {
			if !t.started {
				t.takeRequest()
			}
			// junk and blank lines before a status line are skipped
			at := statusLineAt(data)
			if at < 0 && !responseStart(data) {
				if t.paired {
					// no status line: libhtp takes the response as an
					// HTTP/0.9 one, all body up to the close
					t.spans, t.phase = httpSpans{}, respClose
					continue
				}
				t.phase = respIgnore
				break
			}
			if at < 0 {
				break // the status line goes on in the next segment
			}
			data = data[at:]
		}
		n := m.feedResponse(set, t, data, f, emit)
		if n <= 0 || n > len(data) {
			t.phase = respIgnore // cannot happen; never loop or panic on input
			break
		}
		data = data[n:]
	}
	if f.TCPFlags&(packet.TCPFin|packet.TCPRst) != 0 {
		if t.phase == respHead && len(t.head) > 0 {
			// headers cut by the close: libhtp still hands them over
			// (suricata-verify http-close-headers)
			parseHTTPResponse(t.head, &t.spans, m.respLayers)
			m.inspectResponse(set, f, t, false, emit)
		}
		if t.phase != respHead && t.phase != respIgnore && t.phase != respTrailer && !t.bodyDone {
			m.inspectResponse(set, f, t, true, emit) // the close ends the body
		}
		m.recycleResponse(k, t)
		m.resp.Delete(k)
	}
}

// feedResponse takes what it can of data into t's current phase and
// returns how many bytes it took (at least one).
func (m *Matcher) feedResponse(set *ruleSet, t *httpResponse, data []byte, f *packet.Facts, emit packet.Emit) int {
	switch t.phase {
	case respHead:
		old := len(t.head)
		t.head = append(t.head, data[:min(len(data), m.httpBytes-old)]...)
		end := responseHeadEnd(t.head)
		if end < 0 && len(t.head) < m.httpBytes {
			return len(data)
		}
		if end < 0 {
			end = len(t.head) // the cap: inspect what came
		}
		t.head = t.head[:end]
		m.responseHeaders(set, t, f, emit)
		return end - old
	case respLength:
		n := int(min(t.left, int64(len(data))))
		m.appendBody(set, t, data[:n], f, emit)
		if t.left -= int64(n); t.left == 0 {
			m.endBody(set, t, f, emit)
		}
		return n
	case respChunkSize:
		e := bytes.IndexByte(data, '\n')
		line := data
		if e >= 0 {
			line = data[:e]
		}
		held := t.sizeN
		t.sizeN += copy(t.sizeLine[t.sizeN:], line)
		if e < 0 {
			if _, ok := chunkSize(t.sizeLine[:t.sizeN]); ok || t.sizeN < 8 || blank(t.sizeLine[:t.sizeN]) {
				return len(data)
			}
			// 8 bytes and no chunk size: libhtp's probe decides this is
			// not chunked after all, without waiting for a line end
			t.phase = respClose
			m.appendBody(set, t, t.sizeLine[:held], f, emit)
			m.appendBody(set, t, data, f, emit)
			return len(data)
		}
		size, ok := chunkSize(t.sizeLine[:t.sizeN])
		t.sizeN = 0
		switch {
		case !ok && blank(t.sizeLine[:held]) && blank(line):
			// an empty line (one left over from the last chunk): libhtp
			// reads on
		case !ok:
			// not a chunk size: libhtp gives up on the chunking, and the
			// body is the rest up to the close, this line first
			t.phase = respClose
			m.appendBody(set, t, t.sizeLine[:held], f, emit)
			m.appendBody(set, t, data[:e+1], f, emit)
		case size == 0:
			// the body is complete; the trailer is read past, even a
			// corrupt one
			m.endBody(set, t, f, emit)
			t.phase = respTrailer
		default:
			t.phase, t.left = respChunkData, size
		}
		return e + 1
	case respChunkData:
		n := int(min(t.left, int64(len(data))))
		m.appendBody(set, t, data[:n], f, emit)
		if t.left -= int64(n); t.left == 0 {
			t.phase = respChunkEnd
		}
		return n
	case respChunkEnd:
		// libhtp reads up to the next LF, whatever comes before it
		e := bytes.IndexByte(data, '\n')
		if e < 0 {
			return len(data)
		}
		t.phase = respChunkSize
		return e + 1
	case respTrailer:
		e := bytes.IndexByte(data, '\n')
		if e < 0 {
			t.lineN += len(data)
			return len(data)
		}
		n := t.lineN + e
		if e > 0 && data[e-1] == '\r' {
			n--
		}
		t.lineN = 0
		if n <= 0 {
			t.reset() // the blank line ends the trailer and the response
		}
		return e + 1
	case respClose:
		m.appendBody(set, t, data, f, emit)
		return len(data)
	}
	return len(data)
}

// blank reports whether a line holds only the whitespace and control
// bytes libhtp skips before a chunk size.
func blank(line []byte) bool {
	for _, c := range line {
		if !chunkSpace(c) {
			return false
		}
	}
	return true
}

// chunkSpace reports the bytes libhtp skips before a chunk size: CR, LF,
// space, tab, vertical tab and form feed.
func chunkSpace(c byte) bool {
	return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == 0x0b || c == 0x0c
}

// chunkSize parses a chunk-size line as libhtp does: leading whitespace,
// then hex digits; whatever follows them (an extension, junk) is ignored.
func chunkSize(line []byte) (int64, bool) {
	i := 0
	for i < len(line) && chunkSpace(line[i]) {
		i++
	}
	var n int64
	digits := 0
	for ; i < len(line); i++ {
		c := line[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return n, digits > 0
		}
		if digits++; digits > 15 {
			return 0, false // beyond any body we would keep
		}
		n = n<<4 | int64(v)
	}
	return n, digits > 0
}

// responseHeaders runs on a response whose header block is complete:
// framing and encoding from the headers, the header stage of the rules,
// then the body's phase.
func (m *Matcher) responseHeaders(set *ruleSet, t *httpResponse, f *packet.Facts, emit packet.Emit) {
	fr := parseHTTPResponse(t.head, &t.spans, m.respLayers)
	if fr.status >= 100 && fr.status <= 199 && !fr.framed {
		// an interim response: libhtp goes on to the final one
		t.reset()
		return
	}
	m.inspectResponse(set, f, t, false, emit)
	t.layers = fr.layers
	if m.respLayers == 0 {
		t.layers = 0
	}
	switch {
	case t.isHead:
		t.reset() // the answer to a HEAD has no body, whatever it says
	case (fr.status >= 100 && fr.status <= 199 || fr.status == 204 || fr.status == 304) && !fr.framed:
		// no body; Suricata still inspects a body these announce
		// (suricata-verify http-evader 447-450)
		t.reset()
	case fr.chunked:
		t.phase = respChunkSize
	case fr.length == 0:
		t.reset()
	case fr.length > 0:
		t.phase, t.left = respLength, fr.length
	default:
		// no length, or one without digits: up to the close
		t.phase = respClose
	}
}

// appendBody adds body data, up to the cap; at the cap the body stage
// runs on what came.
func (m *Matcher) appendBody(set *ruleSet, t *httpResponse, p []byte, f *packet.Facts, emit packet.Emit) {
	if t.bodyDone {
		return
	}
	if t.body == nil {
		t.body = m.respBodyBuffer()
	}
	t.body = append(t.body, p[:min(len(p), m.respBodyBytes-len(t.body))]...)
	if len(t.body) >= m.respBodyBytes {
		m.inspectResponse(set, f, t, true, emit)
		t.bodyDone = true
	}
}

// endBody runs the body stage on a complete body and readies the next
// response.
func (m *Matcher) endBody(set *ruleSet, t *httpResponse, f *packet.Facts, emit packet.Emit) {
	if !t.bodyDone {
		m.inspectResponse(set, f, t, true, emit)
	}
	t.reset()
}

// respBodyBuffer returns an empty body buffer, reusing a finished
// response's.
func (m *Matcher) respBodyBuffer() []byte {
	if n := len(m.respFree); n > 0 {
		b := m.respFree[n-1]
		m.respFree = m.respFree[:n-1]
		return b[:0]
	}
	return make([]byte, 0, min(m.respBodyBytes, 4096))
}

// recycleResponse keeps a finished, evicted or expired response's body
// and head buffers for the next ones; at most as many as the table holds.
func (m *Matcher) recycleResponse(_ httpKey, t *httpResponse) {
	if t.body != nil && len(m.respFree) < m.resp.Cap() {
		m.respFree = append(m.respFree, t.body[:0])
	}
	if t.head != nil && len(m.headFree) < m.resp.Cap() {
		m.headFree = append(m.headFree, t.head[:0])
	}
	if t.fired != nil && len(m.firedFree) < m.resp.Cap() {
		m.firedFree = append(m.firedFree, t.fired[:0])
	}
	t.body, t.head, t.fired = nil, nil, nil
}
