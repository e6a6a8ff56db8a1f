package analyzer

import (
	"strings"
	"testing"
)

// FuzzTunables: a config file and a --set assignment, over the defaults:
// refused with an error naming the file or the key, or accepted only when
// the result validates.
func FuzzTunables(f *testing.F) {
	f.Add([]byte(`{"port_scan": {"vertical_threshold": 20}, "flows": {"idle_timeout": "5m"}, "report": {"max_alerts": 10}}`), "port_scan.vertical_threshold=20")
	f.Add([]byte(`{"network": {"home_net": "[10.0.0.0/8,!10.1.0.0/16]"}, "capture": {"max_time_jump": "1h"}}`), "rules.max_rules=1000")
	f.Add([]byte(`{}`), "report.max_alerts=0")
	f.Add([]byte(`{"flows": {"hold_memcap": 99999999999999}}`), "autoblock.max_hosts=-1")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		tun, err := ParseTunables("fuzz.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := tun.Set(set); err == nil {
			if err := tun.Validate(); err != nil {
				t.Fatalf("--set %q accepted a value Validate refuses: %v", set, err)
			}
		}
	})
}

// FuzzParseHosts: addresses, networks, MACs, home networks and times as
// flags and lists write them. What parses renders back to itself.
func FuzzParseHosts(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "2001:db8::1", "10.0.0.0/8", "00:1c:42:8d:13:6f", "spoofed", "",
		"[10.0.0.0/8,!10.1.0.0/16,192.168.0.0/16]", "2026-03-02T09:00:00Z", "2026-03-02 09:00:00.5", "::ffff:10.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h, err := ParseHost(s); err == nil {
			again, err := ParseHost(h.String())
			if err != nil || again != h {
				t.Fatalf("ParseHost(%q) = %v; its text %q reads back as %v, %v", s, h, h.String(), again, err)
			}
		}
		if m, err := ParseMAC(s); err == nil && m.IsValid() {
			if again, err := ParseMAC(m.String()); err != nil || again != m {
				t.Fatalf("ParseMAC(%q) = %v reads back as %v, %v", s, m, again, err)
			}
		}
		if hn, err := ParseHomeNet(s); err == nil {
			if _, err := ParseHomeNet(hn.String()); err != nil {
				t.Fatalf("ParseHomeNet(%q) = %q does not read back: %v", s, hn.String(), err)
			}
		}
		_, _ = ParseTime(s)
	})
}
