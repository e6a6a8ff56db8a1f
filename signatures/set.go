package signatures

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/rulematch"
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
	// Strict refuses a rule file with a rule that does not parse, naming
	// every such rule (--strict-rules, for rule authors' CI). Otherwise
	// such a rule is left out and counted in Failed, as Suricata does.
	// Packs are always strict: a pack that does not parse is corrupt and
	// falls back to the previous one.
	Strict bool
	// MaxRules caps the rules of all packs and rule files together
	// (rules.max_rules); 0 is rulematch.DefaultMaxRules.
	MaxRules int
	// Threads is how many rule files are parsed at once (--threads); the
	// set is the same for any value. 0 or 1 parses one after the other.
	Threads int
}

// Set is the signatures in force for a run: the packs, one catalog of all
// their metadata and the rules the matcher runs.
type Set struct {
	Packs   []*LoadedPack
	Catalog *Catalog
	Rules   []*rules.Rule
	Skipped []rules.Skipped
	// Failed are the rules that did not parse, left out of rule files
	// loaded without Strict.
	Failed   []*rules.Error
	Warnings []string // fallbacks, skipped and failed rules, for the report
}

// LoadSet loads the packs and rule files of opts. A corrupt pack with a
// previous one beside it falls back (and says so in Warnings); anything
// else wrong is an error naming the file and line.
func LoadSet(opts SetOptions) (*Set, error) {
	var packs []*LoadedPack
	count := ruleCount{max: opts.MaxRules}
	if count.max <= 0 {
		count.max = rulematch.DefaultMaxRules
	}
	if !opts.NoDefault {
		def, err := EmbeddedDefaultVars(opts.Vars)
		if err != nil {
			return nil, err
		}
		if err := count.add(def); err != nil {
			return nil, err
		}
		packs = append(packs, def)
	}
	for _, dir := range opts.Dirs {
		p, err := LoadPack(dir, opts.Vars)
		if err != nil {
			return nil, err
		}
		if err := count.add(p); err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	bases := map[string]bool{}
	loaded := parseRuleFiles(opts.RuleFiles, opts.Vars, opts.Strict, opts.Threads)
	for i, file := range opts.RuleFiles {
		p, err := loaded[i].pack, loaded[i].err
		if err != nil {
			return nil, err
		}
		if err := count.add(p); err != nil {
			return nil, err
		}
		// Rule files add up, never replace one another as packs of the
		// same name do: a second local.rules is named by its path.
		if bases[p.Name] {
			p.Name = "rules:" + file
		}
		bases[p.Name] = true
		packs = append(packs, p)
	}
	packs = MergePacks(packs...)
	cat, err := NewCatalogFromPacks(packs...)
	if err != nil {
		return nil, err
	}
	s := &Set{Packs: packs, Catalog: cat}
	for _, p := range packs {
		s.Skipped = append(s.Skipped, p.Skipped...)
		// A rule the matcher can never satisfy (an HTTP response buffer,
		// an app protocol it does not detect) is skipped here, with the
		// parser's skips, so every count and listing says "not checked"
		// rather than letting it load and stay silent.
		for _, r := range p.Rules {
			if sk, never := rulematch.Unsupported(r); never {
				s.Skipped = append(s.Skipped, sk)
				continue
			}
			s.Rules = append(s.Rules, r)
		}
		if p.FellBack {
			s.Warnings = append(s.Warnings, fmt.Sprintf("signature pack %s is corrupt (%s); using the previous pack %s %s",
				p.Name, p.FallbackReason, p.Name, p.Version))
		}
	}
	for _, sk := range s.Skipped {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: rule sid %d skipped: %s", sk.File, sk.Line, sk.SID, sk.Reason))
	}
	for _, p := range packs {
		s.Failed = append(s.Failed, p.Failed...)
	}
	// Datasets are shared by all rules of all files, so they are set up
	// over the whole set: a rule whose set Suricata could not set up (a
	// type contradicting another rule's, a missing file) fails; one naming
	// a set only a suricata.yaml could declare is skipped.
	badSets, noSets, setWarnings := rulematch.CheckDatasets(s.Rules)
	if len(badSets)+len(noSets) > 0 {
		type place struct {
			file string
			line int
			sid  uint32
		}
		out := map[place]bool{}
		for _, e := range badSets {
			out[place{e.File, e.Line, e.SID}] = true
		}
		for _, sk := range noSets {
			out[place{sk.File, sk.Line, sk.SID}] = true
			s.Skipped = append(s.Skipped, sk)
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: rule sid %d skipped: %s", sk.File, sk.Line, sk.SID, sk.Reason))
		}
		s.Rules = slices.DeleteFunc(s.Rules, func(r *rules.Rule) bool { return out[place{r.File, r.Line, r.SID}] })
		s.Failed = append(s.Failed, badSets...)
	}
	s.Warnings = append(s.Warnings, setWarnings...)
	for _, e := range s.Failed {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: rule sid %d failed: %s", e.File, e.Line, e.SID, e.Msg))
	}
	for _, p := range packs {
		s.Warnings = append(s.Warnings, p.Warnings...)
	}
	return s, nil
}

// parsedFile is a rules file read by parseRuleFiles.
type parsedFile struct {
	pack *LoadedPack
	err  error
}

// parseRuleFiles reads files with up to threads at once (a set of many
// files, as ET Open's 40-odd, takes a second on one core) and returns them
// in order; LoadSet then takes them in order as if read one by one, so
// errors and the rule cap name the same file. A file after a bad one is
// read for nothing, as each is capped in size.
func parseRuleFiles(files []string, vars rules.Vars, strict bool, threads int) []parsedFile {
	out := make([]parsedFile, len(files))
	if threads <= 1 || len(files) < 2 {
		for i, f := range files {
			out[i].pack, out[i].err = looseRules(f, vars, strict)
			if out[i].err != nil {
				break // LoadSet stops at it
			}
		}
		return out
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, threads)
	for _, i := range largestFirst(files) {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			out[i].pack, out[i].err = looseRules(files[i], vars, strict)
		}()
	}
	wg.Wait()
	return out
}

