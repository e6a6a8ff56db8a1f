package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ipsreplay/ipsreplay/expect"
)

// WriteCheck renders a check run: one row per expectation (capture,
// expected, got, result), then a readable diff for every case that did not
// pass, then the totals.
func WriteCheck(w io.Writer, rep *expect.Report) error {
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
	if err := table(&b, []string{"Case", "Captures", "Expected", "Got", "Result"}, rows, false); err != nil {
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
	_, err := w.Write(b.Bytes())
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
// one testsuite, one testcase per expectation.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
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

// WriteJUnit renders a check run as JUnit XML. Times are the only part
// that varies between runs.
func WriteJUnit(w io.Writer, rep *expect.Report) error {
	passed, failed, errored, updated := rep.Counts()
	suite := junitSuite{Name: "ipsreplay check", Tests: passed + failed + errored + updated, Failures: failed, Errors: errored}
	var total float64
	for i := range rep.Cases {
		c := &rep.Cases[i]
		secs := c.Elapsed.Seconds()
		total += secs
		jc := junitCase{
			Name:      filepath.Base(c.Name()),
			Classname: strings.ReplaceAll(filepath.ToSlash(filepath.Dir(c.Path)), "/", "."),
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
		jc.SystemOut = xmlSafe(jc.SystemOut)
		suite.Cases = append(suite.Cases, jc)
	}
	suite.Time = fmt.Sprintf("%.3f", total)
	out, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{suite}}, "", "  ")
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
