package rulematch

import (
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// kwCase is one rule, written as in a rules file, against one request
// from a home client to an external server (ET rules name $HOME_NET and
// $EXTERNAL_NET).
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
			for _, noPF := range []bool{false, true} {
				m := newMatcher(t, r)
				m.noPrefilter = noPF
				f := tcpPacket(c.req, toAddr("203.0.113.5", 80))
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
					f := tcpPacket(seg, toAddr("203.0.113.5", 80))
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
