package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sigWant is one signature a capture must fire.
type sigWant struct {
	sid       uint32
	attackers []string
	victims   []string
}

// TestAnalyzeCaptures runs each bundled capture on its own (see
// cmd/pcapgen/README.md for what each contains).
func TestAnalyzeCaptures(t *testing.T) {
	tests := []struct {
		file   string
		sigs   []sigWant
		blocks map[string][]uint32 // host -> SIDs that blocked it
		fps    map[string]string   // host -> verdict
	}{
		{
			file:   "portscan.pcap",
			sigs:   []sigWant{{9000002, []string{"203.0.113.66"}, []string{"192.168.1.20"}}},
			blocks: map[string][]uint32{"203.0.113.66": {9000002}},
		},
		{
			file:   "synflood.pcap",
			sigs:   []sigWant{{9000001, []string{"198.51.100.23"}, []string{"192.168.1.10"}}},
			blocks: map[string][]uint32{"198.51.100.23": {9000001}},
		},
		{
			// spoofed sources cannot be blamed, so nobody is blocked
			file: "synflood-spoofed.pcap",
			sigs: []sigWant{{9000001, []string{"(spoofed sources)"}, []string{"192.168.1.10"}}},
		},
		{
			file:   "arp-poison.pcap",
			sigs:   []sigWant{{9000003, []string{"192.168.1.66"}, []string{"192.168.1.1", "192.168.1.30"}}},
			blocks: map[string][]uint32{"192.168.1.66": {9000003}},
		},
		{
			file:   "bruteforce-ssh.pcap",
			sigs:   []sigWant{{9000004, []string{"203.0.113.77"}, []string{"192.168.1.22"}}},
			blocks: map[string][]uint32{"203.0.113.77": {9000004}},
		},
		{
			file:   "bruteforce-ftp.pcap",
			sigs:   []sigWant{{9000004, []string{"203.0.113.78"}, []string{"192.168.1.21"}}},
			blocks: map[string][]uint32{"203.0.113.78": {9000004}},
		},
		{
			file: "scanner-internal.pcap",
			sigs: []sigWant{
				{9000002, []string{"192.168.1.250"}, []string{"192.168.1.10", "192.168.1.22"}},
				{9000004, []string{"192.168.1.250"}, []string{"192.168.1.21"}},
				// the default pack's scanner user-agent rules
				{9100003, []string{"192.168.1.250"}, []string{"192.168.1.10"}},
				{9100004, []string{"192.168.1.250"}, []string{"192.168.1.1", "192.168.1.10", "192.168.1.20"}},
				// and its Nessus 404 probe URI rule (GET /NessusTest...)
				{9100009, []string{"192.168.1.250"}, []string{"192.168.1.1", "192.168.1.10", "192.168.1.20"}},
			},
			blocks: map[string][]uint32{"192.168.1.250": {9000002, 9000004, 9100003, 9100004, 9100009}},
			fps:    map[string]string{"192.168.1.250": "scanner"},
		},
		{
			// known only by MAC: flagged, never blocked
			file: "guest-vm.pcap",
			sigs: []sigWant{{9000003, []string{"00:0c:29:c4:19:3b"}, []string{"192.168.1.41"}}},
			fps:  map[string]string{"00:0c:29:c4:19:3b": "guest-vm"},
		},
		{
			file:   "ipv6-scan.pcap",
			sigs:   []sigWant{{9000002, []string{"2001:db8:66::1"}, []string{"2001:db8:1::20"}}},
			blocks: map[string][]uint32{"2001:db8:66::1": {9000002}},
		},
		{
			file:   "vlan.pcap",
			sigs:   []sigWant{{9000002, []string{"203.0.113.66"}, []string{"192.168.1.20"}}},
			blocks: map[string][]uint32{"203.0.113.66": {9000002}},
		},
		{
			file:   "mixed.pcapng",
			sigs:   []sigWant{{9000002, []string{"203.0.113.66"}, []string{"192.168.1.20"}}},
			blocks: map[string][]uint32{"203.0.113.66": {9000002}},
		},
		{file: "benign.pcap"},
		{file: "slowscan.pcap"},
		{file: "scan-part1.pcap"},
		{file: "scan-part2.pcap"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := capture(tt.file)
			r := runArgs(t, "analyze", "--format", "json", path)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			rep := decodeReport(t, r.stdout)

			if got := rep.filePaths(); !slices.Equal(got, []string{path}) {
				t.Errorf("files %v, want [%s] as given on the command line", got, path)
			}
			if rep.Files[0].Error != "" || rep.Files[0].Truncated || rep.Files[0].Packets == 0 {
				t.Errorf("file summary %+v: want packets, no error", rep.Files[0])
			}
			if len(rep.Warnings) != 0 {
				t.Errorf("warnings %q, want none", rep.Warnings)
			}

			if len(rep.Signatures) != len(tt.sigs) {
				t.Errorf("signatures %v, want %d", rep.sids(), len(tt.sigs))
			}
			for _, w := range tt.sigs {
				i := slices.IndexFunc(rep.Signatures, func(s jsonSignature) bool { return s.SID == w.sid })
				if i < 0 {
					t.Errorf("signature %d did not fire (fired %v)", w.sid, rep.sids())
					continue
				}
				s := rep.Signatures[i]
				if s.Count == 0 {
					t.Errorf("signature %d: count 0", w.sid)
				}
				if !slices.Equal(s.Attackers, w.attackers) {
					t.Errorf("signature %d: attackers %q, want %q", w.sid, s.Attackers, w.attackers)
				}
				if !slices.Equal(s.Victims, w.victims) {
					t.Errorf("signature %d: victims %q, want %q", w.sid, s.Victims, w.victims)
				}
			}
			if len(rep.Signatures) == 0 && len(rep.Alerts) != 0 {
				t.Errorf("%d alerts without signatures", len(rep.Alerts))
			}

			gotBlocks := map[string][]uint32{}
			for _, b := range rep.Blocks {
				gotBlocks[b.Host] = b.SIDs
				// one default 10m block, maybe extended by later alerts
				if !strings.HasPrefix(b.TotalBlocked, "10m") {
					t.Errorf("block of %s: total_blocked %q, want about the default 10m", b.Host, b.TotalBlocked)
				}
			}
			if len(gotBlocks) != len(tt.blocks) {
				t.Errorf("blocked hosts %v, want %v", rep.blockedHosts(), tt.blocks)
			}
			for host, sids := range tt.blocks {
				if got, ok := gotBlocks[host]; !ok || !slices.Equal(got, sids) {
					t.Errorf("block of %s: sids %v (blocked %v), want %v", host, got, ok, sids)
				}
			}
			for _, a := range rep.Alerts {
				_, wantBlocked := tt.blocks[a.Attacker]
				if a.Blocked != wantBlocked {
					t.Errorf("alert %d by %q: blocked = %v, want %v", a.SID, a.Attacker, a.Blocked, wantBlocked)
				}
			}

			gotFPs := map[string]string{}
			for _, fp := range rep.FalsePositives {
				gotFPs[fp.Host] = fp.Verdict
			}
			if len(gotFPs) != len(tt.fps) {
				t.Errorf("false positives %v, want %v", gotFPs, tt.fps)
			}
			for host, verdict := range tt.fps {
				if gotFPs[host] != verdict {
					t.Errorf("false positive %s: verdict %q, want %q", host, gotFPs[host], verdict)
				}
			}
		})
	}
}

