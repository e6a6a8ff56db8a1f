// Package report renders an analyzer.Result as readable tables or as
// machine-readable JSON. It only renders: what fired, what was blocked and
// which hosts look benign are all decided by the analyzer.
//
// Both formats are deterministic: the same Result gives the same bytes,
// whatever the terminal, locale or environment. Table output is plain
// printable ASCII; strings that came from packets are escaped, so a capture
// cannot smuggle terminal control sequences into a responder's screen.
package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// Format is an output format.
type Format string

// The output formats.
const (
	// FormatTable is sectioned ASCII tables for people.
	FormatTable Format = "table"
	// FormatJSON is the ipsreplay.report/v2 document described in
	// docs/json-schema.md, for CI jobs and other programs.
	FormatJSON Format = "json"
)

// Formats returns the valid formats, in the order help text should list them.
func Formats() []Format { return []Format{FormatTable, FormatJSON, FormatEVE} }

// errNilResult is returned when there is nothing to render.
var errNilResult = errors.New("nil result")

// ParseFormat parses a --format value. Case and surrounding space are
// ignored; an unknown value gives an error that lists the valid ones.
func ParseFormat(s string) (Format, error) {
	v := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, f := range Formats() {
		if v == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("format %q: want %s", s, validFormats())
}

// validFormats renders "table or json".
func validFormats() string {
	fs := Formats()
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Write renders r to w in format f. Nothing is written when rendering fails,
// so a caller never gets half a document.
func Write(w io.Writer, r *analyzer.Result, f Format) error {
	switch f {
	case FormatTable:
		return WriteTable(w, r)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatEVE:
		return WriteEVE(w, r)
	default:
		return fmt.Errorf("format %q: want %s", f, validFormats())
	}
}
