package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/report"
	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// SignaturesOptions is everything `ipsreplay signatures list|show|verify`
// was asked to do.
type SignaturesOptions struct {
	// Dirs are --signatures pack directories, loaded after the built-in
	// default pack; a pack named like an earlier one replaces it.
	Dirs   []string
	Format report.Format // list: table or json
	SID    uint32        // show
	// VerifyDir is the pack verify checks; "" for the built-in default.
	VerifyDir string
	// RuleFiles are bare rule files verify loads as analyze --rules does,
	// instead of a pack; StrictRules refuses one with a malformed rule.
	RuleFiles   []string
	StrictRules bool
	// Now is the clock for ages and the 90-day staleness warning.
	Now time.Time
	// Width is what list's tables are fitted to (see tableWidth).
	Width int
}

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
				&cli.BoolFlag{Name: "wide", Usage: "show the tables whole: not fitted to the terminal (or $COLUMNS)"},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 0 {
					return usagef("signatures list takes no arguments (packs go in --signatures DIR)")
				}
				format, err := report.Lookup(c.String("format"), report.Signatures)
				if err != nil {
					return usagef("--%v", err)
				}
				return runSignaturesList(SignaturesOptions{
					Dirs: c.StringSlice("signatures"), Format: format, Now: time.Now(),
					Width: tableWidth(c.Bool("wide"), c.App.Writer, os.Getenv("COLUMNS")),
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
				"It warns when the pack is more than 90 days old. " +
				"With --rules it loads those rule files as analyze --rules would and prints how many rules were read, " +
				"loaded, skipped and failed, with the commonest reasons; --strict-rules makes a rule that does not parse an error.",
			Flags: []cli.Flag{
				&cli.StringSliceFlag{Name: "rules", Usage: "verify the Suricata/Snort rules in `FILE` instead of a pack; repeatable"},
				strictRulesFlag(),
			},
			Action: func(c *cli.Context) error {
				if c.NArg() > 1 {
					return usagef("signatures verify takes at most one pack directory")
				}
				files := c.StringSlice("rules")
				if c.NArg() > 0 && len(files) > 0 {
					return usagef("signatures verify checks a pack DIR or --rules files, not both")
				}
				return runSignaturesVerify(SignaturesOptions{
					VerifyDir: c.Args().First(), RuleFiles: files, StrictRules: c.Bool("strict-rules"), Now: time.Now(),
				}, c.App.Writer)
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
	return report.WriteSignatures(stdout, &report.SignatureList{Packs: packs, Now: opts.Now, Width: opts.Width}, opts.Format)
}

func runSignaturesShow(opts SignaturesOptions, stdout io.Writer) error {
	packs, err := loadPacks(opts.Dirs)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range packs {
		if s, _, ok := p.Lookup(opts.SID); ok {
			return report.WriteSignature(stdout, p, s)
		}
		names = append(names, p.Name)
	}
	return &inputError{fmt.Errorf("sid %d: no such signature in pack %s", opts.SID, strings.Join(names, ", "))}
}

func runSignaturesVerify(opts SignaturesOptions, stdout io.Writer) error {
	if len(opts.RuleFiles) > 0 {
		return runRulesVerify(opts, stdout)
	}
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
				// the verify error below is what the exit code reports
				_ = report.PackNote(stdout, fallbackNote(opts.VerifyDir))
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
	if err := report.WriteVerified(stdout, p, opts.Now); err != nil {
		return err
	}
	// rules that load with a warning (an unknown classtype)
	for _, w := range p.Warnings {
		if err := report.PackNote(stdout, "warning: "+w); err != nil {
			return err
		}
	}
	return nil
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

// verifyReasons is how many grouped reasons verify prints for skipped and
// for failed rules.
const verifyReasons = 15

// runRulesVerify loads rule files as analyze --rules does and says what
// loads: the counts and the commonest reasons rules were left out.
func runRulesVerify(opts SignaturesOptions, stdout io.Writer) error {
	set, err := signatures.LoadSet(signatures.SetOptions{
		NoDefault: true,
		RuleFiles: opts.RuleFiles,
		Vars:      rules.DefaultVars(),
		Strict:    opts.StrictRules,
	})
	if err != nil {
		return &inputError{err}
	}
	active, skipped := set.RuleCounts()
	failed := set.RulesFailed()
	var b strings.Builder
	what := opts.RuleFiles[0]
	if n := len(opts.RuleFiles); n > 1 {
		what = fmt.Sprintf("%d rule files", n)
	}
	fmt.Fprintf(&b, "%s: OK: %d rules read: %d loaded, %d skipped, %d failed\n",
		what, active+skipped+failed, active, skipped, failed)
	for _, g := range []struct {
		what    string
		reasons []signatures.ReasonCount
	}{{"failed", set.FailedReasons()}, {"skipped", set.SkippedReasons()}} {
		if len(g.reasons) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s rules, by reason:\n", g.what)
		for i, rc := range g.reasons {
			if i == verifyReasons {
				fmt.Fprintf(&b, "  ... %d more reasons\n", len(g.reasons)-verifyReasons)
				break
			}
			fmt.Fprintf(&b, "  %7d  %s\n", rc.Count, rc.Reason)
		}
	}
	for _, e := range set.Failed {
		fmt.Fprintf(&b, "failed %s\n", e)
	}
	for _, w := range set.Warnings {
		if strings.Contains(w, ": unknown classtype ") {
			fmt.Fprintf(&b, "warning: %s\n", w)
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}
