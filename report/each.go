package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// WriteEach renders one report per result, as `analyze --per-file` asks:
// tables one after another under a banner naming the file, JSON as one
// array of reports (each with its own schema field). Nothing is written
// when rendering fails.
func WriteEach(w io.Writer, results []*analyzer.Result, f Format) error {
	var buf bytes.Buffer
	switch f {
	case FormatTable:
		for i, r := range results {
			if i > 0 {
				buf.WriteString("\n")
			}
			name := "(no file)"
			if r != nil && len(r.Files) > 0 {
				name = clean(r.Files[0].Path)
			}
			banner := fmt.Sprintf("#### %s ####", name)
			fmt.Fprintf(&buf, "%s\n%s\n\n", strings.Repeat("#", len(banner)), banner)
			if err := WriteTable(&buf, r); err != nil {
				return err
			}
		}
	case FormatJSON:
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
	case FormatEVE:
		// JSON Lines concatenate: each file's events, then its false positives.
		for _, r := range results {
			if err := WriteEVE(&buf, r); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("format %q: want %s", f, validFormats())
	}
	_, err := w.Write(buf.Bytes())
	return err
}
