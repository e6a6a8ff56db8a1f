package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestConformance compares ipsreplay with Suricata 7.0.10 on the
// suricata-verify tests of the shared data (../shared/suricata-verify,
// described in its README.md): each test's pcap is analysed with the
// test's rules only, through Main as the README's command line says, and
// the alerts per sid are compared with truth.json's alerts_per_sid.
//
// Every test gets one class (see the conf* constants) and, unless it
// agrees outright, a one-line reason. The classes are recorded in
// testdata/conformance.json (go test -run '^TestConformance$' -update
// rewrites it); the test fails when fewer comparable tests agree than
// recorded, or more tests have every rule skipped, naming the tests that
// stopped agreeing. Gains are logged with a hint to record them.
//
// The engines differ in ways no comparison here can hide (ipsreplay has
// no IPS mode, takes few of Suricata's settings: the README's notes), so
// the figures measure distance to Suricata, not correctness; that is why
// the test guards against regressions rather than asking for agreement.
func TestConformance(t *testing.T) {
	truth := confLoadTruth(t)
	var err error
	var match *regexp.Regexp
	if *confMatch != "" {
		if match, err = regexp.Compile(*confMatch); err != nil {
			t.Fatalf("-conformance.match: %v", err)
		}
		if *update {
			t.Fatal("-update records every test; it cannot be combined with -conformance.match")
		}
	}
	var names []string
	for _, name := range slices.Sorted(maps.Keys(truth.Tests)) {
		if match == nil || match.MatchString(name) {
			names = append(names, name)
		}
	}

	start := time.Now()
	outcomes := make([]confOutcome, len(names))
	// One test after the other: Main is not safe to call concurrently
	// (urfave/cli's BoolFlag.Apply writes the package-level HelpFlag on
	// every call, which go test -race reports; see run in main_test.go).
	// The pcaps are small (the largest under 3 MB): all 759 tests take
	// about 2 s, 14 s under -race, on 2 cores.
	for i, name := range names {
		outcomes[i] = confRun(t, name, truth.Tests[name])
	}
	elapsed := time.Since(start)

	results := make(map[string]confResult, len(names))
	for i, name := range names {
		results[name] = outcomes[i].confResult
	}
	sum := confSummarize(results)
	t.Logf("%s\n(%d tests in %s)\n%s", sum.line(), len(names), elapsed.Round(time.Millisecond), confDetail(sum, outcomes))

	if *update {
		if err := os.WriteFile(confGolden, confEncode(sum, results), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %d tests in %s", len(results), confGolden)
		return
	}
	rawRec, err := os.ReadFile(confGolden)
	if err != nil {
		t.Fatalf("%v (record the results with -update)", err)
	}
	var rec confRecord
	if err := json.Unmarshal(rawRec, &rec); err != nil {
		t.Fatalf("%s: %v", confGolden, err)
	}
	confCompare(t, rec.Tests, results, match == nil)
}

// confLoadTruth reads the suricata-verify tests and what Suricata gave,
// skipping the test when the shared data is missing.
func confLoadTruth(t *testing.T) (truth struct {
	Tests map[string]confTruth `json:"tests"`
}) {
	t.Helper()
	truthFile := filepath.Join(confDir, "truth.json")
	raw, err := os.ReadFile(truthFile)
	if err != nil {
		t.Skipf("needs the suricata-verify truth ../shared/suricata-verify/truth.json (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it): %v", err)
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatalf("%s: %v", truthFile, err)
	}
	if len(truth.Tests) == 0 {
		t.Fatalf("%s lists no tests", truthFile)
	}
	return truth
}

// confDir is ../shared/suricata-verify from the repository root, as seen
// from this package's directory (go test runs a package's tests there).
const confDir = "../../../shared/suricata-verify"

// confGolden holds the recorded classes, one line per test.
const confGolden = "testdata/conformance.json"

// confTimeout bounds one test: an analysis that runs away is reported
// as failed instead of hanging the run. The slowest test takes well
// under a second (several under -race).
const confTimeout = 2 * time.Minute

var confMatch = flag.String("conformance.match", "",
	"run only the suricata-verify tests whose names match this `regexp` (compared with the record, but not the totals)")

// The classes of a test.
const (
	confAgree        = "agree"             // equal counts on every compared sid
	confCountsDiffer = "counts differ"     // the same sids fire, with other counts
	confDiffSIDs     = "different sids"    // some sid fires in one engine only
	confAllSkipped   = "all rules skipped" // ipsreplay skipped every rule
	confFailed       = "refused/failed"    // a non-zero exit: the rules file refused, a pcap unreadable, ...
	// confIPS is a test Suricata ran in IPS mode (--simulate-ips) whose
	// rules drop, reject or pass and that sets an exception policy
	// (drop-flow, pass-flow, reject on a stream, app-layer or memcap
	// error): what that policy stops changes what the rules see, and
	// ipsreplay has no such errors to act on. Other IPS-mode tests run
	// with --simulate-ips and are compared.
	confIPS = "ips mode"
	// confNotComparable is a test with no rule both engines loaded:
	// every rule ipsreplay kept is one Suricata rejected, or the file
	// holds no rule at all.
	confNotComparable = "not comparable"
)

// confClasses is the order the summary lists the classes in.
var confClasses = []string{confAgree, confCountsDiffer, confDiffSIDs, confAllSkipped, confFailed, confIPS, confNotComparable}

// confComparable are the classes whose alert counts were compared.
func confComparable(class string) bool {
	return class == confAgree || class == confCountsDiffer || class == confDiffSIDs
}

// confTruth is one test of truth.json; only what the comparison reads.
type confTruth struct {
	Pcap         string         `json:"pcap"`
	Rules        string         `json:"rules"`
	Args         []string       `json:"args"`
	SimulateIPS  bool           `json:"simulate_ips"`
	Notes        []string       `json:"notes"`
	AlertsPerSID map[string]int `json:"alerts_per_sid"`
	RejectedSIDs []uint32       `json:"suricata_rejected_sids"`
}

// confResult is one test's line in the record.
type confResult struct {
	Class  string `json:"class"`
	Reason string `json:"reason,omitempty"`
}

// confOutcome is a test's result with what the summary adds up.
type confOutcome struct {
	confResult
	skips []string // the normalised reason of each rule ipsreplay skipped
}

// confFileFlags are the analyze flags whose value is a file: truth.json
// names such files relative to the test's folder (--exclude
// threshold.config), and the folder is not the working directory here.
var confFileFlags = map[string]bool{"--exclude": true, "--config": true, "--rules": true, "--signatures": true}

// confArgs is the README's command line for test c in dir, with every
// file named relative to this package's directory instead of dir (the
// working directory is the process's, shared by all tests). -f json
// rather than eve: its signatures count the alerts per sid exactly, and
// its warnings and summary tell which rules were skipped.
func confArgs(dir string, c confTruth) []string {
	args := []string{"ipsreplay", "analyze", "--no-progress", "--rules", filepath.Join(dir, c.Rules), "--no-builtins"}
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		args = append(args, a)
		if flag, value, ok := strings.Cut(a, "="); ok && confFileFlags[flag] {
			args[len(args)-1] = flag + "=" + filepath.Join(dir, value)
		} else if confFileFlags[a] && i+1 < len(c.Args) {
			i++
			args = append(args, filepath.Join(dir, c.Args[i]))
		}
	}
	if c.SimulateIPS {
		args = append(args, "--simulate-ips")
	}
	args = append(args, confYAMLSets(filepath.Join(dir, "suricata.yaml"))...)
	return append(args, "-f", "json", filepath.Join(dir, c.Pcap))
}

