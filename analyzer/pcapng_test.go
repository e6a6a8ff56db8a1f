package analyzer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
)

// ngFile builds pcapng streams by hand, block by block, so tests can write
// exactly the damage they mean; every block is in the order of the last
// section header.
type ngFile struct {
	bytes.Buffer
	order interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
}

func (f *ngFile) u16(v uint16) []byte { return f.order.AppendUint16(nil, v) }
func (f *ngFile) u32(v uint32) []byte { return f.order.AppendUint32(nil, v) }

// block writes a block with body padded to 4 bytes and returns its offset.
func (f *ngFile) block(typ uint32, body ...[]byte) int {
	off := f.Len()
	b := bytes.Join(body, nil)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	n := uint32(12 + len(b))
	f.Write(f.u32(typ))
	f.Write(f.u32(n))
	f.Write(b)
	f.Write(f.u32(n))
	return off
}

func (f *ngFile) shb(order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}) int {
	f.order = order
	return f.block(ngBlockSHB, f.u32(ngByteOrderMagic), f.u16(1), f.u16(0), bytes.Repeat([]byte{0xff}, 8))
}

// opt is one option, padded.
func (f *ngFile) opt(code uint16, v []byte) []byte {
	b := append(f.u16(code), f.u16(uint16(len(v)))...)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func (f *ngFile) idb(link LinkType, snap uint32, opts ...[]byte) int {
	body := [][]byte{f.u16(uint16(link)), f.u16(0), f.u32(snap)}
	if len(opts) > 0 {
		body = append(append(body, opts...), f.opt(0, nil))
	}
	return f.block(ngBlockIDB, body...)
}

func (f *ngFile) epb(iface uint32, ts uint64, data []byte) int {
	return f.block(ngBlockEPB, f.u32(iface), f.u32(uint32(ts>>32)), f.u32(uint32(ts)),
		f.u32(uint32(len(data))), f.u32(uint32(len(data))), data)
}

func (f *ngFile) pb(iface uint16, ts uint64, data []byte) int {
	return f.block(ngBlockPB, f.u16(iface), f.u16(0), f.u32(uint32(ts>>32)), f.u32(uint32(ts)),
		f.u32(uint32(len(data))), f.u32(uint32(len(data))), data)
}

func (f *ngFile) spb(orig uint32, data []byte) int {
	return f.block(ngBlockSPB, f.u32(orig), data)
}

func ngGzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ngMicros(t time.Time) uint64 { return uint64(t.UnixMicro()) }

// TestPcapngSections: each section brings its own byte order and interface
// table, so a raw-IP interface 0 in a second, big-endian section is read as
// raw IP (pcapgo kept the first section's table), with that interface's
// if_tsresol and if_tsoffset; simple, obsolete and unknown blocks are read
// or skipped. Read with a buffer smaller than every block too, which takes
// the copying path.
func TestPcapngSections(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	ip := pkt[14:]
	var f ngFile
	f.shb(binary.LittleEndian)
	f.idb(LinkEthernet, 0)
	f.block(4, make([]byte, 8)) // name resolution: skipped
	f.epb(0, ngMicros(testEpoch), pkt)
	f.shb(binary.BigEndian)
	// nanoseconds, an hour's offset
	f.idb(LinkRaw, 65535, f.opt(9, []byte{9}), f.opt(14, f.order.AppendUint64(nil, 3600)))
	f.block(0x80000001, []byte("local use")) // unknown: skipped
	f.epb(0, uint64(testEpoch.Add(time.Second).UnixNano()), ip)
	f.pb(0, uint64(testEpoch.Add(2*time.Second).UnixNano()), ip)
	f.spb(uint32(len(ip)), ip)
	// 2^-20 s units: half a second is 2^19
	f.idb(LinkEthernet, 0, f.opt(9, []byte{0x80 | 20}))
	f.epb(1, uint64(testEpoch.Unix())<<20|1<<19, pkt)

	want := []struct {
		link LinkType
		at   time.Time
		n    int
	}{
		{LinkEthernet, testEpoch, len(pkt)},
		{LinkRaw, testEpoch.Add(time.Hour + time.Second), len(ip)},
		{LinkRaw, testEpoch.Add(time.Hour + 2*time.Second), len(ip)},
		{LinkRaw, testEpoch.Add(time.Hour + 2*time.Second), len(ip)}, // no time: the last one's
		{LinkEthernet, testEpoch.Add(time.Second / 2), len(pkt)},
	}
	for _, tc := range []struct {
		name string
		data []byte
		buf  int
	}{
		{"pcapng", f.Bytes(), readBufferSize},
		{"pcapng small buffer", f.Bytes(), 16},
		{"pcapng.gz", ngGzipped(t, f.Bytes()), readBufferSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := openSource(context.Background(), StdinPath, 0, bytes.NewReader(tc.data), tc.buf)
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for ; s.Next(); i++ {
				if i >= len(want) {
					t.Fatalf("more than %d packets", len(want))
				}
				w := want[i]
				if s.Link != w.link || s.Time != w.at.UnixNano() || len(s.Data) != w.n {
					t.Errorf("packet %d: %v at %v, %d bytes; want %v at %v, %d bytes",
						i+1, s.Link, time.Unix(0, s.Time).UTC(), len(s.Data), w.link, w.at, w.n)
				}
			}
			if err := s.Err(); err != nil || i != len(want) {
				t.Fatalf("read %d packets, err %v; want %d", i, err, len(want))
			}
		})
	}
}