// TestDeterministic runs the same input twice: the bytes must not differ.
func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"table", []string{"analyze", capture("portscan.pcap")}},
		{"json", []string{"analyze", "-f", "json", capture("portscan.pcap")}},
		{"json merged", []string{"analyze", "-f", "json", capture("arp-poison.pcap"), capture("bruteforce-ftp.pcap"), capture("scanner-internal.pcap")}},
		{"table per-file", []string{"analyze", "--per-file", capture("guest-vm.pcap"), capture("bruteforce-ssh.pcap")}},
		{"json per-file", []string{"analyze", "-f", "json", "--per-file", capture("scan-part1.pcap"), capture("scan-part2.pcap")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := runArgs(t, tt.args...)
			first.wantCode(t, exitOK)
			first.wantNoStderr(t)
			second := runArgs(t, tt.args...)
			second.wantCode(t, exitOK)
			second.wantNoStderr(t)
			if first.stdout == "" {
				t.Fatal("empty report")
			}
			if first.stdout != second.stdout {
				t.Errorf("two runs differ:\n%s", firstDiff(first.stdout, second.stdout))
			}
		})
	}
}

// TestMerging checks files given together are one timeline: scan-part1 and
// scan-part2 hold one slow scan cut in two, each half under the threshold.
func TestMerging(t *testing.T) {
	p1, p2 := capture("scan-part1.pcap"), capture("scan-part2.pcap")
	tests := []struct {
		name  string
		paths []string
		want  []uint32
	}{
		{"part1 alone", []string{p1}, nil},
		{"part2 alone", []string{p2}, nil},
		{"together", []string{p1, p2}, []uint32{9000002}},
		{"together, reversed", []string{p2, p1}, []uint32{9000002}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, append([]string{"analyze", "-f", "json"}, tt.paths...)...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			rep := decodeReport(t, r.stdout)
			if got := rep.sids(); !slices.Equal(got, tt.want) {
				t.Fatalf("signatures %v, want %v", got, tt.want)
			}
			if rep.Summary.Files != len(tt.paths) || !slices.Equal(rep.filePaths(), tt.paths) {
				t.Errorf("files %v (%d), want %v", rep.filePaths(), rep.Summary.Files, tt.paths)
			}
			if len(tt.want) > 0 {
				s := rep.Signatures[0]
				if s.Count != 1 || !slices.Equal(s.Attackers, []string{"203.0.113.88"}) || !slices.Equal(s.Victims, []string{"192.168.1.20"}) {
					t.Errorf("signature %+v: want one scan by 203.0.113.88 of 192.168.1.20", s)
				}
				if got := rep.blockedHosts(); !slices.Equal(got, []string{"203.0.113.88"}) {
					t.Errorf("blocked %v, want [203.0.113.88]", got)
				}
			}
		})
	}

	t.Run("per-file", func(t *testing.T) {
		r := runArgs(t, "analyze", "-f", "json", "--per-file", p1, p2)
		r.wantCode(t, exitOK)
		r.wantNoStderr(t)
		reps := decodeReports(t, r.stdout)
		if len(reps) != 2 {
			t.Fatalf("%d reports, want 2", len(reps))
		}
		for i, want := range []string{p1, p2} {
			if got := reps[i].filePaths(); !slices.Equal(got, []string{want}) {
				t.Errorf("report %d: files %v, want [%s]", i, got, want)
			}
			if got := reps[i].sids(); len(got) != 0 {
				t.Errorf("report %d (%s): signatures %v, want none", i, want, got)
			}
		}
	})
}

