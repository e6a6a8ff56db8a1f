package packettest

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// Record is one packet of a pcap file.
type Record struct {
	Info gopacket.CaptureInfo
	Data []byte
}

// ReadPcap reads a pcap file with pcapgo, a reader of its own, and fails
// the test when it cannot: its link type and packets.
func ReadPcap(t testing.TB, path string) (layers.LinkType, []Record) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []Record
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return r.LinkType(), out
		}
		if err != nil {
			t.Fatalf("%s: packet %d: %v", path, len(out)+1, err)
		}
		out = append(out, Record{ci, data})
	}
}
