package expect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any expectation file is parsed or refused with an error
// naming it, and one that parses survives Marshal: written back and read
// again it says the same.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../pcaps/*" + Suffix)
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"captures": ["a.pcap", "b.pcap"], "options": {"exclude": "x.txt", "autoblock": "10m", "home_net": "10.0.0.0/8", "set": ["port_scan.vertical_threshold=20"]},
		"signatures": [{"sid": 9000002, "alerts": 1, "attackers": ["203.0.113.88"]}, {"sid": 1, "min_alerts": 2}],
		"blocked": ["203.0.113.88"], "false_positives": [{"host": "10.0.0.9", "verdict": "scanner", "min_confidence": "medium"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "case" + Suffix
		e, err := Parse(name, data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		again, err := Parse(name, e.Marshal())
		if err != nil {
			t.Fatalf("a parsed expectation does not parse once written: %v\n%s", err, e.Marshal())
		}
		if Summary(again) != Summary(e) {
			t.Fatalf("written and read again: %q, was %q", Summary(again), Summary(e))
		}
	})
}