func gzipFile(t *testing.T, src, name string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(readFile(t, src)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, buf.Bytes())
}

// TestInputKinds covers directories, standard input and gzip.
func TestInputKinds(t *testing.T) {
	gz := gzipFile(t, capture("bruteforce-ftp.pcap"), "ftp.pcap.gz")
	// a .gz is recognised by its content, whatever its name
	gzOddName := gzipFile(t, capture("bruteforce-ftp.pcap"), "ftp.bin")

	tests := []struct {
		name      string
		args      []string
		stdin     []byte
		wantFiles []string
		wantFmt   []string
		want      []uint32
	}{
		{
			name:      "stdin",
			args:      []string{"-"},
			stdin:     readFile(t, capture("synflood.pcap")),
			wantFiles: []string{"<stdin>"},
			wantFmt:   []string{"pcap"},
			want:      []uint32{9000001},
		},
		{
			name:      "stdin merged with a file",
			args:      []string{"-", capture("scan-part2.pcap")},
			stdin:     readFile(t, capture("scan-part1.pcap")),
			wantFiles: []string{"<stdin>", capture("scan-part2.pcap")},
			wantFmt:   []string{"pcap", "pcap"},
			want:      []uint32{9000002},
		},
		{
			name:      "gzip file",
			args:      []string{gz},
			wantFiles: []string{gz},
			wantFmt:   []string{"pcap.gz"},
			want:      []uint32{9000004},
		},
		{
			name:      "gzip file without .gz name",
			args:      []string{gzOddName},
			wantFiles: []string{gzOddName},
			wantFmt:   []string{"pcap.gz"},
			want:      []uint32{9000004},
		},
		{
			name:      "gzip on stdin",
			args:      []string{"-"},
			stdin:     readFile(t, gz),
			wantFiles: []string{"<stdin>"},
			wantFmt:   []string{"pcap.gz"},
			want:      []uint32{9000004},
		},
		{
			name:      "pcapng",
			args:      []string{capture("mixed.pcapng")},
			wantFiles: []string{capture("mixed.pcapng")},
			wantFmt:   []string{"pcapng"},
			want:      []uint32{9000002},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, context.Background(), bytes.NewReader(tt.stdin), append([]string{"analyze", "-f", "json"}, tt.args...)...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			rep := decodeReport(t, r.stdout)
			if got := rep.filePaths(); !slices.Equal(got, tt.wantFiles) {
				t.Errorf("files %q, want %q", got, tt.wantFiles)
			}
			for i, f := range rep.Files {
				if i < len(tt.wantFmt) && f.Format != tt.wantFmt[i] {
					t.Errorf("file %s: format %q, want %q", f.Path, f.Format, tt.wantFmt[i])
				}
				if f.Packets == 0 || f.Error != "" {
					t.Errorf("file %+v: want packets and no error", f)
				}
			}
			if got := rep.sids(); !slices.Equal(got, tt.want) {
				t.Errorf("signatures %v, want %v", got, tt.want)
			}
			for _, a := range rep.Alerts {
				if !slices.Contains(tt.wantFiles, a.FirstPacket.File) {
					t.Errorf("alert %d: first packet in %q, want one of %q", a.SID, a.FirstPacket.File, tt.wantFiles)
				}
			}
		})
	}

	t.Run("directory", func(t *testing.T) {
		r := runArgs(t, "analyze", "-f", "json", pcaps)
		r.wantCode(t, exitOK)
		r.wantNoStderr(t)
		rep := decodeReport(t, r.stdout)
		// every capture under pcaps/, pcaps/lab/ too; expectations, the lab's
		// provenance notes and its script are not captures
		var want []string
		err := filepath.WalkDir(pcaps, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng")) {
				want = append(want, filepath.ToSlash(path))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		if got := rep.filePaths(); !slices.Equal(got, want) {
			t.Errorf("files %q, want every capture under %s, sorted: %q", got, pcaps, want)
		}
		for _, sid := range []uint32{9000001, 9000002, 9000003, 9000004, 9100003, 9100004, 9100009} {
			if !slices.Contains(rep.sids(), sid) {
				t.Errorf("signatures %v, want all four built-in ones and the default pack's scanner rules (%d missing)", rep.sids(), sid)
			}
		}
		for _, host := range []string{"203.0.113.66", "192.168.1.66", "203.0.113.77", "203.0.113.78", "203.0.113.88"} {
			if !slices.Contains(rep.blockedHosts(), host) {
				t.Errorf("%s not blocked (blocked: %v)", host, rep.blockedHosts())
			}
		}
	})

	t.Run("directory without captures", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runArgs(t, "analyze", dir)
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, "no capture files", dir)
	})
}

