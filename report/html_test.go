package report

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// The attack strings never reach the page as markup: in text, attributes,
// SVG titles and the JSON data block they are escaped, and the data block
// still reads back as the row texts.
func TestHTMLEscapesEverything(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, xssResult()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, raw := range []string{"<script>window", "<img", `onerror="window`} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("%d script elements, want 2 (the data block and the filter)", n)
	}
	// the SVG tooltip and the alerts table show the msg, escaped
	for _, want := range []string{
		"&lt;script&gt;window.__xss=1&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=&#34;window.__xss=2&#34;&gt;",
	} {
		if n := strings.Count(page, want); n < 3 {
			t.Errorf("the escaped msg appears %d times, want it in the signatures, alerts and timeline", n)
		}
	}
	m := regexp.MustCompile(`(?s)<script type="application/json" id="r1-alerts-text">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no alerts data block")
	}
	var rows []string
	if err := json.Unmarshal([]byte(m[1]), &rows); err != nil {
		t.Fatalf("data block: %v", err)
	}
	if len(rows) != len(xssResult().Alerts) || !strings.Contains(strings.Join(rows, "\n"), strings.ToLower(xssScript)) {
		t.Errorf("data block rows %q: want one per alert, holding the msg", rows)
	}
}

// Every packet reference has the display filter that shows that packet.
func TestHTMLDisplayFilters(t *testing.T) {
	for _, tt := range []struct {
		loc  analyzer.PacketLocation
		want htmlRef
	}{
		{loc("a.pcap", 42), htmlRef{"a.pcap#42", "frame.number == 42"}},
		{loc("", 0), htmlRef{Text: "-"}},
		{loc("x\x1b.pcap", 1), htmlRef{`x\x1b.pcap#1`, "frame.number == 1"}},
	} {
		if got := ref(tt.loc); got != tt.want {
			t.Errorf("ref(%v) = %+v, want %+v", tt.loc, got, tt.want)
		}
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, richResult()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`captures/day1.pcap#310</span><br><code class="df" title="Wireshark display filter">frame.number == 310</code>`,
		`captures/day2.pcapng#7002</span><br><code class="df" title="Wireshark display filter">frame.number == 7002</code>`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func TestTickStep(t *testing.T) {
	for _, tt := range []struct {
		span float64
		want float64
		text string
	}{
		{0.004, 0.001, "1ms"},
		{3, 0.5, "500ms"},
		{45 * 60, 10 * 60, "10m"},
		{17 * 60, 5 * 60, "5m"},
		{86400, 3 * 3600, "3h"},
		{3 * 86400, 12 * 3600, "12h"},
		{20 * 86400, 7 * 86400, "7 days"},
		{300 * 86400, yearSeconds, "1 year"},
		{100 * yearSeconds, 20 * yearSeconds, "20 years"},
		{math.MaxFloat64, -1, ""}, // any step, as long as it gives few ticks
	} {
		got := tickStep(tt.span)
		if got != tt.want && tt.want != -1 {
			t.Errorf("tickStep(%g) = %g, want %g", tt.span, got, tt.want)
		}
		if tt.text != "" && stepText(got) != tt.text {
			t.Errorf("stepText(%g) = %q, want %q", got, stepText(got), tt.text)
		}
		if tt.span/got > tlMaxTicks {
			t.Errorf("tickStep(%g) = %g: %g ticks", tt.span, got, tt.span/got)
		}
	}
}

func TestTicks(t *testing.T) {
	day := func(s string) time.Time {
		v, err := analyzer.ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		name   string
		lo, hi string
		want   []string
	}{
		{"minutes", "2024-03-05T09:58:01Z", "2024-03-05T10:43:05Z",
			[]string{"2024-03-05 10:00", "10:10", "10:20", "10:30", "10:40"}},
		{"a day from noon: the date at midnight", "2024-03-05T12:00:00Z", "2024-03-06T11:00:00Z",
			[]string{"2024-03-05 12:00", "15:00", "18:00", "21:00", "2024-03-06 00:00", "03:00", "06:00", "09:00"}},
		{"milliseconds", "2024-03-05T10:00:00.0004Z", "2024-03-05T10:00:00.0031Z",
			[]string{"2024-03-05 10:00:00.001", "10:00:00.002", "10:00:00.003"}},
		{"weeks", "2024-01-01T00:00:00Z", "2024-02-15T00:00:00Z",
			[]string{"2024-01-04", "2024-01-11", "2024-01-18", "2024-01-25", "2024-02-01", "2024-02-08", "2024-02-15"}},
		{"past year 9999", "+10000-01-01T00:00:00Z", "+10000-01-01T00:00:02Z",
			[]string{"+10000-01-01 00:00:00.000", "00:00:00.500", "00:00:01.000", "00:00:01.500", "00:00:02.000"}},
	} {
		lo, hi := day(tt.lo), day(tt.hi)
		x := func(v time.Time) float64 { return seconds(lo, v) }
		var got []string
		for _, tk := range ticks(lo, hi, tickStep(seconds(lo, hi)), x) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: ticks %q, want %q", tt.name, got, tt.want)
		}
	}
}

