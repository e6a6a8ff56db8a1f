package signatures

import (
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/detectors"
)

func TestBuiltinCoversEveryDetector(t *testing.T) {
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, sid := range []uint32{detectors.SIDSynFlood, detectors.SIDPortScan, detectors.SIDARPPoison, detectors.SIDBruteForce} {
		s, ok := cat.Lookup(sid)
		if !ok || !strings.HasPrefix(s.Name, "Attack: ") || s.Description == "" {
			t.Errorf("sid %d: %+v, %v", sid, s, ok)
		}
	}
}

func TestAllCVEs(t *testing.T) {
	s := Signature{Name: "Attack: Log4j RCE cve-2021-44228", CVEs: []string{"CVE-2021-45046", "CVE-2021-44228"}}
	got := strings.Join(s.AllCVEs(), ",")
	if got != "CVE-2021-44228,CVE-2021-45046" {
		t.Errorf("AllCVEs = %s", got)
	}
	if len((Signature{Name: "Attack: Port Scan"}).AllCVEs()) != 0 {
		t.Error("no CVE expected")
	}
}

func TestParsePackErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"syntax", "{\n  \"pack\": \"x\",\n  \"version\" \"1\"\n}", "p.json: line 3 col 13"},
		{"type", `{"pack": "x", "version": "1", "released": "2026-01-01", "signatures": [{"sid": "one"}]}`, "line 1 col 85"},
		{"unknown field", `{"pack": "x", "version": "1", "released": "2026-01-01", "colour": "red"}`, `unknown field "colour"`},
		{"no version", `{"pack": "x", "released": "2026-01-01"}`, "name and version are required"},
		{"bad date", `{"pack": "x", "version": "1", "released": "01/02/2026"}`, "want YYYY-MM-DD"},
		{"no sid", `{"pack": "x", "version": "1", "released": "2026-01-01", "signatures": [{"name": "a", "severity": "low"}]}`, "signature 1 (sid 0): sid is required"},
		{"bad severity", `{"pack": "x", "version": "1", "released": "2026-01-01", "signatures": [{"sid": 5, "name": "a", "severity": "urgent"}]}`, `severity "urgent"`},
		{"bad cve", `{"pack": "x", "version": "1", "released": "2026-01-01", "signatures": [{"sid": 5, "name": "a", "severity": "low", "cve": ["2021-1"]}]}`, `cve "2021-1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePack("p.json", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCatalogRejectsDuplicateSIDs(t *testing.T) {
	p := &Pack{Name: "a", Signatures: []Signature{{SID: 1, Name: "x"}, {SID: 1, Name: "y"}}}
	if _, err := NewCatalog(p); err == nil || !strings.Contains(err.Error(), "duplicate signature id") {
		t.Fatalf("err = %v", err)
	}
}
