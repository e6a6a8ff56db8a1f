package main

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const expectSuffix = ".expect.json"

// corpusCases lists the bundled expectation files by case name
// ("../../pcaps/portscan"), so no test hard-codes how many there are.
func corpusCases(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(pcaps, "*"+expectSuffix))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no expectation files in %s: %v", pcaps, err)
	}
	var out []string
	for _, p := range paths {
		out = append(out, pcaps+"/"+strings.TrimSuffix(filepath.Base(p), expectSuffix))
	}
	return out
}

// allCases is every expectation under pcaps/, pcaps/lab/ included, as
// check finds them (a directory's entries in name order), without the
// suffix.
func allCases(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(pcaps, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, expectSuffix) {
			out = append(out, filepath.ToSlash(strings.TrimSuffix(p, expectSuffix)))
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no expectation files under %s: %v", pcaps, err)
	}
	return out
}

// copyCorpus copies bundled files into a fresh temporary directory, so
// tests that write (--update) never touch pcaps/.
func copyCorpus(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), readFile(t, capture(n)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func put(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rowResult returns the Result cell of a case's row in the check table.
func rowResult(stdout, name string) string {
	for _, l := range strings.Split(stdout, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) > 2 && strings.TrimSpace(cells[1]) == name {
			return strings.TrimSpace(cells[len(cells)-2])
		}
	}
	return ""
}

// section returns the diff section that starts with head ("FAIL x:"),
// without the head, up to the next blank line.
func section(stdout, head string) (string, bool) {
	i := strings.Index(stdout, "\n"+head+"\n")
	if i < 0 {
		return "", false
	}
	rest := stdout[i+len(head)+2:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		rest = rest[:j+1]
	}
	return rest, true
}

// junitDoc is a JUnit file as CI reads it back.
type junitDoc struct {
	Suites []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	var doc junitDoc
	dec := xml.NewDecoder(strings.NewReader(string(readFile(t, path))))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s is not valid XML: %v", path, err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d test suites, want 1", len(doc.Suites))
	}
	return doc
}

