package analyzer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/klauspost/compress/zstd"
)

// fuzzCaptureResult is what reading a capture gave: its packets and how it ended.
type fuzzCaptureResult struct {
	packets [][]byte
	links   []LinkType
	format  string
	err     string
}

// fuzzCaptureRead reads data as standard input with a buffer of bufSize,
// checking what must hold for any input: no panic inside a reader (read
// turns one into "reader failed"), no packet beyond maxSnaplen, and an
// error that names the input and, once past the header, the position.
func fuzzCaptureRead(t *testing.T, data []byte, bufSize int) fuzzCaptureResult {
	var out fuzzCaptureResult
	s, err := openSource(context.Background(), StdinPath, 0, bytes.NewReader(data), bufSize)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "<stdin>: ") {
			t.Fatalf("open error does not name the input: %v", err)
		}
		out.err = err.Error()
		return out
	}
	out.format = s.Format
	// a few kilobytes of deflate can stand for megabytes of tiny records:
	// a bound keeps each input quick to run
	for s.Num < 20000 && s.Next() {
		if len(s.Data) > maxSnaplen {
			t.Fatalf("packet %d: %d bytes", s.Num, len(s.Data))
		}
		if len(out.packets) < 1000 { // enough to compare; the rest is read on
			out.packets = append(out.packets, bytes.Clone(s.Data))
			out.links = append(out.links, s.Link)
		}
	}
	if err := s.Err(); err != nil && s.Num < 20000 {
		msg := err.Error()
		if strings.Contains(msg, "reader failed") {
			t.Fatalf("a reader panicked: %v", err)
		}
		if !strings.HasPrefix(msg, "<stdin>: ") {
			t.Fatalf("error does not name the input: %v", err)
		}
		if !fuzzIsUnsupportedLink(err) && !strings.Contains(msg, " at offset ") {
			t.Fatalf("error does not give the position: %v", err)
		}
		out.err = msg
	}
	return out
}

func fuzzIsUnsupportedLink(err error) bool {
	return strings.Contains(err.Error(), ErrUnsupportedLink.Error())
}

// fuzzCapture reads data with the usual buffer and with a small one, which
// takes nearly every pcapng block through the copying path: both must give the
// same packets and the same error.
func fuzzCapture(t *testing.T, data []byte) {
	big := fuzzCaptureRead(t, data, 64<<10) // Analyze's with many files: cheaper per run

	// pcapgo's classic reader puts its own 4 KiB bufio.Reader over a
	// smaller one, which would hide its position from ours
	smallSize := 32
	if strings.HasPrefix(big.format, "pcap") && !strings.HasPrefix(big.format, "pcapng") {
		smallSize = 4096
	}
	small := fuzzCaptureRead(t, data, smallSize)
	if big.err != small.err || len(big.packets) != len(small.packets) {
		t.Fatalf("buffer sizes disagree: %d packets, %q vs %d packets, %q", len(big.packets), big.err, len(small.packets), small.err)
	}
	for i := range big.packets {
		if !bytes.Equal(big.packets[i], small.packets[i]) || big.links[i] != small.links[i] {
			t.Fatalf("packet %d differs between buffer sizes", i+1)
		}
	}
}

func fuzzSeedPcapngBytes(t testing.TB) [][]byte {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	var f ngFile
	f.shb(binary.LittleEndian)
	f.idb(LinkEthernet, 0, f.opt(9, []byte{9}))
	f.block(4, make([]byte, 8))
	f.epb(0, 1, pkt)
	f.spb(uint32(len(pkt)), pkt)
	f.shb(binary.BigEndian)
	f.idb(LinkRaw, 64, f.opt(14, make([]byte, 8)))
	f.pb(0, 2, pkt[14:])
	f.epb(0, 3, pkt[14:])
	whole := bytes.Clone(f.Bytes())
	return [][]byte{whole, whole[:len(whole)-9]}
}

func fuzzSeedPcapBytes(t testing.TB) []byte {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	for i := range 3 {
		w.WritePacket(gopacket.CaptureInfo{Timestamp: testEpoch.Add(time.Duration(i) * time.Second), CaptureLength: len(pkt), Length: len(pkt)}, pkt)
	}
	return buf.Bytes()
}

// FuzzSourcePcap: classic pcap through pcapgo's reader and our checks.
func FuzzSourcePcap(f *testing.F) {
	f.Add(fuzzSeedPcapBytes(f))
	f.Fuzz(fuzzCapture)
}

// FuzzSourcePcapng: the pcapng block reader.
func FuzzSourcePcapng(f *testing.F) {
	for _, b := range fuzzSeedPcapngBytes(f) {
		f.Add(b)
	}
	f.Fuzz(fuzzCapture)
}

// FuzzSourceGzip: a capture compressed, then cut at any point of the
// compressed stream (a download that stopped), or its compressed bytes
// flipped, so the fuzzer reaches both formats behind gzip.
func FuzzSourceGzip(f *testing.F) {
	for _, b := range append(fuzzSeedPcapngBytes(f), fuzzSeedPcapBytes(f)) {
		f.Add(b, uint16(0), uint16(0))
		f.Add(b, uint16(40), uint16(0))
		f.Add(b, uint16(0), uint16(30))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut, flip uint16) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the smallest state: quicker runs
		zw.Write(data)
		zw.Close()
		z := buf.Bytes()
		if int(cut) > 0 && int(cut) < len(z) {
			z = z[:cut]
		}
		if int(flip) > 0 && int(flip) < len(z) {
			z[flip] ^= 0x55
		}
		fuzzCapture(t, z)
	})
}

// FuzzSourceZstd: as FuzzSourceGzip, behind zstd; raw adds inputs taken
// as the compressed stream itself (crafted frame headers and windows).
func FuzzSourceZstd(f *testing.F) {
	for _, b := range append(fuzzSeedPcapngBytes(f), fuzzSeedPcapBytes(f)) {
		f.Add(b, uint16(0), uint16(0), false)
		f.Add(b, uint16(40), uint16(0), false)
		f.Add(b, uint16(0), uint16(9), false)
	}
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0, 0, 0, 0}, uint16(0), uint16(0), true)
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, cut, flip uint16, raw bool) {
		z := data
		if !raw {
			z = zw.EncodeAll(data, nil)
		}
		if int(cut) > 0 && int(cut) < len(z) {
			z = z[:cut]
		}
		if int(flip) > 0 && int(flip) < len(z) {
			z[flip] ^= 0x55
		}
		if len(z) < 4 || binary.LittleEndian.Uint32(z) != zstdMagic {
			return // not zstd: the other targets cover it
		}
		fuzzCapture(t, z)
	})
}
