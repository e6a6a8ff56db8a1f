package rulematch

import (
	"slices"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// kwCase is one rule, written as in a rules file, against one request
// from client to server.
type kwCase struct {
	name string
	rule string
	req  string
	want bool
}

// runKwCases checks each case with and without the prefilter, and on a
// request whose headers span two segments (the pending-request path).
func runKwCases(t *testing.T, cases []kwCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := parseRules(t, c.rule)[0]
			// home client to external server, or external client to
			// home server for rules written that way round
			addrs := []pktOpt{toAddr("203.0.113.5", 80)}
			if strings.Contains(c.rule, "$EXTERNAL_NET any ->") {
				addrs = []pktOpt{fromAddr("198.51.100.7", 40000), toAddr("10.0.0.2", 80)}
			}
			for _, noPF := range []bool{false, true} {
				m := newMatcher(t, r)
				m.noPrefilter = noPF
				f := tcpPacket(c.req, addrs...)
				got := false
				m.Observe(&f, func(e packet.Event) { got = got || e.SID == r.SID })
				if got != c.want {
					t.Errorf("noPrefilter=%v: matched %v, want %v", noPF, got, c.want)
				}
			}
			// split after the request line: the rule runs on the whole
			// request once its headers end
			if k := strings.Index(c.req, "\n"); k > 0 && strings.Contains(c.req[k:], "\r\n\r\n") {
				m := newMatcher(t, r)
				got := false
				for i, seg := range []string{c.req[:k+1], c.req[k+1:]} {
					f := tcpPacket(seg, addrs...)
					f.Time += int64(i) * 1e6
					f.StreamData = f.Payload
					m.Observe(&f, func(e packet.Event) { got = got || e.SID == r.SID })
				}
				if got != c.want {
					t.Errorf("split request: matched %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestURILen(t *testing.T) {
	const (
		// ET Open sid 2014025 and 2013093, as written
		scalaxy    = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET CURRENT_EVENTS Probable Scalaxy exploit kit Java or PDF exploit request"; flow:established,to_server; content:"/"; http_uri; offset:2; depth:3; urilen:35; pcre:"/\/[a-z]\/[0-9a-f]{32}$/U"; metadata: former_category EXPLOIT_KIT; classtype:bad-unknown; sid:2014025; rev:1;)`
		clickfraud = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET CURRENT_EVENTS Clickfraud Framework Request"; flow:to_server,established; content:"/go.php?uid="; http_uri; fast_pattern; content:"&data="; http_uri; urilen:>400; classtype:bad-unknown; sid:2013093; rev:3;)`
		between    = `alert http any any -> any any (msg:"range, raw"; flow:to_server; content:"/a"; http_uri; urilen:3<>6,raw; sid:1;)`
		only       = `alert http any any -> any any (msg:"urilen alone"; flow:to_server; urilen:1; sid:2;)`
	)
	hex32 := strings.Repeat("0123456789abcdef", 2)
	long := "/go.php?uid=1&data=" + strings.Repeat("x", 400)
	runKwCases(t, []kwCase{
		{"scalaxy: 35 bytes", scalaxy, "GET /x/" + hex32 + " HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"scalaxy: 36 bytes", scalaxy, "GET /x/" + hex32 + "0 HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"clickfraud: over 400", clickfraud, "GET " + long + " HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"clickfraud: 400 or less", clickfraud, "GET " + long[:400] + " HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"range: 4 is strictly between", between, "GET /abc HTTP/1.1\r\n\r\n", true},
		{"range: 6 is not", between, "GET /abcde HTTP/1.1\r\n\r\n", false},
		{"range: 3 is not", between, "GET /ab HTTP/1.1\r\n\r\n", false},
		{"no content: the root", only, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"no content: longer", only, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"no content: not a request", only, "/ HTTP/1.1\r\n\r\n", false},
	})
}

// ET Open 2020 rules, as written but for metadata and references.
const (
	etEvilMacro = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET CURRENT_EVENTS Likely Evil Macro EXE DL mar 15 2016"; flow:established,to_server; content:"/image/"; http_uri; depth:7; content:".exe"; http_uri; distance:0; isdataat:!1,relative; fast_pattern; pcre:"/^\/image\/(?:data|flags)\/[^\x2f]+\.exe$/Ui"; http_header_names; content:!"Referer"; classtype:trojan-activity; sid:2022622; rev:3;)`
	etLegion    = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET MALWARE Legion Loader Activity Observed"; flow:established,to_server; content:"User-Agent|3a 20|pussy"; http_header; fast_pattern; http_header_names; content:"|0d 0a|Accept|0d 0a|User-Agent|0d 0a|Host|0d 0a 0d 0a|"; depth:30; http_accept; content:"text/*"; depth:6; isdataat:!1,relative; classtype:trojan-activity; sid:2029238; rev:1;)`
	etModProxy  = `alert http $EXTERNAL_NET any -> $HTTP_SERVERS any (msg:"ET SCAN Apache mod_proxy Reverse Proxy Exposure 1"; flow:established,to_server; http_request_line; content:"GET @"; depth:5; classtype:attempted-recon; sid:2013791; rev:3;)`
	etDotted    = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET INFO Executable Download from dotted-quad Host"; flow:established,to_server; content:".exe"; http_uri; isdataat:!1,relative; nocase; content:"."; http_host; offset:1; depth:3; content:"."; http_host; within:4; content:"."; http_host; within:4; pcre:"/^(?:\d{1,3}\.){3}\d{1,3}$/W"; http_request_line; content:".exe HTTP/1."; fast_pattern; classtype:trojan-activity; sid:2016141; rev:5;)`
	etDoubleEnc = `alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"ET WEB_SERVER Double Encoded Characters in URI (../)"; flow:to_server,established; content:"%252E%252E%252F"; nocase; http_raw_uri; classtype:misc-attack; sid:2019880; rev:4;)`
	etJBoss     = `alert http $EXTERNAL_NET any -> $HTTP_SERVERS any (msg:"ET WEB_SPECIFIC_APPS Possible JBoss/JMX InvokerServlet RCE Using Marshalled Object"; flow:established,to_server; content:"POST"; http_method; content:"/invoker/JMXInvokerServlet/"; http_uri; nocase; fast_pattern; http_content_type; content:"invocation.MarshalledInvocation"; nocase; classtype:web-application-attack; sid:2017573; rev:5;)`
	etMalvert   = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET CURRENT_EVENTS Possible Malvertising EK Redirect to EK M2"; flow:established,to_server; content:"GET"; http_method; content:".asp?id="; http_uri; isdataat:!5,relative; http_referer; content:".php?JBOSSESSION="; fast_pattern; http_accept_enc; content:"gzip, deflate"; depth:13; isdataat:!1,relative; classtype:trojan-activity; sid:2025913; rev:1;)`
	etEvilEye   = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET MOBILE_MALWARE Evil Eye Android Malware Beacon"; flow:established,to_server; content:"POST"; http_method; content:"Mozilla/5.0 (Windows NT 10.0|3b 20|Win64|3b 20|x64|3b 20|rv:65.0) Gecko/20100101 Firefox/65.0"; depth:78; http_user_agent; content:"{|22|device_id|22 3a 22|"; depth:14; http_client_body; fast_pattern; http_accept_lang; content:"zh-CN"; depth:5; isdataat:!1,relative; classtype:trojan-activity; sid:2027940; rev:1;)`
	etHmap      = `alert http $EXTERNAL_NET any -> $HTTP_SERVERS any (msg:"ET SCAN Hmap Webserver Fingerprint Scan"; flow:to_server,established; urilen:1; content:"GET"; http_method; content:"4.75 [en] (Windows NT 5.0"; http_user_agent; http_protocol; content:"HTTP/1.0"; classtype:attempted-recon; sid:2008537; rev:8;)`
	etTerseMSIE = `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET INFO Suspicious Purported MSIE 7 with terse HTTP Headers GET to PHP"; flow:established,to_server; content:".php"; http_uri; nocase; content:"Mozilla/4.0 (compatible|3b 20|MSIE 7.0|3b 20|Windows NT 5.1)"; http_user_agent; depth:50; isdataat:!1,relative; fast_pattern; http_protocol; content:"HTTP/1.1"; http_header_names; content:"|0d 0a|User-Agent|0d 0a|Host|0d 0a|"; depth:20; content:"Cache-Control|0d 0a 0d 0a|"; distance:0; classtype:trojan-activity; sid:2012384; rev:4;)`
	etHOIC      = `alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"ET DOS High Orbit Ion Cannon (HOIC) Attack Inbound Generic Detection Double Spaced UA"; flow:established,to_server; content:"User-Agent|3a 20 20|"; http_raw_header; fast_pattern; threshold: type both, track by_src, count 1, seconds 60; classtype:attempted-dos; sid:2014153; rev:7;)`
	connClose   = `alert http any any -> any any (msg:"Connection: close"; flow:to_server; http.connection; content:"close"; depth:5; isdataat:!1,relative; sid:3;)`
	rawURIPCRE  = `alert http any any -> any any (msg:"pcre I"; flow:to_server; pcre:"/%2e%2e/Ii"; sid:4;)`
)

func TestHTTPRequestBuffers(t *testing.T) {
	ff := "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0"
	runKwCases(t, []kwCase{
		{"header names: no Referer", etEvilMacro, "GET /image/data/a.exe HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"header names: a Referer", etEvilMacro, "GET /image/data/a.exe HTTP/1.1\r\nHost: x\r\nReferer: http://y/\r\n\r\n", false},
		{"header names and accept: in order", etLegion, "GET / HTTP/1.1\r\nAccept: text/*\r\nUser-Agent: pussy\r\nHost: a\r\n\r\n", true},
		{"header names: another order", etLegion, "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/*\r\nUser-Agent: pussy\r\n\r\n", false},
		{"header names: one more header", etLegion, "GET / HTTP/1.1\r\nAccept: text/*\r\nUser-Agent: pussy\r\nHost: a\r\nX: 1\r\n\r\n", false},
		{"accept: more after", etLegion, "GET / HTTP/1.1\r\nAccept: text/*, a/b\r\nUser-Agent: pussy\r\nHost: a\r\n\r\n", false},
		{"request line: GET @", etModProxy, "GET @evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"request line: @ later", etModProxy, "GET /@x HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"request line: the version", etDotted, "GET /a.exe HTTP/1.1\r\nHost: 10.1.2.3\r\n\r\n", true},
		{"request line: a name host", etDotted, "GET /a.exe HTTP/1.1\r\nHost: a.b.c.d\r\n\r\n", false},
		{"raw uri: double encoded", etDoubleEnc, "GET /a/%252e%252e%252fetc HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"raw uri: plain", etDoubleEnc, "GET /a/../etc HTTP/1.1\r\nHost: a\r\n\r\n", false},
		{"raw uri: pcre I", rawURIPCRE, "GET /a/%2E%2E/etc HTTP/1.1\r\n\r\n", true},
		{"content type: marshalled", etJBoss, "POST /invoker/JMXInvokerServlet/ HTTP/1.1\r\nContent-Type: application/x-java-serialized-object; class=org.jboss.invocation.MarshalledInvocation\r\n\r\n", true},
		{"content type: elsewhere", etJBoss, "POST /invoker/JMXInvokerServlet/ HTTP/1.1\r\nContent-Type: text/plain\r\nX: invocation.MarshalledInvocation\r\n\r\n", false},
		{"referer and accept-encoding", etMalvert, "GET /r.asp?id=1234 HTTP/1.1\r\nReferer: http://a/b.php?JBOSSESSION=1\r\nAccept-Encoding: gzip, deflate\r\n\r\n", true},
		{"accept-encoding: br too", etMalvert, "GET /r.asp?id=1234 HTTP/1.1\r\nReferer: http://a/b.php?JBOSSESSION=1\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n", false},
		{"referer absent", etMalvert, "GET /r.asp?id=1234 HTTP/1.1\r\nX-Referer: http://a/b.php?JBOSSESSION=1\r\nAccept-Encoding: gzip, deflate\r\n\r\n", false},
		{"accept-language", etEvilEye, "POST /api HTTP/1.1\r\nUser-Agent: " + ff + "\r\nAccept-Language: zh-CN\r\n\r\n{\"device_id\":\"1\"}", true},
		{"accept-language: another", etEvilEye, "POST /api HTTP/1.1\r\nUser-Agent: " + ff + "\r\nAccept-Language: zh-TW\r\n\r\n{\"device_id\":\"1\"}", false},
		{"protocol: HTTP/1.0", etHmap, "GET / HTTP/1.0\r\nUser-Agent: Mozilla/4.75 [en] (Windows NT 5.0; U)\r\n\r\n", true},
		{"protocol: HTTP/1.1", etHmap, "GET / HTTP/1.1\r\nUser-Agent: Mozilla/4.75 [en] (Windows NT 5.0; U)\r\n\r\n", false},
		{"protocol: none", etHmap, "GET /\r\nUser-Agent: Mozilla/4.75 [en] (Windows NT 5.0; U)\r\n\r\n", false},
		{"protocol and header names", etTerseMSIE, "GET /a.php HTTP/1.1\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)\r\nHost: a\r\nCache-Control: no-cache\r\n\r\n", true},
		{"protocol and header names: one more", etTerseMSIE, "GET /a.php HTTP/1.1\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)\r\nHost: a\r\nAccept: */*\r\nCache-Control: no-cache\r\n\r\n", true},
		{"protocol and header names: Host first", etTerseMSIE, "GET /a.php HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)\r\nCache-Control: no-cache\r\n\r\n", false},
		{"raw header: double space", etHOIC, "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent:  x\r\n\r\n", true},
		{"raw header: single space", etHOIC, "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n", false},
		{"connection: close", connClose, "GET / HTTP/1.0\r\nConnection: close\r\n\r\n", true},
		{"connection: keep-alive", connClose, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false},
		{"connection: none", connClose, "GET / HTTP/1.0\r\nX: close\r\n\r\n", false},
	})
}

func TestAppendHeaderNames(t *testing.T) {
	tests := []struct{ hdr, want string }{
		{"Host: a\r\nUser-Agent: b\r\n", "\r\nHost\r\nUser-Agent\r\n\r\n"},
		{"Host : a\r\nnot a header\r\n: empty name\r\nX:1\n", "\r\nHost\r\nX\r\n\r\n"},
		{"", "\r\n\r\n"},
	}
	for _, tt := range tests {
		if got := string(appendHeaderNames(nil, []byte(tt.hdr))); got != tt.want {
			t.Errorf("appendHeaderNames(%q) = %q, want %q", tt.hdr, got, tt.want)
		}
	}
}

// TestHeaderNamesNoAllocs: building http.header_names reuses scratch, so
// matching allocates nothing once warm.
func TestHeaderNamesNoAllocs(t *testing.T) {
	rs := parseRules(t, etEvilMacro, etLegion, etMalvert, connClose)
	m := newMatcher(t, rs...)
	f := tcpPacket("GET /image/data/a.exe HTTP/1.1\r\nAccept: text/*\r\nUser-Agent: pussy\r\nHost: a\r\nConnection: close\r\n\r\n", toAddr("203.0.113.5", 80))
	fired := 0
	emit := func(packet.Event) { fired++ }
	m.Observe(&f, emit)
	if n := testing.AllocsPerRun(200, func() { m.Observe(&f, emit) }); n != 0 || fired == 0 {
		t.Errorf("%v allocs per request, %d alerts; want 0 allocs and alerts", n, fired)
	}
}

// TestURIAfterRequestLine: the URI buffers exist once the request line
// ends, so a target split over segments is inspected whole, as Suricata
// does (suricata-verify detect-http-uri DetectEngineHttpRawUriTest12, 16,
// 22: "GET /../a" then "/b/../c/./d.html HTTP/1.0"). The rules have no
// prefilter pattern, so the split request is followed on any port.
func TestURIAfterRequestLine(t *testing.T) {
	segs := []string{"GET /../a", "/b/../c/./d.html HTTP/1.0\r\nHost: x\r\n\r\n"}
	tests := []struct {
		rule string
		want []int // segments alerting
	}{
		{`alert http any any -> any any (msg:"Test12"; content:"./a"; http_raw_uri; content:!"/b/.."; http_raw_uri; within:5; sid:1;)`, nil},
		{`alert http any any -> any any (msg:"Test16"; content:"./a"; http_raw_uri; content:!"/c/"; http_raw_uri; distance:4; sid:1;)`, nil},
		{`alert http any any -> any any (msg:"Test22"; pcre:/\.\/a/I; content:!"/c/"; within:5; http_raw_uri; sid:1;)`, []int{1}},
		{`alert http any any -> any any (msg:"urilen"; urilen:21; sid:1;)`, []int{1}},
	}
	for _, tt := range tests {
		m := newMatcher(t, parseRules(t, tt.rule)...)
		var got []int
		for i, seg := range segs {
			f := tcpPacket(seg, fromAddr("10.0.0.1", 80), toAddr("10.0.0.2", 4660))
			f.Time += int64(i) * 1e6
			f.StreamData = f.Payload
			m.Observe(&f, func(packet.Event) { got = append(got, i) })
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: alerts on segments %v, want %v", tt.rule, got, tt.want)
		}
	}
}

// FuzzParseHTTPRequest: any payload gives spans inside it, lo <= hi, and
// a header names buffer that starts and ends with a line end.
func FuzzParseHTTPRequest(f *testing.F) {
	f.Add([]byte("GET /a HTTP/1.1\r\nHost: a:80\r\nAccept: */*\r\n\r\nbody"))
	f.Add([]byte("POST /x"))
	f.Add([]byte("GET \n:\n \r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		var h httpSpans
		parseHTTPRequest(p, &h)
		for id, sp := range h.spans {
			if sp.lo < 0 || sp.lo > sp.hi || int(sp.hi) > len(p) {
				t.Fatalf("buffer %d: span %v out of %d bytes", id, sp, len(p))
			}
		}
		hdr := h.spans[rules.BufferHTTPHeader]
		names := appendHeaderNames(nil, p[hdr.lo:hdr.hi])
		if len(names) < 4 || string(names[:2]) != "\r\n" || string(names[len(names)-2:]) != "\r\n" {
			t.Fatalf("header names %q", names)
		}
	})
}
