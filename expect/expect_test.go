package expect

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// corpus is the bundled capture directory, read-only for these tests.
const corpus = "../pcaps"

func u64(n uint64) *uint64 { return &n }

func strs(s ...string) *[]string {
	if s == nil {
		s = []string{}
	}
	return &s
}

func fps(pairs ...string) *[]FalsePositive {
	out := []FalsePositive{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, FalsePositive{Host: pairs[i], Verdict: pairs[i+1]})
	}
	return &out
}

// write puts content in dir/name (creating directories) and returns the path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// copyCapture copies a bundled capture into dir under name.
func copyCapture(t *testing.T, dir, src, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, src))
	if err != nil {
		t.Fatal(err)
	}
	return write(t, dir, name, string(data))
}

func TestLoad(t *testing.T) {
	t.Run("full file", func(t *testing.T) {
		path := write(t, t.TempDir(), "x.expect.json", `{
  "captures": ["a.pcap", "b.pcap"],
  "options": {"exclude": "ex.txt", "autoblock": "0", "set": ["port_scan.vertical_threshold=20"]},
  "signatures": [
    {"sid": 9000002, "name": "Attack: Port Scan", "alerts": 1, "attackers": ["203.0.113.88"], "victims": []},
    {"sid": 9000004, "min_alerts": 2}
  ],
  "blocked": ["203.0.113.88"],
  "false_positives": [{"host": "192.168.1.250", "verdict": "scanner"}]
}
`)
		f, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		want := &File{
			Captures: []string{"a.pcap", "b.pcap"},
			Options:  &Options{Exclude: "ex.txt", Autoblock: "0", Set: []string{"port_scan.vertical_threshold=20"}},
			Signatures: []Signature{
				{SID: 9000002, Name: "Attack: Port Scan", Alerts: u64(1), Attackers: strs("203.0.113.88"), Victims: strs()},
				{SID: 9000004, MinAlerts: u64(2)},
			},
			Blocked:        strs("203.0.113.88"),
			FalsePositives: fps("192.168.1.250", "scanner"),
		}
		if !reflect.DeepEqual(f, want) {
			t.Errorf("Load = %+v\nwant %+v", f, want)
		}
	})

	t.Run("absent checks stay nil", func(t *testing.T) {
		f, err := Load(write(t, t.TempDir(), "x.expect.json", `{"signatures": [{"sid": 7}]}`))
		if err != nil {
			t.Fatal(err)
		}
		s := f.Signatures[0]
		if f.Blocked != nil || f.FalsePositives != nil || s.Alerts != nil || s.MinAlerts != nil || s.Attackers != nil || s.Victims != nil {
			t.Errorf("absent fields were filled in: %+v, %+v", f, s)
		}
	})

	t.Run("empty lists are kept apart from absent ones", func(t *testing.T) {
		f, err := Load(write(t, t.TempDir(), "x.expect.json", `{"signatures": [], "blocked": [], "false_positives": []}`))
		if err != nil {
			t.Fatal(err)
		}
		if f.Signatures == nil || f.Blocked == nil || len(*f.Blocked) != 0 || f.FalsePositives == nil || len(*f.FalsePositives) != 0 {
			t.Errorf("Load = %+v: want empty, non-nil lists", f)
		}
	})

	tests := []struct {
		name    string
		content string
		want    []string // substrings of the error after "PATH: "
		// wantPos is the position the error should name.
		wantPos string
	}{
		{
			name:    "empty file",
			content: "\n",
			want:    []string{"file is empty"},
		},
		{
			name:    "unknown min_confidence",
			content: `{"signatures": [], "false_positives": [{"host": "10.0.0.1", "verdict": "scanner", "min_confidence": "certain"}]}`,
			want:    []string{`false_positives[0]: min_confidence "certain": want low, medium or high`},
		},
		{
			name:    "syntax error",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002,}\n  ]\n}\n",
			want:    []string{"line 3 col 21", "invalid character"},
		},
		{
			name:    "cut short",
			content: "{\n  \"signatures\": [\n",
			want:    []string{"line 3 col 1", "ends inside"},
		},
		{
			name:    "unknown top-level key",
			content: "{\n  \"signatures\": [],\n  \"blocks\": []\n}\n",
			want:    []string{"line 3 col 3", `unknown field "blocks"`},
		},
		{
			name:    "unknown signature key",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"count\": 1}\n  ]\n}\n",
			want:    []string{"line 3 col 22", `unknown field "count"`},
		},
		{
			name:    "unknown options key",
			content: "{\n  \"options\": {\"autoblok\": \"0\"},\n  \"signatures\": []\n}\n",
			want:    []string{"line 2 col 15", `unknown field "autoblok"`},
		},
		{
			// copied from analyze -f json, whose false positives carry
			// "alerts": the key is named where it is, not where a
			// signature uses it legitimately
			name:    "unknown key used elsewhere",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"alerts\": 1}\n  ],\n  \"false_positives\": [\n    {\"host\": \"192.168.1.250\", \"verdict\": \"scanner\", \"alerts\": 7}\n  ]\n}\n",
			want:    []string{`unknown field "alerts"`},
			wantPos: "line 6 col 53",
		},
		{
			name:    "wrong type",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"alerts\": \"2\"}\n  ]\n}\n",
			want:    []string{"line 3", "signatures.alerts: want a whole number, 0 or more, got a string"},
		},
		{
			name:    "negative count",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"min_alerts\": -1}\n  ]\n}\n",
			want:    []string{"line 3", "signatures.min_alerts: want a whole number, 0 or more, got -1"},
		},
		{
			name:    "blocked not a list",
			content: "{\n  \"signatures\": [],\n  \"blocked\": \"10.0.0.1\"\n}\n",
			want:    []string{"line 3", "blocked: want a list, got a string"},
		},
		{
			name:    "not an object",
			content: "[]\n",
			want:    []string{"line 1", "want an object, got a list"},
		},
		{
			name:    "trailing data",
			content: "{\"signatures\": []}\n{\"signatures\": []}\n",
			want:    []string{"line 2 col 1", "more data after the JSON object"},
		},
		{
			name:    "signatures missing",
			content: "{\n  \"blocked\": []\n}\n",
			want:    []string{`"signatures" is required`, "[] when nothing fires"},
		},
		{
			name:    "signatures null",
			content: "{\"signatures\": null}\n",
			want:    []string{`"signatures" is required`},
		},
		{
			name:    "sid missing",
			content: "{\n  \"signatures\": [\n    {\"name\": \"Attack: Port Scan\", \"alerts\": 1}\n  ]\n}\n",
			want:    []string{"signatures[0]", "sid is required"},
			wantPos: "line 3",
		},
		{
			name:    "duplicate sid",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"alerts\": 1},\n    {\"sid\": 9000004, \"alerts\": 1},\n    {\"sid\": 9000002, \"min_alerts\": 1}\n  ]\n}\n",
			want:    []string{"signatures[2]", "sid 9000002 listed twice"},
			wantPos: "line 5",
		},
		{
			// a listed signature must fire, so it can never have 0 alerts
			name:    "alerts 0",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"alerts\": 0}\n  ]\n}\n",
			want:    []string{"signatures[0]", "alerts"},
		},
		{
			name:    "alerts and min_alerts",
			content: "{\n  \"signatures\": [\n    {\"sid\": 9000002, \"alerts\": 1, \"min_alerts\": 1}\n  ]\n}\n",
			want:    []string{"signatures[0]", "give alerts or min_alerts, not both"},
			wantPos: "line 3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, t.TempDir(), "bad.expect.json", tt.content)
			f, err := Load(path)
			if err == nil && tt.name == "alerts 0" {
				t.Fatal("Load accepts \"alerts\": 0, which no result can match (a listed signature must fire)")
			}
			if err == nil {
				t.Fatalf("Load = %+v, want an error", f)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") {
				t.Errorf("error %q does not start with the file name %q", msg, path+": ")
			}
			if strings.Count(msg, path) != 1 {
				t.Errorf("error %q names the file more than once", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if tt.wantPos != "" && !strings.Contains(msg, tt.wantPos) {
				t.Errorf("error %q, want position %q", msg, tt.wantPos)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.expect.json")
		_, err := Load(path)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want fs.ErrNotExist (check --update relies on it)", err)
		}
		if msg := err.Error(); strings.Count(msg, path) != 1 || !strings.HasPrefix(msg, path+": ") {
			t.Errorf("error %q: want the path named once, first", msg)
		}
	})
}

