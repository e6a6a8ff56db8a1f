package main

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pcapngWithTimes is a pcapng file, microsecond timestamps, with one
// 60-byte Ethernet frame at each time: enhanced packet blocks carry
// 64-bit timestamps, so any year up to ~586,000 can be written.
func pcapngWithTimes(times ...time.Time) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	block := func(typ uint32, body []byte) {
		n := uint32(12 + len(body))
		b.Write(le.AppendUint32(le.AppendUint32(nil, typ), n))
		b.Write(body)
		b.Write(le.AppendUint32(nil, n))
	}
	// section header: byte-order magic, version 1.0, unknown length
	block(0x0A0D0D0A, le.AppendUint64(le.AppendUint16(le.AppendUint16(le.AppendUint32(nil, 0x1A2B3C4D), 1), 0), ^uint64(0)))
	// interface: Ethernet, snaplen 65535, default resolution (µs)
	block(1, le.AppendUint32(le.AppendUint16(le.AppendUint16(nil, 1), 0), 65535))
	frame := make([]byte, 60)
	copy(frame, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5}) // local experimental ethertype
	for _, t := range times {
		us := uint64(t.Unix())*1e6 + uint64(t.Nanosecond()/1e3)
		body := le.AppendUint32(nil, 0)
		body = le.AppendUint32(le.AppendUint32(body, uint32(us>>32)), uint32(us))
		body = le.AppendUint32(le.AppendUint32(body, uint32(len(frame))), uint32(len(frame)))
		block(6, append(body, frame...))
	}
	return b.Bytes()
}

// TestFarCaptureTimes: one record past year 9999 once lost the JSON
// report (exit 1, nothing written) and showed 1969 in the table; now
// every format renders it and names the record.
func TestFarCaptureTimes(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	far := time.Date(10000, 6, 1, 0, 0, 0, 0, time.UTC)
	path := writeFile(t, "far.pcapng", pcapngWithTimes(base, far, base.Add(time.Second), base.Add(2*time.Second)))
	for _, format := range []string{"table", "json", "eve"} {
		t.Run(format, func(t *testing.T) {
			r := runArgs(t, "analyze", "-f", format, path)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			if strings.Contains(r.stdout, "1969-12-31") { // a date, not the temporary directory's random number
				t.Errorf("a 1969 date:\n%s", r.stdout)
			}
			if format == "eve" {
				return
			}
			if want := "far.pcapng: packet 2: capture time past year 2262 is more than 24h0m0s"; !strings.Contains(r.stdout, want) {
				t.Errorf("no %q in:\n%s", want, r.stdout)
			}
			if format == "json" && !strings.Contains(r.stdout, `"last_time": "+10000-06-01T00:00:00.000000000Z"`) {
				t.Errorf("the file's last time is not rendered:\n%s", r.stdout)
			}
		})
	}
	// per-file reports, and a report written with -o
	out := filepath.Join(t.TempDir(), "r.json")
	runArgs(t, "analyze", "--per-file", "-f", "json", "-o", out, path, path).wantCode(t, exitOK)
	if !strings.Contains(string(readFile(t, out)), "+10000-06-01") {
		t.Errorf("per-file report lacks the far time")
	}
}
