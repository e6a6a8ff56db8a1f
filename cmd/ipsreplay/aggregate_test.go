package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// writeARPFlood writes n gratuitous ARP replies, each from a MAC of its
// own, claiming one of 20 addresses: an alert for nearly every packet.
func writeARPFlood(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, 60)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range n {
		mac := []byte{0x02, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
		ip := []byte{10, 0, 0, byte(1 + i%20)}
		copy(frame[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		copy(frame[6:12], mac)
		binary.BigEndian.PutUint16(frame[12:], 0x0806)
		copy(frame[14:22], []byte{0, 1, 8, 0, 6, 4, 0, 2})
		copy(frame[22:28], mac)
		copy(frame[28:32], ip)
		copy(frame[32:38], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		copy(frame[38:42], ip)
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * time.Millisecond), CaptureLength: 60, Length: 60}
		if err := w.WritePacket(ci, frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// A flood's report lists a bounded sample and says so; analyze -f eve
// streams every alert to its output all the same.
func TestAnalyzeFloodAggregated(t *testing.T) {
	dir := t.TempDir()
	flood := filepath.Join(dir, "flood.pcap")
	writeARPFlood(t, flood, 2000)
	bound := []string{"--no-progress", "--set", "report.max_alerts=25", "--set", "report.max_events=60"}

	r := runArgs(t, append([]string{"analyze", "-f", "json"}, append(bound, flood)...)...)
	r.wantCode(t, exitOK)
	var rep struct {
		Summary struct {
			Listing struct {
				Alerts uint64 `json:"alerts"`
			} `json:"listing"`
		} `json:"summary"`
		Signatures []struct {
			Count uint64 `json:"count"`
		} `json:"signatures"`
		Alerts   []json.RawMessage `json:"alerts"`
		Events   []json.RawMessage `json:"events"`
		Warnings []string          `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var total uint64
	for _, s := range rep.Signatures {
		total += s.Count
	}
	if total < 1000 || rep.Summary.Listing.Alerts != total {
		t.Fatalf("%d alerts counted, listing says %d: the flood did not fire", total, rep.Summary.Listing.Alerts)
	}
	if len(rep.Alerts) > 50 || len(rep.Events) > 60 {
		t.Errorf("the report lists %d alerts and %d events, past the bounds", len(rep.Alerts), len(rep.Events))
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "report.max_alerts 25") {
		t.Errorf("no warning names the bound: %q", rep.Warnings)
	}

	table := runArgs(t, append([]string{"analyze"}, append(bound, flood)...)...)
	if !strings.Contains(table.stdout, "listed in full (report.max_alerts 25") || !strings.Contains(table.stdout, "The largest groups") {
		t.Errorf("the table does not say the alerts are a sample:\n%s", table.stdout)
	}

	out := filepath.Join(dir, "flood.eve")
	r = runArgs(t, append([]string{"analyze", "-f", "eve", "-o", out}, append(bound, flood)...)...)
	r.wantCode(t, exitOK)
	var alerts uint64
	for _, l := range strings.Split(strings.TrimSpace(string(readFile(t, out))), "\n") {
		var rec struct {
			EventType string `json:"event_type"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("EVE line %q: %v", l, err)
		}
		if rec.EventType == "alert" {
			alerts++
		}
	}
	if alerts != total {
		t.Errorf("EVE has %d alerts, want every one of %d", alerts, total)
	}
}
