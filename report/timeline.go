package report

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

// The timeline's geometry, in SVG user units: the page scales the whole
// drawing to its width, so these are proportions, not pixels.
const (
	tlWidth     = 1000.0
	tlLabels    = 190.0 // the host names' column
	tlRight     = 16.0
	tlAxis      = 30.0 // the tick labels above the rows
	tlRowHeight = 24.0
	tlMaxTicks  = 8
	tlMaxRows   = 60 // hosts drawn; the rest are counted below it
	tlMinSpanPx = 3.0
)

// htmlTimeline is the SVG timeline: one row per host that raised an
// alert or was blocked, alerts as marks coloured by severity, blocks as
// bars, and a time axis whose ticks fall on round times.
type htmlTimeline struct {
	Width, Height string // the viewBox
	LabelX        string // where the host names end
	AxisY         string // where the tick lines start
	Rows          []tlRow
	Ticks         []tlTick
	Caption       string
	Hidden        int // hosts past tlMaxRows, not drawn
}

type tlRow struct {
	Host     string
	Y, TextY string // top of the row, its text baseline
	Stripe   bool
	Marks    []tlMark
	Bars     []tlBar
	Summary  string // "3 alerts listed, blocked"
}

// tlMark is one alert: a dot when it was raised and, when its packets
// span some width, a line from its first to its last packet.
type tlMark struct {
	X, Y, X1, X2 string
	Span         bool
	Class, Title string
}

// tlBar is one block, from its start to when it would have run out.
type tlBar struct {
	X, Y, W, H string
	Whole      bool // from the first block to the last unblock, periods unknown
	Title      string
}

type tlTick struct {
	X, Label string
}

// tlBlock is one block interval of a host: a block and the extensions
// and new blocks that overlap it, drawn as one bar.
type tlBlock struct {
	from, until time.Time
	title       string
	whole       bool
	events      int      // blocks and extensions merged into it
	sids        []uint32 // the signatures behind them, in order, once each
}

// addBlock adds a block event to a host's blocks, merging it into the
// last one when they overlap: an extension moves the end of the block it
// extends, and bars drawn over each other would read as darker blocks.
// Events come in time order, so only the last block can overlap.
func addBlock(blocks []tlBlock, ev analyzer.Event) []tlBlock {
	if n := len(blocks); n > 0 && !ev.Time.After(blocks[n-1].until) {
		b := &blocks[n-1]
		if ev.Until.After(b.until) {
			b.until = ev.Until.Time
		}
		b.events++
		if ev.SID != 0 && !slices.Contains(b.sids, ev.SID) {
			b.sids = append(b.sids, ev.SID)
		}
		return blocks
	}
	b := tlBlock{from: ev.Time.Time, until: ev.Until.Time, events: 1}
	if ev.SID != 0 {
		b.sids = []uint32{ev.SID}
	}
	return append(blocks, b)
}

// blockTitle is a merged block's tooltip.
func blockTitle(b tlBlock) string {
	title := "blocked " + tableTime(analyzer.TimeOf(b.from)) + " until " + tableTime(analyzer.TimeOf(b.until))
	if b.events > 1 {
		title += ", " + strconv.Itoa(b.events) + " blocks and extensions"
	}
	if len(b.sids) > 0 {
		title += " (" + plural(len(b.sids), "SID ", "SIDs ") + sidCell(b.sids) + ")"
	}
	return title
}