// TestPcapngDamaged: every structural fault is an error naming the file,
// the packet and the offset of the block at fault, after the packets before
// it were read; nothing ends silently, in plain or gzip-compressed files.
func TestPcapngDamaged(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	// good is a section with two packets; each case appends to it
	good := func() *ngFile {
		f := &ngFile{}
		f.shb(binary.LittleEndian)
		f.idb(LinkEthernet, 0)
		f.epb(0, ngMicros(testEpoch), pkt)
		f.epb(0, ngMicros(testEpoch)+1, pkt)
		return f
	}
	epbLen := 32 + (len(pkt)+3)&^3
	// header writes a block type and length with nothing after them
	header := func(f *ngFile, typ, length uint32) {
		f.Write(f.u32(typ))
		f.Write(f.u32(length))
		f.Write(make([]byte, 24))
	}
	tests := []struct {
		name   string
		damage func(f *ngFile)
		is     error
		text   string
		skip   int // bytes of good blocks damage writes before the fault
	}{
		{"cut packet block", func(f *ngFile) {
			var g ngFile
			g.order = f.order
			g.epb(0, 0, pkt)
			f.Write(g.Bytes()[:g.Len()-7])
		}, ErrTruncated, fmt.Sprintf("enhanced packet block of %d bytes has only %d", epbLen, epbLen-7), 0},
		{"cut block header", func(f *ngFile) { f.Write([]byte{6, 0, 0}) }, ErrTruncated, "block header of 8 bytes has only 3", 0},
		{"block length 0", func(f *ngFile) { header(f, ngBlockEPB, 0) }, ErrCorruptPacket, "block length 0 is less than 12", 0},
		{"block length 4", func(f *ngFile) { header(f, ngBlockEPB, 4) }, ErrCorruptPacket, "block length 4 is less than 12", 0},
		{"block length 2^31", func(f *ngFile) { header(f, ngBlockEPB, 1<<31) }, ErrCorruptPacket, fmt.Sprintf("block length 2147483648 exceeds %d", ngMaxReadBlock), 0},
		{"unknown block length 2^31", func(f *ngFile) { header(f, 0x999, 1<<31) }, ErrCorruptPacket, "block length 2147483648 exceeds 16777216", 0},
		{"block length not a multiple of 4", func(f *ngFile) { header(f, ngBlockEPB, 30) }, ErrCorruptPacket, "block length 30 is not a multiple of 4", 0},
		{"packet of 0xFFFFFFF0 bytes", func(f *ngFile) {
			f.block(ngBlockEPB, f.u32(0), f.u32(0), f.u32(0), f.u32(0xfffffff0), f.u32(0xfffffff0), pkt)
		}, ErrCorruptPacket, "capture length 4294967280 exceeds 262144", 0},
		{"packet longer than its block", func(f *ngFile) {
			f.block(ngBlockEPB, f.u32(0), f.u32(0), f.u32(0), f.u32(uint32(len(pkt)+100)), f.u32(0), pkt)
		}, ErrCorruptPacket, fmt.Sprintf("capture length %d does not fit its %d-byte enhanced packet block", len(pkt)+100, epbLen), 0},
		{"obsolete packet longer than its block", func(f *ngFile) {
			f.block(ngBlockPB, f.u16(0), f.u16(0), f.u32(0), f.u32(0), f.u32(200), f.u32(200), make([]byte, 8))
		}, ErrCorruptPacket, "capture length 200 does not fit its 40-byte packet block", 0},
		{"simple packet longer than its block", func(f *ngFile) { f.spb(200, make([]byte, 8)) }, ErrCorruptPacket, "capture length 200 does not fit its 24-byte simple packet block", 0},
		{"lengths disagree", func(f *ngFile) {
			off := f.epb(0, 0, pkt)
			binary.LittleEndian.PutUint32(f.Bytes()[f.Len()-4:], uint32(f.Len()-off-4))
		}, ErrCorruptPacket, fmt.Sprintf("enhanced packet block length %d at its start, %d at its end", epbLen, epbLen-4), 0},
		{"skipped block lengths disagree", func(f *ngFile) {
			f.block(5, make([]byte, 12))
			binary.LittleEndian.PutUint32(f.Bytes()[f.Len()-4:], 99)
		}, ErrCorruptPacket, "block length 24 at its start, 99 at its end", 0},
		{"undescribed interface", func(f *ngFile) { f.epb(3, 0, pkt) }, ErrCorruptPacket, "packet on interface 3, but the section describes 1", 0},
		{"new section without interfaces", func(f *ngFile) {
			f.shb(binary.BigEndian)
			f.epb(0, 0, pkt)
		}, ErrCorruptPacket, "packet on interface 0, but the section describes 0", 28},
		{"bad byte-order magic", func(f *ngFile) {
			off := f.shb(binary.LittleEndian)
			copy(f.Bytes()[off+8:], "abcd")
		}, ErrCorruptPacket, "section header byte-order magic is 61 62 63 64", 0},
		{"section version 2", func(f *ngFile) {
			f.block(ngBlockSHB, f.u32(ngByteOrderMagic), f.u16(2), f.u16(0), make([]byte, 8))
		}, ErrCorruptPacket, "pcapng version 2.0 is not supported", 0},
		{"if_tsresol beyond 64 bits", func(f *ngFile) { f.idb(LinkEthernet, 0, f.opt(9, []byte{20})) }, ErrCorruptPacket, "if_tsresol 0x14", 0},
		{"if_tsoffset short", func(f *ngFile) { f.idb(LinkEthernet, 0, f.opt(14, []byte{1, 2})) }, ErrCorruptPacket, "if_tsoffset of 2 bytes", 0},
		{"too many interfaces", func(f *ngFile) {
			for range ngMaxInterfaces {
				f.idb(LinkEthernet, 0)
			}
		}, ErrCorruptPacket, fmt.Sprintf("more than %d interfaces in one section", ngMaxInterfaces), (ngMaxInterfaces - 1) * 20},
		{"option past its block", func(f *ngFile) {
			f.block(ngBlockIDB, f.u16(1), f.u16(0), f.u32(0), f.u16(2), f.u16(400), make([]byte, 4))
		}, ErrCorruptPacket, "interface option 2 of 400 bytes runs past its block", 0},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		f := good()
		off := f.Len() + tc.skip
		tc.damage(f)
		for _, gz := range []bool{false, true} {
			name, data := "x.pcapng", f.Bytes()
			if gz {
				name, data = "x.pcapng.gz", ngGzipped(t, data)
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				s, err := OpenSource(path, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				n, _ := readAll(t, s)
				err = s.Err()
				where := fmt.Sprintf("%s: packet 3 at offset %d", path, off)
				if gz {
					where += " (decompressed)"
				}
				if n != 2 || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), tc.text) {
					t.Fatalf("read %d, err %v\nwant 2 packets, then %v with %q and %q", n, err, tc.is, where, tc.text)
				}
				if !s.Summary.Truncated || s.Summary.Error != err.Error() || s.Summary.Packets != 2 {
					t.Errorf("summary %+v", s.Summary)
				}
			})
		}
	}
}