// TestCheckCorpus is the first "done when": check passes on the
// bundled corpus as cloned.
func TestCheckCorpus(t *testing.T) {
	cases := allCases(t)
	for _, dir := range []string{pcaps, pcaps + "/"} {
		t.Run(dir, func(t *testing.T) {
			junit := filepath.Join(t.TempDir(), "junit.xml")
			r := runArgs(t, "check", "--junit", junit, dir)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			if want := fmt.Sprintf("\n%d passed, 0 failed\n", len(cases)); !strings.HasSuffix(r.stdout, want) {
				t.Errorf("stdout does not end with %q:\n%s", want, r.stdout)
			}
			for _, c := range cases {
				if got := rowResult(r.stdout, c); got != "pass" {
					t.Errorf("row %s: result %q, want pass", c, got)
				}
			}
			for _, bad := range []string{"FAIL", "ERROR", "UPDATED"} {
				if strings.Contains(r.stdout, bad) {
					t.Errorf("stdout contains %q:\n%s", bad, r.stdout)
				}
			}
			if rowResult(r.stdout, pcaps+"/scan-split") == "" || !strings.Contains(r.stdout, "scan-part1.pcap + scan-part2.pcap") {
				t.Errorf("the merged expectation scan-split is not shown with both captures:\n%s", r.stdout)
			}

			doc := readJUnit(t, junit)
			s := doc.Suites[0]
			if s.Tests != len(cases) || s.Failures != 0 || s.Errors != 0 || len(s.Cases) != len(cases) {
				t.Errorf("JUnit: tests %d, failures %d, errors %d, %d test cases; want %d, 0, 0, %d", s.Tests, s.Failures, s.Errors, len(s.Cases), len(cases), len(cases))
			}
			var names []string
			for _, c := range s.Cases {
				names = append(names, c.Name)
				if c.Failure != nil || c.Error != nil {
					t.Errorf("JUnit case %s failed: %+v %+v", c.Name, c.Failure, c.Error)
				}
			}
			var want []string
			for _, c := range cases {
				want = append(want, filepath.Base(c))
			}
			if !slices.Equal(names, want) {
				t.Errorf("JUnit test cases %q, want %q", names, want)
			}
		})
	}

	t.Run("single capture stands for its expectation", func(t *testing.T) {
		r := runArgs(t, "check", capture("portscan.pcap"), capture("mixed.pcapng"), capture("scan-split.expect.json"))
		r.wantCode(t, exitOK)
		r.wantNoStderr(t)
		if !strings.HasSuffix(r.stdout, "\n3 passed, 0 failed\n") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		for _, c := range []string{"portscan", "mixed", "scan-split"} {
			if got := rowResult(r.stdout, pcaps+"/"+c); got != "pass" {
				t.Errorf("row %s: %q, want pass", c, got)
			}
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		a, b := runArgs(t, "check", pcaps), runArgs(t, "check", pcaps)
		if a.stdout != b.stdout {
			t.Errorf("two runs differ:\n%s", firstDiff(a.stdout, b.stdout))
		}
	})
}

// TestCheckDetectsChange is the second "done when": a changed
// detector default makes check fail with a clear diff and exit 1.
func TestCheckDetectsChange(t *testing.T) {
	cases := corpusCases(t)
	// With the vertical scan threshold out of reach, every expectation
	// that lists the port scan signature fails, and only those.
	var failing []string
	for _, c := range cases {
		if strings.Contains(string(readFile(t, c+expectSuffix)), `"sid": 9000002`) {
			failing = append(failing, c)
		}
	}
	if len(failing) == 0 || len(failing) == len(cases) {
		t.Fatalf("%d of %d expectations list 9000002; the test needs some of each", len(failing), len(cases))
	}
	junit := filepath.Join(t.TempDir(), "junit.xml")
	// the generated corpus only: how pcaps/lab/'s real scans split into
	// vertical scans and sweeps is not what this test is about
	args := []string{"check", "--set", "port_scan.vertical_threshold=2000", "--junit", junit}
	for _, c := range cases {
		args = append(args, c+expectSuffix)
	}
	r := runArgs(t, args...)
	r.wantCode(t, exitError)
	r.wantOneErrorLine(t, fmt.Sprintf("%d of %d checks failed", len(failing), len(cases)))
	if want := fmt.Sprintf("\n%d passed, %d failed\n", len(cases)-len(failing), len(failing)); !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stdout does not end with %q:\n%s", want, r.stdout)
	}
	for _, c := range cases {
		want := "pass"
		if slices.Contains(failing, c) {
			want = "FAIL"
		}
		if got := rowResult(r.stdout, c); got != want {
			t.Errorf("row %s: %q, want %q", c, got, want)
		}
		diff, ok := section(r.stdout, "FAIL "+c+":")
		if ok != (want == "FAIL") {
			t.Errorf("%s: FAIL section present %v, want %v", c, ok, want == "FAIL")
			continue
		}
		// the internal scanner still fires it, horizontally, just less
		if ok && !strings.Contains(diff, "    - signature 9000002 \"Attack: Port Scan\": expected to fire, did not\n") &&
			!strings.Contains(diff, "    ~ signature 9000002 \"Attack: Port Scan\": ") {
			t.Errorf("%s: diff does not name signature 9000002:\n%s", c, diff)
		}
	}
	diff, _ := section(r.stdout, "FAIL "+pcaps+"/portscan:")
	if want := "    - signature 9000002 \"Attack: Port Scan\": expected to fire, did not\n" +
		"    - blocked hosts: 203.0.113.66 expected, missing\n"; diff != want {
		t.Errorf("portscan diff:\n%s\nwant:\n%s", diff, want)
	}

	doc := readJUnit(t, junit)
	s := doc.Suites[0]
	if s.Tests != len(cases) || s.Failures != len(failing) || s.Errors != 0 || len(s.Cases) != len(cases) {
		t.Errorf("JUnit: tests %d, failures %d, errors %d, %d cases; want %d, %d, 0, %d", s.Tests, s.Failures, s.Errors, len(s.Cases), len(cases), len(failing), len(cases))
	}
	for _, c := range s.Cases {
		shouldFail := slices.Contains(failing, pcaps+"/"+c.Name)
		if (c.Failure != nil) != shouldFail {
			t.Errorf("JUnit case %s: failure %+v, want failure %v", c.Name, c.Failure, shouldFail)
			continue
		}
		if c.Failure != nil && (!strings.Contains(c.Failure.Message, "9000002") || !strings.Contains(c.Failure.Body, "9000002")) {
			t.Errorf("JUnit case %s: failure %+v does not name 9000002", c.Name, c.Failure)
		}
	}
}

