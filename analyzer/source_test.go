package analyzer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/klauspost/compress/zstd"
)

var testEpoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// writePcap writes n copies of pkt one second apart, starting at start.
func writePcap(t *testing.T, path string, link layers.LinkType, pkt []byte, n int, start time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, link); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * time.Second), CaptureLength: len(pkt), Length: len(pkt)}
		if err := w.WritePacket(ci, pkt); err != nil {
			t.Fatal(err)
		}
	}
	if path != "" {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func readAll(t *testing.T, s *Source) (n int, links []LinkType) {
	t.Helper()
	for s.Next() {
		n++
		links = append(links, s.Link)
	}
	return n, links
}

func TestSourceFormats(t *testing.T) {
	dir := t.TempDir()
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	plain := writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 3, testEpoch)

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a.pcap.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "a.pcap.zst"), zstdOf(t, plain), 0o644)

	// pcapng with an Ethernet and a raw-IP interface
	var ng bytes.Buffer
	nw, err := pcapgo.NewNgWriterInterface(&ng, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet, SnapLength: 65535}, pcapgo.NgWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := nw.AddInterface(pcapgo.NgInterface{Name: "tun0", LinkType: layers.LinkTypeRaw, SnapLength: 65535})
	if err != nil {
		t.Fatal(err)
	}
	ipOnly := pkt[14:]
	nw.WritePacket(gopacket.CaptureInfo{Timestamp: testEpoch, CaptureLength: len(pkt), Length: len(pkt)}, pkt)
	nw.WritePacket(gopacket.CaptureInfo{Timestamp: testEpoch.Add(time.Second), CaptureLength: len(ipOnly), Length: len(ipOnly), InterfaceIndex: raw}, ipOnly)
	nw.Flush()
	os.WriteFile(filepath.Join(dir, "two.pcapng"), ng.Bytes(), 0o644)

	// big-endian nanosecond pcap, written by hand
	be := make([]byte, 24)
	copy(be, []byte{0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1})
	rec := make([]byte, 16)
	copy(rec, []byte{0x69, 0xa5, 0x52, 0x50, 0, 0, 0, 7})
	rec[11], rec[15] = byte(len(pkt)), byte(len(pkt))
	be = append(append(be, rec...), pkt...)
	os.WriteFile(filepath.Join(dir, "be-nano.pcap"), be, 0o644)

	tests := []struct {
		file   string
		format string
		n      int
		links  []LinkType
	}{
		{"a.pcap", "pcap", 3, []LinkType{LinkEthernet, LinkEthernet, LinkEthernet}},
		{"a.pcap.gz", "pcap.gz", 3, []LinkType{LinkEthernet, LinkEthernet, LinkEthernet}},
		{"a.pcap.zst", "pcap.zst", 3, []LinkType{LinkEthernet, LinkEthernet, LinkEthernet}},
		{"two.pcapng", "pcapng", 2, []LinkType{LinkEthernet, LinkRaw}},
		{"be-nano.pcap", "pcap", 1, []LinkType{LinkEthernet}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s, err := OpenSource(filepath.Join(dir, tc.file), 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			n, links := readAll(t, s)
			if err := s.Err(); err != nil {
				t.Fatalf("err = %v", err)
			}
			if n != tc.n || s.Format != tc.format {
				t.Fatalf("read %d packets as %s, want %d as %s", n, s.Format, tc.n, tc.format)
			}
			for i := range links {
				if links[i] != tc.links[i] {
					t.Errorf("packet %d link %v, want %v", i+1, links[i], tc.links[i])
				}
			}
			if tc.file == "be-nano.pcap" && s.Summary.First.Nanosecond() != 7 {
				t.Errorf("nanosecond timestamp lost: %v", s.Summary.First)
			}
		})
	}
}

