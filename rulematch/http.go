package rulematch

// HTTP requests whose header block spans TCP segments. The http buffers are
// parsed out of one payload, which holds the whole request line and headers
// in most traffic; a request with long headers (cookies, tokens) or a
// client writing line by line spreads them over several segments, and a
// rule on the User-Agent or a late header would never see it. Like
// Suricata's app-layer HTTP parser, which inspects a transaction once its
// headers are complete, the matcher keeps such a request, fed by the
// in-order data stream reassembly hands over (Facts.StreamData: no
// retransmitted or reordered byte twice), and runs the http rules on it
// when "\r\n\r\n" ends the headers or HTTPRequestBytes is reached. A rule
// fires at most once per request: one that matched on a segment of the
// request already does not fire again on the whole.
//
// The http buffers themselves are spans of the payload found by
// parseHTTPRequest, below.

import (
	"bytes"
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// httpRequestIdle is how long a pending request may wait for its next
// segment; a client that stalls longer is not sending a request we can
// finish.
const httpRequestIdle = int64(30 * time.Second)

// httpKey is one direction of a connection.
type httpKey struct {
	src, dst netip.Addr
	sp, dp   uint16
}

// httpPending is a request whose headers have not ended yet.
type httpPending struct {
	buf []byte // the request so far, at most HTTPRequestBytes
	// fired are the http rules that matched a segment of this request on
	// its own, in any order, or the request once its headers ended; they
	// do not fire again.
	fired []int32
	// bodyEnd, once the headers have ended, is where the body the request
	// announced ends (httpreqbody.go): the request waits for it and is
	// inspected again then. 0 while the headers go on.
	bodyEnd int
}

// hasHeadersEnd reports whether b holds the blank line that ends a
// request's headers: a line end followed by an empty line, CRLF or bare
// LF, as Suricata's HTTP parser takes both (parseHTTPRequest does too).
func hasHeadersEnd(b []byte) bool {
	return bytes.Contains(b, lfLF) || bytes.Contains(b, lfCRLF)
}

var lfLF, lfCRLF = []byte("\n\n"), []byte("\n\r\n")

// httpRequest follows requests across segments: it starts keeping one
// whose first segment has no end of headers, and on the segment that ends
// them runs the http rules on the whole request. f.StreamData is the
// segment's new in-order bytes.
func (m *Matcher) httpRequest(set *ruleSet, f *packet.Facts, emit packet.Emit) {
	data := f.StreamData
	k := httpKey{src: f.Src, dst: f.Dst, sp: f.SrcPort, dp: f.DstPort}
	p, pending := m.http.Get(k, f.Time)
	if !pending {
		if httpMethodLen(data) == 0 {
			return // not the start of a request
		}
		if hasHeadersEnd(data) {
			// whole here: the packet pass saw it, unless it was joined
			// from segments that came out of order
			if len(f.StreamPieces) > 1 {
				m.httpJoined.buf = data
				m.inspectRequest(set, f, &m.httpJoined, emit)
				m.httpJoined.buf = nil
			}
			if end := requestBodyEnd(data); end > len(data) && len(data) < m.httpBytes {
				// its body follows: wait for it
				p, _ = m.http.Put(k, f.Time, m.onHTTPEnd)
				p.buf = append(m.httpBuffer(), data[:min(len(data), m.httpBytes)]...)
				p.fired = m.httpFired(p.fired[:0])
				p.bodyEnd = min(end, m.httpBytes)
			}
			return
		}
		p, _ = m.http.Put(k, f.Time, m.onHTTPEnd)
		p.buf = append(m.httpBuffer(), data[:min(len(data), m.httpBytes)]...)
		p.fired = m.httpFired(p.fired[:0])
		p.bodyEnd = 0
		return
	}
	old := len(p.buf)
	p.buf = append(p.buf, data[:min(len(data), m.httpBytes-old)]...)
	p.fired = m.httpFired(p.fired)
	if p.bodyEnd > 0 {
		// the headers were inspected: inspect again once the body is whole
		if len(p.buf) < p.bodyEnd && len(p.buf) < m.httpBytes {
			return
		}
	} else {
		// the end may straddle the old bytes and the new: look back two
		if !hasHeadersEnd(p.buf[max(0, old-2):]) && len(p.buf) < m.httpBytes {
			return
		}
		if end := requestBodyEnd(p.buf); end > len(p.buf) && len(p.buf) < m.httpBytes {
			p.bodyEnd = min(end, m.httpBytes)
		}
		m.inspectRequest(set, f, p, emit)
		if p.bodyEnd > 0 {
			return // the body follows
		}
		m.recycleHTTP(k, p)
		m.http.Delete(k)
		return
	}
	m.inspectRequest(set, f, p, emit)
	m.recycleHTTP(k, p)
	m.http.Delete(k)
}

// httpFired adds the http rules that matched this packet to fired.
func (m *Matcher) httpFired(fired []int32) []int32 {
	for _, ri := range m.sc.matched {
		if m.eng.rules[ri].http && !slices.Contains(fired, ri) {
			fired = append(fired, ri)
		}
	}
	return fired
}

// inspectRequest runs the http rules the prefilter lets through on the
// whole request, alerting on f, the packet that completed it.
func (m *Matcher) inspectRequest(set *ruleSet, f *packet.Facts, p *httpPending, emit packet.Emit) {
	s := &m.sc
	cands := s.scands[:0]
	if set.pf != nil && len(p.buf) >= set.pf.minLen {
		cands = set.pf.search(p.buf, &s.pf, cands)
	}
	cands = append(cands, set.always...)
	if l, ok := set.byDst[f.DstPort]; ok {
		cands = append(cands, l...)
	}
	if l, ok := set.bySrc[f.SrcPort]; ok {
		cands = append(cands, l...)
	}
	cands = sortUnique(cands, &s.candBits, len(m.eng.rules))
	s.scands = cands
	whole := *f
	whole.Payload = p.buf
	s.lowered, s.httpDone = false, false
	for _, ri := range cands {
		r := &m.eng.rules[ri]
		if !r.http || r.pass || slices.Contains(p.fired, ri) {
			continue
		}
		if _, done := slices.BinarySearch(s.matched, ri); done {
			continue
		}
		if !m.matchRule(r, &whole) {
			continue
		}
		if len(r.bitActions) > 0 {
			m.flowbitsAct(r, f)
		}
		if len(p.buf) < p.bodyEnd {
			p.fired = append(p.fired, ri) // not again when the body is whole
		}
		m.fire(r, f, emit, true) // a request's match acts on the flow
	}
	s.lowered, s.httpDone = false, false
}

// httpBuffer returns an empty buffer for a new pending request, reusing a
// finished one's.
func (m *Matcher) httpBuffer() []byte {
	if n := len(m.httpFree); n > 0 {
		b := m.httpFree[n-1]
		m.httpFree = m.httpFree[:n-1]
		return b[:0]
	}
	return make([]byte, 0, min(m.httpBytes, 4096))
}

// recycleHTTP keeps a finished, evicted or expired request's buffer for
// the next one; at most as many as the table holds.
func (m *Matcher) recycleHTTP(_ httpKey, p *httpPending) {
	if p.buf != nil && len(m.httpFree) < m.http.Cap() {
		m.httpFree = append(m.httpFree, p.buf[:0])
	}
	p.buf = nil
}

// httpSpans are the HTTP request buffers of one payload as offsets into it;
// an empty span is an absent buffer.
type httpSpans struct {
	spans [rules.NumBuffers]span
}

type span struct{ lo, hi int32 }

// httpMethodLen is the length of the request method p starts with, when it
// is one of the methods whose payloads get HTTP buffers and a space
// follows; else 0.
func httpMethodLen(p []byte) int {
	k := bytes.IndexByte(p[:min(len(p), 8)], ' ')
	if k <= 0 {
		return 0
	}
	switch string(p[:k]) {
	case "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE":
		return k
	}
	return 0
}

// parseHTTPRequest finds the buffers of an HTTP request in p: the method,
// the request target (http.uri and http.uri.raw alike), the request line
// without its line end and its protocol, the header block (http.header and
// http.header.raw alike) (each header line with its line
// end, up to the blank line or the last complete line), the Host,
// User-Agent, Cookie, Content-Type, Accept, Accept-Language,
// Accept-Encoding, Connection, Referer and Content-Length values (first of each; Host
// without its port), and the body after the blank line. Anything else
// leaves every span empty. http.header_names is not a span: headerNames
// builds it from the header block.
func parseHTTPRequest(p []byte, h *httpSpans) {
	*h = httpSpans{}
	n := httpMethodLen(p)
	if n == 0 {
		return
	}
	h.spans[rules.BufferHTTPMethod] = span{0, int32(n)}
	i := n + 1
	j := i
	for j < len(p) && p[j] != ' ' && p[j] != '\r' && p[j] != '\n' {
		j++
	}
	nl := bytes.IndexByte(p[j:], '\n')
	if nl < 0 {
		// the request line goes on in a later segment: the target may
		// too, so like Suricata (which has a URI once the line ends) the
		// URI buffers wait for the whole request (httpRequest)
		return
	}
	h.spans[rules.BufferHTTPURI] = span{int32(i), int32(j)}
	// our http.uri is the target as sent already (doc.go)
	h.spans[rules.BufferHTTPRawURI] = h.spans[rules.BufferHTTPURI]
	lineEnd := j + nl
	if lineEnd > 0 && p[lineEnd-1] == '\r' {
		lineEnd--
	}
	h.spans[rules.BufferHTTPRequestLine] = span{0, int32(lineEnd)}
	if j < lineEnd && p[j] == ' ' {
		lo, hi := j+1, lineEnd
		for lo < hi && p[lo] == ' ' {
			lo++
		}
		for hi > lo && p[hi-1] == ' ' {
			hi--
		}
		h.spans[rules.BufferHTTPProtocol] = span{int32(lo), int32(hi)}
	}
	hdrStart := j + nl + 1
	pos := hdrStart
	for pos < len(p) {
		e := bytes.IndexByte(p[pos:], '\n')
		if e < 0 {
			break // an unfinished line: not a header yet
		}
		lineEnd := pos + e
		line := p[pos:lineEnd]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			h.spans[rules.BufferHTTPBody] = span{int32(lineEnd + 1), int32(len(p))}
			// Suricata builds http.start once the headers are complete
			h.spans[rules.BufferHTTPStart] = span{0, int32(lineEnd + 1)}
			break
		}
		if c := bytes.IndexByte(line, ':'); c > 0 {
			name := line[:c]
			vlo, vhi := pos+c+1, pos+len(line)
			for vlo < vhi && (p[vlo] == ' ' || p[vlo] == '\t') {
				vlo++
			}
			for vhi > vlo && (p[vhi-1] == ' ' || p[vhi-1] == '\t') {
				vhi--
			}
			var id rules.Buffer
			for _, hb := range headerBuffers {
				if asciiEqualFold(name, hb.name) {
					id = hb.id
					break
				}
			}
			if id == rules.BufferHTTPHost {
				vhi = hostEnd(p, vlo, vhi)
			}
			if id != 0 && h.spans[id] == (span{}) {
				h.spans[id] = span{int32(vlo), int32(vhi)}
			}
		}
		pos = lineEnd + 1
	}
	h.spans[rules.BufferHTTPHeader] = span{int32(hdrStart), int32(pos)}
	// our http.header is the lines as sent already (doc.go)
	h.spans[rules.BufferHTTPRawHeader] = h.spans[rules.BufferHTTPHeader]
}