func TestAutoblock(t *testing.T) {
	tests := []struct {
		name          string
		flags         []string
		wantAutoblock string
		wantTotal     string // "" for no block
	}{
		{"default", nil, "10m0s", "10m0s"},
		{"off", []string{"--autoblock", "0"}, "0s", ""},
		{"off as duration", []string{"--autoblock", "0s"}, "0s", ""},
		{"one minute", []string{"--autoblock", "1m"}, "1m0s", "1m0s"},
		{"one hour", []string{"--autoblock", "1h"}, "1h0m0s", "1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"analyze", "-f", "json"}, tt.flags...), capture("portscan.pcap"))
			r := runArgs(t, args...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			rep := decodeReport(t, r.stdout)
			if rep.Summary.Autoblock != tt.wantAutoblock {
				t.Errorf("summary.autoblock %q, want %q", rep.Summary.Autoblock, tt.wantAutoblock)
			}
			if got := rep.sids(); !slices.Equal(got, []uint32{9000002}) {
				t.Fatalf("signatures %v, want [9000002] whatever the autoblock", got)
			}
			for _, a := range rep.Alerts {
				if a.Blocked != (tt.wantTotal != "") {
					t.Errorf("alert %d: blocked = %v, want %v", a.SID, a.Blocked, tt.wantTotal != "")
				}
			}
			if tt.wantTotal == "" {
				if len(rep.Blocks) != 0 {
					t.Errorf("blocks %+v, want none", rep.Blocks)
				}
				return
			}
			if len(rep.Blocks) != 1 || rep.Blocks[0].Host != "203.0.113.66" || rep.Blocks[0].TotalBlocked != tt.wantTotal {
				t.Errorf("blocks %+v, want 203.0.113.66 for %s", rep.Blocks, tt.wantTotal)
			}
		})
	}
}

