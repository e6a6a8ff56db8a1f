package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

func be16(n int) []byte { return []byte{byte(n >> 8), byte(n)} }

// tlsExt is one extension: type, length, data.
func tlsExt(typ int, data []byte) []byte { return cat(be16(typ), be16(len(data)), data) }

// sniExt is a server_name extension naming host (type 0).
func sniExt(host string) []byte {
	entry := cat([]byte{0}, be16(len(host)), []byte(host))
	return tlsExt(0, cat(be16(len(entry)), entry))
}

// clientHelloBody is a ClientHello message body (no handshake header):
// client version ver, a 32-byte random, a 32-byte session id, two cipher
// suites, null compression, then exts (no extensions block when nil).
func clientHelloBody(ver byte, exts ...[]byte) []byte {
	random := make([]byte, 32)
	sid := make([]byte, 32)
	for i := range sid {
		random[i], sid[i] = byte(i), 0xaa
	}
	b := cat([]byte{3, ver}, random, []byte{32}, sid, be16(4), []byte{0x13, 0x01, 0xc0, 0x2f}, []byte{1, 0})
	if exts != nil {
		e := cat(exts...)
		b = cat(b, be16(len(e)), e)
	}
	return b
}

// tlsRecord wraps body as a ClientHello handshake in one record of
// record version 3.rv.
func tlsRecord(rv byte, body []byte) []byte {
	hs := cat([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body)
	return cat([]byte{22, 3, rv}, be16(len(hs)), hs)
}

// clientHello is a TLS 1.2 ClientHello record naming host, between
// other extensions.
func clientHello(host string) []byte {
	return tlsRecord(1, clientHelloBody(3, tlsExt(0xff01, []byte{0}), sniExt(host), tlsExt(10, cat(be16(2), be16(29)))))
}

func TestParseClientHello(t *testing.T) {
	good := clientHello("www.Example.com")
	// TLS 1.3: legacy version 3.3 in the hello, supported_versions names
	// 3.4, key_share follows the name
	tls13 := tlsRecord(1, clientHelloBody(3, sniExt("tls13.example"), tlsExt(43, []byte{2, 3, 4}), tlsExt(51, cat(be16(4), be16(29), be16(0)))))
	twoNames := tlsExt(0, cat(be16(2*(3+5)), []byte{0}, be16(5), []byte("first"), []byte{0}, be16(5), []byte("other")))
	otherType := tlsExt(0, cat(be16(3+5), []byte{1}, be16(5), []byte("first")))
	tests := []struct {
		name    string
		p       []byte
		isHello bool
		want    string
	}{
		{"sni among extensions", good, true, "www.Example.com"},
		{"sni only", tlsRecord(1, clientHelloBody(3, sniExt("a.b"))), true, "a.b"},
		{"tls 1.3", tls13, true, "tls13.example"},
		{"ssl 3.0 record", tlsRecord(0, clientHelloBody(0, sniExt("old.example"))), true, "old.example"},
		{"no sni", tlsRecord(1, clientHelloBody(3, tlsExt(10, cat(be16(2), be16(29))))), true, ""},
		{"no extensions", tlsRecord(1, clientHelloBody(3)), true, ""},
		{"empty extensions", tlsRecord(1, clientHelloBody(3, []byte{})), true, ""},
		{"empty name", tlsRecord(1, clientHelloBody(3, sniExt(""))), true, ""},
		{"first entry only", tlsRecord(1, clientHelloBody(3, twoNames)), true, "first"},
		{"other name type", tlsRecord(1, clientHelloBody(3, otherType)), true, ""},
		{"first sni extension only", tlsRecord(1, clientHelloBody(3, sniExt("one"), sniExt("two"))), true, "one"},
		{"record truncated", good[:len(good)-1], false, ""},
		{"record header only", good[:5], false, ""},
		{"two records", cat(good, clientHello("second")), true, "www.Example.com"},
		{"not handshake", cat([]byte{23}, good[1:]), false, ""},
		{"record version 2", cat([]byte{22, 2}, good[2:]), false, ""},
		{"record version 3.5", cat([]byte{22, 3, 5}, good[3:]), false, ""},
		{"server hello", cat(good[:5], []byte{2}, good[6:]), false, ""},
		{"hello longer than record", cat(good[:6], []byte{0, 0xff, 0xff}, good[9:]), false, ""},
		{"hello shorter than extensions", tlsRecord(1, clientHelloBody(3, sniExt("a.b"))[:80]), false, ""},
		{"odd cipher suites length", tlsRecord(1, cat(clientHelloBody(3)[:67], be16(3), []byte{1, 2, 3, 1, 0})), false, ""},
		{"session id over 32", tlsRecord(1, cat(clientHelloBody(3)[:34], []byte{33}, make([]byte, 33), be16(2), []byte{1, 2, 1, 0})), false, ""},
		{"no compression method", tlsRecord(1, cat(clientHelloBody(3)[:71], []byte{0})), false, ""},
		{"extension past the block", tlsRecord(1, cat(clientHelloBody(3)[:73], be16(4), be16(0), be16(9))), false, ""},
		{"stray byte after extensions", tlsRecord(1, cat(clientHelloBody(3)[:73], be16(5), tlsExt(10, nil), []byte{0})), false, ""},
		{"name past its list", tlsRecord(1, clientHelloBody(3, tlsExt(0, cat(be16(8), []byte{0}, be16(9), []byte("abcde"))))), true, ""},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), false, ""},
		{"empty", nil, false, ""},
	}
	for _, tt := range tests {
		sp, ok := parseClientHello(tt.p)
		got := string(tt.p[sp.lo:sp.hi])
		if ok != tt.isHello || got != tt.want {
			t.Errorf("%s: hello %v name %q, want %v %q", tt.name, ok, got, tt.isHello, tt.want)
		}
	}
}

