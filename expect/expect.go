// Package expect holds regression expectations for captures: the findings
// that matter (signatures with counts and attackers, blocked hosts, false
// positives), read from NAME.expect.json files beside the captures, compared
// with what an analysis found, and rewritten from it on request.
package expect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/jsonfile"
)

// Suffix names expectation files: portscan.expect.json expects portscan.pcap.
const Suffix = ".expect.json"

// File is one expectation file.
type File struct {
	// Captures to analyse together, relative to the file. Empty means the
	// capture beside it with the same base name.
	Captures []string `json:"captures,omitempty"`
	// Options change the analysis, as the analyze flags of the same names.
	Options *Options `json:"options,omitempty"`
	// Signatures that must fire; an empty list means nothing fires.
	Signatures []Signature `json:"signatures"`
	// Blocked is the exact set of autoblocked hosts; absent skips the check.
	Blocked *[]string `json:"blocked,omitempty"`
	// FalsePositives is the exact set of hosts flagged; absent skips it.
	FalsePositives *[]FalsePositive `json:"false_positives,omitempty"`
}

// Options are analysis settings for one expectation.
type Options struct {
	Exclude   string   `json:"exclude,omitempty"`   // exclusion file, relative to the expectation
	Autoblock string   `json:"autoblock,omitempty"` // e.g. "10m", "0"
	Set       []string `json:"set,omitempty"`       // section.key=value overrides
	HomeNet   string   `json:"home_net,omitempty"`  // CIDR[,CIDR...], as --home-net
}

// Signature is one signature's expected alerts.
type Signature struct {
	SID  uint32 `json:"sid"`
	Name string `json:"name,omitempty"` // for people; checked when given
	// Alerts is the exact alert count; MinAlerts a lower bound instead.
	Alerts    *uint64 `json:"alerts,omitempty"`
	MinAlerts *uint64 `json:"min_alerts,omitempty"`
	// Attackers and Victims are exact sets when given.
	Attackers *[]string `json:"attackers,omitempty"`
	Victims   *[]string `json:"victims,omitempty"`
}

// FalsePositive is a host expected to be flagged, with its verdict.
type FalsePositive struct {
	Host    string `json:"host"`
	Verdict string `json:"verdict"`
	// MinConfidence, when given, is the least confidence the verdict may
	// have ("low", "medium", "high"): what `exclusions suggest` needs to
	// list the host (medium by default).
	MinConfidence string `json:"min_confidence,omitempty"`
}

// confidenceRank orders the verdict confidences; 0 is not one.
func confidenceRank(c string) int {
	switch c {
	case analyzer.ConfidenceLow:
		return 1
	case analyzer.ConfidenceMedium:
		return 2
	case analyzer.ConfidenceHigh:
		return 3
	}
	return 0
}

// Load reads and checks an expectation file; errors name file, line and
// column.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named once, below
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads and checks the expectation file path holds data; errors
// name path, line and column.
func Parse(path string, data []byte) (*File, error) {
	var f File
	if err := jsonfile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Signatures == nil {
		return nil, fmt.Errorf("%s: \"signatures\" is required ([] when nothing fires)", path)
	}
	seen := map[uint32]bool{}
	for i, s := range f.Signatures {
		var problem string
		switch {
		case s.SID == 0:
			problem = "sid is required"
		case seen[s.SID]:
			problem = fmt.Sprintf("sid %d listed twice", s.SID)
		case s.Alerts != nil && s.MinAlerts != nil:
			problem = "give alerts or min_alerts, not both"
		case s.Alerts != nil && *s.Alerts == 0:
			problem = "alerts 0: a listed signature must fire; leave the signature out instead"
		}
		if problem != "" {
			return nil, fmt.Errorf("%s: %w", path, signatureError(data, i, problem))
		}
		seen[s.SID] = true
	}
	if f.FalsePositives != nil {
		for i, fp := range *f.FalsePositives {
			if fp.MinConfidence != "" && confidenceRank(fp.MinConfidence) == 0 {
				return nil, fmt.Errorf("%s: false_positives[%d]: min_confidence %q: want low, medium or high", path, i, fp.MinConfidence)
			}
		}
	}
	return &f, nil
}

// signatureError places a problem found after decoding at the signature's
// "sid" key (or its opening brace when it has none).
func signatureError(data []byte, i int, problem string) error {
	err := fmt.Errorf("signatures[%d]: %s", i, problem)
	// the i-th signature is the i-th object after "signatures": [
	start := jsonfile.KeyOffset(data, "signatures", 0)
	if start < 0 {
		return err
	}
	depth, n := 0, -1
	for off := int(start); off < len(data); off++ {
		switch data[off] {
		case '[', '{':
			depth++
			if data[off] == '{' && depth == 2 {
				if n++; n == i {
					return jsonfile.Position(data, int64(off), err)
				}
			}
		case ']', '}':
			depth--
			if depth == 0 {
				return err
			}
		case '"': // skip strings: brackets inside them are text
			for off++; off < len(data) && data[off] != '"'; off++ {
				if data[off] == '\\' {
					off++
				}
			}
		}
	}
	return err
}