// TestExclude: an excluded host's alerts, and alerts a suppress line
// matches, are removed as if the IPS had never raised them; the summary
// credits the entry with what it removed.
func TestExclude(t *testing.T) {
	tests := []struct {
		name    string
		file    string // capture
		entry   string // on line 3 of the exclusion file
		kind    string
		removed uint64 // alerts the entry removed; 0: all alerts stay
		blocked []string
	}{
		{"address", "portscan.pcap", "203.0.113.66", "host", 1, nil},
		{"cidr", "portscan.pcap", "203.0.113.0/24", "host", 1, nil},
		{"range", "portscan.pcap", "203.0.113.60-203.0.113.70", "host", 1, nil},
		{"with comment", "portscan.pcap", "203.0.113.66   # nmap box", "host", 1, nil},
		{"another host", "portscan.pcap", "203.0.113.67", "host", 0, []string{"203.0.113.66"}},
		{"other range", "portscan.pcap", "10.0.0.0/8", "host", 0, []string{"203.0.113.66"}},
		{"arp attacker by mac", "arp-poison.pcap", "3c:97:0e:aa:bb:cc", "host", 2, nil},
		{"ssh attacker", "bruteforce-ssh.pcap", "203.0.113.77", "host", 1, nil},
		{"suppress by_src", "portscan.pcap", "suppress gen_id 1, sig_id 9000002, track by_src, ip 203.0.113.66", "suppress", 1, nil},
		{"suppress by_dst", "portscan.pcap", "suppress gen_id 1, sig_id 9000002, track by_dst, ip 192.168.1.0/24", "suppress", 1, nil},
		{"suppress for everyone", "portscan.pcap", "suppress gen_id 0, sig_id 9000002", "suppress", 1, nil},
		{"suppress another signature", "portscan.pcap", "suppress gen_id 1, sig_id 9000001", "suppress", 0, []string{"203.0.113.66"}},
		{"suppress another source", "portscan.pcap", "suppress gen_id 1, sig_id 9000002, track by_src, ip !203.0.113.66", "suppress", 0, []string{"203.0.113.66"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := writeFile(t, "ex.txt", []byte("# excluded hosts\n\n"+tt.entry+"\n"))
			r := runArgs(t, "analyze", "-f", "json", "--exclude", ex, capture(tt.file))
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			rep := decodeReport(t, r.stdout)
			text, _, _ := strings.Cut(tt.entry, "#")
			text = strings.TrimSpace(text)
			if u := rep.Summary.Exclusions; len(u) != 1 || u[0].Entry != text || u[0].Where != ex+":3" ||
				u[0].Kind != tt.kind || u[0].Alerts != tt.removed {
				t.Errorf("summary.exclusions %+v, want [{%s %s:3 %s %d}]", u, text, ex, tt.kind, tt.removed)
			}
			if tt.removed > 0 && (len(rep.Alerts) != 0 || len(rep.Signatures) != 0) {
				t.Errorf("signatures %v: the removed alerts are still reported", rep.sids())
			}
			if tt.removed == 0 && len(rep.Alerts) == 0 {
				t.Errorf("no alerts: the entry removed what it should not")
			}
			if got := rep.blockedHosts(); !slices.Equal(got, tt.blocked) {
				t.Errorf("blocked %v, want %v", got, tt.blocked)
			}
		})
	}
}

