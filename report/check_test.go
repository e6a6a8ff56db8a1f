package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/expect"
)

// checkReport is a check run with one case of each kind: passes (one of
// them merged from two captures), a failure with diffs, an error, and an
// expectation --update rewrote. It returns a fresh value each call.
func checkReport() *expect.Report {
	return &expect.Report{Start: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), Cases: []expect.Case{
		{
			Path:     "pcaps/portscan.expect.json",
			Captures: []string{"pcaps/portscan.pcap"},
			Expected: "9000002 x1 [203.0.113.66]; blocked 1",
			Got:      "9000002 x1 [203.0.113.66]; blocked 1",
			Elapsed:  12 * time.Millisecond,
		},
		{
			Path:     "pcaps/scanner-internal.expect.json",
			Captures: []string{"pcaps/scanner-internal.pcap"},
			Expected: "9000002 x7 [192.168.1.250], 9000004 x1 [192.168.1.250]; blocked 1; fp 192.168.1.250 scanner",
			Got:      "9000004 x1 [192.168.1.250]; blocked 1; fp 192.168.1.250 scanner",
			Diffs: []expect.Diff{
				`- signature 9000002 "Attack: Port Scan": expected to fire, did not`,
				`~ signature 9000004 "Attack: Brute Force Remote Login": 1 alert, want 2`,
				"+ signature 9000009 \"Odd\x1b[31m\": fired 1 alert (attackers 10.0.0.1), not expected",
			},
			Elapsed: 1500 * time.Millisecond,
		},
		{
			Path:     "pcaps/broken.expect.json",
			Captures: nil, // never got that far
			Err:      errors.New("pcaps/broken.expect.json: line 3 col 21: invalid character '}' looking for beginning of object key string"),
			Elapsed:  time.Millisecond,
		},
		{
			Path:     "pcaps/scan-split.expect.json",
			Captures: []string{"pcaps/scan-part1.pcap", "pcaps/scan-part2.pcap"},
			Expected: "9000002 x1 [203.0.113.88]; blocked 1",
			Got:      "9000002 x1 [203.0.113.88]; blocked 1",
			Elapsed:  30 * time.Millisecond,
		},
		{
			Path:     "new/guest-vm.expect.json",
			Captures: []string{"new/guest-vm.pcap"},
			Expected: "nothing fires",
			Got:      "9000003 x1 [00:0c:29:c4:19:3b]; no blocks; fp 00:0c:29:c4:19:3b guest-vm",
			Diffs: []expect.Diff{
				`+ signature 9000003 "Attack: ARP Cache Poisoning": fired 1 alert (attackers 00:0c:29:c4:19:3b), not expected`,
			},
			Updated: true,
			Elapsed: 2 * time.Millisecond,
		},
	}}
}

func TestWriteCheckGolden(t *testing.T) {
	rep := checkReport()
	var buf bytes.Buffer
	if err := WriteCheck(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "check.golden", buf.Bytes())
	out := buf.String()

	if !reflect.DeepEqual(rep, checkReport()) {
		t.Error("WriteCheck modified the report")
	}
	var again bytes.Buffer
	if err := WriteCheck(&again, checkReport()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two renderings of the same report differ")
	}

	// What the golden file must show, whatever the table looks like.
	for _, want := range []string{
		"| Case ", "| Captures ", "| Expected ", "| Got ", "| Result ",
		"scan-part1.pcap + scan-part2.pcap",
		"\nFAIL pcaps/scanner-internal:\n" +
			"    - signature 9000002 \"Attack: Port Scan\": expected to fire, did not\n" +
			"    ~ signature 9000004 \"Attack: Brute Force Remote Login\": 1 alert, want 2\n" +
			"    + signature 9000009 \"Odd\\x1b[31m\": fired 1 alert (attackers 10.0.0.1), not expected\n",
		"\nERROR pcaps/broken: pcaps/broken.expect.json: line 3 col 21: invalid character",
		"\nUPDATED new/guest-vm.expect.json (what changed):\n" +
			"    + signature 9000003 \"Attack: ARP Cache Poisoning\": fired 1 alert",
		"\n\n1 updated\n1 could not run (errors above)\n2 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"portscan", "scan-split"} {
		if strings.Contains(out, "FAIL pcaps/"+name) || strings.Contains(out, "ERROR pcaps/"+name) {
			t.Errorf("passing case %s has a diff section", name)
		}
	}
	for _, row := range []struct{ name, result string }{
		{"pcaps/portscan", "pass"},
		{"pcaps/scanner-internal", "FAIL"},
		{"pcaps/broken", "ERROR"},
		{"pcaps/scan-split", "pass"},
		{"new/guest-vm", "UPDATED"},
	} {
		if r := rowResult(out, row.name); r != row.result {
			t.Errorf("row %s: result %q, want %q", row.name, r, row.result)
		}
	}
	for i, ch := range buf.Bytes() {
		if ch != '\n' && (ch < 0x20 || ch > 0x7e) {
			t.Fatalf("byte %d is %#x, want printable ASCII or newline", i, ch)
		}
	}
}

