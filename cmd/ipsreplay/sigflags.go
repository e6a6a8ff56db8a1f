package main

import (
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/pcapfilter"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/report"

	"github.com/ipsreplay/ipsreplay/signatures"
)

// SignatureOptions chooses the signatures a run uses.
type SignatureOptions struct {
	Dirs       []string // --signatures: packs added or replacing the default's
	RuleFiles  []string // --rules: bare rule files
	NoBuiltins bool     // --no-builtins: only the packs and rules given
	// StrictRules refuses a --rules file with a rule that does not parse
	// (--strict-rules); otherwise such rules are left out and counted.
	StrictRules bool
	// AddressGroups are --address-group NAME=VALUE: rule variables as
	// suricata.yaml's vars.address-groups defines them.
	AddressGroups []string
	// MaxRules is rules.max_rules, from the config and --set; 0 for the
	// default.
	MaxRules int
	// Threads is --threads: rule files are parsed that many at a time.
	Threads int
}

// analysisFlags are the flags every analysing command (analyze, replay,
// capture) shares: blocking, exclusions, parameters and signatures.
func analysisFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "wide", Usage: "show tables whole: neither fitted to the terminal (or $COLUMNS) nor long cells cut"},
		&cli.DurationFlag{Name: "autoblock", Value: analyzer.DefaultAutoblock, Usage: "how long a detection blocks the attacker, in capture time; 0 disables"},
		&cli.BoolFlag{Name: "simulate-ips", Usage: "run as an inline IPS, as Suricata's --simulate-ips: drop and reject rules stop their packets (and flows), alerts say \"blocked\" and the summary counts the drops"},
		&cli.StringFlag{Name: "exclude", Usage: "exclusion list `FILE` (none for no list): one IP, CIDR, range a-b, MAC or Suricata suppress line a line; their alerts are removed"},
		&cli.StringFlag{Name: "threshold-file", Usage: "Suricata threshold.config `FILE` (threshold-file in suricata.yaml): threshold, event_filter, rate_filter and suppress lines applied to the rules as Suricata does"},
		&cli.StringFlag{Name: "config", Usage: "detection parameters from a JSON `FILE` (ipsreplay config prints one)"},
		&cli.StringSliceFlag{Name: "set", Usage: "override one parameter, e.g. --set port_scan.vertical_threshold=20 (see ipsreplay config)"},
		homeNetFlag(),
		threadsFlag(),
	}, signatureFlags()...)
}

// threadsFlag is --threads: how many threads evaluate the rules. The
// report does not depend on it.
func threadsFlag() cli.Flag {
	return &cli.IntFlag{
		Name:  "threads",
		Value: runtime.NumCPU(),
		Usage: "evaluate the rules on `N` threads (default: the number of cores; 1 runs everything on one); the results are the same for every N",
		Action: func(_ *cli.Context, n int) error {
			if n < 1 || n > 1024 {
				return usagef("--threads %d: must be between 1 and 1024", n)
			}
			return nil
		},
	}
}

// homeNetFlag is --home-net, for every command that analyses and for
// config. A bad list is a usage error before anything is read.
func homeNetFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "home-net",
		Usage: "the home network, `CIDR[,CIDR...]`: what $HOME_NET means in rules and which hosts are internal (default " + analyzer.DefaultHomeNet + "; overrides network.home_net)",
		Action: func(_ *cli.Context, v string) error {
			if _, err := analyzer.ParseHomeNet(v); err != nil {
				return usagef("--home-net: %v", err)
			}
			return nil
		},
	}
}

// maxOpenFilesFlag is --max-open-files, for the commands that read
// directories of captures into one timeline.
func maxOpenFilesFlag() cli.Flag {
	return &cli.IntFlag{
		Name:  "max-open-files",
		Value: analyzer.DefaultMaxOpenFiles,
		Usage: "keep at most `N` capture files open at once while merging many into one timeline (2 or more): " +
			"higher reopens fewer files when many .gz or pcapng captures overlap in time, lower uses fewer file descriptors and less memory",
		Action: func(_ *cli.Context, n int) error {
			if n < 2 {
				return usagef("--max-open-files %d: must be 2 or more", n)
			}
			return nil
		},
	}
}

