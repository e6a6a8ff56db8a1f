package detectors

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/packet/packettest"
)

const arpSec = int64(time.Second)

// arpT0 is an arbitrary capture start; offsets in tests are from it.
const arpT0 = int64(1_700_000_000) * arpSec

var (
	arpMACGW = [6]byte{0x02, 0, 0, 0, 0, 0x01}
	arpMACA  = [6]byte{0x02, 0, 0, 0, 0, 0x0a}
	arpMACB  = [6]byte{0x02, 0, 0, 0, 0, 0x14}
	arpMACX  = [6]byte{0x02, 0, 0, 0, 0, 0x66}
	arpMACY  = [6]byte{0x02, 0, 0, 0, 0, 0x77}
	arpBcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// arpAt turns a test offset in seconds (fractions allowed) into packet time.
func arpAt(sec float64) int64 { return arpT0 + int64(sec*float64(arpSec)) }

func arpFrame(t float64, op uint16, mac [6]byte, ip string, tmac [6]byte, tip string) packet.Facts {
	return packettest.ARP(arpAt(t), op, mac, ip, tmac, tip)
}

// arpReq is "who has target? tell ip".
func arpReq(t float64, mac [6]byte, ip, target string) packet.Facts {
	return arpFrame(t, arpOpRequest, mac, ip, [6]byte{}, target)
}

// arpRep is "ip is at mac", sent to the asker.
func arpRep(t float64, mac [6]byte, ip string, toMAC [6]byte, toIP string) packet.Facts {
	return arpFrame(t, arpOpReply, mac, ip, toMAC, toIP)
}

// arpGrat is a gratuitous announcement in the request form hosts use.
func arpGrat(t float64, mac [6]byte, ip string) packet.Facts {
	return arpFrame(t, arpOpRequest, mac, ip, [6]byte{}, ip)
}

func arpIP(t float64, srcMAC, dstMAC [6]byte, src, dst string) packet.Facts {
	return packet.Facts{
		Time:   arpAt(t),
		HasEth: true,
		SrcMAC: srcMAC,
		DstMAC: dstMAC,
		L3:     packet.L3IPv4,
		Src:    netip.MustParseAddr(src),
		Dst:    netip.MustParseAddr(dst),
		Proto:  packet.ProtoTCP,
	}
}

// arpRun feeds pkts in order, numbering them from 1 and expiring once a
// second of packet time as the analyzer does.
func arpRun(t *testing.T, cfg ARPConfig, pkts []packet.Facts) ([]packet.Event, *ARPSpoof) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	d := NewARPSpoof(cfg)
	return packettest.Drive(d, slices.Clone(pkts)), d
}

// arpLAN is a quiet segment: gateway .1, hosts A .10 and B .20 and the
// attacker X .66 resolve each other the ordinary way.
func arpLAN() []packet.Facts {
	return []packet.Facts{
		arpReq(0, arpMACA, "10.0.0.10", "10.0.0.1"),
		arpRep(0.001, arpMACGW, "10.0.0.1", arpMACA, "10.0.0.10"),
		arpReq(0.5, arpMACB, "10.0.0.20", "10.0.0.10"),
		arpRep(0.501, arpMACA, "10.0.0.10", arpMACB, "10.0.0.20"),
		arpReq(1, arpMACX, "10.0.0.66", "10.0.0.20"),
		arpRep(1.001, arpMACB, "10.0.0.20", arpMACX, "10.0.0.66"),
	}
}

