package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// svDir holds test cases from Suricata's own suite (suricata-verify): a
// pcap, test.rules and test.yaml whose checks filter eve.json records.
const svDir = "../../../shared/corpus/suricata-verify"

// svCase is what test.yaml says; only the parts the comparison reads.
type svCase struct {
	Args   []string `yaml:"args"`
	Pcap   string   `yaml:"pcap"`
	Checks []struct {
		Filter *struct {
			Count *int           `yaml:"count"`
			Match map[string]any `yaml:"match"`
		} `yaml:"filter"`
	} `yaml:"checks"`
}

// svKnown are the comparable cases that disagree today, with why. The
// test fails when any other case disagrees, and when one of these starts
// to agree (take it off the list).
var svKnown = map[string]string{}

// svAlertCheck is one check on alert records: how many alerts match.
type svAlertCheck struct {
	count int
	match map[string]any
}

// TestSuricataVerify runs every suricata-verify case whose rules use only
// supported keywords through analyze (rules only, EVE output) and compares
// the alert counts its checks expect. Checks on other record types (http,
// flow, stats) have nothing to compare with and are left out; a case with
// no alert check is not counted. It prints "N of M cases agree" and why
// the rest do not run or disagree.
func TestSuricataVerify(t *testing.T) {
	if _, err := os.Stat(svDir); err != nil {
		t.Skipf("needs the suricata-verify cases ../shared/corpus/suricata-verify (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it): %v", err)
	}
	// a case is a directory holding test.yaml; some sit one level down
	var dirs []string
	filepath.WalkDir(svDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "test.yaml" {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	sort.Strings(dirs)
	var agree, compared int
	var notes []string
	for _, dir := range dirs {
		name, _ := filepath.Rel(svDir, dir)
		why, ok := svRun(t, dir)
		switch {
		case why == "":
			continue // nothing comparable
		case ok:
			agree++
			compared++
			if why, known := svKnown[name]; known {
				t.Errorf("%s now agrees with Suricata; take it off svKnown (%s)", name, why)
			}
		case strings.HasPrefix(why, "not run: "):
			notes = append(notes, fmt.Sprintf("%-45s %s", name, why))
		default:
			compared++
			if reason, known := svKnown[name]; known {
				notes = append(notes, fmt.Sprintf("%-45s known disagreement: %s", name, reason))
				continue
			}
			notes = append(notes, fmt.Sprintf("%-45s disagrees: %s", name, why))
			t.Errorf("%s disagrees with Suricata: %s", name, why)
		}
	}
	sort.Strings(notes)
	t.Logf("%d of %d cases agree\n%s", agree, compared, strings.Join(notes, "\n"))
	if compared == 0 {
		t.Fatal("no suricata-verify case could be compared")
	}
}

// svRun runs one case. It returns "" when the case has nothing to
// compare, a "not run: ..." reason, or the disagreement ("agree" when ok).
func svRun(t *testing.T, dir string) (string, bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "test.yaml"))
	if err != nil {
		return "not run: no test.yaml", false
	}
	var c svCase
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return "not run: test.yaml: " + err.Error(), false
	}
	var checks []svAlertCheck
	for _, ch := range c.Checks {
		if ch.Filter == nil || ch.Filter.Count == nil {
			continue
		}
		if et, _ := ch.Filter.Match["event_type"].(string); et != "" && et != "alert" {
			continue
		}
		if _, isAlert := ch.Filter.Match["event_type"]; !isAlert && !svAlertKeys(ch.Filter.Match) {
			continue
		}
		checks = append(checks, svAlertCheck{count: *ch.Filter.Count, match: ch.Filter.Match})
	}
	if len(checks) == 0 {
		return "", false
	}
	rulesFile := filepath.Join(dir, "test.rules")
	f, err := os.Open(rulesFile)
	if err != nil {
		return "not run: no test.rules", false
	}
	_, skipped, perr := rules.ParseFile(rulesFile, f, rules.DefaultVars())
	f.Close()
	switch {
	case perr != nil:
		return "not run: " + strings.ReplaceAll(perr.Error(), "\n", "; "), false
	case len(skipped) > 0:
		return fmt.Sprintf("not run: %s:%d uses %s", filepath.Base(skipped[0].File), skipped[0].Line, skipped[0].Reason), false
	}
	pcap := c.Pcap
	if pcap == "" {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.pcap"))
		if len(matches) != 1 {
			return "not run: no single pcap in the case", false
		}
		pcap = matches[0]
	} else {
		pcap = filepath.Join(dir, pcap)
	}
	args := []string{"analyze", "--no-builtins", "--rules", rulesFile, "--autoblock", "0", "--format", "eve"}
	for _, a := range c.Args {
		// the case's own settings that have an equivalent here
		if strings.Contains(a, "stream.midstream=true") {
			args = append(args, "--set", "flows.midstream=true")
		}
	}
	r := runArgs(t, append(args, pcap)...)
	if r.code != exitOK {
		return fmt.Sprintf("not run: analyze exit %d: %s", r.code, strings.TrimSpace(r.stderr)), false
	}
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber() // sids compare as "9000002", not 9.000002e+06
		if err := dec.Decode(&rec); err != nil {
			return "bad EVE line: " + line, false
		}
		if rec["event_type"] == "alert" {
			records = append(records, rec)
		}
	}
	var bad []string
	for _, ch := range checks {
		n := 0
		for _, rec := range records {
			if svMatches(rec, ch.match) {
				n++
			}
		}
		if n != ch.count {
			bad = append(bad, fmt.Sprintf("%v: %d alerts, want %d", ch.match, n, ch.count))
		}
	}
	if len(bad) > 0 {
		return strings.Join(bad, "; "), false
	}
	return "agree", true
}

// svAlertKeys reports a filter that reads alert fields without naming the
// event type.
func svAlertKeys(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "alert.") {
			return true
		}
	}
	return false
}

// svCompared are the filter keys our EVE alerts carry; a filter's other
// keys (pcap_cnt, src_port, http.*, tunnel.*, flow ids) describe what
// Suricata logs besides the alert and are not compared.
var svCompared = map[string]bool{
	"event_type": true, "src_ip": true, "dest_ip": true, "dest_port": true, "proto": true,
	"alert.signature_id": true, "alert.signature": true, "alert.gid": true, "alert.rev": true,
}

// svMatches applies one filter: dotted keys walk nested objects (a nested
// object in the filter is flattened the same way); values compare as text,
// addresses in their canonical form.
func svMatches(rec map[string]any, match map[string]any) bool {
	for k, want := range svFlatten("", match) {
		if !svCompared[k] {
			continue
		}
		var cur any = rec
		for _, part := range strings.Split(k, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			cur, ok = obj[part]
			if !ok {
				return false
			}
		}
		if svCanon(cur) != svCanon(want) {
			return false
		}
	}
	return true
}

func svFlatten(prefix string, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			for kk, vv := range svFlatten(prefix+k+".", sub) {
				out[kk] = vv
			}
			continue
		}
		out[prefix+k] = v
	}
	return out
}

// svCanon renders a value for comparison: "2001:0db8::0001" and
// "2001:db8::1" are the same address.
func svCanon(v any) string {
	s := fmt.Sprint(v)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}
