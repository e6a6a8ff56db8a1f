package analyzer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// DefaultHomeNet is the home network when none is given: RFC 1918 as in
// Suricata's default suricata.yaml, in its order, plus the IPv6
// unique-local space (RFC 4193), which the yaml leaves out. It is exactly
// what netip.Addr.IsPrivate reports, and rules.DefaultVars' HOME_NET.
const DefaultHomeNet = "192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7"

// NetworkConfig describes the monitored network: the config file's
// "network" section.
type NetworkConfig struct {
	// HomeNet is the address space the admin calls their own: what
	// $HOME_NET (and so $EXTERNAL_NET) means in rules, and which hosts the
	// false-positive verdicts, the what-if warnings and the MAC
	// bookkeeping treat as internal. Narrower: fewer hosts can be excused
	// as scanners or guest VMs; wider (a site on public addresses): its own
	// hosts stop being treated as outsiders. Default DefaultHomeNet
	// (Suricata's HOME_NET plus fc00::/7); --home-net overrides it.
	HomeNet HomeNet `json:"home_net"`
}

// HomeNet is a parsed home network: a list of prefixes, as given. Its zero
// value is DefaultHomeNet. Build one with ParseHomeNet.
type HomeNet struct {
	prefixes []netip.Prefix // masked; nil for the default
}

// ParseHomeNet parses "CIDR[,CIDR...]", as --home-net and network.home_net
// take it. A bare address is a single host; one pair of brackets around
// the list, as suricata.yaml writes HOME_NET, is allowed. The error names
// the first entry that is not a CIDR.
func ParseHomeNet(s string) (HomeNet, error) {
	list := strings.TrimSpace(s)
	if strings.HasPrefix(list, "[") && strings.HasSuffix(list, "]") {
		list = list[1 : len(list)-1]
	}
	if strings.TrimSpace(list) == "" {
		return HomeNet{}, errors.New("no CIDR given; want CIDR[,CIDR...], e.g. 10.0.0.0/8,fd00::/8")
	}
	return homeNetOf(strings.Split(list, ","))
}

func homeNetOf(entries []string) (HomeNet, error) {
	var h HomeNet
	for _, e := range entries {
		p, err := parseHomePrefix(strings.TrimSpace(e))
		if err != nil {
			return HomeNet{}, err
		}
		dup := false
		for _, q := range h.prefixes {
			dup = dup || q == p
		}
		if !dup {
			h.prefixes = append(h.prefixes, p)
		}
	}
	if len(h.prefixes) == 0 {
		return HomeNet{}, errors.New("no CIDR given; want CIDR[,CIDR...], e.g. 10.0.0.0/8,fd00::/8")
	}
	return h, nil
}

func parseHomePrefix(s string) (netip.Prefix, error) {
	bad := fmt.Errorf("%q is not a CIDR", s)
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, bad
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return p, bad
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	// ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are compared unmapped
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// Prefixes returns the home network's prefixes in the order given.
func (h HomeNet) Prefixes() []netip.Prefix {
	if h.prefixes == nil {
		d, _ := ParseHomeNet(DefaultHomeNet)
		return d.prefixes
	}
	return append([]netip.Prefix(nil), h.prefixes...)
}

// Contains reports whether a is in the home network ($HOME_NET).
func (h HomeNet) Contains(a netip.Addr) bool {
	a = a.Unmap()
	if h.prefixes == nil {
		return a.IsPrivate() // exactly DefaultHomeNet, without a loop
	}
	for _, p := range h.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Internal reports whether a host at a is one of ours for the verdicts:
// in the home network, or link-local or loopback, which cannot come from
// beyond the segment whatever the home network is.
func (h HomeNet) Internal(a netip.Addr) bool {
	a = a.Unmap()
	return h.Contains(a) || a.IsLinkLocalUnicast() || a.IsLoopback()
}

// Equal reports whether h and o hold the same prefixes in the same order.
func (h HomeNet) Equal(o HomeNet) bool {
	return h.String() == o.String()
}

// String renders the list as --home-net takes it.
func (h HomeNet) String() string {
	ps := h.Prefixes()
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// RuleVars returns rules.DefaultVars with HOME_NET set to h, for loading
// signatures: the home network is what $HOME_NET means, whatever the rule
// files assume, as suricata.yaml's vars decide it for Suricata.
func (h HomeNet) RuleVars() rules.Vars {
	v := rules.DefaultVars()
	v.Addr["HOME_NET"] = "[" + h.String() + "]"
	return v
}

// MarshalJSON writes the list as a JSON array of CIDR strings.
func (h HomeNet) MarshalJSON() ([]byte, error) {
	ps := h.Prefixes()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a JSON array of CIDR strings, or one string in
// --home-net's form, so that --set network.home_net=10.0.0.0/8,fd00::/8
// works unquoted. Errors name the key: the JSON decoder places them at
// the end of the file, not at the value.
func (h *HomeNet) UnmarshalJSON(b []byte) error {
	var v HomeNet
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var s string
		if err = json.Unmarshal(b, &s); err == nil {
			v, err = ParseHomeNet(s)
		}
	} else {
		var list []string
		if json.Unmarshal(b, &list) != nil {
			err = errors.New(`want a list of CIDRs like ["10.0.0.0/8", "fd00::/8"]`)
		} else {
			v, err = homeNetOf(list)
		}
	}
	if err != nil {
		return fmt.Errorf("home_net: %w", err)
	}
	*h = v
	return nil
}
