package analyzer_test

// The shared capture corpus (/work/shared/corpus, see its SOURCES.md):
// decoder regression captures from tcpdump and Zeek, format edge cases,
// suricata-verify traces and a few real attacks. Every capture ExpandPaths
// finds there runs through Analyze on its own; none may panic or hang, each
// gives a Result, and a file that cannot be read fails with a one-line
// error naming it and of a known class. TestCorpusKnown pins what a few
// well-understood captures must find.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
)

const corpusDir = "../../shared/corpus"

// corpusTimeout is how long one capture may take before it counts as a
// hang; the largest (3.6 MB) takes well under a second without -race.
const corpusTimeout = 20 * time.Second

// corpusBigFile is the size above which -short skips a capture.
const corpusBigFile = 1 << 20

func corpusFiles(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); errors.Is(err, os.ErrNotExist) {
		t.Skipf("needs the capture corpus ../shared/corpus, missing at %s (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it)", corpusDir)
	}
	files, err := analyzer.ExpandPaths([]string{corpusDir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no captures under %s", corpusDir)
	}
	return files
}

// corpusOutcome is one capture's analysis.
type corpusOutcome struct {
	res      *analyzer.Result
	err      error
	panicked string
	timedOut bool
	took     time.Duration
}

// corpusAnalyze runs one capture with the default config in a goroutine,
// turning a panic into a value and giving up after corpusTimeout (the
// goroutine is left behind: a hang is a failure anyway).
func corpusAnalyze(path string) corpusOutcome {
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		return corpusOutcome{err: err}
	}
	done := make(chan corpusOutcome, 1)
	start := time.Now()
	go func() {
		var o corpusOutcome
		defer func() {
			if r := recover(); r != nil {
				o.panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
			}
			done <- o
		}()
		o.res, o.err = analyzer.Analyze(context.Background(), []string{path}, cfg, analyzer.RunOptions{})
	}()
	select {
	case o := <-done:
		o.took = time.Since(start)
		return o
	case <-time.After(corpusTimeout):
		return corpusOutcome{timedOut: true, took: corpusTimeout}
	}
}

// corpusClass names the kind of a read error, or "" when it is none of the
// expected ones.
func corpusClass(err error) string {
	switch {
	case errors.Is(err, analyzer.ErrNotCapture):
		return "not-capture"
	case errors.Is(err, analyzer.ErrUnsupportedLink):
		return "unsupported-link"
	case errors.Is(err, analyzer.ErrTruncated):
		return "truncated"
	case errors.Is(err, analyzer.ErrCorruptPacket):
		return "corrupt-packet"
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, os.ErrPermission):
		return "read-error"
	}
	return ""
}

func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	var (
		mu       sync.Mutex
		byClass  = map[string]int{}
		read     int
		skipped  int
		packets  uint64
		slowest  time.Duration
		slowFile string
	)
	t.Run("files", func(t *testing.T) {
		for _, path := range files {
			rel, _ := filepath.Rel(corpusDir, path)
			t.Run(rel, func(t *testing.T) {
				if st, err := os.Stat(path); err == nil && testing.Short() && st.Size() > corpusBigFile {
					mu.Lock()
					skipped++
					mu.Unlock()
					t.Skipf("%d bytes; skipped with -short", st.Size())
				}
				t.Parallel()
				o := corpusAnalyze(path)
				class := corpusCheck(t, path, o)
				mu.Lock()
				defer mu.Unlock()
				if o.took > slowest {
					slowest, slowFile = o.took, rel
				}
				if o.res != nil {
					packets += o.res.Summary.Packets
				}
				if class == "" {
					read++
				} else {
					byClass[class]++
				}
			})
		}
	})
	classes := make([]string, 0, len(byClass))
	failed := 0
	for c, n := range byClass {
		classes = append(classes, fmt.Sprintf("%s %d", c, n))
		failed += n
	}
	sort.Strings(classes)
	t.Logf("corpus: %d captures, %d read to the end, %d failed (%s), %d skipped (-short); %d packets; slowest %s (%s)",
		len(files), read, failed, strings.Join(classes, ", "), skipped, packets, slowFile, slowest.Round(time.Millisecond))
}