// TestCheckOptionsOverrideSet checks an expectation's own options win over
// the command line, as they are applied on top of it.
func TestCheckOptionsOverrideSet(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap")
	put(t, dir, "portscan"+expectSuffix, strings.Replace(string(readFile(t, capture("portscan"+expectSuffix))),
		"{\n", "{\n  \"options\": {\"set\": [\"port_scan.vertical_threshold=15\"]},\n", 1))
	r := runArgs(t, "check", "--set", "port_scan.vertical_threshold=2000", dir)
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
}

func TestCheckUpdate(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap", "benign.pcap", "scan-part1.pcap", "scan-part2.pcap", "guest-vm.pcap", "guest-vm"+expectSuffix)
	// stale: wrong count and attacker, blocked host missing
	stale := put(t, dir, "portscan"+expectSuffix, `{"signatures": [{"sid": 9000002, "alerts": 3, "attackers": ["10.9.9.9"]}], "blocked": []}`)
	// holds, in its own layout: left as it is
	const benign = `{"signatures": []}`
	put(t, dir, "benign"+expectSuffix, benign)
	// merged, with options and a lower bound that still holds; only the
	// blocked host is wrong (autoblock is off)
	split := put(t, dir, "split"+expectSuffix, `{
  "captures": ["scan-part1.pcap", "scan-part2.pcap"],
  "options": {"autoblock": "0"},
  "signatures": [{"sid": 9000002, "min_alerts": 1, "attackers": ["203.0.113.88"]}],
  "blocked": ["203.0.113.88"]
}`)
	guestBefore := readFile(t, filepath.Join(dir, "guest-vm"+expectSuffix))

	r := runArgs(t, "check", "--update", dir)
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	portDiff, ok := section(r.stdout, "UPDATED "+stale+" (what changed):")
	if !ok {
		t.Fatalf("no UPDATED section for %s:\n%s", stale, r.stdout)
	}
	for _, want := range []string{
		`~ signature 9000002 "Attack: Port Scan": 1 alert, want 3`,
		`- signature 9000002 "Attack: Port Scan" attackers: 10.9.9.9 expected, missing`,
		`+ signature 9000002 "Attack: Port Scan" attackers: 203.0.113.66 not expected`,
		`+ blocked hosts: 203.0.113.66 not expected`,
	} {
		if !strings.Contains(portDiff, "    "+want+"\n") {
			t.Errorf("UPDATED portscan does not say %q:\n%s", want, portDiff)
		}
	}
	splitDiff, ok := section(r.stdout, "UPDATED "+split+" (what changed):")
	if !ok || splitDiff != "    - blocked hosts: 203.0.113.88 expected, missing\n" {
		t.Errorf("UPDATED split section %q (found %v), want the blocked host", splitDiff, ok)
	}
	for name, want := range map[string]string{
		"portscan": "UPDATED", "split": "UPDATED", "scan-part1": "UPDATED", "scan-part2": "UPDATED",
		"benign": "pass", "guest-vm": "pass",
	} {
		if got := rowResult(r.stdout, filepath.Join(dir, name)); got != want {
			t.Errorf("row %s: %q, want %q", name, got, want)
		}
	}
	if !strings.HasSuffix(r.stdout, "\n4 updated\n2 passed, 0 failed\n") {
		t.Errorf("totals:\n%s", r.stdout)
	}
	// There were no expectations for the split's parts, so --update on a
	// directory writes them too.
	for _, part := range []string{"scan-part1", "scan-part2"} {
		p := filepath.Join(dir, part+expectSuffix)
		if got, want := string(readFile(t, p)), string(readFile(t, capture(part+expectSuffix))); got != want {
			t.Errorf("created %s:\n%s\nwant:\n%s", p, got, want)
		}
		if _, ok := section(r.stdout, "UPDATED "+p+" (what changed):"); !ok {
			t.Errorf("--update on a directory wrote %s but the output does not say so:\n%s", p, r.stdout)
		}
	}

	if got, want := string(readFile(t, stale)), string(readFile(t, capture("portscan"+expectSuffix))); got != want {
		t.Errorf("rewritten portscan expectation:\n%s\nwant the bundled one:\n%s", got, want)
	}
	if got := string(readFile(t, filepath.Join(dir, "benign"+expectSuffix))); got != benign {
		t.Errorf("a passing expectation was rewritten:\n%s", got)
	}
	if got := readFile(t, filepath.Join(dir, "guest-vm"+expectSuffix)); string(got) != string(guestBefore) {
		t.Errorf("a passing expectation was rewritten:\n%s", got)
	}
	wantSplit := `{
  "captures": ["scan-part1.pcap", "scan-part2.pcap"],
  "options": {
    "autoblock": "0"
  },
  "signatures": [
    {
      "sid": 9000002,
      "name": "Attack: Port Scan",
      "min_alerts": 1,
      "attackers": ["203.0.113.88"]
    }
  ],
  "blocked": [],
  "false_positives": []
}
`
	if got := string(readFile(t, split)); got != wantSplit {
		t.Errorf("rewritten split expectation:\n%s\nwant (captures, options and min_alerts kept):\n%s", got, wantSplit)
	}

	again := runArgs(t, "check", dir)
	again.wantCode(t, exitOK)
	again.wantNoStderr(t)
	if !strings.HasSuffix(again.stdout, "\n6 passed, 0 failed\n") {
		t.Errorf("check after --update:\n%s", again.stdout)
	}
	third := runArgs(t, "check", "--update", dir)
	third.wantCode(t, exitOK)
	if strings.Contains(third.stdout, "UPDATED") || strings.Contains(third.stdout, "updated") {
		t.Errorf("a second --update changed something:\n%s", third.stdout)
	}
}

