package live

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func TestResolveLink(t *testing.T) {
	tests := []struct {
		truncated  uint8
		candidates []int
		want       analyzer.LinkType
	}{
		{1, []int{1, 143}, analyzer.LinkEthernet},
		{20, []int{113, 276}, analyzer.LinkLinuxSLL2},
		{20, nil, analyzer.LinkLinuxSLL2}, // no list: 20 is no link type, 276 is
		{113, []int{113, 276}, analyzer.LinkLinuxSLL},
		{12, nil, analyzer.LinkRaw12},
		{8, []int{264}, 264}, // only the list knows
	}
	for _, tt := range tests {
		if got := resolveLink(tt.truncated, tt.candidates); got != tt.want {
			t.Errorf("resolveLink(%d, %v) = %d, want %d", tt.truncated, tt.candidates, got, tt.want)
		}
	}
}

// The --write header carries link types pcapgo cannot (LINUX_SLL2 is 276)
// and nanosecond times; the analyzer's reader reads them back.
func TestWriteFileHeader(t *testing.T) {
	tests := []struct{ link, want analyzer.LinkType }{
		{analyzer.LinkLinuxSLL2, analyzer.LinkLinuxSLL2},
		{analyzer.LinkEthernet, analyzer.LinkEthernet},
		{analyzer.LinkRaw12, analyzer.LinkRaw}, // DLT_RAW is LINKTYPE_RAW in files
	}
	ts := time.Date(2026, 3, 2, 9, 0, 24, 611_222_333, time.UTC)
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := writeFileHeader(&buf, 262144, tt.link); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 40)
		if err := pcapgo.NewWriterNanos(&buf).WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: 40, Length: 60}, data); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "x.pcap")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := analyzer.OpenSource(path, 0, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.link, err)
		}
		if !s.Next() {
			t.Fatalf("%s: no packet: %v", tt.link, s.Err())
		}
		if s.Link != tt.want || s.Time != ts.UnixNano() || s.Length != 60 {
			t.Errorf("%s: read back link %s, time %s, length %d", tt.link, s.Link, time.Unix(0, s.Time).UTC(), s.Length)
		}
		s.Close()
	}
}

func TestDropWarning(t *testing.T) {
	if w := dropWarning("live:eth0", 100, 0, 0); w != "" {
		t.Errorf("no drops: %q", w)
	}
	want := "live:eth0: 12 packets dropped by the kernel (capture buffer full) and 3 by the interface of 100 received; detections may be undercounted"
	if w := dropWarning("live:eth0", 100, 12, 3); w != want {
		t.Errorf("got  %q\nwant %q", w, want)
	}
}
