package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// A filter that cannot be compiled for a capture's link type (Ethernet
// addresses on raw IP) leaves that capture's packets out and says so,
// while another capture's packets are filtered as asked.
func TestFilterPerLinkType(t *testing.T) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw.pcap")
	f, err := os.Create(raw)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: []byte{10, 0, 0, 1}, DstIP: []byte{10, 0, 0, 2}}
	udp := &layers.UDP{SrcPort: 1, DstPort: 2}
	udp.SetNetworkLayerForChecksum(ip)
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, ip, udp); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000+int64(i), 0), CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}
		if err := w.WritePacket(ci, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	eth := filepath.Join("..", "pcaps", "arp-poison.pcap")
	res, err := Analyze(context.Background(), []string{raw, eth}, cfg, RunOptions{Filter: "ether broadcast"})
	if err != nil {
		t.Fatal(err)
	}
	var read uint64
	for _, fs := range res.Files {
		read += fs.Packets
	}
	if res.Summary.FilteredOut == 0 || res.Summary.Packets == 0 || res.Summary.Packets+res.Summary.FilteredOut != read {
		t.Errorf("kept %d, left out %d, read %d", res.Summary.Packets, res.Summary.FilteredOut, read)
	}
	warned := false
	for _, w := range res.Warnings {
		warned = warned || strings.Contains(w, "ether broadcast") && strings.Contains(w, "left out")
	}
	if !warned {
		t.Errorf("no warning about the raw capture: %q", res.Warnings)
	}
	if _, err := Analyze(context.Background(), []string{eth}, cfg, RunOptions{Filter: "tcp and"}); err == nil {
		t.Error("a bad expression ran")
	}
}
