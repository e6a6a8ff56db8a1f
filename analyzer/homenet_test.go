package analyzer

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestParseHomeNet(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result; "" when an error is wanted
		wantErr string
	}{
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: "10.0.0.0/8,192.168.1.0/24", want: "10.0.0.0/8,192.168.1.0/24"},
		{in: " 10.0.0.0/8 , fd00::/8 ", want: "10.0.0.0/8,fd00::/8"},
		{in: "[192.168.0.0/16,10.0.0.0/8]", want: "192.168.0.0/16,10.0.0.0/8"}, // as suricata.yaml writes it
		{in: "2001:db8::/32", want: "2001:db8::/32"},
		{in: "10.1.2.3/8", want: "10.0.0.0/8"},            // host bits masked
		{in: "198.51.100.7", want: "198.51.100.7/32"},     // a single host
		{in: "2001:db8::1", want: "2001:db8::1/128"},      // a single IPv6 host
		{in: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},   // v4-mapped: compared unmapped
		{in: "10.0.0.0/8,10.0.0.0/8", want: "10.0.0.0/8"}, // duplicates once
		{in: DefaultHomeNet, want: DefaultHomeNet},        // round trip
		{in: "10.0.0.0/33", wantErr: `"10.0.0.0/33" is not a CIDR`},
		{in: "10.0.0.0/8,300.1.0.0/16", wantErr: `"300.1.0.0/16" is not a CIDR`},
		{in: "10.0.0.0/8,", wantErr: `"" is not a CIDR`},
		{in: "!10.0.0.0/8", wantErr: `"!10.0.0.0/8" is not a CIDR`},
		{in: "$HOME_NET", wantErr: `"$HOME_NET" is not a CIDR`},
		{in: "fe80::1%eth0", wantErr: `"fe80::1%eth0" is not a CIDR`},
		{in: "any", wantErr: `"any" is not a CIDR`},
		{in: "", wantErr: "no CIDR given"},
		{in: " [ ] ", wantErr: "no CIDR given"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h, err := ParseHomeNet(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseHomeNet(%q) = %v, %v; want an error holding %q", tt.in, h, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHomeNet(%q): %v", tt.in, err)
			}
			if got := h.String(); got != tt.want {
				t.Errorf("ParseHomeNet(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestHomeNetContains(t *testing.T) {
	custom, err := ParseHomeNet("198.51.100.0/24,2001:db8:1::/48")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name               string
		home               HomeNet
		addr               string
		contains, internal bool
	}{
		{"default rfc 1918", HomeNet{}, "10.1.2.3", true, true},
		{"default 172.16/12 top", HomeNet{}, "172.31.255.255", true, true},
		{"default 172.32 outside", HomeNet{}, "172.32.0.1", false, false},
		{"default ula", HomeNet{}, "fd12:3456::1", true, true},
		{"default v4-mapped", HomeNet{}, "::ffff:192.168.1.1", true, true},
		{"default public", HomeNet{}, "203.0.113.9", false, false},
		{"default documentation v6", HomeNet{}, "2001:db8::1", false, false},
		{"link-local is internal, not home", HomeNet{}, "169.254.1.1", false, true},
		{"v6 link-local", HomeNet{}, "fe80::1", false, true},
		{"loopback", HomeNet{}, "127.0.0.1", false, true},
		{"custom public range", custom, "198.51.100.200", true, true},
		{"custom v6", custom, "2001:db8:1:2::1", true, true},
		{"custom leaves rfc 1918 out", custom, "10.0.0.1", false, false},
		{"custom keeps link-local internal", custom, "fe80::1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := tt.home.Contains(a); got != tt.contains {
				t.Errorf("%s.Contains(%s) = %v, want %v", tt.home, a, got, tt.contains)
			}
			if got := tt.home.Internal(a); got != tt.internal {
				t.Errorf("%s.Internal(%s) = %v, want %v", tt.home, a, got, tt.internal)
			}
		})
	}
}

