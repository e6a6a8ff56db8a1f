package signatures

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

//go:generate go test -run TestDefaultPackManifest -update-manifest .

//go:embed default
var defaultPackFS embed.FS

// StaleAfter is how old a pack may be before it is reported as stale: the
// modelled endpoint IPS warns when its signature content is more than 90
// days old.
const StaleAfter = 90 * 24 * time.Hour

// PreviousSuffix names the directory holding the pack an update replaced.
const PreviousSuffix = ".previous"

// ManifestFile is the pack's manifest, the one file not listed in itself.
const ManifestFile = "manifest.json"

// SignaturesFile holds the metadata of a pack's non-rule signatures.
const SignaturesFile = "signatures.json"

// Manifest is a pack's manifest.json.
type Manifest struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Released    string `json:"released"` // YYYY-MM-DD
	Description string `json:"description,omitempty"`
	// Files maps each file of the pack (slash-separated, relative to the
	// pack directory) to its sha256 in lower-case hex.
	Files map[string]string `json:"files"`
}

// ReleaseDate parses Released (YYYY-MM-DD, midnight UTC).
func (m *Manifest) ReleaseDate() (time.Time, error) {
	return time.Parse("2006-01-02", m.Released)
}

// LoadedPack is a verified pack: its manifest, the metadata of every
// signature it defines (rule-derived included) and its parsed rules.
type LoadedPack struct {
	Manifest
	// Dir is the directory the pack was loaded from: DIR.previous after a
	// fallback, "" for the embedded default pack.
	Dir string
	// Signatures is the metadata of signatures.json's signatures, then of
	// each rule, in file and line order.
	Signatures []Signature
	Rules      []*rules.Rule
	// Skipped lists rules left out (unsupported keyword, RE2-incompatible
	// pcre); they have no metadata here and never fire.
	Skipped []rules.Skipped
	// Failed are rules that did not parse, left out: only in a bare rule
	// file loaded without SetOptions.Strict (a pack is refused instead).
	Failed []*rules.Error
	// Warnings are about rules that load anyway (an unknown classtype),
	// each "file:line: ...".
	Warnings []string
	// FellBack is set when the requested pack was corrupt and the previous
	// one was loaded; FallbackReason says why, naming the file (and line)
	// of the corruption.
	FellBack       bool
	FallbackReason string
}

// Source names where the pack came from, for messages.
func (p *LoadedPack) Source() string {
	if p.Dir == "" {
		return "built-in"
	}
	return p.Dir
}

// Age is how long before at the pack was released; negative when at is
// before the release date (a capture older than the pack), 0 when the
// release date does not parse.
func (p *LoadedPack) Age(at time.Time) time.Duration {
	r, err := p.ReleaseDate()
	if err != nil {
		return 0
	}
	return at.Sub(r)
}

// Stale reports whether the pack was more than StaleAfter old at at. Check
// it against the capture's time (what the IPS would have run then) and
// against now (whether the installed pack needs an update).
func (p *LoadedPack) Stale(at time.Time) bool {
	return p.Age(at) > StaleAfter
}

// Lookup returns the metadata of sid and, when sid is a rule, the rule.
func (p *LoadedPack) Lookup(sid uint32) (Signature, *rules.Rule, bool) {
	for _, s := range p.Signatures {
		if s.SID != sid {
			continue
		}
		for _, r := range p.Rules {
			if r.SID == sid {
				return s, r, true
			}
		}
		return s, nil, true
	}
	return Signature{}, nil, false
}

// Pack returns the pack's metadata as a Pack, as a Catalog holds it.
func (p *LoadedPack) Pack() *Pack {
	return &Pack{Name: p.Name, Version: p.Version, Released: p.Released, Signatures: p.Signatures}
}

// CorruptError is a pack directory that exists but fails verification or
// parsing. Err names the file inside the pack and, for parse errors, the
// line.
type CorruptError struct {
	Dir string // "" for the embedded default pack
	Err error
}

func (e *CorruptError) Error() string {
	dir := e.Dir
	if dir == "" {
		dir = "built-in signature pack"
	}
	return dir + ": " + e.Err.Error()
}

func (e *CorruptError) Unwrap() error { return e.Err }

// PreviousDir returns where the pack that dir replaced is kept.
func PreviousDir(dir string) string {
	return filepath.Clean(dir) + PreviousSuffix
}

// LoadPack verifies and loads the pack in dir. A pack is a directory:
//
//	manifest.json       name, version, released (YYYY-MM-DD), description,
//	                    and "files": the sha256 of every file it holds
//	signatures.json     {"signatures": [...]}: metadata of signatures that
//	                    are not rules (the detectors'), as in builtin.json
//	rules/*.rules       Suricata rules; a rule's metadata comes from the
//	                    rule (msg, classtype, priority, reference:cve)
//
// Every listed file must match its hash, and signatures.json and every
// *.rules file under rules/ must be listed; other files are ignored unless
// listed. The pack an update replaced is kept beside it as DIR.previous
// (packs/web and packs/web.previous, see PreviousDir): the updater renames
// the old directory aside and the new one in, and the previous pack is
// never inside the directory being verified.
//
// When dir exists but is
// corrupt (a hash mismatch, a missing or unlisted file, bad JSON, a rule
// that does not parse, no signatures at all) and PreviousDir(dir) holds a
// pack that loads, that pack is returned with FellBack set and the reason;
// otherwise the error is returned (a *CorruptError when dir is corrupt).
// vars gives the rule variables ($HOME_NET, ...), e.g. rules.DefaultVars().
func LoadPack(dir string, vars rules.Vars) (*LoadedPack, error) {
	p, err := VerifyPack(dir, vars)
	var ce *CorruptError
	if !errors.As(err, &ce) {
		return p, err
	}
	prev := PreviousDir(dir)
	if fi, statErr := os.Stat(prev); statErr != nil || !fi.IsDir() {
		return nil, err
	}
	pp, prevErr := VerifyPack(prev, vars)
	if prevErr != nil {
		return nil, fmt.Errorf("%w; the previous pack is unusable too: %v", err, prevErr)
	}
	pp.FellBack = true
	pp.FallbackReason = err.Error()
	return pp, nil
}

