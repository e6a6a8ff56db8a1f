package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestEVEFlags: the EVE options reach the output, from the flags or the
// config's eve section, and bad values are usage errors naming the flag.
func TestEVEFlags(t *testing.T) {
	const pcap = "../../pcaps/scanner-internal.pcap"
	tests := []struct {
		name  string
		args  []string
		types map[string]bool // event types present
		cid   bool            // alerts carry community_id
	}{
		{"default", nil, map[string]bool{"alert": true}, false},
		{"all types", []string{"--eve-types", "alert,flow,stats"}, map[string]bool{"alert": true, "flow": true, "stats": true}, false},
		{"stats only", []string{"--eve-types", "stats"}, map[string]bool{"stats": true}, false},
		{"community id", []string{"--community-id"}, map[string]bool{"alert": true}, true},
		{"from the config keys", []string{"--set", "eve.types=alert flow", "--set", "eve.community_id=true"},
			map[string]bool{"alert": true, "flow": true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"analyze", "--no-progress", "--autoblock", "0", "-f", "eve"}, tt.args...), pcap)
			r := runArgs(t, args...)
			r.wantCode(t, exitOK)
			seen := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("bad line %q: %v", line, err)
				}
				typ, _ := rec["event_type"].(string)
				if strings.HasPrefix(typ, "ipsreplay_") {
					typ = "alert" // ours come with alerts
				}
				seen[typ] = true
				if _, has := rec["community_id"]; typ == "alert" && rec["flow"] != nil && has != tt.cid {
					t.Errorf("alert community_id present %v, want %v: %s", has, tt.cid, line)
				}
			}
			for typ := range seen {
				if !tt.types[typ] {
					t.Errorf("records of type %q written", typ)
				}
			}
			for typ := range tt.types {
				if !seen[typ] {
					t.Errorf("no record of type %q", typ)
				}
			}
		})
	}
	for _, bad := range [][]string{
		{"--eve-types", "alert,drop"},
		{"--eve-types", ""},
		{"--community-id-seed", "65536"},
		{"--set", "eve.types=http"},
	} {
		r := runArgs(t, append(append([]string{"analyze", "--no-progress", "-f", "eve"}, bad...), pcap)...)
		r.wantCode(t, exitInput)
		if flag := bad[0]; flag != "--set" && !strings.Contains(r.stderr, flag) {
			t.Errorf("%v: the error does not name %s: %s", bad, flag, r.stderr)
		}
	}
}
