package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/expect"
)

// fuzzResult is richResult with the fuzzer's strings in every place a
// packet, a rule or a file name can put text, and its numbers in times
// and counts.
func fuzzResult(text, path string, when int64, count uint64) *analyzer.Result {
	r := richResult()
	t := analyzer.TimeOf(time.Unix(0, when).UTC())
	r.Summary.FirstTime, r.Summary.Packets = t, count
	r.Files[0].Path, r.Files[0].Error = path, text
	for i := range r.Signatures {
		s := &r.Signatures[i]
		s.Name, s.Description, s.Category, s.Count, s.Last = text, text, text, count, t
		s.FirstPacket.File = path
	}
	for i := range r.Alerts {
		a := &r.Alerts[i]
		a.Name, a.Detail, a.Kind, a.Count, a.First = text, text, text, count, t
		a.LastPacket.File = path
	}
	for i := range r.Events {
		if a := r.Events[i].Alert; a != nil {
			c := *a
			c.Name, c.Detail = text, text
			r.Events[i].Alert = &c
		}
		r.Events[i].Time = t
	}
	for i := range r.FalsePositives {
		fp := &r.FalsePositives[i]
		fp.Reason = text
		fp.Evidence = append(fp.Evidence, text)
	}
	for i := range r.Investigate {
		r.Investigate[i].Evidence = append(r.Investigate[i].Evidence, text)
	}
	r.AlertGroups = []analyzer.AlertGroup{{SID: 1, Name: text, Kind: text, Alerts: count, First: t, Last: t}}
	r.Summary.Listing = analyzer.Listing{Alerts: count, AlertsListed: 1}
	r.Warnings = append(r.Warnings, text)
	return r
}

// FuzzRenderers: every format renders any result without error; JSON is
// one valid document, EVE and JSON lines valid one per line, and text
// for people plain printable ASCII, whatever bytes packets and file
// names held.
func FuzzRenderers(f *testing.F) {
	f.Add("<script>alert(1)</script>", "day1.pcap", int64(1_700_000_000_000_000_000), uint64(3))
	f.Add("\x1b[31mred\x1b[0m\u202e\xff\xfe\n\r\t", "dir/\x1b]0;title\a.pcap", int64(-1)<<63, uint64(1)<<63)
	f.Add("", "", int64(1)<<62, uint64(0))
	f.Fuzz(func(t *testing.T, text, path string, when int64, count uint64) {
		r := fuzzResult(text, path, when, count)
		for _, fm := range Formats(Report) {
			var out bytes.Buffer
			if err := Write(&out, r, fm); err != nil {
				t.Fatalf("%s: %v", fm, err)
			}
			checkRendered(t, string(fm), fm, out.Bytes())
			out.Reset()
			if err := WriteEach(&out, []*analyzer.Result{r, r}, fm); err != nil {
				t.Fatalf("%s, per file: %v", fm, err)
			}
		}
		for _, fm := range Formats(Events) {
			var out bytes.Buffer
			for _, ev := range r.Events {
				if err := writeEvent(&out, ev, fm); err != nil {
					t.Fatalf("%s event: %v", fm, err)
				}
			}
			checkRendered(t, string(fm)+" events", fm, out.Bytes())
		}
		var out bytes.Buffer
		if err := WriteSuggestedExclusions(&out, r, SuggestOptions{}); err != nil {
			t.Fatalf("suggest: %v", err)
		}
		rep := &expect.Report{Cases: []expect.Case{{Path: path + expect.Suffix, Expected: text, Got: text,
			Diffs: []expect.Diff{expect.Diff(text)}}, {Path: text, Err: errors.New(text)}}}
		out.Reset()
		if err := WriteCheck(&out, rep); err != nil {
			t.Fatalf("check table: %v", err)
		}
		checkRendered(t, "check table", FormatTable, out.Bytes())
		out.Reset()
		if err := WriteJUnit(&out, rep); err != nil {
			t.Fatalf("junit: %v", err)
		}
		parseJUnit(t, out.Bytes())
	})
}

// writeEvent writes one event in the streaming format fm.
func writeEvent(w *bytes.Buffer, ev analyzer.Event, fm Format) error {
	s, _ := spec(fm)
	return s.event(w, ev)
}

// checkRendered checks out as format fm promises it: HTML is plain
// printable ASCII as the tables are, with no element from the data.
func checkRendered(t *testing.T, what string, fm Format, out []byte) {
	t.Helper()
	switch fm {
	case FormatJSON:
		if !json.Valid(out) {
			t.Fatalf("%s: not valid JSON:\n%s", what, out)
		}
	case FormatEVE, FormatJSONL:
		for i, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if l != "" && !json.Valid([]byte(l)) {
				t.Fatalf("%s: line %d is not valid JSON: %s", what, i+1, l)
			}
		}
	case FormatHTML:
		// the page's own script elements only: the filter and one data
		// block per alerts table; no element from the data
		page := strings.ToLower(string(out))
		if n, own := strings.Count(page, "<script"), strings.Count(page, `<script type="application/json"`)+1; n != own {
			t.Fatalf("%s: %d script elements, want %d:\n%s", what, n, own, out)
		}
		if strings.Contains(page, "<img") {
			t.Fatalf("%s: an img element from the data:\n%s", what, out)
		}
		checkRendered(t, what, FormatTable, out)
	default:
		for i, b := range out {
			if b != '\n' && (b < 0x20 || b > 0x7e) {
				t.Fatalf("%s: byte %#x at %d is not printable ASCII:\n%s", what, b, i, out)
			}
		}
	}
}
