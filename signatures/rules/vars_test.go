package rules

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseAddrMatch(t *testing.T) {
	vars := DefaultVars()
	vars.Addr["NESTED"] = "[$HOME_NET,!10.1.0.0/16]"
	vars.Addr["V6NET"] = "[2001:db8::/32,fe80::/10]"
	tests := []struct {
		expr    string
		in, out []string
	}{
		{"any", []string{"1.2.3.4", "::1"}, nil},
		{"10.1.2.3", []string{"10.1.2.3"}, []string{"10.1.2.4", "::1"}},
		{"10.0.0.0/8", []string{"10.0.0.0", "10.255.255.255"}, []string{"11.0.0.0", "9.255.255.255"}},
		{"10.1.2.3/8", []string{"10.200.0.1"}, []string{"11.0.0.0"}}, // host bits masked
		{"192.168.0.0/255.255.0.0", []string{"192.168.44.1"}, []string{"192.169.0.1"}},
		{"10.0.0.5-10.0.0.9", []string{"10.0.0.5", "10.0.0.9"}, []string{"10.0.0.4", "10.0.0.10"}},
		{"!10.0.0.0/8", []string{"11.0.0.1", "::1"}, []string{"10.0.0.1"}},
		{"$HOME_NET", []string{"10.1.2.3", "192.168.1.1", "172.16.0.1", "172.31.255.255", "fd12:3456::1", "fc00::1"},
			[]string{"8.8.8.8", "172.32.0.1", "::1", "fe80::1", "2001:db8::1"}},
		{"!$HOME_NET", []string{"8.8.8.8", "2001:db8::1"}, []string{"10.1.2.3", "192.168.0.1", "fd00::1"}},
		{"$EXTERNAL_NET", []string{"8.8.8.8"}, []string{"10.1.2.3"}},
		{"[10.0.0.0/8,!10.1.0.0/16]", []string{"10.2.0.1"}, []string{"10.1.0.1", "8.8.8.8"}},
		{"[10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24]]", []string{"10.2.0.1", "10.1.2.7"}, []string{"10.1.3.1", "8.8.8.8"}},
		{"![10.0.0.0/8,!10.1.0.0/16]", []string{"10.1.0.1", "8.8.8.8"}, []string{"10.2.0.1"}},
		{"[!10.0.0.1]", []string{"10.0.0.2", "::1"}, []string{"10.0.0.1"}},
		{"[any,!10.0.0.1]", []string{"10.0.0.2"}, []string{"10.0.0.1"}},
		{"$NESTED", []string{"10.2.0.1", "192.168.1.1"}, []string{"10.1.0.1", "8.8.8.8"}},
		{"!$NESTED", []string{"10.1.0.1", "8.8.8.8"}, []string{"10.2.0.1"}},
		{"[1.1.1.1, 2.2.2.2]", []string{"1.1.1.1", "2.2.2.2"}, []string{"3.3.3.3"}},
		{"2001:db8::1", []string{"2001:db8::1"}, []string{"2001:db8::2", "1.1.1.1"}},
		{"2001:db8::/32", []string{"2001:db8:ffff::1"}, []string{"2001:db9::1"}},
		{"[$V6NET,!2001:db8:1::/48]", []string{"2001:db8:2::1", "fe80::1"}, []string{"2001:db8:1::1", "10.0.0.1"}},
		{"![::/0]", []string{"1.2.3.4"}, []string{"::1", "2001:db8::1"}},
		{"[0.0.0.0/0,::/0]", []string{"1.2.3.4", "::1"}, nil},
	}
	for _, tt := range tests {
		spec, err := ParseAddr(tt.expr, vars)
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.expr, err)
			continue
		}
		for _, a := range tt.in {
			if !spec.Match(netip.MustParseAddr(a)) {
				t.Errorf("ParseAddr(%q) = %+v: %s not matched", tt.expr, spec, a)
			}
		}
		for _, a := range tt.out {
			if spec.Match(netip.MustParseAddr(a)) {
				t.Errorf("ParseAddr(%q) = %+v: %s matched", tt.expr, spec, a)
			}
		}
	}
}