// CapturePaths resolves the captures an expectation file at path covers.
func (f *File) CapturePaths(path string) []string {
	dir := filepath.Dir(path)
	if len(f.Captures) == 0 {
		base := strings.TrimSuffix(filepath.Base(path), Suffix)
		for _, ext := range []string{".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz", ".cap"} {
			if p := filepath.Join(dir, base+ext); fileExists(p) {
				return []string{p}
			}
		}
		return []string{filepath.Join(dir, base+".pcap")}
	}
	out := make([]string, len(f.Captures))
	for i, c := range f.Captures {
		out[i] = filepath.Join(dir, c)
	}
	return out
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Marshal renders the file as it is written: two-space JSON, one line per
// short list, so a reviewer sees a change to it at a glance.
func (f *File) Marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(f) // plain data: cannot fail
	return scalarLists.ReplaceAllFunc(b.Bytes(), func(m []byte) []byte {
		items := scalarItem.FindAll(m, -1)
		return append(append([]byte("["), bytes.Join(items, []byte(", "))...), ']')
	})
}

// scalarLists matches a JSON list of strings or numbers spread over lines,
// which Marshal puts on one line; scalarItem picks its items.
var (
	scalarLists = regexp.MustCompile(`\[\n\s*(?:"[^"\n]*"|-?\d+)(?:,\n\s*(?:"[^"\n]*"|-?\d+))*\n\s*\]`)
	scalarItem  = regexp.MustCompile(`"[^"\n]*"|-?\d+`)
)

// Diff is one difference between expectation and result, as a line.
type Diff string

// Compare lists how res differs from f, in a fixed order: signatures by
// id, then blocks, then false positives. No diffs means it passes.
func Compare(f *File, res *analyzer.Result) []Diff {
	var out []Diff
	add := func(format string, args ...any) { out = append(out, Diff(fmt.Sprintf(format, args...))) }

	got := map[uint32]*analyzer.SignatureHit{}
	for i := range res.Signatures {
		got[res.Signatures[i].SID] = &res.Signatures[i]
	}
	wantSIDs := map[uint32]bool{}
	bySID := append([]Signature(nil), f.Signatures...)
	sort.Slice(bySID, func(i, j int) bool { return bySID[i].SID < bySID[j].SID })
	for _, w := range bySID {
		wantSIDs[w.SID] = true
		h := got[w.SID]
		label := sigLabel(w.SID, w.Name, h)
		if h == nil {
			add("- %s: expected to fire, did not", label)
			continue
		}
		if w.Name != "" && w.Name != h.Name {
			add("~ %s: name %q, want %q", label, h.Name, w.Name)
		}
		switch {
		case w.Alerts != nil && h.Count != *w.Alerts:
			add("~ %s: %s, want %d", label, alerts(h.Count), *w.Alerts)
		case w.MinAlerts != nil && h.Count < *w.MinAlerts:
			add("~ %s: %s, want at least %d", label, alerts(h.Count), *w.MinAlerts)
		}
		if w.Attackers != nil {
			setDiff(&out, label+" attackers", *w.Attackers, hostStrings(h.Attackers))
		}
		if w.Victims != nil {
			setDiff(&out, label+" victims", *w.Victims, hostStrings(h.Victims))
		}
	}
	unexpected := append([]analyzer.SignatureHit(nil), res.Signatures...)
	sort.Slice(unexpected, func(i, j int) bool { return unexpected[i].SID < unexpected[j].SID })
	for _, h := range unexpected {
		if !wantSIDs[h.SID] {
			add("+ %s: fired %s (attackers %s), not expected", sigLabel(h.SID, "", &h), alerts(h.Count), listOrNone(hostStrings(h.Attackers)))
		}
	}
	if f.Blocked != nil {
		setDiff(&out, "blocked hosts", *f.Blocked, blockedHosts(res))
	}
	if f.FalsePositives != nil {
		want := make([]string, len(*f.FalsePositives))
		for i, fp := range *f.FalsePositives {
			want[i] = fp.Host + " " + fp.Verdict
		}
		setDiff(&out, "false positives", want, fpKeys(res))
		for _, fp := range *f.FalsePositives {
			if fp.MinConfidence == "" {
				continue
			}
			for _, g := range res.FalsePositives {
				if g.Host.String() == fp.Host && g.Verdict == fp.Verdict && confidenceRank(g.Confidence) < confidenceRank(fp.MinConfidence) {
					add("~ false positives: %s %s: confidence %s, want at least %s", fp.Host, fp.Verdict, g.Confidence, fp.MinConfidence)
				}
			}
		}
	}
	return out
}

func sigLabel(sid uint32, name string, h *analyzer.SignatureHit) string {
	if name == "" && h != nil {
		name = h.Name
	}
	if name == "" {
		return fmt.Sprintf("signature %d", sid)
	}
	return fmt.Sprintf("signature %d %q", sid, name)
}