// confYAMLSets are the --set options for the settings of the test's
// suricata.yaml that ipsreplay takes: action-order and packet-alert-max.
// A test without the file, or without them, gets none.
func confYAMLSets(file string) []string {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var conf struct {
		ActionOrder    []string `yaml:"action-order"`
		PacketAlertMax *int     `yaml:"packet-alert-max"`
	}
	// suricata.yaml starts with a "%YAML 1.1" directive and may use
	// tags a strict decoder refuses: only the two keys matter here
	if err := yaml.Unmarshal(confYAMLBody(raw), &conf); err != nil {
		return nil
	}
	var sets []string
	if len(conf.ActionOrder) > 0 {
		sets = append(sets, "--set", "rules.action_order="+strings.Join(conf.ActionOrder, " "))
	}
	if conf.PacketAlertMax != nil {
		sets = append(sets, "--set", fmt.Sprintf("rules.packet_alert_max=%d", *conf.PacketAlertMax))
	}
	return sets
}

// confYAMLBody is the top-level action-order and packet-alert-max
// entries of a suricata.yaml, as YAML of their own.
func confYAMLBody(raw []byte) []byte {
	var out bytes.Buffer
	keep := false
	for _, line := range strings.Split(string(raw), "\n") {
		top := line != "" && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '-'
		if top {
			keep = strings.HasPrefix(line, "action-order:") || strings.HasPrefix(line, "packet-alert-max:")
		}
		if keep {
			out.WriteString(line + "\n")
		}
	}
	return out.Bytes()
}

