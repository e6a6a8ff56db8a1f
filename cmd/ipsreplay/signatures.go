package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// SignaturesOptions is everything `ipsreplay signatures list|show|verify`
// was asked to do.
type SignaturesOptions struct {
	// Dirs are --signatures pack directories, loaded after the built-in
	// default pack; a pack named like an earlier one replaces it.
	Dirs   []string
	Format string // list: "table" or "json"
	SID    uint32 // show
	// VerifyDir is the pack verify checks; "" for the built-in default.
	VerifyDir string
	// Now is the clock for ages and the 90-day staleness warning.
	Now time.Time
}

// signaturesListSchema names the JSON document list --format json writes.
const signaturesListSchema = "ipsreplay.signatures/v1"

func signaturesCommand() *cli.Command {
	packsFlag := func() cli.Flag {
		return &cli.StringSliceFlag{Name: "signatures", Usage: "also load the signature pack in `DIR` (repeatable); a pack named like the built-in one replaces it"}
	}
	sub := []*cli.Command{
		{
			Name:  "list",
			Usage: "list the signature packs in force and every signature they define",
			Flags: []cli.Flag{
				packsFlag(),
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 0 {
					return usagef("signatures list takes no arguments (packs go in --signatures DIR)")
				}
				switch c.String("format") {
				case "table", "json":
				default:
					return usagef("--format %q: want table or json", c.String("format"))
				}
				return runSignaturesList(SignaturesOptions{
					Dirs: c.StringSlice("signatures"), Format: c.String("format"), Now: time.Now(),
				}, c.App.Writer)
			},
		},
		{
			Name:      "show",
			Usage:     "show one signature: its metadata, its rule, and advice",
			ArgsUsage: "SID",
			Flags:     []cli.Flag{packsFlag()},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return usagef("signatures show needs one signature id, e.g. ipsreplay signatures show 9100001")
				}
				sid, err := strconv.ParseUint(c.Args().First(), 10, 32)
				if err != nil || sid == 0 {
					return usagef("signatures show %q: want a signature id (a positive number)", c.Args().First())
				}
				return runSignaturesShow(SignaturesOptions{
					Dirs: c.StringSlice("signatures"), SID: uint32(sid), Now: time.Now(),
				}, c.App.Writer)
			},
		},
		{
			Name:      "verify",
			Usage:     "verify a signature pack: manifest, sha256 of every file, and that it parses",
			ArgsUsage: "[DIR]  (default: the built-in pack)",
			Description: "Exit 0 when the pack is sound, 2 when it is not (the error names the file and line). " +
				"For a broken DIR it says whether DIR" + signatures.PreviousSuffix + " would be used instead. " +
				"It warns when the pack is more than 90 days old.",
			Action: func(c *cli.Context) error {
				if c.NArg() > 1 {
					return usagef("signatures verify takes at most one pack directory")
				}
				return runSignaturesVerify(SignaturesOptions{VerifyDir: c.Args().First(), Now: time.Now()}, c.App.Writer)
			},
		},
	}
	for _, s := range sub {
		s.OnUsageError = onUsageError
	}
	return &cli.Command{
		Name:  "signatures",
		Usage: "list, show and verify signature packs",
		Description: "A pack is a directory: manifest.json (name, version, released, sha256 of each file), " +
			"signatures.json and rules/*.rules (Suricata syntax). The previous pack is kept beside it as DIR" +
			signatures.PreviousSuffix + " and is used when DIR is corrupt.",
		Subcommands: sub,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowSubcommandHelp(c)
			}
			return usagef("unknown signatures command %q: want list, show or verify", c.Args().First())
		},
	}
}

