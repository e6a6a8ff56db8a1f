package pcapfilter

import (
	"strings"
	"testing"
)

// FuzzCompile: any expression compiles or is refused with an error naming
// it, never a panic, and a compiled program runs on any bytes.
func FuzzCompile(f *testing.F) {
	for _, e := range compareExprsSeed {
		f.Add(e, uint8(0), []byte("\x00\x01\x02\x03\x04\x05\x00\x01\x02\x03\x04\x06\x08\x00\x45\x00\x00\x28"))
	}
	links := []uint32{linkEthernet, linkSLL, linkSLL2, linkRaw, linkIPv4, linkIPv6}
	f.Fuzz(func(t *testing.T, expr string, link uint8, pkt []byte) {
		flt, err := Compile(expr, links[int(link)%len(links)], 65535)
		if err != nil {
			if !strings.Contains(err.Error(), "filter ") {
				t.Fatalf("%q: error does not name the filter: %v", expr, err)
			}
			return
		}
		flt.Match(pkt)
	})
}

// compareExprsSeed are seeds for the fuzzer, in every build (the libpcap
// comparison's list needs cgo).
var compareExprsSeed = []string{
	"tcp", "host 10.0.0.1 or 10.0.0.2", "not (udp port 53)", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"vlan 100 and ip6 net fe80::/10", "ether src 52:54:00:4c:ab:26", "portrange 1-1024", "len > 100",
	"ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0", "icmp[icmptype] == icmp-echo", "net 10.1 mask 255.255.0.0",
	"tcp[(tcp[12]>>2):4] = 0x47455420", "-ip[8] != 0", "(", "tcp[", "host", "src or dst port 80",
}
