package rulematch

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// der encodes one DER element (short or long length).
func der(tag byte, content ...[]byte) []byte {
	c := cat(content...)
	switch n := len(c); {
	case n < 0x80:
		return cat([]byte{tag, byte(n)}, c)
	case n < 0x100:
		return cat([]byte{tag, 0x81, byte(n)}, c)
	default:
		return cat([]byte{tag, 0x82, byte(n >> 8), byte(n)}, c)
	}
}

// atv is one attribute of a name: OID (DER contents) and a value element.
func atv(oid []byte, value []byte) []byte { return der(derSequence, der(derOID, oid), value) }

var (
	oidCN    = []byte{0x55, 4, 3}
	oidC     = []byte{0x55, 4, 6}
	oidO     = []byte{0x55, 4, 10}
	oidEmail = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}
	oidEVJur = []byte{0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03} // 1.3.6.1.4.1.311.60.2.1.3
)

func printable(s string) []byte { return der(0x13, []byte(s)) }
func utf8Str(s string) []byte   { return der(0x0c, []byte(s)) }

func TestX509Name(t *testing.T) {
	rdn := func(atvs ...[]byte) []byte { return der(derSet, atvs...) }
	tests := []struct {
		name string
		dn   []byte // the Name's contents
		want string // "" with ok false
		ok   bool
	}{
		{"stamus", cat(rdn(atv(oidC, printable("FR"))), rdn(atv([]byte{0x55, 4, 8}, printable("IDF"))),
			rdn(atv([]byte{0x55, 4, 7}, printable("Paris"))), rdn(atv(oidO, printable("Stamus"))), rdn(atv(oidCN, printable("SELKS")))),
			"C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS", true},
		{"order as encoded", cat(rdn(atv(oidCN, utf8Str("a"))), rdn(atv(oidC, printable("US")))), "CN=a, C=US", true},
		{"multi-valued rdn", rdn(atv(oidCN, utf8Str("Test1")), atv(oidCN, utf8Str("Test2"))), "CN=Test1 + CN=Test2", true},
		{"email and unknown oid", cat(rdn(atv(oidEmail, der(0x16, []byte("a@b.c")))), rdn(atv(oidEVJur, printable("US")))),
			"Email=a@b.c, OID(1.3.6.1.4.1.311.60.2.1.3)=US", true},
		{"serialNumber", rdn(atv([]byte{0x55, 4, 5}, printable("123"))), "serialNumber=123", true},
		{"bmpstring", rdn(atv(oidCN, der(derBMPString, []byte{0, 'h', 0, 'i', 0x00, 0xe9}))), "CN=hié", true},
		{"not a string: hex", rdn(atv(oidCN, der(0x04, []byte{0xde, 0xad}))), "CN=DEAD", true},
		{"empty name", nil, "", true},
		{"nul byte", rdn(atv(oidCN, utf8Str("a\x00b"))), "", false},
		{"not utf-8", rdn(atv(oidCN, utf8Str("a\xffb"))), "", false},
		{"odd bmpstring", rdn(atv(oidCN, der(derBMPString, []byte{0, 'h', 0}))), "", false},
		{"truncated", rdn(atv(oidCN, utf8Str("abc")))[:5], "", false},
		{"not a set", der(derSequence, atv(oidCN, utf8Str("a"))), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := appendX509Name(nil, tc.dn)
			if ok != tc.ok || ok && string(got) != tc.want {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// testCert is a certificate made by crypto/x509, issued by "O=Issuer
// Org, CN=Issuer CA".
func testCert(t testing.TB, serial int64, subject pkix.Name) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: subject,
		NotBefore: time.Unix(1_600_000_000, 0), NotAfter: time.Unix(1_900_000_000, 0),
	}
	// the issuer is the parent's subject (signed with the same key: the
	// signature is never checked)
	parent := &x509.Certificate{Subject: pkix.Name{Organization: []string{"Issuer Org"}, CommonName: "Issuer CA"}}
	c, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handshakeMsg is a handshake message: type, 3-byte length, body.
func handshakeMsg(typ byte, body []byte) []byte {
	return cat([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body)
}

// certificateMsg is a TLS 1.2 Certificate message holding certs.
func certificateMsg(certs ...[]byte) []byte {
	var list []byte
	for _, c := range certs {
		list = cat(list, []byte{byte(len(c) >> 16), byte(len(c) >> 8), byte(len(c))}, c)
	}
	return handshakeMsg(tlsHandshakeCertificate, cat([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list))
}

// serverHelloBody is a TLS 1.2 ServerHello: cipher 0xc02f, exts.
func serverHelloBody(exts ...[]byte) []byte {
	e := cat(exts...)
	return cat([]byte{3, 3}, make([]byte, 32), []byte{0}, []byte{0xc0, 0x2f, 0}, be16(len(e)), e)
}

// records splits handshake bytes into records of at most n bytes.
func records(hs []byte, n int) []byte {
	var out []byte
	for len(hs) > 0 {
		k := min(n, len(hs))
		out = cat(out, []byte{22, 3, 3}, be16(k), hs[:k])
		hs = hs[k:]
	}
	return out
}

func sideOf(t *testing.T, stream []byte, segment int) *handshakeSide {
	t.Helper()
	m := newMatcher(t, dnsRule(t, `alert tls any any -> any any (tls.cert_subject; content:"x"; sid:1;)`))
	h := &handshakeSide{}
	for len(stream) > 0 && h.state != sideDone {
		k := min(segment, len(stream))
		m.readSide(h, stream[:k])
		stream = stream[k:]
	}
	return h
}

func value(h *handshakeSide, id rules.Buffer) string {
	v, _, ok := h.value(id)
	if !ok {
		return "<none>"
	}
	return string(v)
}

// The server's flight, split into records and segments every way,
// gives the leaf certificate's fields and the JA3S.
func TestHandshakeServerFlight(t *testing.T) {
	leaf := testCert(t, 0x01a2b3, pkix.Name{Country: []string{"US"}, Organization: []string{"Stamus"}, CommonName: "example.com"})
	other := testCert(t, 7, pkix.Name{CommonName: "intermediate"})
	sum := sha1.Sum(leaf)
	var fp []string
	for _, b := range sum {
		fp = append(fp, hex.EncodeToString([]byte{b}))
	}
	hs := cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody(tlsExt(0xff01, []byte{0}), tlsExt(11, []byte{1, 0}))),
		certificateMsg(leaf, other), handshakeMsg(14, nil))
	ja3s := "771,49199,65281-11"
	want := map[rules.Buffer]string{
		rules.BufferTLSCertSubject:     "C=US, O=Stamus, CN=example.com",
		rules.BufferTLSCertIssuer:      "O=Issuer Org, CN=Issuer CA",
		rules.BufferTLSCertSerial:      "01:A2:B3",
		rules.BufferTLSCertFingerprint: strings.Join(fp, ":"),
		rules.BufferJA3SString:         ja3s,
		rules.BufferJA3SHash:           hex.EncodeToString(md5Sum(ja3s)),
		rules.BufferJA3String:          "<none>",
	}
	for _, rec := range []int{16384, 100, 1} {
		for _, seg := range []int{1 << 20, 1000, 7, 1} {
			h := sideOf(t, cat(records(hs, rec), []byte{20, 3, 3, 0, 1, 1}), seg)
			for id, w := range want {
				if got := value(h, id); got != w {
					t.Errorf("records of %d, segments of %d: %s = %q, want %q", rec, seg, id, got, w)
				}
			}
			if h.state != sideDone || h.proto != protoTLS {
				t.Errorf("records of %d, segments of %d: state %d proto %d, want done, TLS", rec, seg, h.state, h.proto)
			}
		}
	}
}

func md5Sum(s string) []byte { s16 := md5.Sum([]byte(s)); return s16[:] }

func TestJA3(t *testing.T) {
	grease := tlsExt(0x0a0a, nil)
	groups := tlsExt(tlsExtSupportedGroups, cat(be16(6), be16(0x2a2a), be16(29), be16(23)))
	formats := tlsExt(tlsExtECPointFormats, []byte{2, 0, 1})
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"grease dropped", clientHelloBody(3, grease, sniExt("a.example"), groups, formats), "771,4865-49199,0-10-11,29-23,0-1"},
		{"no extensions", clientHelloBody(1), "769,4865-49199,,,"},
		{"no groups", clientHelloBody(3, sniExt("a")), "771,4865-49199,0,,"},
		{"bad extension length", clientHelloBody(3, []byte{0, 1, 0, 9}), "<none>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := sideOf(t, cat(records(handshakeMsg(tlsHandshakeHello, tc.body), 16384), []byte{23, 3, 3, 0, 1, 0}), 5)
			if got := value(h, rules.BufferJA3String); got != tc.want {
				t.Fatalf("ja3.string %q, want %q", got, tc.want)
			}
			if tc.want != "<none>" {
				if got, want := value(h, rules.BufferJA3Hash), hex.EncodeToString(md5Sum(tc.want)); got != want {
					t.Errorf("ja3.hash %s, want %s", got, want)
				}
				if got := value(h, rules.BufferTLSRandomTime); got != "\x00\x01\x02\x03" {
					t.Errorf("tls.random_time %q", got)
				}
			}
		})
	}
}