// The default home network, DefaultVars' $HOME_NET and IsPrivate agree,
// so a run without --home-net means by "internal" what its rules mean by
// $HOME_NET.
func TestDefaultHomeNetIsRulesHomeNet(t *testing.T) {
	if got, want := (HomeNet{}).RuleVars().Addr["HOME_NET"], rules.DefaultVars().Addr["HOME_NET"]; got != want {
		t.Errorf("HomeNet{}.RuleVars HOME_NET = %s, rules.DefaultVars HOME_NET = %s", got, want)
	}
	spec, err := rules.ParseAddr("$HOME_NET", rules.DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := spec.Include, (HomeNet{}).Prefixes(); len(got) != len(want) {
		t.Errorf("$HOME_NET = %v, default home network %v", got, want)
	}
	for _, s := range []string{"10.0.0.1", "172.16.0.1", "172.32.0.1", "192.168.255.1", "192.169.0.1",
		"fc00::1", "fdff::1", "fe00::1", "8.8.8.8", "2001:db8::1", "169.254.0.1"} {
		a := netip.MustParseAddr(s)
		if spec.Match(a) != (HomeNet{}).Contains(a) || a.IsPrivate() != (HomeNet{}).Contains(a) {
			t.Errorf("%s: $HOME_NET %v, HomeNet{}.Contains %v, IsPrivate %v", a, spec.Match(a), (HomeNet{}).Contains(a), a.IsPrivate())
		}
	}
	custom, _ := ParseHomeNet("198.51.100.0/24,fd00::/8")
	vars := custom.RuleVars()
	if got := vars.Addr["HOME_NET"]; got != "[198.51.100.0/24,fd00::/8]" {
		t.Errorf("RuleVars HOME_NET = %s", got)
	}
	if err := vars.Validate(); err != nil {
		t.Errorf("RuleVars: %v", err)
	}
	ext, err := rules.ParseAddr("$EXTERNAL_NET", vars)
	if err != nil {
		t.Fatal(err)
	}
	if ext.Match(netip.MustParseAddr("198.51.100.9")) || !ext.Match(netip.MustParseAddr("10.0.0.1")) {
		t.Errorf("$EXTERNAL_NET with home %s = %+v", custom, ext)
	}
}

// network.home_net is a config key: a list or a --home-net string, and a
// bad entry is named.
func TestHomeNetConfig(t *testing.T) {
	def := DefaultTunables()
	raw, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"network":{"home_net":["192.168.0.0/16","10.0.0.0/8","172.16.0.0/12","fc00::/7"]}`) {
		t.Errorf("defaults do not print network.home_net: %s", raw)
	}
	tests := []struct {
		set, want, wantErr string
	}{
		{set: "network.home_net=10.0.0.0/8,fd00::/8", want: "10.0.0.0/8,fd00::/8"},
		{set: `network.home_net=["198.51.100.0/24"]`, want: "198.51.100.0/24"},
		{set: "network.home_net=10.0.0.0/33", wantErr: `--set network.home_net=10.0.0.0/33: home_net: "10.0.0.0/33" is not a CIDR`},
		{set: "network.home_net=[]", wantErr: "no CIDR given"},
		{set: "network.home_net=5", wantErr: "want a list of CIDRs"},
		{set: "network.bogus=1", wantErr: `unknown key "bogus"; known here: home_net`},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			tun := DefaultTunables()
			err := tun.Set(tt.set)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Set(%q) = %v, want an error holding %q", tt.set, err, tt.wantErr)
				}
				if !tun.Network.HomeNet.Equal(HomeNet{}) {
					t.Errorf("a failed Set changed home_net to %s", tun.Network.HomeNet)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set(%q): %v", tt.set, err)
			}
			if got := tun.Network.HomeNet.String(); got != tt.want {
				t.Errorf("Set(%q): home_net %s, want %s", tt.set, got, tt.want)
			}
		})
	}
}

// A scanner is excused only inside the home network: the same scans from
// an address outside it need investigation, and moving the home network
// over the host makes it a scanner.
func TestHomeNetDecidesVerdict(t *testing.T) {
	const host = "198.51.100.40"
	covering, _ := ParseHomeNet("10.0.0.0/8,198.51.100.0/24")
	narrow, _ := ParseHomeNet("10.0.0.0/8")
	tests := []struct {
		name    string
		host    string
		home    HomeNet
		verdict string // "" for investigate
		reason  string // investigate reason
	}{
		{"public scanner, default home", host, HomeNet{}, "", "outside address"},
		{"public scanner inside --home-net", host, covering, VerdictScanner, ""},
		{"private scanner, default home", "192.168.7.40", HomeNet{}, VerdictScanner, ""},
		{"private scanner outside --home-net", "192.168.7.40", narrow, "", "outside address"},
	}
	cat := fpCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fps, inv := classifyHosts(fpScan(tt.host), cat, tt.home)
			if tt.verdict != "" {
				if len(fps) != 1 || fps[0].Host.String() != tt.host || fps[0].Verdict != tt.verdict || len(inv) != 0 {
					t.Fatalf("false positives %+v, investigate %+v; want %s %s", fps, inv, tt.host, tt.verdict)
				}
				return
			}
			if len(inv) != 1 || inv[0].Host.String() != tt.host || !strings.Contains(inv[0].Reason, tt.reason) || len(fps) != 0 {
				t.Fatalf("false positives %+v, investigate %+v; want %s to investigate: %s", fps, inv, tt.host, tt.reason)
			}
		})
	}
}

// The what-if warns about hiding a host outside the home network, and not
// about the same host once the home network covers it.
func TestHomeNetWhatIf(t *testing.T) {
	covering, _ := ParseHomeNet("203.0.113.0/24")
	for _, tt := range []struct {
		name string
		home HomeNet
		warn bool
	}{
		{"outside the default home network", HomeNet{}, true},
		{"inside --home-net", covering, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := result(alerts(attacker, 9000002, 3)).verdict(attacker, "", VerdictScanner)
			w := CompareExclusions(a, result(), "none", "b.txt", tt.home)
			external := slices.ContainsFunc(w.Warnings, func(x WhatIfWarning) bool {
				return x.Host.String() == attacker && slices.ContainsFunc(x.Reasons, func(r string) bool { return strings.Contains(r, "external host") })
			})
			if external != tt.warn {
				t.Errorf("external-host warning for %s: %v, want %v; warnings %+v", attacker, external, tt.warn, w.Warnings)
			}
		})
	}
}