// loadPacks loads the built-in pack and dirs, applies the replace-by-name
// rule and checks no sid is defined twice.
func loadPacks(dirs []string) ([]*signatures.LoadedPack, error) {
	def, err := signatures.EmbeddedDefault()
	if err != nil {
		return nil, err // a broken build, not bad input
	}
	packs := []*signatures.LoadedPack{def}
	for _, dir := range dirs {
		p, err := signatures.LoadPack(dir, rules.DefaultVars())
		if err != nil {
			return nil, &inputError{err}
		}
		packs = append(packs, p)
	}
	packs = signatures.MergePacks(packs...)
	if _, err := signatures.NewCatalogFromPacks(packs...); err != nil {
		return nil, &inputError{err}
	}
	return packs, nil
}

func runSignaturesList(opts SignaturesOptions, stdout io.Writer) error {
	packs, err := loadPacks(opts.Dirs)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		return writeSignaturesJSON(stdout, packs, opts.Now)
	}
	var b bytes.Buffer
	sigSection(&b, "Signature packs")
	var rows [][]string
	for _, p := range packs {
		rows = append(rows, []string{
			sigCell(p.Name), sigCell(p.Version), p.Released, packAge(p.Age(opts.Now)),
			strconv.Itoa(len(p.Rules)), strconv.Itoa(len(p.Skipped)), sigCell(p.Source()),
		})
	}
	if err := sigTable(&b, []string{"pack", "version", "released", "age", "active rules", "skipped rules", "source"}, rows); err != nil {
		return err
	}

	sigSection(&b, "Signatures")
	rows = rows[:0]
	for _, e := range sortedSignatures(packs) {
		cves := strings.Join(e.sig.AllCVEs(), ", ")
		if cves == "" {
			cves = "-"
		}
		rows = append(rows, []string{
			strconv.FormatUint(uint64(e.sig.SID), 10), sigCell(e.sig.Name), string(e.sig.Severity),
			sigCell(e.sig.Category), cves, sigCell(e.pack.Name),
		})
	}
	if err := sigTable(&b, []string{"sid", "name", "severity", "category", "CVEs", "pack"}, rows); err != nil {
		return err
	}

	if w := packWarnings(packs, opts.Now); len(w) > 0 {
		sigSection(&b, "Warnings")
		for _, l := range w {
			b.WriteString(sigCell(l))
			b.WriteByte('\n')
		}
	}
	_, err = stdout.Write(b.Bytes())
	return err
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

