package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/gopacket/pcapgo"
)

// ngLastBlock returns the offset of the last block of a little-endian
// pcapng stream.
func ngLastBlock(t *testing.T, b []byte) int {
	t.Helper()
	off, last := 0, -1
	for off+8 <= len(b) {
		last = off
		off += int(binary.LittleEndian.Uint32(b[off+4:]))
	}
	if off != len(b) || last < 0 {
		t.Fatalf("not a little-endian pcapng of whole blocks")
	}
	return last
}

func ngGzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDamagedPcapng: a pcapng damaged in its last block (cut, a block length
// of 0, 4 or 2^31, a packet claiming 0xFFFFFFF0 bytes) is exit 2 with one
// line naming the file, the packet and the offset, and the report of the
// packets before it, which still find the scan; `check` fails it. All used
// to end the read silently with exit 0.
func TestDamagedPcapng(t *testing.T) {
	mixed := readFile(t, capture("mixed.pcapng"))
	last := ngLastBlock(t, mixed)
	setU32 := func(at int, v uint32) []byte {
		b := bytes.Clone(mixed)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	tests := []struct {
		name string
		data []byte
		text string
	}{
		{"cut", mixed[:len(mixed)-7], "capture ends in the middle of a packet"},
		{"length 0", setU32(last+4, 0), "block length 0 is less than 12"},
		{"length 4", setU32(last+4, 4), "block length 4 is less than 12"},
		{"length 2^31", setU32(last+4, 1<<31), "block length 2147483648 exceeds"},
		{"packet of 0xFFFFFFF0 bytes", setU32(last+20, 0xfffffff0), "capture length 4294967280 exceeds 262144"},
	}
	for _, tt := range tests {
		for _, gz := range []bool{false, true} {
			name, data := "mixed.pcapng", tt.data
			if gz {
				name, data = "mixed.pcapng.gz", ngGzipBytes(t, data)
			}
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				path := writeFile(t, name, data)
				r := runArgs(t, "analyze", "-f", "json", path)
				r.wantCode(t, exitInput)
				r.wantOneErrorLine(t, path+": ", fmt.Sprintf("packet 363 at offset %d", last), tt.text)
				if !strings.Contains(r.stdout, `"sid": 9000002`) {
					t.Errorf("the report of the packets before the fault lost the scan:\n%s", truncate(r.stdout, 400))
				}

				dir := filepath.Dir(path)
				put(t, dir, strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".pcapng")+".expect.json", string(readFile(t, capture("mixed.expect.json"))))
				c := runArgs(t, "check", dir)
				c.wantCode(t, exitInput)
				if got := rowResult(c.stdout, filepath.Join(dir, "mixed")); got != "ERROR" {
					t.Errorf("check row %q, want ERROR:\n%s", got, c.stdout)
				}
			})
		}
	}
}

// TestPcapngSecondSection: a scan in a second section whose only interface
// is raw IP is decoded as raw IP, not as the first section's Ethernet, and
// found.
func TestPcapngSecondSection(t *testing.T) {
	f, err := os.Open(capture("portscan.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	var out bytes.Buffer
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		n := uint32(12 + len(body))
		out.Write(le.AppendUint32(le.AppendUint32(nil, typ), n))
		out.Write(body)
		out.Write(le.AppendUint32(nil, n))
	}
	shb := le.AppendUint32(nil, 0x1a2b3c4d)
	shb = append(le.AppendUint16(le.AppendUint16(shb, 1), 0), bytes.Repeat([]byte{0xff}, 8)...)
	idb := func(link uint16) []byte { return le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, link), 0), 0) }
	first := true
	for {
		data, ci, err := pr.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ts := uint64(ci.Timestamp.UnixMicro())
		epb := func(pkt []byte) {
			b := le.AppendUint32(nil, 0)
			b = le.AppendUint32(le.AppendUint32(b, uint32(ts>>32)), uint32(ts))
			b = le.AppendUint32(le.AppendUint32(b, uint32(len(pkt))), uint32(len(pkt)))
			block(6, append(b, pkt...))
		}
		if first {
			// section 1: the first packet, on Ethernet interface 0
			block(0x0a0d0d0a, shb)
			block(1, idb(1))
			epb(data)
			// section 2: the rest, on raw-IP interface 0
			block(0x0a0d0d0a, shb)
			block(1, idb(101))
			first = false
			continue
		}
		epb(data[14:])
	}
	path := writeFile(t, "sections.pcapng", out.Bytes())
	r := runArgs(t, "analyze", "-f", "json", path)
	r.wantCode(t, exitOK)
	if !strings.Contains(r.stdout, `"sid": 9000002`) || !strings.Contains(r.stdout, "RAW") {
		t.Errorf("the second section's raw-IP scan was not found:\n%s", truncate(r.stdout, 600))
	}
}