func sshKexInit(lists ...string) []byte {
	p := cat([]byte{sshMsgKexInit}, make([]byte, 16))
	for _, l := range lists {
		p = cat(p, []byte{0, 0, byte(len(l) >> 8), byte(len(l))}, []byte(l))
	}
	p = cat(p, []byte{0, 0, 0, 0, 0})
	pad := 4
	p = cat([]byte{byte(pad)}, p, make([]byte, pad))
	return cat([]byte{0, 0, byte(len(p) >> 8), byte(len(p))}, p)
}

func TestSSH(t *testing.T) {
	kex := sshKexInit("curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-sha2-256", "hmac-sha1", "none", "zlib", "", "")
	tests := []struct {
		name, stream       string
		proto, sw, hassh   string
		hasshServer, state string
	}{
		{"openssh", "SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n" + string(kex), "2.0", "OpenSSH_8.4p1",
			"curve25519-sha256;aes128-ctr;hmac-sha2-256;none", "curve25519-sha256;aes256-ctr;hmac-sha1;zlib", "done"},
		{"lf only", "SSH-1.99-Cisco-1.25\n", "1.99", "Cisco-1.25", "<none>", "<none>", "kex"},
		{"not ssh", "Some banner\r\nSSH-2.0-x\r\n", "<none>", "<none>", "<none>", "<none>", "done"},
		{"no dash", "SSH-2.0\r\n", "<none>", "<none>", "<none>", "<none>", "kex"},
		{"banner too long", "SSH-2.0-" + strings.Repeat("a", sshMaxBanner), "<none>", "<none>", "<none>", "<none>", "done"},
	}
	for _, tc := range tests {
		for _, seg := range []int{1 << 20, 3, 1} {
			h := sideOf(t, []byte(tc.stream), seg)
			got := []string{value(h, rules.BufferSSHProto), value(h, rules.BufferSSHSoftware),
				value(h, rules.BufferSSHHasshString), value(h, rules.BufferSSHHasshServerString)}
			want := []string{tc.proto, tc.sw, tc.hassh, tc.hasshServer}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%s, segments of %d: %q, want %q", tc.name, seg, got, want)
			}
			if state := map[uint8]string{sideDone: "done", sideSSHKex: "kex"}[h.state]; state != tc.state {
				t.Errorf("%s, segments of %d: state %q, want %q", tc.name, seg, state, tc.state)
			}
		}
	}
}

