package rulematch

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// datasetRules parses rules as if read from dir/test.rules, so their set
// files are dir's.
func datasetRules(t testing.TB, dir string, texts ...string) []*rules.Rule {
	t.Helper()
	var out []*rules.Rule
	for i, text := range texts {
		r, sk, err := rules.Parse(filepath.Join(dir, "test.rules"), i+1, text, rules.DefaultVars())
		if err != nil || sk != nil {
			t.Fatalf("%s: err %v, skipped %+v", text, err, sk)
		}
		out = append(out, r)
	}
	return out
}

// writeFiles writes name → content into a fresh directory.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDatasetRules(t *testing.T) {
	files := map[string]string{
		"hosts.lst": b64("evil.example") + "\n" + b64("bad.example") + "\n",
		"rep.lst":   b64("evil.example") + ",250\n" + b64("meh.example") + ",100\n",
		"ips.lst":   "10.0.0.53\n",
		"ip6.lst":   "10.0.0.53\n2001:db8::1\n",
		// md5 of nothing the buffers hold: a 16-byte ip.src is not in it
		"md5.lst": "d41d8cd98f00b204e9800998ecf8427e\n",
	}
	q := func(name string, opts ...pktOpt) packet.Facts { return dnsPacket(dnsQuery(name), opts...) }
	v6 := []pktOpt{fromAddr("2001:db8::1", 50000), toAddr("2001:db8::53", 53)}
	tests := []struct {
		name  string
		rules []string
		pkts  []packet.Facts
		want  [][]uint32
	}{
		{"isset from a file",
			[]string{`alert dns any any -> any any (dns.query; dataset:isset,bl,type string,load hosts.lst; sid:1;)`},
			[]packet.Facts{q("evil.example"), q("good.example"), q("bad.example")},
			[][]uint32{{1}, nil, {1}}},
		{"isnotset",
			[]string{`alert dns any any -> any any (dns.query; dataset:isnotset,bl,type string,load hosts.lst; sid:1;)`},
			[]packet.Facts{q("evil.example"), q("good.example")},
			[][]uint32{nil, {1}}},
		{"set matches when it adds (datasets-03-set)",
			[]string{`alert dns any any -> any any (dns.query; dataset:set,seen,type string; sid:1;)`},
			[]packet.Facts{q("example.com"), q("example.com"), q("other.com")},
			[][]uint32{{1}, nil, {1}}},
		{"a set seen by another rule on later packets, not by name case",
			[]string{
				`alert dns any any -> any any (dns.query; dataset:set,Seen,type string; sid:1;)`,
				`alert dns any any -> any any (dns.query; dataset:isset,seen; sid:2;)`,
			},
			[]packet.Facts{q("a.example"), q("a.example"), q("b.example")},
			[][]uint32{{1, 2}, {2}, {1, 2}}},
		{"unset matches when it removes (datasets-10-unset)",
			[]string{
				`alert udp any any -> any 53 (ip.src; dataset:set,s,type ipv4; sid:1;)`,
				`alert udp any any -> any 54 (ip.src; dataset:unset,s,type ipv4; sid:2;)`,
			},
			[]packet.Facts{q("a"), q("a", toAddr("10.0.0.53", 54)), q("a", toAddr("10.0.0.53", 54)), q("a")},
			[][]uint32{{1}, {2}, nil, {1}}},
		{"datarep compares the value",
			[]string{
				`alert dns any any -> any any (dns.query; datarep:rep, >, 200, load rep.lst, type string; sid:1;)`,
				`alert dns any any -> any any (dns.query; datarep:rep, <, 200; sid:2;)`,
				`alert dns any any -> any any (dns.query; datarep:rep, ==, 100; sid:3;)`,
			},
			[]packet.Facts{q("evil.example"), q("meh.example"), q("none.example")},
			[][]uint32{{1}, {2, 3}, nil}},
		{"ip.dst in an ipv4 set (datasets-07)",
			[]string{`alert udp any any -> any any (ip.dst; dataset:isset,srv,type ipv4,load ips.lst; sid:1;)`},
			[]packet.Facts{q("a"), q("a", toAddr("10.0.0.54", 53))},
			[][]uint32{{1}, nil}},
		{"ip set: IPv4 lookups, IPv6 entries",
			[]string{`alert udp any any -> any any (ip.src; dataset:isset,any,type ip,load ip6.lst; sid:1;)`},
			[]packet.Facts{q("a", fromAddr("10.0.0.53", 1)), q("a", v6...), q("a")},
			[][]uint32{{1}, {1}, nil}},
		{"set adds to an ip set 16 bytes only (datasets-08)",
			[]string{`alert udp any any -> any any (ip.src; dataset:set,clients,type ipv6; sid:1;)`},
			[]packet.Facts{q("a", v6...), q("a", v6...), q("a")},
			[][]uint32{{1}, nil, nil}},
		{"isnotset on a buffer of the wrong size matches",
			[]string{`alert udp any any -> any any (ip.src; dataset:isnotset,h,type md5,load md5.lst; sid:1;)`},
			[]packet.Facts{q("a")},
			[][]uint32{{1}}},
		{"a dns rule reading addresses only runs on port 53",
			[]string{`alert dns any any -> any any (ip.src; dataset:set,c,type ipv4; sid:1;)`},
			[]packet.Facts{q("a", toAddr("10.0.0.53", 5353)), q("a"), q("a", fromAddr("10.0.0.2", 53), toAddr("10.0.0.1", 40000))},
			[][]uint32{nil, {1}, {1}}},
		{"an http rule reading addresses only runs on HTTP flows",
			[]string{`alert http any any -> any any (ip.src; dataset:isset,ips,type ipv4,load ips.lst; sid:1;)`},
			[]packet.Facts{
				tcpPacket("hello", fromAddr("10.0.0.53", 40000)),
				tcpPacket("GET / HTTP/1.1\r\nHost: a\r\n\r\n", fromAddr("10.0.0.53", 40000)),
				tcpPacket("more", fromAddr("10.0.0.53", 40000)),
			},
			[][]uint32{nil, nil, {1}}},
		{"a failed set ends the chain",
			[]string{`alert dns any any -> any any (dns.query; dataset:set,s,type string; content:"x"; sid:1;)`},
			[]packet.Facts{q("x1"), q("x1"), q("y")},
			[][]uint32{{1}, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			for _, noPF := range []bool{false, true} {
				m := newMatcher(t, datasetRules(t, dir, tt.rules...)...)
				m.noPrefilter = noPF
				got := sidsOf(m, tt.pkts)
				for i := range got {
					slices.Sort(got[i])
				}
				if !slices.EqualFunc(got, tt.want, slices.Equal) {
					t.Errorf("noPrefilter=%v: sids %v, want %v", noPF, got, tt.want)
				}
			}
		})
	}
}

