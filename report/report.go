// Package report renders what ipsreplay found: an analyzer.Result as
// readable tables, JSON, EVE, an HTML page or event lines, a what-if comparison, a
// suggested exclusion list, a check run and the signature packs. It only
// renders: what fired, what was blocked and which hosts look benign are
// all decided by the analyzer. Every format is in one table (formats);
// commands look formats up there rather than knowing them.
//
// Every format is deterministic: the same Result gives the same bytes,
// whatever the terminal, locale or environment. Text output is plain
// printable ASCII; strings that came from packets are escaped, so a capture
// cannot smuggle terminal control sequences into a responder's screen.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// Format is an output format.
type Format string

// The output formats. FormatEVE and FormatLines are beside their renderers.
const (
	// FormatTable is sectioned ASCII tables for people.
	FormatTable Format = "table"
	// FormatJSON is the ipsreplay.report/v2 document described in
	// docs/json-schema.md, for CI jobs and other programs.
	FormatJSON Format = "json"
	// FormatJSONL is one JSON object per event, with the report's event
	// fields, as events happen.
	FormatJSONL Format = "jsonl"
)

// Kind is a kind of document a format can render.
type Kind uint8

// The kinds of document.
const (
	// Report is a whole analysis: analyze's report, the final report of
	// replay and capture.
	Report Kind = 1 << iota
	// Events are written one at a time as they happen (replay, capture).
	Events
	// WhatIf is a what-if comparison (analyze --compare-exclude).
	WhatIf
	// Signatures is the signature pack listing (signatures list).
	Signatures
)

// formatSpec is one output format and its renderers; a nil renderer means
// the format does not render that kind of document.
type formatSpec struct {
	name       Format
	report     func(io.Writer, *analyzer.Result) error
	each       func(*bytes.Buffer, []*analyzer.Result) error // one report per file
	event      func(io.Writer, analyzer.Event) error
	whatIf     func(io.Writer, *analyzer.WhatIf) error
	signatures func(*bytes.Buffer, *SignatureList) error
	// then is the report that follows a stream of events on stdout when
	// no -o is given; "" when nothing may follow (a JSON document after
	// JSON lines would break their reader).
	then Format
}

// formats is the table of output formats, in the order help and errors
// list them: streaming formats first, as replay lists them.
func formats() []formatSpec {
	return []formatSpec{
		{name: FormatLines, event: WriteLine, then: FormatTable},
		{name: FormatJSONL, event: WriteEvent},
		{name: FormatTable, report: WriteTable, each: eachTable, whatIf: WriteWhatIfTable, signatures: signaturesTable},
		{name: FormatJSON, report: WriteJSON, each: eachJSON, whatIf: WriteWhatIfJSON, signatures: signaturesJSON},
		{name: FormatEVE, report: WriteEVE, each: eachEVE, event: WriteEVEEvent},
		{name: FormatHTML, report: WriteHTML, each: eachHTML},
	}
}

// kinds says which kinds of document s renders.
func (s formatSpec) kinds() Kind {
	var k Kind
	for _, r := range []struct {
		has  bool
		kind Kind
	}{{s.report != nil && s.each != nil, Report}, {s.event != nil, Events}, {s.whatIf != nil, WhatIf}, {s.signatures != nil, Signatures}} {
		if r.has {
			k |= r.kind
		}
	}
	return k
}

// spec returns f's row of the table.
func spec(f Format) (formatSpec, bool) {
	for _, s := range formats() {
		if s.name == f {
			return s, true
		}
	}
	return formatSpec{}, false
}

// specFor returns f's row when f renders kind k, else an error that lists
// the formats that do.
func specFor(f Format, k Kind) (formatSpec, error) {
	if s, ok := spec(f); ok && s.kinds()&k == k {
		return s, nil
	}
	return formatSpec{}, fmt.Errorf("format %q: want %s", f, alternatives(Formats(k)))
}

