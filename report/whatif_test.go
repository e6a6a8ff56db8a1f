package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// whatIfResult is a comparison of no list (A) against a list hiding an
// internal scanner, a guest VM and an external attacker (B): rows that
// shrink, grow and stay, a MAC host, a spoofed placeholder, a signature
// name with a control character, blocks lifted, gained and changed, and
// warnings both ways. A fresh value each call.
func whatIfResult() *analyzer.WhatIf {
	return &analyzer.WhatIf{
		Schema:  analyzer.WhatIfSchema,
		Files:   14,
		Packets: 123456,
		A: analyzer.WhatIfSide{Label: "A", Name: "none", Exclusions: []analyzer.ExclusionUse{},
			Alerts: 27, Hosts: 12, BlockedHosts: 8, DroppedPackets: 9000, DroppedBytes: 1234567},
		B: analyzer.WhatIfSide{Label: "B", Name: "lists/rollout.txt", Exclusions: []analyzer.ExclusionUse{
			{Entry: "192.168.1.250", Where: "lists/rollout.txt:2", Kind: "host", Alerts: 16},
			{Entry: "00:0c:29:5e:71:a2", Where: "lists/rollout.txt:3", Kind: "host", Alerts: 1},
			{Entry: "203.0.113.66", Where: "lists/rollout.txt:4", Kind: "host", Alerts: 1},
		}, Alerts: 10, Hosts: 10, BlockedHosts: 7, DroppedPackets: 5857, DroppedBytes: 987654},
		Rows: []analyzer.WhatIfRow{
			{Host: analyzer.MustParseHost("192.168.1.250"), SID: 9000002, Name: "Attack: Port Scan", AlertsA: 7, Change: -7, BlockedA: true},
			{Host: analyzer.MustParseHost("192.168.1.250"), SID: 9100004, Name: "Scan: Nessus user agent\x1b[31m", AlertsA: 6, Change: -6, BlockedA: true},
			{Host: analyzer.MustParseHost("192.168.1.7"), SID: 9000004, Name: "Attack: Brute Force Remote Login", AlertsB: 1, Change: 1, BlockedB: true},
			{Host: analyzer.MustParseHost("203.0.113.66"), SID: 9000002, Name: "Attack: Port Scan", AlertsA: 1, Change: -1, BlockedA: true},
			{Host: analyzer.MustParseHost("00:0c:29:5e:71:a2"), SID: 9000003, Name: "Attack: ARP Cache Poisoning", AlertsA: 1, Change: -1},
			{Host: analyzer.MustParseHost("198.51.100.23"), SID: 9000001, Name: "Attack: TCP SYN Flood", AlertsA: 1, AlertsB: 1, BlockedA: true, BlockedB: true},
			{Host: analyzer.MustParseHost("(spoofed sources)"), SID: 9000001, Name: "Attack: TCP SYN Flood", AlertsA: 1, AlertsB: 1},
		},
		Blocks: []analyzer.WhatIfBlock{
			{Host: analyzer.MustParseHost("203.0.113.66"), BlocksA: 1, DroppedPacketsA: 2426, DroppedBytesA: 160000},
			{Host: analyzer.MustParseHost("192.168.1.250"), BlocksA: 1, DroppedPacketsA: 722, DroppedBytesA: 90000},
			{Host: analyzer.MustParseHost("192.168.1.7"), BlocksB: 1, DroppedPacketsB: 5, DroppedBytesB: 300},
			{Host: analyzer.MustParseHost("198.51.100.23"), BlocksA: 1, BlocksB: 1, DroppedPacketsA: 5601, DroppedPacketsB: 5601, DroppedBytesA: 336060, DroppedBytesB: 336060},
		},
		Warnings: []analyzer.WhatIfWarning{
			{Host: analyzer.MustParseHost("203.0.113.66"), HiddenBy: "B", SIDs: []uint32{9000002}, Alerts: 1, Block: true, DroppedPackets: 2426,
				Reasons: []string{"external host (outside hosts are never excused)"},
				Message: "B (lists/rollout.txt) hides 203.0.113.66: 1 alert (9000002 Attack: Port Scan) and its block (2426 packets dropped under A): external host (outside hosts are never excused)"},
			{Host: analyzer.MustParseHost("192.168.1.7"), HiddenBy: "A", SIDs: []uint32{9000004}, Alerts: 1, Block: true, DroppedPackets: 5,
				Reasons: []string{"no false-positive verdict (nothing explains these alerts as benign)"},
				Message: "A (none) hides 192.168.1.7: 1 alert (9000004 Attack: Brute Force Remote Login)\nand its block"},
		},
	}
}

