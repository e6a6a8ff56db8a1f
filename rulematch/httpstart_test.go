package rulematch

import "testing"

// TestHTTPStart runs http_start / http.start rules on requests: the
// buffer is the request line and headers through the blank line.
func TestHTTPStart(t *testing.T) {
	// sid:2026674 "ET INFO Minimal HTTP GET Request to Bit.ly": the
	// content ends with the blank line and isdataat:!1,relative, so the
	// buffer must end right after it
	const bitly = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET INFO Minimal HTTP GET Request to Bit.ly"; flow:established,to_server; content:"GET"; http_method; http_start; content:"HTTP/1.1|0d 0a|Host|3a 20|bit.ly|0d 0a|Connection|3a 20|Keep-Alive|0d 0a 0d 0a|"; isdataat:!1,relative; fast_pattern; metadata: former_category INFO; classtype:bad-unknown; sid:2026674; rev:1;)`
	const minimal = "GET /abc HTTP/1.1\r\nHost: bit.ly\r\nConnection: Keep-Alive\r\n\r\n"
	runKwCases(t, []kwCase{
		{"bit.ly minimal", bitly, minimal, true},
		// the body is not part of http.start
		{"bit.ly with body", bitly, "GET /abc HTTP/1.1\r\nHost: bit.ly\r\nConnection: Keep-Alive\r\n\r\nbody", true},
		{"bit.ly more headers", bitly, "GET /abc HTTP/1.1\r\nHost: bit.ly\r\nConnection: Keep-Alive\r\nAccept: */*\r\n\r\n", false},
		{"headers unfinished", bitly, "GET /abc HTTP/1.1\r\nHost: bit.ly\r\nConnection: Keep-Alive\r\n", false},
		{"starts with the request line", `alert http any any -> any any (msg:"s"; http.start; content:"GET /abc"; startswith; sid:3;)`, minimal, true},
		{"sticky, not a modifier", `alert http any any -> any any (msg:"s"; content:"bit.ly"; http_host; http_start; content:"Host|3a 20|bit.ly"; sid:4;)`, minimal, true},
		{"bsize", `alert http any any -> any any (msg:"s"; http.start; bsize:59; sid:5;)`, minimal, true},
	})
}
