// Package extract writes the packets behind each alert of an analysis to
// a pcap of its own (--extract). It runs after the analysis, reading the
// captures a second time, so the analysis' hot path does no extra work
// for it: a packet is tested against the alerts' selections (pktsel) only
// here, through an index by address and MAC.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/pktsel"
)

// Config bounds what is written.
type Config struct {
	// Dir is where the pcaps go; it is created when missing.
	Dir string
	// First and Last are how many of an alert's first and last packets
	// its pcap keeps; the packets between are left out (a flood's
	// millionth SYN shows nothing its hundredth did not). Default 100
	// each.
	First, Last int
	// MaxBytes bounds the bytes of all pcaps together (packet data and
	// headers); once reached, alerts whose packets have not started get
	// no file and a warning says how many. Default 100 MB.
	MaxBytes int64
	// MaxOpen bounds the capture files open at once while re-reading
	// (analyzer.RunOptions.MaxOpenFiles); 0 for the default.
	MaxOpen int
}

// DefaultConfig returns the defaults, writing to dir.
func DefaultConfig(dir string) Config {
	return Config{Dir: dir, First: 100, Last: 100, MaxBytes: 100 << 20}
}

// Validate checks the bounds.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return errors.New("extract: no directory")
	case c.First < 0 || c.Last < 0 || c.First+c.Last == 0:
		return fmt.Errorf("extract: first %d and last %d packets: want 0 or more each, and some", c.First, c.Last)
	case c.MaxBytes < 1:
		return fmt.Errorf("extract: max bytes %d: want 1 or more", c.MaxBytes)
	}
	return nil
}

// Extractor writes the pcaps of one or more analyses (one per file with
// --per-file) into one directory, sharing its names and byte budget.
type Extractor struct {
	cfg   Config
	names map[string]bool // file names taken
	used  int64           // bytes written and kept for writing
	// Files and Bytes count what was written.
	Files int
	Bytes int64
}

// New checks cfg and makes its directory.
func New(cfg Config) (*Extractor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("--extract: %w", err)
	}
	return &Extractor{cfg: cfg, names: map[string]bool{}}, nil
}

// alertKey is what tells alerts apart for their pcaps: the report's
// alert list and its events hold separate copies of each alert.
type alertKey struct {
	sid               uint32
	attacker          netip.Addr
	mac               analyzer.MAC
	victim            analyzer.Host
	kind              string
	first, last       int64
	firstPkt, lastPkt analyzer.PacketLocation
}

func keyOf(a *analyzer.Alert) alertKey {
	return alertKey{sid: a.SID, attacker: a.Attacker, mac: a.AttackerMAC, victim: a.Victim, kind: a.Kind,
		first: a.First.UnixNano(), last: a.Last.UnixNano(), firstPkt: a.FirstPacket, lastPkt: a.LastPacket}
}

// Run re-reads files (the analysis' inputs; stdin a fresh reader of
// standard input's bytes when "-" is among them), writes a pcap for each
// alert the report lists, and names it on the alert (Alert.Extract), in
// res.Alerts and res.Events alike. What it could not write is added to
// res.Warnings. The error is for a run that could not go on: a directory
// that cannot be written, an interruption.
func (x *Extractor) Run(ctx context.Context, files []string, stdin io.Reader, res *analyzer.Result) error {
	jobs := map[alertKey]*job{}
	// alerts of the same packets (two rules on one flow) share a pcap
	bySpec := map[pktsel.Spec]*job{}
	var order []*job
	idx := newIndex()
	for i := range res.Alerts {
		a := &res.Alerts[i]
		k := keyOf(a)
		if jobs[k] != nil {
			continue
		}
		spec, ok := pktsel.For(a)
		if !ok {
			continue
		}
		if j := bySpec[spec]; j != nil {
			jobs[k] = j
			continue
		}
		j := &job{spec: spec, alert: a}
		jobs[k], bySpec[spec] = j, j
		order = append(order, j)
		idx.add(j)
	}
	if len(order) == 0 {
		return nil
	}
	err := analyzer.Reread(ctx, files, stdin, x.cfg.MaxOpen, res.Summary.Filter, func(p *analyzer.RereadPacket) {
		for _, j := range idx.candidates(p.Facts) {
			if j.spec.Match(p.Facts) {
				x.take(j, p)
			}
		}
	})
	if err != nil {
		return err
	}
	var cut, unwritten, mixed int
	for _, j := range order {
		switch {
		case j.starved:
			unwritten++
			continue
		case len(j.head)+len(j.ring) == 0:
			continue // nothing in the captures fits: no empty file
		}
		if j.short {
			cut++
		}
		if j.otherLinks > 0 {
			mixed++
		}
		name := x.name(j.alert)
		n, err := j.write(filepath.Join(x.cfg.Dir, name))
		if err != nil {
			return fmt.Errorf("--extract: %w", err)
		}
		x.Files++
		x.Bytes += n
		j.file = name
	}
	for i := range res.Alerts {
		if j := jobs[keyOf(&res.Alerts[i])]; j != nil {
			res.Alerts[i].Extract = j.file
		}
	}
	for i := range res.Events {
		if a := res.Events[i].Alert; a != nil {
			if j := jobs[keyOf(a)]; j != nil {
				c := *a // the event's alert may be shared with the caller's
				c.Extract = j.file
				res.Events[i].Alert = &c
			}
		}
	}
	if unwritten > 0 || cut > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"--extract: %d alerts got no pcap and %d pcaps were cut short: the pcaps reached --extract-max-bytes %d", unwritten, cut, x.cfg.MaxBytes))
	}
	if mixed > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"--extract: %d pcaps leave out packets of a second link type (a pcap holds one)", mixed))
	}
	return nil
}

