package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// Table limits. They shorten only the table; the JSON report is complete.
const (
	// MaxAlertRows is how many alerts the Alerts table lists before it
	// points at the JSON report for the rest.
	MaxAlertRows = 50
	// maxHosts is how many attackers or victims a signature row names.
	maxHosts = 3
	// maxDetail and maxName cap the widest free-text cells of the Alerts
	// table, so one long URI does not push every row off the screen.
	maxDetail = 60
	maxName   = 48
)

// WriteTable renders r as titled sections of plain ASCII tables: Summary,
// Signatures fired, Alerts, Autoblocked hosts, Likely false positives and,
// when there are any, Hosts to investigate and Warnings. r is not modified.
func WriteTable(w io.Writer, r *analyzer.Result) error { return WriteTableWidth(w, r, 0) }

// WriteTableWidth is WriteTable made to fit width characters (a terminal's
// width): wide columns wrap, the widest first, and so do long lines of
// text. 0 is no limit, with the caps on long alert names and details
// (maxName, maxDetail); Wide lifts those caps too.
func WriteTableWidth(w io.Writer, r *analyzer.Result, width int) error {
	if r == nil {
		return fmt.Errorf("write table: %w", errNilResult)
	}
	var b bytes.Buffer
	for _, s := range []func(*bytes.Buffer, *analyzer.Result, int) error{
		summarySection,
		exclusionSection,
		signatureSection,
		alertSection,
		blockSection,
		falsePositiveSection,
		investigateSection,
		warningSection,
	} {
		if err := s(&b, r, width); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	if _, err := w.Write(fitLines(b.Bytes(), width)); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// title starts a section: a blank line after the previous one, the title,
// and an underline.
func title(b *bytes.Buffer, t string) {
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(t)
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", len(t)))
	b.WriteByte('\n')
}

// line writes one line of text.
func line(b *bytes.Buffer, format string, args ...any) {
	fmt.Fprintf(b, format, args...)
	b.WriteByte('\n')
}

// table renders rows under header (no header when nil) in the ASCII style.
// Cells must already be clean. rowLines puts a rule between rows, which
// tables with multi-line cells need to stay readable.
//
// Everything that could make tablewriter's output depend on the terminal or
// environment is off or unused: no colour, no width limit or wrapping, no
// header reformatting; clean cells are printable ASCII without tabs, so its
// East Asian and tab-width detection never changes a width.
func table(b *bytes.Buffer, header []string, rows [][]string, rowLines bool) error {
	rend := tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)}
	if rowLines {
		rend.Settings.Separators.BetweenRows = tw.On
	}
	t := tablewriter.NewTable(b,
		tablewriter.WithRenderer(renderer.NewBlueprint(rend)),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	if header != nil {
		t.Header(header)
	}
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	return t.Render()
}

// capOf is the cap on a long cell at width: none for Wide.
func capOf(limit, width int) int {
	if width == Wide {
		return math.MaxInt
	}
	return limit
}

// fitTable is table with its cells wrapped to fit width (see fitColumns);
// wrapped cells need rules between rows.
func fitTable(b *bytes.Buffer, width int, header []string, rows [][]string, rowLines bool) error {
	header, rows, wrapped := fitColumns(header, rows, width)
	return table(b, header, rows, rowLines || wrapped)
}

// tableReasons is how many grouped reasons the summary shows for skipped
// and for failed rules; the JSON report has them all and the warnings
// name every rule.
const tableReasons = 5

// rulesText is the summary's Rules cell: the counts, then the most common
// reasons rules were left out.
func rulesText(s analyzer.Summary) string {
	out := fmt.Sprintf("%s active, %s skipped, %s failed",
		commas(uint64(s.RulesActive)), commas(uint64(s.RulesSkipped)), commas(uint64(s.RulesFailed)))
	for _, g := range []struct {
		what    string
		reasons []analyzer.ReasonCount
	}{{"failed", s.RulesFailedReasons}, {"skipped", s.RulesSkippedReasons}} {
		for i, rc := range g.reasons {
			if i == tableReasons {
				out += fmt.Sprintf("\n%s: %d more reasons", g.what, len(g.reasons)-tableReasons)
				break
			}
			out += "\n" + g.what + ": " + clean(rc.Reason) + ": " + commas(rc.Count)
		}
	}
	return out
}

func summarySection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	s := r.Summary
	title(b, "Summary")

	capture, span := none, duration(s.Span)
	if !s.FirstTime.IsZero() || !s.LastTime.IsZero() {
		capture = tableTime(s.FirstTime) + " -> " + tableTime(s.LastTime)
	} else if s.Span == 0 {
		span = none // no packets: no span, rather than a span of 0s
	}
	undecoded := commas(s.Undecoded)
	for _, rc := range s.DecodeErrors {
		undecoded += "\n" + clean(rc.Reason) + ": " + commas(rc.Count)
	}
	evictions := "none"
	if len(s.Evictions) > 0 {
		var n uint64
		for _, rc := range s.Evictions {
			n += rc.Count
		}
		evictions = "WARNING: " + commas(n) + " entries evicted at table caps"
		for _, rc := range s.Evictions {
			evictions += "\n" + clean(rc.Reason) + ": " + commas(rc.Count)
		}
	}
	rows := [][]string{
		{"Files", strconv.Itoa(s.Files)},
		{"Packets", commas(s.Packets)},
		{"Bytes", bytesExact(s.Bytes)},
		{"Capture", capture},
		{"Duration", span},
		{"Undecoded packets", undecoded},
		{"State evictions", evictions},
		{"Autoblock", autoblockText(&s)},
		{"Exclusions", exclusionsText(&s)},
	}
	if s.Filter != "" {
		rows = append(rows, []string{"Filter (--bpf)", strings.Join(filterText(&s), "\n")})
	}
	if ips := s.IPS; ips != nil {
		// only with --simulate-ips: IDS-mode tables stay as they were
		rows = append(rows, []string{"IPS drops (drop/reject rules)", commas(ips.DroppedPackets) + " packets, " +
			bytesExact(ips.DroppedBytes) + ", " + commas(ips.DroppedFlows) + plural(ips.DroppedFlows, " flow", " flows")})
	}
	if len(s.Packs) > 0 {
		// one a line: a real set is dozens of files, which one line would
		// stretch the whole table to
		packs := make([]string, len(s.Packs))
		for i, p := range s.Packs {
			packs[i] = clean(p)
		}
		rows = append(rows, []string{"Signature packs", strings.Join(packs, "\n")})
		rows = append(rows, []string{"Rules", rulesText(s)})
	}
	// Continuation lines (per-reason counts) have an empty key, which
	// separates rows well enough without a rule between each.
	if err := fitTable(b, width, nil, rows, false); err != nil {
		return err
	}

	// A single healthy file says nothing the summary did not.
	show := len(r.Files) > 1
	for _, f := range r.Files {
		show = show || f.Error != "" || f.Truncated
	}
	if !show {
		return nil
	}
	b.WriteByte('\n')
	rows = rows[:0]
	for _, f := range r.Files {
		rows = append(rows, []string{
			or(f.Path), or(f.Format), fileLinks(f),
			commas(f.Packets), bytesExact(f.Bytes), fileStatus(f),
		})
	}
	return fitTable(b, width, []string{"File", "Format", "Link types", "Packets", "Bytes", "Status"}, rows, false)
}

