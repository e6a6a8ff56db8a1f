package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

// eveLayout is how a consumer parses Suricata's timestamps.
const eveLayout = "2006-01-02T15:04:05.000000-0700"

// eveAt is a packet time on the day of the EVE sample capture.
func eveAt(hms string) analyzer.Time {
	t, err := time.Parse(time.RFC3339Nano, "2026-03-02T"+hms+"Z")
	if err != nil {
		panic(err)
	}
	return analyzer.TimeOf(t)
}

// eveResult is a hand-built Result whose event stream has every kind of
// EVE record: an attributed alert that starts a block, the block, a
// spoofed flood (no src_ip), an alert from an internal scanner whose
// victim is a swept prefix (no dest_ip), an ARP alert from a host with an
// address, an ARP alert from a host known only by its MAC (addressed as
// its packet was), an alert that extends the block, the extension, the
// unblock, and two false positives, one known only by MAC. Times carry nanoseconds
// and one is in a non-UTC zone, to check truncation to microseconds and
// rendering in UTC; one detail carries terminal control bytes. It
// returns a fresh value each call.
func eveResult() *analyzer.Result {
	cet := time.FixedZone("CET", 3600)
	brute := analyzer.Alert{
		SID: 9000004, Name: "Attack: Brute Force Remote Login", Severity: "high", Time: eveAt("09:00:24.611872987"),
		Attacker: netip.MustParseAddr("10.0.0.66"), Victim: analyzer.MustParseHost("10.0.0.20"), VictimPort: 22, Proto: "TCP", Kind: "ssh",
		Detail: "USER \x1b[31mroot\x1b[0m\r\n: 31 short connections in 60s <&>", Count: 31,
		First: eveAt("08:59:24.5"), Last: eveAt("09:00:24.611872987"),
		FirstPacket: loc(day1, 23050), LastPacket: loc(day1, 24100), Blocked: true,
	}
	flood := analyzer.Alert{
		SID: 9000001, Name: "Attack: TCP SYN Flood", Severity: "high", Time: eveAt("09:02:00.25"),
		Victim: analyzer.MustParseHost("2001:db8::10"), VictimPort: 443, Proto: "TCP", Kind: "spoofed",
		Detail: "4,812 SYNs from 3,977 sources, 0.3% completed", Count: 4812,
		First: eveAt("09:02:00.25"), Last: eveAt("09:02:05"),
		FirstPacket: loc(day1, 25120), LastPacket: loc(day1, 29931),
		Spoofed: true, Sources: testAddrs("198.51.100.4", "198.51.100.77", "203.0.113.200"),
	}
	sweep := analyzer.Alert{
		SID: 9000002, Name: "Attack: Port Scan", Severity: "medium", Time: eveAt("09:03:12"),
		Attacker: netip.MustParseAddr("10.0.0.50"), Victim: analyzer.MustParseHost("10.0.0.0/24"), Proto: "TCP", Kind: "sweep",
		Detail: "254 hosts on port 22 in 12s", Count: 254, First: eveAt("09:03:00"), Last: eveAt("09:03:12"),
		FirstPacket: loc(day1, 30310), LastPacket: loc(day1, 30822),
	}
	arp := analyzer.Alert{
		SID: 9000003, Name: "Attack: ARP Cache Poisoning", Severity: "low", Time: eveAt("09:04:00.000001"),
		Attacker: netip.MustParseAddr("192.168.56.101"), AttackerMAC: testMAC("08:00:27:4e:aa:01"), Victim: analyzer.MustParseHost("192.168.56.1"), Proto: "ARP",
		Kind: "gratuitous", Detail: "192.168.56.101 moved from 08:00:27:4e:aa:02 to 08:00:27:4e:aa:01", Count: 1,
		First: eveAt("09:04:00.000001"), Last: eveAt("09:04:00.000001"),
		FirstPacket: loc(day2, 12), LastPacket: loc(day2, 12),
		ARP: &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("192.168.56.1"), TargetIP: netip.MustParseAddr("192.168.56.1"),
			SrcMAC: testMAC("08:00:27:4e:aa:01"), DestMAC: testMAC("ff:ff:ff:ff:ff:ff")},
	}
	arpMAC := analyzer.Alert{
		SID: 9000003, Name: "Attack: ARP Cache Poisoning", Severity: "low", Time: eveAt("09:04:30"),
		AttackerMAC: testMAC("3c:97:0e:aa:bb:cc"), Victim: analyzer.MustParseHost("192.168.56.1"), Proto: "ARP",
		Kind: "unsolicited-reply", Detail: "unsolicited-reply: 192.168.56.1 is-at 3c:97:0e:aa:bb:cc", Count: 1,
		First: eveAt("09:04:30"), Last: eveAt("09:04:30"),
		FirstPacket: loc(day2, 15), LastPacket: loc(day2, 15),
		ARP: &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("192.168.56.1"), TargetIP: netip.MustParseAddr("192.168.56.30"),
			SrcMAC: testMAC("3c:97:0e:aa:bb:cc"), DestMAC: testMAC("08:00:27:4e:aa:30")},
	}
	ftp := analyzer.Alert{
		SID: 9000004, Name: "Attack: Brute Force Remote Login", Severity: "high", Time: analyzer.TimeOf(eveAt("09:05:30").In(cet)),
		Attacker: netip.MustParseAddr("10.0.0.66"), Victim: analyzer.MustParseHost("10.0.0.21"), VictimPort: 21, Proto: "TCP", Kind: "ftp",
		Detail: "40 failed logins in 2m0s", Count: 40, First: eveAt("09:03:30"), Last: eveAt("09:05:30"),
		FirstPacket: loc(day2, 400), LastPacket: loc(day2, 7002), Blocked: true,
	}
	return &analyzer.Result{
		Schema: analyzer.SchemaVersion,
		Summary: analyzer.Summary{
			Files: 2, Packets: 40000, Bytes: 2600000,
			FirstTime: eveAt("08:58:00"), LastTime: eveAt("09:20:00.5"),
			Span:      packet.Duration(eveAt("09:20:00.5").Sub(eveAt("08:58:00").Time)),
			Autoblock: packet.Duration(10 * time.Minute),
		},
		Signatures: []analyzer.SignatureHit{
			{SID: 9000001, Name: flood.Name, Severity: "high", Category: "denial-of-service", Count: 1},
			{SID: 9000004, Name: brute.Name, Severity: "high", Category: "credential-access", Count: 2},
			{SID: 9000003, Name: arp.Name, Severity: "low", Category: "spoofing", Count: 2},
			{SID: 9000002, Name: sweep.Name, Severity: "medium", Category: "reconnaissance", Count: 1},
		},
		Alerts: []analyzer.Alert{brute, flood, sweep, arp, arpMAC, ftp},
		Events: []analyzer.Event{
			{Type: analyzer.EventAlert, Time: brute.Time, Alert: &brute},
			{Type: analyzer.EventBlock, Time: brute.Time, Host: analyzer.MustParseHost("10.0.0.66"),
				Until: analyzer.TimeOf(brute.Time.Add(10 * time.Minute)), SID: 9000004},
			{Type: analyzer.EventAlert, Time: flood.Time, Alert: &flood},
			{Type: analyzer.EventAlert, Time: sweep.Time, Alert: &sweep},
			{Type: analyzer.EventAlert, Time: arp.Time, Alert: &arp},
			{Type: analyzer.EventAlert, Time: arpMAC.Time, Alert: &arpMAC},
			{Type: analyzer.EventAlert, Time: ftp.Time, Alert: &ftp},
			{Type: analyzer.EventBlock, Time: ftp.Time, Host: analyzer.MustParseHost("10.0.0.66"),
				Until: eveAt("09:15:30"), SID: 9000004, Extended: true},
			{Type: analyzer.EventUnblock, Time: eveAt("09:15:30"), Host: analyzer.MustParseHost("10.0.0.66")},
		},
		Blocks: []analyzer.BlockedHost{
			{Host: analyzer.MustParseHost("10.0.0.66"), FirstBlock: brute.Time, LastUnblock: eveAt("09:15:30"), Blocks: 1, Extensions: 1,
				TotalBlocked: packet.Duration(eveAt("09:15:30").Sub(brute.Time.Time)), SIDs: []uint32{9000004}},
		},
		FalsePositives: []analyzer.FalsePositive{
			{Host: analyzer.MustParseHost("10.0.0.50"), MAC: testMAC("00:50:56:01:02:03"), Verdict: "scanner", Confidence: "high",
				Reason:   "internal host probing many hosts and ports, as vulnerability scanners do",
				Evidence: []string{"internal address 10.0.0.50", "1 sweep alerts (sweep)"},
				Alerts:   1, Exclusion: "10.0.0.50 # internal scanner: 1 alerts"},
			{Host: analyzer.MustParseHost("08:00:27:4e:aa:01"), MAC: testMAC("08:00:27:4e:aa:01"), Verdict: "guest-vm", Confidence: "medium",
				Reason:   "VirtualBox guest VM bridged on the LAN: its address moved between virtual NICs",
				Evidence: []string{"MAC 08:00:27:4e:aa:01 has a VirtualBox OUI (08:00:27)"},
				Alerts:   1, Exclusion: "08:00:27:4e:aa:01 # guest VM (VirtualBox)"},
		},
	}
}

