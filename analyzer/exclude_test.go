package analyzer

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseExclusions(t *testing.T) {
	list, err := ParseExclusions("hosts.txt", strings.NewReader(`# internal scanners
10.0.5.17            # Nessus
192.168.10.0/24
172.16.0.10-172.16.0.20
2001:db8::/32

00:0C:29:AA:BB:CC    # lab VM
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 5 || list.Entries[4].Where != "hosts.txt:7" {
		t.Fatalf("entries %+v", list.Entries)
	}
	tests := []struct {
		addr   string
		mac    [6]byte
		hasMAC bool
		want   string
	}{
		{"10.0.5.17", [6]byte{}, false, "10.0.5.17"},
		{"10.0.5.18", [6]byte{}, false, ""},
		{"192.168.10.200", [6]byte{}, false, "192.168.10.0/24"},
		{"172.16.0.15", [6]byte{}, false, "172.16.0.10-172.16.0.20"},
		{"172.16.0.21", [6]byte{}, false, ""},
		{"2001:db8:1::5", [6]byte{}, false, "2001:db8::/32"},
		{"::ffff:10.0.5.17", [6]byte{}, false, "10.0.5.17"},
		{"192.168.1.41", [6]byte{0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc}, true, "00:0C:29:AA:BB:CC"},
		{"192.168.1.41", [6]byte{0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc}, false, ""},
	}
	for _, tc := range tests {
		e, ok := list.Match(netip.MustParseAddr(tc.addr), tc.mac, tc.hasMAC)
		got := ""
		if ok {
			got = e.Text
		}
		if got != tc.want {
			t.Errorf("Match(%s, %x, %v) = %q, want %q", tc.addr, tc.mac, tc.hasMAC, got, tc.want)
		}
	}
	var none *ExclusionList
	if _, ok := none.Match(netip.MustParseAddr("10.0.0.1"), [6]byte{}, false); ok {
		t.Error("nil list matched")
	}
}

func TestParseExclusionsErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"10.0.0.300\n", "ex.txt:1: \"10.0.0.300\": not an IP"},
		{"\n# ok\n10.0.0.0/33\n", "ex.txt:3: \"10.0.0.0/33\": not a CIDR"},
		{"10.0.0.1/24\n", "host bits set; did you mean 10.0.0.0/24"},
		{"10.0.0.9-10.0.0.1\n", "range ends before it starts"},
		{"10.0.0.1-2001:db8::1\n", "mixes IPv4 and IPv6"},
		{"10.0.0.1 10.0.0.2\n", "one entry a line"},
		{"00:0c:29:zz:00:01\n", "not an IP, CIDR, range a-b or MAC"},
	}
	for _, tc := range tests {
		_, err := ParseExclusions("ex.txt", strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want it to contain %q", tc.text, err, tc.want)
		}
	}
}