// Each matcher has its own sets: what one run adds, another never sees.
func TestDatasetPerMatcher(t *testing.T) {
	rs := datasetRules(t, t.TempDir(), `alert dns any any -> any any (dns.query; dataset:set,s,type string; sid:1;)`)
	for run := range 2 {
		m := newMatcher(t, rs...)
		if got := sidsOf(m, []packet.Facts{dnsPacket(dnsQuery("a.example"))}); len(got[0]) != 1 {
			t.Errorf("run %d: sids %v, want [1]", run, got)
		}
	}
}

func TestDatasetMemcap(t *testing.T) {
	// room for two short entries: each costs 88 bytes and its key
	rs := datasetRules(t, t.TempDir(), `alert dns any any -> any any (dns.query; dataset:set,s,type string,memcap 200; sid:1;)`)
	m := newMatcher(t, rs...)
	got := sidsOf(m, []packet.Facts{dnsPacket(dnsQuery("a.b")), dnsPacket(dnsQuery("c.d")), dnsPacket(dnsQuery("e.f"))})
	if want := [][]uint32{{1}, {1}, nil}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("sids %v, want %v", got, want)
	}
	if n := m.Evicted(); n != 1 {
		t.Errorf("Evicted %d, want 1 (the entry refused)", n)
	}
}