// emptyWhatIf is the zero comparison: nothing fired, nil slices.
func emptyWhatIf() *analyzer.WhatIf {
	return &analyzer.WhatIf{A: analyzer.WhatIfSide{Label: "A"}, B: analyzer.WhatIfSide{Label: "B", Name: "none"}}
}

func TestWhatIfGolden(t *testing.T) {
	for _, c := range []struct {
		name   string
		result func() *analyzer.WhatIf
	}{
		{"whatif", whatIfResult},
		{"whatif-empty", emptyWhatIf},
	} {
		for _, f := range []Format{FormatTable, FormatJSON} {
			t.Run(c.name+"/"+string(f), func(t *testing.T) {
				w := c.result()
				var buf bytes.Buffer
				if err := WriteWhatIf(&buf, w, f); err != nil {
					t.Fatal(err)
				}
				golden(t, c.name+"."+string(f)+".golden", buf.Bytes())
				if !reflect.DeepEqual(w, c.result()) {
					t.Error("WriteWhatIf modified its argument")
				}
				if f == FormatTable {
					for i, b := range buf.Bytes() {
						if b != '\n' && (b < 0x20 || b > 0x7e) {
							t.Fatalf("byte %d is %#x: the table is not plain ASCII", i, b)
						}
					}
				}
			})
		}
	}
}

// TestWhatIfJSONRoundTrip: the document decodes back into the same value,
// and empty lists are [] rather than null.
func TestWhatIfJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteWhatIfJSON(&buf, whatIfResult()); err != nil {
		t.Fatal(err)
	}
	var back analyzer.WhatIf
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, whatIfResult()) {
		t.Errorf("round trip differs:\n%+v\nwant\n%+v", back, *whatIfResult())
	}

	buf.Reset()
	if err := WriteWhatIfJSON(&buf, emptyWhatIf()); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); strings.Contains(s, "null") || !strings.Contains(s, `"schema": "`+analyzer.WhatIfSchema+`"`) {
		t.Errorf("empty what-if JSON has null or no schema:\n%s", s)
	}
}

// TestWhatIfTableRowCap: changed rows are all shown, unchanged ones up to
// the cap, and the rest are counted.
func TestWhatIfTableRowCap(t *testing.T) {
	w := emptyWhatIf()
	for i := range MaxWhatIfRows + 10 {
		change := int64(0)
		if i < 5 || i == MaxWhatIfRows+9 { // one change past the cap still shows
			change = -1
		}
		w.Rows = append(w.Rows, analyzer.WhatIfRow{Host: analyzer.MustParseHost(fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)), SID: 9000002,
			Name: "Attack: Port Scan", AlertsA: 1, AlertsB: uint64(1 + change), Change: change})
	}
	var buf bytes.Buffer
	if err := WriteWhatIfTable(&buf, w); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "| 10.0.0.60 ") {
		t.Error("a changed row past the cap is not shown")
	}
	if strings.Contains(out, "| 10.0.0.51 ") {
		t.Error("an unchanged row past the cap is shown")
	}
	if !strings.Contains(out, "... 9 more unchanged rows (see --format json)") {
		t.Errorf("no count of the rows left out:\n%s", out)
	}
}

func TestWhatIfWriteErrors(t *testing.T) {
	if err := WriteWhatIf(&bytes.Buffer{}, whatIfResult(), FormatEVE); err == nil || !strings.Contains(err.Error(), "want table or json") {
		t.Errorf("eve: err = %v", err)
	}
	for _, f := range []Format{FormatTable, FormatJSON} {
		if err := WriteWhatIf(&bytes.Buffer{}, nil, f); !errors.Is(err, errNilResult) {
			t.Errorf("%s of nil: err = %v", f, err)
		}
		boom := errors.New("disk full")
		if err := WriteWhatIf(failWriter{boom}, whatIfResult(), f); !errors.Is(err, boom) {
			t.Errorf("%s to a failing writer: err = %v", f, err)
		}
	}
}