// VerifyPack verifies and loads the pack in dir and nothing else: it never
// falls back. A missing directory is a plain error; anything wrong inside
// it is a *CorruptError.
func VerifyPack(dir string, vars rules.Vars) (*LoadedPack, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("signature pack %s: %w", dir, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("signature pack %s: not a directory (a pack is a directory holding %s)", dir, ManifestFile)
	}
	p, err := loadFS(os.DirFS(dir), vars)
	if err != nil {
		return nil, &CorruptError{Dir: dir, Err: err}
	}
	p.Dir = dir
	return p, nil
}

// EmbeddedDefault loads the default pack built into the binary
// (signatures/default) with the default rule variables.
func EmbeddedDefault() (*LoadedPack, error) {
	return EmbeddedDefaultVars(rules.DefaultVars())
}

// EmbeddedDefaultVars loads the built-in default pack with vars, for runs
// that set their own $HOME_NET.
func EmbeddedDefaultVars(vars rules.Vars) (*LoadedPack, error) {
	fsys, err := fs.Sub(defaultPackFS, "default")
	if err != nil {
		return nil, err
	}
	p, err := loadFS(fsys, vars)
	if err != nil {
		return nil, &CorruptError{Err: err}
	}
	return p, nil
}

// EmbeddedDefaultManifest is the built-in default pack's manifest alone,
// without loading its rules: what --version shows.
func EmbeddedDefaultManifest() (Manifest, error) {
	var m Manifest
	data, err := defaultPackFS.ReadFile("default/" + ManifestFile)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, &CorruptError{Err: fmt.Errorf("%s: %w", ManifestFile, err)}
	}
	return m, nil
}

// MergePacks applies the replace rule: a pack with the same name as an
// earlier one takes its place (so --signatures DIR adds a pack or replaces
// the default). Nil packs are dropped.
func MergePacks(packs ...*LoadedPack) []*LoadedPack {
	var out []*LoadedPack
	for _, p := range packs {
		if p == nil {
			continue
		}
		if i := slices.IndexFunc(out, func(q *LoadedPack) bool { return q.Name == p.Name }); i >= 0 {
			out[i] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

// NewCatalogFromPacks indexes the signatures of packs after MergePacks. A
// sid defined by two different packs is an error naming both.
func NewCatalogFromPacks(packs ...*LoadedPack) (*Catalog, error) {
	merged := MergePacks(packs...)
	// made to size: growing them one rule at a time rehashed them a dozen
	// times over ET Open's 17,000 rules (5 % of its load)
	n := 0
	for _, p := range merged {
		n += len(p.Signatures)
	}
	c := &Catalog{bySID: make(map[uint32]Signature, n)}
	owner := make(map[uint32]*LoadedPack, n)
	for _, p := range merged {
		for _, s := range p.Signatures {
			if q, dup := owner[s.SID]; dup {
				if q == p {
					return nil, fmt.Errorf("pack %s (%s): sid %d: %w", p.Name, p.Source(), s.SID, ErrDuplicateSID)
				}
				return nil, fmt.Errorf("sid %d is in pack %s (%s) and in pack %s (%s): %w",
					s.SID, q.Name, q.Source(), p.Name, p.Source(), ErrDuplicateSID)
			}
			owner[s.SID] = p
			c.bySID[s.SID] = s
		}
		c.Packs = append(c.Packs, p.Pack())
	}
	return c, nil
}

// SeverityFromPriority maps a rule priority to a severity: 1 high, 2
// medium, 3 low, 4 and above info.
func SeverityFromPriority(priority int) Severity {
	switch {
	case priority <= 1:
		return SeverityHigh
	case priority == 2:
		return SeverityMedium
	case priority == 3:
		return SeverityLow
	}
	return SeverityInfo
}

// defaultPriority is the priority of a rule with neither priority: nor a
// known classtype, as in Suricata.
const defaultPriority = 3

// RuleSignature derives a rule's metadata: msg is the name, classtype the
// category, priority (else the classtype's) the severity, reference:cve
// the CVEs.
func RuleSignature(r *rules.Rule) Signature {
	prio := r.Priority
	if prio <= 0 {
		prio = defaultPriority
		if p, ok := rules.ClasstypePriority(r.Classtype); ok {
			prio = p
		}
	}
	return Signature{
		SID:      r.SID,
		Name:     r.Msg,
		Severity: SeverityFromPriority(prio),
		Category: r.Classtype,
		CVEs:     r.CVE(),
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// isRuleFile reports whether name (slash-separated) is a rules file.
func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".rules")
}
