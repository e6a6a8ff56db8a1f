package rulematch

import "testing"

// TestBSize runs bsize: rules (text from suricata-verify's bsize tests and
// ET-style http rules) on HTTP requests.
func TestBSize(t *testing.T) {
	const req = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/7.1\r\n\r\n"
	ua := func(bs string) string {
		return `alert http any any -> any any (msg:"ua size"; http.user_agent; content:"curl"; bsize:` + bs + `; sid:1;)`
	}
	runKwCases(t, []kwCase{
		{"exact", ua("8"), req, true},
		{"exact miss", ua("9"), req, false},
		{"less", ua("<25"), req, true},
		{"less miss", ua("<8"), req, false},
		{"greater", ua(">7"), req, true},
		{"greater miss", ua(">8"), req, false},
		{"range", ua("7<>9"), req, true},
		{"range is exclusive", ua("8<>20"), req, false},
		// bsize alone in a buffer: the buffer must be there
		{"bsize alone", `alert http any any -> any any (msg:"uri"; http.uri; bsize:11; sid:2;)`, req, true},
		{"bsize alone miss", `alert http any any -> any any (msg:"uri"; http.uri; bsize:10; sid:2;)`, req, false},
		{"no such header", `alert http any any -> any any (msg:"ck"; http.cookie; bsize:<100; sid:3;)`, req, false},
		// content modifier style: bsize applies to the content's buffer
		{"after http_uri", `alert http any any -> any any (msg:"m"; content:"/index"; http_uri; bsize:11; sid:4;)`, req, true},
		{"two buffers", `alert http any any -> any any (msg:"m"; http.uri; bsize:11; http.host; bsize:>20; sid:5;)`, req, false},
	})
}
