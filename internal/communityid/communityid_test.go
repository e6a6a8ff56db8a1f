package communityid

import (
	"net/netip"
	"testing"
)

// TestIDSpecBaseline checks the TCP, UDP, SCTP and portless vectors of the
// spec's published baselines (github.com/corelight/community-id-spec,
// baseline/baseline_deflt.json for seed 0 and baseline_seed1.json for
// seed 1, made from its pcaps/), each in both directions as listed there.
func TestIDSpecBaseline(t *testing.T) {
	tests := []struct {
		name         string
		seed         uint16
		proto        uint8
		saddr, daddr string
		sport, dport uint16
		ports        bool
		want         string
	}{
		{"tcp.pcap", 0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, true, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"tcp.pcap reply", 0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, true, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"ipv6.pcap", 0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, true, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
		{"ipv6.pcap reply", 0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, true, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
		{"udp.pcap", 0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, true, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{"udp.pcap reply", 0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, true, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{"sctp.pcap", 0, 132, "192.168.170.8", "192.168.170.56", 7, 7, true, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
		{"sctp.pcap reply", 0, 132, "192.168.170.56", "192.168.170.8", 7, 7, true, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
		{"rsvp.pcap (no ports)", 0, 46, "10.1.12.1", "10.1.12.2", 0, 0, false, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
		{"rsvp.pcap reply", 0, 46, "10.1.12.2", "10.1.12.1", 0, 0, false, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
		{"tcp.pcap seed 1", 1, 6, "128.232.110.120", "66.35.250.204", 34855, 80, true, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
		{"ipv6.pcap seed 1", 1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, true, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
		{"udp.pcap seed 1", 1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, true, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
		{"sctp.pcap seed 1", 1, 132, "192.168.170.56", "192.168.170.8", 7, 7, true, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
		{"rsvp.pcap seed 1", 1, 46, "10.1.12.1", "10.1.12.2", 0, 0, false, "1:rYir8gphR31noO9iDRQmF/BteEI="},
		// not in the baseline: a mapped address hashes as its IPv4 form
		{"mapped", 0, 6, "::ffff:128.232.110.120", "66.35.250.204", 34855, 80, true, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ID(tt.seed, netip.MustParseAddr(tt.saddr), tt.sport, netip.MustParseAddr(tt.daddr), tt.dport, tt.proto, tt.ports)
			if got != tt.want {
				t.Errorf("ID = %s, want %s", got, tt.want)
			}
		})
	}
}
