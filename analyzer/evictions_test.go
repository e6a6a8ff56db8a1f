package analyzer

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every key an eviction warning advises is one --set knows: set to its
// default, it is accepted.
func TestEvictionKeysExist(t *testing.T) {
	def := DefaultTunables()
	raw, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	for reason, keys := range evictionKeys {
		for _, key := range keys {
			section, name, _ := strings.Cut(key, ".")
			sec, _ := tree[section].(map[string]any)
			v, ok := sec[name]
			if !ok {
				t.Errorf("%s: advises %s, no such parameter", reason, key)
				continue
			}
			val, _ := json.Marshal(v)
			tu := DefaultTunables()
			if err := tu.Set(key + "=" + strings.Trim(string(val), `"`)); err != nil {
				t.Errorf("%s: --set %s: %v", reason, key, err)
			}
		}
	}
}

// Every detector's eviction reason has its keys, so its warning advises
// them rather than saying the cap is fixed.
func TestEvictionKeysCoverDetectors(t *testing.T) {
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range e.dets {
		if _, ok := evictionKeys[d.Name()+" state"]; !ok {
			t.Errorf("detector %s: no keys for its eviction warning", d.Name())
		}
	}
}

func TestEvictionWarning(t *testing.T) {
	tests := []struct {
		ev   ReasonCount
		want string
	}{
		{ReasonCount{Reason: "half-open TCP connections", Count: 3},
			"half-open TCP connections: 3 entries evicted at the table cap; detections may be undercounted (raise it with --set flows.max_half_open=N)"},
		{ReasonCount{Reason: "bruteforce state", Count: 1},
			"bruteforce state: 1 entries evicted at the table cap; detections may be undercounted (raise them with --set: brute_force.max_tracked, brute_force.max_conns)"},
		{ReasonCount{Reason: "IP fragments", Count: 2},
			"IP fragments: 2 entries evicted at the table cap; detections may be undercounted (the cap is fixed)"},
	}
	for _, tt := range tests {
		if got := evictionWarning(tt.ev); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