func TestBadExclusionFile(t *testing.T) {
	tests := []struct {
		name string
		line string // line 3
		want string
	}{
		{"word", "bogus", "not an IP, CIDR, range a-b, MAC address or suppress line"},
		{"two entries", "10.0.0.1 10.0.0.2", "one entry a line"},
		{"bad prefix length", "10.0.0.0/33", "not a CIDR prefix"},
		{"host bits set", "10.0.0.1/8", "did you mean 10.0.0.0/8"},
		{"backwards range", "10.0.0.9-10.0.0.5", "range ends before it starts"},
		{"mixed range", "10.0.0.1-::1", "mixes IPv4 and IPv6"},
		{"short mac", "3c:97:0e:aa:bb", "not an IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := writeFile(t, "ex.txt", []byte("192.168.1.250\n# scanner above\n"+tt.line+"\n10.0.0.0/8\n"))
			r := runArgs(t, "analyze", "--exclude", ex, capture("portscan.pcap"))
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, ex+":3: ", tt.line, tt.want)
		})
	}

	t.Run("missing file", func(t *testing.T) {
		ex := filepath.Join(t.TempDir(), "nope.txt")
		r := runArgs(t, "analyze", "--exclude", ex, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, ex, "no such file or directory")
	})
}

// TestBadCaptures: a bad input is exit 2 with one line on stderr naming it,
// and the report of everything that could be read is still written.
func TestBadCaptures(t *testing.T) {
	portscan := readFile(t, capture("portscan.pcap"))
	truncated := writeFile(t, "cut.pcap", portscan[:len(portscan)-10])
	notCapture := writeFile(t, "x.pcap", []byte("these are notes, not packets\n"))
	empty := writeFile(t, "empty.pcap", nil)
	shortHeader := writeFile(t, "short.pcap", portscan[:10])
	wifi := bytes.Clone(readFile(t, capture("scan-part1.pcap")))
	wifi[20] = 105 // LINKTYPE_IEEE802_11
	wifiFile := writeFile(t, "wifi.pcap", wifi)
	gzData := readFile(t, gzipFile(t, capture("portscan.pcap"), "p.pcap.gz"))
	cutGz := writeFile(t, "cut.pcap.gz", gzData[:len(gzData)/2])

	tests := []struct {
		name     string
		paths    []string
		stdin    []byte
		wantErr  []string // in the one stderr line
		wantSIDs []uint32 // from what could be read
		badIndex int      // index in files of the bad one
		packets  uint64   // packets read from the bad one
	}{
		{
			name:     "truncated",
			paths:    []string{truncated},
			wantErr:  []string{truncated + ": ", "packet 2065", "at offset 160089", "capture ends in the middle of a packet"},
			wantSIDs: []uint32{9000002},
			packets:  2064,
		},
		{
			name:     "truncated on stdin",
			paths:    []string{"-"},
			stdin:    portscan[:len(portscan)-10],
			wantErr:  []string{"<stdin>: ", "packet 2065 at offset 160089", "capture ends in the middle of a packet"},
			wantSIDs: []uint32{9000002},
			packets:  2064,
		},
		{
			name:     "truncated gzip",
			paths:    []string{cutGz},
			wantErr:  []string{cutGz + ": ", "packet ", "at offset ", "(decompressed)", "capture ends in the middle of a packet"},
			wantSIDs: []uint32{9000002},
		},
		{
			name:     "text file with a good capture",
			paths:    []string{notCapture, capture("portscan.pcap")},
			wantErr:  []string{notCapture + ": ", "not a pcap or pcapng capture"},
			wantSIDs: []uint32{9000002},
		},
		{
			name:     "good capture then text file",
			paths:    []string{capture("bruteforce-ftp.pcap"), notCapture},
			wantErr:  []string{notCapture + ": ", "not a pcap or pcapng capture"},
			wantSIDs: []uint32{9000004},
			badIndex: 1,
		},
		{
			name:    "empty file",
			paths:   []string{empty},
			wantErr: []string{empty + ": ", "not a pcap or pcapng capture", "empty"},
		},
		{
			name:    "pcap header cut short",
			paths:   []string{shortHeader},
			wantErr: []string{shortHeader + ": ", "pcap header cut short at 10 bytes"},
		},
		{
			name:     "unsupported link type",
			paths:    []string{wifiFile, capture("synflood.pcap")},
			wantErr:  []string{wifiFile + ": ", "unsupported link type", "105"},
			wantSIDs: []uint32{9000001},
		},
	}
	for _, tt := range tests {
		for _, format := range []string{"json", "table"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				args := append([]string{"analyze", "-f", format}, tt.paths...)
				r := run(t, context.Background(), bytes.NewReader(tt.stdin), args...)
				r.wantCode(t, exitInput)
				r.wantOneErrorLine(t, tt.wantErr...)
				if r.stdout == "" {
					t.Fatal("no report on stdout; want one for what was read")
				}
				if format == "table" {
					if !strings.Contains(r.stdout, "Signatures fired") {
						t.Errorf("table report incomplete:\n%s", r.stdout)
					}
					return
				}
				rep := decodeReport(t, r.stdout)
				if got := rep.sids(); !slices.Equal(got, tt.wantSIDs) {
					t.Errorf("signatures %v, want %v from what could be read", got, tt.wantSIDs)
				}
				if len(rep.Files) != len(tt.paths) {
					t.Fatalf("files %v, want one entry per path %v", rep.filePaths(), tt.paths)
				}
				bad := rep.Files[tt.badIndex]
				if bad.Error == "" || !strings.Contains(r.stderr, bad.Error) {
					t.Errorf("files[%d].error %q: want the error printed on stderr (%q)", tt.badIndex, bad.Error, r.stderr)
				}
				if bad.Packets != tt.packets && tt.packets != 0 {
					t.Errorf("files[%d]: %d packets read, want %d", tt.badIndex, bad.Packets, tt.packets)
				}
				if tt.packets != 0 && !bad.Truncated {
					t.Errorf("files[%d]: truncated = false, want true", tt.badIndex)
				}
				for i, f := range rep.Files {
					if i != tt.badIndex && (f.Error != "" || f.Packets == 0) {
						t.Errorf("good file %+v: want packets and no error", f)
					}
				}
			})
		}
	}

	t.Run("per-file with a text file", func(t *testing.T) {
		r := runArgs(t, "analyze", "-f", "json", "--per-file", notCapture, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, notCapture, "not a pcap or pcapng capture")
		reps := decodeReports(t, r.stdout)
		if len(reps) != 2 {
			t.Fatalf("%d reports, want 2", len(reps))
		}
		if reps[0].Files[0].Error == "" || len(reps[0].Signatures) != 0 {
			t.Errorf("report for %s: %+v, want its error and no signatures", notCapture, reps[0].Files)
		}
		if got := reps[1].sids(); !slices.Equal(got, []uint32{9000002}) {
			t.Errorf("report for portscan.pcap: signatures %v, want [9000002]", got)
		}
	})

	t.Run("two bad files", func(t *testing.T) {
		r := runArgs(t, "analyze", "-f", "json", notCapture, truncated)
		r.wantCode(t, exitInput)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], notCapture) || !strings.Contains(lines[1], truncated) {
			t.Errorf("stderr %q: want one line per bad file, in order", r.stderr)
		}
		if got := decodeReport(t, r.stdout).sids(); !slices.Equal(got, []uint32{9000002}) {
			t.Errorf("signatures %v, want [9000002] from the truncated file", got)
		}
	})

	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing.pcap")
		r := runArgs(t, "analyze", "-f", "json", missing)
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, missing+": ", "no such file or directory")
		r.wantNoStdout(t) // no report of nothing
	})

	t.Run("missing file with a good capture", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing.pcap")
		r := runArgs(t, "analyze", "-f", "json", missing, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, missing+": ", "no such file or directory")
		r.wantNoStdout(t) // checked before the analysis: nothing is analysed
	})

	t.Run("unreadable file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		locked := writeFile(t, "locked.pcap", readFile(t, capture("portscan.pcap")))
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		r := runArgs(t, "analyze", capture("portscan.pcap"), locked)
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, locked+": ", "permission denied")
		r.wantNoStdout(t)
	})
}