// rowResult finds the table row of a case and returns its last cell.
func rowResult(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) > 2 && strings.TrimSpace(cells[1]) == name {
			return strings.TrimSpace(cells[len(cells)-2])
		}
	}
	return ""
}

func TestWriteCheckCounts(t *testing.T) {
	tests := []struct {
		name  string
		rep   *expect.Report
		want  string // the last line
		avoid []string
	}{
		{
			name:  "all pass",
			rep:   &expect.Report{Cases: checkReport().Cases[:1]},
			want:  "1 passed, 0 failed\n",
			avoid: []string{"FAIL", "ERROR", "UPDATED", "updated"},
		},
		{
			name:  "no cases",
			rep:   &expect.Report{},
			want:  "0 passed, 0 failed\n",
			avoid: []string{"FAIL", "ERROR", "updated"},
		},
		{
			name: "an expectation written for a new capture",
			rep: &expect.Report{Cases: []expect.Case{
				{Path: "new/benign.expect.json", Captures: []string{"new/benign.pcap"}, Expected: "nothing fires", Got: "nothing fires", Updated: true},
			}},
			want:  "1 updated\n0 passed, 0 failed\n",
			avoid: []string{"FAIL", "ERROR"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCheck(&buf, tt.rep); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.HasSuffix(out, "\n\n"+tt.want) {
				t.Errorf("output does not end with %q:\n%s", tt.want, out)
			}
			for _, a := range tt.avoid {
				if strings.Contains(out, a) {
					t.Errorf("output contains %q:\n%s", a, out)
				}
			}
		})
	}
}

// junit is the JUnit document as a CI system reads it back.
type junit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name      string `xml:"name,attr"`
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Errors    int    `xml:"errors,attr"`
		Time      string `xml:"time,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Cases     []struct {
			Name      string        `xml:"name,attr"`
			Classname string        `xml:"classname,attr"`
			File      string        `xml:"file,attr"`
			Time      string        `xml:"time,attr"`
			Failure   *junitProblem `xml:"failure"`
			Error     *junitProblem `xml:"error"`
			SystemOut string        `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// parseJUnit decodes data strictly: encoding/xml rejects characters XML
// cannot carry, so this is also the validity check.
func parseJUnit(t *testing.T, data []byte) junit {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(xml.Header)) {
		t.Errorf("JUnit does not start with the XML header:\n%s", data)
	}
	var doc junit
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JUnit is not valid XML: %v\n%s", err, data)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d test suites, want 1", len(doc.Suites))
	}
	return doc
}

