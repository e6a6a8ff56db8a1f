package rules

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestClasstype(t *testing.T) {
	for _, tt := range []struct {
		name string
		prio int
	}{
		{"attempted-admin", 1}, {"attempted-recon", 2}, {"trojan-activity", 1}, {"web-application-attack", 1},
		{"misc-activity", 3}, {"bad-unknown", 2}, {"policy-violation", 1}, {"tcp-connection", 4}, {"NOT-SUSPICIOUS", 3},
	} {
		if p, ok := ClasstypePriority(tt.name); !ok || p != tt.prio {
			t.Errorf("ClasstypePriority(%q) = %d, %v; want %d", tt.name, p, ok, tt.prio)
		}
		if d, ok := ClasstypeDescription(tt.name); !ok || d == "" {
			t.Errorf("ClasstypeDescription(%q) = %q, %v", tt.name, d, ok)
		}
	}
	if _, ok := ClasstypePriority("made-up"); ok {
		t.Error("made-up classtype found")
	}
	if d, _ := ClasstypeDescription("attempted-admin"); d != "Attempted Administrator Privilege Gain" {
		t.Errorf("attempted-admin = %q", d)
	}
}

// TestClasstypesMatchSuricata compares every classification of the
// classification.config Suricata 7.0.10 ships (../shared/suricata) with
// ours, description (EVE's alert.category, letter for letter) and
// priority.
func TestClasstypesMatchSuricata(t *testing.T) {
	const file = "../../../shared/suricata/classification.config"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("no Suricata classification.config at %s (the shared reference files): %v", file, err)
	}
	n := 0
	for i, line := range strings.Split(string(raw), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "config classification:")
		if !ok {
			continue
		}
		f := strings.Split(rest, ",")
		if len(f) != 3 {
			t.Fatalf("%s:%d: %q is not name,description,priority", file, i+1, line)
		}
		name, desc := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		prio, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			t.Fatalf("%s:%d: priority %q: %v", file, i+1, f[2], err)
		}
		n++
		gotDesc, ok := ClasstypeDescription(name)
		gotPrio, _ := ClasstypePriority(name)
		if !ok || gotDesc != desc || gotPrio != prio {
			t.Errorf("%s: ours %q priority %d (known %v), Suricata's %q priority %d", name, gotDesc, gotPrio, ok, desc, prio)
		}
	}
	if n == 0 {
		t.Fatalf("%s has no classification", file)
	}
}
