package rules

import "testing"

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
