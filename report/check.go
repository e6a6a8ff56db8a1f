package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/expect"
)

// WriteCheck renders a check run: one row per expectation (capture,
// expected, got, result), then a readable diff for every case that did not
// pass, then the totals.
func WriteCheck(w io.Writer, rep *expect.Report) error { return WriteCheckWidth(w, rep, 0) }

// WriteCheckWidth is WriteCheck with its table and lines fitted to width
// (see WriteTableWidth); the last line keeps its plain form.
func WriteCheckWidth(w io.Writer, rep *expect.Report, width int) error {
	var b bytes.Buffer
	rows := make([][]string, 0, len(rep.Cases))
	for i := range rep.Cases {
		c := &rep.Cases[i]
		got := c.Got
		if c.Err != nil {
			got = "error"
		}
		rows = append(rows, []string{clean(c.Name()), clean(captureList(c)), clean(c.Expected), clean(got), result(c)})
	}
	if err := fitTable(&b, width, []string{"Case", "Captures", "Expected", "Got", "Result"}, rows, false); err != nil {
		return err
	}
	for i := range rep.Cases {
		c := &rep.Cases[i]
		if c.Passed() && !c.Updated {
			continue
		}
		b.WriteByte('\n')
		switch {
		case c.Err != nil:
			line(&b, "ERROR %s: %s", clean(c.Name()), clean(c.Err.Error()))
		case c.Updated:
			line(&b, "UPDATED %s (what changed):", clean(c.Path))
		default:
			line(&b, "FAIL %s:", clean(c.Name()))
		}
		for _, d := range c.Diffs {
			line(&b, "    %s", clean(string(d)))
		}
	}
	passed, failed, errored, updated := rep.Counts()
	b.WriteByte('\n')
	if updated > 0 {
		line(&b, "%d updated", updated)
	}
	if errored > 0 {
		line(&b, "%d could not run (errors above)", errored)
	}
	// last, in the plain form CI log readers count: "N passed, N failed"
	line(&b, "%d passed, %d failed", passed, failed)
	_, err := w.Write(fitLines(b.Bytes(), width))
	return err
}

func captureList(c *expect.Case) string {
	names := make([]string, len(c.Captures))
	for i, p := range c.Captures {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, " + ")
}

func result(c *expect.Case) string {
	switch {
	case c.Err != nil:
		return "ERROR"
	case c.Updated:
		return "UPDATED"
	case len(c.Diffs) > 0:
		return "FAIL"
	}
	return "pass"
}

// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters):
// one testsuite, one testcase per expectation, totals on both levels.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// junitName is the suite's name, and the name of the one case a run that
// could not start reports.
const junitName = "ipsreplay check"

// junitTimestamp is JUnit's timestamp: ISO 8601 without a zone, in UTC.
const junitTimestamp = "2006-01-02T15:04:05"

// WriteJUnit renders a check run as JUnit XML. Times are the only part
// that varies between runs. Each case names its expectation file
// (relative to rep.Base when under it) and has a classname made of that
// file's directory, so the same corpus gives the same names wherever it
// was checked out.
func WriteJUnit(w io.Writer, rep *expect.Report) error {
	passed, failed, errored, updated := rep.Counts()
	suite := junitSuite{Name: junitName, Tests: passed + failed + errored + updated, Failures: failed, Errors: errored}
	if !rep.Start.IsZero() {
		suite.Timestamp = rep.Start.UTC().Format(junitTimestamp)
	}
	names := junitPaths(rep)
	var total float64
	for i := range rep.Cases {
		c := &rep.Cases[i]
		secs := c.Elapsed.Seconds()
		total += secs
		jc := junitCase{
			Name:      filepath.Base(c.Name()),
			Classname: strings.ReplaceAll(path.Dir(names[i]), "/", "."),
			File:      xmlSafe(names[i]),
			Time:      fmt.Sprintf("%.3f", secs),
			SystemOut: "captures: " + captureList(c) + "\nexpected: " + c.Expected + "\ngot: " + c.Got,
		}
		switch {
		case c.Err != nil:
			jc.Error = &junitProblem{Message: xmlSafe(c.Err.Error()), Type: "error", Body: xmlSafe(c.Err.Error())}
		case len(c.Diffs) > 0 && !c.Updated:
			lines := make([]string, len(c.Diffs))
			for j, d := range c.Diffs {
				lines[j] = string(d)
			}
			jc.Failure = &junitProblem{Message: xmlSafe(lines[0]), Type: "mismatch", Body: xmlSafe(strings.Join(lines, "\n"))}
		}
		jc.Classname = xmlSafe(jc.Classname)
		jc.SystemOut = xmlSafe(jc.SystemOut)
		suite.Cases = append(suite.Cases, jc)
	}
	suite.Time = fmt.Sprintf("%.3f", total)
	return writeJUnitDoc(w, suite)
}

// WriteJUnitError renders a check run that could not start (a usage
// error, no expectation found, a bad config) as JUnit with one errored
// case, so a CI job never picks up an old file in its place.
func WriteJUnitError(w io.Writer, err error, at time.Time) error {
	msg := xmlSafe(err.Error())
	return writeJUnitDoc(w, junitSuite{
		Name: junitName, Tests: 1, Errors: 1, Time: "0.000", Timestamp: at.UTC().Format(junitTimestamp),
		Cases: []junitCase{{Name: junitName, Classname: "ipsreplay", Time: "0.000",
			Error: &junitProblem{Message: msg, Type: "usage", Body: msg}}},
	})
}

func writeJUnitDoc(w io.Writer, suite junitSuite) error {
	root := junitSuites{Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite}}
	out, err := xml.MarshalIndent(root, "", "  ")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.Write(out)
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return err
}

// junitPaths names each case's expectation file with forward slashes:
// relative to rep.Base when the file is under it, else as given when that
// is a relative path below the working directory, else relative to the
// directory those cases share, under that directory's own name, so no
// absolute path leaks into a name.
func junitPaths(rep *expect.Report) []string {
	abs := make([]string, len(rep.Cases))
	for i := range rep.Cases {
		a, err := filepath.Abs(rep.Cases[i].Path)
		if err != nil {
			a = rep.Cases[i].Path
		}
		abs[i] = a
	}
	out := make([]string, len(abs))
	var outside []int
	for i, a := range abs {
		p := filepath.Clean(rep.Cases[i].Path)
		if rel, err := filepath.Rel(rep.Base, a); rep.Base != "" && err == nil && !strings.HasPrefix(rel, "..") {
			out[i] = filepath.ToSlash(rel)
		} else if !filepath.IsAbs(p) && !strings.HasPrefix(p, "..") {
			out[i] = filepath.ToSlash(p)
		} else {
			outside = append(outside, i)
		}
	}
	if len(outside) > 0 {
		common := filepath.Dir(abs[outside[0]])
		for _, i := range outside[1:] {
			for !strings.HasPrefix(abs[i], common+string(filepath.Separator)) && filepath.Dir(common) != common {
				common = filepath.Dir(common)
			}
		}
		for _, i := range outside {
			rel, _ := filepath.Rel(filepath.Dir(common), abs[i])
			out[i] = filepath.ToSlash(rel)
		}
	}
	return out
}

// xmlSafe drops characters XML 1.0 cannot carry at all (control bytes
// from packet payloads), which encoding/xml would otherwise write.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xfffe && r != 0xffff {
			return r
		}
		return -1
	}, s)
}