func TestCheckCaptureWithoutExpectation(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap")
	pcap := filepath.Join(dir, "portscan.pcap")
	exp := filepath.Join(dir, "portscan"+expectSuffix)

	r := runArgs(t, "check", pcap)
	r.wantCode(t, exitInput)
	r.wantNoStdout(t)
	r.wantOneErrorLine(t, pcap+": ", "no expectation file "+exp, "--update")

	dirRun := runArgs(t, "check", dir)
	dirRun.wantCode(t, exitInput)
	dirRun.wantNoStdout(t)
	dirRun.wantOneErrorLine(t, "no expectation files", dir)

	if _, err := os.Stat(exp); err == nil {
		t.Fatal("check without --update wrote an expectation")
	}

	u := runArgs(t, "check", "--update", pcap)
	u.wantCode(t, exitOK)
	u.wantNoStderr(t)
	if !strings.Contains(u.stdout, "\nUPDATED "+exp+" (what changed):\n") || rowResult(u.stdout, filepath.Join(dir, "portscan")) != "UPDATED" {
		t.Errorf("--update does not say it wrote %s:\n%s", exp, u.stdout)
	}
	if !strings.HasSuffix(u.stdout, "\n1 updated\n0 passed, 0 failed\n") {
		t.Errorf("totals:\n%s", u.stdout)
	}
	if got, want := string(readFile(t, exp)), string(readFile(t, capture("portscan"+expectSuffix))); got != want {
		t.Errorf("created expectation:\n%s\nwant:\n%s", got, want)
	}

	again := runArgs(t, "check", pcap)
	again.wantCode(t, exitOK)
	again.wantNoStderr(t)
	if !strings.HasSuffix(again.stdout, "\n1 passed, 0 failed\n") {
		t.Errorf("check after creating:\n%s", again.stdout)
	}
}

