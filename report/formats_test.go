package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func TestFormatsByKind(t *testing.T) {
	tests := []struct {
		kind Kind
		want []Format
	}{
		{Report, []Format{FormatTable, FormatJSON, FormatEVE, FormatHTML}},
		{Events, []Format{FormatLines, FormatJSONL, FormatEVE}},
		{WhatIf, []Format{FormatTable, FormatJSON}},
		{Signatures, []Format{FormatTable, FormatJSON}},
		{Report | Events, []Format{FormatEVE}},
	}
	for _, tt := range tests {
		if got := Formats(tt.kind); !slices.Equal(got, tt.want) {
			t.Errorf("Formats(%d) = %v, want %v", tt.kind, got, tt.want)
		}
	}
	if Format("xml").Renders(Report) {
		t.Error("an unknown format renders reports")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in, kindName string
		kind         Kind
		want         Format
		err          string // what the error lists, "" for none
	}{
		{"table", "report", Report, FormatTable, ""},
		{" JSON ", "what-if", WhatIf, FormatJSON, ""},
		{"eve", "what-if", WhatIf, "", `format "eve": want table or json`},
		{"lines", "report", Report, "", `format "lines": want table, json, eve or html`},
		{"json", "signatures", Signatures, FormatJSON, ""},
		{"yaml", "signatures", Signatures, "", `format "yaml": want table or json`},
	}
	for _, tt := range tests {
		got, err := Lookup(tt.in, tt.kind)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Lookup(%q, %s) = %q, %v; want %q, %q", tt.in, tt.kindName, got, err, tt.want, tt.err)
		}
	}
}

// replay and capture: a stream then its report, or a report alone; the
// report after event lines is a table on stdout and JSON in a file.
func TestParseLiveFormat(t *testing.T) {
	tests := []struct {
		in, output    string
		stream, final Format
		err           bool
	}{
		{"lines", "", FormatLines, FormatTable, false},
		{"lines", "out.json", FormatLines, FormatJSON, false},
		{"JSONL", "", FormatJSONL, FormatJSON, false},
		{"eve", "", FormatEVE, FormatJSON, false},
		{"table", "", "", FormatTable, false},
		{"json", "x", "", FormatJSON, false},
		{"yaml", "", "", "", true},
		{"html", "report.html", "", FormatHTML, false},
	}
	for _, tt := range tests {
		stream, final, err := ParseLiveFormat(tt.in, tt.output)
		if stream != tt.stream || final != tt.final || (err != nil) != tt.err {
			t.Errorf("ParseLiveFormat(%q, %q) = %q, %q, %v; want %q, %q, error %v", tt.in, tt.output, stream, final, err, tt.stream, tt.final, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "want lines, jsonl, eve, table, json or html") {
			t.Errorf("error %q does not list the formats as replay documents them", err)
		}
	}
}

func TestWriteFinal(t *testing.T) {
	r := richResult()
	var table bytes.Buffer
	if err := WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		stream, final Format
		want          string
	}{
		{"", FormatTable, table.String()},
		{FormatLines, FormatTable, "\n" + table.String()},
		{FormatJSONL, FormatJSON, ""},
		{FormatEVE, FormatJSON, ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WriteFinal(&buf, r, tt.stream, tt.final); err != nil || buf.String() != tt.want {
			t.Errorf("after %q: wrote %d bytes, %v; want %d", tt.stream, buf.Len(), err, len(tt.want))
		}
	}
}

func TestEventWriter(t *testing.T) {
	ev := analyzer.Event{Type: analyzer.EventUnblock, Time: eveAt("10:00:00"), Host: analyzer.MustParseHost("10.0.0.1")}
	for _, f := range Formats(Events) {
		var buf bytes.Buffer
		if err := EventWriter(f)(&buf, ev); err != nil || !strings.Contains(buf.String(), "10.0.0.1") || !strings.HasSuffix(buf.String(), "\n") {
			t.Errorf("%s: wrote %q, %v; want one line naming the host", f, buf.String(), err)
		}
	}
	if EventWriter(FormatTable) != nil {
		t.Error("the table format streams events")
	}
}
