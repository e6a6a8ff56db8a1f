package rulematch

// Request bodies that come after their headers. A POST's headers often
// fill one segment and its body the next: Suricata inspects the body when
// it arrives, so a rule on http.request_body (http_client_body) sees it.
// A request that announces a Content-Length longer than what came with its
// headers is kept (within HTTPRequestBytes) until the body is whole, and
// its http rules run once more then; rules that fired already do not fire
// again. Chunked request bodies are not followed (rare in requests).

import "bytes"

// requestBodyEnd is where the body of the request in p ends, by its
// Content-Length, when p holds the whole header block; 0 when it does not,
// or the request has no length (or is chunked).
func requestBodyEnd(p []byte) int {
	pos := bytes.IndexByte(p, '\n') + 1 // past the request line
	if pos == 0 {
		return 0
	}
	length := int64(-1)
	for pos < len(p) {
		e := bytes.IndexByte(p[pos:], '\n')
		if e < 0 {
			return 0 // the headers have not ended
		}
		line := p[pos : pos+e]
		pos += e + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			if length <= 0 {
				return 0
			}
			return pos + int(min(length, 1<<30))
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		switch {
		case !ok:
		case headerNameIs(name, "transfer-encoding"):
			return 0
		case headerNameIs(name, "content-length"):
			length = contentLength(value)
		}
	}
	return 0
}