func TestOutputFile(t *testing.T) {
	ps := capture("portscan.pcap")
	plainTable := runArgs(t, "analyze", ps)
	plainTable.wantCode(t, exitOK)
	plainJSON := runArgs(t, "analyze", "-f", "json", ps)
	plainJSON.wantCode(t, exitOK)

	tests := []struct {
		name   string
		flags  []string
		output string // file name in a temp dir
		want   string
	}{
		{"table", nil, "report.txt", plainTable.stdout},
		{"json", []string{"-f", "json"}, "report.json", plainJSON.stdout},
		{"long flag", []string{"--format", "json"}, "r.json", plainJSON.stdout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.output)
			args := append(append([]string{"analyze", "-o", out}, tt.flags...), ps)
			r := runArgs(t, args...)
			r.wantCode(t, exitOK)
			r.wantNoStdout(t)
			r.wantNoStderr(t)
			if got := string(readFile(t, out)); got != tt.want {
				t.Errorf("%s differs from the stdout report:\n%s", out, firstDiff(tt.want, got))
			}
		})
	}

	t.Run("dash is stdout", func(t *testing.T) {
		r := runArgs(t, "analyze", "-o", "-", ps)
		r.wantCode(t, exitOK)
		r.wantNoStderr(t)
		if r.stdout != plainTable.stdout {
			t.Errorf("-o - differs from no -o:\n%s", firstDiff(plainTable.stdout, r.stdout))
		}
	})

	t.Run("replaces an existing file", func(t *testing.T) {
		out := writeFile(t, "old.txt", bytes.Repeat([]byte("old report\n"), 10000))
		r := runArgs(t, "analyze", "--output", out, ps)
		r.wantCode(t, exitOK)
		r.wantNoStdout(t)
		r.wantNoStderr(t)
		if got := string(readFile(t, out)); got != plainTable.stdout {
			t.Errorf("%s not replaced by the report:\n%s", out, firstDiff(plainTable.stdout, got))
		}
	})

	t.Run("bad input still writes the file", func(t *testing.T) {
		bad := writeFile(t, "x.pcap", []byte("not a capture\n"))
		out := filepath.Join(t.TempDir(), "r.json")
		r := runArgs(t, "analyze", "-f", "json", "-o", out, bad, ps)
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, bad, "not a pcap or pcapng capture")
		if got := decodeReport(t, string(readFile(t, out))).sids(); !slices.Equal(got, []uint32{9000002}) {
			t.Errorf("signatures %v in %s, want [9000002]", got, out)
		}
	})

	for _, tt := range []struct {
		name string
		out  func(dir string) string
	}{
		{"nonexistent directory", func(dir string) string { return filepath.Join(dir, "no", "such", "dir", "r.txt") }},
		{"a directory", func(dir string) string { return dir }},
	} {
		t.Run("cannot write to "+tt.name, func(t *testing.T) {
			out := tt.out(t.TempDir())
			r := runArgs(t, "analyze", "-o", out, ps)
			r.wantCode(t, exitError)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, "writing report", out)
		})
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"portscan.table.golden", []string{"analyze", capture("portscan.pcap")}},
		{"per-file.table.golden", append([]string{"analyze", "--per-file"}, corpus...)},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			golden(t, tt.golden, r.stdout)
		})
	}
}