func TestCapturePaths(t *testing.T) {
	tests := []struct {
		name     string
		files    []string // created in the directory
		captures []string // the File's captures
		want     []string // relative to the directory
	}{
		{"default pcap", []string{"x.pcap"}, nil, []string{"x.pcap"}},
		{"default pcapng", []string{"x.pcapng"}, nil, []string{"x.pcapng"}},
		{"default gzip", []string{"x.pcapng.gz"}, nil, []string{"x.pcapng.gz"}},
		{"default cap", []string{"x.cap"}, nil, []string{"x.cap"}},
		{"pcap preferred", []string{"x.pcapng", "x.pcap"}, nil, []string{"x.pcap"}},
		{"other names ignored", []string{"xy.pcap", "y.pcap"}, nil, []string{"x.pcap"}},
		{"none: names the pcap so the error does", nil, nil, []string{"x.pcap"}},
		{"empty list is the default", []string{"x.pcapng"}, []string{}, []string{"x.pcapng"}},
		{"explicit", []string{"x.pcap"}, []string{"a.pcap", "sub/b.pcapng"}, []string{"a.pcap", "sub/b.pcapng"}},
		{"explicit order kept", nil, []string{"b.pcap", "a.pcap"}, []string{"b.pcap", "a.pcap"}},
		{"explicit parent", nil, []string{"../up.pcap"}, []string{"../up.pcap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "d")
			for _, name := range tt.files {
				write(t, dir, name, "x")
			}
			path := write(t, dir, "x"+Suffix, `{"signatures": []}`)
			f := &File{Captures: tt.captures, Signatures: []Signature{}}
			var want []string
			for _, w := range tt.want {
				want = append(want, filepath.Join(dir, w))
			}
			if got := f.CapturePaths(path); !slices.Equal(got, want) {
				t.Errorf("CapturePaths = %q, want %q", got, want)
			}
		})
	}

	t.Run("a directory is not a capture", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "x.pcap"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, dir, "x.pcapng", "x")
		f := &File{Signatures: []Signature{}}
		if got := f.CapturePaths(filepath.Join(dir, "x"+Suffix)); !slices.Equal(got, []string{filepath.Join(dir, "x.pcapng")}) {
			t.Errorf("CapturePaths = %q, want the pcapng", got)
		}
	})

	t.Run("relative expectation path", func(t *testing.T) {
		f := &File{Captures: []string{"scan-part1.pcap", "scan-part2.pcap"}}
		want := []string{"../pcaps/scan-part1.pcap", "../pcaps/scan-part2.pcap"}
		if got := f.CapturePaths("../pcaps/scan-split.expect.json"); !slices.Equal(got, want) {
			t.Errorf("CapturePaths = %q, want %q", got, want)
		}
		def := &File{}
		if got := def.CapturePaths("../pcaps/mixed.expect.json"); !slices.Equal(got, []string{"../pcaps/mixed.pcapng"}) {
			t.Errorf("default for mixed = %q, want ../pcaps/mixed.pcapng", got)
		}
	})
}