// corpusCheck asserts what holds for any capture and returns the error
// class ("" when the file was read to its end).
func corpusCheck(t *testing.T, path string, o corpusOutcome) string {
	t.Helper()
	switch {
	case o.panicked != "":
		t.Fatalf("panic: %s", o.panicked)
	case o.timedOut:
		t.Fatalf("no result after %s: a hang?", corpusTimeout)
	case o.res == nil:
		t.Fatalf("nil result (err %v)", o.err)
	}
	res := o.res
	if len(res.Files) != 1 || res.Files[0].Path != path || res.Summary.Files != 1 {
		t.Errorf("file summaries %+v", res.Files)
	}
	if res.Summary.Packets != res.Files[0].Packets {
		t.Errorf("summary %d packets, file %d", res.Summary.Packets, res.Files[0].Packets)
	}
	if res.Summary.Undecoded > res.Summary.Packets {
		t.Errorf("%d undecoded of %d packets", res.Summary.Undecoded, res.Summary.Packets)
	}
	for i, a := range res.Alerts {
		for _, p := range []analyzer.PacketLocation{a.FirstPacket, a.LastPacket} {
			if p.File != path || p.Packet == 0 || p.Packet > res.Summary.Packets {
				t.Errorf("alert %d (%d %s): evidence %+v", i, a.SID, a.Kind, p)
			}
		}
		if a.Last.Before(a.First.Time) {
			t.Errorf("alert %d (%d %s): last %s before first %s", i, a.SID, a.Kind, a.Last, a.First)
		}
	}
	if o.err == nil {
		if res.Files[0].Error != "" {
			t.Errorf("no error, but the file summary says %q", res.Files[0].Error)
		}
		return ""
	}
	msg := o.err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, path) {
		t.Errorf("error does not name %s: %q", path, msg)
	}
	if !analyzer.IsInputError(o.err) {
		t.Errorf("error is not an InputError: %q", msg)
	}
	if res.Files[0].Error != msg {
		t.Errorf("file summary error %q, returned %q", res.Files[0].Error, msg)
	}
	class := corpusClass(o.err)
	if class == "" {
		t.Errorf("error of no expected class (not a capture, unsupported link, truncated, corrupt packet, read error): %q", msg)
		class = "other"
	}
	return class
}

// corpusKnown is what a capture must (or must not) find.
type corpusKnown struct {
	file  string
	fired []string // "SID attacker"; nil: nothing may fire
	errIs error    // nil: read to the end
	kind  string   // the first alert's kind, when set
}

var corpusKnowns = []corpusKnown{
	{file: "attacks/zeek/ftp-bruteforce.pcap", fired: []string{corpusFired(detectors.SIDBruteForce, "192.168.56.1")}, kind: "ftp"},
	{file: "attacks/zeek/sshguess.pcap", fired: []string{corpusFired(detectors.SIDBruteForce, "192.168.56.1")}, kind: "ssh"},
	{file: "attacks/chrissanders/synscan.pcapng", fired: []string{corpusFired(detectors.SIDPortScan, "172.16.0.8")}, kind: "vertical"},
	{file: "attacks/chrissanders/arppoison.pcapng", fired: []string{corpusFired(detectors.SIDARPPoison, "172.16.0.105")}},
	{file: "attacks/suricata-verify/syn-flood-200.pcap", fired: []string{corpusFired(detectors.SIDSynFlood, "192.0.2.10")}},
	{file: "attacks/zeek/nmap-vsn.pcap", fired: []string{corpusFired(detectors.SIDPortScan, "192.168.1.71")}, kind: "arp-sweep"},
	// negative controls
	{file: "attacks/zeek/ssh-single-conn.pcap"},
	{file: "attacks/zeek/arp-leak.pcap"},                             // ARP probes from 0.0.0.0
	{file: "attacks/chrissanders/tcp_refuseconnection.pcapng"},       // one SYN, one RST
	{file: "attacks/suricata-verify/syn-two-distinct-dstports.pcap"}, // two ports
	{file: "attacks/chrissanders/arp_resolution.pcapng"},
	{file: "formats/tcpdump/802.1ad_QinQ.pcap"},
	{file: "malformed/tcpdump/802_15_4-oobr-1.pcap", errIs: analyzer.ErrUnsupportedLink},  // linktype 195
	{file: "malformed/tcpdump/atm-heapoverflow.pcap", errIs: analyzer.ErrUnsupportedLink}, // linktype 123
	{file: "malformed/tcpdump/empty.pcap"},
	{file: "malformed/tcpdump/empty.pcapng"},
}

func corpusFired(sid uint32, attacker string) string { return fmt.Sprintf("%d %s", sid, attacker) }

func TestCorpusKnown(t *testing.T) {
	corpusFiles(t) // skips without the corpus
	for _, k := range corpusKnowns {
		t.Run(k.file, func(t *testing.T) {
			t.Parallel()
			path := corpusDir + "/" + k.file
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("known capture missing from the corpus: %v", err)
			}
			o := corpusAnalyze(path)
			corpusCheck(t, path, o)
			if t.Failed() {
				return
			}
			switch {
			case k.errIs == nil && o.err != nil:
				t.Fatalf("error %v, want the file read to its end", o.err)
			case k.errIs != nil && !errors.Is(o.err, k.errIs):
				t.Fatalf("error %v, want %v", o.err, k.errIs)
			}
			set := map[string]bool{}
			for _, a := range o.res.Alerts {
				set[corpusFired(a.SID, analyzer.AddrHost(a.Attacker).String())] = true
			}
			var got []string
			for s := range set {
				got = append(got, s)
			}
			sort.Strings(got)
			if len(k.fired) == 0 {
				if len(got) != 0 {
					t.Errorf("fired %q, want nothing", got)
				}
				return
			}
			if !slices.Equal(got, k.fired) {
				t.Errorf("fired %q (sid attacker), want %q", got, k.fired)
			}
			if k.kind != "" && o.res.Alerts[0].Kind != k.kind {
				t.Errorf("kind %q, want %q", o.res.Alerts[0].Kind, k.kind)
			}
			if o.res.Summary.Packets == 0 {
				t.Error("no packets read")
			}
		})
	}
}