// TestPcapngOpenErrors: a stream that is not even one good section header.
func TestPcapngOpenErrors(t *testing.T) {
	var f ngFile
	f.shb(binary.LittleEndian)
	whole := f.Bytes()
	badMagic := bytes.Clone(whole)
	copy(badMagic[8:], "wxyz")
	for _, tc := range []struct {
		name string
		data []byte
		is   error
		text string
	}{
		{"cut section header", whole[:10], ErrTruncated, "section header of 12 bytes has only 10"},
		{"cut section header body", whole[:20], ErrTruncated, "section header of 28 bytes has only 20"},
		{"byte-order magic", badMagic, ErrNotCapture, "pcapng: section header byte-order magic is 77 78 79 7a"},
		{"only a section header", whole, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := openSource(context.Background(), StdinPath, 0, bytes.NewReader(tc.data), readBufferSize)
			if tc.is == nil {
				if err != nil || s.Next() || s.Err() != nil {
					t.Fatalf("err %v; want an empty capture", err)
				}
				return
			}
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), "<stdin>: ") || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err %v; want %v with %q", err, tc.is, tc.text)
			}
		})
	}
}

// TestPcapngHugeClaimAlloc: a packet block that claims gigabytes, in a
// block of any length, is refused before anything is allocated for it.
// (pcapgo allocated the claim: 4 GiB for this file.)
func TestPcapngHugeClaimAlloc(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	for _, length := range []uint32{ngMaxReadBlock, 0xfffffff0} {
		var f ngFile
		f.shb(binary.LittleEndian)
		f.idb(LinkEthernet, 0)
		f.Write(f.u32(ngBlockEPB))
		f.Write(f.u32(length))
		f.Write(bytes.Join([][]byte{f.u32(0), f.u32(0), f.u32(0), f.u32(0xfffffff0), f.u32(0xfffffff0), pkt}, nil))
		f.Write(make([]byte, 4096))
		data := ngGzipped(t, f.Bytes())
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := OpenSource(StdinPath, 0, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if s.Next() || s.Err() == nil {
			t.Fatalf("block of %d claiming 0xfffffff0 bytes: no error", length)
		}
		runtime.ReadMemStats(&after)
		// the buffers: 2×256 KiB of bufio, gzip's state, the inflater's
		// 256 KiB ring, one scratch block
		if got := after.TotalAlloc - before.TotalAlloc; got > 5<<19 {
			t.Errorf("block of %d: %d bytes allocated reading it; want under 2.5 MiB", length, got)
		}
	}
}

// TestPcapngNextAllocs: reading a packet allocates nothing; its bytes are
// those of the read buffer.
func TestPcapngNextAllocs(t *testing.T) {
	if e2eRaceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	var f ngFile
	f.shb(binary.LittleEndian)
	f.idb(LinkEthernet, 0)
	for i := range 3000 {
		f.epb(0, uint64(i), pkt)
	}
	s, err := openSource(context.Background(), StdinPath, 0, bytes.NewReader(f.Bytes()), readBufferSize)
	if err != nil {
		t.Fatal(err)
	}
	s.Next() // the first sets up the summary's link types
	if a := testing.AllocsPerRun(2000, func() {
		if !s.Next() {
			t.Fatal(s.Err())
		}
	}); a != 0 {
		t.Errorf("%v allocations per packet; want 0", a)
	}
}

// BenchmarkPcapngNext: reading pcapng packets.
func BenchmarkPcapngNext(b *testing.B) {
	pkt := serialize(b, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	var f ngFile
	f.shb(binary.LittleEndian)
	f.idb(LinkEthernet, 0)
	for i := range 10000 {
		f.epb(0, uint64(i), pkt)
	}
	data := f.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s, err := openSource(context.Background(), StdinPath, 0, bytes.NewReader(data), readBufferSize)
		if err != nil {
			b.Fatal(err)
		}
		for s.Next() {
		}
	}
}

// TestPcapngTime: every if_tsresol a 64-bit count can carry converts
// without overflow; seconds beyond any date saturate instead of wrapping.
func TestPcapngTime(t *testing.T) {
	units := func(res byte) uint64 {
		u, ok := ngTSUnits(res)
		if !ok {
			t.Fatalf("if_tsresol %#x refused", res)
		}
		return u
	}
	for _, tc := range []struct {
		name   string
		in     ngInterface
		ts     uint64
		wantS  int64
		wantNs int64
	}{
		{"microseconds", ngInterface{units: 1e6}, 1_500_000, 1, 500_000_000},
		{"nanoseconds", ngInterface{units: 1e9}, 2_000_000_007, 2, 7},
		{"10^-19", ngInterface{units: units(19)}, 15e18, 1, 500_000_000},
		{"2^-63", ngInterface{units: units(0x80 | 63)}, 3 << 62, 1, 500_000_000},
		{"2^-10", ngInterface{units: units(0x80 | 10)}, 1024 + 1, 1, 976_562},
		{"seconds, saturated", ngInterface{units: units(0)}, math.MaxUint64, 1 << 62, 0},
		{"negative offset", ngInterface{units: 1e6, offset: -10}, 11e6, 1, 0},
		{"offset saturates", ngInterface{units: units(0), offset: math.MaxInt64}, 5, 1 << 62, 0},
		{"offset most negative", ngInterface{units: units(0), offset: math.MinInt64}, 5, -1 << 62, 0},
	} {
		got := tc.in.time(tc.ts)
		if got.Unix() != tc.wantS || int64(got.Nanosecond()) != tc.wantNs {
			t.Errorf("%s: %d s %d ns, want %d s %d ns", tc.name, got.Unix(), got.Nanosecond(), tc.wantS, tc.wantNs)
		}
	}
	for _, res := range []byte{20, 0x7f, 0x80 | 64, 0xff} {
		if _, ok := ngTSUnits(res); ok {
			t.Errorf("if_tsresol %#x accepted; it overflows 64 bits", res)
		}
	}
}
