package analyzer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/gopacket/pcapgo"
)

// TestPcapRecordsMatchPcapgo reads every classic pcap of the bundled, lab
// and shared corpora (the malformed ones too) with pcapgo and with
// pcapRecords, through reads of every size, and wants the same packets,
// times and errors from both.
func TestPcapRecordsMatchPcapgo(t *testing.T) {
	var files []string
	for _, glob := range []string{"../pcaps/*.pcap", "../pcaps/lab/*.pcap", "../../shared/corpus/*/*.pcap", "../../shared/corpus/*/*/*.pcap"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d captures found", len(files))
	}
	if _, err := os.Stat("../../shared/corpus"); err != nil {
		t.Log("../../shared/corpus is missing: compared on the bundled and lab captures only")
	}
	compared := 0
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) < 24 {
			continue
		}
		want, err := pcapgo.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue // not a classic pcap: Source refuses it before any record
		}
		want.SetSnaplen(maxSnaplen)
		magic := binary.LittleEndian.Uint32(raw)
		big := magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1
		nano := magic == 0xa1b23c4d || magic == 0x4d3cb2a1
		for _, wrap := range []struct {
			name string
			r    func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"halves", iotest.HalfReader},
			{"bytes", iotest.OneByteReader},
		} {
			if wrap.name == "bytes" && len(raw) > 1<<20 {
				continue
			}
			want, _ := pcapgo.NewReader(bytes.NewReader(raw))
			want.SetSnaplen(maxSnaplen)
			got := newPcapRecords(wrap.r(bytes.NewReader(raw[24:])), 0, big, nano, maxSnaplen)
			for n := 1; ; n++ {
				wd, wci, werr := want.ZeroCopyReadPacketData()
				gd, gci, gerr := got.ZeroCopyReadPacketData()
				if werr != nil || gerr != nil {
					if !sameRecordError(werr, gerr) {
						t.Errorf("%s (%s): packet %d: pcapgo says %v, pcapRecords %v", path, wrap.name, n, werr, gerr)
					}
					break
				}
				if !bytes.Equal(wd, gd) || !wci.Timestamp.Equal(gci.Timestamp) || wci.CaptureLength != gci.CaptureLength || wci.Length != gci.Length {
					t.Errorf("%s (%s): packet %d differs: %v %d/%d against %v %d/%d", path, wrap.name, n,
						wci.Timestamp, wci.CaptureLength, wci.Length, gci.Timestamp, gci.CaptureLength, gci.Length)
					break
				}
			}
		}
		compared++
	}
	t.Logf("%d captures compared", compared)
}

// sameRecordError: the same error, but for one deliberate difference. A
// file that ends right after a record header is a clean end to pcapgo
// (io.ReadFull reads no byte of the data); the header promised data, so
// it is a truncation here, as libpcap reports it.
func sameRecordError(want, got error) bool {
	switch {
	case want == nil || got == nil:
		return want == got
	case errors.Is(want, io.EOF) && errors.Is(got, io.ErrUnexpectedEOF):
		return true // checked by TestPcapRecordsEdges
	}
	return want.Error() == got.Error()
}

func TestPcapRecordsEdges(t *testing.T) {
	record := func(big bool, sec, frac, capLen, wireLen uint32, data string) []byte {
		var order binary.ByteOrder = binary.LittleEndian
		if big {
			order = binary.BigEndian
		}
		h := make([]byte, 16)
		order.PutUint32(h[0:], sec)
		order.PutUint32(h[4:], frac)
		order.PutUint32(h[8:], capLen)
		order.PutUint32(h[12:], wireLen)
		return append(h, data...)
	}
	one := record(false, 100, 5, 3, 60, "abc")
	cases := []struct {
		name    string
		in      []byte
		big     bool
		nano    bool
		packets int
		wantNs  int64 // the first packet's time
		err     string
	}{
		{name: "clean end", in: append(append([]byte{}, one...), one...), packets: 2, wantNs: 100e9 + 5e3},
		{name: "empty", in: nil},
		{name: "big-endian nanoseconds", in: record(true, 7, 9, 1, 1, "x"), big: true, nano: true, packets: 1, wantNs: 7e9 + 9},
		{name: "header cut short", in: one[:7], err: io.ErrUnexpectedEOF.Error()},
		{name: "ends after the header", in: one[:16], err: io.ErrUnexpectedEOF.Error()},
		{name: "data cut short", in: one[:17], err: io.ErrUnexpectedEOF.Error()},
		{name: "over the snap length", in: record(false, 1, 0, maxSnaplen+1, maxSnaplen+1, ""), err: "capture length exceeds snap length: 262145 > 262144"},
		{name: "over the wire length", in: record(false, 1, 0, 4, 3, "abcd"), err: "capture length exceeds original packet length: 4 > 3"},
		{name: "zero-length packet", in: record(false, 1, 0, 0, 0, ""), packets: 1, wantNs: 1e9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPcapRecords(iotest.HalfReader(bytes.NewReader(c.in)), 0, c.big, c.nano, maxSnaplen)
			n := 0
			for {
				_, ci, err := p.ZeroCopyReadPacketData()
				if err != nil {
					if c.err == "" && !errors.Is(err, io.EOF) || c.err != "" && !strings.Contains(err.Error(), c.err) {
						t.Fatalf("packet %d: error %v, want %q", n+1, err, c.err)
					}
					break
				}
				if n == 0 && ci.Timestamp.UnixNano() != c.wantNs {
					t.Errorf("time %d, want %d", ci.Timestamp.UnixNano(), c.wantNs)
				}
				n++
			}
			if n != c.packets {
				t.Errorf("%d packets, want %d", n, c.packets)
			}
		})
	}
}

// TestPcapRecordsReaderStalls: a reader that keeps returning nothing ends
// the file with io.ErrNoProgress rather than spinning.
func TestPcapRecordsReaderStalls(t *testing.T) {
	p := newPcapRecords(stalled{}, 0, false, false, maxSnaplen)
	if _, _, err := p.ZeroCopyReadPacketData(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("error %v, want io.ErrNoProgress", err)
	}
}

type stalled struct{}

func (stalled) Read([]byte) (int, error) { return 0, nil }