func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	whole := writePcap(t, "", layers.LinkTypeEthernet, pkt, 3, testEpoch)
	os.WriteFile(filepath.Join(dir, "cut.pcap"), whole[:len(whole)-10], 0o644)
	os.WriteFile(filepath.Join(dir, "text.pcap"), []byte("hello, this is not a capture\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.pcap"), nil, 0o644)
	writePcap(t, filepath.Join(dir, "zigbee.pcap"), layers.LinkType(195), pkt, 1, testEpoch)
	// a record claiming 3 GB: must be an error, not an allocation
	huge := append([]byte(nil), whole[:24+16]...)
	huge[24+8], huge[24+9], huge[24+10], huge[24+11] = 0, 0, 0, 0xc0
	os.WriteFile(filepath.Join(dir, "huge.pcap"), huge, 0o644)

	t.Run("truncated keeps what came before", func(t *testing.T) {
		s, err := OpenSource(filepath.Join(dir, "cut.pcap"), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := readAll(t, s)
		err = s.Err()
		if n != 2 || !errors.Is(err, ErrTruncated) {
			t.Fatalf("read %d, err %v; want 2 packets then ErrTruncated", n, err)
		}
		// the third record starts after the header and two records
		wantOff := 24 + 2*(16+len(pkt))
		if !strings.Contains(err.Error(), "cut.pcap: packet 3 at offset "+strconv.Itoa(wantOff)) {
			t.Errorf("error %q does not name file, packet and offset %d", err, wantOff)
		}
		if !s.Summary.Truncated || s.Summary.Packets != 2 {
			t.Errorf("summary %+v", s.Summary)
		}
	})
	for _, tc := range []struct {
		file string
		is   error
		text string
	}{
		{"text.pcap", ErrNotCapture, "starts with 68 65 6c 6c"},
		{"empty.pcap", ErrNotCapture, "empty"},
		{"zigbee.pcap", ErrUnsupportedLink, "195"},
		{"missing.pcap", os.ErrNotExist, "missing.pcap"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := OpenSource(filepath.Join(dir, tc.file), 0, nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("err = %v; want %v mentioning %q and the file", err, tc.is, tc.text)
			}
		})
	}
	// compressed captures cut short: offsets count decompressed bytes
	many := writePcap(t, "", layers.LinkTypeEthernet, pkt, 4000, testEpoch)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut.pcap.gz", ngGzipped(t, whole)[:len(ngGzipped(t, whole))-12]},
		{"cut.pcap.zst", zstdOf(t, many)[:len(zstdOf(t, many))-12]}, // past its first 128 KiB block
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			os.WriteFile(path, tc.data, 0o644)
			s, err := OpenSource(path, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			readAll(t, s)
			if err := s.Err(); err == nil || !strings.Contains(err.Error(), "(decompressed)") || !strings.Contains(err.Error(), tc.name) || !s.Summary.Truncated {
				t.Errorf("err %v (truncated %v): want the file, packet and decompressed offset", err, s.Summary.Truncated)
			}
		})
	}
	t.Run("zstd cut before the capture header", func(t *testing.T) {
		_, err := OpenSource(StdinPath, 0, bytes.NewReader(zstdOf(t, whole)[:20]))
		if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "zst") {
			t.Errorf("err %v: want a truncated zstd stream", err)
		}
	})
	t.Run("huge record", func(t *testing.T) {
		s, err := OpenSource(filepath.Join(dir, "huge.pcap"), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Next() || s.Err() == nil {
			t.Fatalf("a 3 GB record must fail; err %v", s.Err())
		}
	})
}

func TestSourceStdin(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	data := writePcap(t, "", layers.LinkTypeEthernet, pkt, 4, testEpoch)
	s, err := OpenSource(StdinPath, 0, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := readAll(t, s); n != 4 || s.Summary.Path != "<stdin>" {
		t.Fatalf("read %d from %s", n, s.Summary.Path)
	}
}

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b/x.pcap", "a.pcapng", "b/c/y.pcap.gz", "b/c/w.pcapng.zst", "notes.txt", "a.expect.json", "z.CAP"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	got, err := ExpandPaths([]string{dir, filepath.Join(dir, "notes.txt"), "-"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.pcapng", "b/c/w.pcapng.zst", "b/c/y.pcap.gz", "b/x.pcap", "z.CAP", "notes.txt", "-"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if rel, _ := filepath.Rel(dir, got[i]); rel != want[i] && got[i] != want[i] {
			t.Errorf("%d: got %s, want %s", i, got[i], want[i])
		}
	}
	// a missing path is kept for OpenSource to report, so the run goes on
	if got, err := ExpandPaths([]string{filepath.Join(dir, "nope")}); err != nil || len(got) != 1 {
		t.Errorf("missing path: %v %v", got, err)
	}
	if _, err := ExpandPaths([]string{"-", "-"}); err == nil {
		t.Error("stdin twice must fail")
	}
}

// TestSourceRecordOverSnaplen: a record longer than the file header's snap
// length (writers such as dpkt's write 1500 and then whole jumbo frames)
// is read whole and reading goes on, as libpcap, and so Suricata, read on;
// only a record beyond maxSnaplen, which libpcap refuses too, stops it.
func TestSourceRecordOverSnaplen(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	snap := uint32(len(pkt) - 10)
	if err := w.WriteFileHeader(snap, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ci := gopacket.CaptureInfo{Timestamp: testEpoch.Add(time.Duration(i) * time.Second), CaptureLength: len(pkt), Length: len(pkt)}
		if err := w.WritePacket(ci, pkt); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "oversnap.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSource(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s.Next() {
		n++
		if len(s.Data) != len(pkt) {
			t.Errorf("packet %d: %d bytes, want the whole record's %d", n, len(s.Data), len(pkt))
		}
	}
	if n != 3 || s.Err() != nil || s.Summary.Truncated {
		t.Fatalf("read %d packets, err %v, truncated %v; want all 3 records", n, s.Err(), s.Summary.Truncated)
	}
}

// zstdOf compresses b (ngGzipped is its gzip counterpart).
func zstdOf(t *testing.T, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}

// A zstd frame asking for a window past the cap is refused, not
// allocated.
func TestSourceZstdWindowCap(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	whole := writePcap(t, "", layers.LinkTypeEthernet, pkt, 3, testEpoch)
	zw, err := zstd.NewWriter(nil, zstd.WithWindowSize(zstd.MaxWindowSize), zstd.WithSingleSegment(false))
	if err != nil {
		t.Fatal(err)
	}
	data := zw.EncodeAll(whole, nil)
	zw.Close()
	// the frame header's window descriptor: exponent 31 (2 GiB)
	if data[4]&0x20 == 0 {
		data[5] = 0xf8
	}
	s, err := OpenSource(StdinPath, 0, bytes.NewReader(data))
	if err == nil {
		readAll(t, s)
		err = s.Err()
		s.Close()
	}
	if err == nil {
		t.Fatal("a frame asking for a 2 GiB window was read")
	}
}
