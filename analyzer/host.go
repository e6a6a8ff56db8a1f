package analyzer

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// MAC is an Ethernet address. The zero MAC means "none", which is not the
// same as 00:00:00:00:00:00: a frame can carry all zeros, and a report must
// still say it did.
type MAC struct {
	addr  [6]byte
	valid bool
}

// MACFrom returns the MAC with the bytes a.
func MACFrom(a [6]byte) MAC { return MAC{addr: a, valid: true} }

// ParseMAC reads a 48-bit MAC in any form net.ParseMAC accepts.
func ParseMAC(s string) (MAC, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return MAC{}, err
	}
	if len(hw) != 6 {
		return MAC{}, fmt.Errorf("mac %q: want a 48-bit Ethernet address", s)
	}
	return MACFrom([6]byte(hw)), nil
}

// IsValid reports whether m holds an address.
func (m MAC) IsValid() bool { return m.valid }

// As6 returns the address bytes.
func (m MAC) As6() [6]byte { return m.addr }

// String renders the lower-case colon form, or "" for no address.
func (m MAC) String() string {
	if !m.valid {
		return ""
	}
	return net.HardwareAddr(m.addr[:]).String()
}

// MarshalText renders String.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads what MarshalText wrote; "" is no address.
func (m *MAC) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = MAC{}
		return nil
	}
	v, err := ParseMAC(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Host is who an alert, block or verdict is about. Most hosts are
// addresses, but not all: an ARP claimant may be known only by its MAC, a
// sweep's victims may be a network, and a spoofed flood has no one source.
// The zero Host is "no host". Host is comparable, so it keys maps.
type Host struct {
	kind hostKind
	addr netip.Addr
	net  netip.Prefix
	mac  MAC
}

type hostKind uint8

const (
	hostNone hostKind = iota
	hostAddr
	hostNet
	hostMAC
	hostSpoofed
	hostUnknown
)

// How the hosts that are not an address or a MAC are written.
const (
	spoofedHostText = "(spoofed sources)"
	unknownHostText = "(unknown)"
)

// AddrHost returns the host at a, or no host when a is not valid.
func AddrHost(a netip.Addr) Host {
	if !a.IsValid() {
		return Host{}
	}
	return Host{kind: hostAddr, addr: a}
}

// NetHost returns the network p, as a sweep's victims, or no host when p
// is not valid.
func NetHost(p netip.Prefix) Host {
	if !p.IsValid() {
		return Host{}
	}
	return Host{kind: hostNet, net: p}
}

// MACHost returns the host known only by m, or no host when m is not
// valid.
func MACHost(m MAC) Host {
	if !m.IsValid() {
		return Host{}
	}
	return Host{kind: hostMAC, mac: m}
}

// SpoofedHost stands for the forged sources of a spoofed flood.
func SpoofedHost() Host { return Host{kind: hostSpoofed} }

// UnknownHost stands for the source of an alert that names none.
func UnknownHost() Host { return Host{kind: hostUnknown} }

// ParseHost reads what Host.String writes: an address, a network, a MAC,
// or one of the placeholders; "" is no host.
func ParseHost(s string) (Host, error) {
	switch s {
	case "":
		return Host{}, nil
	case spoofedHostText:
		return SpoofedHost(), nil
	case unknownHostText:
		return UnknownHost(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return AddrHost(a), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return Host{}, fmt.Errorf("host %q: %w", s, err)
		}
		return NetHost(p), nil
	}
	m, err := ParseMAC(s)
	if err != nil {
		return Host{}, fmt.Errorf("host %q: want an address, network or MAC", s)
	}
	return MACHost(m), nil
}

// MustParseHost is ParseHost for values known to be good, as in tests.
func MustParseHost(s string) Host {
	h, err := ParseHost(s)
	if err != nil {
		panic(err)
	}
	return h
}

// IsValid reports whether h names a host.
func (h Host) IsValid() bool { return h.kind != hostNone }

// Addr returns the host's address, or the zero Addr when it is not one.
func (h Host) Addr() netip.Addr { return h.addr }

// MAC returns the MAC of a host known only by it, else the zero MAC.
func (h Host) MAC() MAC { return h.mac }

// Prefix returns the network of a network host, else the zero Prefix.
func (h Host) Prefix() netip.Prefix { return h.net }

// String renders the address, network or MAC, or the placeholder; "" for
// no host.
func (h Host) String() string {
	switch h.kind {
	case hostAddr:
		return h.addr.String()
	case hostNet:
		return h.net.String()
	case hostMAC:
		return h.mac.String()
	case hostSpoofed:
		return spoofedHostText
	case hostUnknown:
		return unknownHostText
	}
	return ""
}

// Compare orders addresses numerically, before anything else, which is
// ordered by its text.
func (h Host) Compare(o Host) int {
	switch ha, oa := h.kind == hostAddr, o.kind == hostAddr; {
	case ha && oa:
		return h.addr.Compare(o.addr)
	case ha:
		return -1
	case oa:
		return 1
	}
	return cmp.Compare(h.String(), o.String())
}

// MarshalText renders String.
func (h Host) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (h *Host) UnmarshalText(b []byte) error {
	v, err := ParseHost(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// addrString renders an address, or "" when it is not valid.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// Source names who sent an alert: its address, else its MAC (an ARP
// claimant can have none), else SpoofedHost for a spoofed flood; no host
// when the alert names none.
func (a *Alert) Source() Host {
	switch {
	case a.Attacker.IsValid():
		return AddrHost(a.Attacker)
	case a.AttackerMAC.IsValid():
		return MACHost(a.AttackerMAC)
	case a.Spoofed:
		return SpoofedHost()
	}
	return Host{}
}

// lessHost is Host.Compare for sort.Slice.
func lessHost(a, b Host) bool { return a.Compare(b) < 0 }
