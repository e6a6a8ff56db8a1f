package report

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func TestEventLine(t *testing.T) {
	at := analyzer.TimeOf(time.Date(2026, 3, 2, 9, 0, 24, 611_222_333, time.UTC))
	scan := &analyzer.Alert{
		SID: 9000002, Name: "Attack: Port Scan", Attacker: netip.MustParseAddr("203.0.113.66"), Victim: analyzer.MustParseHost("192.168.1.20"),
		Kind: "vertical", Detail: "15 distinct ports in 316ms (SYN probes), 14 answered closed",
	}
	tests := []struct {
		name string
		ev   analyzer.Event
		want string
	}{
		{"alert", analyzer.Event{Type: analyzer.EventAlert, Time: at, Alert: scan},
			"2026-03-02T09:00:24.611Z ALERT 9000002 Attack: Port Scan 203.0.113.66 -> 192.168.1.20 (vertical) 15 distinct ports in 316ms (SYN probes), 14 answered closed"},
		{"block", analyzer.Event{Type: analyzer.EventBlock, Time: at, Host: analyzer.MustParseHost("203.0.113.66"), Until: analyzer.TimeOf(at.Add(10 * time.Minute)), SID: 9000002},
			"2026-03-02T09:00:24.611Z BLOCK 203.0.113.66 until 09:10:24.611Z (9000002)"},
		{"block extended past midnight", analyzer.Event{Type: analyzer.EventBlock, Time: analyzer.TimeOf(at.Add(-9*time.Hour - 5*time.Minute)),
			Host: analyzer.MustParseHost("2001:db8::66"), Until: analyzer.TimeOf(at.Add(-9*time.Hour + 5*time.Minute)), SID: 9000004, Extended: true},
			"2026-03-01T23:55:24.611Z BLOCK 2001:db8::66 extended until 2026-03-02T00:05:24.611Z (9000004)"},
		{"unblock", analyzer.Event{Type: analyzer.EventUnblock, Time: analyzer.TimeOf(at.Add(10 * time.Minute)), Host: analyzer.MustParseHost("203.0.113.66")},
			"2026-03-02T09:10:24.611Z UNBLOCK 203.0.113.66"},
		{"spoofed flood with a port", analyzer.Event{Type: analyzer.EventAlert, Time: at, Alert: &analyzer.Alert{
			SID: 9000001, Name: "Attack: TCP SYN Flood", Victim: analyzer.MustParseHost("2001:db8::10"), VictimPort: 80, Kind: "spoofed",
			Detail: "200 half-open SYNs", Spoofed: true}},
			"2026-03-02T09:00:24.611Z ALERT 9000001 Attack: TCP SYN Flood (spoofed sources) -> [2001:db8::10]:80 (spoofed) 200 half-open SYNs"},
		{"MAC attacker", analyzer.Event{Type: analyzer.EventAlert, Time: at, Alert: &analyzer.Alert{
			SID: 9000003, Name: "Attack: ARP Cache Poisoning", AttackerMAC: testMAC("00:0c:29:aa:bb:cc"), Victim: analyzer.MustParseHost("192.168.1.1"),
			Detail: "gratuitous"}},
			"2026-03-02T09:00:24.611Z ALERT 9000003 Attack: ARP Cache Poisoning 00:0c:29:aa:bb:cc -> 192.168.1.1 gratuitous"},
		{"packet text escaped", analyzer.Event{Type: analyzer.EventAlert, Time: at, Alert: &analyzer.Alert{
			SID: 9000004, Name: "Attack: Brute Force Remote Login", Attacker: netip.MustParseAddr("203.0.113.77"), Victim: analyzer.MustParseHost("192.168.1.22"), VictimPort: 21,
			Detail: "user \"root\x1b[31m\"\n\xff é"}},
			`2026-03-02T09:00:24.611Z ALERT 9000004 Attack: Brute Force Remote Login 203.0.113.77 -> 192.168.1.22:21 user "root\x1b[31m"\n\xff \u00e9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EventLine(tt.ev); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