// The spec keeps the expression's shape where it can.
func TestParseAddrShape(t *testing.T) {
	vars := DefaultVars()
	pfx := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			out = append(out, netip.MustParsePrefix(s))
		}
		return out
	}
	home := pfx("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
	tests := []struct {
		expr string
		want AddrSpec
	}{
		{"any", AddrSpec{Any: true}},
		{"[0.0.0.0/0,::/0]", AddrSpec{Any: true}},
		{"$HOME_NET", AddrSpec{Include: home}},
		{"!$HOME_NET", AddrSpec{Include: home, Negated: true}},
		{"$EXTERNAL_NET", AddrSpec{Include: home, Negated: true}},
		{"[10.0.0.0/8,!10.1.0.0/16]", AddrSpec{Include: pfx("10.0.0.0/8"), Exclude: pfx("10.1.0.0/16")}},
		{"[any,!10.0.0.1]", AddrSpec{Any: true, Exclude: pfx("10.0.0.1/32")}},
		{"10.0.0.0-10.0.0.9", AddrSpec{Include: pfx("10.0.0.0/29", "10.0.0.8/31")}},
		{"[10.0.0.0/9,10.128.0.0/9]", AddrSpec{Include: pfx("10.0.0.0/8")}},
	}
	for _, tt := range tests {
		got, err := ParseAddr(tt.expr, vars)
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddr(%q) = %+v, want %+v", tt.expr, got, tt.want)
		}
	}
}

func TestParseAddrErrors(t *testing.T) {
	vars := DefaultVars()
	vars.Addr["LOOP_A"] = "[1.1.1.1,$LOOP_B]"
	vars.Addr["LOOP_B"] = "!$LOOP_A"
	vars.Addr["SELF"] = "$SELF"
	vars.Addr["BAD"] = "[10.0.0.0/33]"
	tests := []struct{ expr, want string }{
		{"", "empty address"},
		{"!any", "matches no address"},
		{"[1.1.1.1,!1.1.1.1]", "matches no address"},
		{"10.0.0.256", `bad address "10.0.0.256"`},
		{"10.0.0.0/33", "prefix length 33 out of range"},
		{"10.0.0.0/255.0.255.0", "not contiguous"},
		{"10.0.0.9-10.0.0.1", "end is below the start"},
		{"10.0.0.1-::1", "bad address range"},
		{"fe80::1%eth0", "bad address"},
		{"[1.1.1.1", "unterminated list"},
		{"[1.1.1.1]]", "unexpected"},
		{"[]", "unexpected"},
		{"$NOPE", "unknown address variable $NOPE"},
		{"$HTTP_PORTS", "$HTTP_PORTS is a port variable, not an address variable"},
		{"$LOOP_A", "refers to itself"},
		{"$SELF", "refers to itself"},
		{"$BAD", "$BAD: bad address"},
		{"$", "bad variable name"},
		{strings.Repeat("[", 100) + "1.1.1.1" + strings.Repeat("]", 100), "nested too deeply"},
	}
	for _, tt := range tests {
		_, err := ParseAddr(tt.expr, vars)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAddr(%q) error = %v, want it to contain %q", tt.expr, err, tt.want)
		}
	}
}

func TestParsePort(t *testing.T) {
	vars := DefaultVars()
	tests := []struct {
		expr    string
		in, out []uint16
		want    *PortSpec
	}{
		{"any", []uint16{0, 65535}, nil, &PortSpec{Any: true}},
		{"80", []uint16{80}, []uint16{81}, &PortSpec{Include: []PortRange{{80, 80}}}},
		{"0", []uint16{0}, []uint16{1}, nil},
		{"1024:2048", []uint16{1024, 2048}, []uint16{1023, 2049}, nil},
		{":1024", []uint16{0, 1024}, []uint16{1025}, &PortSpec{Include: []PortRange{{0, 1024}}}},
		{"1024:", []uint16{1024, 65535}, []uint16{1023}, nil},
		{"!80", []uint16{81, 0}, []uint16{80}, &PortSpec{Include: []PortRange{{80, 80}}, Negated: true}},
		{"[80,443,8000:8080,!8081]", []uint16{80, 443, 8000, 8080}, []uint16{8081, 81}, nil},
		{"[1:100,!50:60]", []uint16{1, 49, 61}, []uint16{50, 60, 0}, &PortSpec{Include: []PortRange{{1, 100}}, Exclude: []PortRange{{50, 60}}}},
		{"$HTTP_PORTS", []uint16{80, 8080}, []uint16{443}, nil},
		{"!$HTTP_PORTS", []uint16{443}, []uint16{80, 8080}, nil},
		{"$SHELLCODE_PORTS", []uint16{81}, []uint16{80}, nil},
		{"$FILE_DATA_PORTS", []uint16{80, 8090, 110, 143}, []uint16{25}, nil},
		{"[$HTTP_PORTS,![8000:8100]]", []uint16{80}, []uint16{8080}, nil},
		{"[0:65535]", []uint16{7}, nil, &PortSpec{Any: true}},
	}
	for _, tt := range tests {
		spec, err := ParsePort(tt.expr, vars)
		if err != nil {
			t.Errorf("ParsePort(%q): %v", tt.expr, err)
			continue
		}
		for _, p := range tt.in {
			if !spec.Match(p) {
				t.Errorf("ParsePort(%q) = %+v: %d not matched", tt.expr, spec, p)
			}
		}
		for _, p := range tt.out {
			if spec.Match(p) {
				t.Errorf("ParsePort(%q) = %+v: %d matched", tt.expr, spec, p)
			}
		}
		if tt.want != nil && !reflect.DeepEqual(spec, *tt.want) {
			t.Errorf("ParsePort(%q) = %+v, want %+v", tt.expr, spec, *tt.want)
		}
	}
}

func TestParsePortErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"65536", `bad port "65536"`},
		{"-1", `bad port "-1"`},
		{"+80", `bad port "+80"`},
		{"http", `bad port "http"`},
		{":", `bad port ":"`},
		{"90:80", "end is below the start"},
		{"!any", "matches no port"},
		{"[80,!80]", "matches no port"},
		{"$HOME_NET", "is an address variable, not a port variable"},
		{"$NOPE", "unknown port variable $NOPE"},
	}
	for _, tt := range tests {
		_, err := ParsePort(tt.expr, DefaultVars())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePort(%q) error = %v, want it to contain %q", tt.expr, err, tt.want)
		}
	}
}

func TestVarsValidate(t *testing.T) {
	if err := DefaultVars().Validate(); err != nil {
		t.Fatalf("DefaultVars().Validate() = %v", err)
	}
	v := DefaultVars()
	v.Port["HTTP_PORTS"] = "[80,99999]"
	if err := v.Validate(); err == nil || !strings.Contains(err.Error(), "$HTTP_PORTS") {
		t.Errorf("Validate with a bad HTTP_PORTS = %v, want an error naming it", err)
	}
	v = DefaultVars()
	v.Addr["HOME_NET"] = "any"
	if err := v.Validate(); err == nil || !strings.Contains(err.Error(), "$EXTERNAL_NET") {
		t.Errorf("Validate with HOME_NET any = %v, want EXTERNAL_NET to match nothing", err)
	}
	// Fresh maps each call.
	a, b := DefaultVars(), DefaultVars()
	a.Addr["HOME_NET"] = "1.1.1.1"
	if b.Addr["HOME_NET"] == "1.1.1.1" {
		t.Error("DefaultVars shares its maps")
	}
}

// prefixes must cover a range exactly, with aligned blocks.
func TestPrefixesCoverRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a, b := rng.Uint32(), rng.Uint32()
		if rng.IntN(2) == 0 {
			b = a + rng.Uint32N(5000)
			if b < a {
				b = a
			}
		}
		if b < a {
			a, b = b, a
		}
		lo := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
		hi := netip.AddrFrom4([4]byte{byte(b >> 24), byte(b >> 16), byte(b >> 8), byte(b)})
		ps := prefixes(addrSpanSet(lo, hi))
		next := lo
		for i, p := range ps {
			if p.Addr() != next || p.Masked() != p {
				t.Fatalf("range %s-%s: prefix %d is %s, want an aligned block at %s (%v)", lo, hi, i, p, next, ps)
			}
			next = lastAddr(p).Next()
		}
		if lastAddr(ps[len(ps)-1]) != hi {
			t.Fatalf("range %s-%s: prefixes %v end at %s", lo, hi, ps, lastAddr(ps[len(ps)-1]))
		}
	}
	full := prefixes(fullSet(kindAddr))
	if len(full) != 2 || full[0].String() != "0.0.0.0/0" || full[1].String() != "::/0" {
		t.Errorf("prefixes(all) = %v", full)
	}
	v6 := prefixes(addrSpanSet(netip.MustParseAddr("::"), netip.MustParseAddr("::2")))
	if len(v6) != 2 || v6[0].String() != "::/127" || v6[1].String() != "::2/128" {
		t.Errorf("prefixes(::-::2) = %v", v6)
	}
}