// setDiff reports members missing from got and members not wanted.
func setDiff(out *[]Diff, what string, want, got []string) {
	w, g := toSet(want), toSet(got)
	for _, k := range sortedKeys(w) {
		if !g[k] {
			*out = append(*out, Diff(fmt.Sprintf("- %s: %s expected, missing", what, k)))
		}
	}
	for _, k := range sortedKeys(g) {
		if !w[k] {
			*out = append(*out, Diff(fmt.Sprintf("+ %s: %s not expected", what, k)))
		}
	}
}

func toSet(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func alerts(n uint64) string {
	if n == 1 {
		return "1 alert"
	}
	return fmt.Sprintf("%d alerts", n)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// hostStrings writes hosts as expectation files do; the list is new, so
// editing it leaves the Result alone.
func hostStrings(hosts []analyzer.Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.String()
	}
	return out
}

func blockedHosts(res *analyzer.Result) []string {
	out := make([]string, 0, len(res.Blocks))
	for _, b := range res.Blocks {
		out = append(out, b.Host.String())
	}
	sort.Strings(out)
	return out
}

func fpKeys(res *analyzer.Result) []string {
	out := make([]string, 0, len(res.FalsePositives))
	for _, fp := range res.FalsePositives {
		out = append(out, fp.Host.String()+" "+fp.Verdict)
	}
	sort.Strings(out)
	return out
}

// FromResult writes what res found into a copy of old (which may be nil):
// captures and options are kept, counts become exact unless a min_alerts
// bound still holds, and every checked set is filled in.
func FromResult(old *File, res *analyzer.Result) *File {
	f := &File{Signatures: []Signature{}}
	if old != nil {
		f.Captures, f.Options = old.Captures, old.Options
	}
	oldSig := map[uint32]Signature{}
	if old != nil {
		for _, s := range old.Signatures {
			oldSig[s.SID] = s
		}
	}
	hits := append([]analyzer.SignatureHit(nil), res.Signatures...)
	sort.Slice(hits, func(i, j int) bool { return hits[i].SID < hits[j].SID })
	for _, h := range hits {
		s := Signature{SID: h.SID, Name: h.Name}
		count := h.Count
		if o, ok := oldSig[h.SID]; ok && o.MinAlerts != nil && count >= *o.MinAlerts {
			s.MinAlerts = o.MinAlerts
		} else {
			s.Alerts = &count
		}
		attackers := hostStrings(h.Attackers)
		s.Attackers = &attackers
		if o, ok := oldSig[h.SID]; ok && o.Victims != nil {
			victims := hostStrings(h.Victims)
			s.Victims = &victims
		}
		f.Signatures = append(f.Signatures, s)
	}
	blocked := blockedHosts(res)
	f.Blocked = &blocked
	oldMin := map[string]string{}
	if old != nil && old.FalsePositives != nil {
		for _, fp := range *old.FalsePositives {
			oldMin[fp.Host+" "+fp.Verdict] = fp.MinConfidence
		}
	}
	fps := make([]FalsePositive, 0, len(res.FalsePositives))
	for _, fp := range res.FalsePositives {
		e := FalsePositive{Host: fp.Host.String(), Verdict: fp.Verdict}
		if m := oldMin[e.Host+" "+fp.Verdict]; m != "" && confidenceRank(fp.Confidence) >= confidenceRank(m) {
			e.MinConfidence = m // a bound that still holds is kept, as min_alerts is
		}
		fps = append(fps, e)
	}
	sort.Slice(fps, func(i, j int) bool { return fps[i].Host < fps[j].Host })
	f.FalsePositives = &fps
	return f
}

// Summary renders the findings that an expectation checks on one line, for
// the check table: "9000002 x1 [203.0.113.66]; blocked 1; fp 192.168.1.250 scanner".
func Summary(f *File) string {
	var parts []string
	for _, s := range f.Signatures {
		p := fmt.Sprint(s.SID)
		switch {
		case s.Alerts != nil:
			p += fmt.Sprintf(" x%d", *s.Alerts)
		case s.MinAlerts != nil:
			p += fmt.Sprintf(" x>=%d", *s.MinAlerts)
		}
		if s.Attackers != nil && len(*s.Attackers) > 0 {
			p += " [" + strings.Join(*s.Attackers, " ") + "]"
		}
		parts = append(parts, p)
	}
	out := strings.Join(parts, ", ")
	if len(parts) == 0 {
		out = "nothing fires"
	}
	if f.Blocked != nil {
		if len(*f.Blocked) == 0 {
			if len(parts) > 0 { // "nothing fires" says it already
				out += "; no blocks"
			}
		} else {
			out += fmt.Sprintf("; blocked %d", len(*f.Blocked))
		}
	}
	if f.FalsePositives != nil && len(*f.FalsePositives) > 0 {
		var fps []string
		for _, fp := range *f.FalsePositives {
			fps = append(fps, fp.Host+" "+fp.Verdict)
		}
		out += "; fp " + strings.Join(fps, ", ")
	}
	return out
}