// scanResult is a hand-built analysis: an internal scanner that also
// guessed a password, listed most severe first as the analyzer does.
// testHosts parses a fixture's host list.
func testHosts(hosts ...string) []analyzer.Host {
	out := make([]analyzer.Host, len(hosts))
	for i, h := range hosts {
		out[i] = analyzer.MustParseHost(h)
	}
	return out
}

func scanResult() *analyzer.Result {
	return &analyzer.Result{
		Signatures: []analyzer.SignatureHit{
			{SID: 9000004, Name: "Attack: Brute Force Remote Login", Count: 1,
				Attackers: testHosts("192.168.1.250"), Victims: testHosts("192.168.1.21")},
			{SID: 9000002, Name: "Attack: Port Scan", Count: 7,
				Attackers: testHosts("192.168.1.250", "203.0.113.66"), Victims: testHosts("192.168.1.10", "192.168.1.22")},
		},
		Blocks: []analyzer.BlockedHost{{Host: analyzer.MustParseHost("203.0.113.66")}, {Host: analyzer.MustParseHost("192.168.1.250")}},
		FalsePositives: []analyzer.FalsePositive{
			{Host: analyzer.MustParseHost("192.168.1.250"), Verdict: "scanner", Confidence: "high"},
		},
	}
}

const (
	portScan   = `signature 9000002 "Attack: Port Scan"`
	bruteForce = `signature 9000004 "Attack: Brute Force Remote Login"`
)

