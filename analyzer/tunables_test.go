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