func TestLoadDatasetFile(t *testing.T) {
	tests := []struct {
		name, typ, text string
		memcap          int64
		entries         int
		warn            []string // each warning's part after the file name
		err             string
	}{
		{"strings", "string", b64("a") + "\n\n" + b64("b") + "\r\n" + b64("c") + ",7\n", 1 << 20, 3, nil, ""},
		{"bad base64 (datarep-bad-datarep-string)", "string", "Z29vZ2xlLm;NvbQ==,1\n" + b64("ok") + "\n", 1 << 20, 1,
			[]string{`:1: dataset s: bad base64 encoding "Z29vZ2xlLm;NvbQ==": line skipped, as Suricata does`}, ""},
		{"bad reputation (datarep-bad-datarep-value)", "string", b64("a") + ",-1\n" + b64("b") + ",65536\n" + b64("c") + ",65535\n", 1 << 20, 1,
			[]string{`:1: dataset s: "-1" is not a valid reputation value (0-65535): line skipped, as Suricata does`,
				`:2: dataset s: "65536" is not a valid reputation value (0-65535): line skipped, as Suricata does`}, ""},
		{"md5", "md5", "d41d8cd98f00b204e9800998ecf8427e\nd41d8cd98f00b204e9800998ecf8427\nzz1d8cd98f00b204e9800998ecf8427e,5\n", 1 << 20, 1,
			[]string{`:2: dataset s: bad md5 hash`, `:3: dataset s: bad md5 hash`}, ""},
		{"sha256", "sha256", strings.Repeat("ab", 32) + ",9\n", 1 << 20, 1, nil, ""},
		{"ipv4", "ipv4", "1.2.3.4\n::1\n1.2.3.4.5\n", 1 << 20, 1,
			[]string{`:2: dataset s: bad IPv4 address "::1"`, `:3: dataset s: bad IPv4 address "1.2.3.4.5"`}, ""},
		{"ipv6 with mapped IPv4", "ipv6", "::ffff:1.2.3.4\n1.2.3.4\n2001:db8::1\n", 1 << 20, 2, nil, ""},
		{"many bad lines, five named", "ipv4", strings.Repeat("x\n", 8), 1 << 20, 0,
			[]string{":1: ", ":2: ", ":3: ", ":4: ", ":5: ", ": dataset s: 3 more lines skipped"}, ""},
		{"a long line", "string", strings.Repeat("A", 70000) + "\n" + b64("b") + "\n", 1 << 20, 1,
			[]string{":1: dataset s: line longer than 65536 bytes skipped"}, ""},
		{"over the memcap", "string", b64("a") + "\n" + b64("b") + "\n", 100, 0, nil, ":2: dataset s: too large for its memcap of 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"set.lst": tt.text})
			typ := named(tt.typ, rules.DatasetString, rules.DatasetIPv6, 0)
			sp := &datasetSpec{name: "s", typ: typ, load: filepath.Join(dir, "set.lst")}
			d, warns, err := loadDataset(sp, tt.memcap)
			if tt.err != "" {
				if err == nil || !strings.HasSuffix(err.Error(), tt.err) {
					t.Fatalf("error %v, want one ending %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(d.entries) != tt.entries {
				t.Errorf("%d entries, want %d", len(d.entries), tt.entries)
			}
			if len(warns) != len(tt.warn) {
				t.Fatalf("warnings %q, want %d", warns, len(tt.warn))
			}
			for i, w := range tt.warn {
				if !strings.HasPrefix(warns[i], sp.load+w) {
					t.Errorf("warning %q, want %q", warns[i], sp.load+w)
				}
			}
		})
	}
}

func TestLoadDatasetMissingFile(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := loadDataset(&datasetSpec{name: "s", typ: rules.DatasetString, load: filepath.Join(dir, "none.lst")}, 1<<20); err == nil {
		t.Error("a missing load file loaded")
	}
	d, _, err := loadDataset(&datasetSpec{name: "s", typ: rules.DatasetString, load: filepath.Join(dir, "none.lst"), state: true}, 1<<20)
	if err != nil || len(d.entries) != 0 {
		t.Errorf("a missing state file: %v, %d entries; want an empty set", err, len(d.entries))
	}
}

// CheckDatasets refuses what Suricata's DatasetGet refuses, rule by rule.
func TestCheckDatasets(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.lst": b64("x") + "\n", "b.lst": b64("y") + "\n"})
	rs := datasetRules(t, dir,
		`alert dns any any -> any any (dns.query; dataset:isset,s,type string,load a.lst; sid:1;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,S; sid:2;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,s,type md5; sid:3;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,s,type string,load b.lst; sid:4;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,undeclared; sid:5;)`,
		`alert dns any any -> any any (dns.query; dataset:isset,gone,type string,load none.lst; sid:6;)`,
		`alert dns any any -> any any (dns.query; datarep:gone, >, 1, type string, load none.lst; sid:7;)`,
	)
	failed, skipped, _ := CheckDatasets(rs)
	var got []uint32
	for _, e := range failed {
		got = append(got, e.SID)
		if !strings.HasPrefix(e.Error(), filepath.Join(dir, "test.rules")+":") {
			t.Errorf("error without its place: %v", e)
		}
	}
	if want := []uint32{3, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("failed sids %v, want %v (%v)", got, want, failed)
	}
	// a set only a suricata.yaml could declare: skipped, not failed
	if len(skipped) != 1 || skipped[0].SID != 5 || !strings.Contains(skipped[0].Reason, "suricata.yaml") {
		t.Errorf("skipped %+v, want sid 5", skipped)
	}
	// New refuses a rule set CheckDatasets would have trimmed
	if _, err := New(rs, DefaultConfig()); err == nil {
		t.Error("New took rules naming sets that cannot be set up")
	}
	if _, err := New(rs[:2], DefaultConfig()); err != nil {
		t.Errorf("New: %v", err)
	}
}

func TestDatasetNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	dir := writeFiles(t, map[string]string{"hosts.lst": b64("evil.example") + "\n", "ips.lst": "10.0.0.1\n"})
	m := newMatcher(t, datasetRules(t, dir,
		`alert dns any any -> any any (dns.query; dataset:isset,bl,type string,load hosts.lst; sid:1;)`,
		`alert dns any any -> any any (dns.query; dataset:set,seen,type string; sid:2;)`,
		`alert udp any any -> any any (ip.src; dataset:isset,ips,type ip,load ips.lst; sid:3;)`,
		`alert dns any any -> any any (dns.query; datarep:bl, >, 0; sid:4;)`,
	)...)
	pkts := []packet.Facts{dnsPacket(dnsQuery("evil.example")), dnsPacket(dnsQuery("good.example"))}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if fired == 0 {
		t.Fatal("no alert")
	}
	if n := testing.AllocsPerRun(200, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// A set file line of any type never panics, and the set stays within its
// memcap.
func FuzzDatasetLine(f *testing.F) {
	for _, s := range []string{b64("evil.example"), b64("a") + ",7", "d41d8cd98f00b204e9800998ecf8427e,1", "1.2.3.4", "::ffff:1.2.3.4,65535", "fe80::1%eth0", ",", "=,", "Z29vZ2xlLm;NvbQ==,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for typ := rules.DatasetString; typ <= rules.DatasetIPv6; typ++ {
			d := newDataset(&datasetSpec{typ: typ}, 512)
			for range 3 {
				d.addLine(line)
				d.addLine(line + "x")
			}
			if d.memuse > d.memcap {
				t.Fatalf("%v: memuse %d over memcap %d", typ, d.memuse, d.memcap)
			}
		}
	})
}

