package rules

import (
	"strings"
	"testing"
)

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

// The handshake buffers and their legacy names are sticky buffers; the
// legacy match keywords (tls.subject and the like) become one content in
// their buffer.
func TestParseHandshakeBuffers(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []Buffer // nil: refused
	}{
		{`alert tls any any -> any any (tls_cert_subject; content:"CN=a"; tls_cert_issuer; content:"O=b"; sid:1;)`, []Buffer{BufferTLSCertSubject, BufferTLSCertIssuer}},
		{`alert tls any any -> any any (tls.cert_serial; content:"0A"; tls.cert_fingerprint; content:"aa:"; sid:2;)`, []Buffer{BufferTLSCertSerial, BufferTLSCertFingerprint}},
		{`alert tls any any -> any any (ja3.hash; content:"x"; ja3_hash; content:"y"; ja3.string; content:"771"; ja3s.hash; content:"z"; ja3s.string; content:"w"; sid:3;)`,
			[]Buffer{BufferJA3Hash, BufferJA3Hash, BufferJA3String, BufferJA3SHash, BufferJA3SString}},
		{`alert tls any any -> any any (tls.random; content:"x"; tls.random_time; content:"y"; tls.random_bytes; content:"z"; sid:4;)`, []Buffer{BufferTLSRandom, BufferTLSRandomTime, BufferTLSRandomBytes}},
		{`alert ssh any any -> any any (ssh_proto; content:"2.0"; ssh.software; content:"OpenSSH"; ssh.hassh.server.string; content:"a"; sid:5;)`, []Buffer{BufferSSHProto, BufferSSHSoftware, BufferSSHHasshServerString}},
		{`alert tcp any any -> any 22 (ssh.hassh; content:"a"; ssh.hassh.string; content:"b"; ssh.hassh.server; content:"c"; sid:6;)`, []Buffer{BufferSSHHassh, BufferSSHHasshString, BufferSSHHasshServer}},
		{`alert tls any any -> any any (tls.subject:"CN=a"; tls.issuerdn:!"O=b"; tls.fingerprint:"AA:bb"; tls.store; sid:7;)`, []Buffer{BufferTLSCertSubject, BufferTLSCertIssuer, BufferTLSCertFingerprint}},
		{`alert quic any any -> any any (ja3.string; content:"771"; sid:8;)`, []Buffer{BufferJA3String}},
		{`alert ssh any any -> any any (ssh.protoversion:2.0; ssh.softwareversion:"OpenSSH"; sid:14;)`, []Buffer{BufferSSHProto, BufferSSHSoftware}},
		{`alert ssh any any -> any any (ssh.protoversion:2_compat; sid:15;)`, nil},
		{`alert quic any any -> any any (tls.cert_subject; content:"a"; sid:9;)`, nil},
		{`alert http any any -> any any (ssh.proto; content:"2"; sid:10;)`, nil},
		{`alert udp any any -> any any (tls.cert_issuer; content:"a"; sid:11;)`, nil},
		{`alert tls any any -> any any (tls.subject:""; sid:12;)`, nil},
		{`alert ssh any any -> any any (ssh.software; http.uri; content:"a"; sid:13;)`, nil},
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
	r, _, err := Parse("t.rules", 1, `alert tls any any -> any any (tls.issuerdn:!"O=b"; tls.fingerprint:"AA:bb"; sid:1;)`, DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Matches[0].Content; !c.Negated || string(c.Pattern) != "O=b" || c.NoCase {
		t.Errorf("tls.issuerdn: %+v", c)
	}
	if c := r.Matches[1].Content; c.Negated || string(c.Pattern) != "AA:bb" || !c.NoCase {
		t.Errorf("tls.fingerprint: %+v", c)
	}
	for b := BufferTLSCertSubject; b <= BufferSSHHasshServerString; b++ {
		if strings.HasPrefix(b.String(), "Buffer(") || b.HTTP() || !b.TLSHandshake() && !b.SSH() {
			t.Errorf("buffer %d: name %q, http %v", b, b, b.HTTP())
		}
	}
}
