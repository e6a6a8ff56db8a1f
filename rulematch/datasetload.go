package rulematch

// Declaring and loading datasets, as Suricata's datasets.c DatasetGet: the
// first rule naming a set declares it (type, files, memcap); a later rule
// naming it may leave those out, but must not contradict them. Sets are
// filled from their load or state file when the matcher is built, and
// never written back: ipsreplay replays captures and leaves no files
// behind, so save and state do not save.

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// datasetSpec is a set as the rules declare it.
type datasetSpec struct {
	name  string // as the declaring rule wrote it
	typ   rules.DatasetType
	load  string // the file read, resolved; "" for none
	save  string // resolved; only compared, never written
	state bool   // load is a state file: a missing one is an empty set
	// memcap is the rule's memcap, 0 for Config.DatasetMemcap
	memcap uint64
	where  string // "file:line" of the declaring rule
}

// datasetRegistry gives each set name (without case, as Suricata's
// strcasecmp) one spec and index.
type datasetRegistry struct {
	specs []datasetSpec
	index map[string]int
}

// resolve places a set file named in a rule: relative to the rule file's
// directory. Suricata looks next to the rule file for load files too
// (then in the default rule path) and puts state and save files in its
// data directory, which a replay does not have.
func resolveDatasetPath(ruleFile, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(ruleFile), p)
}

// declare returns the index of d's set, declaring it if it is new, or an
// error where Suricata's DatasetGet refuses the rule. created says the
// set is new (its file is still to be loaded).
func (g *datasetRegistry) declare(r *rules.Rule, d *rules.Dataset) (idx int, created bool, err error) {
	if g.index == nil {
		g.index = map[string]int{}
	}
	load, save := resolveDatasetPath(r.File, d.Load), resolveDatasetPath(r.File, d.Save)
	key := strings.ToLower(d.Name)
	if i, ok := g.index[key]; ok {
		sp := &g.specs[i]
		if d.Type != 0 && d.Type != sp.typ {
			return 0, false, fmt.Errorf("dataset %s: already declared with type %s at %s, here %s", d.Name, sp.typ, sp.where, d.Type)
		}
		if d.Load != "" || d.Save != "" {
			if save != sp.save {
				return 0, false, fmt.Errorf("dataset %s: save %q differs from %q declared at %s", d.Name, d.Save, sp.save, sp.where)
			}
			if load != sp.load {
				return 0, false, fmt.Errorf("dataset %s: load %q differs from %q declared at %s", d.Name, d.Load, sp.load, sp.where)
			}
		}
		return i, false, nil
	}
	if d.Type == 0 {
		return 0, false, &undeclaredError{name: d.Name}
	}
	g.specs = append(g.specs, datasetSpec{name: d.Name, typ: d.Type, load: load, save: save, state: d.State,
		memcap: d.Memcap, where: fmt.Sprintf("%s:%d", r.File, r.Line)})
	g.index[key] = len(g.specs) - 1
	return len(g.specs) - 1, true, nil
}

// undeclaredError is a set named with no type by a rule before any rule
// declared it. Suricata refuses the rule unless its suricata.yaml
// declares the set (datasets:), which ipsreplay does not read: such a
// rule is skipped, not failed.
type undeclaredError struct{ name string }

func (e *undeclaredError) Error() string {
	return fmt.Sprintf("dataset from suricata.yaml is not supported: no earlier rule declares set %s (with its type)", e.name)
}

// forget drops the set declared last, whose file did not load: as in
// Suricata a set that failed to set up does not exist, and the next rule
// naming it tries again.
func (g *datasetRegistry) forget(idx int) {
	delete(g.index, strings.ToLower(g.specs[idx].name))
	g.specs = g.specs[:idx]
}

// datasetFileCaps are the caps on one dataset file, a variable so that
// tests can lower them.
var datasetFileCaps = struct {
	bytes   int64
	entries int
}{capped.DatasetBytes, capped.DatasetEntries}

const datasetFileKind = "a dataset file"