func TestCompare(t *testing.T) {
	// exact is what scanResult fully checked looks like, in another order.
	exact := func() *File {
		return &File{
			Signatures: []Signature{
				{SID: 9000002, Name: "Attack: Port Scan", Alerts: u64(7),
					Attackers: strs("203.0.113.66", "192.168.1.250"), Victims: strs("192.168.1.22", "192.168.1.10")},
				{SID: 9000004, Name: "Attack: Brute Force Remote Login", Alerts: u64(1),
					Attackers: strs("192.168.1.250"), Victims: strs("192.168.1.21")},
			},
			Blocked:        strs("192.168.1.250", "203.0.113.66"),
			FalsePositives: fps("192.168.1.250", "scanner"),
		}
	}
	with := func(change func(f *File)) *File {
		f := exact()
		change(f)
		return f
	}
	tests := []struct {
		name string
		file *File
		res  *analyzer.Result // scanResult when nil
		want []Diff
	}{
		{name: "exact match in any order", file: exact()},
		{
			name: "absent fields are not checked",
			file: &File{Signatures: []Signature{{SID: 9000004}, {SID: 9000002}}},
		},
		{
			name: "duplicates in a set do not matter",
			file: with(func(f *File) { f.Blocked = strs("203.0.113.66", "192.168.1.250", "203.0.113.66") }),
		},
		{
			name: "alerts too many",
			file: with(func(f *File) { f.Signatures[0].Alerts = u64(6) }),
			want: []Diff{`~ ` + portScan + `: 7 alerts, want 6`},
		},
		{
			name: "alerts too few, singular",
			file: with(func(f *File) { f.Signatures[1].Alerts = u64(2) }),
			want: []Diff{`~ ` + bruteForce + `: 1 alert, want 2`},
		},
		{
			name: "min_alerts below",
			file: with(func(f *File) { f.Signatures[0].Alerts, f.Signatures[0].MinAlerts = nil, u64(5) }),
		},
		{
			name: "min_alerts equal",
			file: with(func(f *File) { f.Signatures[0].Alerts, f.Signatures[0].MinAlerts = nil, u64(7) }),
		},
		{
			name: "min_alerts above",
			file: with(func(f *File) { f.Signatures[0].Alerts, f.Signatures[0].MinAlerts = nil, u64(8) }),
			want: []Diff{`~ ` + portScan + `: 7 alerts, want at least 8`},
		},
		{
			name: "attackers differ",
			file: with(func(f *File) { f.Signatures[0].Attackers = strs("203.0.113.66", "10.0.0.9") }),
			want: []Diff{
				`- ` + portScan + ` attackers: 10.0.0.9 expected, missing`,
				`+ ` + portScan + ` attackers: 192.168.1.250 not expected`,
			},
		},
		{
			name: "attackers empty",
			file: with(func(f *File) { f.Signatures[1].Attackers = strs() }),
			want: []Diff{`+ ` + bruteForce + ` attackers: 192.168.1.250 not expected`},
		},
		{
			name: "victims differ",
			file: with(func(f *File) { f.Signatures[0].Victims = strs("192.168.1.10") }),
			want: []Diff{`+ ` + portScan + ` victims: 192.168.1.22 not expected`},
		},
		{
			name: "unexpected signature",
			file: with(func(f *File) { f.Signatures = f.Signatures[:1] }),
			want: []Diff{`+ ` + bruteForce + `: fired 1 alert (attackers 192.168.1.250), not expected`},
		},
		{
			name: "unexpected signature without attackers",
			file: &File{Signatures: []Signature{}},
			res: &analyzer.Result{Signatures: []analyzer.SignatureHit{
				{SID: 9000001, Name: "Attack: TCP SYN Flood", Count: 3},
			}},
			want: []Diff{`+ signature 9000001 "Attack: TCP SYN Flood": fired 3 alerts (attackers none), not expected`},
		},
		{
			name: "missing signature with name",
			file: with(func(f *File) {
				f.Signatures = append(f.Signatures, Signature{SID: 9000001, Name: "Attack: TCP SYN Flood", Alerts: u64(1)})
			}),
			want: []Diff{`- signature 9000001 "Attack: TCP SYN Flood": expected to fire, did not`},
		},
		{
			name: "missing signature without name",
			file: with(func(f *File) { f.Signatures = append(f.Signatures, Signature{SID: 9000001}) }),
			want: []Diff{`- signature 9000001: expected to fire, did not`},
		},
		{
			name: "name differs",
			file: with(func(f *File) { f.Signatures[0].Name = "Port Scan" }),
			want: []Diff{`~ signature 9000002 "Port Scan": name "Attack: Port Scan", want "Port Scan"`},
		},
		{
			name: "name absent takes the result's",
			file: with(func(f *File) { f.Signatures[0].Name, f.Signatures[0].Alerts = "", u64(1) }),
			want: []Diff{`~ ` + portScan + `: 7 alerts, want 1`},
		},
		{
			name: "blocked differs",
			file: with(func(f *File) { f.Blocked = strs("203.0.113.66", "198.51.100.1") }),
			want: []Diff{
				`- blocked hosts: 198.51.100.1 expected, missing`,
				`+ blocked hosts: 192.168.1.250 not expected`,
			},
		},
		{
			name: "blocked empty",
			file: with(func(f *File) { f.Blocked = strs() }),
			want: []Diff{
				`+ blocked hosts: 192.168.1.250 not expected`,
				`+ blocked hosts: 203.0.113.66 not expected`,
			},
		},
		{
			name: "false positive verdict differs",
			file: with(func(f *File) { f.FalsePositives = fps("192.168.1.250", "guest-vm") }),
			want: []Diff{
				`- false positives: 192.168.1.250 guest-vm expected, missing`,
				`+ false positives: 192.168.1.250 scanner not expected`,
			},
		},
		{
			name: "false positives empty",
			file: with(func(f *File) { f.FalsePositives = fps() }),
			want: []Diff{`+ false positives: 192.168.1.250 scanner not expected`},
		},
		{
			name: "min_confidence met",
			file: with(func(f *File) { (*f.FalsePositives)[0].MinConfidence = "medium" }),
		},
		{
			name: "min_confidence equal",
			file: with(func(f *File) { (*f.FalsePositives)[0].MinConfidence = "high" }),
		},
		{
			name: "min_confidence not met",
			file: with(func(f *File) { (*f.FalsePositives)[0].MinConfidence = "high" }),
			res: func() *analyzer.Result {
				r := scanResult()
				r.FalsePositives[0].Confidence = "low"
				return r
			}(),
			want: []Diff{`~ false positives: 192.168.1.250 scanner: confidence low, want at least high`},
		},
		{
			name: "nothing fires, as expected",
			file: &File{Signatures: []Signature{}, Blocked: strs(), FalsePositives: fps()},
			res:  &analyzer.Result{},
		},
		{
			name: "nothing fires, not as expected",
			file: exact(),
			res:  &analyzer.Result{},
			want: []Diff{
				`- ` + portScan + `: expected to fire, did not`,
				`- ` + bruteForce + `: expected to fire, did not`,
				`- blocked hosts: 192.168.1.250 expected, missing`,
				`- blocked hosts: 203.0.113.66 expected, missing`,
				`- false positives: 192.168.1.250 scanner expected, missing`,
			},
		},
		{
			name: "everything at once: signatures, then blocks, then false positives",
			file: with(func(f *File) {
				f.FalsePositives = fps()
				f.Blocked = strs("203.0.113.66")
				f.Signatures = f.Signatures[:1]
				f.Signatures[0].Name = "Port Scan"
				f.Signatures[0].Alerts = u64(1)
				f.Signatures[0].Attackers = strs("203.0.113.66")
			}),
			want: []Diff{
				`~ signature 9000002 "Port Scan": name "Attack: Port Scan", want "Port Scan"`,
				`~ signature 9000002 "Port Scan": 7 alerts, want 1`,
				`+ signature 9000002 "Port Scan" attackers: 192.168.1.250 not expected`,
				`+ ` + bruteForce + `: fired 1 alert (attackers 192.168.1.250), not expected`,
				`+ blocked hosts: 192.168.1.250 not expected`,
				`+ false positives: 192.168.1.250 scanner not expected`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			if res == nil {
				res = scanResult()
			}
			before := cloneResult(res)
			got := Compare(tt.file, res)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Compare:\n%s\nwant:\n%s", diffLines(got), diffLines(tt.want))
			}
			if !reflect.DeepEqual(res, before) {
				t.Error("Compare modified the Result")
			}
		})
	}
}

// TestCompareSignatureOrder checks the documented order "signatures by id"
// when the file lists them otherwise.
func TestCompareSignatureOrder(t *testing.T) {
	f := &File{Signatures: []Signature{{SID: 9000004}, {SID: 9000001}, {SID: 9000002}}}
	got := Compare(f, &analyzer.Result{})
	want := []Diff{
		`- signature 9000001: expected to fire, did not`,
		`- signature 9000002: expected to fire, did not`,
		`- signature 9000004: expected to fire, did not`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Compare lists signature diffs out of id order:\n%s\nwant:\n%s", diffLines(got), diffLines(want))
	}
}

func cloneResult(r *analyzer.Result) *analyzer.Result {
	c := *r
	c.Signatures = nil
	for _, s := range r.Signatures {
		s.Attackers = slices.Clone(s.Attackers)
		s.Victims = slices.Clone(s.Victims)
		c.Signatures = append(c.Signatures, s)
	}
	c.Blocks = slices.Clone(r.Blocks)
	c.FalsePositives = slices.Clone(r.FalsePositives)
	return &c
}

func diffLines(d []Diff) string {
	if len(d) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, l := range d {
		b.WriteString("  " + string(l) + "\n")
	}
	return b.String()
}