// largestFirst orders the indexes of files by size, largest first (ties and
// files that cannot be looked at in their order), so that parallel parsing
// does not end on one large file alone: in name order ET Open's largest,
// emerging-web_specific_apps.rules with 39 % of its bytes, came last.
func largestFirst(files []string) []int {
	size := make([]int64, len(files))
	order := make([]int, len(files))
	for i, f := range files {
		order[i] = i
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			size[i] = st.Size()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[b], size[a]) })
	return order
}

// ruleCount adds up the rules of the packs and rule files as they load,
// so that loading stops at the first file that passes the cap.
type ruleCount struct{ max, n int }

// add counts p's rules, or names the rule that passes the cap. A pack that
// replaces another (same name) still counts: both were held to parse.
func (c *ruleCount) add(p *LoadedPack) error {
	if c.n+len(p.Rules) <= c.max {
		c.n += len(p.Rules)
		return nil
	}
	r := p.Rules[c.max-c.n]
	return fmt.Errorf("%s:%d: more than %d rules in all signature packs and rule files together, the cap (rules.max_rules)",
		r.File, r.Line, c.max)
}

// looseRules wraps a bare rules file as a pack of its own, named after the
// file, so its rules get metadata like any pack's. strict refuses the file
// for any rule that does not parse, with ParseFile's error.
func looseRules(file string, vars rules.Vars, strict bool) (*LoadedPack, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A regular file past the cap is refused before seconds of parsing;
	// ReadFile stops any other input (a FIFO, /dev/zero) at the cap.
	if _, err := capped.Check(f, "a rules file", capped.RulesBytes); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	rf, err := rules.ReadFile(file, f, vars)
	if strict && len(rf.Failed) > 0 {
		errs := make([]error, 0, len(rf.Failed)+1)
		for _, e := range rf.Failed {
			errs = append(errs, e)
		}
		return nil, errors.Join(append(errs, err)...)
	}
	if err != nil {
		return nil, err
	}
	if len(rf.Rules) == 0 && len(rf.Skipped) == 0 {
		if len(rf.Failed) > 0 {
			// nothing would run: as good as refusing the file
			return nil, fmt.Errorf("%s: no rule loads: all %d failed (first: %v)", file, len(rf.Failed), rf.Failed[0])
		}
		return nil, fmt.Errorf("%s: no rules", file)
	}
	p := &LoadedPack{Dir: filepath.Dir(file), Rules: rf.Rules, Skipped: rf.Skipped, Failed: rf.Failed, Warnings: rf.Warnings}
	p.Name, p.Version = "rules:"+filepath.Base(file), "-"
	for _, r := range rf.Rules {
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

// RulesFailed returns how many rules did not parse and were left out.
func (s *Set) RulesFailed() int { return len(s.Failed) }

// ReasonCount is a reason rules were left out and how many were.
type ReasonCount struct {
	Reason string
	Count  int
}

// SkippedReasons groups the skipped rules by what they use that is not
// supported (Skipped.Group), most first.
func (s *Set) SkippedReasons() []ReasonCount {
	groups := make([]string, len(s.Skipped))
	for i, sk := range s.Skipped {
		groups[i] = sk.Group()
	}
	return countReasons(groups)
}

// FailedReasons groups the failed rules by the keyword at fault
// (Error.Group), most first.
func (s *Set) FailedReasons() []ReasonCount {
	groups := make([]string, len(s.Failed))
	for i, e := range s.Failed {
		groups[i] = e.Group()
	}
	return countReasons(groups)
}

// countReasons counts each reason, most first, then by name so the order
// is the same every run.
func countReasons(reasons []string) []ReasonCount {
	n := map[string]int{}
	for _, r := range reasons {
		n[r]++
	}
	out := make([]ReasonCount, 0, len(n))
	for r, c := range n {
		out = append(out, ReasonCount{Reason: r, Count: c})
	}
	slices.SortFunc(out, func(a, b ReasonCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out
}

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