func TestWriteJUnit(t *testing.T) {
	rep := checkReport()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep, checkReport()) {
		t.Error("WriteJUnit modified the report")
	}
	doc := parseJUnit(t, buf.Bytes())
	s := doc.Suites[0]
	if doc.Tests != 5 || doc.Failures != 1 || doc.Errors != 1 || doc.Time != "1.545" {
		t.Errorf("root: tests %d, failures %d, errors %d, time %s; want the suite's totals", doc.Tests, doc.Failures, doc.Errors, doc.Time)
	}
	if s.Timestamp != "2026-12-05T04:00:00" {
		t.Errorf("timestamp %q, want the run's start in UTC", s.Timestamp)
	}
	if s.Name != "ipsreplay check" || s.Tests != 5 || s.Failures != 1 || s.Errors != 1 {
		t.Errorf("suite %q: tests %d, failures %d, errors %d; want ipsreplay check, 5, 1, 1", s.Name, s.Tests, s.Failures, s.Errors)
	}
	if s.Time != "1.545" {
		t.Errorf("suite time %q, want 1.545 (the sum of the cases)", s.Time)
	}
	if len(s.Cases) != len(rep.Cases) {
		t.Fatalf("%d test cases, want one per expectation (%d)", len(s.Cases), len(rep.Cases))
	}
	want := []struct {
		name, class, time string
		failure, err      bool
	}{
		{"portscan", "pcaps", "0.012", false, false},
		{"scanner-internal", "pcaps", "1.500", true, false},
		{"broken", "pcaps", "0.001", false, true},
		{"scan-split", "pcaps", "0.030", false, false},
		{"guest-vm", "new", "0.002", false, false}, // updated: not a failure
	}
	for i, w := range want {
		c := s.Cases[i]
		if c.Name != w.name || c.Classname != w.class || c.Time != w.time || c.File != rep.Cases[i].Path {
			t.Errorf("case %d: name %q, classname %q, time %q, file %q; want %q, %q, %q, %q", i, c.Name, c.Classname, c.Time, c.File, w.name, w.class, w.time, rep.Cases[i].Path)
		}
		if (c.Failure != nil) != w.failure || (c.Error != nil) != w.err {
			t.Errorf("case %s: failure %+v, error %+v; want failure %v, error %v", c.Name, c.Failure, c.Error, w.failure, w.err)
		}
		if !strings.Contains(c.SystemOut, "expected: ") || !strings.Contains(c.SystemOut, "got: ") {
			t.Errorf("case %s: system-out %q, want the expected and got summaries", c.Name, c.SystemOut)
		}
	}

	fail := s.Cases[1].Failure
	if fail.Type != "mismatch" || fail.Message != string(rep.Cases[1].Diffs[0]) {
		t.Errorf("failure type %q, message %q; want mismatch and the first diff", fail.Type, fail.Message)
	}
	var diffs []string
	for _, d := range rep.Cases[1].Diffs {
		diffs = append(diffs, strings.ReplaceAll(string(d), "\x1b", ""))
	}
	if body := fail.Body; body != strings.Join(diffs, "\n") {
		t.Errorf("failure body %q, want every diff on its own line", body)
	}
	if e := s.Cases[2].Error; e.Type != "error" || e.Message != rep.Cases[2].Err.Error() || e.Body != rep.Cases[2].Err.Error() {
		t.Errorf("error element %+v, want the case's error", e)
	}
	if out := s.Cases[3].SystemOut; !strings.Contains(out, "captures: scan-part1.pcap + scan-part2.pcap\n") {
		t.Errorf("merged case system-out %q, want both captures", out)
	}
}

