// Command ipsbench measures ipsreplay on large generated captures for
// `make bench`: analyze throughput against the fastest bare loop Go can
// write over the same file (and against our own read-and-decode loop), as
// ratios from one run, and peak memory (RSS) of each, floods included.
// Every measurement runs in a child process so RSS figures are its own.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func main() {
	bare := flag.String("bare", "", "internal: run the bare loop over `FILE` and print packets and bytes")
	fastest := flag.String("fastest", "", "internal: run the fastest bare loop over `FILE` and print packets and bytes")
	alertFloods := flag.String("alertfloods", "", "comma-separated alert-flood captures whose peak RSS is held to the bound")
	bin := flag.String("ipsreplay", "bin/ipsreplay", "the ipsreplay binary to measure")
	large := flag.String("large", "", "the large mixed capture")
	flood := flag.String("synflood", "", "the spoofed SYN flood capture for the memory bound")
	runs := flag.Int("runs", 2, "runs of each measurement; the fastest counts")
	nRules := flag.Int("rules", 1000, "content rules to generate for the signature-pack measurement; 0 skips it")
	etDir := flag.String("etrules", "../shared/rulesets/et-open-2020", "a `DIR` of real rules (*.rules) to measure the cost of, on one thread and on two; skipped when missing")
	flag.Parse()
	if *bare != "" {
		p, b, err := analyzer.ReadAndDecode(*bare)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ipsbench:", err)
			os.Exit(1)
		}
		fmt.Println(p, b)
		return
	}
	if *fastest != "" {
		p, b, err := fastestLoop(*fastest)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ipsbench:", err)
			os.Exit(1)
		}
		fmt.Println(p, b)
		return
	}
	if *large == "" {
		fmt.Fprintln(os.Stderr, "ipsbench: -large FILE is required")
		os.Exit(2)
	}
	var floods []string
	if *alertFloods != "" {
		floods = strings.Split(*alertFloods, ",")
	}
	if err := run(*bin, *large, *flood, floods, *runs, *nRules, *etDir); err != nil {
		fmt.Fprintln(os.Stderr, "ipsbench:", err)
		os.Exit(1)
	}
}

type measurement struct {
	wall   time.Duration
	maxRSS int64 // bytes
	out    string
}

