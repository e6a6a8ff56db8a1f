package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// SignaturesListSchema names the JSON document `signatures list --format
// json` writes.
const SignaturesListSchema = "ipsreplay.signatures/v1"

// SignatureList is what `signatures list` shows: the packs in force, as
// of Now (their ages, and the 90-day staleness warning).
type SignatureList struct {
	Packs []*signatures.LoadedPack
	Now   time.Time
	// Width is what the tables are fitted to: 0 not at all, Wide every
	// cell whole.
	Width int
}

// WriteSignatures renders the packs and every signature they define in
// format f (table or json). Nothing is written when rendering fails.
func WriteSignatures(w io.Writer, l *SignatureList, f Format) error {
	s, err := specFor(f, Signatures)
	if err != nil {
		return err
	}
	return writeWhole(w, func(buf *bytes.Buffer) error { return s.signatures(buf, l) })
}

func signaturesTable(b *bytes.Buffer, l *SignatureList) error {
	title(b, "Signature packs")
	var rows [][]string
	for _, p := range l.Packs {
		rows = append(rows, []string{
			packText(p.Name), packText(p.Version), p.Released, packAge(p.Age(l.Now)),
			strconv.Itoa(len(p.Rules)), strconv.Itoa(len(p.Skipped)), packText(p.Source()),
		})
	}
	if err := fitTable(b, l.Width, []string{"pack", "version", "released", "age", "active rules", "skipped rules", "source"}, rows, false); err != nil {
		return err
	}

	title(b, "Signatures")
	rows = rows[:0]
	for _, e := range sortedSignatures(l.Packs) {
		cves := strings.Join(e.sig.AllCVEs(), ", ")
		if cves == "" {
			cves = none
		}
		rows = append(rows, []string{
			strconv.FormatUint(uint64(e.sig.SID), 10), packText(e.sig.Name), string(e.sig.Severity),
			packText(e.sig.Category), cves, packText(e.pack.Name),
		})
	}
	if err := fitTable(b, l.Width, []string{"sid", "name", "severity", "category", "CVEs", "pack"}, rows, false); err != nil {
		return err
	}

	if w := packWarnings(l.Packs, l.Now); len(w) > 0 {
		title(b, "Warnings")
		for _, s := range w {
			line(b, "%s", packText(s))
		}
	}
	return nil
}

// packWarnings says which packs fell back, are stale, or skipped rules.
func packWarnings(packs []*signatures.LoadedPack, now time.Time) []string {
	var out []string
	for _, p := range packs {
		if p.FellBack {
			out = append(out, fmt.Sprintf("pack %s: using the previous pack %s (version %s) because %s", p.Name, p.Dir, p.Version, p.FallbackReason))
		}
		if p.Stale(now) {
			out = append(out, staleWarning(p, now))
		}
		for _, s := range p.Skipped {
			out = append(out, "skipped "+skippedText(p, s))
		}
	}
	return out
}

func staleWarning(p *signatures.LoadedPack, now time.Time) string {
	return fmt.Sprintf("pack %s %s was released %s, %s: more than %d days old; update it",
		p.Name, p.Version, p.Released, ago(p.Age(now)), int(signatures.StaleAfter/(24*time.Hour)))
}

// skippedText places a skipped rule in its pack: "packs/web/rules/x.rules:3:
// sid 5: lua: unsupported keyword".
func skippedText(p *signatures.LoadedPack, s rules.Skipped) string {
	t := fmt.Sprintf("%s:%d: ", packFile(p, s.File), s.Line)
	if s.SID != 0 {
		t += fmt.Sprintf("sid %d: ", s.SID)
	}
	if s.Keyword != "" {
		t += s.Keyword + ": "
	}
	return t + s.Reason
}

// packFile names a file of p for the user: under the pack directory, or
// marked as built in.
func packFile(p *signatures.LoadedPack, name string) string {
	if p.Dir == "" {
		return "built-in " + name
	}
	return filepath.Join(p.Dir, filepath.FromSlash(name))
}

// packSignature is one signature and the pack defining it.
type packSignature struct {
	sig  signatures.Signature
	pack *signatures.LoadedPack
	rule *rules.Rule
}

func sortedSignatures(packs []*signatures.LoadedPack) []packSignature {
	var out []packSignature
	for _, p := range packs {
		for _, s := range p.Signatures {
			_, r, _ := p.Lookup(s.SID)
			out = append(out, packSignature{sig: s, pack: p, rule: r})
		}
	}
	slices.SortFunc(out, func(a, b packSignature) int { return int(int64(a.sig.SID) - int64(b.sig.SID)) })
	return out
}

// signaturesDoc is the list --format json document.
type signaturesDoc struct {
	Schema     string         `json:"schema"`
	Packs      []packDoc      `json:"packs"`
	Signatures []signatureDoc `json:"signatures"`
	Skipped    []skippedDoc   `json:"skipped"`
	Warnings   []string       `json:"warnings"`
}

type packDoc struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	Released       string `json:"released"`
	Description    string `json:"description,omitempty"`
	Source         string `json:"source"`
	AgeDays        int    `json:"age_days"`
	Stale          bool   `json:"stale"`
	ActiveRules    int    `json:"active_rules"`
	SkippedRules   int    `json:"skipped_rules"`
	FellBack       bool   `json:"fell_back"`
	FallbackReason string `json:"fallback_reason,omitempty"`
}