// confReport is the part of the JSON report the comparison reads.
type confReport struct {
	Summary struct {
		RulesActive  *int `json:"rules_active"`
		RulesSkipped *int `json:"rules_skipped"`
	} `json:"summary"`
	// the alerts per signature: exact, where events and alerts are a
	// sample past report.max_alerts
	Signatures []struct {
		SID   uint32 `json:"sid"`
		Count int    `json:"count"`
	} `json:"signatures"`
	Warnings []string `json:"warnings"`
}

// confSkipped matches a warning about a skipped rule:
// "FILE:LINE: rule sid N skipped: REASON".
var confSkipped = regexp.MustCompile(`: rule sid (\d+) skipped: (.*)$`)

// confRun runs and classifies one test.
func confRun(t *testing.T, name string, c confTruth) confOutcome {
	dir := filepath.Join(confDir, name)
	ctx, cancel := context.WithTimeout(context.Background(), confTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := Main(ctx, confThresholdArgs(dir, confArgs(dir, c)), strings.NewReader(""), &stdout, &stderr)
	fail := func(why string) confOutcome {
		return confOutcome{confResult: confResult{Class: confFailed, Reason: why}}
	}
	if ctx.Err() != nil {
		return fail(fmt.Sprintf("timed out after %s", confTimeout))
	}
	if code != exitOK {
		// paths in messages are the folder's, as from the README's cd
		msg := strings.ReplaceAll(stderr.String(), dir+string(filepath.Separator), "")
		first, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
		return fail(fmt.Sprintf("exit %d: %s", code, strings.TrimPrefix(first, "ipsreplay: ")))
	}
	var rep confReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Errorf("%s: the JSON report does not parse: %v", name, err)
		return fail("bad JSON report")
	}
	if rep.Summary.RulesActive == nil || rep.Summary.RulesSkipped == nil {
		t.Errorf("%s: the JSON report's summary has no rules_active or rules_skipped", name)
		return fail("bad JSON report")
	}

	out := confOutcome{}
	skipped := map[uint32]bool{}
	for _, w := range rep.Warnings {
		m := confSkipped.FindStringSubmatch(w)
		if m == nil {
			continue // not about a rule: stream gaps, truncated pcaps, ...
		}
		sid, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil {
			t.Errorf("%s: warning with a bad sid: %s", name, w)
			continue
		}
		skipped[uint32(sid)] = true
		out.skips = append(out.skips, confSkipKeyword(m[2]))
	}
	if len(out.skips) != *rep.Summary.RulesSkipped {
		// the warnings are how skipped sids are known; the summary must agree
		t.Errorf("%s: %d skip warnings but rules_skipped is %d", name, len(out.skips), *rep.Summary.RulesSkipped)
	}
	active := *rep.Summary.RulesActive
	rejected := map[uint32]bool{}
	for _, sid := range c.RejectedSIDs {
		rejected[sid] = true
	}
	// Rules Suricata rejected but ipsreplay kept count among rules_active;
	// when they are all of it, no rule was loaded by both engines.
	keptRejected := 0
	for sid := range rejected {
		if !skipped[sid] {
			keptRejected++
		}
	}
	switch {
	case active == 0 && len(out.skips) > 0:
		out.Class, out.Reason = confAllSkipped, confTopSkips(out.skips)
		return out
	case active <= keptRejected:
		out.Class, out.Reason = confNotComparable, "no rule loaded by both engines"
		return out
	}
	if policy := confExceptionPolicy(c.Notes); c.SimulateIPS && policy != "" {
		if actions, err := confBlockingActions(filepath.Join(dir, c.Rules)); err != nil {
			t.Errorf("%s: %v", name, err)
			return fail(err.Error())
		} else if len(actions) > 0 {
			out.Class, out.Reason = confIPS, "IPS mode with "+strings.Join(actions, ", ")+" rules and "+policy+", not modelled"
			return out
		}
	}

	// A sid neither engine alerted on has 0 alerts in both, so comparing
	// over the sids that alerted somewhere is comparing over every rule.
	got := map[uint32]int{}
	for _, sig := range rep.Signatures {
		got[sig.SID] += sig.Count
	}
	want := map[uint32]int{}
	for s, n := range c.AlertsPerSID {
		sid, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			t.Errorf("%s: truth.json has a bad sid %q", name, s)
			continue
		}
		want[uint32(sid)] = n
	}
	sids := map[uint32]bool{}
	for sid := range got {
		sids[sid] = true
	}
	for sid := range want {
		sids[sid] = true
	}
	var diffs []string
	sameSIDs := true
	for _, sid := range slices.Sorted(maps.Keys(sids)) {
		if skipped[sid] || rejected[sid] || got[sid] == want[sid] {
			continue
		}
		if (got[sid] == 0) != (want[sid] == 0) {
			sameSIDs = false
		}
		diffs = append(diffs, fmt.Sprintf("sid %d: ipsreplay %d, suricata %d", sid, got[sid], want[sid]))
	}
	switch {
	case len(diffs) == 0:
		out.Class = confAgree
	case sameSIDs:
		out.Class = confCountsDiffer
	default:
		out.Class = confDiffSIDs
	}
	if len(diffs) > 3 {
		diffs = append(diffs[:3], fmt.Sprintf("%d more", len(diffs)-3))
	}
	// a partial comparison says how partial
	out.Reason = strings.Join(diffs, "; ")
	if len(out.skips) > 0 {
		if out.Reason != "" {
			out.Reason += "; "
		}
		out.Reason += fmt.Sprintf("%d of %d rules skipped (%s)", len(out.skips), len(out.skips)+active, confTopSkips(out.skips))
	}
	return out
}

