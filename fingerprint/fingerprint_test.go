package fingerprint_test

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/fingerprint"
	"github.com/ipsreplay/ipsreplay/packet"
)

// trackCapture runs one capture through the analyzer's engine (decoder
// and flow table included) and returns its fingerprints.
func trackCapture(t *testing.T, name string) []fingerprint.Evidence {
	t.Helper()
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	e, err := analyzer.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	s, err := analyzer.OpenSource(path, e.AddFile(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
		e.Packet(s.Link, s.Data, s.Time, s.Length, packet.PacketRef{File: s.Index, Num: s.Num})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	e.Finish()
	return e.Fingerprints()
}

// TestTrackerCaptures runs the captures the real tools made (see
// testdata/README.md): each tool's classes are found on the scanner with
// the counts tcpdump shows, and hping3 and a Linux client have none.
func TestTrackerCaptures(t *testing.T) {
	type want struct {
		class  fingerprint.Class
		tool   string
		count  uint64 // at least
		detail []string
	}
	tests := []struct {
		file string
		want []want
	}{
		{"nmap-ss.pcap", []want{
			{fingerprint.ClassNmapSYN, fingerprint.ToolNmap, 20, []string{
				"nmap SYN probes: 20 SYNs with window 1024 and a lone MSS option (1460), source port ", " on 20 of them, sequence number ",
				" on 20, 7 RSTs (no ACK) after the SYN-ACK"}},
		}},
		{"nmap-sv.pcap", []want{
			// 100 ports on each of 4 hosts; 7 open ports each answered
			{fingerprint.ClassNmapSYN, fingerprint.ToolNmap, 400, []string{"400 SYNs with window 1024", " on 400 of them", "28 RSTs (no ACK)"}},
			{fingerprint.ClassNmapService, fingerprint.ToolNmap, 60, []string{
				"GenericLines 8, GetRequest 16, SSLSessionReq 8, TLSSessionReq 8", "SMBProgNeg 4",
				"12 NULL probes (took the banner, sent nothing) on ports 21, 22, 25"}},
		}},
		{"nmap-o.pcap", []want{
			{fingerprint.ClassNmapSYN, fingerprint.ToolNmap, 4, []string{"window 1024 and a lone MSS option"}},
			{fingerprint.ClassNmapOS, fingerprint.ToolNmap, 50, []string{"probes of 11 kinds", "SEQ SYNs (windows 1-512, TSval 0xFFFFFFFF)",
				"ECN (SYN|ECE|CWR, window 3)", "T7 (FIN|PSH|URG, window 65535)", "IE (echo request, code 9)", "U1 (UDP, 300 bytes of 'C'); IP ID 0x1042 on"}},
		}},
		{"masscan.pcap", []want{
			{fingerprint.ClassStatelessSYN, fingerprint.ToolMasscan, 24, []string{"masscan SYNs: 24 SYNs without options", "TTL 255, window 1024"}},
		}},
		{"zmap.pcap", []want{
			{fingerprint.ClassStatelessSYN, fingerprint.ToolZMap, 8, []string{"ZMap SYNs: 8 SYNs without options with IP ID 54321, TTL 255, window 65535"}},
		}},
		{"hping3-syn.pcap", nil},
		{"linux-client.pcap", nil},
	}
	scanner := netip.MustParseAddr("10.77.0.1")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := trackCapture(t, tt.file)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d classes, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Host != scanner || g.Class != w.class || g.Tool != w.tool || g.Count < w.count {
					t.Errorf("%d: %s %s %s x%d, want %s %s %s x%d or more", i, g.Host, g.Tool, g.Class, g.Count, scanner, w.tool, w.class, w.count)
				}
				for _, d := range w.detail {
					if !strings.Contains(g.Detail, d) {
						t.Errorf("%s detail %q lacks %q", g.Class, g.Detail, d)
					}
				}
			}
		})
	}
}
