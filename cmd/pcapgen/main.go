// Command pcapgen writes the deterministic packet captures ipsreplay is
// tested and benchmarked with. Every byte of its output depends only on the
// flags: packets come from fixed-seed PCG generators and a fixed base time.
//
//	pcapgen -out DIR                      all scenarios (see README.md)
//	pcapgen -out DIR -only portscan.pcap  some of them (comma separated)
//	pcapgen -list                         scenario names
//	pcapgen -bench FILE -size 300MB       large mixed capture for benchmarks
//	pcapgen -bench-synflood FILE -packets 5000000
//	pcapgen -bench-alertflood FILE -flood arp|nse|nse-dist -packets 1000000
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pcapgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("pcapgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write all scenario captures into this `dir`ectory (created if missing)")
	only := fs.String("only", "", "comma-separated scenario file `names` to write (default all)")
	list := fs.Bool("list", false, "list the scenario file names and exit")
	bench := fs.String("bench", "", "write a large mixed benchmark capture to this `file`")
	size := fs.String("size", "300MB", "target size of the -bench capture (e.g. 2MB, 300MB, 1GB; units are powers of 1024)")
	synflood := fs.String("bench-synflood", "", "write a SYN flood of -packets spoofed SYNs to this `file`")
	packets := fs.Int64("packets", 5_000_000, "number of packets for -bench-synflood and -bench-alertflood")
	alertFlood := fs.String("bench-alertflood", "", "write an alert flood (-flood arp or nse) of about -packets packets to this `file`")
	flood := fs.String("flood", "arp", "the -bench-alertflood kind: arp (gratuitous replies, a new MAC each), nse (HTTP sessions with Nmap's NSE user agent from 20 hosts) or nse-dist (each session from a new host)")
	seed := fs.Uint64("seed", defaultSeed, "generator seed (the default gives the reference captures)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pcapgen -out DIR [-only NAMES] | -list | -bench FILE [-size N] | -bench-synflood FILE [-packets N] | -bench-alertflood FILE -flood arp|nse|nse-dist [-packets N]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *list {
		for _, s := range scenarios {
			fmt.Println(s.file)
		}
		return nil
	}
	did := false
	if *bench != "" {
		n, err := parseSize(*size)
		if err != nil {
			return err
		}
		if err := writeBenchFile(*bench, n, *seed, stderr); err != nil {
			return err
		}
		did = true
	}
	if *synflood != "" {
		if *packets <= 0 {
			return errors.New("-packets must be positive")
		}
		if err := writeSynFloodFile(*synflood, *packets, *seed, stderr); err != nil {
			return err
		}
		did = true
	}
	if *alertFlood != "" {
		if *packets <= 0 {
			return errors.New("-packets must be positive")
		}
		if err := writeAlertFloodFile(*alertFlood, *flood, *packets, *seed, stderr); err != nil {
			return err
		}
		did = true
	}
	if *out != "" {
		var names []string
		if *only != "" {
			names = strings.Split(*only, ",")
		}
		if err := writeScenarios(*out, names, *seed, stderr); err != nil {
			return err
		}
		did = true
	}
	if !did {
		fs.Usage()
		return errors.New("nothing to do: give -out, -bench, -bench-synflood or -bench-alertflood")
	}
	return nil
}

// generate builds one scenario's capture into w.
func generate(s scenario, seed uint64, w io.Writer) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", s.file, r)
		}
	}()
	c := newCapture(s.file, seed)
	s.gen(c)
	return len(c.pkts), c.write(w)
}

func writeScenarios(dir string, names []string, seed uint64, stderr io.Writer) error {
	for _, n := range names {
		if !slices.ContainsFunc(scenarios, func(s scenario) bool { return s.file == n }) {
			return fmt.Errorf("unknown scenario %q (see -list)", n)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range scenarios {
		if len(names) > 0 && !slices.Contains(names, s.file) {
			continue
		}
		var buf bytes.Buffer
		n, err := generate(s, seed, &buf)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, s.file)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%-24s %6d packets %8d bytes\n", s.file, n, buf.Len())
	}
	return nil
}

// parseSize reads "300MB", "1GB", "512KiB", "2m" or a plain byte count.
// K, M, G and T are powers of 1024 with or without "i" and "B".
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "B")
	t = strings.TrimSuffix(t, "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v <= 0 || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("bad size %q (want e.g. 2MB, 300MB, 1GB)", s)
	}
	return int64(v * float64(mult)), nil
}

func fmtDur(d time.Duration) string { return d.Round(time.Millisecond).String() }
