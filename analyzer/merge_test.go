package analyzer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
	"unsafe"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// mergeRecord is one packet of a generated capture: its time, and which
// file and packet it is (written into the IPv4 identification, so the tap
// can tell records apart).
type mergeRecord struct {
	at        time.Duration
	file, num int
}

// writeMergeCapture writes recs as format (pcap, pcap.gz or pcapng) to path.
func writeMergeCapture(t *testing.T, path, format string, base []byte, recs []mergeRecord) {
	t.Helper()
	var buf bytes.Buffer
	var write func(ci gopacket.CaptureInfo, data []byte) error
	flush := func() {}
	if format == "pcapng" {
		w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
		if err != nil {
			t.Fatal(err)
		}
		write, flush = w.WritePacket, func() { w.Flush() }
	} else {
		w := pcapgo.NewWriter(&buf)
		if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		write = w.WritePacket
	}
	for _, r := range recs {
		pkt := append([]byte(nil), base...)
		binary.BigEndian.PutUint16(pkt[18:20], uint16(r.file<<8|r.num))
		ci := gopacket.CaptureInfo{Timestamp: testEpoch.Add(r.at), CaptureLength: len(pkt), Length: len(pkt)}
		if err := write(ci, pkt); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	data := buf.Bytes()
	if format == "pcap.gz" {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(data)
		zw.Close()
		data = gz.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingCloser counts the files open now and the most ever open.
type countingCloser struct {
	io.Closer
	open *int
}

func (c countingCloser) Close() error {
	*c.open--
	return c.Closer.Close()
}

type openCounter struct {
	open, most, opens int
}

func (o *openCounter) openSource(ctx context.Context, path string, index uint32, stdin io.Reader, bufSize int) (*Source, error) {
	s, err := openSource(ctx, path, index, stdin, bufSize)
	if err != nil {
		return nil, err
	}
	o.opens++
	o.open++
	o.most = max(o.most, o.open)
	s.closer = countingCloser{s.closer, &o.open}
	return s, nil
}

// TestMergeBoundedOpenFiles: many interleaved captures (pcap, pcap.gz,
// pcapng, with time ties and a record out of order) merge into exactly
// the order of a merge with every file open, with never more than the
// bound open, and with each file's summary the same.
func TestMergeBoundedOpenFiles(t *testing.T) {
	base := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		files   int
		packets int
		maxOpen int
		at      func(file, num int) time.Duration
		opens   int // most openings allowed; 0: not checked
	}{
		// every file spans the whole run: reopening at each record
		{"interleaved", 13, 6, 3, func(f, n int) time.Duration { return time.Duration(n*10+f%5) * time.Second }, 0},
		// files one after another, as a rotated capture: each opened twice at most
		{"consecutive", 20, 4, 4, func(f, n int) time.Duration { return time.Duration(f*100+n) * time.Second }, 40},
		// all at one instant: ties go to the file given first
		{"all tied", 9, 3, 2, func(f, n int) time.Duration { return 0 }, 0},
		// a record back in time within a file
		{"out of order", 8, 5, 3, func(f, n int) time.Duration {
			if n == 2 {
				return time.Duration(f) * time.Second
			}
			return time.Duration(n*7+f%3) * time.Second
		}, 0},
	}
	formats := []string{"pcap", "pcap.gz", "pcapng"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var files []string
			var all []mergeRecord
			for f := 0; f < tc.files; f++ {
				format := formats[f%len(formats)]
				path := filepath.Join(dir, fmt.Sprintf("f%02d.%s", f, format))
				var recs []mergeRecord
				for n := 0; n < tc.packets; n++ {
					recs = append(recs, mergeRecord{at: tc.at(f, n), file: f, num: n})
				}
				writeMergeCapture(t, path, format, base, recs)
				files = append(files, path)
				all = append(all, recs...)
			}
			run := func(maxOpen int) ([]mergeRecord, *Result, *openCounter) {
				var got []mergeRecord
				opts := RunOptions{Tap: func(ts int64, data []byte) {
					id := binary.BigEndian.Uint16(data[18:20])
					got = append(got, mergeRecord{at: time.Duration(ts - testEpoch.UnixNano()), file: int(id >> 8), num: int(id & 0xff)})
				}}
				oc := &openCounter{}
				res, err := analyze(context.Background(), files, cfg, opts, maxOpen, oc.openSource)
				if err != nil {
					t.Fatal(err)
				}
				if oc.open != 0 {
					t.Errorf("maxOpen %d: %d files left open", maxOpen, oc.open)
				}
				return got, res, oc
			}
			want, wantRes, _ := run(tc.files + 1)
			got, res, oc := run(tc.maxOpen)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("order with %d open differs from all open:\n got %v\nwant %v", tc.maxOpen, got, want)
			}
			if oc.most > tc.maxOpen {
				t.Errorf("%d files open at once, bound %d", oc.most, tc.maxOpen)
			}
			if !reflect.DeepEqual(res.Files, wantRes.Files) {
				t.Errorf("summaries differ:\n got %+v\nwant %+v", res.Files, wantRes.Files)
			}
			t.Logf("%d opens for %d files, at most %d open", oc.opens, tc.files, oc.most)
			if tc.opens > 0 && oc.opens > tc.opens {
				t.Errorf("%d openings, want at most %d", oc.opens, tc.opens)
			}
			if tc.name != "out of order" {
				// sorted files: the merge is a stable sort by time
				sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })
				if !reflect.DeepEqual(got, all) {
					t.Errorf("not in time order:\n got %v\nwant %v", got, all)
				}
			}
		})
	}
}

// TestMergeReopenFails: a file that cannot be reopened (removed during the
// run) ends with an input error naming it; its packets before, and every
// other file, are still analysed.
func TestMergeReopenFails(t *testing.T) {
	base := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for f := 0; f < 4; f++ {
		var recs []mergeRecord
		for n := 0; n < 5; n++ {
			recs = append(recs, mergeRecord{at: time.Duration(n*10+f) * time.Second, file: f, num: n})
		}
		path := filepath.Join(dir, fmt.Sprintf("f%d.pcap", f))
		writeMergeCapture(t, path, "pcap", base, recs)
		files = append(files, path)
	}
	oc := &openCounter{}
	open := func(ctx context.Context, path string, index uint32, stdin io.Reader, bufSize int) (*Source, error) {
		if path == files[1] && oc.opens >= len(files) {
			os.Remove(path)
		}
		return oc.openSource(ctx, path, index, stdin, bufSize)
	}
	res, err := analyze(context.Background(), files, cfg, RunOptions{}, 2, open)
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Errs) != 1 || !bytes.Contains([]byte(ie.Errs[0].Error()), []byte("reopening: "+files[1])) {
		t.Fatalf("err = %v, want one error reopening %s", err, files[1])
	}
	got := res.Files[1]
	if got.Error == "" || got.Packets >= 5 || res.Summary.Packets != 15+got.Packets {
		t.Fatalf("file 1: %+v; %d packets in all", got, res.Summary.Packets)
	}
}

// TestCursorSize: a file closed during the merge keeps only its cursor
// (with the summary and the path, link-type and error strings it points
// to), so 10,000 files cost a few MiB, not their read buffers.
func TestCursorSize(t *testing.T) {
	n := unsafe.Sizeof(cursor{})
	t.Logf("cursor: %d bytes", n)
	if n > 320 {
		t.Errorf("cursor is %d bytes; keep a closed file to a few hundred", n)
	}
}