func writeSignaturesJSON(w io.Writer, packs []*signatures.LoadedPack, now time.Time) error {
	doc := signaturesDoc{
		Schema:     signaturesListSchema,
		Packs:      []packDoc{},
		Signatures: []signatureDoc{},
		Skipped:    []skippedDoc{},
		Warnings:   packWarnings(packs, now),
	}
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	for _, p := range packs {
		doc.Packs = append(doc.Packs, packDoc{
			Name: p.Name, Version: p.Version, Released: p.Released, Description: p.Description,
			Source: p.Source(), AgeDays: ageDays(p.Age(now)), Stale: p.Stale(now),
			ActiveRules: len(p.Rules), SkippedRules: len(p.Skipped),
			FellBack: p.FellBack, FallbackReason: p.FallbackReason,
		})
		for _, s := range p.Skipped {
			doc.Skipped = append(doc.Skipped, skippedDoc{Pack: p.Name, File: s.File, Line: s.Line, SID: s.SID, Keyword: s.Keyword, Reason: s.Reason})
		}
	}
	for _, e := range sortedSignatures(packs) {
		d := signatureDoc{
			SID: e.sig.SID, Name: e.sig.Name, Severity: string(e.sig.Severity), Category: e.sig.Category,
			Description: e.sig.Description, CVEs: e.sig.AllCVEs(), Pack: e.pack.Name,
		}
		if d.CVEs == nil {
			d.CVEs = []string{}
		}
		if e.rule != nil {
			d.Rule = e.rule.Raw
		}
		doc.Signatures = append(doc.Signatures, d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func runSignaturesShow(opts SignaturesOptions, stdout io.Writer) error {
	packs, err := loadPacks(opts.Dirs)
	if err != nil {
		return err
	}
	var found *packSignature
	for _, e := range sortedSignatures(packs) {
		if e.sig.SID == opts.SID {
			found = &e
			break
		}
	}
	if found == nil {
		var names []string
		for _, p := range packs {
			names = append(names, p.Name)
		}
		return &inputError{fmt.Errorf("sid %d: no such signature in pack %s", opts.SID, strings.Join(names, ", "))}
	}
	s, p := found.sig, found.pack
	var b bytes.Buffer
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-12s %s\n", name+":", sigCell(value))
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
	if r := found.rule; r != nil {
		field("rule", fmt.Sprintf("%s:%d", packFile(p, r.File), r.Line))
		b.WriteString("  ")
		b.WriteString(sigCell(r.Raw))
		b.WriteByte('\n')
	}
	_, err = stdout.Write(b.Bytes())
	return err
}

func runSignaturesVerify(opts SignaturesOptions, stdout io.Writer) error {
	var (
		p   *signatures.LoadedPack
		err error
	)
	if opts.VerifyDir == "" {
		p, err = signatures.EmbeddedDefault()
	} else {
		p, err = signatures.VerifyPack(opts.VerifyDir, rules.DefaultVars())
	}
	if err != nil {
		if opts.VerifyDir != "" {
			var ce *signatures.CorruptError
			if errors.As(err, &ce) {
				fmt.Fprintln(stdout, sigCell(fallbackNote(opts.VerifyDir)))
			}
		}
		return &inputError{err}
	}
	if opts.VerifyDir != "" && p.Name != "default" {
		// a pack is used beside the built-in one: its sids must not clash
		def, err := signatures.EmbeddedDefault()
		if err != nil {
			return err
		}
		if _, err := signatures.NewCatalogFromPacks(def, p); err != nil {
			return &inputError{fmt.Errorf("%s: %w", opts.VerifyDir, err)}
		}
	}
	files := len(p.Files)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: OK: pack %s %s, released %s (%s): %d %s verified, %d signatures (%d rules, %d metadata only), %d rules skipped\n",
		p.Source(), sigCell(p.Name), sigCell(p.Version), p.Released, ago(p.Age(opts.Now)),
		files, plural(files, "file", "files"), len(p.Signatures), len(p.Rules), len(p.Signatures)-len(p.Rules), len(p.Skipped))
	for _, s := range p.Skipped {
		b.WriteString("skipped " + sigCell(skippedText(p, s)) + "\n")
	}
	if p.Stale(opts.Now) {
		b.WriteString("warning: " + staleWarning(p, opts.Now) + "\n")
	}
	_, err = stdout.Write(b.Bytes())
	return err
}

// fallbackNote says what loading the corrupt pack dir would do instead.
func fallbackNote(dir string) string {
	prev := signatures.PreviousDir(dir)
	if fi, err := os.Stat(prev); err != nil || !fi.IsDir() {
		return fmt.Sprintf("%s: corrupt, and there is no previous pack (%s) to fall back to: it would not load", dir, prev)
	}
	pp, err := signatures.VerifyPack(prev, rules.DefaultVars())
	if err != nil {
		return fmt.Sprintf("%s: corrupt, and the previous pack is unusable too: %v", dir, err)
	}
	return fmt.Sprintf("%s: corrupt; the previous pack %s (%s %s, released %s) would be used instead", dir, prev, pp.Name, pp.Version, pp.Released)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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

// sigSection starts a titled section, as the report's table format does.
func sigSection(b *bytes.Buffer, title string) {
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(title + "\n" + strings.Repeat("=", len(title)) + "\n")
}

// sigTable renders rows in the report's plain ASCII table style. Cells
// must already be clean (see sigCell).
func sigTable(b *bytes.Buffer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(b,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header(header)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	return t.Render()
}

// sigCell makes text from a pack safe for one line of a terminal: anything
// but printable ASCII is escaped, so a hostile msg cannot move the cursor
// or break the table.
func sigCell(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			q := strconv.QuoteToASCII(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}
