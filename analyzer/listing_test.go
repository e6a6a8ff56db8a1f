package analyzer

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bookAlert is an alert of sid from attacker to victim, its time n ms.
func bookAlert(sid uint32, attacker, victim string, n int) Alert {
	at := Time{testEpoch.Add(time.Duration(n) * time.Millisecond)}
	return Alert{SID: sid, Name: fmt.Sprint("sig ", sid), Attacker: netip.MustParseAddr(attacker),
		Victim: MustParseHost(victim), Time: at, First: at, Last: at, Kind: "rule"}
}

func TestAlertBookListing(t *testing.T) {
	type want struct {
		listed, groups, ungrouped, untallied uint64
		hosts                                int
	}
	tests := []struct {
		name   string
		cfg    ReportConfig
		alerts func() []Alert
		want   want
	}{
		{"all listed under the bound", ReportConfig{MaxAlerts: 10, MaxAlertGroups: 10, MaxHosts: 10, MaxBlockedHosts: 10, MaxEvents: 10},
			func() []Alert {
				var out []Alert
				for i := range 6 {
					out = append(out, bookAlert(1, "10.0.0.1", "10.0.0.2", i))
				}
				return out
			}, want{listed: 6, groups: 1, hosts: 1}},
		{"one group: the bound", ReportConfig{MaxAlerts: 4, MaxAlertGroups: 10, MaxHosts: 10, MaxBlockedHosts: 10, MaxEvents: 10},
			func() []Alert {
				var out []Alert
				for i := range 10 {
					out = append(out, bookAlert(1, "10.0.0.1", "10.0.0.2", i))
				}
				return out
			}, want{listed: 4, groups: 1, hosts: 1}},
		{"a late group is still listed", ReportConfig{MaxAlerts: 4, MaxAlertGroups: 10, MaxHosts: 10, MaxBlockedHosts: 10, MaxEvents: 10},
			func() []Alert {
				var out []Alert
				for i := range 10 {
					out = append(out, bookAlert(1, "10.0.0.1", "10.0.0.2", i))
				}
				return append(out, bookAlert(2, "10.0.0.9", "10.0.0.2", 11), bookAlert(2, "10.0.0.9", "10.0.0.2", 12))
			}, want{listed: 5, groups: 2, hosts: 2}},
		{"groups past the bound are counted per signature", ReportConfig{MaxAlerts: 100, MaxAlertGroups: 3, MaxHosts: 100, MaxBlockedHosts: 10, MaxEvents: 10},
			func() []Alert {
				var out []Alert
				for i := range 5 {
					out = append(out, bookAlert(1, "10.0.0.1", fmt.Sprint("10.0.1.", i), i))
				}
				return out
			}, want{listed: 5, groups: 3, ungrouped: 2, hosts: 1}},
		{"hosts past the bound are in no verdict", ReportConfig{MaxAlerts: 100, MaxAlertGroups: 100, MaxHosts: 2, MaxBlockedHosts: 10, MaxEvents: 10},
			func() []Alert {
				var out []Alert
				for i := range 5 {
					out = append(out, bookAlert(1, fmt.Sprint("10.0.0.", i+1), "10.0.1.1", i))
				}
				return out
			}, want{listed: 5, groups: 5, untallied: 3, hosts: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newAlertBook(tt.cfg)
			alerts := tt.alerts()
			var listed uint64
			for i := range alerts {
				if b.add(&alerts[i]) {
					listed++
				}
			}
			l := b.listing()
			got := want{listed: listed, groups: uint64(l.Groups), ungrouped: l.Ungrouped, untallied: l.Untallied, hosts: l.Hosts}
			if got != tt.want || l.AlertsListed != listed || l.Alerts != uint64(len(alerts)) {
				t.Errorf("got %+v (listing %+v), want %+v", got, l, tt.want)
			}
			var sum uint64
			for _, g := range b.result() {
				sum += g.Alerts
			}
			if sum != uint64(len(alerts)) {
				t.Errorf("groups count %d alerts, want %d", sum, len(alerts))
			}
			if (listed < uint64(len(alerts)) || l.Ungrouped > 0 || l.Untallied > 0) != (len(b.warnings()) > 0) {
				t.Errorf("warnings %q for listing %+v", b.warnings(), l)
			}
		})
	}
}

// floodCapture writes n gratuitous ARP replies, each from a MAC of its
// own, claiming one of 30 addresses: an alert for nearly every packet.
func floodCapture(t *testing.T, n int) string {
	c := &e2eCapture{tb: t}
	for i := range n {
		mac := net.HardwareAddr{0x02, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
		ip := netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + i%30)})
		c.arp(time.Duration(i)*time.Millisecond, 2, e2eHost{mac: mac, ip: ip}, e2eBroadcast, mac, ip, e2eBroadcast, ip)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("flood-%d.pcap", n))
	c.write(path)
	return path
}

