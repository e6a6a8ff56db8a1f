package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// SuggestOptions says which verdicts a suggested exclusion list takes.
type SuggestOptions struct {
	// MinConfidence is the lowest verdict confidence that becomes an
	// entry: "low", "medium" or "high".
	MinConfidence string
	// ExcludeFile names the list the analysis already ran with, if any.
	ExcludeFile string
}

// confidenceRank orders verdict confidences, low to high; anything unknown
// ranks as low.
func confidenceRank(c string) int {
	switch c {
	case analyzer.ConfidenceHigh:
		return 2
	case analyzer.ConfidenceMedium:
		return 1
	}
	return 0
}

// WriteSuggestedExclusions writes r's false-positive verdicts as an
// exclusion file: a header naming the captures, then one entry per verdict
// of opts.MinConfidence or higher under comments giving its evidence, then
// what was left out and why. Everything in it comes from r, never the
// clock, so the same captures give the same bytes. The list is parsed back
// before it is written: a list ipsreplay cannot read is a bug, not a
// suggestion.
func WriteSuggestedExclusions(w io.Writer, r *analyzer.Result, opts SuggestOptions) error {
	var b bytes.Buffer
	comment := func(format string, args ...any) {
		b.WriteString(strings.TrimRight("# "+escape(fmt.Sprintf(format, args...), escapeLine), " "))
		b.WriteByte('\n')
	}
	s := r.Summary
	comment("Exclusion list suggested by ipsreplay exclusions suggest from the likely false positives in:")
	for _, f := range r.Files {
		note := ""
		switch {
		case f.Truncated:
			note = " (truncated: analysed up to the fault)"
		case f.Error != "":
			note = " (not read: " + f.Error + ")"
		}
		comment("  %s: %s packets%s", f.Path, commas(f.Packets), note)
	}
	comment("%s packets in all", commas(s.Packets))
	if !s.FirstTime.IsZero() {
		comment("capture time %s -> %s (%s)", tableTime(s.FirstTime), tableTime(s.LastTime), s.Span)
	}
	if len(s.Exclusions) > 0 {
		comment("already excluded by %s (%d entries); these add to it", opts.ExcludeFile, len(s.Exclusions))
	}
	comment("Entries: verdicts of confidence %s or higher. Review each one: an excluded host's", opts.MinConfidence)
	comment("alerts are removed and it is never blocked.")

	minRank := confidenceRank(opts.MinConfidence)
	seen := map[string]bool{}
	var skipped []string
	for _, fp := range r.FalsePositives {
		entry := exclusionEntry(fp)
		if confidenceRank(fp.Confidence) < minRank {
			skipped = append(skipped, fmt.Sprintf("not excluded: %s: %s of %s confidence, below --min-confidence %s",
				entry, fp.Verdict, fp.Confidence, opts.MinConfidence))
			continue
		}
		if seen[entry] {
			continue
		}
		seen[entry] = true
		b.WriteByte('\n')
		who := fp.Host.String()
		if fp.MAC.IsValid() && fp.Host != analyzer.MACHost(fp.MAC) {
			who += " (" + fp.MAC.String() + ")"
		}
		comment("%s, confidence %s: %s", fp.Verdict, fp.Confidence, who)
		comment("reason: %s", fp.Reason)
		for _, e := range fp.Evidence {
			comment("evidence: %s", e)
		}
		comment("%s %s%s", commas(fp.Alerts), plural(fp.Alerts, "alert", "alerts"), sidList(fp.SIDs))
		b.WriteString(entry)
		b.WriteByte('\n')
	}
	if len(seen) == 0 {
		b.WriteByte('\n')
		comment("No likely false positives at this confidence: nothing to exclude.")
	}
	for _, inv := range r.Investigate {
		skipped = append(skipped, fmt.Sprintf("not excluded: %s needs investigation: %s", inv.Host, inv.Reason))
	}
	if len(skipped) > 0 {
		b.WriteByte('\n')
		for _, sk := range skipped {
			comment("%s", sk)
		}
	}
	if _, err := analyzer.ParseExclusions("suggested list", bytes.NewReader(b.Bytes())); err != nil {
		return fmt.Errorf("the suggested exclusion list does not parse back: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// exclusionEntry is the entry of a verdict's ready line, without its
// comment: a guest VM's MAC (its address moves), a scanner's address.
func exclusionEntry(fp analyzer.FalsePositive) string {
	entry, _, _ := strings.Cut(fp.Exclusion, "#")
	if entry = strings.TrimSpace(entry); entry != "" {
		return entry
	}
	if fp.Verdict == analyzer.VerdictGuestVM && fp.MAC.IsValid() {
		return fp.MAC.String()
	}
	return fp.Host.String()
}

// sidList renders " (SID 9000002)" or " (SIDs 9000002, 9000004)", or
// nothing for no SIDs.
func sidList(sids []uint32) string {
	if len(sids) == 0 {
		return ""
	}
	parts := make([]string, len(sids))
	for i, s := range sids {
		parts[i] = strconv.FormatUint(uint64(s), 10)
	}
	if len(parts) == 1 {
		return " (SID " + parts[0] + ")"
	}
	return " (SIDs " + strings.Join(parts, ", ") + ")"
}