var eveCases = []struct {
	name   string
	result func() *analyzer.Result
}{
	{"events", eveResult},
}

func TestEVEGolden(t *testing.T) {
	for _, c := range eveCases {
		t.Run(c.name, func(t *testing.T) {
			r := c.result()
			var buf bytes.Buffer
			if err := WriteEVE(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, "eve_"+c.name+".golden", buf.Bytes())

			if !reflect.DeepEqual(r, c.result()) {
				t.Error("WriteEVE modified the Result")
			}
			var again bytes.Buffer
			if err := WriteEVE(&again, c.result()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("two renderings of the same Result differ")
			}
		})
	}
}

// eveLine is what a consumer reads back from one line.
type eveLine struct {
	Timestamp string `json:"timestamp"`
	EventType string `json:"event_type"`
	SrcIP     string `json:"src_ip"`
	DestIP    string `json:"dest_ip"`
	DestPort  int    `json:"dest_port"`
	Proto     string `json:"proto"`
	Ether     *struct {
		SrcMAC  string `json:"src_mac"`
		DestMAC string `json:"dest_mac"`
	} `json:"ether"`
	Alert *struct {
		Action      string `json:"action"`
		GID         int    `json:"gid"`
		SignatureID uint32 `json:"signature_id"`
		Rev         int    `json:"rev"`
		Signature   string `json:"signature"`
		Category    string `json:"category"`
		Severity    int    `json:"severity"`
	} `json:"alert"`
	IPSReplay map[string]any `json:"ipsreplay"`
}

