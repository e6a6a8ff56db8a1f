package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// SuggestOptions is everything `ipsreplay exclusions suggest` was asked to
// do: the analysis, and which verdicts become entries.
type SuggestOptions struct {
	Analysis AnalyzeOptions // paths, stdin and the analysis flags
	// MinConfidence is the lowest verdict confidence that becomes an
	// entry: "low", "medium" or "high".
	MinConfidence string
	Output        string // "" or "-" for stdout
}

// confidenceRank orders verdict confidences; anything unknown ranks as low.
func confidenceRank(c string) int {
	switch c {
	case "high":
		return 2
	case "medium":
		return 1
	}
	return 0
}

func exclusionsCommand(stdin io.Reader) *cli.Command {
	suggest := &cli.Command{
		Name:      "suggest",
		Usage:     "analyse captures and write an exclusion list from the likely false positives",
		ArgsUsage: "PATH...  (pcap/pcapng files, .gz, directories, or - for stdin)",
		Description: "Writes a ready --exclude file: a header naming the captures, then one entry per " +
			"false-positive verdict (guest VMs by MAC, scanners by address) under comments giving the " +
			"verdict, confidence, reason and evidence. Hosts that need investigation are listed as comments only.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "min-confidence", Value: "medium", Usage: "lowest verdict confidence that becomes an entry: low, medium or high"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the list to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the progress bar"},
		}, analysisFlags()...),
		Action: func(c *cli.Context) error {
			switch c.String("min-confidence") {
			case "low", "medium", "high":
			default:
				return usagef("--min-confidence %q: want low, medium or high", c.String("min-confidence"))
			}
			if c.NArg() == 0 {
				return usagef("exclusions suggest needs at least one capture file, directory or -")
			}
			if err := flagsAfterPaths("exclusions suggest", c.Args().Slice()); err != nil {
				return err
			}
			opts := SuggestOptions{Analysis: analysisOptions(c), MinConfidence: c.String("min-confidence"), Output: c.String("output")}
			opts.Analysis.Paths, opts.Analysis.Stdin = c.Args().Slice(), stdin
			opts.Analysis.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter)
			if opts.Analysis.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Analysis.Autoblock)
			}
			return runSuggest(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
	suggest.OnUsageError = onUsageError
	return &cli.Command{
		Name:  "exclusions",
		Usage: "suggest an exclusion list from the likely false positives",
		Description: "An exclusion list (--exclude FILE) has one entry a line: an IP, CIDR, range a-b or MAC " +
			"address, or a Suricata threshold.config suppress line " +
			"(suppress gen_id 1, sig_id N[, track by_src|by_dst|by_either, ip ADDR]). " +
			"Their alerts are removed and such hosts are never blocked.",
		Subcommands: []*cli.Command{suggest},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowSubcommandHelp(c)
			}
			return usagef("unknown exclusions command %q: want suggest", c.Args().First())
		},
	}
}

// runSuggest analyses the captures as one timeline and writes the list.
// Like analyze, bad input still yields the list of what was read, and the
// error afterwards sets the exit code.
func runSuggest(ctx context.Context, opts SuggestOptions, stdout, stderr io.Writer) error {
	a := opts.Analysis
	cfg, err := buildConfig(a)
	if err != nil {
		return err
	}
	files, err := captureFiles(a.Paths)
	if err != nil {
		return err
	}
	res, runErr := analyzeFiles(ctx, files, cfg, a.Stdin, a.Progress, stderr, "analysing")
	if runErr != nil && res == nil {
		return runErr
	}
	list, err := suggestExclusions(res, opts)
	if err != nil {
		return err
	}
	if opts.Output == "" || opts.Output == "-" {
		if _, err := stdout.Write(list); err != nil {
			return err
		}
	} else if err := os.WriteFile(opts.Output, list, 0o644); err != nil {
		return fmt.Errorf("writing exclusion list: %w", err)
	}
	return afterReport(runErr, stderr)
}

// suggestExclusions writes r's false-positive verdicts as an exclusion
// file. Everything in it comes from r, never the clock, so the same
// captures give the same bytes. The result is parsed back before it is
// returned: a list ipsreplay cannot read is a bug, not a suggestion.
func suggestExclusions(r *analyzer.Result, opts SuggestOptions) ([]byte, error) {
	var b bytes.Buffer
	comment := func(format string, args ...any) {
		b.WriteString(strings.TrimRight("# "+printable(fmt.Sprintf(format, args...)), " "))
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
		comment("  %s: %s packets%s", f.Path, commaCount(f.Packets), note)
	}
	comment("%s packets in all", commaCount(s.Packets))
	if !s.FirstTime.IsZero() {
		comment("capture time %s -> %s (%s)", suggestTime(s.FirstTime.Time), suggestTime(s.LastTime.Time), s.Span)
	}
	if len(s.Exclusions) > 0 {
		comment("already excluded by %s (%d entries); these add to it", opts.Analysis.ExcludeFile, len(s.Exclusions))
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
		comment("%s %s%s", commaCount(fp.Alerts), pluralWord(fp.Alerts, "alert", "alerts"), sidList(fp.SIDs))
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
		return nil, fmt.Errorf("the suggested exclusion list does not parse back: %w", err)
	}
	return b.Bytes(), nil
}

// exclusionEntry is the entry of a verdict's ready line, without its
// comment: a guest VM's MAC (its address moves), a scanner's address.
func exclusionEntry(fp analyzer.FalsePositive) string {
	entry, _, _ := strings.Cut(fp.Exclusion, "#")
	if entry = strings.TrimSpace(entry); entry != "" {
		return entry
	}
	if fp.Verdict == "guest-vm" && fp.MAC.IsValid() {
		return fp.MAC.String()
	}
	return fp.Host.String()
}

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

func pluralWord(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// suggestTime is a capture time in UTC to the millisecond, as the table
// report shows it.
func suggestTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// commaCount renders n with thousands separators.
func commaCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