// A flood raises an alert a packet; what the run keeps of them stays
// within the report bounds, however long the flood, while every count
// stays exact and the stream still sees every alert.
func TestFloodReportIsBounded(t *testing.T) {
	bounds := ReportConfig{MaxAlerts: 40, MaxAlertGroups: 60, MaxHosts: 50, MaxBlockedHosts: 10, MaxEvents: 70}
	sizes := map[int]int{}
	for _, n := range []int{1500, 6000} {
		path := floodCapture(t, n)
		whole, _ := e2eAnalyzeFile(t, path, func(c *Config) {
			c.Report = ReportConfig{MaxAlerts: 1e6, MaxAlertGroups: 1e6, MaxHosts: 1e6, MaxBlockedHosts: 1e6, MaxEvents: 1e6}
		})
		res, streamed := e2eAnalyzeFile(t, path, func(c *Config) { c.Report = bounds })
		total := uint64(len(whole.Alerts))
		if total < uint64(n)/2 {
			t.Fatalf("%d packets gave %d alerts: not a flood", n, total)
		}
		if whole.Summary.Listing.AlertsListed != total {
			t.Errorf("unbounded run listed %d of %d alerts", whole.Summary.Listing.AlertsListed, total)
		}
		if uint64(len(streamed)) != total {
			t.Errorf("%d alerts streamed, want all %d", len(streamed), total)
		}
		if len(res.Alerts) > 2*bounds.MaxAlerts || len(res.Events) > bounds.MaxEvents ||
			len(res.AlertGroups) > bounds.MaxAlertGroups+len(res.Signatures) {
			t.Errorf("kept %d alerts, %d events, %d groups: past the bounds %+v", len(res.Alerts), len(res.Events), len(res.AlertGroups), bounds)
		}
		if len(res.FalsePositives)+len(res.Investigate) > bounds.MaxHosts {
			t.Errorf("%d host verdicts for at most %d hosts", len(res.FalsePositives)+len(res.Investigate), bounds.MaxHosts)
		}
		// the counts do not depend on the bounds
		var count, grouped uint64
		for _, s := range res.Signatures {
			count += s.Count
		}
		for _, g := range res.AlertGroups {
			grouped += g.Alerts
		}
		if count != total || grouped != total || res.Summary.Listing.Alerts != total {
			t.Errorf("signatures count %d, groups %d, listing %d; want %d", count, grouped, res.Summary.Listing.Alerts, total)
		}
		for i, s := range res.Signatures {
			w := whole.Signatures[i]
			if s.SID != w.SID || s.Count != w.Count || s.First != w.First || s.Last != w.Last || s.FirstPacket != w.FirstPacket || s.LastPacket != w.LastPacket {
				t.Errorf("signature %d: bounded %+v, whole %+v", s.SID, s, w)
			}
		}
		if !strings.Contains(strings.Join(res.Warnings, "\n"), "report.max_alerts") {
			t.Errorf("no warning says the alerts are a sample: %q", res.Warnings)
		}
		doc, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		sizes[n] = len(doc)
	}
	// four times the flood, about the same report
	if sizes[6000] > sizes[1500]*11/10 {
		t.Errorf("report grew with the flood: %d bytes for 1,500 packets, %d for 6,000", sizes[1500], sizes[6000])
	}
}

// A distributed attack: each session from an address of its own raises
// an alert and a block. The report lists the first blocked hosts and
// totals the rest; a full block table blocks nothing more.
func TestDistributedAttackBlocksBounded(t *testing.T) {
	c := &e2eCapture{tb: t}
	server := e2eNewHost("02:00:00:00:01:01", "10.1.0.1")
	const sessions = 40
	for i := range sessions {
		cli := e2eNewHost(fmt.Sprintf("02:00:00:00:02:%02x", i), fmt.Sprintf("10.0.1.%d", i+1))
		at := time.Duration(i) * 10 * time.Millisecond
		k, _ := c.open(at, cli, server, uint16(40000+i), 80)
		k.send(at+3*time.Millisecond, true, []byte("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)\r\n\r\n"))
	}
	path := filepath.Join(t.TempDir(), "dist.pcap")
	c.write(path)
	res, _ := e2eAnalyzeFile(t, path, func(c *Config) {
		c.Report = DefaultReportConfig()
		c.Report.MaxBlockedHosts = 5
		c.BlockTable = AutoblockConfig{MaxHosts: 20}
	})
	var alerts uint64
	for _, s := range res.Signatures {
		alerts += s.Count
	}
	if alerts != sessions {
		t.Fatalf("%d alerts, want one a session (%d)", alerts, sessions)
	}
	if len(res.Blocks) != 5 {
		t.Errorf("%d blocked hosts listed, want 5", len(res.Blocks))
	}
	// 5 listed and 20 more at once: the other 15 detections block nothing
	if u := res.UnlistedBlocks; u.Hosts != 20 || u.Blocks != 20 {
		t.Errorf("unlisted blocks %+v, want 20 hosts", u)
	}
	var blocked int
	for _, a := range res.Alerts {
		if a.Blocked {
			blocked++
		}
	}
	if blocked != 25 {
		t.Errorf("%d alerts blocked their attacker, want 25", blocked)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "15 detections blocked nothing") || !strings.Contains(w, "report.max_blocked_hosts") {
		t.Errorf("warnings do not account for the bounds:\n%s", w)
	}
}