// TestCancelled is Ctrl-C: Main gets a context that is already cancelled.
// It must return promptly with a report of what was read.
func TestCancelled(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// complete: the input is small enough to be read before the first
		// context check, so the report is whole and the run succeeds.
		complete bool
	}{
		{"one small capture", []string{"analyze", "-f", "json", capture("portscan.pcap")}, true},
		{"directory", []string{"analyze", "-f", "json", pcaps}, false},
		{"per-file directory", []string{"analyze", "-f", "json", "--per-file", pcaps}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			done := make(chan result, 1)
			go func() { done <- run(t, ctx, nil, tt.args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Main did not return within 20s of a cancelled context")
			}
			if r.stdout == "" {
				t.Fatalf("no report after cancel (exit %d, stderr %q)", r.code, r.stderr)
			}
			if tt.complete {
				r.wantCode(t, exitOK)
				r.wantNoStderr(t)
				if got := decodeReport(t, r.stdout).sids(); !slices.Equal(got, []uint32{9000002}) {
					t.Errorf("signatures %v, want [9000002]", got)
				}
				return
			}
			var reps []jsonReport
			if strings.HasPrefix(r.stdout, "[") {
				reps = decodeReports(t, r.stdout)
			} else {
				reps = []jsonReport{decodeReport(t, r.stdout)}
			}
			if len(reps) == 0 {
				t.Fatal("empty report list")
			}
			// A run cut short must not look like a complete, successful one.
			if r.code != exitInterrupted {
				t.Errorf("exit %d, want %d for an interrupted run", r.code, exitInterrupted)
			}
			r.wantOneErrorLine(t, "interrupted")
		})
	}
}