// writeWhole renders into memory and writes the document in one go, so
// a failed render never leaves half a document.
func writeWhole(w io.Writer, render func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Streamed reports whether f's report is written as the analysis goes
// (EVE: each event as it happens, the host verdicts at the end), so a
// run need not keep its events for it.
func (f Format) Streamed() bool { return f == FormatEVE }

// Renders reports whether f renders documents of kind k.
func (f Format) Renders(k Kind) bool {
	s, ok := spec(f)
	return ok && s.kinds()&k == k
}

// Formats returns the formats that render kind k, in table order.
func Formats(k Kind) []Format {
	var out []Format
	for _, s := range formats() {
		if s.kinds()&k == k {
			out = append(out, s.name)
		}
	}
	return out
}

// errNilResult is returned when there is nothing to render.
var errNilResult = errors.New("nil result")

// Lookup parses a --format value for documents of kind k. Case and
// surrounding space are ignored; an unknown value gives an error that
// lists the valid ones.
func Lookup(s string, k Kind) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f.Renders(k) {
		return f, nil
	}
	return "", fmt.Errorf("format %q: want %s", s, alternatives(Formats(k)))
}

// ParseFormat parses analyze's --format: a report format.
func ParseFormat(s string) (Format, error) { return Lookup(s, Report) }

// ParseLiveFormat parses the --format of replay and capture: a streaming
// format, whose events are followed by a final report (the one the format
// names when it goes to stdout, JSON when it goes to the -o file output),
// or a report format, for the final report alone. stream is "" for none.
func ParseLiveFormat(s, output string) (stream, final Format, err error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if sp, ok := spec(f); ok && sp.event != nil {
		if sp.then != "" && output == "" {
			return f, sp.then, nil
		}
		return f, FormatJSON, nil
	}
	if f.Renders(Report) {
		return "", f, nil
	}
	valid := Formats(Events)
	for _, r := range Formats(Report) {
		if !r.Renders(Events) {
			valid = append(valid, r)
		}
	}
	return "", "", fmt.Errorf("format %q: want %s", s, alternatives(valid))
}

// alternatives renders "table, json or eve".
func alternatives(fs []Format) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Write renders r to w in format f. Nothing is written when rendering fails,
// so a caller never gets half a document.
func Write(w io.Writer, r *analyzer.Result, f Format) error {
	s, err := specFor(f, Report)
	if err != nil {
		return err
	}
	return s.report(w, r)
}

// WriteFinal writes the report that ends a stream of events in format
// stream ("" for none) on the same writer: after a blank line below event
// lines, and not at all after machine-readable lines.
func WriteFinal(w io.Writer, r *analyzer.Result, stream, final Format) error {
	return WriteFinalWidth(w, r, stream, final, 0)
}

// WriteFinalWidth is WriteFinal with a table fitted to width (see
// WriteTableWidth).
func WriteFinalWidth(w io.Writer, r *analyzer.Result, stream, final Format, width int) error {
	s, streamed := spec(stream)
	if streamed && s.then == "" {
		return nil
	}
	return writeWhole(w, func(buf *bytes.Buffer) error {
		if streamed {
			buf.WriteByte('\n')
		}
		return WriteWidth(buf, r, final, width)
	})
}

// EventWriter returns the writer of single events in format f, for the
// streaming modes, or nil when f does not stream.
func EventWriter(f Format) func(io.Writer, analyzer.Event) error {
	s, _ := spec(f)
	return s.event
}

// WriteEach renders one report per result, as `analyze --per-file` asks:
// tables one after another under a banner naming the file, JSON as one
// array of reports (each with its own schema field), EVE lines one file
// after another. Nothing is written when rendering fails.
func WriteEach(w io.Writer, results []*analyzer.Result, f Format) error {
	s, err := specFor(f, Report)
	if err != nil {
		return err
	}
	return writeWhole(w, func(buf *bytes.Buffer) error { return s.each(buf, results) })
}

// WriteWhatIf renders w in format f (table or json). Nothing is written
// when rendering fails.
func WriteWhatIf(out io.Writer, w *analyzer.WhatIf, f Format) error {
	s, err := specFor(f, WhatIf)
	if err != nil {
		return fmt.Errorf("what-if report: %w", err)
	}
	return s.whatIf(out, w)
}
