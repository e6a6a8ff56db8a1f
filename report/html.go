package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// FormatHTML is one self-contained HTML page for people: the report's
// sections as tables, a timeline of alerts and blocks per host, and a
// Wireshark display filter beside every packet reference. It fetches
// nothing: CSS, script and SVG are inline.
const FormatHTML Format = "html"

// htmlTemplateText is the page. html/template escapes every value by
// where it lands (text, attribute, SVG, the JSON data block), so no
// string from a packet, a rule or a file name can become markup or
// script.
//
//go:embed html.tmpl
var htmlTemplateText string

// htmlScript is the page's only script, the alerts filter. The page's
// Content-Security-Policy allows this script by its hash and nothing
// else: no other script, no fetch, no image, even if something slipped
// past the escaping.
//
//go:embed html.js
var htmlScript string

// WriteHTML renders r as one HTML page. r is not modified. Strings are
// first made printable ASCII as in the tables, so a page shows the same
// text as the table, and bidirectional or invisible characters from a
// packet cannot disguise what it says.
func WriteHTML(w io.Writer, r *analyzer.Result) error {
	if r == nil {
		return fmt.Errorf("write html: %w", errNilResult)
	}
	return writeHTMLPage(w, []*analyzer.Result{r}, false)
}

// eachHTML puts one section per file on a single page, each headed by
// its file's name.
func eachHTML(buf *bytes.Buffer, results []*analyzer.Result) error {
	for _, r := range results {
		if r == nil {
			return fmt.Errorf("write html: %w", errNilResult)
		}
	}
	return writeHTMLPage(buf, results, true)
}

