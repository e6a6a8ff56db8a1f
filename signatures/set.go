package signatures

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// SetOptions says which signatures a run uses.
type SetOptions struct {
	// NoDefault leaves out the embedded default pack (built-in metadata and
	// its rules), for rule-only runs such as Suricata's own test cases.
	NoDefault bool
	// Dirs are pack directories, each adding a pack or replacing the one
	// of the same name (--signatures).
	Dirs []string
	// RuleFiles are bare rule files used as they are, without a manifest
	// (--rules, like Suricata's -S).
	RuleFiles []string
	Vars      rules.Vars
}

// Set is the signatures in force for a run: the packs, one catalog of all
// their metadata and the rules the matcher runs.
type Set struct {
	Packs    []*LoadedPack
	Catalog  *Catalog
	Rules    []*rules.Rule
	Skipped  []rules.Skipped
	Warnings []string // fallbacks and skipped rules, for the report
}

// LoadSet loads the packs and rule files of opts. A corrupt pack with a
// previous one beside it falls back (and says so in Warnings); anything
// else wrong is an error naming the file and line.
func LoadSet(opts SetOptions) (*Set, error) {
	var packs []*LoadedPack
	if !opts.NoDefault {
		def, err := EmbeddedDefaultVars(opts.Vars)
		if err != nil {
			return nil, err
		}
		packs = append(packs, def)
	}
	for _, dir := range opts.Dirs {
		p, err := LoadPack(dir, opts.Vars)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	for _, file := range opts.RuleFiles {
		p, err := looseRules(file, opts.Vars)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	packs = MergePacks(packs...)
	cat, err := NewCatalogFromPacks(packs...)
	if err != nil {
		return nil, err
	}
	s := &Set{Packs: packs, Catalog: cat}
	for _, p := range packs {
		s.Rules = append(s.Rules, p.Rules...)
		s.Skipped = append(s.Skipped, p.Skipped...)
		if p.FellBack {
			s.Warnings = append(s.Warnings, fmt.Sprintf("signature pack %s is corrupt (%s); using the previous pack %s %s",
				p.Name, p.FallbackReason, p.Name, p.Version))
		}
	}
	for _, sk := range s.Skipped {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: rule sid %d skipped: %s", sk.File, sk.Line, sk.SID, sk.Reason))
	}
	return s, nil
}

// looseRules wraps a bare rules file as a pack of its own, named after the
// file, so its rules get metadata like any pack's.
func looseRules(file string, vars rules.Vars) (*LoadedPack, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, skipped, err := rules.ParseFile(file, f, vars)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 && len(skipped) == 0 {
		return nil, fmt.Errorf("%s: no rules", file)
	}
	p := &LoadedPack{Dir: filepath.Dir(file), Rules: rs, Skipped: skipped}
	p.Name, p.Version = "rules:"+filepath.Base(file), "-"
	for _, r := range rs {
		p.Signatures = append(p.Signatures, RuleSignature(r))
	}
	return p, nil
}

// StaleWarnings lists packs released more than StaleAfter before at, e.g.
// the capture's last packet or now.
func (s *Set) StaleWarnings(at time.Time, against string) []string {
	var out []string
	for _, p := range s.Packs {
		if p.Released == "" || p.Version == "-" {
			continue
		}
		if p.Stale(at) {
			out = append(out, fmt.Sprintf("signature pack %s %s (released %s) is %d days older than %s: out of date",
				p.Name, p.Version, p.Released, int(p.Age(at).Hours()/24), against))
		}
	}
	return out
}

// RuleCounts returns how many rules are active and skipped.
func (s *Set) RuleCounts() (active, skipped int) { return len(s.Rules), len(s.Skipped) }

// PackNames lists the packs as "name version (released)".
func (s *Set) PackNames() []string {
	out := make([]string, 0, len(s.Packs))
	for _, p := range s.Packs {
		if p.Released == "" {
			out = append(out, p.Name)
			continue
		}
		out = append(out, fmt.Sprintf("%s %s (%s)", p.Name, p.Version, p.Released))
	}
	return out
}
