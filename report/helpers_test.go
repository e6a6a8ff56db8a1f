package report

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// testMAC parses a MAC for a fixture; "" is none.
func testMAC(s string) analyzer.MAC {
	var m analyzer.MAC
	if err := m.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return m
}

// testHosts parses a fixture's host list.
func testHosts(hosts ...string) []analyzer.Host {
	out := make([]analyzer.Host, len(hosts))
	for i, h := range hosts {
		out[i] = analyzer.MustParseHost(h)
	}
	return out
}

// testAddrs parses a fixture's address list.
func testAddrs(addrs ...string) []netip.Addr {
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}