func tlsPacket(p []byte, opts ...pktOpt) packet.Facts {
	return tcpPacket(string(p), append([]pktOpt{fromAddr("10.0.0.1", 50000), toAddr("192.0.2.1", 443)}, opts...)...)
}

func TestTLSSNIRules(t *testing.T) {
	et := dnsRule(t, `alert tls $HOME_NET any -> $EXTERNAL_NET any (msg:"coinhive"; flow:established,to_server; tls_sni; content:"coin-hive.com"; isdataat:!1,relative; sid:2025535;)`)
	root := dnsRule(t, `alert tls any any -> any any (msg:"root"; tls_sni; content:"Root"; depth:4; isdataat:!1,relative; nocase; sid:2029191;)`)
	modern := dnsRule(t, `alert tls any any -> any any (tls.sni; content:"evil"; pcre:"/\.example$/R"; sid:3;)`)
	payload := dnsRule(t, `alert tcp any any -> any any (content:"coin-hive"; sid:4;)`)
	cases := []matchCase{
		{"name", et, tlsPacket(clientHello("coin-hive.com"), withConn(packet.ConnEstablished)), true},
		{"subdomain", et, tlsPacket(clientHello("www.coin-hive.com"), withConn(packet.ConnEstablished)), true},
		{"not at the end", et, tlsPacket(clientHello("coin-hive.com.evil"), withConn(packet.ConnEstablished)), false},
		{"any port", et, tlsPacket(clientHello("coin-hive.com"), withConn(packet.ConnEstablished), toAddr("192.0.2.1", 8443)), true},
		{"name elsewhere in the payload", et, tlsPacket([]byte("GET / HTTP/1.1\r\nHost: coin-hive.com\r\n\r\n"), withConn(packet.ConnEstablished)), false},
		{"nocase depth", root, tlsPacket(clientHello("rOOt")), true},
		{"depth", root, tlsPacket(clientHello("xroot")), false},
		{"isdataat", root, tlsPacket(clientHello("rootx")), false},
		{"not tcp", root, udpPacket(string(clientHello("root")), toAddr("192.0.2.1", 443)), false},
		{"pcre relative", modern, tlsPacket(clientHello("evil.example")), true},
		{"pcre relative fails", modern, tlsPacket(clientHello("evil.example.org")), false},
		{"case kept", modern, tlsPacket(clientHello("EVIL.example")), false},
		{"payload rule sees the hello", payload, tlsPacket(clientHello("coin-hive.com")), true},
	}
	runCases(t, cases)
}

func TestTLSSNISkipped(t *testing.T) {
	if _, ok := Unsupported(dnsRule(t, `alert tls any any -> any any (tls.sni; content:"a"; flow:to_client; sid:1;)`)); !ok {
		t.Error("tls.sni with flow:to_client is not skipped")
	}
	if sk, ok := Unsupported(dnsRule(t, `alert tls any any -> any any (tls_sni; content:"a"; flow:to_server; sid:2;)`)); ok {
		t.Errorf("tls_sni rule skipped: %+v", sk)
	}
	// TLS is detected from the handshake (handshake.go); RDP is not
	if sk, ok := Unsupported(dnsRule(t, `alert tls any any -> any any (msg:"any tls"; sid:3;)`)); ok {
		t.Errorf("alert tls with no buffer is skipped: %+v", sk)
	}
	if _, ok := Unsupported(dnsRule(t, `alert rdp any any -> any any (msg:"any rdp"; sid:4;)`)); !ok {
		t.Error("alert rdp with no buffer is not skipped: RDP is not detected")
	}
}

func TestTLSSNINoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	m := newMatcher(t,
		dnsRule(t, `alert tls any any -> any any (tls.sni; content:"coin-hive.com"; sid:1;)`),
		dnsRule(t, `alert tls any any -> any any (tls_sni; content:"."; pcre:"/^w+\./"; sid:2;)`))
	pkts := []packet.Facts{
		tlsPacket(clientHello("www.coin-hive.com")),
		tlsPacket(clientHello("example.org")),
		tlsPacket([]byte("coin-hive.com")),
	}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if fired != 2 {
		t.Fatalf("%d alerts, want 2", fired)
	}
	if n := testing.AllocsPerRun(200, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// Malformed hellos never panic and any name found lies in the payload:
// every prefix of a hello, with each byte set to edge values.
func TestParseClientHelloMalformed(t *testing.T) {
	s := clientHello("www.example.com")
	for n := 0; n <= len(s); n++ {
		for i := 0; i < n; i++ {
			for _, v := range []byte{0, 1, 0x7f, 0xff} {
				b := append([]byte(nil), s[:n]...)
				b[i] = v
				sp, _ := parseClientHello(b)
				if sp.lo < 0 || sp.hi < sp.lo || int(sp.hi) > len(b) {
					t.Fatalf("prefix %d, byte %d = %#x: span %v out of %d bytes", n, i, v, sp, len(b))
				}
			}
		}
	}
}

func FuzzParseClientHello(f *testing.F) {
	f.Add(clientHello("www.example.com"))
	f.Add(tlsRecord(1, clientHelloBody(3)))
	f.Fuzz(func(t *testing.T, p []byte) {
		sp, ok := parseClientHello(p)
		if sp.lo < 0 || sp.hi < sp.lo || int(sp.hi) > len(p) || !ok && sp.hi != 0 {
			t.Fatalf("span %v (hello %v) of %d bytes", sp, ok, len(p))
		}
	})
}