// autoblockText is the summary's autoblock row.
func autoblockText(s *analyzer.Summary) string {
	if s.Autoblock == 0 {
		return "disabled"
	}
	return duration(s.Autoblock) + " per block"
}

// exclusionsText is the summary's exclusions row: the entries in force
// and the alerts they removed.
func exclusionsText(s *analyzer.Summary) string {
	n := len(s.Exclusions)
	if n == 0 {
		return "none"
	}
	var removed uint64
	for _, u := range s.Exclusions {
		removed += u.Alerts
	}
	return strconv.Itoa(n) + plural(n, " entry, ", " entries, ") + commas(removed) + " alerts removed"
}

// filterText is the summary's --bpf row, a line each: the expression and
// what it left out.
func filterText(s *analyzer.Summary) []string {
	return []string{clean(s.Filter), commas(s.FilteredOut) + " packets left out"}
}

// fileStatus says whether a capture was read whole, for the files tables.
func fileStatus(f analyzer.FileSummary) string {
	switch {
	case f.Truncated && f.Error != "":
		return "truncated: " + clean(f.Error)
	case f.Truncated:
		return "truncated"
	case f.Error != "":
		return "error: " + clean(f.Error)
	}
	return "ok"
}

// fileLinks lists a capture's link types, for the files tables.
func fileLinks(f analyzer.FileSummary) string {
	links := make([]string, len(f.LinkTypes))
	for i, l := range f.LinkTypes {
		links[i] = clean(l)
	}
	return or(strings.Join(links, ", "))
}

// exclusionSection accounts for the exclusion list, when there is one: the
// entries that removed alerts, then those that removed none, which may be
// stale.
func exclusionSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	uses := r.Summary.Exclusions
	if len(uses) == 0 {
		return nil
	}
	title(b, "Exclusions")
	var rows [][]string
	var unused []string
	for _, u := range uses {
		if u.Alerts == 0 {
			unused = append(unused, clean(u.Entry)+" ("+clean(u.Where)+")")
			continue
		}
		rows = append(rows, []string{or(u.Entry), or(u.Where), or(u.Kind), commas(u.Alerts)})
	}
	if len(rows) == 0 {
		line(b, "No alerts removed.")
	} else if err := fitTable(b, width, []string{"Entry", "Where", "Kind", "Alerts removed"}, rows, false); err != nil {
		return err
	}
	if len(unused) > 0 {
		line(b, "Removed no alerts (stale?):")
		for _, u := range unused {
			line(b, "  %s", u)
		}
	}
	return nil
}

func signatureSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	title(b, "Signatures fired")
	if len(r.Signatures) == 0 {
		line(b, "No signatures fired.")
		return nil
	}
	rows := make([][]string, 0, len(r.Signatures))
	for _, s := range r.Signatures {
		rows = append(rows, []string{
			strconv.FormatUint(uint64(s.SID), 10),
			or(s.Name),
			or(s.Severity),
			commas(s.Count),
			tableTime(s.First) + "\n" + location(s.FirstPacket),
			tableTime(s.Last) + "\n" + location(s.LastPacket),
			hostList(s.Attackers, maxHosts, s.MoreAttackers),
			hostList(s.Victims, maxHosts, s.MoreVictims),
		})
	}
	err := fitTable(b, width, []string{"SID", "Signature", "Severity", "Alerts", "First", "Last", "Attackers", "Victims"}, rows, true)
	if err != nil {
		return err
	}
	first := true
	for _, s := range r.Signatures {
		advice := s.Advice
		if advice == "" {
			advice = signatures.PatchAdvice
		}
		for _, c := range s.CVEs {
			if first {
				b.WriteByte('\n')
				first = false
			}
			line(b, "%s: %s (SID %d)", clean(c), clean(advice), s.SID)
		}
	}
	return nil
}

func alertSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	title(b, "Alerts")
	if len(r.Alerts) == 0 {
		line(b, "No alerts.")
		return nil
	}
	shown := r.Alerts
	if len(shown) > MaxAlertRows {
		shown = shown[:MaxAlertRows]
	}
	rows := make([][]string, 0, len(shown))
	for _, a := range shown {
		attacker := or(analyzer.AddrHost(a.Attacker).String())
		if !a.Attacker.IsValid() && a.Spoofed && len(a.Sources) > 0 {
			attacker = "spoofed: " + hostList(a.Sources, 2, false)
		}
		if a.AttackerMAC.IsValid() {
			attacker += " (" + a.AttackerMAC.String() + ")"
		}
		var flags []string
		if a.Blocked {
			flags = append(flags, "blocked")
		}
		if a.Spoofed {
			flags = append(flags, "spoofed")
		}
		rows = append(rows, []string{
			tableTime(a.Time),
			strconv.FormatUint(uint64(a.SID), 10),
			truncate(or(a.Name), capOf(maxName, width)),
			attacker + " -> " + endpoint(a.Victim, a.VictimPort, a.Proto),
			or(a.Kind),
			commas(a.Count),
			truncate(or(a.Detail), capOf(maxDetail, width)),
			packetRange(a.FirstPacket, a.LastPacket),
			or(strings.Join(flags, ", ")),
		})
	}
	err := fitTable(b, width, []string{"Time", "SID", "Signature", "Attacker -> Victim", "Kind", "Count", "Detail", "Packets", "Flags"}, rows, false)
	if err != nil {
		return err
	}
	if n := len(r.Alerts) - len(shown); n > 0 {
		line(b, "... %s more alerts (see --format json)", commas(uint64(n)))
	}
	alertPacketLines(b, shown)
	return groupLines(b, r, width)
}

// maxGroupRows is how many of the largest alert groups the table shows
// when the alerts are a sample.
const maxGroupRows = 10

// groupLines says, when the report lists a sample of the alerts, how
// many there were and which groups hold most of them.
func groupLines(b *bytes.Buffer, r *analyzer.Result, width int) error {
	l := r.Summary.Listing
	if l.AlertsListed >= l.Alerts {
		return nil
	}
	b.WriteByte('\n')
	line(b, "%s alerts in all, %s listed in full (report.max_alerts %s: the first alerts, then the first of each new signature/attacker/victim/kind, up to as many again); eve streams every alert. The largest groups, counted exactly:",
		commas(l.Alerts), commas(l.AlertsListed), commas(uint64(l.MaxAlerts)))
	groups := slices.Clone(r.AlertGroups)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Alerts > groups[j].Alerts })
	if len(groups) > maxGroupRows {
		groups = groups[:maxGroupRows]
	}
	rows := make([][]string, 0, len(groups))
	for _, g := range groups {
		who := or(g.Attacker.String()) + " -> " + or(g.Victim.String())
		if g.Ungrouped {
			who = "(hosts not kept: report.max_alert_groups)"
		}
		rows = append(rows, []string{
			strconv.FormatUint(uint64(g.SID), 10), truncate(or(g.Name), capOf(maxName, width)), who, or(g.Kind),
			commas(g.Alerts), commas(g.Listed), tableTime(g.First), tableTime(g.Last),
		})
	}
	if err := fitTable(b, width, []string{"SID", "Signature", "Attacker -> Victim", "Kind", "Alerts", "Listed", "First", "Last"}, rows, false); err != nil {
		return err
	}
	if n := len(r.AlertGroups) - len(groups); n > 0 {
		line(b, "... %s more groups (see --format json)", commas(uint64(n)))
	}
	return nil
}

func blockSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	title(b, "Autoblocked hosts")
	if r.Summary.Autoblock == 0 {
		line(b, "Autoblock disabled.")
	}
	if len(r.Blocks) == 0 {
		if r.Summary.Autoblock != 0 {
			line(b, "No hosts would have been blocked.")
		}
		return nil
	}
	rows := make([][]string, 0, len(r.Blocks))
	for _, h := range r.Blocks {
		sids := make([]string, len(h.SIDs))
		for i, sid := range h.SIDs {
			sids[i] = strconv.FormatUint(uint64(sid), 10)
		}
		rows = append(rows, []string{
			or(h.Host.String()),
			tableTime(h.FirstBlock),
			tableTime(h.LastUnblock),
			strconv.Itoa(h.Blocks),
			strconv.Itoa(h.Extensions),
			duration(h.TotalBlocked),
			commas(h.DroppedPackets),
			bytesExact(h.DroppedBytes),
			or(strings.Join(sids, ", ")),
		})
	}
	if err := fitTable(b, width, []string{"Host", "First block", "Last unblock", "Blocks", "Extensions", "Total blocked", "Dropped packets", "Dropped bytes", "SIDs"}, rows, false); err != nil {
		return err
	}
	if u := r.UnlistedBlocks; u.Hosts > 0 {
		line(b, "... %s more blocked hosts (report.max_blocked_hosts %s): %s blocks, %s packets and %s dropped",
			commas(u.Hosts), commas(uint64(r.Summary.Listing.MaxBlockedHosts)), commas(u.Blocks), commas(u.DroppedPackets), bytesExact(u.DroppedBytes))
	}
	return nil
}

func falsePositiveSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	title(b, "Likely false positives")
	if len(r.FalsePositives) == 0 {
		line(b, "No likely false positives.")
		return nil
	}
	rows := make([][]string, 0, len(r.FalsePositives))
	for _, fp := range r.FalsePositives {
		rows = append(rows, []string{
			or(fp.Host.String()),
			or(fp.MAC.String()),
			or(fp.Verdict),
			or(fp.Confidence),
			commas(fp.Alerts),
			or(fp.Reason),
			evidenceCell(fp.Evidence),
		})
	}
	err := fitTable(b, width, []string{"Host", "MAC", "Verdict", "Confidence", "Alerts", "Reason", "Evidence"}, rows, true)
	if err != nil {
		return err
	}
	first := true
	for _, fp := range r.FalsePositives {
		if fp.Exclusion == "" {
			continue
		}
		if first {
			line(b, "\nExclusion lines (for --exclude):")
			first = false
		}
		line(b, "  %s", clean(fp.Exclusion))
	}
	return nil
}

// investigateSection lists the hosts that fired and are not likely false
// positives, each with the reason; it is left out when there are none.
func investigateSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	if len(r.Investigate) == 0 {
		return nil
	}
	title(b, "Hosts to investigate")
	rows := make([][]string, 0, len(r.Investigate))
	for _, v := range r.Investigate {
		sids := make([]string, len(v.SIDs))
		for i, sid := range v.SIDs {
			sids[i] = fmt.Sprint(sid)
		}
		rows = append(rows, []string{
			or(v.Host.String()),
			or(v.MAC.String()),
			commas(v.Alerts),
			or(strings.Join(sids, "\n")),
			or(v.Reason),
			evidenceCell(v.Evidence),
		})
	}
	return fitTable(b, width, []string{"Host", "MAC", "Alerts", "SIDs", "Reason", "Evidence"}, rows, true)
}

// evidenceCell puts one piece of evidence a line; clean escapes any
// newline inside one.
func evidenceCell(evidence []string) string {
	if len(evidence) == 0 {
		return none
	}
	ev := make([]string, len(evidence))
	for i, e := range evidence {
		ev[i] = clean(e)
	}
	return strings.Join(ev, "\n")
}

// warningSection lists the Result's warnings. Evictions are not added here:
// the Summary shows them, and the analyzer words its own warning for them.
func warningSection(b *bytes.Buffer, r *analyzer.Result, width int) error {
	if len(r.Warnings) == 0 {
		return nil
	}
	title(b, "Warnings")
	for _, w := range r.Warnings {
		line(b, "- %s", clean(w))
	}
	return nil
}