// Rules on the handshake buffers fire once per side of a flow, on the
// packet that completes what they need, whatever comes after.
func TestHandshakeRulesOncePerSide(t *testing.T) {
	leaf := testCert(t, 5, pkix.Name{CommonName: "evil.example"})
	flight := records(cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody()), certificateMsg(leaf)), 16384)
	hello := records(handshakeMsg(tlsHandshakeHello, clientHelloBody(3, sniExt("evil.example"))), 16384)
	m := newMatcher(t,
		dnsRule(t, `alert tls any any -> any any (tls_cert_subject; content:"CN=evil"; sid:1;)`),
		dnsRule(t, `alert tls any any -> any any (flow:to_server; tls.cert_subject; content:"CN=evil"; sid:2;)`),
		dnsRule(t, `alert tls any any -> any any (ja3.string; content:"771,"; startswith; sid:3;)`),
		dnsRule(t, `alert tls any any -> any any (flow:to_client; sid:4;)`),
		dnsRule(t, `alert ssh any any -> any any (sid:5;)`),
	)
	toServer := func(p []byte) packet.Facts {
		f := tlsPacket(p, withDir(packet.DirToServer))
		f.StreamData = f.Payload
		return f
	}
	toClient := func(p []byte) packet.Facts {
		f := tlsPacket(p, fromAddr("192.0.2.1", 443), toAddr("10.0.0.1", 50000), withDir(packet.DirToClient))
		f.StreamData = f.Payload
		return f
	}
	half := len(flight) / 2
	syn := toServer(nil)
	syn.ConnEvent, syn.TCPFlags = packet.ConnOpened, packet.TCPSyn
	pkts := []packet.Facts{
		toServer(hello),           // 3 (ja3)
		toClient(flight[:half]),   // 4: the flow is TLS since the hello
		toClient(flight[half:]),   // 1 (certificate complete), 4
		toServer([]byte{}),        // nothing: no certificate on this side
		toClient([]byte{}),        // 4 only: 1 fired already
		toServer(hello),           // nothing: 3 fired on this side
		toClient([]byte("abcde")), // 4
		syn,                       // a new connection on the same ends
		toClient([]byte{}),        // nothing: not TLS yet
		toServer(hello),           // 3 again
	}
	got := sidsOf(m, pkts)
	want := [][]uint32{{3}, {4}, {1, 4}, nil, {4}, nil, {4}, nil, nil, {3}}
	for i := range want {
		if !slicesEqual(got[i], want[i]) {
			t.Errorf("packet %d: sids %v, want %v", i, got[i], want[i])
		}
	}
}

func slicesEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A flow's packets cost no allocation once its state exists, and a new
// flow reuses an ended one's buffers.
func TestHandshakeNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	leaf := testCert(t, 5, pkix.Name{CommonName: "quiet.example"})
	flight := records(cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody()), certificateMsg(leaf)), 16384)
	m := newMatcher(t, dnsRule(t, `alert tls any any -> any any (tls.cert_subject; content:"CN=evil"; sid:1;)`))
	f := tlsPacket(flight, fromAddr("192.0.2.1", 443), toAddr("10.0.0.1", 50000), withDir(packet.DirToClient), withConn(packet.ConnOpened))
	f.StreamData = f.Payload
	emit := func(packet.Event) { t.Error("unexpected alert") }
	m.Observe(&f, emit)
	if n := testing.AllocsPerRun(100, func() {
		// ConnOpened: a new connection on the same ends each time
		m.Observe(&f, emit)
	}); n != 0 {
		t.Errorf("%v allocations per handshake, want 0", n)
	}
}

// Crafted handshakes never panic, never keep more than the caps, and
// every value set lies within the side's values.
func FuzzHandshakeSide(f *testing.F) {
	leaf := testCert(f, 3, pkix.Name{CommonName: "fuzz.example"})
	f.Add(records(cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody()), certificateMsg(leaf)), 100), 7)
	f.Add(records(handshakeMsg(tlsHandshakeHello, clientHelloBody(3, sniExt("a"))), 16384), 1)
	f.Add(cat([]byte("SSH-2.0-x\r\n"), sshKexInit("a", "b", "c", "d", "e", "f", "g", "h", "", "")), 3)
	m := newMatcher(f, dnsRule(f, `alert tls any any -> any any (tls.cert_subject; content:"x"; sid:1;)`))
	f.Fuzz(func(t *testing.T, stream []byte, seg int) {
		seg = max(1, seg%4096)
		h := &handshakeSide{}
		for len(stream) > 0 && h.state != sideDone {
			k := min(seg, len(stream))
			m.readSide(h, stream[:k])
			stream = stream[k:]
			if len(h.buf) > handshakeBufBytes || cap(h.buf) > handshakeBufBytes {
				t.Fatalf("buffer %d bytes (cap %d)", len(h.buf), cap(h.buf))
			}
		}
		if len(h.vals) > handshakeValueBytes || len(h.low) != len(h.vals) {
			t.Fatalf("values %d bytes, lowercased %d", len(h.vals), len(h.low))
		}
		for i, sp := range h.spans {
			if h.has&(1<<i) != 0 && (sp.lo < 0 || sp.hi < sp.lo || int(sp.hi) > len(h.vals)) {
				t.Fatalf("buffer %d: span %v of %d bytes", i, sp, len(h.vals))
			}
		}
		m.dropHandshakeBuf(h)
	})
}

