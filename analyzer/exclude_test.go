package analyzer

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/internal/capped"
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
		{"00:0c:29:zz:00:01\n", "not an IP, CIDR, range a-b, MAC address or suppress line"},
	}
	for _, tc := range tests {
		_, err := ParseExclusions("ex.txt", strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want it to contain %q", tc.text, err, tc.want)
		}
	}
}

func TestParseSuppress(t *testing.T) {
	list, err := ParseExclusions("ex.txt", strings.NewReader(`# suppress lines, as in Suricata's threshold.config
suppress gen_id 1, sig_id 9000002, track by_src, ip 192.168.1.250   # the scanner's scans
suppress gen_id 1, sig_id 9000004
suppress gen_id 0, sig_id 9100003, track by_dst, ip [192.168.1.0/24, !192.168.1.1]
suppress	gen_id 1,sig_id 9100004 ,  track by_either , ip !10.0.0.0/8
SUPPRESS gen_id 3, sig_id 5, track by_src, ip 2001:db8::/32
suppress gen_id 0, sig_id 0, track by_src, ip [10.9.9.9]
10.0.5.17
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 7 {
		t.Fatalf("%d entries", len(list.Entries))
	}
	if e := list.Entries[0]; e.Text != "suppress gen_id 1, sig_id 9000002, track by_src, ip 192.168.1.250" ||
		e.Where != "ex.txt:2" || e.Kind() != ExclusionSuppress {
		t.Errorf("entry 0: %q at %s, kind %s", e.Text, e.Where, e.Kind())
	}
	if k := list.Entries[6].Kind(); k != ExclusionHost {
		t.Errorf("address entry kind %s", k)
	}
	addr := netip.MustParseAddr
	var none netip.Addr
	tests := []struct {
		name     string
		sid      uint32
		gids     []uint32
		src, dst netip.Addr
		want     int // entry index, -1 for none
	}{
		{"by_src matches the source", 9000002, nil, addr("192.168.1.250"), addr("192.168.1.10"), 0},
		{"by_src not the destination", 9000002, nil, addr("192.168.1.10"), addr("192.168.1.250"), -1},
		{"by_src mapped address", 9000002, nil, addr("::ffff:192.168.1.250"), none, 0},
		{"another signature from the same source", 9000001, nil, addr("192.168.1.250"), none, -1},
		{"no track: everyone", 9000004, nil, addr("203.0.113.77"), addr("192.168.1.22"), 1},
		{"no track: even no address", 9000004, nil, none, none, 1},
		{"gen_id 0 is any generator", 9100003, []uint32{7}, addr("203.0.113.9"), addr("192.168.1.10"), 2},
		{"by_dst list", 9100003, nil, addr("203.0.113.9"), addr("192.168.1.10"), 2},
		{"by_dst negated item", 9100003, nil, addr("203.0.113.9"), addr("192.168.1.1"), -1},
		{"by_dst outside the list", 9100003, nil, addr("192.168.1.10"), addr("10.0.0.1"), -1},
		{"by_either source", 9100004, nil, addr("203.0.113.9"), addr("10.0.0.1"), 3},
		{"by_either destination", 9100004, nil, addr("10.0.0.1"), addr("203.0.113.9"), 3},
		{"by_either negation excludes both", 9100004, nil, addr("10.0.0.1"), addr("10.0.0.2"), -1},
		{"by_either no address", 9100004, nil, none, none, -1},
		{"gen_id 3 needs a gid-3 rule", 5, nil, addr("2001:db8::1"), none, -1},
		{"gen_id 3 rule", 5, []uint32{3}, addr("2001:db8::1"), none, 4},
		{"gen_id 1 not a gid-3 rule", 9000004, []uint32{3}, addr("203.0.113.77"), none, -1},
		{"sig_id 0 is every signature", 42, nil, addr("10.9.9.9"), none, 5},
		{"host entry after suppress entries", 42, nil, addr("10.0.5.17"), none, 6},
	}
	for _, tc := range tests {
		i, ok := list.matchAlert(alertKey{sid: tc.sid, gids: tc.gids, src: tc.src, dst: tc.dst})
		if !ok {
			i = -1
		}
		if i != tc.want {
			t.Errorf("%s: entry %d, want %d", tc.name, i, tc.want)
		}
	}
	// Match is for hosts: it never consults suppress entries.
	if e, ok := list.Match(addr("192.168.1.250"), [6]byte{}, false); ok {
		t.Errorf("Match returned suppress entry %q", e.Text)
	}
}

func TestParseExclusionsFirstEntryCredited(t *testing.T) {
	list, err := ParseExclusions("ex.txt", strings.NewReader("suppress gen_id 1, sig_id 9000002\n192.168.1.250\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("192.168.1.250")
	if i, _ := list.matchAlert(alertKey{sid: 9000002, src: src}); i != 0 {
		t.Errorf("scan credited to entry %d, want the suppress line first in the file", i)
	}
	if i, _ := list.matchAlert(alertKey{sid: 9000004, src: src}); i != 1 {
		t.Errorf("brute force credited to entry %d, want the host entry", i)
	}
	mac := [6]byte{0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc}
	list, err = ParseExclusions("ex.txt", strings.NewReader("00:0c:29:aa:bb:cc\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := list.matchAlert(alertKey{sid: 9000003, mac: mac, hasMAC: true}); !ok {
		t.Error("MAC entry did not match an alert known only by MAC")
	}
	var nilList *ExclusionList
	if _, ok := nilList.matchAlert(alertKey{sid: 1, src: src}); ok {
		t.Error("nil list matched")
	}
}

// TestParseSuppressErrors: every error names file:line, the offending
// token and what was expected.
func TestParseSuppressErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"suppress", `ex.txt:2: suppress: missing gen_id; expected "suppress gen_id G, sig_id N[, track by_src|by_dst|by_either, ip ADDR]"`},
		{"suppress gen_id 1", "ex.txt:2: suppress: missing sig_id; expected"},
		{"suppress sig_id 9000002", "ex.txt:2: suppress: missing gen_id"},
		{"suppress gen_id one, sig_id 9000002", `ex.txt:2: suppress: gen_id "one": expected a generator id (a number: 1 for rules and built-in detections, 0 for any)`},
		{"suppress gen_id -1, sig_id 9000002", `ex.txt:2: suppress: gen_id "-1": expected a generator id`},
		{"suppress gen_id 1, sig_id 9000002x", `ex.txt:2: suppress: sig_id "9000002x": expected a signature id (a number, 0 for every signature)`},
		{"suppress gen_id 1, sig_id 99999999999", `ex.txt:2: suppress: sig_id "99999999999": expected a signature id`},
		{"suppress gen_id 1, sig_id", "ex.txt:2: suppress: sig_id: missing value"},
		{"suppress gen_id 1, sig_id 2, track by_rule, ip 10.0.0.1", `ex.txt:2: suppress: track "by_rule": expected by_src, by_dst or by_either`},
		{"suppress gen_id 1, sig_id 2, track by_src", "ex.txt:2: suppress: track without ip; expected"},
		{"suppress gen_id 1, sig_id 2, ip 10.0.0.1", "ex.txt:2: suppress: ip without track; expected"},
		{"suppress gen_id 1, sig_id 2, sig_id 3", "ex.txt:2: suppress: sig_id given twice"},
		{"suppress gen_id 1, sig_id 2, type limit", `ex.txt:2: suppress: "type": expected gen_id, sig_id, track or ip`},
		{"suppress gen_id 1,, sig_id 2", "ex.txt:2: suppress: empty option (a stray comma?)"},
		{"suppress gen_id 1, sig_id 2,", "ex.txt:2: suppress: empty option (a stray comma?)"},
		{"suppress gen_id 1, sig_id 2, track by_src, ip 10.0.0.300", `ex.txt:2: suppress: ip "10.0.0.300": 10.0.0.300: expected an IP address or a CIDR prefix`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip 10.0.0.0/33", `ex.txt:2: suppress: ip "10.0.0.0/33": 10.0.0.0/33: expected a CIDR prefix like 10.0.0.0/8`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip 10.0.0.1/8", `ex.txt:2: suppress: ip "10.0.0.1/8": 10.0.0.1/8: host bits set; did you mean 10.0.0.0/8?`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip $HOME_NET", `ex.txt:2: suppress: ip "$HOME_NET": $HOME_NET: address variables are not supported in exclusion files; write the addresses`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip [10.0.0.1, 10.0.0.2", `ex.txt:2: suppress: ip "[10.0.0.1, 10.0.0.2": expected a list closed by ]`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip [10.0.0.1,]", `ex.txt:2: suppress: ip "[10.0.0.1,]": empty address; expected an address, a CIDR prefix or a list [a, b, !c]`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip []", `ex.txt:2: suppress: ip "[]": empty address`},
		{"suppress gen_id 1, sig_id 2, track by_src, ip [[10.0.0.1]]", "nested lists are not supported"},
		{"suppress gen_id 1, sig_id 2, track by_src, ip 00:0c:29:aa:bb:cc", `00:0c:29:aa:bb:cc: expected an IP address or a CIDR prefix`},
		{"threshold gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60", "ex.txt:2: threshold: only suppress is supported in exclusion files"},
		{"event_filter gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60", "ex.txt:2: event_filter: only suppress is supported in exclusion files"},
		{"rate_filter gen_id 1, sig_id 2, track by_rule, count 10, seconds 1, new_action drop, timeout 10", "ex.txt:2: rate_filter: only suppress is supported in exclusion files"},
		{"supress gen_id 1, sig_id 2", `ex.txt:2: "supress gen_id 1, sig_id 2": one entry a line (IP, CIDR, range a-b, MAC or a suppress line)`},
	}
	for _, tc := range tests {
		_, err := ParseExclusions("ex.txt", strings.NewReader("10.0.0.1\n"+tc.line+"   # comment\n10.0.0.2\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant it to contain %q", tc.line, err, tc.want)
		}
	}
}

// FuzzParseExclusions: any text parses or fails with an error naming the
// file and line; it never panics, and what parses renders back.
func FuzzParseExclusions(f *testing.F) {
	for _, s := range []string{
		"10.0.0.1\n10.0.0.0/8 # lab\n10.0.0.5-10.0.0.9\n00:0c:29:aa:bb:cc\n",
		"suppress gen_id 1, sig_id 9000002, track by_src, ip [10.0.0.0/8, !10.0.0.1]\n",
		"suppress gen_id 0, sig_id 0\nthreshold gen_id 1, sig_id 1, type limit, track by_src, count 1, seconds 60\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		l, err := ParseExclusions("fuzz.txt", strings.NewReader(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		for _, e := range l.Entries {
			if e.Text == "" || !strings.HasPrefix(e.Where, "fuzz.txt:") {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}

// endless repeats line forever, as /dev/zero or a pipe that never closes
// does with its bytes.
type endless struct {
	line string
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.line[e.off]
		e.off = (e.off + 1) % len(e.line)
	}
	return len(p), nil
}

// TestParseExclusionsCaps: an endless or oversized list is an error naming
// the file, the line and the cap, never a list that grows until memory
// runs out (1M lines held 570 MB).
func TestParseExclusionsCaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"NUL bytes (/dev/zero)", &endless{line: "\x00"}, "ex.txt:1: line longer than 1 MiB"},
		{"endless entries", &endless{line: "10.0.0.1\n"}, "ex.txt:100001: more than 100000 entries, the cap for an exclusion list"},
		// 30-byte lines: 559,240 whole ones in 16 MiB, the cap falls in the next
		{"endless comments", &endless{line: "# a comment that adds nothing\n"}, "ex.txt:559241: larger than 16 MiB, the cap for an exclusion list"},
		{"entries at the cap", strings.NewReader(strings.Repeat("10.0.0.1\n", capped.ListEntries) + "# done\n"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseExclusions("ex.txt", tc.r)
			if tc.want == "" {
				if err != nil || len(l.Entries) != capped.ListEntries {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadExclusionsTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 1<<40); err != nil {
		t.Skipf("no sparse files: %v", err)
	}
	_, err := LoadExclusions(path)
	if want := path + ": larger than 16 MiB, the cap for an exclusion list"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
