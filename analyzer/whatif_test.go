package analyzer

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

const (
	scanner  = "192.168.1.250"
	attacker = "203.0.113.66"
	insider  = "192.168.1.66"
	vmMAC    = "00:0c:29:5e:71:a2"
)

var sigNames = map[uint32]string{
	9000001: "Attack: TCP SYN Flood",
	9000002: "Attack: Port Scan",
	9000003: "Attack: ARP Cache Poisoning",
	9000004: "Attack: Brute Force Remote Login",
}

// alerts makes n alerts of sid from host, an address or a MAC.
func alerts(host string, sid uint32, n int) []Alert {
	out := make([]Alert, n)
	for i := range out {
		out[i] = Alert{SID: sid, Name: sigNames[sid]}
		if strings.Count(host, ":") == 5 && !strings.Contains(host, "::") {
			out[i].AttackerMAC = mustMAC(host)
		} else {
			out[i].Attacker = netip.MustParseAddr(host)
		}
	}
	return out
}

// result makes a result of the alerts, counted in groups as a run counts
// them.
func result(parts ...[]Alert) *Result {
	r := &Result{}
	book := newAlertBook(DefaultReportConfig())
	for _, p := range parts {
		for i := range p {
			book.add(&p[i])
		}
		r.Alerts = append(r.Alerts, p...)
	}
	r.AlertGroups = book.result()
	return r
}

func (r *Result) block(host string, dropped uint64) *Result {
	r.Blocks = append(r.Blocks, BlockedHost{Host: MustParseHost(host), Blocks: 1, DroppedPackets: dropped, DroppedBytes: dropped * 100})
	return r
}

func (r *Result) verdict(host, mac, v string) *Result {
	r.FalsePositives = append(r.FalsePositives, FalsePositive{Host: MustParseHost(host), MAC: mustMAC(mac), Verdict: v})
	return r
}