// A SYN on the same ends starts a new connection: its handshake is read
// afresh and its rules may fire again.
func TestHandshakeNewConnection(t *testing.T) {
	hello := records(handshakeMsg(tlsHandshakeHello, clientHelloBody(3)), 16384)
	m := newMatcher(t, dnsRule(t, `alert tls any any -> any any (ja3.string; content:"771,"; sid:3;)`))
	data := tlsPacket(hello)
	data.StreamData = data.Payload
	syn := tlsPacket(nil, withConn(packet.ConnOpened), withTCPFlags(packet.TCPSyn))
	got := sidsOf(m, []packet.Facts{data, data, syn, data})
	want := [][]uint32{{3}, nil, nil, {3}}
	for i := range want {
		if !slicesEqual(got[i], want[i]) {
			t.Errorf("packet %d: sids %v, want %v", i, got[i], want[i])
		}
	}
}

// The legacy keywords: tls.subject and the like are substring tests,
// negatable; ssh.protoversion is exact, ssh.softwareversion a prefix.
func TestHandshakeLegacyKeywords(t *testing.T) {
	leaf := testCert(t, 5, pkix.Name{CommonName: "evil.example"})
	flight := records(cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody()), certificateMsg(leaf)), 16384)
	m := newMatcher(t,
		dnsRule(t, `alert tls any any -> any any (tls.subject:"CN=evil"; sid:1;)`),
		dnsRule(t, `alert tls any any -> any any (tls.subject:!"CN=good"; sid:2;)`),
		dnsRule(t, `alert tls any any -> any any (tls.issuerdn:"cn=issuer"; sid:3;)`), // case-sensitive: no
		dnsRule(t, `alert ssh any any -> any any (ssh.protoversion:2.0; sid:4;)`),
		dnsRule(t, `alert ssh any any -> any any (ssh.protoversion:"2"; sid:5;)`), // exact: no
		dnsRule(t, `alert ssh any any -> any any (ssh.softwareversion:OpenSSH; sid:6;)`),
		dnsRule(t, `alert ssh any any -> any any (ssh.softwareversion:OpenSSH_9; sid:7;)`), // no
	)
	tls := tlsPacket(flight, fromAddr("192.0.2.1", 443), toAddr("10.0.0.1", 50000), withDir(packet.DirToClient))
	tls.StreamData = tls.Payload
	ssh := tcpPacket("SSH-2.0-OpenSSH_8.4p1\r\n", fromAddr("192.0.2.2", 22), toAddr("10.0.0.1", 50001), withDir(packet.DirToClient))
	ssh.StreamData = ssh.Payload
	got := sidsOf(m, []packet.Facts{tls, ssh})
	want := [][]uint32{{1, 2}, {4, 6}}
	for i := range want {
		if !slicesEqual(got[i], want[i]) {
			t.Errorf("packet %d: sids %v, want %v", i, got[i], want[i])
		}
	}
}

