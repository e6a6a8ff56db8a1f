package analyzer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// TestSimulateIPS: a drop rule's alert says the packet was dropped only
// in IPS mode, a reject's in both; IPS mode counts the dropped packets of
// the flow the IP-only drop dropped; IDS mode has no IPS summary.
func TestSimulateIPS(t *testing.T) {
	tests := []struct {
		name     string
		rules    string
		ips      bool
		action   string
		dropped  bool
		pkts     uint64 // Summary.IPS.DroppedPackets; ^0 for no IPS summary
		flows    uint64
		nAlerts  int
		autoblkd bool
	}{
		{"alert rule, IDS", `alert tcp any any -> any 80 (content:"attack"; sid:1;)`, false, "", false, ^uint64(0), 0, 1, false},
		{"drop rule, IDS", `drop tcp any any -> any 80 (content:"attack"; sid:1;)`, false, "drop", false, ^uint64(0), 0, 1, false},
		{"drop rule, IPS: the packet", `drop tcp any any -> any 80 (content:"attack"; sid:1;)`, true, "drop", true, 1, 0, 1, false},
		{"reject rule, IDS", `reject tcp any any -> any 80 (content:"attack"; sid:1;)`, false, "reject", true, ^uint64(0), 0, 1, false},
		// the IP-only drop matches the SYN: the whole connection is
		// dropped (handshake, two data segments), one alert
		{"IP-only drop, IPS: the flow", `drop tcp any any -> any 80 (sid:1;)`, true, "drop", true, 5, 1, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			rulesFile, c, conn := rsWeb(t, dir, tt.rules+"\n")
			conn.send(2*time.Second, true, []byte("GET /attack HTTP/1.0\r\n\r\n"))
			conn.send(3*time.Second, true, []byte("more"))
			path := filepath.Join(dir, "ips.pcap")
			c.write(path)
			set, err := signatures.LoadSet(signatures.SetOptions{NoDefault: true, RuleFiles: []string{rulesFile}, Vars: rules.DefaultVars()})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := DefaultConfig()
			if err != nil {
				t.Fatal(err)
			}
			cfg.Signatures, cfg.NoBuiltins, cfg.Autoblock, cfg.SimulateIPS = set, true, 0, tt.ips
			res, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Alerts) != tt.nAlerts {
				t.Fatalf("%d alerts, want %d: %+v", len(res.Alerts), tt.nAlerts, res.Alerts)
			}
			a := res.Alerts[0]
			if a.Action != tt.action || a.Dropped != tt.dropped || a.Blocked != tt.autoblkd {
				t.Errorf("alert action %q dropped %v blocked %v, want %q %v %v", a.Action, a.Dropped, a.Blocked, tt.action, tt.dropped, tt.autoblkd)
			}
			switch ips := res.Summary.IPS; {
			case tt.pkts == ^uint64(0):
				if ips != nil {
					t.Errorf("IDS mode has an IPS summary: %+v", *ips)
				}
			case ips == nil:
				t.Errorf("IPS mode has no IPS summary")
			case ips.DroppedPackets != tt.pkts || ips.DroppedFlows != tt.flows:
				t.Errorf("IPS summary %+v, want %d packets, %d flows", *ips, tt.pkts, tt.flows)
			}
		})
	}
}
