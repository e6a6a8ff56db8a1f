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
	status    int   // the status code, -1 when not a number
	chunked   bool  // a Transfer-Encoding names chunked
	length    int64 // Content-Length, -1 when absent or invalid
	badLength bool  // a Content-Length without digits
	layers    int   // Content-Encoding layers (gzip, deflate) named
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

// parseHTTPResponse finds the buffers of the response head p (status line
// through the blank line, or as much as was kept): the status line without
// its line end (http.response_line), its protocol, status code and reason
// phrase, the header lines (http.header and http.header.raw alike), the
// headers in responseHeaderBuffers, and http.start (all of p).
func parseHTTPResponse(p []byte, h *httpSpans) respFraming {
	*h = httpSpans{}
	fr := respFraming{status: -1, length: -1}
	e := bytes.IndexByte(p, '\n')
	if e < 0 {
		e = len(p)
	}
	lineEnd := e
	if lineEnd > 0 && p[lineEnd-1] == '\r' {
		lineEnd--
	}
	h.spans[rules.BufferHTTPResponseLine] = span{0, int32(lineEnd)}
	h.spans[rules.BufferHTTPStart] = span{0, int32(len(p))}
	// protocol, code and phrase are separated by spaces or tabs
	i := 0
	next := func() span {
		for i < lineEnd && (p[i] == ' ' || p[i] == '\t') {
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

	hdrStart := min(e+1, len(p))
	pos := hdrStart
	var cl, ce span // the first Content-Length, the last Content-Encoding
	for pos < len(p) {
		e := bytes.IndexByte(p[pos:], '\n')
		if e < 0 {
			e = len(p) - pos // a header block cut at the cap
		}
		lineEnd := pos + e
		line := p[pos:lineEnd]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			break
		}
		if c := bytes.IndexByte(line, ':'); c > 0 {
			name := bytes.TrimRight(line[:c], " \t")
			vlo, vhi := pos+c+1, pos+len(line)
			// folded lines (starting with a space or tab) continue it
			for vhi+1 < len(p) && lineEnd+1 < len(p) && (p[lineEnd+1] == ' ' || p[lineEnd+1] == '\t') {
				ne := bytes.IndexByte(p[lineEnd+1:], '\n')
				if ne < 0 {
					break
				}
				lineEnd += 1 + ne
				vhi = lineEnd
				if p[vhi-1] == '\r' {
					vhi--
				}
			}
			for vlo < vhi && (p[vlo] == ' ' || p[vlo] == '\t') {
				vlo++
			}
			for vhi > vlo && (p[vhi-1] == ' ' || p[vhi-1] == '\t') {
				vhi--
			}
			v := span{int32(vlo), int32(vhi)}
			switch {
			case asciiEqualFold(name, "transfer-encoding"):
				if containsFoldNoSpace(p[vlo:vhi], "chunked") {
					fr.chunked = true
				}
			case asciiEqualFold(name, "content-length"):
				if cl == (span{}) {
					cl = v
				}
			case asciiEqualFold(name, "content-encoding"):
				ce = v
			}
			for _, hb := range responseHeaderBuffers {
				if asciiEqualFold(name, hb.name) {
					if h.spans[hb.id] == (span{}) {
						h.spans[hb.id] = v
					}
					break
				}
			}
		}
		pos = lineEnd + 1
	}
	h.spans[rules.BufferHTTPHeader] = span{int32(hdrStart), int32(min(pos, len(p)))}
	h.spans[rules.BufferHTTPRawHeader] = h.spans[rules.BufferHTTPHeader]
	if cl != (span{}) {
		fr.length = contentLength(p[cl.lo:cl.hi])
		fr.badLength = fr.length < 0
	}
	if ce != (span{}) {
		fr.layers = encodingLayers(p[ce.lo:ce.hi])
	}
	return fr
}

// statusNumber is the status code's value, -1 unless it is digits.
func statusNumber(b []byte) int {
	if len(b) == 0 || len(b) > 4 {
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

// contentLength parses a Content-Length as libhtp does: junk before the
// digits is skipped, junk after them ignored; -1 without digits.
func contentLength(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] < '0' || b[i] > '9') {
		i++
	}
	if i == len(b) {
		return -1
	}
	var n int64
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		if n > 1<<40 {
			return -1
		}
		n = n*10 + int64(b[i]-'0')
	}
	return n
}

// encodingLayers counts the compression layers a Content-Encoding names,
// as libhtp: tokens split at spaces and commas, each naming gzip or
// deflate (anywhere in the token, any case) a layer; "identity" and the
// like none.
func encodingLayers(v []byte) int {
	n := 0
	for len(v) > 0 {
		k := bytes.IndexAny(v, " ,\t")
		tok := v
		if k >= 0 {
			tok, v = v[:k], v[k+1:]
		} else {
			v = nil
		}
		if containsFoldNoSpace(tok, "gzip") || containsFoldNoSpace(tok, "deflate") {
			n++
		}
	}
	return n
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
