package rules

import "testing"

// tls.sni and its legacy name tls_sni are both sticky buffers: ET Open
// writes "tls_sni; content:...", so the content after the keyword looks
// in the server name.
func TestParseTLSSNI(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []Buffer // nil: refused
	}{
		{`alert tls any any -> any any (tls_sni; content:"coin-hive.com"; isdataat:!1,relative; sid:1;)`, []Buffer{BufferTLSSNI, BufferTLSSNI}},
		{`alert tls any any -> any any (content:"x"; tls.sni; content:"a"; pkt_data; content:"y"; sid:2;)`, []Buffer{BufferPayload, BufferTLSSNI, BufferPayload}},
		{`alert tcp any any -> any 443 (tls.sni; content:"a"; sid:3;)`, []Buffer{BufferTLSSNI}},
		{`alert ip any any -> any any (tls.sni; content:"a"; sid:4;)`, []Buffer{BufferTLSSNI}},
		{`alert udp any any -> any any (tls.sni; content:"a"; sid:5;)`, nil},
		{`alert http any any -> any any (tls.sni; content:"a"; sid:6;)`, nil},
		{`alert dns any any -> any any (tls.sni; content:"a"; sid:7;)`, nil},
		{`alert tls any any -> any any (http.uri; content:"a"; sid:8;)`, nil},
	} {
		r, sk, err := Parse("t.rules", 1, tt.text, DefaultVars())
		if tt.want == nil {
			if err == nil && sk == nil {
				t.Errorf("%s: accepted", tt.text)
			}
			continue
		}
		if err != nil || sk != nil {
			t.Fatalf("%s: err %v, skipped %+v", tt.text, err, sk)
		}
		if len(r.Matches) != len(tt.want) {
			t.Fatalf("%s: %d matches, want %d", tt.text, len(r.Matches), len(tt.want))
		}
		for i, b := range tt.want {
			if r.Matches[i].Buffer != b {
				t.Errorf("%s: match %d in %v, want %v", tt.text, i, r.Matches[i].Buffer, b)
			}
		}
	}
	if s := BufferTLSSNI.String(); s != "tls.sni" {
		t.Errorf("BufferTLSSNI.String() = %q", s)
	}
}