// A capture spanning a day draws each host's alerts where they happened
// and merges a block with its extensions into one bar.
func TestTimelineLayout(t *testing.T) {
	base := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	at := func(h float64) analyzer.Time { return analyzer.TimeOf(base.Add(time.Duration(h * float64(time.Hour)))) }
	alert := func(h float64, attacker, sev string) analyzer.Alert {
		return analyzer.Alert{SID: 1, Name: "n", Severity: sev, Time: at(h), First: at(h), Last: at(h),
			Attacker: analyzer.MustParseHost(attacker).Addr()}
	}
	host := analyzer.MustParseHost("10.0.0.9")
	block := func(h float64, extended bool) analyzer.Event {
		return analyzer.Event{Type: analyzer.EventBlock, Time: at(h), Until: at(h + 1.0/6), Host: host, SID: 7, Extended: extended}
	}
	r := &analyzer.Result{
		Summary: analyzer.Summary{FirstTime: at(0), LastTime: at(24)},
		Alerts:  []analyzer.Alert{alert(2, "10.0.0.9", "high"), alert(12, "10.0.0.1", "low"), alert(23, "10.0.0.9", "weird")},
		Events:  []analyzer.Event{block(2, false), block(2.1, true), block(23, false)},
	}
	tl := buildTimeline(r)
	if len(tl.Rows) != 2 || tl.Rows[0].Host != "10.0.0.9" || tl.Rows[1].Host != "10.0.0.1" {
		t.Fatalf("rows %+v: want 10.0.0.9 (first at 02:00) then 10.0.0.1", tl.Rows)
	}
	first := tl.Rows[0]
	if len(first.Marks) != 2 || first.Marks[0].Class != "sev-high" || first.Marks[1].Class != "sev-other" {
		t.Errorf("marks %+v: want a high and an other", first.Marks)
	}
	// 2:00 of 24 hours, on a 1000-unit drawing with 190 for the names
	if want := num(tlLabels + 2.0/24*(tlWidth-tlLabels-tlRight)); first.Marks[0].X != want {
		t.Errorf("02:00 drawn at x=%s, want %s", first.Marks[0].X, want)
	}
	if len(first.Bars) != 2 {
		t.Fatalf("bars %+v: want the block and its extension merged, then the later block", first.Bars)
	}
	if !strings.Contains(first.Bars[0].Title, "02:16:00.000Z, 2 blocks and extensions (SID 7)") {
		t.Errorf("merged bar title %q", first.Bars[0].Title)
	}
	if labels := len(tl.Ticks); labels < 3 || labels > tlMaxTicks+1 {
		t.Errorf("%d ticks over a day", labels)
	}
	if tl.Ticks[0].Label != "2024-03-05 00:00" {
		t.Errorf("first tick %q", tl.Ticks[0].Label)
	}

	// nothing to draw
	if tl := buildTimeline(emptyResult()); len(tl.Rows) != 0 || len(tl.Ticks) != 0 {
		t.Errorf("an empty result draws %+v", tl)
	}
	// one instant: still an axis, the mark mid-way
	one := &analyzer.Result{Alerts: []analyzer.Alert{alert(5, "10.0.0.2", "medium")}}
	if tl := buildTimeline(one); len(tl.Rows) != 1 || tl.Rows[0].Marks[0].X != num(tlLabels+(tlWidth-tlLabels-tlRight)/2) {
		t.Errorf("one instant: %+v", tl.Rows)
	}
}

// Hosts past tlMaxRows are counted, not drawn.
func TestTimelineRowCap(t *testing.T) {
	r := &analyzer.Result{}
	for i := range tlMaxRows + 5 {
		r.Alerts = append(r.Alerts, analyzer.Alert{SID: 1, Severity: "high", Time: analyzer.TimeOf(time.Unix(int64(i), 0)),
			Attacker: netip.AddrFrom4([4]byte{10, 0, 1, byte(i)})})
	}
	tl := buildTimeline(r)
	if len(tl.Rows) != tlMaxRows || tl.Hidden != 5 {
		t.Errorf("%d rows, %d hidden; want %d and 5", len(tl.Rows), tl.Hidden, tlMaxRows)
	}
}

// A per-file page has an index of the files and one section each, and
// no element id twice (the filter finds its table by id).
func TestHTMLPerFile(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEach(&buf, []*analyzer.Result{richResult(), emptyResult()}, FormatHTML); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<li><a href="#r1">captures/day1.pcap</a> <span class="note">(9 alerts)</span></li>`,
		`<li><a href="#r2">empty.pcap</a> <span class="note">(0 alerts)</span></li>`,
		`<h2 class="file">empty.pcap</h2>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("id %q twice", m[1])
		}
		seen[m[1]] = true
	}
	if err := WriteEach(&buf, []*analyzer.Result{richResult(), nil}, FormatHTML); err == nil {
		t.Error("a nil result rendered")
	}
}

// When the alerts are a sample, the groups that count them all are
// listed, each with its packets' display filters.
func TestHTMLAlertGroups(t *testing.T) {
	r := richResult()
	r.Summary.Listing = analyzer.Listing{Alerts: 5000, AlertsListed: 9, MaxAlerts: 5}
	r.AlertGroups = []analyzer.AlertGroup{{SID: 9000002, Name: "Attack: Port Scan", Attacker: analyzer.MustParseHost("10.0.0.50"),
		Victim: analyzer.MustParseHost("10.0.0.1"), Kind: "sweep", Alerts: 4991, Listed: 1, First: at("09:59:00"), Last: at("10:40:00"),
		FirstPacket: loc(day1, 310), LastPacket: loc(day2, 16990)}}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"5,000 alerts in all, 9 listed in full",
		`<td class="mono">10.0.0.50 -&gt; 10.0.0.1</td><td>sweep</td><td class="num">4,991</td>`,
		`captures/day2.pcapng#16990</span><br><code class="df" title="Wireshark display filter">frame.number == 16990</code></td></tr>`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}