// A dataset file is read under a byte cap and an entry cap (lowered here):
// a regular file over the byte cap is refused unread, an endless device
// once it passes it, and a file with too many lines at the first line
// over; each error names the file and the cap.
func TestLoadDatasetFileCaps(t *testing.T) {
	saved := datasetFileCaps
	defer func() { datasetFileCaps = saved }()
	datasetFileCaps.bytes, datasetFileCaps.entries = 100, 3
	dir := writeFiles(t, map[string]string{
		"big.lst":   strings.Repeat("1.2.3.4\n", 20),
		"three.lst": "1.2.3.4\n1.2.3.5\n\n1.2.3.6\n",
		"four.lst":  "1.2.3.4\nx\n1.2.3.5\n1.2.3.6\n",
	})
	tests := []struct {
		name  string
		load  string
		state bool
		err   string // "" for none; else the whole error after the file name
	}{
		{"under both caps", filepath.Join(dir, "three.lst"), false, ""},
		{"over the byte cap", filepath.Join(dir, "big.lst"), false, ": larger than 100 bytes, the cap for a dataset file"},
		{"a state file over the byte cap", filepath.Join(dir, "big.lst"), true, ": larger than 100 bytes, the cap for a dataset file"},
		{"an endless device", "/dev/zero", false, ": larger than 100 bytes, the cap for a dataset file"},
		{"over the entry cap, skipped lines counted", filepath.Join(dir, "four.lst"), false, ":4: dataset s: more than 3 entries, the cap for a dataset file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.load); err != nil {
				t.Skip(err)
			}
			sp := &datasetSpec{name: "s", typ: rules.DatasetIPv4, load: tt.load, state: tt.state}
			d, _, err := loadDataset(sp, 1<<20)
			if tt.err == "" {
				if err != nil || len(d.entries) != 3 {
					t.Fatalf("err %v; want 3 entries", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.load) || !strings.HasSuffix(err.Error(), tt.err) {
				t.Fatalf("error %v, want one naming %s and ending %q", err, tt.load, tt.err)
			}
		})
	}
}