// TestLongLists loads port and address lists of tens of thousands of items
// in rule headers, variables and a threshold file's ip. Merging them was
// quadratic (each item re-sorted the union so far: 16,384 ports took 40 s,
// 65,536 would outlast the test timeout); they must now load in one sort.
func TestLongLists(t *testing.T) {
	list := func(n int, item func(i int) string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = item(i)
		}
		// shuffled, so no merge can lean on the input's order
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		rng.Shuffle(n, func(i, j int) { items[i], items[j] = items[j], items[i] })
		return "[" + strings.Join(items, ",") + "]"
	}
	addr := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>14&255, i>>6&255, i<<2&255) }
	allPorts := list(65536, func(i int) string { return strconv.Itoa(i) })
	oddPorts := list(32768, func(i int) string { return strconv.Itoa(2*i + 1) })
	addrs := list(10000, addr)
	negAddrs := "[10.0.0.0/8," + list(10000, func(i int) string { return "!" + addr(i) })[1:]

	vars := DefaultVars()
	vars.Port["ODD_PORTS"] = oddPorts
	vars.Addr["MANY"] = addrs
	for _, tc := range []struct {
		name, src, dst, dport string
		wantAny               bool
		in, out               []uint16 // destination ports
		inA, outA             []string // source addresses
	}{
		{name: "65,536 ports", src: "any", dport: allPorts, wantAny: true},
		{name: "32,768 odd ports", src: "any", dport: oddPorts, in: []uint16{1, 32767, 65535}, out: []uint16{0, 2, 65534}},
		{name: "odd ports by variable", src: "any", dport: "$ODD_PORTS", in: []uint16{3}, out: []uint16{4}},
		{name: "negated odd ports", src: "any", dport: "!" + oddPorts, in: []uint16{0, 65534}, out: []uint16{1, 65535}},
		{name: "10,000 addresses", src: addrs, dport: "any", wantAny: true, inA: []string{addr(0), addr(9999)}, outA: []string{"10.0.0.1", "192.168.0.1"}},
		{name: "addresses by variable", src: "$MANY", dport: "any", wantAny: true, inA: []string{addr(5000)}, outA: []string{"10.0.0.2"}},
		{name: "10,000 negated addresses", src: negAddrs, dport: "any", wantAny: true, inA: []string{"10.0.0.1", "10.200.0.0"}, outA: []string{addr(0), addr(9999), "11.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := fmt.Sprintf(`alert tcp %s any -> any %s (msg:"long list"; sid:1;)`, tc.src, tc.dport)
			r, skip, err := Parse("long.rules", 1, text, vars)
			if err != nil || skip != nil {
				t.Fatalf("Parse: %v %+v", err, skip)
			}
			if r.DstPorts.Any != tc.wantAny {
				t.Errorf("dst port any = %v, want %v", r.DstPorts.Any, tc.wantAny)
			}
			for _, p := range tc.in {
				if !r.DstPorts.Match(p) {
					t.Errorf("port %d not matched", p)
				}
			}
			for _, p := range tc.out {
				if r.DstPorts.Match(p) {
					t.Errorf("port %d matched", p)
				}
			}
			for _, a := range tc.inA {
				if !r.Src.Match(netip.MustParseAddr(a)) {
					t.Errorf("address %s not matched", a)
				}
			}
			for _, a := range tc.outA {
				if r.Src.Match(netip.MustParseAddr(a)) {
					t.Errorf("address %s matched", a)
				}
			}
		})
	}
	t.Run("threshold file ip", func(t *testing.T) {
		tf, err := ParseThresholdFile("threshold.config", strings.NewReader(
			"suppress gen_id 1, sig_id 7, track by_src, ip "+addrs+"\n"), vars)
		if err != nil {
			t.Fatal(err)
		}
		if ip := tf.Entries[0].IP; !ip.Match(netip.MustParseAddr(addr(1234))) || ip.Match(netip.MustParseAddr("10.0.0.1")) {
			t.Errorf("ip list %+v...: wrong matches", ip.Include[:3])
		}
	})
}
