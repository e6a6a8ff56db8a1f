package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestEVEFieldsAgainstSuricata compares the fields of our EVE alert and
// flow records with what the suricata-verify tests
// (../shared/suricata-verify) expect of Suricata's: each alert or flow
// filter of a test's checks that applies to Suricata 7.0.10 (its
// requires: and the test's) names the alert by signature id, addresses
// and ports (a flow by protocol, addresses and ports), and expects fields
// of it (alert.rev, alert.category, app_proto, pkt_src,
// flow.pkts_toserver, flow.state, ...). The test's pcap is analysed with its rules as TestConformance
// does, -f eve with flow and Community ID output, and each expected field
// of the alerts found is compared.
//
// A field counts as agreeing when as many of the alerts found carry the
// expected value as the filter expects (or all of them, when fewer fire).
// Filters whose alert does not fire here are counted apart (TestConformance
// measures that), and so are fields of what we document as not produced
// (docs/eve.md: http.*, tx_id, payload, ...). The results are recorded in
// testdata/evefields.json (go test -run TestEVEFieldsAgainstSuricata
// -update rewrites it); the test fails when a recorded agreement turns
// into a disagreement, and logs the totals and every disagreement.
func TestEVEFieldsAgainstSuricata(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few hundred suricata-verify cases")
	}
	truth := confLoadTruth(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range truth.Tests {
			if !yield(n) {
				return
			}
		}
	})
	results := map[string]string{} // "case field#n" -> "agree" or the disagreement
	var cases, filters, noAlert int
	notProduced := map[string]int{}
	for _, name := range names {
		c := truth.Tests[name]
		dir := filepath.Join(confDir, name)
		checks, ok := eveFieldChecks(t, filepath.Join(dir, "test.yaml"))
		if !ok || len(checks) == 0 {
			continue
		}
		recs, err := eveFieldRun(dir, c)
		if err != nil {
			continue // refused or failed: TestConformance reports it
		}
		cases++
		for i, ch := range checks {
			filters++
			found := eveFieldFind(recs, ch.identity)
			if len(found) == 0 {
				noAlert++
				continue
			}
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range ch.fields {
					if !yield(k) {
						return
					}
				}
			}) {
				if !eveFieldProduced(k) {
					notProduced[eveFieldKind(k)]++
					continue
				}
				want := svCanon(ch.fields[k])
				var agree int
				var got []string
				for _, r := range found {
					v, ok := eveFieldValue(r, k)
					s := "(absent)"
					if ok {
						s = svCanon(v)
					}
					if s == want {
						agree++
					}
					got = append(got, s)
				}
				key := fmt.Sprintf("%s #%d %s", name, i+1, k)
				if agree >= min(ch.count, len(found)) {
					results[key] = "agree"
				} else {
					results[key] = fmt.Sprintf("want %s, got %s", want, strings.Join(eveFieldUniq(got), " | "))
				}
			}
		}
	}
	if cases == 0 {
		t.Fatal("no suricata-verify case with alert field checks could be run")
	}

	perKind := map[string][2]int{}
	var disagree []string
	for key, r := range results {
		kind := eveFieldKind(key[strings.LastIndex(key, " ")+1:])
		n := perKind[kind]
		n[1]++
		if r == "agree" {
			n[0]++
		} else {
			disagree = append(disagree, key+": "+r)
		}
		perKind[kind] = n
	}
	sort.Strings(disagree)
	var lines []string
	agreeAll := 0
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range perKind {
			if !yield(k) {
				return
			}
		}
	}) {
		lines = append(lines, fmt.Sprintf("  %-22s %3d of %3d agree", k, perKind[k][0], perKind[k][1]))
		agreeAll += perKind[k][0]
	}
	var np []string
	for k, n := range notProduced {
		np = append(np, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(np)
	t.Logf("%d cases, %d alert filters (%d whose alert does not fire here); %d of %d fields agree:\n%s\nnot produced: %s\ndisagreements:\n  %s",
		cases, filters, noAlert, agreeAll, len(results), strings.Join(lines, "\n"), strings.Join(np, ", "), strings.Join(disagree, "\n  "))

	const record = "testdata/evefields.json"
	if *update {
		out, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(record, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("%v (go test -run TestEVEFieldsAgainstSuricata -update records it)", err)
	}
	var recorded map[string]string
	if err := json.Unmarshal(raw, &recorded); err != nil {
		t.Fatalf("%s: %v", record, err)
	}
	gained := 0
	for key, r := range recorded {
		now, ok := results[key]
		switch {
		case r == "agree" && now != "agree":
			if !ok {
				now = "no longer compared (the alert no longer fires, or the case fails)"
			}
			t.Errorf("%s agreed with Suricata and now does not: %s", key, now)
		case r != "agree" && now == "agree":
			gained++
		}
	}
	if gained > 0 {
		t.Logf("%d fields now agree that did not: record them with -update", gained)
	}
}

// eveFieldCheck is one alert filter: the keys that name the alert, the
// fields expected of it, and how many alerts it expects.
type eveFieldCheck struct {
	identity map[string]any
	fields   map[string]any
	count    int
}

// eveFieldIdentity are the filter keys that say which alert is meant.
var eveFieldIdentity = map[string]bool{
	"event_type": true, "alert.signature_id": true, "src_ip": true, "dest_ip": true,
	"src_port": true, "dest_port": true, "proto": true, "direction": true,
}

// eveSuricataVersion is the Suricata the truth comes from.
var eveSuricataVersion = []int{7, 0, 10}

// eveFieldChecks reads the alert filters of a test.yaml that apply to
// Suricata 7.0.10 and expect at least one field besides the alert's
// identity; ok is false when the test as a whole needs another version.
func eveFieldChecks(t *testing.T, file string) ([]eveFieldCheck, bool) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	type requires struct {
		MinVersion string `yaml:"min-version"`
		LtVersion  string `yaml:"lt-version"`
	}
	var doc struct {
		Requires requires `yaml:"requires"`
		Checks   []struct {
			Filter *struct {
				Requires requires       `yaml:"requires"`
				Count    *int           `yaml:"count"`
				Match    map[string]any `yaml:"match"`
			} `yaml:"filter"`
		} `yaml:"checks"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, false
	}
	applies := func(r requires) bool {
		return (r.MinVersion == "" || eveVersionCmp(r.MinVersion) <= 0) && (r.LtVersion == "" || eveVersionCmp(r.LtVersion) > 0)
	}
	if !applies(doc.Requires) {
		return nil, false
	}
	var out []eveFieldCheck
	for _, ch := range doc.Checks {
		f := ch.Filter
		if f == nil || f.Count == nil || *f.Count == 0 || !applies(f.Requires) {
			continue
		}
		m := svFlatten("", f.Match)
		switch et, _ := m["event_type"].(string); et {
		case "flow":
			if _, ok := m["proto"]; !ok {
				continue // which flow is meant would be a guess
			}
		case "alert", "":
			if _, ok := m["alert.signature_id"]; !ok {
				continue // which alert is meant would be a guess
			}
			m["event_type"] = "alert"
		default:
			continue
		}
		c := eveFieldCheck{identity: map[string]any{}, fields: map[string]any{}, count: *f.Count}
		for k, v := range m {
			if eveFieldIdentity[k] {
				c.identity[k] = v
			} else {
				c.fields[k] = v
			}
		}
		if len(c.fields) > 0 {
			out = append(out, c)
		}
	}
	return out, true
}

// eveVersionCmp compares a dotted version with 7.0.10: negative when
// older, 0 when equal, positive when newer.
func eveVersionCmp(v string) int {
	parts := strings.Split(strings.TrimSpace(v), ".")
	for i := 0; i < 3; i++ {
		n := 0
		if i < len(parts) {
			n, _ = strconv.Atoi(parts[i])
		}
		if n != eveSuricataVersion[i] {
			return n - eveSuricataVersion[i]
		}
	}
	return 0
}

// eveFieldRun analyses a case as TestConformance does, writing EVE with
// flows and Community IDs, and returns its alert records.
func eveFieldRun(dir string, c confTruth) ([]map[string]any, error) {
	args := confThresholdArgs(dir, confArgs(dir, c))
	for i := range args {
		if args[i] == "-f" && i+1 < len(args) {
			args[i+1] = "eve"
		}
	}
	// no autoblock: Suricata has none, and a block makes alert.action "blocked"
	args = append(args[:len(args)-1], "--autoblock", "0", "--eve-types", "alert,flow", "--community-id", args[len(args)-1])
	ctx, cancel := context.WithTimeout(context.Background(), confTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := Main(ctx, args, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		return nil, fmt.Errorf("exit %d: %s", code, stderr.String())
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("bad EVE line %q: %v", line, err)
		}
		if et := rec["event_type"]; et == "alert" || et == "flow" {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// eveFieldFind are the records whose identity keys all match.
func eveFieldFind(recs []map[string]any, identity map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		ok := true
		for k, want := range identity {
			v, has := eveFieldValue(r, k)
			if !has || svCanon(v) != svCanon(want) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// eveFieldValue walks a dotted key ("flow.pkts_toserver",
// "alert.metadata.tag[0]") into a record.
func eveFieldValue(rec map[string]any, key string) (any, bool) {
	var cur any = rec
	for _, part := range strings.Split(key, ".") {
		idx := -1
		if i := strings.IndexByte(part, '['); i > 0 && strings.HasSuffix(part, "]") {
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
			part = part[:i]
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
		if idx >= 0 {
			arr, ok := cur.([]any)
			if !ok || idx >= len(arr) {
				return nil, false
			}
			cur = arr[idx]
		}
	}
	return cur, true
}

// eveFieldProduced reports a key of a field our alert records carry;
// docs/eve.md lists what they do not (app-layer objects, tx_id, payload,
// the alert's references and xff, tunnel and tcp objects, ...).
func eveFieldProduced(key string) bool {
	switch key {
	case "pcap_cnt", "app_proto", "pkt_src", "community_id", "flow_id",
		"flow.end", "flow.age", "flow.state", "flow.reason", "flow.alerted",
		"alert.action", "alert.gid", "alert.rev", "alert.signature", "alert.category", "alert.severity",
		"flow.pkts_toserver", "flow.pkts_toclient", "flow.bytes_toserver", "flow.bytes_toclient", "flow.start",
		"flow.src_ip", "flow.dest_ip", "flow.src_port", "flow.dest_port":
		return true
	}
	return strings.HasPrefix(key, "alert.metadata.")
}

// eveFieldKind groups keys for the totals: alert.metadata.* as one.
func eveFieldKind(key string) string {
	if strings.HasPrefix(key, "alert.metadata.") {
		return "alert.metadata"
	}
	if i := strings.IndexByte(key, '.'); i > 0 && !eveFieldProduced(key) {
		return key[:i] + ".*"
	}
	return key
}

func eveFieldUniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