func arpJoin(parts ...[]packet.Facts) []packet.Facts {
	var out []packet.Facts
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

type arpWant struct {
	kind     string
	victim   string // "" for none
	attacker string // "" when it cannot be attributed
	mac      [6]byte
	count    uint64
	first    uint64 // packet numbers; 0 skips the check
	last     uint64
	detail   []string // substrings of Detail
}

func TestARPSpoof(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*ARPConfig)
		pkts []packet.Facts
		want []arpWant
	}{
		{
			name: "benign request and reply",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(60, arpMACB, "10.0.0.20", "10.0.0.1"),
				arpRep(60.002, arpMACGW, "10.0.0.1", arpMACB, "10.0.0.20"),
				arpReq(61, arpMACGW, "10.0.0.1", "10.0.0.10"),
				arpRep(61.001, arpMACA, "10.0.0.10", arpMACGW, "10.0.0.1"),
				// Retry answered late, within the reply window.
				arpReq(62, arpMACA, "10.0.0.10", "10.0.0.66"),
				arpReq(63, arpMACA, "10.0.0.10", "10.0.0.66"),
				arpRep(65.5, arpMACX, "10.0.0.66", arpMACA, "10.0.0.10"),
			}),
		},
		{
			name: "dhcp renewal re-announces the same mac",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpGrat(30, arpMACA, "10.0.0.10"),
				arpGrat(31, arpMACA, "10.0.0.10"),
				arpGrat(1800, arpMACA, "10.0.0.10"),
				arpFrame(1801, arpOpReply, arpMACA, "10.0.0.10", arpBcast, "10.0.0.10"),
			}),
		},
		{
			name: "gratuitous self-announcement of a new host",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpGrat(30, arpMACY, "10.0.0.77"),
				arpGrat(32, arpMACY, "10.0.0.77"),
			}),
		},
		{
			name: "probes claim nothing",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpFrame(30, arpOpRequest, arpMACY, "0.0.0.0", [6]byte{}, "10.0.0.20"),
				arpRep(30.001, arpMACB, "10.0.0.20", arpMACY, "0.0.0.0"),
			}),
		},
		{
			// chrissanders arppoison.pcapng: the poisoner's first claim
			// is the lie, then it asks for the real gateway to relay
			name: "impostor asks for the address it claimed",
			pkts: []packet.Facts{
				arpReq(10, arpMACX, "10.0.0.1", "10.0.0.10"),
				arpRep(10.001, arpMACA, "10.0.0.10", arpMACX, "10.0.0.1"),
				arpRep(10.002, arpMACX, "10.0.0.1", arpMACA, "10.0.0.10"), // 3
				arpReq(20, arpMACX, "10.0.0.66", "10.0.0.1"),              // 4
				arpRep(20.001, arpMACGW, "10.0.0.1", arpMACX, "10.0.0.66"),
			},
			want: []arpWant{{
				kind: "impersonation", victim: "10.0.0.1", attacker: "10.0.0.66", mac: arpMACX,
				count: 2, first: 3, last: 4,
				detail: []string{"claimed 10.0.0.1 at packet 3 of file 1, then asked who has 10.0.0.1"},
			}},
		},
		{
			name: "impostor of a configured gateway",
			cfg:  func(c *ARPConfig) { c.Gateway = []netip.Addr{netip.MustParseAddr("10.0.0.1")} },
			pkts: []packet.Facts{
				arpReq(10, arpMACX, "10.0.0.1", "10.0.0.10"),
				arpReq(20, arpMACX, "10.0.0.66", "10.0.0.1"),
			},
			want: []arpWant{{
				kind: "gateway", victim: "10.0.0.1", attacker: "10.0.0.66", mac: arpMACX, count: 2, first: 1, last: 2,
				detail: []string{"gateway 10.0.0.1 (configured) claimed: impersonation"},
			}},
		},
		{
			name: "binding change fires once",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(20, arpMACX, "10.0.0.20", "10.0.0.10"), // 7
				arpReq(21, arpMACX, "10.0.0.20", "10.0.0.10"),
				arpReq(22, arpMACB, "10.0.0.20", "10.0.0.10"), // owner takes it back
				arpReq(23, arpMACX, "10.0.0.20", "10.0.0.10"),
			}),
			want: []arpWant{{
				kind: "binding-change", victim: "10.0.0.20", attacker: "10.0.0.66", mac: arpMACX,
				count: 1, first: 7, last: 7,
				detail: []string{"10.0.0.20 is-at 02:00:00:00:00:66", "at packet 6", "bound to 02:00:00:00:00:14"},
			}},
		},
		{
			name: "binding change fires again in a later window",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(20, arpMACX, "10.0.0.20", "10.0.0.10"), // 7 fires
				arpReq(250, arpMACB, "10.0.0.20", "10.0.0.10"),
				arpReq(300, arpMACX, "10.0.0.20", "10.0.0.10"), // 9
				arpReq(500, arpMACB, "10.0.0.20", "10.0.0.10"),
				arpReq(619, arpMACX, "10.0.0.20", "10.0.0.10"), // 11, still the first window
				arpReq(621, arpMACX, "10.0.0.20", "10.0.0.10"), // 12 fires
			}),
			want: []arpWant{
				{kind: "binding-change", victim: "10.0.0.20", attacker: "10.0.0.66", mac: arpMACX, count: 1, first: 7, last: 7},
				{
					kind: "binding-change", victim: "10.0.0.20", attacker: "10.0.0.66", mac: arpMACX, count: 3, first: 9, last: 12,
					detail: []string{"flip flop"},
				},
			},
		},
		{
			name: "new mac after the owner fell silent is a new binding",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpGrat(700, arpMACY, "10.0.0.20"),
				arpReq(701, arpMACY, "10.0.0.20", "10.0.0.1"),
				arpRep(701.001, arpMACGW, "10.0.0.1", arpMACY, "10.0.0.20"),
			}),
		},
		{
			name: "unsolicited reply",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpRep(30, arpMACX, "10.0.0.20", arpMACA, "10.0.0.10"), // 7
				arpRep(32, arpMACX, "10.0.0.20", arpMACA, "10.0.0.10"),
			}),
			want: []arpWant{{
				kind: "unsolicited-reply", victim: "10.0.0.20", attacker: "10.0.0.66", mac: arpMACX,
				count: 1, first: 7, last: 7,
				detail: []string{"no request for it in the last 5s", "bound to 02:00:00:00:00:14"},
			}},
		},
		{
			name: "known owner refreshing with unsolicited replies",
			cfg:  func(c *ARPConfig) { c.Gateway = []netip.Addr{netip.MustParseAddr("10.0.0.1")} },
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpRep(30, arpMACGW, "10.0.0.1", arpMACA, "10.0.0.10"),
				arpRep(40, arpMACB, "10.0.0.20", arpMACA, "10.0.0.10"),
			}),
		},
		{
			name: "capture starting mid-attack: the unsolicited first binding stays suspect",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpRep(30, arpMACX, "10.0.0.30", arpMACA, "10.0.0.10"), // 7
				arpRep(32, arpMACX, "10.0.0.30", arpMACA, "10.0.0.10"),
			}),
			want: []arpWant{{kind: "unsolicited-reply", victim: "10.0.0.30", attacker: "10.0.0.66", mac: arpMACX, count: 1, first: 7}},
		},
		{
			name: "unsolicited reply claiming a configured gateway",
			cfg:  func(c *ARPConfig) { c.Gateway = []netip.Addr{netip.MustParseAddr("10.0.0.1")} },
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpRep(30, arpMACX, "10.0.0.1", arpMACA, "10.0.0.10"), // 7
				arpRep(32, arpMACX, "10.0.0.1", arpMACA, "10.0.0.10"),
			}),
			want: []arpWant{{
				kind: "gateway", victim: "10.0.0.1", attacker: "10.0.0.66", mac: arpMACX, count: 1, first: 7, last: 7,
				detail: []string{"gateway 10.0.0.1 (configured)", "unsolicited-reply"},
			}},
		},
		{
			name: "unsolicited reply claiming an inferred gateway, attacker unknown",
			pkts: arpJoin(
				[]packet.Facts{
					arpReq(0, arpMACA, "10.0.0.10", "10.0.0.1"),
					arpRep(0.001, arpMACGW, "10.0.0.1", arpMACA, "10.0.0.10"),
				},
				arpBrowse(1, arpMACA, "10.0.0.10", 10),
				[]packet.Facts{arpRep(30, arpMACY, "10.0.0.1", arpMACA, "10.0.0.10")}, // 23
			),
			want: []arpWant{{
				kind: "gateway", victim: "10.0.0.1", mac: arpMACY, count: 1, first: 23, last: 23,
				detail: []string{"gateway 10.0.0.1 (inferred)", "bound to 02:00:00:00:00:01"},
			}},
		},
		{
			name: "too little routed traffic infers no gateway",
			pkts: arpJoin(
				[]packet.Facts{
					arpReq(0, arpMACA, "10.0.0.10", "10.0.0.1"),
					arpRep(0.001, arpMACGW, "10.0.0.1", arpMACA, "10.0.0.10"),
				},
				arpBrowse(1, arpMACA, "10.0.0.10", 3),
				[]packet.Facts{arpRep(30, arpMACY, "10.0.0.1", arpMACA, "10.0.0.10")},
			),
			want: []arpWant{{kind: "unsolicited-reply", victim: "10.0.0.1", mac: arpMACY, count: 1}},
		},
		{
			name: "ethernet source differs from arp sender",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				func() packet.Facts {
					f := arpReq(30, arpMACY, "10.0.0.77", "10.0.0.10") // 7
					f.SrcMAC = arpMACX
					return f
				}(),
			}),
			want: []arpWant{{
				kind: "eth-mismatch", victim: "10.0.0.77", attacker: "10.0.0.66", mac: arpMACX, count: 1, first: 7, last: 7,
				detail: []string{"frame from 02:00:00:00:00:66 says 10.0.0.77 is-at 02:00:00:00:00:77"},
			}},
		},
		{
			name: "gratuitous claim on a bound address",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpGrat(30, arpMACX, "10.0.0.20"), // 7
			}),
			want: []arpWant{{
				kind: "gratuitous", victim: "10.0.0.20", attacker: "10.0.0.66", mac: arpMACX, count: 1,
				detail: []string{"gratuitous: 10.0.0.20 is-at 02:00:00:00:00:66", "bound to 02:00:00:00:00:14"},
			}},
		},
		{
			name: "one mac claims many addresses",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(30, arpMACY, "10.0.0.101", "10.0.0.1"), // 7
				arpReq(31, arpMACY, "10.0.0.102", "10.0.0.1"),
				arpReq(32, arpMACY, "10.0.0.103", "10.0.0.1"),
				arpReq(33, arpMACY, "10.0.0.102", "10.0.0.1"), // repeat, not distinct
				arpReq(34, arpMACY, "10.0.0.104", "10.0.0.1"),
				arpReq(35, arpMACY, "10.0.0.105", "10.0.0.1"), // 12 fires
				arpReq(36, arpMACY, "10.0.0.106", "10.0.0.1"),
			}),
			want: []arpWant{{
				kind: "many-ips", attacker: "10.0.0.101", mac: arpMACY, count: 5, first: 7, last: 12,
				detail: []string{"claimed 5 addresses in 5s"},
			}},
		},
		{
			name: "many-ips off",
			cfg:  func(c *ARPConfig) { c.ManyIPs = 0 },
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(30, arpMACY, "10.0.0.101", "10.0.0.1"),
				arpReq(31, arpMACY, "10.0.0.102", "10.0.0.1"),
				arpReq(32, arpMACY, "10.0.0.103", "10.0.0.1"),
				arpReq(34, arpMACY, "10.0.0.104", "10.0.0.1"),
				arpReq(35, arpMACY, "10.0.0.105", "10.0.0.1"),
			}),
		},
		{
			name: "replies at capture start answer unseen requests",
			pkts: []packet.Facts{
				arpRep(0, arpMACGW, "10.0.0.1", arpMACA, "10.0.0.10"),
				arpRep(1, arpMACB, "10.0.0.20", arpMACA, "10.0.0.10"),
			},
		},
		{
			name: "same address on another vlan is another binding",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				func() packet.Facts {
					f := arpReq(30, arpMACY, "10.0.0.20", "10.0.0.1")
					f.VLAN = 20
					return f
				}(),
			}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultARPConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			evs, _ := arpRun(t, cfg, tc.pkts)
			if len(evs) != len(tc.want) {
				for _, e := range evs {
					t.Logf("got %s victim=%v attacker=%v count=%d: %s", e.Kind, e.Victim, e.Attacker, e.Count, e.Detail)
				}
				t.Fatalf("got %d events, want %d", len(evs), len(tc.want))
			}
			for i, w := range tc.want {
				arpCheck(t, evs[i], w)
			}
		})
	}
}