// buildTimeline lays out r's alerts and blocks. Blocks come from the
// event list, which has each block's start and end; a blocked host whose
// events were not listed is drawn from its first block to its last
// unblock, marked as such.
func buildTimeline(r *analyzer.Result) htmlTimeline {
	type hostMarks struct {
		alerts []analyzer.Alert
		blocks []tlBlock
		first  time.Time
	}
	hosts := map[string]*hostMarks{}
	var order []string
	get := func(name string, t time.Time) *hostMarks {
		h, ok := hosts[name]
		if !ok {
			h = &hostMarks{first: t}
			hosts[name] = h
			order = append(order, name)
		}
		if t.Before(h.first) {
			h.first = t
		}
		return h
	}
	var lo, hi time.Time
	widen := func(ts ...time.Time) {
		for _, t := range ts {
			if t.IsZero() {
				continue
			}
			if lo.IsZero() || t.Before(lo) {
				lo = t
			}
			if hi.IsZero() || t.After(hi) {
				hi = t
			}
		}
	}
	widen(r.Summary.FirstTime.Time, r.Summary.LastTime.Time)
	for _, a := range r.Alerts {
		h := get(attackerName(a), a.Time.Time)
		h.alerts = append(h.alerts, a)
		widen(a.Time.Time, a.First.Time, a.Last.Time)
	}
	for _, ev := range r.Events {
		if ev.Type != analyzer.EventBlock || ev.Until.IsZero() {
			continue
		}
		h := get(or(ev.Host.String()), ev.Time.Time)
		h.blocks = addBlock(h.blocks, ev)
		widen(ev.Time.Time, ev.Until.Time)
	}
	for _, b := range r.Blocks {
		name := or(b.Host.String())
		if h, ok := hosts[name]; ok && len(h.blocks) > 0 {
			continue
		}
		if b.FirstBlock.IsZero() || b.LastUnblock.IsZero() {
			continue
		}
		h := get(name, b.FirstBlock.Time)
		h.blocks = append(h.blocks, tlBlock{from: b.FirstBlock.Time, until: b.LastUnblock.Time, whole: true,
			title: "blocked " + strconv.Itoa(b.Blocks) + plural(b.Blocks, " time", " times") + " between " +
				tableTime(b.FirstBlock) + " and " + tableTime(b.LastUnblock) + ", " + duration(b.TotalBlocked) + " in all"})
		widen(b.FirstBlock.Time, b.LastUnblock.Time)
	}

	tl := htmlTimeline{Width: num(tlWidth), LabelX: num(tlLabels - 8), AxisY: num(tlAxis - 4)}
	if len(order) == 0 {
		tl.Height = num(tlAxis)
		return tl
	}
	// earliest first, so the rows read as the story went; ties by name
	slices.SortStableFunc(order, func(a, b string) int {
		if c := hosts[a].first.Compare(hosts[b].first); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(order) > tlMaxRows {
		tl.Hidden = len(order) - tlMaxRows
		order = order[:tlMaxRows]
	}
	span := seconds(lo, hi)
	if span <= 0 {
		// one instant: a second either side keeps it mid-axis
		lo, hi, span = lo.Add(-time.Second), hi.Add(time.Second), 2
	}
	plot := tlWidth - tlLabels - tlRight
	x := func(t time.Time) float64 { return tlLabels + seconds(lo, t)/span*plot }

	for i, name := range order {
		h := hosts[name]
		top := tlAxis + float64(i)*tlRowHeight
		mid := top + tlRowHeight/2
		row := tlRow{Host: name, Y: num(top), TextY: num(mid + 4), Stripe: i%2 == 1,
			Summary: strconv.Itoa(len(h.alerts)) + plural(len(h.alerts), " alert", " alerts") + " listed"}
		if len(h.blocks) > 0 {
			row.Summary += ", blocked"
		}
		for _, b := range h.blocks {
			if !b.whole {
				b.title = blockTitle(b)
			}
			x1, x2 := x(b.from), x(b.until)
			row.Bars = append(row.Bars, tlBar{X: num(x1), W: num(math.Max(x2-x1, 1)), Y: num(mid - 7), H: "14",
				Whole: b.whole, Title: name + ": " + b.title})
		}
		for _, a := range h.alerts {
			m := tlMark{X: num(x(a.Time.Time)), Y: num(mid), Class: severityClass(a.Severity),
				Title: tableTime(a.Time) + " " + or(a.Severity) + ": [" + strconv.FormatUint(uint64(a.SID), 10) + "] " + or(a.Name) +
					" -> " + endpoint(a.Victim, a.VictimPort, a.Proto) + ", " + commas(a.Count) + plural(a.Count, " event", " events") +
					", " + packetRange(a.FirstPacket, a.LastPacket)}
			if !a.First.IsZero() && !a.Last.IsZero() {
				if x1, x2 := x(a.First.Time), x(a.Last.Time); x2-x1 >= tlMinSpanPx {
					m.Span, m.X1, m.X2 = true, num(x1), num(x2)
				}
			}
			row.Marks = append(row.Marks, m)
		}
		tl.Rows = append(tl.Rows, row)
	}
	tl.Height = num(tlAxis + float64(len(tl.Rows))*tlRowHeight + 4)
	step := tickStep(span)
	tl.Ticks = ticks(lo, hi, step, x)
	tl.Caption = "UTC, " + tableTime(analyzer.TimeOf(lo)) + " to " + tableTime(analyzer.TimeOf(hi)) +
		" (" + spanText(span) + "); a tick every " + stepText(step)
	return tl
}

// seconds is b-a in seconds, computed in floating point: captures can
// hold times centuries apart, past what a time.Duration holds.
func seconds(a, b time.Time) float64 {
	return float64(b.Unix()) - float64(a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
}

const yearSeconds = 365 * 86400

// tickStep is the smallest round step that puts at most tlMaxTicks ticks
// on span seconds: a round number of milliseconds, seconds, minutes,
// hours or days, and past a week a year, then 2, 5 and 10 times as many.
func tickStep(span float64) float64 {
	steps := [...]float64{
		0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
		1, 2, 5, 10, 15, 30,
		60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
		3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 2 * 86400, 7 * 86400,
	}
	for _, s := range steps {
		if span/s <= tlMaxTicks {
			return s
		}
	}
	for s := float64(yearSeconds); ; s *= 10 {
		for _, m := range [...]float64{1, 2, 5} {
			if span/(s*m) <= tlMaxTicks || math.IsInf(s, 1) {
				return s * m
			}
		}
	}
}

// ticks puts a tick at every multiple of step seconds since the Unix
// epoch (midnight UTC, so day ticks fall on midnights) between lo and hi.
// A label carries the date when it is the first or the day changed since
// the previous tick.
func ticks(lo, hi time.Time, step float64, x func(time.Time) float64) []tlTick {
	var out []tlTick
	start := math.Ceil((float64(lo.Unix())+float64(lo.Nanosecond())/1e9)/step) * step
	prevDay := ""
	for i := 0; i <= tlMaxTicks+1; i++ {
		v := start + float64(i)*step
		if v > math.MaxInt64/2 || v < math.MinInt64/2 {
			break
		}
		sec := math.Floor(v)
		// sub-second steps are whole milliseconds: round away float noise
		ns := math.Round((v-sec)*1e3) * 1e6
		t := time.Unix(int64(sec), int64(ns)).UTC()
		if t.After(hi) {
			break
		}
		day := string(analyzer.AppendTime(nil, t, "2006-01-02"))
		var label string
		switch {
		case step >= yearSeconds:
			label = string(analyzer.AppendTime(nil, t, "2006"))
		case step >= 86400:
			label = day
		default:
			layout := "15:04"
			if step < 1 {
				layout = "15:04:05.000"
			} else if step < 60 {
				layout = "15:04:05"
			}
			label = t.Format(layout) // a time of day: no year to extend
			if day != prevDay {
				label = day + " " + label
			}
		}
		prevDay = day
		out = append(out, tlTick{X: num(x(t)), Label: label})
	}
	return out
}

// stepText words a tick step: "5m0s", "1 day", "10 years".
func stepText(step float64) string {
	switch {
	case step >= yearSeconds:
		n := step / yearSeconds
		if n == 1 {
			return "1 year"
		}
		return strconv.FormatFloat(n, 'g', -1, 64) + " years"
	case step >= 86400:
		n := int(step / 86400)
		return strconv.Itoa(n) + plural(n, " day", " days")
	}
	// "10m", not "10m0s"
	d := duration(durationOf(step))
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(d, zero) && len(d) > len(zero) && (d[len(d)-len(zero)-1] < '0' || d[len(d)-len(zero)-1] > '9') {
			d = d[:len(d)-len(zero)]
		}
	}
	return d
}

// spanText words a span of s seconds as the tables do durations, and in
// days past a week, where hours stop being readable.
func spanText(s float64) string {
	if s >= 7*86400 {
		return strconv.FormatFloat(math.Round(s/86400), 'f', -1, 64) + " days"
	}
	return duration(durationOf(s))
}

// durationOf is s seconds as a duration.
func durationOf(s float64) packet.Duration {
	return packet.Duration(math.Round(s * 1e9))
}

// num renders a coordinate to a tenth of a unit: enough for a drawing
// scaled to a page, and short.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}
