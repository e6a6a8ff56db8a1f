package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestRelativeRetry: when the items after a content fail, the content is
// retried at its next occurrence whenever the next item is relative to it
// (distance, within, a relative pcre, byte check or isdataat), as
// Suricata's recursive content inspection does; only a next item that
// does not depend on the content's position gives up at once.
func TestRelativeRetry(t *testing.T) {
	tests := []struct {
		name string
		rule string
		pays map[string]bool
	}{
		// suricata-verify detect-http-uri/UriTestSig27: the first
		// "fix_this" has more than 10 bytes after it, the second does not
		{"UriTestSig27 isdataat:!10,relative on a later occurrence",
			`uricontent:"fix_this"; isdataat:!10,relative; sid:1;`, map[string]bool{
				"GET /fix_this/with/a/long/tail/fix_this HTTP/1.0\r\n\r\n": true,
				"GET /fix_this/with/a/long/tail/fix_that HTTP/1.0\r\n\r\n": false,
			}},
		// a negated relative content with distance only: a later "1.0"
		// leaves a shorter window that may not hold "User"
		{"negated distance after a repeated content",
			`content:"1.0"; content:!"User"; distance:0; sid:1;`, map[string]bool{
				"HTTP/1.0\r\nUser-Agent: x\r\nv=1.0\r\n":      true,
				"HTTP/1.0\r\nUser-Agent: x\r\nv=1.0 User\r\n": false,
				"HTTP/1.0\r\nUser-Agent: x\r\n":               false,
			}},
		{"relative pcre after a repeated content",
			`content:"A"; pcre:"/^B/R"; sid:1;`, map[string]bool{
				"AxAB": true, "AxAx": false,
			}},
		{"relative byte_test after a repeated content",
			`content:"LEN"; byte_test:1,>,100,0,relative; sid:1;`, map[string]bool{
				"LEN\x05 LEN\xc8": true, "LEN\x05 LEN\x06": false,
			}},
		{"positive distance content after a later occurrence",
			`content:"k="; content:"v"; distance:0; content:"!"; within:1; sid:1;`, map[string]bool{
				"k=v. k=v!": true, "k=v. k=v.": false,
			}},
		// not relative: another "A" cannot change the answer
		{"absolute next item",
			`content:"A"; content:"Z"; sid:1;`, map[string]bool{
				"AxAZ": true, "AxAx": false,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(parseRules(t, `alert tcp any any -> any any (`+tt.rule+`)`), DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range tt.pays {
				f := tcpPacket(p)
				fired := false
				m.Observe(&f, func(packet.Event) { fired = true })
				if fired != want {
					t.Errorf("%q: fired %v, want %v", p, fired, want)
				}
			}
		})
	}
}
