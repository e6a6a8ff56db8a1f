package rulematch

// The status line and headers of an HTTP response: the buffers as spans
// of the header block, and what frames and encodes the body, read as
// libhtp reads them (htp_response.c).

import (
	"bytes"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// respFraming is what the headers say about the body.
type respFraming struct {
	status  int   // the status code, -1 when not a number
	chunked bool  // a Transfer-Encoding names chunked
	length  int64 // Content-Length, -1 when absent or not a number
	layers  int   // Content-Encoding layers (gzip, deflate) named
	framed  bool  // a Transfer-Encoding or Content-Length was given
}

// responseHeaderBuffers are the response headers whose first value is a
// buffer of its own (http.cookie is Set-Cookie on responses).
var responseHeaderBuffers = [...]struct {
	name string
	id   rules.Buffer
}{
	{"set-cookie", rules.BufferHTTPCookie},
	{"content-type", rules.BufferHTTPContentType},
	{"content-length", rules.BufferHTTPContentLen},
	{"connection", rules.BufferHTTPConnection},
	{"server", rules.BufferHTTPServer},
	{"location", rules.BufferHTTPLocation},
}

// headerLine finds the line of a response head that starts at pos: its
// content is p[pos:end] (without its line end) and the next line starts at
// next. Like libhtp, a CR that is followed by neither LF nor a space or tab
// ends a line too (lf is false then). ok is false when the line has no end
// in p yet.
func headerLine(p []byte, pos int) (end, next int, lf, ok bool) {
	for i := pos; i < len(p); i++ {
		switch p[i] {
		case '\n':
			e := i
			if e > pos && p[e-1] == '\r' {
				e--
			}
			return e, i + 1, true, true
		case '\r':
			if i+1 == len(p) {
				return 0, 0, false, false // the next byte decides
			}
			if c := p[i+1]; c != '\n' && c != ' ' && c != '\t' {
				return i, i + 1, false, true
			}
		}
	}
	return 0, 0, false, false
}

// endsHead reports whether the line p[pos:next] (content up to end) is
// the blank line that ends a header block, as libhtp's
// htp_connp_is_line_terminator decides: an empty line ("\n" or "\r\n"),
// or one space or tab and a bare LF when no LF follows right away (a
// longer whitespace line continues the header before it).
func endsHead(p []byte, pos, end, next int, lf bool) bool {
	if !lf {
		return false
	}
	if end == pos {
		return true
	}
	return next-pos == 2 && (p[pos] == ' ' || p[pos] == '\t') && p[pos+1] == '\n' &&
		(next == len(p) || p[next] != '\n')
}

// responseHeadEnd returns the end of the header block of the response
// head b (after its blank line), or -1 when it has not ended yet.
func responseHeadEnd(b []byte) int {
	pos := 0
	for first := true; ; first = false {
		end, next, lf, ok := headerLine(b, pos)
		if !ok {
			return -1
		}
		if !first && endsHead(b, pos, end, next, lf) {
			return next
		}
		pos = next
	}
}

// statusLineAt returns where the first line of p that starts (after
// spaces, tabs and NULs) with "HTTP" begins, skipping blank lines and
// junk lines before it as libhtp does; -1 when no whole line of p does,
// and the last line may still become one.
func statusLineAt(p []byte) int {
	pos := 0
	for pos < len(p) {
		i := pos
		for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == 0) {
			i++
		}
		if n := min(len(p)-i, 4); n > 0 && asciiEqualFold(p[i:i+n], "http"[:n]) {
			return pos
		}
		_, next, _, ok := headerLine(p, pos)
		if !ok {
			return -1
		}
		pos = next
	}
	return -1
}