// TestJUnitControlBytes checks bytes from packet payloads that XML 1.0
// cannot carry are dropped, so the file stays valid.
func TestJUnitControlBytes(t *testing.T) {
	const ctl = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\ufffe"
	rep := &expect.Report{Cases: []expect.Case{
		{
			Path:     "pcaps/a.expect.json",
			Captures: []string{"pcaps/a" + ctl + ".pcap"},
			Expected: "9000005 x1 [evil" + ctl + "]",
			Got:      "nothing fires" + ctl,
			Diffs:    []expect.Diff{expect.Diff("- signature 9000005 \"Payload " + ctl + "\ttab\": expected to fire, did not")},
		},
		{
			Path: "pcaps/b.expect.json",
			Err:  errors.New("pcaps/b.pcap: packet 3: bad " + ctl + "bytes"),
		},
		{
			Path: "pcaps/c" + ctl + ".expect.json",
			Err:  fmt.Errorf("invalid utf-8 \xff\xfe here"),
		},
	}}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, rep); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, buf.Bytes())
	for i, ch := range buf.Bytes() {
		if ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r' {
			t.Fatalf("byte %d is %#x: XML 1.0 cannot carry it", i, ch)
		}
	}
	cases := doc.Suites[0].Cases
	if len(cases) != 3 {
		t.Fatalf("%d test cases, want 3", len(cases))
	}
	if got, want := cases[0].Failure.Message, "- signature 9000005 \"Payload \ttab\": expected to fire, did not"; got != want {
		t.Errorf("failure message %q, want %q (control bytes dropped, tab kept)", got, want)
	}
	if got, want := cases[1].Error.Message, "pcaps/b.pcap: packet 3: bad bytes"; got != want {
		t.Errorf("error message %q, want %q", got, want)
	}
	if got := cases[0].SystemOut; strings.ContainsAny(got, ctl) || !strings.Contains(got, "[evil]") {
		t.Errorf("system-out %q, want the control bytes dropped", got)
	}
}

func TestWriteCheckErrors(t *testing.T) {
	werr := errors.New("disk full")
	if err := WriteCheck(failWriter{werr}, checkReport()); !errors.Is(err, werr) {
		t.Errorf("WriteCheck to a failing writer: %v", err)
	}
	if err := WriteJUnit(failWriter{werr}, checkReport()); !errors.Is(err, werr) {
		t.Errorf("WriteJUnit to a failing writer: %v", err)
	}
	// Nothing is written before the whole document is ready.
	var w countWriter
	if err := WriteJUnit(&w, checkReport()); err != nil || w.calls != 1 {
		t.Errorf("WriteJUnit: err %v, %d writes; want one write", err, w.calls)
	}
	if err := WriteCheck(&w, checkReport()); err != nil || w.calls != 2 {
		t.Errorf("WriteCheck: err %v, %d writes; want one write", err, w.calls-1)
	}
}

type countWriter struct{ calls int }

func (w *countWriter) Write(p []byte) (int, error) { w.calls++; return io.Discard.Write(p) }

// The names in JUnit do not depend on where the corpus was checked out:
// relative to the base directory, or to the directory the cases share.
func TestJUnitPaths(t *testing.T) {
	tests := []struct {
		base  string
		paths []string
		want  []string
	}{
		{"/builds/p", []string{"/builds/p/pcaps/a.expect.json", "/builds/p/pcaps/lab/b.expect.json"},
			[]string{"pcaps/a.expect.json", "pcaps/lab/b.expect.json"}},
		{"", []string{"pcaps/a.expect.json"}, []string{"pcaps/a.expect.json"}},
		{"/home/me", []string{"/srv/ci/corpus/a.expect.json", "/srv/ci/corpus/x/b.expect.json"},
			[]string{"corpus/a.expect.json", "corpus/x/b.expect.json"}},
		{"/home/me", []string{"/srv/ci/corpus/a.expect.json"}, []string{"corpus/a.expect.json"}},
	}
	for _, tt := range tests {
		rep := &expect.Report{Base: tt.base}
		for _, p := range tt.paths {
			rep.Cases = append(rep.Cases, expect.Case{Path: p})
		}
		if got := junitPaths(rep); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("base %q, paths %q: %q, want %q", tt.base, tt.paths, got, tt.want)
		}
	}
}

// A run that cannot start still writes a valid JUnit file: one errored
// case saying why.
func TestWriteJUnitError(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnitError(&buf, errors.New("--shard \"3/2\": want I/N\x01"), time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, buf.Bytes())
	s := doc.Suites[0]
	if doc.Tests != 1 || doc.Errors != 1 || s.Tests != 1 || s.Errors != 1 || len(s.Cases) != 1 || s.Cases[0].Error == nil ||
		!strings.Contains(s.Cases[0].Error.Message, "--shard") || s.Timestamp != "2026-12-05T04:00:00" {
		t.Errorf("document %+v", doc)
	}
}