func TestCheckBadExpectation(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // in the ERROR line after the file name
	}{
		{"syntax error", "{\n  \"signatures\": [\n    {\"sid\": 9000002,}\n  ]\n}\n", []string{"line 3 col 21", "invalid character"}},
		{"unknown key", "{\n  \"signatures\": [],\n  \"blockd\": []\n}\n", []string{"line 3 col 3", `unknown field "blockd"`}},
		{"wrong type", "{\n  \"signatures\": [\n    {\"sid\": \"9000002\"}\n  ]\n}\n", []string{"line 3", "signatures.sid: want a whole number, 0 or more, got a string"}},
		{"no signatures", "{}\n", []string{`"signatures" is required`}},
		{"duplicate sid", "{\"signatures\": [{\"sid\": 1}, {\"sid\": 1}]}\n", []string{"signatures[1]", "listed twice"}},
		{"empty", "", []string{"file is empty"}},
		{"bad option", "{\"options\": {\"set\": [\"port_scan.bogus=1\"]}, \"signatures\": []}\n", []string{"options.set", `unknown key "bogus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyCorpus(t, "portscan.pcap", "portscan"+expectSuffix)
			bad := put(t, dir, "bad"+expectSuffix, tt.content)
			junit := filepath.Join(dir, "junit.xml")
			r := runArgs(t, "check", "--junit", junit, dir)
			r.wantCode(t, exitInput)
			r.wantOneErrorLine(t, "1 of 2 checks could not run")
			name := strings.TrimSuffix(bad, expectSuffix)
			if got := rowResult(r.stdout, name); got != "ERROR" {
				t.Errorf("row %s: %q, want ERROR\n%s", name, got, r.stdout)
			}
			if got := rowResult(r.stdout, filepath.Join(dir, "portscan")); got != "pass" {
				t.Errorf("the good case beside it: %q, want pass", got)
			}
			line := ""
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "ERROR ") {
					line = l
				}
			}
			for _, w := range append([]string{"ERROR " + name + ": " + bad + ": "}, tt.want...) {
				if !strings.Contains(line, w) {
					t.Errorf("ERROR line %q does not contain %q", line, w)
				}
			}
			if !strings.HasSuffix(r.stdout, "\n1 could not run (errors above)\n1 passed, 0 failed\n") {
				t.Errorf("totals:\n%s", r.stdout)
			}
			s := readJUnit(t, junit).Suites[0]
			if s.Tests != 2 || s.Errors != 1 || s.Failures != 0 {
				t.Errorf("JUnit tests %d, errors %d, failures %d; want 2, 1, 0", s.Tests, s.Errors, s.Failures)
			}
			for _, c := range s.Cases {
				if (c.Error != nil) != (c.Name == "bad") {
					t.Errorf("JUnit case %s: error %+v", c.Name, c.Error)
				}
			}

			// --update does not paper over a broken file.
			u := runArgs(t, "check", "--update", bad)
			u.wantCode(t, exitInput)
			if got := string(readFile(t, bad)); got != tt.content {
				t.Errorf("--update rewrote a bad expectation:\n%s", got)
			}
		})
	}
}

func TestCheckUnreadableCapture(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap", "portscan"+expectSuffix, "benign"+expectSuffix)
	notCapture := put(t, dir, "benign.pcap", "this is not a capture\n")
	put(t, dir, "gone"+expectSuffix, `{"captures": ["missing.pcap"], "signatures": []}`)
	missing := filepath.Join(dir, "missing.pcap")
	cut := put(t, dir, "cut.pcap", string(readFile(t, capture("portscan.pcap"))[:2000]))
	put(t, dir, "cut"+expectSuffix, string(readFile(t, capture("portscan"+expectSuffix))))

	junit := filepath.Join(dir, "junit.xml")
	r := runArgs(t, "check", "--junit", junit, dir)
	r.wantCode(t, exitInput)
	r.wantOneErrorLine(t, "3 of 4 checks could not run")
	for name, capture := range map[string]string{"benign": notCapture, "gone": missing, "cut": cut} {
		c := filepath.Join(dir, name)
		if got := rowResult(r.stdout, c); got != "ERROR" {
			t.Errorf("row %s: %q, want ERROR", name, got)
		}
		if !strings.Contains(r.stdout, "\nERROR "+c+": "+capture) {
			t.Errorf("no ERROR line for %s naming %s:\n%s", name, capture, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "\nERROR "+filepath.Join(dir, "cut")+": "+cut+": packet ") {
		t.Errorf("the truncated capture's error does not give the packet:\n%s", r.stdout)
	}
	if got := rowResult(r.stdout, filepath.Join(dir, "portscan")); got != "pass" {
		t.Errorf("the good case: %q, want pass", got)
	}
	s := readJUnit(t, junit).Suites[0]
	if s.Tests != 4 || s.Errors != 3 || s.Failures != 0 {
		t.Errorf("JUnit tests %d, errors %d, failures %d; want 4, 3, 0", s.Tests, s.Errors, s.Failures)
	}

	// An error outranks a mismatch: exit 2.
	put(t, dir, "portscan"+expectSuffix, `{"signatures": []}`)
	mixed := runArgs(t, "check", dir)
	mixed.wantCode(t, exitInput)
	if !strings.HasSuffix(mixed.stdout, "\n3 could not run (errors above)\n0 passed, 1 failed\n") {
		t.Errorf("totals:\n%s", mixed.stdout)
	}
}

func TestCheckMerged(t *testing.T) {
	dir := copyCorpus(t, "scan-part1.pcap", "scan-part2.pcap")
	put(t, dir, "both"+expectSuffix, `{
  "captures": ["scan-part2.pcap", "scan-part1.pcap"],
  "signatures": [{"sid": 9000002, "alerts": 1, "attackers": ["203.0.113.88"]}],
  "blocked": ["203.0.113.88"],
  "false_positives": []
}`)
	put(t, dir, "quiet"+expectSuffix, `{"captures": ["scan-part1.pcap", "scan-part2.pcap"], "signatures": []}`)
	r := runArgs(t, "check", dir)
	r.wantCode(t, exitError)
	r.wantOneErrorLine(t, "1 of 2 checks failed")
	if got := rowResult(r.stdout, filepath.Join(dir, "both")); got != "pass" {
		t.Errorf("merged expectation: %q, want pass\n%s", got, r.stdout)
	}
	if !strings.Contains(r.stdout, "scan-part2.pcap + scan-part1.pcap") {
		t.Errorf("the captures column does not list both parts:\n%s", r.stdout)
	}
	diff, _ := section(r.stdout, "FAIL "+filepath.Join(dir, "quiet")+":")
	if want := "    + signature 9000002 \"Attack: Port Scan\": fired 1 alert (attackers 203.0.113.88), not expected\n"; diff != want {
		t.Errorf("quiet diff:\n%s\nwant:\n%s", diff, want)
	}
}

func TestCheckUsage(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "no paths", args: []string{"check"}, want: []string{"check needs at least one"}},
		{name: "only flags", args: []string{"check", "--update"}, want: []string{"check needs at least one"}},
		{name: "unknown flag", args: []string{"check", "--bogus", pcaps}, want: []string{"unknown flag --bogus"}},
		{name: "bad --set", args: []string{"check", "--set", "port_scan.bogus=1", pcaps}, want: []string{`unknown key "bogus"`}},
		{name: "junit without a file", args: []string{"check", "--junit"}, want: []string{"junit"}},
		{name: "missing path", args: []string{"check", filepath.Join(empty, "nope")}, want: []string{filepath.Join(empty, "nope"), "no such file"}},
		{name: "nothing to check", args: []string{"check", empty}, want: []string{"no expectation files", empty}},
		{name: "shard past the count", args: []string{"check", "--shard", "3/2", pcaps}, want: []string{`--shard "3/2"`, "1 <= I <= N"}},
		{name: "shard zero", args: []string{"check", "--shard", "0/2", pcaps}, want: []string{`--shard "0/2"`}},
		{name: "shard not a fraction", args: []string{"check", "--shard", "2", pcaps}, want: []string{`--shard "2"`}},
		{name: "no jobs", args: []string{"check", "--jobs", "0", pcaps}, want: []string{"--jobs 0"}},
		// parsed where GNU tools would parse it
		{name: "flag after the paths", args: []string{"check", pcaps, "--jobs", "0"}, want: []string{"--jobs 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, tt.want...)
		})
	}

	t.Run("help", func(t *testing.T) {
		r := runArgs(t, "check", "--help")
		r.wantCode(t, exitOK)
		for _, w := range []string{"--update", "--junit", "--config", "--set", "expect.json"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("check --help does not mention %q:\n%s", w, r.stdout)
			}
		}
		top := runArgs(t, "help")
		if !strings.Contains(top.stdout, "check") {
			t.Errorf("help does not list check:\n%s", top.stdout)
		}
	})

	t.Run("junit to an unwritable place", func(t *testing.T) {
		junit := filepath.Join(empty, "no", "such", "dir", "junit.xml")
		r := runArgs(t, "check", "--junit", junit, capture("benign.pcap"))
		r.wantCode(t, exitError)
		r.wantOneErrorLine(t, "JUnit", junit)
		if !strings.Contains(r.stdout, "1 passed") {
			t.Errorf("the table is still written:\n%s", r.stdout)
		}
	})
}

// check --shard I/N runs every N-th case from the I-th: the N shards
// together run each case once, each writing a JUnit file of its own; and
// cases run at once (--jobs) report what cases run in turn do.
func TestCheckShards(t *testing.T) {
	cases := allCases(t)
	const n = 3
	seen := map[string]int{}
	for i := 1; i <= n; i++ {
		junit := filepath.Join(t.TempDir(), fmt.Sprintf("junit-%d.xml", i))
		r := runArgs(t, "check", "--shard", fmt.Sprintf("%d/%d", i, n), "--junit", junit, pcaps)
		r.wantCode(t, exitOK)
		doc := readJUnit(t, junit)
		s := doc.Suites[0]
		if s.Tests < len(cases)/n || s.Tests > len(cases)/n+1 {
			t.Errorf("shard %d/%d ran %d cases of %d", i, n, s.Tests, len(cases))
		}
		for _, c := range cases {
			if rowResult(r.stdout, c) != "" {
				seen[c]++
			}
		}
	}
	for _, c := range cases {
		if seen[c] != 1 {
			t.Errorf("case %s ran in %d shards, want 1", c, seen[c])
		}
	}
	one := runArgs(t, "check", "--jobs", "1", pcaps)
	four := runArgs(t, "check", "--jobs", "4", pcaps)
	if one.code != exitOK || four.stdout != one.stdout {
		t.Errorf("--jobs 4 reports differently from --jobs 1:\n%s\n---\n%s", four.stdout, one.stdout)
	}
}

// A check that cannot start still writes its JUnit file, one errored
// case saying why, so CI never reads an old file in its place; but only
// a JUnit file (or nothing) is ever replaced.
func TestCheckJUnitOnUsageError(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"check", "--junit", junit, "--bogus", pcaps}, "bogus"},
		{"unknown flag first", []string{"check", "--bogus", "--junit=" + junit, pcaps}, "bogus"},
		{"bad shard", []string{"check", "--junit", junit, "--shard", "5/2", pcaps}, "--shard"},
		{"nothing to check", []string{"check", "--junit", junit, t.TempDir()}, "no expectation files"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			put(t, dir, "junit.xml", "<?xml version=\"1.0\"?><testsuites><testsuite name=\"old\" tests=\"9\"></testsuite></testsuites>")
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			doc := readJUnit(t, junit)
			s := doc.Suites[0]
			if s.Tests != 1 || s.Errors != 1 || len(s.Cases) != 1 || s.Cases[0].Error == nil || !strings.Contains(s.Cases[0].Error.Message, tt.want) {
				t.Errorf("JUnit after %q: %+v", tt.args, s)
			}
		})
	}
	t.Run("not a JUnit file", func(t *testing.T) {
		notes := put(t, dir, "notes.txt", "keep me")
		r := runArgs(t, "check", "--bogus", "--junit", notes, pcaps)
		r.wantCode(t, exitInput)
		if got := string(readFile(t, notes)); got != "keep me" {
			t.Errorf("--junit naming another file replaced it: %q", got)
		}
	})
	t.Run("names do not depend on the checkout", func(t *testing.T) {
		abs, err := filepath.Abs(pcaps)
		if err != nil {
			t.Fatal(err)
		}
		r := runArgs(t, "check", "--junit", junit, abs)
		r.wantCode(t, exitOK)
		for _, c := range readJUnit(t, junit).Suites[0].Cases {
			if filepath.IsAbs(c.File) || strings.Contains(c.Classname, "/") || !strings.HasSuffix(c.File, ".expect.json") {
				t.Errorf("case %s: file %q, classname %q", c.Name, c.File, c.Classname)
			}
		}
	})
}