type signatureDoc struct {
	SID         uint32   `json:"sid"`
	Name        string   `json:"name"`
	Severity    string   `json:"severity"`
	Category    string   `json:"category"`
	Description string   `json:"description,omitempty"`
	CVEs        []string `json:"cve"`
	Pack        string   `json:"pack"`
	Rule        string   `json:"rule,omitempty"` // the rule text, for rules
}

type skippedDoc struct {
	Pack    string `json:"pack"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	SID     uint32 `json:"sid,omitempty"`
	Keyword string `json:"keyword,omitempty"`
	Reason  string `json:"reason"`
}

func signaturesJSON(b *bytes.Buffer, l *SignatureList) error {
	doc := signaturesDoc{
		Schema:     SignaturesListSchema,
		Packs:      []packDoc{},
		Signatures: []signatureDoc{},
		Skipped:    []skippedDoc{},
		Warnings:   nonNil(packWarnings(l.Packs, l.Now)),
	}
	for _, p := range l.Packs {
		doc.Packs = append(doc.Packs, packDoc{
			Name: p.Name, Version: p.Version, Released: p.Released, Description: p.Description,
			Source: p.Source(), AgeDays: ageDays(p.Age(l.Now)), Stale: p.Stale(l.Now),
			ActiveRules: len(p.Rules), SkippedRules: len(p.Skipped),
			FellBack: p.FellBack, FallbackReason: p.FallbackReason,
		})
		for _, s := range p.Skipped {
			doc.Skipped = append(doc.Skipped, skippedDoc{Pack: p.Name, File: s.File, Line: s.Line, SID: s.SID, Keyword: s.Keyword, Reason: s.Reason})
		}
	}
	for _, e := range sortedSignatures(l.Packs) {
		d := signatureDoc{
			SID: e.sig.SID, Name: e.sig.Name, Severity: string(e.sig.Severity), Category: e.sig.Category,
			Description: e.sig.Description, CVEs: nonNil(e.sig.AllCVEs()), Pack: e.pack.Name,
		}
		if e.rule != nil {
			d.Rule = e.rule.Raw
		}
		doc.Signatures = append(doc.Signatures, d)
	}
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteSignature renders one signature of pack p, as `signatures show`
// does: its metadata, where its rule is and the rule itself, and advice.
func WriteSignature(w io.Writer, p *signatures.LoadedPack, s signatures.Signature) error {
	var b bytes.Buffer
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-12s %s\n", name+":", packText(value))
		}
	}
	field("sid", strconv.FormatUint(uint64(s.SID), 10))
	field("name", s.Name)
	field("severity", string(s.Severity))
	field("category", s.Category)
	field("pack", fmt.Sprintf("%s %s, released %s (%s)", p.Name, p.Version, p.Released, p.Source()))
	field("description", s.Description)
	if cves := s.AllCVEs(); len(cves) > 0 {
		field("cve", strings.Join(cves, ", "))
		field("advice", signatures.PatchAdvice)
	}
	if _, r, _ := p.Lookup(s.SID); r != nil {
		field("rule", fmt.Sprintf("%s:%d", packFile(p, r.File), r.Line))
		b.WriteString("  ")
		b.WriteString(packText(r.Raw))
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteVerified renders a pack that verified, as `signatures verify`
// does: one OK line, the rules it skipped, and a warning when it is stale
// as of now.
func WriteVerified(w io.Writer, p *signatures.LoadedPack, now time.Time) error {
	files := len(p.Files)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: OK: pack %s %s, released %s (%s): %d %s verified, %d signatures (%d rules, %d metadata only), %d rules skipped\n",
		p.Source(), packText(p.Name), packText(p.Version), p.Released, ago(p.Age(now)),
		files, plural(files, "file", "files"), len(p.Signatures), len(p.Rules), len(p.Signatures)-len(p.Rules), len(p.Skipped))
	for _, s := range p.Skipped {
		b.WriteString("skipped " + packText(skippedText(p, s)) + "\n")
	}
	if p.Stale(now) {
		b.WriteString("warning: " + staleWarning(p, now) + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// PackNote writes a line of text about a pack, escaped as the listings
// escape pack text.
func PackNote(w io.Writer, s string) error {
	_, err := fmt.Fprintln(w, packText(s))
	return err
}

// ageDays is d in whole days, rounded down (negative before the release).
func ageDays(d time.Duration) int {
	n := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		n--
	}
	return n
}

// ago renders a pack's age as "N days ago".
func ago(d time.Duration) string {
	if d < 0 {
		return "in the future"
	}
	return packAge(d) + " ago"
}

// packAge renders a pack's age in days.
func packAge(d time.Duration) string {
	switch n := ageDays(d); {
	case n < 0:
		return "future"
	case n == 1:
		return "1 day"
	default:
		return strconv.Itoa(n) + " days"
	}
}

// packText makes text from a pack safe for one line of a terminal, so a
// hostile msg cannot move the cursor or break the table.
func packText(s string) string { return escape(s, escapeQuoted) }