// arpBrowse is host mac/ip talking to n remote servers through the gateway,
// both ways, starting at offset t.
func arpBrowse(t float64, mac [6]byte, ip string, n int) []packet.Facts {
	var out []packet.Facts
	for i := range n {
		remote := netip.AddrFrom4([4]byte{93, 184, 216, byte(i + 1)}).String()
		out = append(out,
			arpIP(t+float64(i)*0.1, mac, arpMACGW, ip, remote),
			arpIP(t+float64(i)*0.1+0.05, arpMACGW, mac, remote, ip),
		)
	}
	return out
}

func arpCheck(t *testing.T, e packet.Event, w arpWant) {
	t.Helper()
	if e.SID != SIDARPPoison {
		t.Errorf("sid %d, want %d", e.SID, SIDARPPoison)
	}
	if e.Kind != w.kind {
		t.Errorf("kind %q, want %q (%s)", e.Kind, w.kind, e.Detail)
	}
	if got := arpAddrString(e.Victim); got != w.victim {
		t.Errorf("victim %q, want %q", got, w.victim)
	}
	if got := arpAddrString(e.Attacker); got != w.attacker {
		t.Errorf("attacker %q, want %q", got, w.attacker)
	}
	if !e.HasMAC || e.AttackerMAC != w.mac {
		t.Errorf("attacker mac %v (has %v), want %v", e.AttackerMAC, e.HasMAC, w.mac)
	}
	if e.Count != w.count {
		t.Errorf("count %d, want %d", e.Count, w.count)
	}
	if w.first != 0 && e.First.Num != w.first {
		t.Errorf("first packet %d, want %d", e.First.Num, w.first)
	}
	if w.last != 0 && e.Last.Num != w.last {
		t.Errorf("last packet %d, want %d", e.Last.Num, w.last)
	}
	if e.Time != e.LastTime || e.FirstTime > e.LastTime {
		t.Errorf("times: at %d, first %d, last %d", e.Time, e.FirstTime, e.LastTime)
	}
	for _, s := range w.detail {
		if !strings.Contains(e.Detail, s) {
			t.Errorf("detail %q lacks %q", e.Detail, s)
		}
	}
}

func arpAddrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func TestARPSpoofEvictionCounted(t *testing.T) {
	cfg := DefaultARPConfig()
	cfg.MaxBindings = 2
	var pkts []packet.Facts
	for i := range 5 {
		ip := netip.AddrFrom4([4]byte{10, 0, 0, byte(100 + i)}).String()
		pkts = append(pkts, arpGrat(float64(i), [6]byte{0x02, 0, 0, 0, 1, byte(i)}, ip))
	}
	evs, d := arpRun(t, cfg, pkts)
	if len(evs) != 0 {
		t.Fatalf("got %d events, want none", len(evs))
	}
	if got := d.Evicted(); got != 3 {
		t.Fatalf("evicted %d, want 3", got)
	}
	if got := d.bindings.Len(); got != 2 {
		t.Fatalf("bindings %d, want the cap of 2", got)
	}
}

func TestARPSpoofExpiry(t *testing.T) {
	evs, d := arpRun(t, DefaultARPConfig(), arpJoin(arpLAN(), []packet.Facts{arpFrame(3600, arpOpReply, arpMACY, "10.0.0.77", arpBcast, "10.0.0.77")}))
	if len(evs) != 0 {
		t.Fatalf("got %d events, want none", len(evs))
	}
	if got := d.bindings.Len(); got != 1 {
		t.Fatalf("bindings after an hour %d, want only the fresh one", got)
	}
	if got := d.requests.Len(); got != 0 {
		t.Fatalf("requests after an hour %d, want 0", got)
	}
}

