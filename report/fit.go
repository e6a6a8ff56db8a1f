package report

import (
	"bytes"
	"io"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// Wide is the table width that shows every cell whole: no fitting, and
// the Alerts table's caps on long names and details are lifted too.
const Wide = -1

// minColumn is the narrowest a column is squeezed to when a table must fit
// a width: narrower, every timestamp and address would break across lines.
const minColumn = 8

// tableOverhead is what an ASCII table adds to its columns' widths: a
// space either side of each cell and a bar between and around them.
func tableOverhead(columns int) int { return 3*columns + 1 }

// fitColumns wraps the cells of header and rows so that the table they
// make is at most width characters wide, and reports whether any cell
// gained lines (the table then needs rules between rows to stay
// readable). Cells are clean printable ASCII, so a byte is a column.
// Narrow columns keep their width and the widest give way first, all cut
// to the same cap, so a long free-text column wraps before a timestamp
// does. Only a width leaving under one character per column is exceeded.
// width <= 0 leaves the cells as they are.
func fitColumns(header []string, rows [][]string, width int) ([]string, [][]string, bool) {
	columns := len(header)
	for _, r := range rows {
		columns = max(columns, len(r))
	}
	if width <= 0 || columns == 0 {
		return header, rows, false
	}
	natural := make([]int, columns) // the longest line of each column
	floor := make([]int, columns)   // and its longest word
	measure := func(cells []string) {
		for i, c := range cells {
			for l := range strings.SplitSeq(c, "\n") {
				natural[i] = max(natural[i], len(l))
				for word := range strings.SplitSeq(l, " ") {
					floor[i] = max(floor[i], len(word))
				}
			}
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	budget := width - tableOverhead(columns)
	total := 0
	for _, n := range natural {
		total += n
	}
	if total <= budget {
		return header, rows, false
	}
	widths := capColumns(natural, floor, budget)
	wrapped := false
	wrapCells := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = wrapCell(c, widths[i])
			wrapped = wrapped || strings.Count(out[i], "\n") > strings.Count(c, "\n")
		}
		return out
	}
	if header != nil {
		header = wrapCells(header)
	}
	fitted := make([][]string, len(rows))
	for i, r := range rows {
		fitted[i] = wrapCells(r)
	}
	return header, fitted, wrapped
}

// capColumns chooses the columns' widths within budget. First only text
// gives way: every column is cut to one cap, but none below its longest
// word (floor), so words stay whole; the cap is the largest that fits.
// When even the longest words do not fit, words break too, and no column
// goes under minColumn unless it is naturally narrower or the budget
// leaves less than that for each. Whatever is left
// of budget goes to the cut columns from the left.
func capColumns(natural, floor []int, budget int) []int {
	widths := func(limit int, floor func(i int) int) []int {
		w := make([]int, len(natural))
		for i, n := range natural {
			w[i] = min(n, max(limit, floor(i)))
		}
		return w
	}
	total := func(w []int) int {
		s := 0
		for _, x := range w {
			s += x
		}
		return s
	}
	wordFloor := func(i int) int { return floor[i] }
	floorAt := wordFloor
	if total(widths(0, wordFloor)) > budget {
		// a very narrow terminal gets narrower columns still, down to one
		least := max(1, min(minColumn, budget/len(natural)))
		floorAt = func(int) int { return least }
	}
	limit := 0
	for limit < slicesMax(natural) && total(widths(limit+1, floorAt)) <= budget {
		limit++
	}
	w := widths(limit, floorAt)
	spare := budget - total(w)
	for i, n := range natural {
		if w[i] < n && spare > 0 {
			w[i]++
			spare--
		}
	}
	return w
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// wrapCell wraps each line of cell at spaces to at most width characters;
// a word longer than width is broken where it reaches it.
func wrapCell(cell string, width int) string {
	var out []string
	for l := range strings.SplitSeq(cell, "\n") {
		out = append(out, wrapLine(l, width, "")...)
	}
	return strings.Join(out, "\n")
}

// wrapLine wraps s to width, starting every line after the first with
// indent (which counts towards width).
func wrapLine(s string, width int, indent string) []string {
	if len(s) <= width || width <= len(indent) {
		return []string{s}
	}
	var lines []string
	cur := ""
	flush := func() {
		lines = append(lines, strings.TrimRight(cur, " "))
		cur = indent
	}
	for _, word := range strings.SplitAfter(s, " ") {
		for len(cur)+len(strings.TrimRight(word, " ")) > width {
			if strings.TrimSpace(cur) != "" { // the word starts a new line
				flush()
				continue
			}
			room := width - len(cur)
			cur += word[:room]
			word = word[room:]
			flush()
		}
		cur += word
	}
	if strings.TrimSpace(cur) != "" {
		lines = append(lines, strings.TrimRight(cur, " "))
	}
	return lines
}

// fitLines wraps the text lines of a rendered report (not the tables'
// lines, which fitColumns made fit) that are wider than width: list items
// ("- ", "  ") continue under their text.
func fitLines(doc []byte, width int) []byte {
	if width <= 0 {
		return doc
	}
	var out bytes.Buffer
	for l := range strings.SplitSeq(string(doc), "\n") {
		if len(l) <= width || strings.HasPrefix(l, "+") || strings.HasPrefix(l, "|") {
			out.WriteString(l)
		} else {
			indent := ""
			if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "  ") {
				indent = "  "
			}
			out.WriteString(strings.Join(wrapLine(l, width, indent), "\n"))
		}
		out.WriteByte('\n')
	}
	return out.Bytes()[:out.Len()-1] // SplitSeq gave one line more than there were newlines
}

// WriteWidth is Write with a table fitted to width (see WriteTableWidth);
// the other formats are machine-read and ignore it.
func WriteWidth(w io.Writer, r *analyzer.Result, f Format, width int) error {
	if f == FormatTable {
		return WriteTableWidth(w, r, width)
	}
	return Write(w, r, f)
}

// WriteEachWidth is WriteEach with each table fitted to width.
func WriteEachWidth(w io.Writer, results []*analyzer.Result, f Format, width int) error {
	if f == FormatTable {
		return writeWhole(w, func(buf *bytes.Buffer) error { return eachTableWidth(buf, results, width) })
	}
	return WriteEach(w, results, f)
}

// WriteWhatIfWidth is WriteWhatIf with its tables fitted to width.
func WriteWhatIfWidth(out io.Writer, w *analyzer.WhatIf, f Format, width int) error {
	if f == FormatTable {
		return writeWhole(out, func(buf *bytes.Buffer) error { return whatIfTable(buf, w, width) })
	}
	return WriteWhatIf(out, w, f)
}
