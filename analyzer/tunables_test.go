package analyzer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadTunablesCap: a config file past capped.ConfigBytes is an error
// naming it and the cap; /dev/zero is read only up to the cap (it reached
// GBs), a sparse 1 TB file not at all.
func TestLoadTunablesCap(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.json")
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(ok, []byte(`{"syn_flood": {"threshold": 500}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A JSON file of 1 MiB and one byte: valid JSON all through, so only
	// the cap can refuse it.
	if err := os.WriteFile(big, []byte("{}"+strings.Repeat(" ", 1<<20-1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.json")
	if err := os.WriteFile(sparse, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 1<<40); err != nil {
		t.Fatal(err)
	}
	paths := []string{big, sparse}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		_, err := LoadTunables(p)
		if want := p + ": larger than 1 MiB, the cap for a config file"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if tn, err := LoadTunables(ok); err != nil || tn.SynFlood.Threshold != 500 {
		t.Errorf("ok.json: %v", err)
	}
}

func TestEVEConfig(t *testing.T) {
	for _, tt := range []struct {
		c       EVEConfig
		ok      bool
		hasFlow bool
	}{
		{DefaultEVEConfig(), true, false},
		{EVEConfig{Types: "alert,flow"}, true, true},
		{EVEConfig{Types: "alert flow, stats"}, true, true},
		{EVEConfig{Types: "stats"}, true, false},
		{EVEConfig{Types: " , "}, false, false},
		{EVEConfig{Types: "alert,dns"}, false, false},
		{EVEConfig{Types: "alert", CommunityIDSeed: 65535}, true, false},
		{EVEConfig{Types: "alert", CommunityIDSeed: 65536}, false, false},
		{EVEConfig{Types: "alert", CommunityIDSeed: -1}, false, false},
	} {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok %v", tt.c, err, tt.ok)
		}
		if tt.ok && tt.c.Has("flow") != tt.hasFlow {
			t.Errorf("%+v: Has(flow) = %v", tt.c, !tt.hasFlow)
		}
	}
}
