package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// MaxWhatIfRows is how many rows the what-if table's host and signature
// section shows. Rows that changed are always all shown; unchanged ones
// fill up to this many, and the JSON report has every one.
const MaxWhatIfRows = 50

// WriteWhatIfTable renders w as titled sections of ASCII tables: Totals,
// Alerts by host and signature, Blocks by host, and Warnings. w is not
// modified.
func WriteWhatIfTable(out io.Writer, w *analyzer.WhatIf) error {
	return whatIfTable(out, w, 0)
}

// whatIfTable is WriteWhatIfTable with the tables fitted to width (0:
// not fitted, Wide: every cell whole).
func whatIfTable(out io.Writer, w *analyzer.WhatIf, width int) error {
	if w == nil {
		return fmt.Errorf("write what-if table: %w", errNilResult)
	}
	var b bytes.Buffer
	for _, s := range []func(*bytes.Buffer, *analyzer.WhatIf, int) error{
		whatIfTotals,
		whatIfRows,
		whatIfBlocks,
		whatIfWarnings,
	} {
		if err := s(&b, w, width); err != nil {
			return fmt.Errorf("write what-if table: %w", err)
		}
	}
	if _, err := out.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write what-if table: %w", err)
	}
	return nil
}

func whatIfTotals(b *bytes.Buffer, w *analyzer.WhatIf, width int) error {
	title(b, "What-if: A = "+listName(w.A)+", B = "+listName(w.B))
	line(b, "%d %s, %s packets, each analysed with list A and with list B.",
		w.Files, plural(w.Files, "capture file", "capture files"), commas(w.Packets))
	b.WriteByte('\n')
	side := func(s analyzer.WhatIfSide) []string {
		return []string{
			or(s.Label), listName(s), strconv.Itoa(len(s.Exclusions)),
			commas(s.Alerts), strconv.Itoa(s.Hosts), strconv.Itoa(s.BlockedHosts),
			commas(s.DroppedPackets), bytesExact(s.DroppedBytes),
		}
	}
	a, bb := w.A, w.B
	rows := [][]string{side(a), side(bb), {
		"B - A", "", signedCount(int64(len(bb.Exclusions)) - int64(len(a.Exclusions))),
		countChange(bb.Alerts, a.Alerts), signedCount(int64(bb.Hosts) - int64(a.Hosts)),
		signedCount(int64(bb.BlockedHosts) - int64(a.BlockedHosts)),
		countChange(bb.DroppedPackets, a.DroppedPackets), "",
	}}
	return fitTable(b, width, []string{"", "Exclusion list", "Entries", "Alerts", "Alerting hosts", "Blocked hosts", "Dropped packets", "Dropped bytes"}, rows, false)
}

func whatIfRows(b *bytes.Buffer, w *analyzer.WhatIf, width int) error {
	title(b, "Alerts by host and signature")
	if len(w.Rows) == 0 {
		line(b, "No alerts under either list.")
		return nil
	}
	rows := make([][]string, 0, len(w.Rows))
	left := 0
	for _, r := range w.Rows {
		if r.Change == 0 && len(rows) >= MaxWhatIfRows {
			left++
			continue
		}
		rows = append(rows, []string{
			or(r.Host.String()),
			strconv.FormatUint(uint64(r.SID), 10),
			truncate(or(r.Name), maxName),
			commas(r.AlertsA),
			commas(r.AlertsB),
			signedCount(r.Change),
			blockedFlag(r.BlockedA) + " / " + blockedFlag(r.BlockedB),
		})
	}
	if err := fitTable(b, width, []string{"Host", "SID", "Signature", "Alerts A", "Alerts B", "Change", "Blocked A / B"}, rows, false); err != nil {
		return err
	}
	if left > 0 {
		line(b, "... %s more unchanged rows (see --format json)", commas(uint64(left)))
	}
	return nil
}

func whatIfBlocks(b *bytes.Buffer, w *analyzer.WhatIf, width int) error {
	title(b, "Blocks by host")
	if len(w.Blocks) == 0 {
		line(b, "No host would have been blocked under either list.")
		return nil
	}
	rows := make([][]string, 0, len(w.Blocks))
	for _, h := range w.Blocks {
		rows = append(rows, []string{
			or(h.Host.String()),
			strconv.Itoa(h.BlocksA),
			strconv.Itoa(h.BlocksB),
			commas(h.DroppedPacketsA),
			commas(h.DroppedPacketsB),
			countChange(h.DroppedPacketsB, h.DroppedPacketsA),
		})
	}
	return fitTable(b, width, []string{"Host", "Blocks A", "Blocks B", "Dropped packets A", "Dropped packets B", "Change"}, rows, false)
}

func whatIfWarnings(b *bytes.Buffer, w *analyzer.WhatIf, width int) error {
	title(b, "Warnings")
	if len(w.Warnings) == 0 {
		line(b, "Neither list hides anything that looks like a real attack.")
		return nil
	}
	for _, x := range w.Warnings {
		line(b, "- %s", clean(x.Message))
	}
	return nil
}

// WriteWhatIfJSON renders w as the ipsreplay.whatif/v1 JSON document
// (docs/whatif.md): plain encoding/json of w, indented two spaces, ending
// in a newline, with nil slices as [] and an empty schema filled in.
func WriteWhatIfJSON(out io.Writer, w *analyzer.WhatIf) error {
	if w == nil {
		return fmt.Errorf("write what-if json: %w", errNilResult)
	}
	v := *w // a copy: filling in nil slices must not touch the caller's value
	if v.Schema == "" {
		v.Schema = analyzer.WhatIfSchema
	}
	v.A.Exclusions = nonNil(v.A.Exclusions)
	v.B.Exclusions = nonNil(v.B.Exclusions)
	v.Rows = nonNil(v.Rows)
	v.Blocks = nonNil(v.Blocks)
	v.Warnings = make([]analyzer.WhatIfWarning, len(w.Warnings))
	for i, x := range w.Warnings {
		x.SIDs = nonNil(x.SIDs)
		x.Reasons = nonNil(x.Reasons)
		v.Warnings[i] = x
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write what-if json: %w", err)
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write what-if json: %w", err)
	}
	return nil
}

// listName renders a list's name, "none" for no list.
func listName(s analyzer.WhatIfSide) string {
	if s.Name == "" {
		return "none"
	}
	return clean(s.Name)
}

// signedCount renders a change with its sign: "+3", "-7", "0".
func signedCount(v int64) string {
	switch {
	case v > 0:
		return "+" + commas(uint64(v))
	case v < 0:
		return "-" + commas(uint64(-v))
	}
	return "0"
}

// countChange renders b - a for unsigned counts without overflow.
func countChange(b, a uint64) string {
	switch {
	case b > a:
		return "+" + commas(b-a)
	case b < a:
		return "-" + commas(a-b)
	}
	return "0"
}

func blockedFlag(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