// analysisOptions reads analysisFlags into the options they fill.
func analysisOptions(c *cli.Context) AnalyzeOptions {
	return AnalyzeOptions{
		Autoblock:     c.Duration("autoblock"),
		SimulateIPS:   c.Bool("simulate-ips"),
		ExcludeFile:   c.String("exclude"),
		ThresholdFile: c.String("threshold-file"),
		ConfigFile:    c.String("config"),
		Sets:          c.StringSlice("set"),
		HomeNet:       c.String("home-net"),
		Signatures:    signatureOptions(c),
		Stderr:        c.App.ErrWriter,
		MaxOpenFiles:  c.Int("max-open-files"), // 0, the default, where the command has no such flag
		Threads:       c.Int("threads"),
		BPF:           c.String("bpf"),
		Width:         tableWidth(c.Bool("wide"), c.App.Writer, os.Getenv("COLUMNS")),
	}
}

// bpfFlag is --bpf on the commands that read captures: tcpdump's filter
// expression, for tcpdump -r FILE EXPR, suricata -F and zeek -f habits.
func bpfFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "bpf",
		Usage: "analyse only the packets the tcpdump filter `EXPR` matches (e.g. 'tcp port 80 or arp'); the others are left out, keeping their numbers",
		Action: func(_ *cli.Context, expr string) error {
			if err := pcapfilter.Check(expr); err != nil {
				return usagef("--bpf: %v", err)
			}
			return nil
		},
	}
}

// tableWidth is the width tables on out are fitted to: report.Wide for
// --wide, else $COLUMNS when it is a positive number (as ls and other
// GNU tools take it), else the terminal's width when out is one, else 0
// (no limit: a pipe or file has no width).
func tableWidth(wide bool, out io.Writer, columns string) int {
	if wide {
		return report.Wide
	}
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil && n > 0 {
		return n
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 0
}

// signatureFlags choose the signatures: every command that analyses has
// them, check too.
func signatureFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "signatures", Usage: "add a signature pack `DIR` (or replace the one of the same name); repeatable"},
		&cli.StringSliceFlag{Name: "rules", Usage: "run the Suricata/Snort rules in `FILE` as they are; repeatable"},
		strictRulesFlag(),
		&cli.StringSliceFlag{Name: "address-group", Usage: "define the rule variable `NAME=VALUE` as suricata.yaml's vars.address-groups does (e.g. DNS_SERVERS=[10.0.0.53,10.0.1.53]), for rules and the threshold file; repeatable (HOME_NET is --home-net)"},
		&cli.BoolFlag{Name: "no-builtins", Usage: "run only the packs and rules given, not the built-in detections and default pack"},
	}
}

// strictRulesFlag is --strict-rules, beside every --rules.
func strictRulesFlag() cli.Flag {
	return &cli.BoolFlag{Name: "strict-rules", Usage: "refuse a --rules file when any rule in it does not parse, naming each (for rule authors' CI); by default such rules are left out and counted, as Suricata does"}
}

func signatureOptions(c *cli.Context) SignatureOptions {
	return SignatureOptions{Dirs: c.StringSlice("signatures"), RuleFiles: c.StringSlice("rules"), NoBuiltins: c.Bool("no-builtins"), StrictRules: c.Bool("strict-rules"),
		AddressGroups: c.StringSlice("address-group")}
}

// loadSignatures loads the signature set, with $HOME_NET set to home, and
// says on stderr when a pack is out of date against today (the report
// says it against the capture).
func loadSignatures(opts SignatureOptions, home analyzer.HomeNet, stderr io.Writer) (*signatures.Set, error) {
	if opts.NoBuiltins && len(opts.Dirs) == 0 && len(opts.RuleFiles) == 0 {
		return nil, usagef("--no-builtins needs --signatures or --rules: there would be nothing to detect with")
	}
	vars, err := ruleVars(opts, home)
	if err != nil {
		return nil, err
	}
	set, err := signatures.LoadSet(signatures.SetOptions{
		NoDefault: opts.NoBuiltins,
		Dirs:      opts.Dirs,
		RuleFiles: opts.RuleFiles,
		Vars:      vars,
		Strict:    opts.StrictRules,
		MaxRules:  opts.MaxRules,
		Threads:   opts.Threads,
	})
	if err != nil {
		return nil, &inputError{err}
	}
	if stderr != nil {
		for _, w := range set.StaleWarnings(time.Now(), "today") {
			errorLine(stderr, "warning: %s", w)
		}
	}
	return set, nil
}
