package signatures_test

import (
	"net/netip"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/rulematch"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// TestDefaultScannerUserAgents runs the default pack's rules over HTTP
// requests with the user agents of common vulnerability scanners: each is
// named by its own rule, whose msg names the scanner (the false-positive
// classifier recognises scanners by that name), and a browser by none.
func TestDefaultScannerUserAgents(t *testing.T) {
	p, err := signatures.EmbeddedDefault()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ua   string
		want uint32 // 0: nothing fires
	}{
		{"Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)", 9100006},
		{"Mozilla/5.0 [en] (X11, U; OpenVAS 8.0.9)", 9100006},
		{"Mozilla/5.0 (compatible; QualysGuard WAS)", 9100007},
		{"qualys-scanner/1.0", 9100007},
		{"Mozilla/5.00 (Nessus; Windows NT 10.0)", 9100004},
		{"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", 9100003},
		{"Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)", 9100008},
		{"Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)", 9100008},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.ua, func(t *testing.T) {
			m, err := rulematch.New(p.Rules, rulematch.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			payload := "GET / HTTP/1.1\r\nHost: 192.168.1.10\r\nUser-Agent: " + tt.ua + "\r\nAccept: */*\r\n\r\n"
			f := packet.Facts{
				Time: 1_780_000_000_000_000_000, Packet: packet.PacketRef{Num: 1}, WireLen: 54 + len(payload),
				L3: packet.L3IPv4, Src: netip.MustParseAddr("192.168.1.250"), Dst: netip.MustParseAddr("192.168.1.10"),
				TTL: 64, Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: 80,
				TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToServer,
				Payload: []byte(payload),
			}
			var got []uint32
			m.Observe(&f, func(e packet.Event) { got = append(got, e.SID) })
			if tt.want == 0 && len(got) != 0 || tt.want != 0 && (len(got) != 1 || got[0] != tt.want) {
				t.Errorf("fired %v, want %d", got, tt.want)
			}
			if tt.want != 0 {
				if s, _, ok := p.Lookup(tt.want); !ok || s.Name == "" {
					t.Errorf("sid %d has no name in the catalog", tt.want)
				}
			}
		})
	}
}

// TestDefaultScannerProbeURIs runs the default pack's rules over requests
// for the files and parameters that scanners name themselves in: each
// fires its own rule, whose msg names the scanner, and ordinary paths fire
// nothing.
func TestDefaultScannerProbeURIs(t *testing.T) {
	p, err := signatures.EmbeddedDefault()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, uri string
		want        uint32 // 0: nothing fires
	}{
		{"GET", "/NessusTest1234567890.html", 9100009},
		{"GET", "/cgi-bin/nessustest.cgi", 9100009},
		{"GET", "/nessus_is_probing_you_", 9100010},
		{"PUT", "/nikto-test-SgZc7evO.html", 9100011},
		{"PUT", "/dav/nikto-test-eQD6yPWJ.html", 9100011},
		{"GET", "/examples/save.lsp?ex=openVASTest", 9100012},
		{"POST", "/index.php?login=__OpenVAS__x1Yz", 9100012},
		{"GET", "/products?category=shoes", 0},
		{"GET", "/assets/nikto.png", 0},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.uri, func(t *testing.T) {
			m, err := rulematch.New(p.Rules, rulematch.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			payload := tt.method + " " + tt.uri + " HTTP/1.1\r\nHost: 192.168.1.10\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nContent-Length: 0\r\n\r\n"
			f := packet.Facts{
				Time: 1_780_000_000_000_000_000, Packet: packet.PacketRef{Num: 1}, WireLen: 54 + len(payload),
				L3: packet.L3IPv4, Src: netip.MustParseAddr("192.168.1.250"), Dst: netip.MustParseAddr("192.168.1.10"),
				TTL: 64, Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: 80,
				TCPFlags: packet.TCPPsh | packet.TCPAck, Dir: packet.DirToServer,
				Payload: []byte(payload),
			}
			var got []uint32
			m.Observe(&f, func(e packet.Event) { got = append(got, e.SID) })
			if tt.want == 0 && len(got) != 0 || tt.want != 0 && (len(got) != 1 || got[0] != tt.want) {
				t.Errorf("fired %v, want %d", got, tt.want)
			}
			if tt.want != 0 {
				if s, _, ok := p.Lookup(tt.want); !ok || s.Name == "" {
					t.Errorf("sid %d has no name in the catalog", tt.want)
				}
			}
		})
	}
}
