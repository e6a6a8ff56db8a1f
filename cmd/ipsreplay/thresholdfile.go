package main

// --threshold-file and --address-group: Suricata's threshold.config and
// the rule variables it and the rules may name.

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// ruleVars are the rule variables of a run: the defaults, $HOME_NET from
// home and each --address-group.
func ruleVars(opts SignatureOptions, home analyzer.HomeNet) (rules.Vars, error) {
	v := home.RuleVars()
	for _, g := range rejoinLists(opts.AddressGroups) {
		name, value, ok := strings.Cut(g, "=")
		name, value = strings.TrimPrefix(strings.TrimSpace(name), "$"), strings.TrimSpace(value)
		switch {
		case !ok || name == "" || value == "":
			return v, usagef("--address-group %q: want NAME=VALUE, e.g. DNS_SERVERS=[10.0.0.53,10.0.1.53]", g)
		case name == "HOME_NET":
			return v, usagef("--address-group %s: the home network is set with --home-net", g)
		}
		v.Addr[name] = value
	}
	// after all of them: a group may name one given later
	if err := v.Validate(); err != nil {
		return v, usagef("--address-group: %v", err)
	}
	return v, nil
}

// loadThresholdFile reads a threshold file with the run's rule
// variables. Lines Suricata 7 ignores, and lines naming a sid no loaded
// rule has (Suricata: "unknown rule"), are warned about on stderr.
func loadThresholdFile(path string, opts SignatureOptions, home analyzer.HomeNet, loaded []*rules.Rule, stderr io.Writer) ([]rules.GlobalEntry, error) {
	vars, err := ruleVars(opts, home)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &inputError{fmt.Errorf("threshold file: %w", err)}
	}
	defer f.Close()
	// A regular file past the cap is refused by its size; ParseThresholdFile
	// stops anything else (a FIFO, /dev/zero) at the cap.
	if _, err := capped.Check(f, "a threshold file", capped.ListBytes); err != nil {
		return nil, &inputError{fmt.Errorf("%s: %w", path, err)}
	}
	tf, err := rules.ParseThresholdFile(path, f, vars)
	if err != nil {
		return nil, &inputError{err}
	}
	if stderr != nil {
		for _, w := range tf.Warnings {
			errorLine(stderr, "warning: %s", w)
		}
		type gidSID struct{ gid, sid uint32 }
		have := make(map[gidSID]bool, len(loaded))
		for _, r := range loaded {
			have[gidSID{r.GID, r.SID}] = true
		}
		for _, e := range tf.Entries {
			if e.SID != 0 && !have[gidSID{e.GID, e.SID}] {
				errorLine(stderr, "warning: %s: %s for gen_id %d, sig_id %d: no such rule is loaded; the line changes nothing", e.Where, e.Kind, e.GID, e.SID)
			}
		}
	}
	return tf.Entries, nil
}

// rejoinLists undoes the slice flag's split at commas: a piece without
// "=" belongs to the previous NAME=VALUE, whose list it continues
// ("N=[10.0.0.0/8", "20.0.0.0/16]" is N=[10.0.0.0/8,20.0.0.0/16]).
func rejoinLists(pieces []string) []string {
	var out []string
	for _, p := range pieces {
		if len(out) > 0 && !strings.Contains(p, "=") {
			out[len(out)-1] += "," + p
			continue
		}
		out = append(out, p)
	}
	return out
}