// parseHTTPResponse finds the buffers of the response head p (status line
// through the blank line, or as much as was kept): the status line without
// its line end (http.response_line), its protocol, status code and reason
// phrase, the header lines (http.header and http.header.raw alike), the
// headers in responseHeaderBuffers, and http.start (all of p). Header lines
// are read as libhtp reads them: a line starting with a space or tab
// continues the one before (even before its colon), a name is compared
// without the whitespace, control bytes and NULs in it, repeated
// Content-Encoding headers are one list. layerLimit caps the encoding
// layers as libhtp's response-body-decompress-layer-limit.
func parseHTTPResponse(p []byte, h *httpSpans, layerLimit int) respFraming {
	*h = httpSpans{}
	fr := respFraming{status: -1, length: -1}
	lineEnd, hdrStart, _, ok := headerLine(p, 0)
	if !ok {
		lineEnd, hdrStart = len(p), len(p)
	}
	h.spans[rules.BufferHTTPResponseLine] = span{0, int32(lineEnd)}
	h.spans[rules.BufferHTTPStart] = span{0, int32(len(p))}
	// protocol, code and phrase are separated by spaces or tabs
	i := 0
	next := func() span {
		for i < lineEnd && (p[i] == ' ' || p[i] == '\t' || p[i] == 0) {
			i++
		}
		lo := i
		for i < lineEnd && p[i] != ' ' && p[i] != '\t' {
			i++
		}
		return span{int32(lo), int32(i)}
	}
	h.spans[rules.BufferHTTPProtocol] = next()
	code := next()
	h.spans[rules.BufferHTTPStatCode] = code
	fr.status = statusNumber(p[code.lo:code.hi])
	for i < lineEnd && (p[i] == ' ' || p[i] == '\t') {
		i++
	}
	hi := lineEnd
	for hi > i && (p[hi-1] == ' ' || p[hi-1] == '\t') {
		hi--
	}
	h.spans[rules.BufferHTTPStatMsg] = span{int32(i), int32(hi)}

	pos := hdrStart
	var cl span // the first Content-Length
	hasTE, layers, tokens := false, 0, 0
	for pos < len(p) {
		end, next, lf, ok := headerLine(p, pos)
		if !ok {
			end, next, lf = len(p), len(p), false // a head cut at the cap
		}
		if endsHead(p, pos, end, next, lf) {
			break
		}
		// folded lines continue this one
		for next < len(p) && (p[next] == ' ' || p[next] == '\t') {
			e2, n2, lf2, ok2 := headerLine(p, next)
			if !ok2 || endsHead(p, next, e2, n2, lf2) {
				break
			}
			end, next = e2, n2
		}
		if c := bytes.IndexByte(p[pos:end], ':'); c > 0 {
			name := p[pos : pos+c]
			vlo, vhi := pos+c+1, end
			for vlo < vhi && (p[vlo] == ' ' || p[vlo] == '\t') {
				vlo++
			}
			for vhi > vlo && (p[vhi-1] == ' ' || p[vhi-1] == '\t') {
				vhi--
			}
			v := span{int32(vlo), int32(vhi)}
			switch {
			case headerNameIs(name, "transfer-encoding"):
				hasTE = true
				fr.chunked = fr.chunked || containsFoldNoSpace(p[vlo:vhi], "chunked")
			case headerNameIs(name, "content-length"):
				if cl == (span{}) {
					cl = v
				}
			case headerNameIs(name, "content-encoding"):
				layers, tokens = encodingLayers(p[vlo:vhi], layers, tokens, layerLimit)
			}
			for _, hb := range responseHeaderBuffers {
				if headerNameIs(name, hb.name) {
					if h.spans[hb.id] == (span{}) {
						h.spans[hb.id] = v
					}
					break
				}
			}
		}
		pos = next
	}
	h.spans[rules.BufferHTTPHeader] = span{int32(min(hdrStart, len(p))), int32(min(pos, len(p)))}
	h.spans[rules.BufferHTTPRawHeader] = h.spans[rules.BufferHTTPHeader]
	if cl != (span{}) {
		fr.length = contentLength(p[cl.lo:cl.hi])
	}
	fr.layers = layers
	fr.framed = hasTE || cl != (span{})
	return fr
}

// headerNameIs compares a header name with the lowercase name, ignoring
// case and the whitespace, control bytes and NULs in it (evasions put a
// NUL or a vertical tab into a name that libhtp still matches).
func headerNameIs(b []byte, name string) bool {
	j := 0
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if j == len(name) || c != name[j] {
			return false
		}
		j++
	}
	return j == len(name)
}

// statusNumber is the status code's value, -1 unless it is three digits.
func statusNumber(b []byte) int {
	if len(b) != 3 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// contentLength parses a Content-Length: digits, with whitespace (and
// the line ends of a folded value) around them; -1 for anything else,
// which libhtp in Suricata 7 takes as no length, the body then running to
// the close (suricata-verify http-evader 248, 250: "34\r\n 68", "34( 68)").
func contentLength(b []byte) int64 {
	ws := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	i := 0
	for i < len(b) && ws(b[i]) {
		i++
	}
	start := i
	var n int64
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		if n > 1<<40 {
			return -1
		}
		n = n*10 + int64(b[i]-'0')
	}
	if i == start {
		return -1
	}
	for ; i < len(b); i++ {
		if !ws(b[i]) {
			return -1
		}
	}
	return n
}

// encodingLayers adds the compression layers one Content-Encoding value
// names to layers, as libhtp reads the list (repeated headers joined into
// one): tokens split at whitespace and commas, each counted towards limit (0:
// none) and naming gzip or deflate (anywhere in the token, any case) a
// layer; tokens is how many came before.
func encodingLayers(v []byte, layers, tokens, limit int) (int, int) {
	for len(v) > 0 {
		k := bytes.IndexAny(v, " ,\t\r\n") // folded lines keep their line ends
		tok := v
		if k >= 0 {
			tok, v = v[:k], v[k+1:]
		} else {
			v = nil
		}
		if len(tok) == 0 {
			continue
		}
		if tokens++; limit > 0 && tokens > limit {
			break // libhtp: too many layers, the rest is not undone
		}
		if containsFoldNoSpace(tok, "gzip") || containsFoldNoSpace(tok, "deflate") {
			layers++
		}
	}
	return layers, tokens
}

// containsFoldNoSpace reports whether b holds the lowercase ASCII word
// s, ignoring case and whitespace inside b (libhtp's nocasenorm).
func containsFoldNoSpace(b []byte, s string) bool {
	var buf [64]byte
	n := 0
	for _, c := range b {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			break
		}
		buf[n] = c
		n++
	}
	return bytes.Contains(buf[:n], []byte(s))
}