// maxDatasetLine bounds one line of a set file (Suricata reads lines of up
// to 1023 bytes; base64 strings may be long).
const maxDatasetLine = 64 << 10

// loadDataset builds a set from its spec, reading its file. Lines that do
// not parse are skipped, each with a warning naming file:line, as
// Suricata logs them and goes on; a file that cannot be read, or holds
// more than the memcap, is an error.
func loadDataset(sp *datasetSpec, defaultMemcap int64) (*dataset, []string, error) {
	d := newDataset(sp, defaultMemcap)
	if sp.load == "" {
		return d, nil, nil
	}
	f, err := os.Open(sp.load)
	if err != nil {
		if sp.state && errors.Is(err, fs.ErrNotExist) {
			return d, nil, nil // Suricata creates a missing state file
		}
		return nil, nil, fmt.Errorf("dataset %s: %w", sp.name, err)
	}
	defer f.Close()
	caps := datasetFileCaps
	// a regular file over the cap is refused unread; anything else (a
	// FIFO, /dev/zero) once it passes it
	if _, err := capped.Check(f, datasetFileKind, caps.bytes); err != nil {
		return nil, nil, fmt.Errorf("dataset %s: %s: %w", sp.name, sp.load, err)
	}
	var warns []string
	skippedLines, entries := 0, 0
	br := bufio.NewReaderSize(capped.NewReader(f, datasetFileKind, caps.bytes), 4096)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// a line longer than the reader's buffer: gather it, capped
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if len(long) < maxDatasetLine {
					long = append(long, line...)
				}
			}
			line = long
			if len(line) >= maxDatasetLine {
				if skippedLines++; skippedLines <= maxLineWarnings {
					warns = append(warns, fmt.Sprintf("%s:%d: dataset %s: line longer than %d bytes skipped", sp.load, n, sp.name, maxDatasetLine))
				}
				line = nil
			}
		}
		if len(line) > 0 {
			text := strings.TrimRight(string(line), "\r\n")
			if text != "" {
				if entries++; entries > caps.entries {
					return nil, warns, fmt.Errorf("%s:%d: dataset %s: %w", sp.load, n, sp.name,
						&capped.TooManyError{What: datasetFileKind, Cap: caps.entries})
				}
				if msg := d.addLine(text); msg != "" {
					if msg == errDatasetFull {
						return nil, warns, fmt.Errorf("%s:%d: dataset %s: too large for its memcap of %d bytes", sp.load, n, sp.name, d.memcap)
					}
					if skippedLines++; skippedLines <= maxLineWarnings {
						warns = append(warns, fmt.Sprintf("%s:%d: dataset %s: %s: line skipped, as Suricata does", sp.load, n, sp.name, msg))
					}
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, warns, fmt.Errorf("dataset %s: %s: %w", sp.name, sp.load, err)
		}
	}
	if more := skippedLines - maxLineWarnings; more > 0 {
		warns = append(warns, fmt.Sprintf("%s: dataset %s: %d more lines skipped", sp.load, sp.name, more))
	}
	return d, warns, nil
}

// maxLineWarnings is how many skipped lines of one set file are named
// one by one; the rest are counted in one more warning, so a file in
// another format (a JSON set of Suricata 8) does not flood the report.
const maxLineWarnings = 5

// errDatasetFull is addLine's answer when the set is at its memcap.
const errDatasetFull = "memcap reached"