func TestCompareExclusionsWarnings(t *testing.T) {
	type want struct {
		host     string
		hiddenBy string
		sids     []uint32
		alerts   uint64
		block    bool
		reasons  []string // substrings, one a reason, in order
	}
	tests := []struct {
		name string
		a, b *Result
		want []want
	}{
		{
			name: "scanner hidden: no warning",
			a:    result(alerts(scanner, 9000002, 5), alerts(scanner, 9000004, 1)).block(scanner, 700).verdict(scanner, "", "scanner"),
			b:    result(),
		},
		{
			name: "external host hidden",
			a:    result(alerts(attacker, 9000002, 1)).block(attacker, 2426),
			b:    result(),
			want: []want{{attacker, "B", []uint32{9000002}, 1, true, []string{"external host", "no false-positive verdict"}}},
		},
		{
			name: "external host with a verdict is still external",
			a:    result(alerts(attacker, 9000002, 2)).verdict(attacker, "", "scanner"),
			b:    result(),
			want: []want{{attacker, "B", []uint32{9000002}, 2, false, []string{"external host"}}},
		},
		{
			name: "scanner that floods",
			a:    result(alerts(scanner, 9000002, 5), alerts(scanner, 9000001, 2)).verdict(scanner, "", "scanner"),
			b:    result(),
			want: []want{{scanner, "B", []uint32{9000001}, 2, false, []string{"scanner does not flood"}}},
		},
		{
			name: "scanner that poisons ARP caches",
			a:    result(alerts(scanner, 9000003, 1), alerts(scanner, 9000002, 1)).verdict(scanner, "", "scanner"),
			b:    result(),
			want: []want{{scanner, "B", []uint32{9000003}, 1, false, []string{"scanner does not flood"}}},
		},
		{
			name: "scanner's flood still shown under B: no warning",
			a:    result(alerts(scanner, 9000002, 5), alerts(scanner, 9000001, 2)).verdict(scanner, "", "scanner"),
			b:    result(alerts(scanner, 9000001, 2)),
		},
		{
			name: "guest VM's ARP alerts hidden: no warning",
			a:    result(alerts(vmMAC, 9000003, 3)).verdict(vmMAC, vmMAC, "guest-vm"),
			b:    result(),
		},
		{
			name: "guest VM that scans",
			a:    result(alerts(vmMAC, 9000003, 3), alerts(vmMAC, 9000002, 1)).verdict(vmMAC, vmMAC, "guest-vm"),
			b:    result(),
			want: []want{{vmMAC, "B", []uint32{9000002}, 1, false, []string{"guest VM explains only ARP"}}},
		},
		{
			name: "MAC-only alerts find the verdict given under the host's address",
			a:    result(alerts(vmMAC, 9000003, 1)).verdict("192.168.1.40", vmMAC, "guest-vm"),
			b:    result(),
		},
		{
			name: "MAC host without a verdict",
			a:    result(alerts("3c:97:0e:aa:bb:cc", 9000003, 2)),
			b:    result(),
			want: []want{{"3c:97:0e:aa:bb:cc", "B", []uint32{9000003}, 2, false, []string{"no false-positive verdict"}}},
		},
		{
			name: "internal host without a verdict",
			a:    result(alerts(insider, 9000003, 2)).block(insider, 0),
			b:    result(),
			want: []want{{insider, "B", []uint32{9000003}, 2, true, []string{"no false-positive verdict"}}},
		},
		{
			name: "monitoring system's login checks hidden: no warning",
			a:    result(alerts(insider, 9000004, 3), alerts(insider, 9000002, 1)).verdict(insider, "", "monitoring"),
			b:    result(),
		},
		{
			name: "monitoring system that matches a rule",
			a:    result(alerts(insider, 9000004, 3), alerts(insider, 9100004, 2)).verdict(insider, "", "monitoring"),
			b:    result(),
			want: []want{{insider, "B", []uint32{9100004}, 2, false, []string{"monitoring system explains only"}}},
		},
		{
			name: "unknown verdict: the general rule",
			a:    result(alerts(insider, 9000004, 2), alerts(insider, 9000001, 1)).verdict(insider, "", "backup-server"),
			b:    result(),
			want: []want{{insider, "B", []uint32{9000001}, 1, false, []string{"backup-server does not flood"}}},
		},
		{
			name: "A hides what B shows",
			a:    result(alerts(scanner, 9000002, 4)),
			b:    result(alerts(scanner, 9000002, 4), alerts("2001:db8:66::1", 9000002, 1)).verdict(scanner, "", "scanner"),
			want: []want{{"2001:db8:66::1", "A", []uint32{9000002}, 1, false, []string{"external host", "no false-positive verdict"}}},
		},
		{
			name: "ULA and link-local are internal",
			a: result(alerts("fd00::5", 9000002, 1), alerts("fe80::1", 9000002, 1)).
				verdict("fd00::5", "", "scanner").verdict("fe80::1", "", "scanner"),
			b: result(),
		},
		{
			name: "partly reduced is not hidden",
			a:    result(alerts(attacker, 9000002, 3)),
			b:    result(alerts(attacker, 9000002, 1)),
		},
		{
			name: "B first, then by host",
			a:    result(alerts("203.0.113.9", 9000002, 1), alerts("198.51.100.23", 9000001, 1)),
			b:    result(alerts("2001:db8::1", 9000004, 1)),
			want: []want{
				{"198.51.100.23", "B", []uint32{9000001}, 1, false, []string{"external host", "no false-positive"}},
				{"203.0.113.9", "B", []uint32{9000002}, 1, false, []string{"external host", "no false-positive"}},
				{"2001:db8::1", "A", []uint32{9000004}, 1, false, []string{"external host", "no false-positive"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := CompareExclusions(tt.a, tt.b, "a.txt", "b.txt", HomeNet{})
			if len(w.Warnings) != len(tt.want) {
				t.Fatalf("%d warnings, want %d: %+v", len(w.Warnings), len(tt.want), w.Warnings)
			}
			for i, g := range w.Warnings {
				x := tt.want[i]
				if g.Host.String() != x.host || g.HiddenBy != x.hiddenBy || !reflect.DeepEqual(g.SIDs, x.sids) ||
					g.Alerts != x.alerts || g.Block != x.block {
					t.Errorf("warning %d = %+v, want %+v", i, g, x)
				}
				if len(g.Reasons) != len(x.reasons) {
					t.Errorf("warning %d reasons %q, want %q", i, g.Reasons, x.reasons)
					continue
				}
				for j, r := range x.reasons {
					if !strings.Contains(g.Reasons[j], r) {
						t.Errorf("warning %d reason %d %q does not contain %q", i, j, g.Reasons[j], r)
					}
				}
				// One line naming the list, host, signatures, counts and why.
				for _, part := range append([]string{x.hiddenBy + " (", g.Host.String(), "\n"}, g.Reasons...) {
					has := strings.Contains(g.Message, part)
					if has != (part != "\n") {
						t.Errorf("warning %d message %q: contains %q = %v", i, g.Message, part, has)
					}
				}
				for _, sid := range g.SIDs {
					if !strings.Contains(g.Message, sigNames[sid]) {
						t.Errorf("warning %d message %q does not name %s", i, g.Message, sigNames[sid])
					}
				}
			}
		})
	}
}

func TestCompareExclusionsMessage(t *testing.T) {
	a := result(alerts(scanner, 9000002, 5), alerts(scanner, 9000001, 2), alerts(scanner, 9000003, 1)).
		block(scanner, 722).verdict(scanner, "", "scanner")
	w := CompareExclusions(a, result(), "none", "scanners.txt", HomeNet{})
	want := "B (scanners.txt) hides 192.168.1.250: 3 alerts (9000001 Attack: TCP SYN Flood x2, " +
		"9000003 Attack: ARP Cache Poisoning x1) and its block (722 packets dropped under A): " +
		"a scanner does not flood or poison ARP caches"
	if len(w.Warnings) != 1 || w.Warnings[0].Message != want {
		t.Errorf("warnings %+v\nwant message %q", w.Warnings, want)
	}

	w = CompareExclusions(result(alerts(attacker, 9000002, 1)).block(attacker, 2426), result(), "none", "x.txt", HomeNet{})
	want = "B (x.txt) hides 203.0.113.66: 1 alert (9000002 Attack: Port Scan) and its block " +
		"(2426 packets dropped under A): external host (outside hosts are never excused); " +
		"no false-positive verdict (nothing explains these alerts as benign)"
	if len(w.Warnings) != 1 || w.Warnings[0].Message != want {
		t.Errorf("warnings %+v\nwant message %q", w.Warnings, want)
	}
}

func TestCompareExclusionsTable(t *testing.T) {
	a := result(
		alerts(attacker, 9000002, 1),
		alerts(scanner, 9000002, 7), alerts(scanner, 9000004, 1),
		alerts(vmMAC, 9000003, 1),
		alerts("00:1C:42:8D:13:6F", 9000003, 2), // MAC spelt in capitals
		[]Alert{{SID: 9000001, Name: sigNames[9000001], Spoofed: true}},
	).block(attacker, 2426).block(scanner, 722)
	b := result(
		alerts(attacker, 9000002, 1),
		alerts(scanner, 9000004, 1),
		[]Alert{{SID: 9000001, Name: sigNames[9000001], Spoofed: true}},
		alerts("192.168.1.7", 9000004, 1), // fires only under B
	).block(attacker, 2400).block("192.168.1.7", 5)
	uses := []ExclusionUse{{Entry: scanner, Where: "b.txt:1", Kind: "host", Alerts: 8}, {Entry: vmMAC, Where: "b.txt:2", Kind: "host", Alerts: 1}}
	b.Summary.Exclusions = uses

	w := CompareExclusions(a, b, "none", "b.txt", HomeNet{})
	if w.Schema != WhatIfSchema {
		t.Errorf("schema %q", w.Schema)
	}
	// The spoofed flood names no host.
	wantA := WhatIfSide{Label: "A", Name: "none", Exclusions: []ExclusionUse{}, Alerts: 13, Hosts: 4,
		BlockedHosts: 2, DroppedPackets: 3148, DroppedBytes: 314800}
	wantB := WhatIfSide{Label: "B", Name: "b.txt", Exclusions: uses, Alerts: 4, Hosts: 3,
		BlockedHosts: 2, DroppedPackets: 2405, DroppedBytes: 240500}
	if !reflect.DeepEqual(w.A, wantA) || !reflect.DeepEqual(w.B, wantB) {
		t.Errorf("totals\n A %+v\n B %+v\nwant\n A %+v\n B %+v", w.A, w.B, wantA, wantB)
	}

	type row struct {
		host               string
		sid                uint32
		a, b               uint64
		change             int64
		blockedA, blockedB bool
	}
	// Largest change first; ties by host (addresses before other
	// names), then SID.
	wantRows := []row{
		{scanner, 9000002, 7, 0, -7, true, false},
		{"00:1c:42:8d:13:6f", 9000003, 2, 0, -2, false, false},
		{"192.168.1.7", 9000004, 0, 1, 1, false, true},
		{vmMAC, 9000003, 1, 0, -1, false, false},
		{scanner, 9000004, 1, 1, 0, true, false},
		{attacker, 9000002, 1, 1, 0, true, true},
		{spoofedHostText, 9000001, 1, 1, 0, false, false},
	}
	var got []row
	for _, r := range w.Rows {
		got = append(got, row{r.Host.String(), r.SID, r.AlertsA, r.AlertsB, r.Change, r.BlockedA, r.BlockedB})
		if r.Name != sigNames[r.SID] {
			t.Errorf("row %s/%d: name %q", r.Host, r.SID, r.Name)
		}
	}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("rows\n%+v\nwant\n%+v", got, wantRows)
	}

	wantBlocks := []WhatIfBlock{
		{Host: MustParseHost(scanner), BlocksA: 1, DroppedPacketsA: 722, DroppedBytesA: 72200},
		{Host: MustParseHost("192.168.1.7"), BlocksB: 1, DroppedPacketsB: 5, DroppedBytesB: 500},
		{Host: MustParseHost(attacker), BlocksA: 1, BlocksB: 1, DroppedPacketsA: 2426, DroppedPacketsB: 2400, DroppedBytesA: 242600, DroppedBytesB: 240000},
	}
	if !reflect.DeepEqual(w.Blocks, wantBlocks) {
		t.Errorf("blocks\n%+v\nwant\n%+v", w.Blocks, wantBlocks)
	}

	// The scanner has no verdict here, the VMs neither: all warned, the
	// external attacker still fires under B and is not.
	var hosts []string
	for _, x := range w.Warnings {
		hosts = append(hosts, x.HiddenBy+" "+x.Host.String())
	}
	wantHosts := []string{"B " + scanner, "B 00:0c:29:5e:71:a2", "B 00:1c:42:8d:13:6f", "A 192.168.1.7"}
	if !reflect.DeepEqual(hosts, wantHosts) {
		t.Errorf("warnings for %q, want %q", hosts, wantHosts)
	}

	// Same inputs, same value; the inputs are left alone.
	if again := CompareExclusions(a, b, "none", "b.txt", HomeNet{}); !reflect.DeepEqual(w, again) {
		t.Error("two comparisons of the same results differ")
	}
}

func TestCompareExclusionsEmpty(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b *Result
	}{
		{"nil", nil, nil},
		{"empty", &Result{}, &Result{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := CompareExclusions(tt.a, tt.b, "none", "none", HomeNet{})
			if w.Rows == nil || w.Blocks == nil || w.Warnings == nil || w.A.Exclusions == nil || w.B.Exclusions == nil {
				t.Errorf("nil slices in %+v", w)
			}
			if len(w.Rows)+len(w.Blocks)+len(w.Warnings) != 0 || w.A.Alerts != 0 {
				t.Errorf("not empty: %+v", w)
			}
		})
	}
}

// mustMAC parses a MAC; "" is none.
func mustMAC(s string) MAC {
	var m MAC
	if err := m.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return m
}
