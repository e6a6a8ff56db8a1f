package rules

import "testing"

// dns.query and its legacy name dns_query are both sticky buffers: ET Open
// writes "dns_query; content:...", so the content after the keyword (not
// the one before it) looks in the query name.
func TestParseDNSQuery(t *testing.T) {
	tests := []struct {
		text string
		want []Buffer
	}{
		{`alert dns any any -> any any (dns.query; content:"evil.example"; nocase; sid:1;)`, []Buffer{BufferDNSQuery}},
		{`alert dns $HOME_NET any -> any any (dns_query; content:"crypto-loot.com"; isdataat:!1,relative; sid:2;)`, []Buffer{BufferDNSQuery, BufferDNSQuery}},
		{`alert dns any any -> any any (content:"x"; dns_query; content:"a.b"; pcre:"/^a/R"; pkt_data; content:"y"; sid:3;)`,
			[]Buffer{BufferPayload, BufferDNSQuery, BufferDNSQuery, BufferPayload}},
	}
	for _, tt := range tests {
		r, sk, err := Parse("t.rules", 1, tt.text, DefaultVars())
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
	if s := BufferDNSQuery.String(); s != "dns.query" {
		t.Errorf("BufferDNSQuery.String() = %q", s)
	}
}

func TestParseDNSQueryProtocol(t *testing.T) {
	for _, tt := range []struct {
		text string
		ok   bool
	}{
		{`alert udp any any -> any 53 (dns.query; content:"a"; sid:1;)`, true},
		{`alert tcp any any -> any 53 (dns_query; content:"a"; sid:1;)`, true},
		{`alert ip any any -> any any (dns.query; content:"a"; sid:1;)`, true},
		{`alert http any any -> any any (dns.query; content:"a"; sid:1;)`, false},
		{`alert tls any any -> any any (dns.query; content:"a"; sid:1;)`, false},
		{`alert dns any any -> any any (http.uri; content:"a"; sid:1;)`, false},
	} {
		_, sk, err := Parse("t.rules", 1, tt.text, DefaultVars())
		if got := err == nil && sk == nil; got != tt.ok {
			t.Errorf("%s: accepted %v, want %v (err %v, skipped %+v)", tt.text, got, tt.ok, err, sk)
		}
	}
}