func measure(runs int, name string, args ...string) (measurement, error) {
	best := measurement{wall: 1<<63 - 1}
	for i := 0; i < runs; i++ {
		cmd := exec.Command(name, args...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		out, err := cmd.Output()
		wall := time.Since(start)
		if err != nil {
			return best, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
		}
		ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		m := measurement{wall: wall, out: string(out)}
		if ru != nil {
			m.maxRSS = ru.Maxrss * 1024 // Linux reports KiB
		}
		if m.wall < best.wall {
			rss := max(best.maxRSS, m.maxRSS)
			best = m
			best.maxRSS = rss
		} else {
			best.maxRSS = max(best.maxRSS, m.maxRSS)
		}
	}
	return best, nil
}

func run(bin, large, flood string, alertFloods []string, runs, nRules int, etDir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	st, err := os.Stat(large)
	if err != nil {
		return err
	}
	size := float64(st.Size())

	fast, err := measure(runs, self, "-fastest", large)
	if err != nil {
		return err
	}
	bare, err := measure(runs, self, "-bare", large)
	if err != nil {
		return err
	}
	var packets, wire float64
	if _, err := fmt.Sscan(bare.out, &packets, &wire); err != nil {
		return fmt.Errorf("bare loop output %q: %w", bare.out, err)
	}
	an, err := measure(runs, bin, "analyze", "--threads", "1", "--no-progress", "--format", "json", "-o", os.DevNull, large)
	if err != nil {
		return err
	}
	row := func(name string, m measurement) {
		s := m.wall.Seconds()
		fmt.Printf("%-28s %8.2fs %12.0f pkt/s %9.1f MB/s %9.1f MB peak RSS\n",
			name, s, packets/s, size/s/1e6, float64(m.maxRSS)/1e6)
	}
	fmt.Printf("capture %s: %.0f packets, %.1f MB (fastest of %d runs each)\n", large, packets, size/1e6, runs)
	row("fastest Go loop (gopacket)", fast)
	row("our read+decode loop", bare)
	row("analyze (all built-ins, 1 thread)", an)
	fmt.Printf("analyze / fastest Go loop speed: %.2f (target >= 0.50)\n", fast.wall.Seconds()/an.wall.Seconds())
	fmt.Printf("analyze / our read+decode loop speed: %.2f\n", bare.wall.Seconds()/an.wall.Seconds())

	if nRules > 0 {
		file, err := writeRules(nRules)
		if err != nil {
			return err
		}
		defer os.Remove(file)
		withRules, err := measure(runs, bin, "analyze", "--threads", "1", "--no-progress", "--format", "json", "-o", os.DevNull, "--rules", file, large)
		if err != nil {
			return err
		}
		row(fmt.Sprintf("analyze + %d content rules", nRules), withRules)
		fmt.Printf("cost of %d content rules: %.2fx the built-ins alone (target < 2x)\n",
			nRules, withRules.wall.Seconds()/an.wall.Seconds())
	}
	if err := realRules(bin, etDir, large, runs, an, row); err != nil {
		return err
	}
	if flood != "" {
		fl, err := measure(1, bin, "analyze", "--no-progress", "--format", "json", "-o", os.DevNull, flood)
		if err != nil {
			return err
		}
		ff, err := measure(runs, self, "-fastest", flood) // its first run reads a cold file
		if err != nil {
			return err
		}
		fi, _ := os.Stat(flood)
		fmt.Printf("spoofed SYN flood %s (%.1f MB): %.2fs, peak RSS %.1f MB (bound 256 MB); fastest Go loop %.2fs: analyze %.2f of its speed (target >= 0.25)\n",
			flood, float64(fi.Size())/1e6, fl.wall.Seconds(), float64(fl.maxRSS)/1e6, ff.wall.Seconds(), ff.wall.Seconds()/fl.wall.Seconds())
		warnRSS(fl)
	}
	for _, f := range alertFloods {
		m, err := measure(1, bin, "analyze", "--no-progress", "--format", "json", "-o", os.DevNull, f)
		if err != nil {
			return err
		}
		fi, _ := os.Stat(f)
		fmt.Printf("alert flood %s (%.1f MB): %.2fs, peak RSS %.1f MB (bound 256 MB)\n",
			f, float64(fi.Size())/1e6, m.wall.Seconds(), float64(m.maxRSS)/1e6)
		warnRSS(m)
	}
	return nil
}

// realRules measures a real ruleset's cost on the large capture on one
// thread (against the built-ins alone) and the speed-up of two threads;
// the outputs of both must be the same.
func realRules(bin, dir, large string, runs int, builtins measurement, row func(string, measurement)) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.rules"))
	if len(files) == 0 {
		fmt.Printf("real rules: no *.rules in %s, skipped\n", dir)
		return nil
	}
	var outs [2]string
	var ms [2]measurement
	for i, threads := range []string{"1", "2"} {
		out, err := os.CreateTemp("", "ipsbench-*.json")
		if err != nil {
			return err
		}
		out.Close()
		defer os.Remove(out.Name())
		args := []string{"analyze", "--threads", threads, "--no-progress", "--format", "json", "-o", out.Name()}
		for _, f := range files {
			args = append(args, "--rules", f)
		}
		if ms[i], err = measure(runs, bin, append(args, large)...); err != nil {
			return err
		}
		b, err := os.ReadFile(out.Name())
		if err != nil {
			return err
		}
		outs[i] = string(b)
		row(fmt.Sprintf("analyze + %s, %s thread(s)", filepath.Base(dir), threads), ms[i])
	}
	fmt.Printf("cost of %s (%d files): %.2fx the built-ins alone on one thread (target < 2.5x)\n",
		filepath.Base(dir), len(files), ms[0].wall.Seconds()/builtins.wall.Seconds())
	same := "identical output"
	if outs[0] != outs[1] {
		same = "OUTPUTS DIFFER"
	}
	fmt.Printf("--threads 2 / --threads 1 speed with %s: %.2f (target >= 1.6), %s\n",
		filepath.Base(dir), ms[0].wall.Seconds()/ms[1].wall.Seconds(), same)
	return nil
}

// warnRSS says when a run passed the README's memory bound.
func warnRSS(m measurement) {
	if m.maxRSS > 256<<20 {
		fmt.Println("WARNING: peak RSS above the 256 MB bound")
	}
}

// writeRules writes n content rules with random 8-12 byte patterns (half of
// them nocase, a quarter on port 80), the same on every run, so the
// measurement shows what a large rule set costs on traffic it rarely
// matches, as most rules in a real set do.
func writeRules(n int) (string, error) {
	f, err := os.CreateTemp("", "ipsbench-*.rules")
	if err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(7, 11))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-."
	for i := 0; i < n; i++ {
		b := make([]byte, 8+r.IntN(5))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		port, nocase := "any", ""
		if i%4 == 0 {
			port = "80"
		}
		if i%2 == 0 {
			nocase = " nocase;"
		}
		fmt.Fprintf(f, "alert tcp any any -> any %s (msg:\"bench rule %d\"; content:\"%s\";%s sid:%d; rev:1;)\n",
			port, i, b, nocase, 8000000+i)
	}
	return f.Name(), f.Close()
}