// confExceptionPolicy names the exception policy truth.json's notes say
// the test sets ("--set stream.midstream-policy=drop-flow", "suricata.yaml
// exception-policy"), or "" when none; "ignore" is none.
func confExceptionPolicy(notes []string) string {
	for _, n := range notes {
		if strings.HasSuffix(n, "-policy=ignore") {
			continue
		}
		if strings.Contains(n, "exception-policy") || strings.Contains(n, "-policy=") {
			return strings.TrimPrefix(n, "--set ")
		}
	}
	return ""
}

// confBlockingActions lists the actions in the rules file that change
// what Suricata's IPS mode lets through, other than alert: drop, reject*
// and pass. A rule's action is its first word; commented-out rules are
// not rules.
func confBlockingActions(rulesFile string) ([]string, error) {
	f, err := os.Open(rulesFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	found := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	continued := false // the line goes on a rule ended by a backslash
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		wasContinued := continued
		continued = strings.HasSuffix(line, `\`)
		if wasContinued || line == "" || line[0] == '#' {
			continue
		}
		action, _, _ := strings.Cut(line, " ")
		switch action {
		case "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass":
			found[action] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", rulesFile, err)
	}
	return slices.Sorted(maps.Keys(found)), nil
}

// confKeywordReason picks the name out of the skip reasons that name a
// keyword, protocol or direction: `keyword "dns.query" is not supported`.
var confKeywordReason = regexp.MustCompile(`^(keyword|protocol|direction|option|action) "([^"]*)"`)

// confSkipKeyword normalises a skip reason to what is missing, so that
// reasons count together across tests: the keyword's name ("dns.query"),
// "protocol sctp", or the text before the first colon or " is not
// supported" ("file_data", "pcre").
func confSkipKeyword(reason string) string {
	if m := confKeywordReason.FindStringSubmatch(reason); m != nil {
		if m[1] == "keyword" {
			return m[2]
		}
		return m[1] + " " + m[2]
	}
	if i := strings.Index(reason, " is not supported"); i > 0 {
		return reason[:i]
	}
	head, _, _ := strings.Cut(reason, ":")
	return head
}

// confTopSkips is the commonest skip reasons of one test, for its reason.
func confTopSkips(skips []string) string {
	counts := map[string]int{}
	for _, s := range skips {
		counts[s]++
	}
	top := confRank(counts)
	if len(top) > 3 {
		top = append(top[:3], "...")
	}
	return strings.Join(top, ", ")
}

// confRank sorts the keys of counts by count, most first, then by name.
func confRank(counts map[string]int) []string {
	keys := slices.Collect(maps.Keys(counts))
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// confSummary is the run's figures.
type confSummary struct {
	Agree      int            `json:"agree"`       // N
	Comparable int            `json:"comparable"`  // M
	AllSkipped int            `json:"all_skipped"` // S
	Tests      int            `json:"tests"`       // T
	Classes    map[string]int `json:"classes"`     // tests per class
}

func confSummarize(results map[string]confResult) confSummary {
	s := confSummary{Tests: len(results), Classes: map[string]int{}}
	for _, r := range results {
		s.Classes[r.Class]++
		if confComparable(r.Class) {
			s.Comparable++
		}
	}
	s.Agree, s.AllSkipped = s.Classes[confAgree], s.Classes[confAllSkipped]
	return s
}

func (s confSummary) line() string {
	return fmt.Sprintf("%d of %d comparable tests agree exactly; %d of %d tests have every rule skipped",
		s.Agree, s.Comparable, s.AllSkipped, s.Tests)
}

// confDetail is the summary's detail: tests per class and the 20
// commonest skip reasons over every test (in rules and in tests).
func confDetail(s confSummary, outcomes []confOutcome) string {
	var b strings.Builder
	for _, c := range confClasses {
		fmt.Fprintf(&b, "  %-18s %4d\n", c, s.Classes[c])
	}
	rules, tests := map[string]int{}, map[string]int{}
	for _, o := range outcomes {
		seen := map[string]bool{}
		for _, k := range o.skips {
			rules[k]++
			if !seen[k] {
				seen[k] = true
				tests[k]++
			}
		}
	}
	top := confRank(rules)
	if len(top) > 20 {
		top = top[:20]
	}
	fmt.Fprintf(&b, "top %d skip reasons (rules skipped, in tests):\n", len(top))
	for _, k := range top {
		fmt.Fprintf(&b, "  %-40s %5d %4d\n", k, rules[k], tests[k])
	}
	return b.String()
}

// confRecord is testdata/conformance.json.
type confRecord struct {
	Summary confSummary           `json:"summary"`
	Tests   map[string]confResult `json:"tests"`
}

// confEncode writes the record with one test per line, sorted by name,
// so a change of results shows as a change of those lines.
func confEncode(s confSummary, results map[string]confResult) []byte {
	var b bytes.Buffer
	// compact, and "<" left as it is in the error messages it quotes
	compact := func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err) // strings, ints and maps of them always encode
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
	// map keys come out sorted: the summary's classes are in a fixed order
	fmt.Fprintf(&b, "{\n\"summary\": %s,\n\"tests\": {\n", compact(s))
	names := slices.Sorted(maps.Keys(results))
	for i, name := range names {
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s: %s%s\n", compact(name), compact(results[name]), sep)
	}
	b.WriteString("}\n}\n")
	return b.Bytes()
}

// confCompare checks results against the record. whole says every test
// ran, so the totals compare too; a run of some tests (-conformance.match)
// compares those tests only.
func confCompare(t *testing.T, recorded, results map[string]confResult, whole bool) {
	var regressed, gained, changed []string
	for _, name := range slices.Sorted(maps.Keys(results)) {
		now, then := results[name], recorded[name]
		switch {
		case then.Class == "":
			changed = append(changed, fmt.Sprintf("%s: new test, %s", name, now.Class))
		case then.Class == confAgree && now.Class != confAgree:
			regressed = append(regressed, fmt.Sprintf("%s: %s (%s)", name, now.Class, now.Reason))
		case then.Class != confAgree && now.Class == confAgree:
			gained = append(gained, fmt.Sprintf("%s: was %s (%s)", name, then.Class, then.Reason))
		case now != then:
			changed = append(changed, fmt.Sprintf("%s: %s (%s), was %s (%s)", name, now.Class, now.Reason, then.Class, then.Reason))
		}
	}
	if whole {
		for name := range recorded {
			if _, ok := results[name]; !ok {
				changed = append(changed, name+": no longer in truth.json")
			}
		}
	}
	list := func(title string, items []string) string {
		return fmt.Sprintf("%s (%d):\n  %s", title, len(items), strings.Join(items, "\n  "))
	}
	if len(changed) > 0 {
		t.Log(list("changed, other than to or from agree", changed))
	}
	if len(gained) > 0 {
		t.Log(list("now agree", gained))
	}
	if len(regressed) > 0 {
		t.Log(list("agreed before, no longer agree", regressed))
	}

	worse := len(regressed) > 0 // what a subset can tell
	if whole {
		now, then := confSummarize(results), confSummarize(recorded)
		worse = now.Agree < then.Agree || now.AllSkipped > then.AllSkipped
		if worse {
			t.Errorf("conformance fell: %s; recorded: %s (the changed tests are listed above)", now.line(), then.line())
		} else if len(regressed) > 0 {
			t.Logf("%d tests no longer agree, but the totals did not fall (%s)", len(regressed), now.line())
		}
		if !worse && (now.Agree > then.Agree || now.AllSkipped < then.AllSkipped || len(gained) > 0 || len(changed) > 0) {
			t.Logf("the results changed (recorded: %s); record them with: go test -count=1 -run '^TestConformance$' ./cmd/ipsreplay/ -update", then.line())
		}
		return
	}
	if worse {
		t.Errorf("%d of the tests run agreed before and no longer agree (listed above)", len(regressed))
	}
}

// TestConfYAMLSets: a test's suricata.yaml gives its action-order and
// packet-alert-max, and nothing else, as --set options.
func TestConfYAMLSets(t *testing.T) {
	tests := []struct {
		yaml string
		want string
	}{
		{"%YAML 1.1\n---\naction-order:\n  - alert\n  - pass\n  - drop\n  - reject\noutputs:\n  - eve-log:\n      enabled: yes\n",
			"--set rules.action_order=alert pass drop reject"},
		{"%YAML 1.1\n---\n# a comment\npacket-alert-max: 3\nvars:\n  address-groups:\n    HOME_NET: any\n",
			"--set rules.packet_alert_max=3"},
		{"%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: any\n", ""},
	}
	for _, tt := range tests {
		file := filepath.Join(t.TempDir(), "suricata.yaml")
		if err := os.WriteFile(file, []byte(tt.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(confYAMLSets(file), " "); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.yaml, got, tt.want)
		}
	}
	if got := confYAMLSets(filepath.Join(t.TempDir(), "none.yaml")); got != nil {
		t.Errorf("no file: %q", got)
	}
}

// confThresholdArgs gives the test folder's threshold.config to
// --threshold-file, as Suricata read it (threshold-file), in place of the
// --exclude truth.json passes for suppress-only files, and the address
// groups of the test's suricata.yaml (other than HOME_NET and
// EXTERNAL_NET, which keep ipsreplay's) to --address-group, for the
// $VARIABLES the file or the rules name.
func confThresholdArgs(dir string, args []string) []string {
	file := filepath.Join(dir, "threshold.config")
	if _, err := os.Stat(file); err != nil {
		return args
	}
	out := make([]string, 0, len(args)+4)
	for i := 0; i < len(args); i++ {
		if args[i] == "--exclude" && i+1 < len(args) && args[i+1] == file {
			i++
			continue
		}
		out = append(out, args[i])
	}
	extra := []string{"--threshold-file", file}
	var conf struct {
		Vars struct {
			AddressGroups map[string]string `yaml:"address-groups"`
		} `yaml:"vars"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "suricata.yaml")); err == nil && yaml.Unmarshal(raw, &conf) == nil {
		for _, name := range slices.Sorted(maps.Keys(conf.Vars.AddressGroups)) {
			if name != "HOME_NET" && name != "EXTERNAL_NET" {
				extra = append(extra, "--address-group", name+"="+conf.Vars.AddressGroups[name])
			}
		}
	}
	// before the pcap, the last argument
	return append(append(out[:len(out)-1:len(out)-1], extra...), out[len(out)-1])
}