// name gives an alert's file a name of its own: the detection (or the
// rule's SID), the attacker and the alert's time, made of letters,
// digits, dots and dashes whatever the packets said.
func (x *Extractor) name(a *analyzer.Alert) string {
	what := "sid-" + fmt.Sprint(a.SID)
	if a.Rule == nil { // a rule keeps its SID even where it is a built-in's
		switch a.SID {
		case detectors.SIDSynFlood:
			what = "synflood"
		case detectors.SIDPortScan:
			what = "portscan"
		case detectors.SIDARPPoison:
			what = "arp-poison"
		case detectors.SIDBruteForce:
			what = "bruteforce"
		}
	}
	who := "unknown"
	switch {
	case a.Attacker.IsValid():
		who = a.Attacker.Unmap().String()
	case a.AttackerMAC.IsValid():
		who = a.AttackerMAC.String()
	case a.Spoofed:
		who = "spoofed"
	}
	stamp := "notime"
	if !a.Time.IsZero() {
		stamp = a.Time.UTC().Format("20060102T150405Z")
	}
	base := safeName(what + "_" + who + "_" + stamp)
	name := base + ".pcap"
	for n := 2; x.names[name]; n++ {
		name = fmt.Sprintf("%s-%d.pcap", base, n)
	}
	x.names[name] = true
	return name
}

// safeName keeps letters, digits, dots, dashes and underscores; anything
// else (an IPv6 or MAC colon, a path separator) becomes a dash.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

// take keeps p for j within the bounds: the first packets, then a ring
// of the last ones. The byte budget counts what is kept, so what is
// written never exceeds it; a job the budget stops keeps what it has.
func (x *Extractor) take(j *job, p *analyzer.RereadPacket) {
	if j.stopped {
		return
	}
	kept := len(j.head) + len(j.ring)
	if kept == 0 {
		j.link, j.nano = p.Link, p.Nano
	}
	if p.Link != j.link {
		j.otherLinks++
		return
	}
	size := int64(recordHeader + len(p.Data))
	if kept == 0 {
		size += fileHeader
	}
	switch {
	case len(j.head) < x.cfg.First:
		if !x.fits(size) {
			j.stop()
			return
		}
		j.head = append(j.head, newRecord(p))
	case x.cfg.Last == 0:
		j.dropped++
	case len(j.ring) < x.cfg.Last:
		if !x.fits(size) {
			j.stop()
			return
		}
		j.ring = append(j.ring, newRecord(p))
	default:
		old := &j.ring[j.next]
		if !x.fits(size - int64(recordHeader+len(old.data))) {
			j.stop()
			return
		}
		old.set(p)
		j.next = (j.next + 1) % len(j.ring)
		j.dropped++
	}
}

// fits takes n bytes of the budget when they are left.
func (x *Extractor) fits(n int64) bool {
	if x.used+n > x.cfg.MaxBytes {
		return false
	}
	x.used += n
	return true
}

// stop ends j's gathering when the budget ran out: starved when it had
// nothing yet, short otherwise.
func (j *job) stop() {
	j.stopped = true
	if len(j.head)+len(j.ring) == 0 {
		j.starved = true
	} else {
		j.short = true
	}
}

// pcap sizes, for the byte budget.
const (
	fileHeader   = 24
	recordHeader = 16
)

// write writes j's packets to path and returns the bytes written.
func (j *job) write(path string) (int64, error) {
	var buf bytes.Buffer
	w := newPcapWriter(&buf, j.link, j.nano)
	for _, r := range j.head {
		if err := w.write(r); err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	for i := range j.ring {
		if err := w.write(j.ring[(j.next+i)%len(j.ring)]); err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := safefile.Write(path, buf.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}

// record is one kept packet, copied out of the reader's buffer.
type record struct {
	t      int64
	length int
	data   []byte
}

func newRecord(p *analyzer.RereadPacket) record {
	var r record
	r.set(p)
	return r
}

// set makes r a copy of p, reusing r's buffer.
func (r *record) set(p *analyzer.RereadPacket) {
	r.t, r.length = p.Time, max(p.Length, len(p.Data))
	r.data = append(r.data[:0], p.Data...)
}

// job is one alert's pcap being gathered.
type job struct {
	spec  pktsel.Spec
	alert *analyzer.Alert
	head  []record // the first packets
	// ring holds the last packets, the oldest at next once it is full
	ring    []record
	next    int
	dropped uint64 // left out between the first and the last ones
	link    analyzer.LinkType
	nano    bool
	// otherLinks counts matching packets of another link type than its
	// first packet's, which one pcap cannot hold
	otherLinks uint64
	// stopped: the budget ran out, before its first packet (starved) or
	// after (short)
	stopped, starved, short bool
	file                    string
}