func TestFromResult(t *testing.T) {
	t.Run("new expectation", func(t *testing.T) {
		got := FromResult(nil, scanResult())
		want := &File{
			Signatures: []Signature{
				{SID: 9000002, Name: "Attack: Port Scan", Alerts: u64(7), Attackers: strs("192.168.1.250", "203.0.113.66")},
				{SID: 9000004, Name: "Attack: Brute Force Remote Login", Alerts: u64(1), Attackers: strs("192.168.1.250")},
			},
			Blocked:        strs("192.168.1.250", "203.0.113.66"),
			FalsePositives: fps("192.168.1.250", "scanner"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FromResult(nil) =\n%s\nwant\n%s", got.Marshal(), want.Marshal())
		}
	})

	t.Run("nothing found", func(t *testing.T) {
		got := FromResult(nil, &analyzer.Result{})
		want := &File{Signatures: []Signature{}, Blocked: strs(), FalsePositives: fps()}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FromResult(empty) = %s, want %s", got.Marshal(), want.Marshal())
		}
		if !bytes.Contains(got.Marshal(), []byte(`"signatures": []`)) {
			t.Errorf("Marshal writes %s: want \"signatures\": [] so Load accepts it", got.Marshal())
		}
	})

	t.Run("keeps captures, options, min_alerts that hold and victims checked", func(t *testing.T) {
		old := &File{
			Captures: []string{"a.pcap", "b.pcap"},
			Options:  &Options{Autoblock: "0", Set: []string{"port_scan.vertical_threshold=5"}},
			Signatures: []Signature{
				{SID: 9000002, MinAlerts: u64(5), Victims: strs("10.0.0.1")},
				{SID: 9000004, MinAlerts: u64(3)},
				{SID: 9000001, Alerts: u64(2)}, // no longer fires
			},
		}
		got := FromResult(old, scanResult())
		want := &File{
			Captures: []string{"a.pcap", "b.pcap"},
			Options:  &Options{Autoblock: "0", Set: []string{"port_scan.vertical_threshold=5"}},
			Signatures: []Signature{
				{SID: 9000002, Name: "Attack: Port Scan", MinAlerts: u64(5),
					Attackers: strs("192.168.1.250", "203.0.113.66"), Victims: strs("192.168.1.10", "192.168.1.22")},
				{SID: 9000004, Name: "Attack: Brute Force Remote Login", Alerts: u64(1), Attackers: strs("192.168.1.250")},
			},
			Blocked:        strs("192.168.1.250", "203.0.113.66"),
			FalsePositives: fps("192.168.1.250", "scanner"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FromResult =\n%s\nwant\n%s", got.Marshal(), want.Marshal())
		}
		if len(old.Signatures) != 3 || *old.Signatures[0].MinAlerts != 5 || old.Signatures[0].Attackers != nil {
			t.Errorf("FromResult changed the old file: %+v", old.Signatures)
		}
	})

	t.Run("keeps a min_confidence that holds, drops one that does not", func(t *testing.T) {
		for _, c := range []struct{ min, want string }{{"medium", "medium"}, {"high", "high"}} {
			old := &File{Signatures: []Signature{}, FalsePositives: &[]FalsePositive{{Host: "192.168.1.250", Verdict: "scanner", MinConfidence: c.min}}}
			res := scanResult()
			res.FalsePositives[0].Confidence = "medium"
			got := (*FromResult(old, res).FalsePositives)[0].MinConfidence
			want := c.want
			if c.min == "high" {
				want = "" // medium no longer meets it: the bound goes, as a failed min_alerts does
			}
			if got != want {
				t.Errorf("old min_confidence %s, result medium: kept %q, want %q", c.min, got, want)
			}
		}
	})

	t.Run("sorts and copies", func(t *testing.T) {
		res := &analyzer.Result{
			Signatures: []analyzer.SignatureHit{
				{SID: 9000004, Count: 1, Attackers: testHosts("10.0.0.2")},
				{SID: 9000001, Count: 1, Attackers: testHosts("10.0.0.1")},
				{SID: 9000003, Count: 1},
			},
			Blocks: []analyzer.BlockedHost{{Host: analyzer.MustParseHost("10.0.0.3")}, {Host: analyzer.MustParseHost("10.0.0.1")}, {Host: analyzer.MustParseHost("10.0.0.2")}},
			FalsePositives: []analyzer.FalsePositive{
				{Host: analyzer.MustParseHost("10.0.0.9"), Verdict: "scanner"}, {Host: analyzer.MustParseHost("10.0.0.5"), Verdict: "guest-vm"},
			},
		}
		before := cloneResult(res)
		got := FromResult(nil, res)
		var sids []uint32
		for _, s := range got.Signatures {
			sids = append(sids, s.SID)
		}
		if !slices.Equal(sids, []uint32{9000001, 9000003, 9000004}) {
			t.Errorf("signatures %v, want sorted by id", sids)
		}
		if a := got.Signatures[1].Attackers; a == nil || len(*a) != 0 {
			t.Errorf("attackers of a hit without any = %v, want an empty list", a)
		}
		if !slices.Equal(*got.Blocked, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
			t.Errorf("blocked %v, want sorted", *got.Blocked)
		}
		if hosts := []string{(*got.FalsePositives)[0].Host, (*got.FalsePositives)[1].Host}; !slices.Equal(hosts, []string{"10.0.0.5", "10.0.0.9"}) {
			t.Errorf("false positives %v, want sorted by host", hosts)
		}
		if !reflect.DeepEqual(res, before) {
			t.Error("FromResult modified the Result")
		}
		(*got.Signatures[0].Attackers)[0] = "changed"
		if res.Signatures[1].Attackers[0] != analyzer.MustParseHost("10.0.0.1") {
			t.Error("FromResult shares attacker lists with the Result")
		}
	})

	// Whatever the old file said, the rewritten one matches the result.
	t.Run("rewritten file passes", func(t *testing.T) {
		for i, old := range []*File{
			nil,
			{Signatures: []Signature{}},
			{Signatures: []Signature{{SID: 9000002, MinAlerts: u64(100), Victims: strs()}}, Blocked: strs("x")},
			{Signatures: []Signature{{SID: 9000004, Name: "wrong", Alerts: u64(9)}}, FalsePositives: fps("x", "scanner")},
		} {
			f := FromResult(old, scanResult())
			if d := Compare(f, scanResult()); len(d) != 0 {
				t.Errorf("case %d: Compare(FromResult) =\n%s", i, diffLines(d))
			}
		}
	})
}

func TestMarshal(t *testing.T) {
	f := &File{
		Captures: []string{"scan-part1.pcap", "scan-part2.pcap"},
		Options:  &Options{Autoblock: "0", Set: []string{"port_scan.vertical_threshold=20"}},
		Signatures: []Signature{
			{SID: 9000002, Name: "Attack: Port Scan", MinAlerts: u64(1),
				Attackers: strs("203.0.113.88"), Victims: strs("192.168.1.20", "192.168.1.21")},
			{SID: 9000004, Name: "Attack: <Brute> & Force", Alerts: u64(2), Attackers: strs()},
		},
		Blocked:        strs(),
		FalsePositives: fps("192.168.1.250", "scanner"),
	}
	want := `{
  "captures": ["scan-part1.pcap", "scan-part2.pcap"],
  "options": {
    "autoblock": "0",
    "set": ["port_scan.vertical_threshold=20"]
  },
  "signatures": [
    {
      "sid": 9000002,
      "name": "Attack: Port Scan",
      "min_alerts": 1,
      "attackers": ["203.0.113.88"],
      "victims": ["192.168.1.20", "192.168.1.21"]
    },
    {
      "sid": 9000004,
      "name": "Attack: <Brute> & Force",
      "alerts": 2,
      "attackers": []
    }
  ],
  "blocked": [],
  "false_positives": [
    {
      "host": "192.168.1.250",
      "verdict": "scanner"
    }
  ]
}
`
	got := string(f.Marshal())
	if got != want {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, want)
	}
	roundTrip(t, f)

	t.Run("awkward strings round-trip", func(t *testing.T) {
		roundTrip(t, &File{
			Captures: []string{`a "quoted", name.pcap`, `back\slash.pcap`},
			Signatures: []Signature{{SID: 1, Name: "x\ny\u2028z\x01", Alerts: u64(5),
				Attackers: strs(`"`, `", "`, `\`, "[", "]", "12", "-3")}},
			Blocked: strs("10.0.0.1", "fe80::1"),
		})
	})

	// The bundled expectations are what Marshal writes, so --update on an
	// unchanged corpus rewrites nothing.
	t.Run("bundled files are in Marshal form", func(t *testing.T) {
		paths, err := filepath.Glob(filepath.Join(corpus, "*"+Suffix))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no bundled expectations: %v", err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Load(p)
			if err != nil {
				t.Errorf("bundled %v", err)
				continue
			}
			if got := f.Marshal(); !bytes.Equal(got, data) {
				t.Errorf("%s: Marshal(Load) differs from the file:\n%s", p, got)
			}
		}
	})
}

func roundTrip(t *testing.T, f *File) {
	t.Helper()
	data := f.Marshal()
	path := write(t, t.TempDir(), "rt"+Suffix, string(data))
	back, err := Load(path)
	if err != nil {
		t.Fatalf("Load(Marshal) = %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, f) {
		t.Errorf("Load(Marshal(f)) = %+v\nwant %+v\n%s", back, f, data)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		file *File
		want string
	}{
		{"nothing fires", &File{Signatures: []Signature{}}, "nothing fires"},
		{"nothing fires, no blocks", &File{Signatures: []Signature{}, Blocked: strs()}, "nothing fires"},
		{"nothing fires, blocked", &File{Signatures: []Signature{}, Blocked: strs("a", "b")}, "nothing fires; blocked 2"},
		{
			"doc example",
			&File{
				Signatures:     []Signature{{SID: 9000002, Alerts: u64(1), Attackers: strs("203.0.113.66")}},
				Blocked:        strs("203.0.113.66"),
				FalsePositives: fps("192.168.1.250", "scanner"),
			},
			"9000002 x1 [203.0.113.66]; blocked 1; fp 192.168.1.250 scanner",
		},
		{"sid only", &File{Signatures: []Signature{{SID: 9000002}}}, "9000002"},
		{"min_alerts", &File{Signatures: []Signature{{SID: 9000002, MinAlerts: u64(5)}}}, "9000002 x>=5"},
		{"no attackers", &File{Signatures: []Signature{{SID: 9000002, Alerts: u64(3), Attackers: strs()}}}, "9000002 x3"},
		{"no blocks", &File{Signatures: []Signature{{SID: 9000001, Alerts: u64(1)}}, Blocked: strs(), FalsePositives: fps()}, "9000001 x1; no blocks"},
		{
			"several",
			&File{
				Signatures: []Signature{
					{SID: 9000002, Alerts: u64(7), Attackers: strs("192.168.1.250", "203.0.113.66")},
					{SID: 9000004, MinAlerts: u64(1), Attackers: strs("192.168.1.250")},
				},
				Blocked:        strs("192.168.1.250", "203.0.113.66"),
				FalsePositives: fps("192.168.1.250", "scanner", "00:0c:29:c4:19:3b", "guest-vm"),
			},
			"9000002 x7 [192.168.1.250 203.0.113.66], 9000004 x>=1 [192.168.1.250]; blocked 2; fp 192.168.1.250 scanner, 00:0c:29:c4:19:3b guest-vm",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary(tt.file); got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"a.pcap", "a" + Suffix,
		"b.pcapng",   // no expectation
		"d.cap",      // no expectation
		"e.pcap.gz",  // no expectation
		"notes.txt",  // neither
		"a.pcap.txt", // neither
		"merged" + Suffix,
		"sub/c.pcapng.gz", "sub/c" + Suffix,
		"sub/deeper/f" + Suffix,
	} {
		write(t, dir, name, "x")
	}
	p := func(names ...string) []string {
		out := []string{}
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	tests := []struct {
		name    string
		paths   []string
		create  bool
		want    []string
		wantErr []string
	}{
		{
			name:  "directory",
			paths: p(""),
			want:  p("a"+Suffix, "merged"+Suffix, "sub/c"+Suffix, "sub/deeper/f"+Suffix),
		},
		{
			name:   "directory, create",
			paths:  p(""),
			create: true,
			want:   p("a"+Suffix, "b"+Suffix, "d"+Suffix, "e"+Suffix, "merged"+Suffix, "sub/c"+Suffix, "sub/deeper/f"+Suffix),
		},
		{
			name:  "expectation file as given",
			paths: p("merged" + Suffix),
			want:  p("merged" + Suffix),
		},
		{
			name:  "capture with an expectation",
			paths: p("a.pcap"),
			want:  p("a" + Suffix),
		},
		{
			name:  "compressed capture with an expectation",
			paths: p("sub/c.pcapng.gz"),
			want:  p("sub/c" + Suffix),
		},
		{
			name:    "capture without an expectation",
			paths:   p("b.pcapng"),
			wantErr: []string{filepath.Join(dir, "b.pcapng") + ": ", "no expectation file " + filepath.Join(dir, "b"+Suffix), "check --update"},
		},
		{
			name:   "capture without an expectation, create",
			paths:  p("b.pcapng"),
			create: true,
			want:   p("b" + Suffix),
		},
		{
			name:  "order of arguments kept, each directory sorted",
			paths: p("sub", "a.pcap"),
			want:  p("sub/c"+Suffix, "sub/deeper/f"+Suffix, "a"+Suffix),
		},
		{
			name:    "missing path",
			paths:   p("nope.pcap"),
			wantErr: []string{filepath.Join(dir, "nope.pcap"), "no such file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Find(tt.paths, tt.create)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Find = %q, want an error", got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Find =\n  %q\nwant\n  %q", got, tt.want)
			}
		})
	}

	t.Run("find creates nothing", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "b"+Suffix)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Find wrote an expectation: %v", err)
		}
	})

	t.Run("missing path is fs.ErrNotExist", func(t *testing.T) {
		if _, err := Find(p("nope"), false); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})

	t.Run("two captures, one base name", func(t *testing.T) {
		d := t.TempDir()
		write(t, d, "x.pcap", "x")
		write(t, d, "x.pcapng", "x")
		got, err := Find([]string{d}, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{filepath.Join(d, "x"+Suffix)}; !slices.Equal(got, want) {
			t.Errorf("Find(create) lists %q for x.pcap and x.pcapng, want %q once", got, want)
		}
	})
}

func TestReport(t *testing.T) {
	rep := &Report{Cases: []Case{
		{Path: "pcaps/a" + Suffix},
		{Path: "pcaps/b" + Suffix, Diffs: []Diff{"- x"}},
		{Path: "pcaps/c" + Suffix, Err: errors.New("boom"), Diffs: []Diff{"- x"}},
		{Path: "pcaps/d" + Suffix, Updated: true, Diffs: []Diff{"- x"}},
		{Path: "pcaps/e" + Suffix, Updated: true}, // created
		{Path: "pcaps/f" + Suffix},
	}}
	p, f, e, u := rep.Counts()
	if p != 2 || f != 1 || e != 1 || u != 2 {
		t.Errorf("Counts = %d passed, %d failed, %d errors, %d updated; want 2, 1, 1, 2", p, f, e, u)
	}
	for i, want := range []bool{true, false, false, false, true, true} {
		if got := rep.Cases[i].Passed(); got != want {
			t.Errorf("case %d: Passed = %v, want %v", i, got, want)
		}
	}
	if got := rep.Cases[0].Name(); got != "pcaps/a" {
		t.Errorf("Name = %q, want pcaps/a", got)
	}
}

// TestRun runs real captures copied into a temporary directory, so the
// options an expectation carries and --update can be seen end to end.
func TestRun(t *testing.T) {
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyCapture(t, dir, "portscan.pcap", "portscan.pcap")
	const fires = `"signatures": [{"sid": 9000002, "alerts": 1, "attackers": ["203.0.113.66"]}]`
	tests := []struct {
		name    string
		content string
		wantErr []string // the case errors with these
		diffs   int
	}{
		{name: "defaults", content: `{"captures": ["portscan.pcap"], ` + fires + `, "blocked": ["203.0.113.66"]}`},
		{name: "autoblock off", content: `{"captures": ["portscan.pcap"], "options": {"autoblock": "0"}, ` + fires + `, "blocked": []}`},
		{name: "autoblock duration", content: `{"captures": ["portscan.pcap"], "options": {"autoblock": "1m"}, ` + fires + `, "blocked": ["203.0.113.66"]}`},
		{name: "set raises threshold", content: `{"captures": ["portscan.pcap"], "options": {"set": ["port_scan.vertical_threshold=2000"]}, "signatures": [], "blocked": []}`},
		// an excluded host's alerts are removed: nothing fires, nobody is blocked
		{name: "exclusion", content: `{"captures": ["portscan.pcap"], "options": {"exclude": "ex.txt"}, "signatures": [], "blocked": []}`},
		{name: "mismatch", content: `{"captures": ["portscan.pcap"], "signatures": []}`, diffs: 1},
		{name: "bad set", content: `{"captures": ["portscan.pcap"], "options": {"set": ["port_scan.bogus=1"]}, "signatures": []}`, wantErr: []string{"options.set", "bogus"}},
		{name: "bad autoblock", content: `{"captures": ["portscan.pcap"], "options": {"autoblock": "-1m"}, "signatures": []}`, wantErr: []string{"options.autoblock", `"-1m"`}},
		{name: "missing exclusion file", content: `{"captures": ["portscan.pcap"], "options": {"exclude": "nope.txt"}, "signatures": []}`, wantErr: []string{"options.exclude", "nope.txt"}},
		{name: "missing capture", content: `{"captures": ["gone.pcap"], "signatures": []}`, wantErr: []string{filepath.Join(dir, "gone.pcap")}},
	}
	write(t, dir, "ex.txt", "203.0.113.66\n")
	var files []string
	for i, tt := range tests {
		files = append(files, write(t, dir, string(rune('a'+i))+"-"+strings.ReplaceAll(tt.name, " ", "-")+Suffix, tt.content))
	}
	rep, err := Run(context.Background(), files, RunOptions{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cases) != len(tests) {
		t.Fatalf("%d cases, want %d", len(rep.Cases), len(tests))
	}
	for i, tt := range tests {
		c := rep.Cases[i]
		t.Run(tt.name, func(t *testing.T) {
			if c.Path != files[i] {
				t.Errorf("Path = %q, want %q", c.Path, files[i])
			}
			if c.Updated {
				t.Error("Updated without --update")
			}
			if tt.wantErr != nil {
				if c.Err == nil {
					t.Fatalf("no error; diffs %q", c.Diffs)
				}
				if !strings.HasPrefix(c.Err.Error(), files[i]+": ") && !strings.Contains(c.Err.Error(), "gone.pcap") {
					t.Errorf("error %q does not start with the expectation file", c.Err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(c.Err.Error(), w) {
						t.Errorf("error %q does not contain %q", c.Err, w)
					}
				}
				return
			}
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			if len(c.Diffs) != tt.diffs {
				t.Errorf("diffs:\n%s\nwant %d", diffLines(c.Diffs), tt.diffs)
			}
			if c.Expected == "" || c.Got == "" {
				t.Errorf("Expected %q, Got %q: want summaries", c.Expected, c.Got)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rep, err := Run(ctx, files, RunOptions{Config: cfg})
		if !errors.Is(err, context.Canceled) || rep == nil || len(rep.Cases) != 0 {
			t.Errorf("Run(cancelled) = %v, %v; want an empty report and context.Canceled", rep, err)
		}
	})

	// Ctrl-C while the last case runs: the report says so, not that the
	// case could not run (the CLI exits 130 only when Run returns the
	// context's error).
	t.Run("cancelled during the last case", func(t *testing.T) {
		d := t.TempDir()
		copyCapture(t, d, "portscan.pcap", "portscan.pcap")
		// 8 x 2065 packets: past the 16384 at which the analyzer looks at ctx
		path := write(t, d, "big"+Suffix, `{"captures": [`+strings.Repeat(`"portscan.pcap", `, 7)+`"portscan.pcap"], "signatures": []}`)
		ctx := &cancelLater{Context: context.Background(), after: 1}
		rep, err := Run(ctx, []string{path}, RunOptions{Config: cfg})
		if ctx.calls.Load() < 2 {
			t.Fatalf("the analyzer never looked at the context (%d calls); the test needs a bigger input", ctx.calls.Load())
		}
		if len(rep.Cases) != 1 || !errors.Is(rep.Cases[0].Err, context.Canceled) {
			t.Fatalf("cases %+v: want the interrupted case with context.Canceled", rep.Cases)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v after the last case was interrupted, want context.Canceled", err)
		}
	})

	t.Run("update", func(t *testing.T) {
		d := t.TempDir()
		copyCapture(t, d, "portscan.pcap", "portscan.pcap")
		stale := write(t, d, "portscan"+Suffix, `{"signatures": [{"sid": 9000002, "min_alerts": 3}]}`)
		created := filepath.Join(d, "new"+Suffix)
		copyCapture(t, d, "benign.pcap", "new.pcap")
		rep, err := Run(context.Background(), []string{stale, created}, RunOptions{Config: cfg, Update: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Cases {
			if c.Err != nil || !c.Updated {
				t.Errorf("%s: err %v, updated %v; want updated", c.Path, c.Err, c.Updated)
			}
		}
		if d := rep.Cases[0].Diffs; len(d) != 1 || !strings.Contains(string(d[0]), "1 alert, want at least 3") {
			t.Errorf("stale diffs:\n%s", diffLines(d))
		}
		want := readFile(t, filepath.Join(corpus, "portscan"+Suffix))
		if got := readFile(t, stale); got != want {
			t.Errorf("rewritten:\n%s\nwant the bundled one:\n%s", got, want)
		}
		if got, want := readFile(t, created), readFile(t, filepath.Join(corpus, "benign"+Suffix)); got != want {
			t.Errorf("created:\n%s\nwant:\n%s", got, want)
		}
		if _, err := os.Stat(stale + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("temporary file left behind: %v", err)
		}
		again, err := Run(context.Background(), []string{stale, created}, RunOptions{Config: cfg, Update: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range again.Cases {
			if !c.Passed() || c.Updated {
				t.Errorf("second run %s: err %v, diffs %q, updated %v; want a plain pass", c.Path, c.Err, c.Diffs, c.Updated)
			}
		}
	})
}

// cancelLater is a context whose Err turns to Canceled after a number of
// calls, to interrupt a run at a known point.
type cancelLater struct {
	context.Context
	after int32
	calls atomic.Int32
}

func (c *cancelLater) Err() error {
	if c.calls.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