// BenchmarkHandshake is the cost of one TLS connection's handshake (the
// ClientHello, then the server's flight in three segments, on a new
// connection each time) with 100 certificate and JA3 rules like ET
// Open's: reading the handshake, formatting the certificate, and
// running the rules on each packet.
func BenchmarkHandshake(b *testing.B) {
	leaf := testCert(b, 0x0102, pkix.Name{Country: []string{"US"}, Organization: []string{"Bench"}, CommonName: "bench.example"})
	flight := records(cat(handshakeMsg(tlsHandshakeServerHello, serverHelloBody()), certificateMsg(leaf, leaf)), 16384)
	hello := records(handshakeMsg(tlsHandshakeHello, clientHelloBody(3, sniExt("bench.example"))), 16384)
	var rs []*rules.Rule
	for i := range 100 {
		text := `alert tls any any -> any any (flow:established,to_client; tls_cert_subject; content:"CN=evil` +
			string(rune('a'+i%26)) + `.example"; nocase; isdataat:!1,relative; tls_cert_issuer; content:"O=Let's Encrypt"; sid:` + itoa(i+1) + `;)`
		if i%4 == 0 {
			text = `alert tls any any -> any any (ja3.hash; content:"0123456789abcdef0123456789abcd` + itoa(10+i%90) + `"; sid:` + itoa(i+1) + `;)`
		}
		rs = append(rs, dnsRule(b, text))
	}
	m := newMatcher(b, rs...)
	var pkts []packet.Facts
	c := tlsPacket(hello, withConn(packet.ConnOpened))
	c.StreamData = c.Payload
	pkts = append(pkts, c)
	for i := 0; i < 3; i++ {
		part := flight[i*len(flight)/3 : (i+1)*len(flight)/3]
		s := tlsPacket(part, fromAddr("192.0.2.1", 443), toAddr("10.0.0.1", 50000), withDir(packet.DirToClient), withConn(packet.ConnEstablished))
		s.StreamData = s.Payload
		pkts = append(pkts, s)
	}
	emit := func(packet.Event) { b.Fatal("alert") }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// tls.sni on a ClientHello split over segments: the rule fires once, on
// the packet that completes the hello, wherever the name lies; a whole
// hello still fires once, from its own packet.
func TestSplitHelloSNI(t *testing.T) {
	padding := tlsExt(21, make([]byte, 1400)) // a post-quantum key share's bulk
	m := newMatcher(t,
		dnsRule(t, `alert tls any any -> any any (tls.sni; content:"evil.example"; endswith; sid:1;)`),
		dnsRule(t, `alert tls any any -> any any (tls.sni; content:"other"; sid:2;)`))
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"name in the first segment", clientHelloBody(3, sniExt("www.evil.example"), padding)},
		{"name in the last segment", clientHelloBody(3, padding, sniExt("www.evil.example"))},
	} {
		hello := records(handshakeMsg(tlsHandshakeHello, tc.body), 16384)
		var pkts []packet.Facts
		for i, part := range [][]byte{hello[:700], hello[700:1300], hello[1300:]} {
			f := tlsPacket(part, fromAddr("10.0.0.1", uint16(50000+len(tc.name))), withTime(i))
			f.StreamData = f.Payload
			pkts = append(pkts, f)
		}
		got := sidsOf(m, pkts)
		want := [][]uint32{nil, nil, {1}}
		for i := range want {
			if !slicesEqual(got[i], want[i]) {
				t.Errorf("%s: packet %d: sids %v, want %v", tc.name, i, got[i], want[i])
			}
		}
	}
	whole := tlsPacket(records(handshakeMsg(tlsHandshakeHello, clientHelloBody(3, sniExt("evil.example"))), 16384), fromAddr("10.0.0.1", 40001))
	whole.StreamData = whole.Payload
	if got := sidsOf(m, []packet.Facts{whole}); !slicesEqual(got[0], []uint32{1}) {
		t.Errorf("whole hello: sids %v, want [1]", got[0])
	}
}

func withTime(i int) pktOpt { return atTime(time.Duration(i) * time.Millisecond) }