// writeHTMLPage renders the page into memory first, so a failed render
// writes nothing.
func writeHTMLPage(w io.Writer, results []*analyzer.Result, perFile bool) error {
	// Parsed per page rather than once in a package variable: a page is
	// rendered once per run, and parsing costs well under a millisecond.
	t, err := template.New("page").Parse(htmlTemplateText)
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	sum := sha256.Sum256([]byte(htmlScript))
	page := htmlPage{
		Title:      "ipsreplay report",
		Script:     template.JS(htmlScript), // ours, from the embedded file
		ScriptHash: "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
	}
	for i, r := range results {
		rep := htmlReportOf(r, "r"+strconv.Itoa(i+1))
		if perFile {
			rep.Heading = "(no file)"
			if len(r.Files) > 0 {
				rep.Heading = clean(r.Files[0].Path)
			}
		}
		page.Reports = append(page.Reports, rep)
	}
	if !perFile && len(results) == 1 && len(results[0].Files) == 1 {
		page.Title += ": " + clean(results[0].Files[0].Path)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, page); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// htmlPage is what the template renders: one report, or one per file.
type htmlPage struct {
	Title      string
	Reports    []htmlReport
	Script     template.JS
	ScriptHash string // for the Content-Security-Policy
}

// htmlReport is one Result as the page shows it. Every string is already
// clean (printable ASCII); the template escapes it for HTML.
type htmlReport struct {
	ID      string // prefix of the element ids of this report
	Heading string // the file, for a per-file page; "" otherwise
	// AlertTotal counts the alerts raised, listed or not, for the
	// per-file page's index.
	AlertTotal string

	Summary    []htmlKV
	Files      []htmlFile // when there are several or one failed
	Exclusions []analyzer.ExclusionUse
	Timeline   htmlTimeline

	Signatures []htmlSignature
	Alerts     []htmlAlert
	// AlertText is each alert row's text, lower case, for the filter:
	// written as a JSON data block, never as markup.
	AlertText  []string
	AlertsNote string // when the alerts are a sample
	Groups     []htmlGroup

	AutoblockOff bool
	Blocks       []htmlBlock
	BlocksNote   string

	FalsePositives []htmlFalsePositive
	ExclusionLines []string
	Investigate    []htmlInvestigation
	Warnings       []string
}

// htmlKV is one summary row; Lines are its value, one a line.
type htmlKV struct {
	Key   string
	Lines []string
}

type htmlFile struct {
	Path, Format, LinkTypes, Packets, Bytes, Status string
	Failed                                          bool
}

// htmlRef is a packet reference and the Wireshark display filter that
// shows it once the file is open.
type htmlRef struct {
	Text, Filter string
}

type htmlSignature struct {
	SID, Name, Severity, Class, Category, Description, Count string
	First, Last                                              string
	FirstRef, LastRef                                        htmlRef
	Attackers, Victims                                       []string
	MoreAttackers, MoreVictims                               bool
	CVEs                                                     []string
	Advice                                                   string
}

type htmlAlert struct {
	Time, SID, Name, Severity, Class string
	Attacker, Victim, Kind, Count    string
	Detail                           string
	Refs                             []htmlRef
	Flags                            string
	// the display filter and BPF expression of all the alert's packets,
	// and the pcap --extract wrote of them
	Wireshark, BPF, Extract string
}

type htmlGroup struct {
	SID, Name, Who, Kind, Alerts, Listed, First, Last string
	FirstRef, LastRef                                 htmlRef
}

type htmlBlock struct {
	Host, FirstBlock, LastUnblock, Blocks, Extensions, Total string
	DroppedPackets, DroppedBytes, SIDs                       string
}

type htmlFalsePositive struct {
	Host, MAC, Verdict, Confidence, Alerts, Reason string
	Evidence                                       []string
	Exclusion                                      string
}

type htmlInvestigation struct {
	Host, MAC, Alerts, SIDs, Reason string
	Evidence                        []string
}

// htmlReportOf builds the page's view of r.
func htmlReportOf(r *analyzer.Result, id string) htmlReport {
	rep := htmlReport{
		ID:           id,
		Summary:      htmlSummary(r.Summary),
		Exclusions:   cleanExclusions(r.Summary.Exclusions),
		Timeline:     buildTimeline(r),
		AutoblockOff: r.Summary.Autoblock == 0,
		AlertTotal:   commas(max(r.Summary.Listing.Alerts, uint64(len(r.Alerts)))),
	}
	show := len(r.Files) > 1
	for _, f := range r.Files {
		show = show || f.Error != "" || f.Truncated
	}
	if show {
		for _, f := range r.Files {
			rep.Files = append(rep.Files, htmlFile{
				Path: or(f.Path), Format: or(f.Format), LinkTypes: fileLinks(f),
				Packets: commas(f.Packets), Bytes: bytesExact(f.Bytes), Status: fileStatus(f),
				Failed: f.Error != "" || f.Truncated,
			})
		}
	}
	for _, s := range r.Signatures {
		hs := htmlSignature{
			SID: strconv.FormatUint(uint64(s.SID), 10), Name: or(s.Name), Severity: or(s.Severity),
			Class: severityClass(s.Severity), Category: clean(s.Category), Description: clean(s.Description),
			Count: commas(s.Count), First: tableTime(s.First), Last: tableTime(s.Last),
			FirstRef: ref(s.FirstPacket), LastRef: ref(s.LastPacket),
			Attackers: hostStrings(s.Attackers), Victims: hostStrings(s.Victims),
			MoreAttackers: s.MoreAttackers, MoreVictims: s.MoreVictims,
		}
		for _, c := range s.CVEs {
			hs.CVEs = append(hs.CVEs, clean(c))
		}
		if len(hs.CVEs) > 0 {
			hs.Advice = clean(s.Advice)
			if s.Advice == "" {
				hs.Advice = signatures.PatchAdvice
			}
		}
		rep.Signatures = append(rep.Signatures, hs)
	}
	for _, a := range r.Alerts {
		ha := htmlAlertOf(a)
		rep.Alerts = append(rep.Alerts, ha)
		rep.AlertText = append(rep.AlertText, strings.ToLower(strings.Join([]string{
			ha.Time, ha.SID, ha.Name, ha.Severity, ha.Attacker, ha.Victim, ha.Kind, ha.Detail, ha.Flags, refText(ha.Refs),
		}, " ")))
	}
	if l := r.Summary.Listing; l.AlertsListed < l.Alerts {
		rep.AlertsNote = fmt.Sprintf("%s alerts in all, %s listed in full (report.max_alerts %s: the first alerts, then the first of each new signature/attacker/victim/kind, up to as many again); eve streams every alert. The groups count every alert exactly:",
			commas(l.Alerts), commas(l.AlertsListed), commas(uint64(l.MaxAlerts)))
		for _, g := range r.AlertGroups {
			who := or(g.Attacker.String()) + " -> " + or(g.Victim.String())
			if g.Ungrouped {
				who = "(hosts not kept: report.max_alert_groups)"
			}
			rep.Groups = append(rep.Groups, htmlGroup{
				SID: strconv.FormatUint(uint64(g.SID), 10), Name: or(g.Name), Who: who, Kind: or(g.Kind),
				Alerts: commas(g.Alerts), Listed: commas(g.Listed), First: tableTime(g.First), Last: tableTime(g.Last),
				FirstRef: ref(g.FirstPacket), LastRef: ref(g.LastPacket),
			})
		}
	}
	for _, b := range r.Blocks {
		rep.Blocks = append(rep.Blocks, htmlBlock{
			Host: or(b.Host.String()), FirstBlock: tableTime(b.FirstBlock), LastUnblock: tableTime(b.LastUnblock),
			Blocks: strconv.Itoa(b.Blocks), Extensions: strconv.Itoa(b.Extensions), Total: duration(b.TotalBlocked),
			DroppedPackets: commas(b.DroppedPackets), DroppedBytes: bytesExact(b.DroppedBytes), SIDs: sidCell(b.SIDs),
		})
	}
	if u := r.UnlistedBlocks; u.Hosts > 0 {
		rep.BlocksNote = fmt.Sprintf("... %s more blocked hosts (report.max_blocked_hosts %s): %s blocks, %s packets and %s dropped",
			commas(u.Hosts), commas(uint64(r.Summary.Listing.MaxBlockedHosts)), commas(u.Blocks), commas(u.DroppedPackets), bytesExact(u.DroppedBytes))
	}
	for _, fp := range r.FalsePositives {
		rep.FalsePositives = append(rep.FalsePositives, htmlFalsePositive{
			Host: or(fp.Host.String()), MAC: or(fp.MAC.String()), Verdict: or(fp.Verdict), Confidence: or(fp.Confidence),
			Alerts: commas(fp.Alerts), Reason: or(fp.Reason), Evidence: cleanAll(fp.Evidence), Exclusion: clean(fp.Exclusion),
		})
		if fp.Exclusion != "" {
			rep.ExclusionLines = append(rep.ExclusionLines, clean(fp.Exclusion))
		}
	}
	for _, v := range r.Investigate {
		rep.Investigate = append(rep.Investigate, htmlInvestigation{
			Host: or(v.Host.String()), MAC: or(v.MAC.String()), Alerts: commas(v.Alerts), SIDs: sidCell(v.SIDs),
			Reason: or(v.Reason), Evidence: cleanAll(v.Evidence),
		})
	}
	rep.Warnings = cleanAll(r.Warnings)
	return rep
}

// htmlAlertOf is one row of the alerts table.
func htmlAlertOf(a analyzer.Alert) htmlAlert {
	attacker := attackerName(a)
	if !a.Attacker.IsValid() && a.Spoofed && len(a.Sources) > 0 {
		attacker = "spoofed: " + hostList(a.Sources, 4, false)
	}
	if a.AttackerMAC.IsValid() && a.Attacker.IsValid() {
		attacker += " (" + a.AttackerMAC.String() + ")"
	}
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{a.Blocked, "blocked"}, {a.Spoofed, "spoofed"}, {a.Dropped, "dropped"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	var filters analyzer.PacketFilters
	if f := withFilters(&a).Filters; f != nil {
		filters = analyzer.PacketFilters{Wireshark: clean(f.Wireshark), BPF: clean(f.BPF)}
	}
	refs := []htmlRef{ref(a.FirstPacket)}
	if a.LastPacket != a.FirstPacket && (a.LastPacket.File != "" || a.LastPacket.Packet != 0) {
		refs = append(refs, ref(a.LastPacket))
	}
	return htmlAlert{
		Time: tableTime(a.Time), SID: strconv.FormatUint(uint64(a.SID), 10), Name: or(a.Name),
		Severity: or(a.Severity), Class: severityClass(a.Severity),
		Attacker: attacker, Victim: endpoint(a.Victim, a.VictimPort, a.Proto), Kind: or(a.Kind),
		Count: commas(a.Count), Detail: or(a.Detail), Refs: refs, Flags: strings.Join(flags, ", "),
		Wireshark: filters.Wireshark, BPF: filters.BPF, Extract: clean(a.Extract),
	}
}

// attackerName names the host an alert came from, as the timeline's rows
// do: its address, else its MAC, else the spoofed placeholder.
func attackerName(a analyzer.Alert) string {
	switch {
	case a.Attacker.IsValid():
		return clean(analyzer.AddrHost(a.Attacker).String())
	case a.AttackerMAC.IsValid():
		return a.AttackerMAC.String()
	case a.Spoofed:
		return "(spoofed sources)"
	}
	return none
}

// htmlSummary is the summary as the table words it.
func htmlSummary(s analyzer.Summary) []htmlKV {
	capture, span := none, duration(s.Span)
	if !s.FirstTime.IsZero() || !s.LastTime.IsZero() {
		capture = tableTime(s.FirstTime) + " -> " + tableTime(s.LastTime)
	} else if s.Span == 0 {
		span = none
	}
	undecoded := []string{commas(s.Undecoded)}
	for _, rc := range s.DecodeErrors {
		undecoded = append(undecoded, clean(rc.Reason)+": "+commas(rc.Count))
	}
	evictions := []string{"none"}
	if len(s.Evictions) > 0 {
		var n uint64
		for _, rc := range s.Evictions {
			n += rc.Count
		}
		evictions = []string{"WARNING: " + commas(n) + " entries evicted at table caps"}
		for _, rc := range s.Evictions {
			evictions = append(evictions, clean(rc.Reason)+": "+commas(rc.Count))
		}
	}
	rows := []htmlKV{
		{"Files", []string{strconv.Itoa(s.Files)}},
		{"Packets", []string{commas(s.Packets)}},
		{"Bytes", []string{bytesExact(s.Bytes)}},
		{"Capture (UTC)", []string{capture}},
		{"Duration", []string{span}},
		{"Undecoded packets", undecoded},
		{"State evictions", evictions},
		{"Autoblock", []string{autoblockText(&s)}},
		{"Exclusions", []string{exclusionsText(&s)}},
	}
	if s.Filter != "" {
		rows = append(rows, htmlKV{"Filter (--bpf)", filterText(&s)})
	}
	if ips := s.IPS; ips != nil {
		rows = append(rows, htmlKV{"IPS drops (drop/reject rules)", []string{commas(ips.DroppedPackets) + " packets, " +
			bytesExact(ips.DroppedBytes) + ", " + commas(ips.DroppedFlows) + plural(ips.DroppedFlows, " flow", " flows")}})
	}
	if len(s.Packs) > 0 {
		rows = append(rows, htmlKV{"Signature packs", cleanAll(s.Packs)})
		rows = append(rows, htmlKV{"Rules", strings.Split(rulesText(s), "\n")})
	}
	return rows
}

// cleanExclusions is the exclusion list with its text made clean.
func cleanExclusions(uses []analyzer.ExclusionUse) []analyzer.ExclusionUse {
	out := make([]analyzer.ExclusionUse, len(uses))
	for i, u := range uses {
		out[i] = analyzer.ExclusionUse{Entry: or(u.Entry), Where: or(u.Where), Kind: or(u.Kind), Alerts: u.Alerts}
	}
	return out
}

// ref is a packet location with its Wireshark display filter; frame
// numbers count as Wireshark's do, so the filter applies to the file
// named.
func ref(l analyzer.PacketLocation) htmlRef {
	if l.File == "" && l.Packet == 0 {
		return htmlRef{Text: none}
	}
	return htmlRef{Text: location(l), Filter: "frame.number == " + strconv.FormatUint(l.Packet, 10)}
}

// refText is the references as the filter searches them.
func refText(refs []htmlRef) string {
	parts := make([]string, 0, 2*len(refs))
	for _, r := range refs {
		parts = append(parts, r.Text, r.Filter)
	}
	return strings.Join(parts, " ")
}

// severityClass maps a severity to one of the page's fixed CSS classes,
// so a value from a rule never reaches a class attribute.
func severityClass(s string) string {
	switch signatures.Severity(s) {
	case signatures.SeverityHigh:
		return "sev-high"
	case signatures.SeverityMedium:
		return "sev-medium"
	case signatures.SeverityLow:
		return "sev-low"
	case signatures.SeverityInfo:
		return "sev-info"
	}
	return "sev-other"
}

func hostStrings(hosts []analyzer.Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = or(h.String())
	}
	return out
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

func sidCell(sids []uint32) string {
	parts := make([]string, len(sids))
	for i, sid := range sids {
		parts[i] = strconv.FormatUint(uint64(sid), 10)
	}
	return or(strings.Join(parts, ", "))
}
