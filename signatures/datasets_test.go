package signatures

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// A rule whose dataset cannot be set up fails, as in Suricata, and the
// rest of the file loads; skipped lines of set files are warnings.
func TestLoadSetDatasets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bl.lst", "ZXZpbC5leGFtcGxl\nnot base64!\n")
	write("test.rules", strings.Join([]string{
		`alert dns any any -> any any (dns.query; dataset:isset,bl,type string,load bl.lst; sid:1;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,bl,type md5; sid:2;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,missing,type string,load none.lst; sid:3;)`,
		`alert dns any any -> any any (dns.query; datarep:bl, >, 1; sid:4;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,yaml-only; sid:5;)`,
	}, "\n"))
	s, err := LoadSet(SetOptions{NoDefault: true, RuleFiles: []string{filepath.Join(dir, "test.rules")}, Vars: rules.DefaultVars()})
	if err != nil {
		t.Fatal(err)
	}
	var active, failed []uint32
	for _, r := range s.Rules {
		active = append(active, r.SID)
	}
	for _, e := range s.Failed {
		failed = append(failed, e.SID)
	}
	if len(active) != 2 || active[0] != 1 || active[1] != 4 || len(failed) != 2 || failed[0] != 2 || failed[1] != 3 {
		t.Errorf("active %v, failed %v; want [1 4], [2 3]", active, failed)
	}
	if len(s.Skipped) != 1 || s.Skipped[0].SID != 5 {
		t.Errorf("skipped %+v, want sid 5 (a set from suricata.yaml)", s.Skipped)
	}
	warned := false
	for _, w := range s.Warnings {
		warned = warned || strings.Contains(w, filepath.Join(dir, "bl.lst")+":2: dataset bl: bad base64")
	}
	if !warned {
		t.Errorf("no warning for bl.lst:2 in %q", s.Warnings)
	}
}