func TestARPConfigValidate(t *testing.T) {
	if err := DefaultARPConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*ARPConfig)
		want string
	}{
		{"ipv6 gateway", func(c *ARPConfig) { c.Gateway = []netip.Addr{netip.MustParseAddr("fe80::1")} }, `gateway[0]: "fe80::1" is not an ipv4 address`},
		{"zero window", func(c *ARPConfig) { c.Window = 0 }, "window: 0s is out of range, want 1s to 24h0m0s"},
		{"negative reply window", func(c *ARPConfig) { c.ReplyWindow = packet.Duration(-time.Second) }, "reply_window: -1s is out of range"},
		{"many ips of one", func(c *ARPConfig) { c.ManyIPs = 1 }, "many_ips: 1 is out of range, want 2 to 65536, or 0 to turn it off"},
		{"no bindings", func(c *ARPConfig) { c.MaxBindings = 0 }, "max_bindings: 0 is out of range"},
		{"huge pairs", func(c *ARPConfig) { c.MaxPairs = 1 << 30 }, "max_pairs: 1073741824 is out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultARPConfig()
			tc.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkARPSpoofBenign runs a segment of 50 hosts resolving the gateway
// and each other and browsing through the gateway; steady state must not
// allocate.
func BenchmarkARPSpoofBenign(b *testing.B) {
	var pkts []packet.Facts
	for i := range 50 {
		mac := [6]byte{0x02, 0, 0, 0, 2, byte(i)}
		ip := netip.AddrFrom4([4]byte{10, 0, 1, byte(i + 2)}).String()
		peer := netip.AddrFrom4([4]byte{10, 0, 1, byte((i+1)%50 + 2)}).String()
		pkts = append(pkts,
			arpReq(0, mac, ip, "10.0.0.1"),
			arpRep(0, arpMACGW, "10.0.0.1", mac, ip),
			arpReq(0, mac, ip, peer),
		)
		pkts = append(pkts, arpBrowse(0, mac, ip, 20)...)
	}
	d := NewARPSpoof(DefaultARPConfig())
	emit := func(e packet.Event) { b.Fatalf("benign traffic fired: %s", e.Detail) }
	now := arpT0
	step := func(i int) {
		f := &pkts[i%len(pkts)]
		now += int64(time.Millisecond)
		f.Time = now
		d.Observe(f, emit)
		if i%1000 == 0 {
			d.Expire(now, emit)
		}
	}
	for i := range 4 * len(pkts) {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		step(i)
	}
}

// The classifier tells a guest VM from a poisoner by who else is in the
// story: the previous owner, the MAC the claim named, the addresses claimed.
func TestARPSpoofClaimEvidence(t *testing.T) {
	mismatch := arpReq(30, arpMACY, "10.0.0.77", "10.0.0.10")
	mismatch.SrcMAC = arpMACX
	tests := []struct {
		name     string
		pkts     []packet.Facts
		prev     [6]byte
		claimMAC [6]byte
		claims   int
		claimed  string
	}{
		{
			name:     "binding change names the previous owner",
			pkts:     arpJoin(arpLAN(), []packet.Facts{arpGrat(30, arpMACX, "10.0.0.20")}),
			prev:     arpMACB,
			claimMAC: arpMACX,
			claims:   2,
			claimed:  "[10.0.0.66 10.0.0.20]",
		},
		{
			name:     "eth mismatch names the claimed mac",
			pkts:     arpJoin(arpLAN(), []packet.Facts{mismatch}),
			claimMAC: arpMACY,
			claims:   1,
			claimed:  "[10.0.0.77]",
		},
		{
			name: "sample capped",
			pkts: arpJoin(arpLAN(), []packet.Facts{
				arpReq(30, arpMACY, "10.0.0.101", "10.0.0.1"),
				arpReq(31, arpMACY, "10.0.0.102", "10.0.0.1"),
				arpReq(32, arpMACY, "10.0.0.103", "10.0.0.1"),
				arpReq(34, arpMACY, "10.0.0.104", "10.0.0.1"),
				arpReq(35, arpMACY, "10.0.0.105", "10.0.0.1"),
			}),
			claimMAC: arpMACY,
			claims:   5,
			claimed:  "[10.0.0.101 10.0.0.102 10.0.0.103 10.0.0.104]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, _ := arpRun(t, DefaultARPConfig(), tt.pkts)
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1: %+v", len(evs), evs)
			}
			e := evs[0]
			if e.PrevMAC != tt.prev || e.ClaimMAC != tt.claimMAC || e.Claims != tt.claims || fmt.Sprint(e.Claimed) != tt.claimed {
				t.Errorf("prev %x claim %x claims %d %v, want %x %x %d %s",
					e.PrevMAC, e.ClaimMAC, e.Claims, e.Claimed, tt.prev, tt.claimMAC, tt.claims, tt.claimed)
			}
		})
	}
}