// headerBuffers are the request headers whose first value is a buffer of
// its own.
var headerBuffers = [...]struct {
	name string
	id   rules.Buffer
}{
	{"host", rules.BufferHTTPHost},
	{"user-agent", rules.BufferHTTPUserAgent},
	{"cookie", rules.BufferHTTPCookie},
	{"content-type", rules.BufferHTTPContentType},
	{"accept", rules.BufferHTTPAccept},
	{"accept-language", rules.BufferHTTPAcceptLang},
	{"accept-encoding", rules.BufferHTTPAcceptEnc},
	{"connection", rules.BufferHTTPConnection},
	{"referer", rules.BufferHTTPReferer},
	{"content-length", rules.BufferHTTPContentLen},
}

// hostEnd drops a ":port" from the Host value p[lo:hi].
func hostEnd(p []byte, lo, hi int) int {
	v := p[lo:hi]
	if len(v) > 0 && v[0] == '[' {
		if k := bytes.IndexByte(v, ']'); k >= 0 {
			return lo + k + 1
		}
		return hi
	}
	if k := bytes.LastIndexByte(v, ':'); k >= 0 {
		return lo + k
	}
	return hi
}

// asciiEqualFold compares b with the lowercase ASCII s, ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// appendHeaderNames appends Suricata's http.header_names buffer for the
// header block hdr to dst: "\r\n", each header's name and "\r\n" in
// order, then "\r\n" (so a rule can anchor a name between line ends, or
// the first and last names). Lines without a colon are not headers.
func appendHeaderNames(dst, hdr []byte) []byte {
	dst = append(dst, '\r', '\n')
	for len(hdr) > 0 {
		line := hdr
		if e := bytes.IndexByte(hdr, '\n'); e >= 0 {
			line, hdr = hdr[:e], hdr[e+1:]
		} else {
			hdr = nil
		}
		c := bytes.IndexByte(line, ':')
		if c <= 0 {
			continue
		}
		name := line[:c]
		for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
			name = name[:len(name)-1]
		}
		dst = append(dst, name...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}
