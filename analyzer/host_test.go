package analyzer

import (
	"encoding/json"
	"net/netip"
	"slices"
	"testing"
)

func TestHostText(t *testing.T) {
	mac, _ := ParseMAC("00:0C:29:5E:71:A2")
	tests := []struct {
		name string
		h    Host
		text string
	}{
		{"none", Host{}, ""},
		{"ipv4", AddrHost(netip.MustParseAddr("10.0.0.1")), "10.0.0.1"},
		{"ipv6", AddrHost(netip.MustParseAddr("2001:db8::1")), "2001:db8::1"},
		{"mapped stays as written", AddrHost(netip.MustParseAddr("::ffff:10.0.0.1")), "::ffff:10.0.0.1"},
		{"network", NetHost(netip.MustParsePrefix("10.0.0.0/24")), "10.0.0.0/24"},
		{"mac, lower case", MACHost(mac), "00:0c:29:5e:71:a2"},
		{"spoofed", SpoofedHost(), "(spoofed sources)"},
		{"unknown", UnknownHost(), "(unknown)"},
		{"invalid address is none", AddrHost(netip.Addr{}), ""},
		{"invalid MAC is none", MACHost(MAC{}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.String(); got != tt.text {
				t.Errorf("String() = %q, want %q", got, tt.text)
			}
			back, err := ParseHost(tt.text)
			if err != nil || back != tt.h {
				t.Errorf("ParseHost(%q) = %#v, %v; want %#v", tt.text, back, err, tt.h)
			}
			if tt.h.IsValid() != (tt.text != "") {
				t.Errorf("IsValid() = %v", tt.h.IsValid())
			}
		})
	}
	for _, bad := range []string{"nonsense", "10.0.0.0/33", "00-11-22-33-44-55-66-77"} {
		if h, err := ParseHost(bad); err == nil {
			t.Errorf("ParseHost(%q) = %v, want an error", bad, h)
		}
	}
}

// Addresses sort numerically and first, as the reports list them; the
// rest by their text.
func TestHostCompare(t *testing.T) {
	got := []Host{
		MustParseHost("00:0c:29:5e:71:a2"), MustParseHost("(spoofed sources)"), MustParseHost("10.0.0.10"),
		MustParseHost("2001:db8::1"), MustParseHost("10.0.0.9"), MustParseHost("10.0.0.0/24"),
	}
	slices.SortFunc(got, Host.Compare)
	want := []string{"10.0.0.9", "10.0.0.10", "2001:db8::1", "(spoofed sources)", "00:0c:29:5e:71:a2", "10.0.0.0/24"}
	for i, h := range got {
		if h.String() != want[i] {
			t.Fatalf("sorted %v, want %v", got, want)
		}
	}
}

// The zero MAC is no MAC and is left out; all zeros is an address a frame
// carried and is written.
func TestMACJSON(t *testing.T) {
	type doc struct {
		M MAC `json:"m,omitzero"`
	}
	tests := []struct {
		m    MAC
		want string
	}{
		{MAC{}, `{}`},
		{MACFrom([6]byte{}), `{"m":"00:00:00:00:00:00"}`},
		{MACFrom([6]byte{0x08, 0, 0x27, 0x4e, 0xaa, 1}), `{"m":"08:00:27:4e:aa:01"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(doc{tt.m})
		if err != nil || string(b) != tt.want {
			t.Errorf("%#v: got %s, %v; want %s", tt.m, b, err, tt.want)
		}
		var back doc
		if err := json.Unmarshal(b, &back); err != nil || back.M != tt.m {
			t.Errorf("%s read back as %#v, %v", b, back.M, err)
		}
	}
	if _, err := ParseMAC("00:00:5e:10:00:00:00:01"); err == nil {
		t.Error("a 64-bit address: want an error")
	}
}
