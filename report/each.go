package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// eachTable puts the tables one after another, each under a banner
// naming its file.
func eachTable(buf *bytes.Buffer, results []*analyzer.Result) error {
	return eachTableWidth(buf, results, 0)
}

// eachTableWidth is eachTable with each report fitted to width (see
// WriteTableWidth).
func eachTableWidth(buf *bytes.Buffer, results []*analyzer.Result, width int) error {
	for i, r := range results {
		if i > 0 {
			buf.WriteString("\n")
		}
		name := "(no file)"
		if r != nil && len(r.Files) > 0 {
			name = clean(r.Files[0].Path)
		}
		banner := fmt.Sprintf("#### %s ####", name)
		fmt.Fprintf(buf, "%s\n%s\n\n", strings.Repeat("#", len(banner)), banner)
		if err := WriteTableWidth(buf, r, width); err != nil {
			return err
		}
	}
	return nil
}

// eachJSON writes one array of reports, each indented as an element.
func eachJSON(buf *bytes.Buffer, results []*analyzer.Result) error {
	buf.WriteString("[\n")
	for i, r := range results {
		var one bytes.Buffer
		if err := WriteJSON(&one, r); err != nil {
			return err
		}
		for j, l := range strings.Split(strings.TrimRight(one.String(), "\n"), "\n") {
			if j > 0 {
				buf.WriteString("\n")
			}
			buf.WriteString("  " + l)
		}
		if i < len(results)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	return nil
}

// eachEVE concatenates JSON Lines: each file's events, then its false
// positives.
func eachEVE(buf *bytes.Buffer, results []*analyzer.Result) error {
	for _, r := range results {
		if err := WriteEVE(buf, r); err != nil {
			return err
		}
	}
	return nil
}