// addLine adds one line of a set file: the value as its type writes it
// (base64 for strings, hex for hashes, an address), optionally followed by
// ",reputation" (0-65535). It returns what is wrong with the line, or "".
func (d *dataset) addLine(line string) string {
	val, repText, hasRep := strings.Cut(line, ",")
	var rep uint16
	if hasRep {
		// Suricata reads the reputation up to the next comma
		repText, _, _ = strings.Cut(repText, ",")
		n, err := strconv.ParseUint(repText, 10, 16)
		if err != nil || repText == "" || repText[0] == '+' {
			return fmt.Sprintf("%q is not a valid reputation value (0-65535)", clipText(repText))
		}
		rep = uint16(n)
	}
	var key []byte
	var buf [16]byte
	switch d.typ {
	case rules.DatasetString:
		dec, err := decodeBase64(val)
		if err != nil {
			return fmt.Sprintf("bad base64 encoding %q", clipText(val))
		}
		key = dec
	case rules.DatasetMD5, rules.DatasetSHA256:
		want := 16
		if d.typ == rules.DatasetSHA256 {
			want = 32
		}
		h, err := hex.DecodeString(val)
		if err != nil || len(h) != want {
			return fmt.Sprintf("bad %s hash %q (want %d hex digits)", d.typ, clipText(val), 2*want)
		}
		key = h
	case rules.DatasetIPv4:
		a, err := netip.ParseAddr(val)
		if err != nil || !a.Is4() {
			return fmt.Sprintf("bad IPv4 address %q", clipText(val))
		}
		b := a.As4()
		key = append(buf[:0], b[:]...)
	case rules.DatasetIPv6:
		a, err := netip.ParseAddr(val)
		if err != nil || a.Zone() != "" {
			return fmt.Sprintf("bad IP address %q", clipText(val))
		}
		key = ipv6SetKey(&buf, a)
	}
	if d.add(key, rep) < 0 {
		return errDatasetFull
	}
	return ""
}

// ipv6SetKey is an address as Suricata's ipv6 (ip) sets store it: 16
// bytes, an IPv4 address (or IPv4-mapped IPv6 one) in the first 4 and
// zeros after.
func ipv6SetKey(buf *[16]byte, a netip.Addr) []byte {
	if a.Is4() || a.Is4In6() {
		*buf = [16]byte{}
		b := a.Unmap().As4()
		copy(buf[:4], b[:])
		return buf[:]
	}
	*buf = a.As16()
	return buf[:]
}

// decodeBase64 decodes a string set's line: padded base64 as Suricata
// writes it, or unpadded.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.Strict().DecodeString(s)
	}
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// clipText shortens file text quoted in a message.
func clipText(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// CheckDatasets sets up the datasets of rs in rule order, as Suricata does
// when it loads the rules. It returns an error for each rule whose set
// cannot be set up (a type or file contradicting the rule that declared
// the set, a file missing or over its memcap), which Suricata refuses; a
// skip for each rule naming a set no earlier rule declared (Suricata's
// suricata.yaml may declare it; ipsreplay does not read one); and
// warnings for lines of set files skipped. signatures.LoadSet leaves
// those rules out before the matcher is built; New would refuse them.
// The sets are read with the default memcap for sets whose rules give
// none.
func CheckDatasets(rs []*rules.Rule) (failed []*rules.Error, skipped []rules.Skipped, warnings []string) {
	var g datasetRegistry
	memcap := int64(DefaultConfig().DatasetMemcap)
	for _, r := range rs {
		var msgs []string
		kw := "dataset"
		var undeclared *undeclaredError
		for i := range r.Matches {
			d := r.Matches[i].Dataset
			if d == nil {
				continue
			}
			if d.Rep {
				kw = datasetKeyword(d)
			}
			idx, created, err := g.declare(r, d)
			if err != nil {
				if u, ok := err.(*undeclaredError); ok && undeclared == nil {
					undeclared = u
				} else {
					msgs = append(msgs, err.Error())
				}
				continue
			}
			if !created {
				continue
			}
			_, w, err := loadDataset(&g.specs[idx], memcap)
			warnings = append(warnings, w...)
			if err != nil {
				g.forget(idx)
				msgs = append(msgs, err.Error())
			}
		}
		switch {
		case len(msgs) > 0:
			failed = append(failed, &rules.Error{File: r.File, Line: r.Line, SID: r.SID, Keyword: kw,
				Msg: kw + ": " + strings.Join(msgs, "; ")})
		case undeclared != nil:
			skipped = append(skipped, rules.Skipped{File: r.File, Line: r.Line, SID: r.SID, Keyword: kw, Reason: undeclared.Error()})
		}
	}
	return failed, skipped, warnings
}