// eveLines splits output into lines, checking each is one compact JSON
// object with a Suricata timestamp, and decodes them.
func eveLines(t *testing.T, out []byte) ([]string, []eveLine) {
	t.Helper()
	if len(out) == 0 {
		return nil, nil
	}
	if out[len(out)-1] != '\n' {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	raw := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var recs []eveLine
	for i, l := range raw {
		if !strings.HasPrefix(l, `{"timestamp":`) {
			t.Errorf("line %d does not start with the timestamp: %s", i+1, l)
		}
		if strings.ContainsAny(l, "\r\t\x1b") || strings.Contains(l, "\n") {
			t.Errorf("line %d holds a raw control byte: %q", i+1, l)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(l)); err != nil || buf.String() != l {
			t.Errorf("line %d is not compact JSON (%v): %s", i+1, err, l)
		}
		var rec eveLine
		dec := json.NewDecoder(strings.NewReader(l))
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if rec.EventType == "" {
			t.Errorf("line %d has no event_type: %s", i+1, l)
		}
		ts, err := time.Parse(eveLayout, rec.Timestamp)
		if err != nil {
			t.Errorf("line %d: timestamp: %v", i+1, err)
		} else if _, off := ts.Zone(); off != 0 || !strings.HasSuffix(rec.Timestamp, "+0000") {
			t.Errorf("line %d: timestamp %s is not in UTC", i+1, rec.Timestamp)
		}
		recs = append(recs, rec)
	}
	return raw, recs
}

func TestEVERecords(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEVE(&buf, eveResult()); err != nil {
		t.Fatal(err)
	}
	raw, recs := eveLines(t, buf.Bytes())

	type want struct {
		ts, typ, src, dest string
		port               int
		proto              string
		action             string // alerts only
		sid                uint32
		category           string
		severity           int
		ether              string         // "src dest" MACs; "" for no ether object
		extra              map[string]any // ipsreplay fields to check; nil for no object
		absent             []string       // ipsreplay fields that must be left out
	}
	wants := []want{
		{ts: "2026-03-02T09:00:24.611872+0000", typ: "alert", src: "10.0.0.66", dest: "10.0.0.20", port: 22, proto: "TCP",
			action: "blocked", sid: 9000004, category: "credential-access", severity: 1,
			extra: map[string]any{"kind": "ssh", "count": 31.0,
				"detail": "USER \x1b[31mroot\x1b[0m\r\n: 31 short connections in 60s <&>",
				"first":  "2026-03-02T08:59:24.500000+0000", "last": "2026-03-02T09:00:24.611872+0000",
				"first_packet": map[string]any{"file": day1, "packet": 23050.0},
				"last_packet":  map[string]any{"file": day1, "packet": 24100.0}},
			absent: []string{"spoofed", "sources", "attacker", "victim", "attacker_mac"}},
		{ts: "2026-03-02T09:00:24.611872+0000", typ: "ipsreplay_block", src: "10.0.0.66",
			extra:  map[string]any{"until": "2026-03-02T09:10:24.611872+0000", "sid": 9000004.0, "extended": false},
			absent: []string{"host"}},
		{ts: "2026-03-02T09:02:00.250000+0000", typ: "alert", dest: "2001:db8::10", port: 443, proto: "TCP",
			action: "allowed", sid: 9000001, category: "denial-of-service", severity: 1,
			extra: map[string]any{"spoofed": true, "kind": "spoofed",
				"sources": []any{"198.51.100.4", "198.51.100.77", "203.0.113.200"}},
			absent: []string{"attacker"}},
		{ts: "2026-03-02T09:03:12.000000+0000", typ: "alert", src: "10.0.0.50", proto: "TCP",
			action: "allowed", sid: 9000002, category: "reconnaissance", severity: 2,
			extra:  map[string]any{"victim": "10.0.0.0/24"},
			absent: []string{"attacker", "spoofed"}},
		{ts: "2026-03-02T09:04:00.000001+0000", typ: "alert", src: "192.168.56.101", dest: "192.168.56.1", proto: "ARP",
			action: "allowed", sid: 9000003, category: "spoofing", severity: 3, ether: "08:00:27:4e:aa:01 ff:ff:ff:ff:ff:ff",
			extra: map[string]any{"attacker_mac": "08:00:27:4e:aa:01"}, absent: []string{"attacker", "victim"}},
		// known only by its MAC: from the address its reply claimed to
		// the host whose cache it filled
		{ts: "2026-03-02T09:04:30.000000+0000", typ: "alert", src: "192.168.56.1", dest: "192.168.56.30", proto: "ARP",
			action: "allowed", sid: 9000003, category: "spoofing", severity: 3, ether: "3c:97:0e:aa:bb:cc 08:00:27:4e:aa:30",
			extra: map[string]any{"attacker_mac": "3c:97:0e:aa:bb:cc", "kind": "unsolicited-reply"}, absent: []string{"attacker", "victim"}},
		{ts: "2026-03-02T09:05:30.000000+0000", typ: "alert", src: "10.0.0.66", dest: "10.0.0.21", port: 21, proto: "TCP",
			action: "blocked", sid: 9000004, category: "credential-access", severity: 1,
			extra: map[string]any{"kind": "ftp"}},
		{ts: "2026-03-02T09:05:30.000000+0000", typ: "ipsreplay_block", src: "10.0.0.66",
			extra: map[string]any{"until": "2026-03-02T09:15:30.000000+0000", "sid": 9000004.0, "extended": true}},
		{ts: "2026-03-02T09:15:30.000000+0000", typ: "ipsreplay_unblock", src: "10.0.0.66"},
		{ts: "2026-03-02T09:20:00.500000+0000", typ: "ipsreplay_false_positive", src: "10.0.0.50",
			extra: map[string]any{"host": "10.0.0.50", "mac": "00:50:56:01:02:03", "verdict": "scanner",
				"confidence": "high", "alerts": 1.0, "exclusion": "10.0.0.50 # internal scanner: 1 alerts",
				"evidence": []any{"internal address 10.0.0.50", "1 sweep alerts (sweep)"}}},
		{ts: "2026-03-02T09:20:00.500000+0000", typ: "ipsreplay_false_positive",
			extra: map[string]any{"host": "08:00:27:4e:aa:01", "verdict": "guest-vm", "confidence": "medium"}},
	}
	if len(recs) != len(wants) {
		t.Fatalf("got %d lines, want %d:\n%s", len(recs), len(wants), buf.String())
	}
	for i, w := range wants {
		got := recs[i]
		t.Run(w.typ, func(t *testing.T) {
			t.Logf("line %d: %s", i+1, raw[i])
			if got.Timestamp != w.ts || got.EventType != w.typ || got.SrcIP != w.src || got.DestIP != w.dest ||
				got.DestPort != w.port || got.Proto != w.proto {
				t.Errorf("common fields = %s %s src %q dest %q:%d %q; want %s %s src %q dest %q:%d %q",
					got.Timestamp, got.EventType, got.SrcIP, got.DestIP, got.DestPort, got.Proto,
					w.ts, w.typ, w.src, w.dest, w.port, w.proto)
			}
			gotEther := ""
			if got.Ether != nil {
				gotEther = got.Ether.SrcMAC + " " + got.Ether.DestMAC
			}
			if gotEther != w.ether {
				t.Errorf("ether = %q, want %q", gotEther, w.ether)
			}
			if w.typ == "alert" {
				a := got.Alert
				if a == nil {
					t.Fatal("no alert object")
				}
				if a.Action != w.action || a.GID != 1 || a.SignatureID != w.sid || a.Rev != 1 ||
					a.Category != w.category || a.Severity != w.severity || a.Signature == "" {
					t.Errorf("alert = %+v, want action %s sid %d category %s severity %d",
						*a, w.action, w.sid, w.category, w.severity)
				}
			} else if got.Alert != nil {
				t.Errorf("%s record has an alert object", w.typ)
			}
			if w.extra == nil && got.IPSReplay != nil {
				t.Errorf("ipsreplay = %v, want none", got.IPSReplay)
			}
			for k, v := range w.extra {
				if !reflect.DeepEqual(got.IPSReplay[k], v) {
					t.Errorf("ipsreplay.%s = %#v, want %#v", k, got.IPSReplay[k], v)
				}
			}
			for _, k := range w.absent {
				if v, ok := got.IPSReplay[k]; ok {
					t.Errorf("ipsreplay.%s = %#v, want it left out", k, v)
				}
			}
		})
	}
	// Control bytes from the packet are JSON escapes, not raw bytes.
	if !strings.Contains(raw[0], `USER \u001b[31mroot\u001b[0m\r\n: 31 short connections in 60s <&>`) {
		t.Errorf("detail not escaped as expected: %s", raw[0])
	}
}

// TestEVEEventMatchesWriteEVE checks the streaming form: each event alone
// gives the line WriteEVE gives it, but for alert.category.
func TestEVEEventMatchesWriteEVE(t *testing.T) {
	r := eveResult()
	var full bytes.Buffer
	if err := WriteEVE(&full, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(full.String(), "\n")
	for i, ev := range r.Events {
		var one bytes.Buffer
		if err := WriteEVEEvent(&one, ev); err != nil {
			t.Fatal(err)
		}
		want := lines[i]
		if ev.Alert != nil && ev.Alert.Rule == nil {
			cat, _ := json.Marshal(r.Signatures[sigIndex(t, r, ev.Alert.SID)].Category)
			field := `,"category":` + string(cat)
			if !strings.Contains(want, field) {
				t.Fatalf("line %d has no %s: %s", i+1, field, want)
			}
			want = strings.Replace(want, field, "", 1)
		}
		if one.String() != want {
			t.Errorf("event %d (%s):\n got %s\nwant %s", i+1, ev.Type, one.String(), want)
		}
	}
	if got, want := len(r.Events)+len(r.FalsePositives), strings.Count(full.String(), "\n"); got != want {
		t.Errorf("%d events and false positives, %d lines", got, want)
	}
}

func sigIndex(t *testing.T, r *analyzer.Result, sid uint32) int {
	t.Helper()
	for i, s := range r.Signatures {
		if s.SID == sid {
			return i
		}
	}
	t.Fatalf("no signature %d", sid)
	return -1
}

func TestEVEEventOmits(t *testing.T) {
	a := &analyzer.Alert{SID: 7, Name: "x", Severity: "medium", Time: eveAt("10:00:00")}
	tests := []struct {
		name string
		ev   analyzer.Event
		want string // "" for no output
	}{
		{"unknown type", analyzer.Event{Type: "note", Time: eveAt("10:00:00"), Host: analyzer.MustParseHost("10.0.0.1")}, ""},
		{"empty type", analyzer.Event{}, ""},
		{"alert without alert", analyzer.Event{Type: analyzer.EventAlert, Time: eveAt("10:00:00")}, ""},
		{"bare alert", analyzer.Event{Type: analyzer.EventAlert, Time: eveAt("10:00:00"), Alert: a},
			`{"timestamp":"2026-03-02T10:00:00.000000+0000","event_type":"alert","alert":{"action":"allowed","gid":1,"signature_id":7,"rev":1,"signature":"x","severity":2},"ipsreplay":{"detail":"","count":0,"first_packet":{"file":"","packet":0},"last_packet":{"file":"","packet":0}}}` + "\n"},
		{"alert time from the alert", analyzer.Event{Type: analyzer.EventAlert, Alert: a},
			`{"timestamp":"2026-03-02T10:00:00.000000+0000","event_type":"alert","alert":{"action":"allowed","gid":1,"signature_id":7,"rev":1,"signature":"x","severity":2},"ipsreplay":{"detail":"","count":0,"first_packet":{"file":"","packet":0},"last_packet":{"file":"","packet":0}}}` + "\n"},
		{"block of a non-address", analyzer.Event{Type: analyzer.EventBlock, Time: eveAt("10:00:00"), Host: analyzer.MustParseHost("(spoofed sources)"), SID: 7},
			`{"timestamp":"2026-03-02T10:00:00.000000+0000","event_type":"ipsreplay_block","ipsreplay":{"host":"(spoofed sources)","sid":7,"extended":false}}` + "\n"},
		{"unblock of a non-address", analyzer.Event{Type: analyzer.EventUnblock, Time: eveAt("10:00:00"), Host: analyzer.MustParseHost("08:00:27:4e:aa:01")},
			`{"timestamp":"2026-03-02T10:00:00.000000+0000","event_type":"ipsreplay_unblock","ipsreplay":{"host":"08:00:27:4e:aa:01"}}` + "\n"},
		{"ipv6 unblock", analyzer.Event{Type: analyzer.EventUnblock, Time: eveAt("10:00:00"), Host: analyzer.MustParseHost("2001:db8::bad")},
			`{"timestamp":"2026-03-02T10:00:00.000000+0000","event_type":"ipsreplay_unblock","src_ip":"2001:db8::bad"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteEVEEvent(&buf, tt.ev); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got  %s\nwant %s", buf.String(), tt.want)
			}
		})
	}
	// A full Result skips the same events, and a SID missing from
	// r.Signatures leaves the category out.
	r := &analyzer.Result{Events: []analyzer.Event{tests[0].ev, tests[2].ev, tests[3].ev}}
	var buf bytes.Buffer
	if err := WriteEVE(&buf, r); err != nil {
		t.Fatal(err)
	}
	if buf.String() != tests[3].want {
		t.Errorf("WriteEVE: got %s, want %s", buf.String(), tests[3].want)
	}
}

func TestEVESeverity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"high", 1}, {"HIGH", 1}, {"medium", 2}, {"low", 3}, {"info", 3}, {"", 3}, {"critical?", 3},
	} {
		if got := eveSeverity(tt.in); got != tt.want {
			t.Errorf("eveSeverity(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestEVETimes(t *testing.T) {
	zone := time.FixedZone("X", -5*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Time{}, `null`},
		{time.Date(2026, 3, 2, 9, 0, 24, 611872000, time.UTC), `"2026-03-02T09:00:24.611872+0000"`},
		// Truncated, not rounded, to the microsecond, as Suricata's tv_usec.
		{time.Date(2026, 3, 2, 9, 0, 24, 611872999, time.UTC), `"2026-03-02T09:00:24.611872+0000"`},
		{time.Date(2026, 3, 2, 4, 0, 0, 1500, zone), `"2026-03-02T09:00:00.000001+0000"`},
		{time.Unix(0, 0), `"1970-01-01T00:00:00.000000+0000"`},
		// any 64-bit capture time, as ISO 8601 expanded years
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `"+10000-01-01T00:00:00.000000+0000"`},
	}
	for _, tt := range tests {
		got, err := eveTime(tt.in).MarshalJSON()
		if err != nil || string(got) != tt.want {
			t.Errorf("%v: got %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestEVEErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEVE(&buf, nil); !errors.Is(err, errNilResult) {
		t.Errorf("nil result: got %v, want errNilResult", err)
	}
	// A time past year 9999 is written, not an error (issue 14, item 6).
	r := eveResult()
	r.FalsePositives = nil
	r.Events[len(r.Events)-1].Time = analyzer.TimeOf(time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := WriteEVE(&buf, r); err != nil || !strings.Contains(buf.String(), `"timestamp":"+12000-01-01T00:00:00.000000+0000"`) {
		t.Errorf("year 12000: got %v, want it written:\n%s", err, buf.String())
	}
	buf.Reset()
	if err := WriteEVEEvent(&buf, r.Events[len(r.Events)-1]); err != nil {
		t.Errorf("WriteEVEEvent with year 12000: %v", err)
	}
	buf.Reset()
	werr := errors.New("disk full")
	if err := WriteEVE(failWriter{werr}, eveResult()); !errors.Is(err, werr) {
		t.Errorf("WriteEVE to a failing writer: got %v", err)
	}
	if err := WriteEVEEvent(failWriter{werr}, eveResult().Events[0]); !errors.Is(err, werr) {
		t.Errorf("WriteEVEEvent to a failing writer: got %v", err)
	}
}

// TestEVEConcurrent renders one Result from several goroutines; -race
// finds any shared state.
func TestEVEConcurrent(t *testing.T) {
	r := eveResult()
	var want bytes.Buffer
	if err := WriteEVE(&want, r); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			var buf bytes.Buffer
			err := WriteEVE(&buf, r)
			if err == nil && !bytes.Equal(buf.Bytes(), want.Bytes()) {
				err = errors.New("concurrent rendering differs")
			}
			for _, ev := range r.Events {
				if err == nil {
					err = WriteEVEEvent(&buf, ev)
				}
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

// TestEVEARPAddressing covers how an alert's addresses and MACs land in
// Suricata's fields: an ARP alert whose attacker is known only by its MAC
// is addressed as its packet was; anything else keeps attacker → victim.
func TestEVEARPAddressing(t *testing.T) {
	const mac = "3c:97:0e:aa:bb:cc"
	reply := &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("10.0.0.1"), TargetIP: netip.MustParseAddr("10.0.0.30"), SrcMAC: testMAC(mac), DestMAC: testMAC("00:16:3e:00:00:30")}
	tests := []struct {
		name  string
		alert analyzer.Alert
		want  string // "src dest | ether src dest | ipsreplay.victim"
	}{
		{"attacker known", analyzer.Alert{Attacker: netip.MustParseAddr("10.0.0.66"), AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.1"), ARP: reply},
			"10.0.0.66 10.0.0.1 | 3c:97:0e:aa:bb:cc 00:16:3e:00:00:30 | "},
		{"MAC only: the packet's addresses", analyzer.Alert{AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.1"), ARP: reply},
			"10.0.0.1 10.0.0.30 | 3c:97:0e:aa:bb:cc 00:16:3e:00:00:30 | "},
		{"MAC only, many-ips: no victim", analyzer.Alert{AttackerMAC: testMAC(mac), ARP: reply},
			"10.0.0.1 10.0.0.30 | 3c:97:0e:aa:bb:cc 00:16:3e:00:00:30 | "},
		{"MAC only, target 0.0.0.0", analyzer.Alert{AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.1"),
			ARP: &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("10.0.0.1"), SrcMAC: testMAC(mac), DestMAC: testMAC("ff:ff:ff:ff:ff:ff")}},
			"10.0.0.1  | 3c:97:0e:aa:bb:cc ff:ff:ff:ff:ff:ff | "},
		{"MAC only, a victim the packet does not name", analyzer.Alert{AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.9"), ARP: reply},
			"10.0.0.1 10.0.0.30 | 3c:97:0e:aa:bb:cc 00:16:3e:00:00:30 | 10.0.0.9"},
		{"no Ethernet header: the attacker's MAC", analyzer.Alert{AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.1"),
			ARP: &analyzer.ARPPacket{SenderIP: netip.MustParseAddr("10.0.0.1"), TargetIP: netip.MustParseAddr("10.0.0.30")}},
			"10.0.0.1 10.0.0.30 | 3c:97:0e:aa:bb:cc  | "},
		{"MAC only, packet unknown", analyzer.Alert{AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.1")},
			" 10.0.0.1 | 3c:97:0e:aa:bb:cc  | "},
		{"not ARP, with a MAC", analyzer.Alert{Attacker: netip.MustParseAddr("10.0.0.50"), AttackerMAC: testMAC(mac), Victim: analyzer.MustParseHost("10.0.0.0/24")},
			"10.0.0.50  | 3c:97:0e:aa:bb:cc  | 10.0.0.0/24"},
		{"no MAC: no ether", analyzer.Alert{Attacker: netip.MustParseAddr("203.0.113.9"), Victim: analyzer.MustParseHost("10.0.0.1")},
			"203.0.113.9 10.0.0.1 | - | "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.alert
			a.SID, a.Name, a.Time = 9000003, "Attack: ARP Cache Poisoning", eveAt("10:00:00")
			var buf bytes.Buffer
			if err := WriteEVEEvent(&buf, analyzer.Event{Type: analyzer.EventAlert, Time: a.Time, Alert: &a}); err != nil {
				t.Fatal(err)
			}
			_, recs := eveLines(t, buf.Bytes())
			rec := recs[0]
			ether := "-"
			if rec.Ether != nil {
				ether = rec.Ether.SrcMAC + " " + rec.Ether.DestMAC
			}
			victim, _ := rec.IPSReplay["victim"].(string)
			if got := rec.SrcIP + " " + rec.DestIP + " | " + ether + " | " + victim; got != tt.want {
				t.Errorf("got  %q\nwant %q\n%s", got, tt.want, buf.String())
			}
		})
	}
}

// Streaming a run's events as they happen writes what WriteEVE renders
// from the whole Result, byte for byte.
func TestEVEStreamMatchesWriteEVE(t *testing.T) {
	for _, r := range []*analyzer.Result{eveResult(), richResult()} {
		var whole, streamed bytes.Buffer
		if err := WriteEVE(&whole, r); err != nil {
			t.Fatal(err)
		}
		categories := map[uint32]string{}
		for _, s := range r.Signatures {
			categories[s.SID] = s.Category
		}
		st := NewEVEStream(&streamed, func(sid uint32) string { return categories[sid] })
		for _, ev := range r.Events {
			st.Event(ev)
		}
		if err := st.Finish(r); err != nil {
			t.Fatal(err)
		}
		if whole.Len() == 0 || !bytes.Equal(whole.Bytes(), streamed.Bytes()) {
			t.Errorf("streamed EVE differs from WriteEVE (%d and %d bytes):\n%s\n---\n%s", streamed.Len(), whole.Len(), streamed.String(), whole.String())
		}
	}
}

// A write error stops the stream and Finish reports it.
func TestEVEStreamWriteError(t *testing.T) {
	r := eveResult()
	st := NewEVEStream(failWriter{errors.New("disk full")}, nil)
	for _, ev := range r.Events {
		st.Event(ev)
	}
	if err := st.Finish(r); err == nil || !strings.Contains(err.Error(), "write eve") {
		t.Errorf("Finish after a failed write: %v", err)
	}
}

// A rule's alert is written as Suricata writes it: the rule's generator,
// revision, classtype description, priority and metadata, the source
// port, and the packet's number and file (pcap_cnt, pcap_filename).
func TestEVERuleAlert(t *testing.T) {
	a := &analyzer.Alert{SID: 2019284, Name: "ET POLICY x", Severity: "medium", Time: eveAt("10:00:00"),
		Attacker: netip.MustParseAddr("10.0.0.5"), AttackerPort: 40000, Victim: analyzer.MustParseHost("10.0.0.9"), VictimPort: 80, Proto: "TCP",
		FlowID: 1234567, Direction: "to_server",
		FirstPacket: analyzer.PacketLocation{File: "day1.pcap", Packet: 12}, LastPacket: analyzer.PacketLocation{File: "day1.pcap", Packet: 12},
		Rule: &analyzer.RuleInfo{GID: 1, Rev: 4, Classtype: "policy-violation", ClassDescription: "Potential Corporate Privacy Violation",
			Priority: 1, Metadata: map[string][]string{"created_at": {"2014_09_26"}}}}
	noClass := *a
	noClass.Rule = &analyzer.RuleInfo{GID: 1, Rev: 1, Priority: 3}
	for _, tt := range []struct {
		name string
		a    *analyzer.Alert
		want string
	}{
		{"classified", a, `{"timestamp":"2026-03-02T10:00:00.000000+0000","flow_id":1234567,"pcap_cnt":12,"event_type":"alert","src_ip":"10.0.0.5","src_port":40000,"dest_ip":"10.0.0.9","dest_port":80,"proto":"TCP","direction":"to_server","alert":{"action":"allowed","gid":1,"signature_id":2019284,"rev":4,"signature":"ET POLICY x","category":"Potential Corporate Privacy Violation","severity":1,"metadata":{"created_at":["2014_09_26"]}},"pcap_filename":"day1.pcap",`},
		{"no classtype", &noClass, `"alert":{"action":"allowed","gid":1,"signature_id":2019284,"rev":1,"signature":"ET POLICY x","category":"","severity":3},`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteEVEEvent(&buf, analyzer.Event{Type: analyzer.EventAlert, Time: tt.a.Time, Alert: tt.a}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("got  %s\nwant %s", buf.String(), tt.want)
			}
		})
	}
}
