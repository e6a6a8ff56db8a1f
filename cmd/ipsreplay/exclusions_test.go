package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// analyzeResult runs analyze -f json with args and decodes the report.
func analyzeResult(t *testing.T, args ...string) *analyzer.Result {
	t.Helper()
	r := runArgs(t, append([]string{"analyze", "-f", "json", "--no-progress"}, args...)...)
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	var res analyzer.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("not a JSON report: %v", err)
	}
	return &res
}

// alertsBy counts a result's alerts by attacker (address, else MAC, else
// "(spoofed)") and SID.
func alertsBy(res *analyzer.Result) map[string]map[uint32]int {
	out := map[string]map[uint32]int{}
	for _, a := range res.Alerts {
		host := a.Source().String()
		if a.Spoofed && !a.Attacker.IsValid() {
			host = "(spoofed)"
		}
		if out[host] == nil {
			out[host] = map[uint32]int{}
		}
		out[host][a.SID]++
	}
	return out
}

func blockedSet(res *analyzer.Result) []string {
	var out []string
	for _, b := range res.Blocks {
		out = append(out, b.Host.String())
	}
	slices.Sort(out)
	return out
}

func TestExclusionsSuggestGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"suggest-corpus.golden", corpus},
		{"suggest-guest-vm-high.golden", []string{"--min-confidence", "high", capture("guest-vm.pcap")}},
		{"suggest-portscan.golden", []string{capture("portscan.pcap")}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := runArgs(t, append([]string{"exclusions", "suggest", "--no-progress"}, tt.args...)...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			golden(t, tt.golden, r.stdout)
			if _, err := analyzer.ParseExclusions(tt.golden, strings.NewReader(r.stdout)); err != nil {
				t.Errorf("the suggested list does not parse: %v", err)
			}
			again := runArgs(t, append([]string{"exclusions", "suggest", "--no-progress"}, tt.args...)...)
			if again.stdout != r.stdout {
				t.Error("a second run gave different bytes")
			}
		})
	}
}

// TestExclusionsSuggestRoundTrip is the "done when": the suggested
// list, fed back with --exclude over the whole corpus, removes the internal
// scanner's and the guest VMs' alerts and blocks while the real attacks
// still fire and their attackers are still blocked.
func TestExclusionsSuggestRoundTrip(t *testing.T) {
	list := filepath.Join(t.TempDir(), "excluded-hosts.txt")
	r := runArgs(t, append([]string{"exclusions", "suggest", "--no-progress", "-o", list}, corpus...)...)
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	r.wantNoStdout(t)
	text, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range []string{"\n192.168.1.250\n", "\n192.168.1.5\n", "\n00:0c:29:", "\n00:1c:42:"} {
		if !strings.Contains(string(text), entry) {
			t.Errorf("suggested list has no entry %q:\n%s", strings.TrimSpace(entry), text)
		}
	}

	before := analyzeResult(t, corpus...)
	after := analyzeResult(t, append([]string{"--exclude", list}, corpus...)...)
	was, now := alertsBy(before), alertsBy(after)

	benign := []string{"192.168.1.250", "192.168.1.5"} // internal scanner, monitoring
	for host := range was {
		if strings.HasPrefix(host, "00:0c:29:") || strings.HasPrefix(host, "00:1c:42:") {
			benign = append(benign, host)
		}
	}
	if len(benign) < 3 {
		t.Fatalf("corpus has no guest VM alerts to exclude: %v", was)
	}
	for _, h := range benign {
		if len(was[h]) == 0 {
			t.Errorf("%s fired nothing without the list; the test proves nothing", h)
		}
		if len(now[h]) != 0 {
			t.Errorf("%s still fires with the suggested list: %v", h, now[h])
		}
	}
	for _, a := range after.Alerts {
		if m := a.AttackerMAC.String(); strings.HasPrefix(m, "00:0c:29:") || strings.HasPrefix(m, "00:1c:42:") {
			t.Errorf("guest VM alert kept: %+v", a)
		}
	}
	for _, b := range after.Blocks {
		if h := b.Host.String(); h == "192.168.1.250" || h == "192.168.1.5" {
			t.Errorf("internal scanner or monitor still blocked: %+v", b)
		}
	}
	for _, fp := range after.FalsePositives {
		t.Errorf("excluded host still classified: %+v", fp)
	}

	// the real attacks: same alerts as before, same blocks
	for _, h := range []string{"203.0.113.66", "198.51.100.23", "192.168.1.66", "(spoofed)"} {
		if len(now[h]) == 0 || !reflect.DeepEqual(now[h], was[h]) {
			t.Errorf("%s: alerts %v with the list, %v without; want them unchanged", h, now[h], was[h])
		}
	}
	wantBlocked := slices.DeleteFunc(blockedSet(before), func(h string) bool { return h == "192.168.1.250" || h == "192.168.1.5" })
	if got := blockedSet(after); !slices.Equal(got, wantBlocked) {
		t.Errorf("blocked %v with the list, want %v", got, wantBlocked)
	}
	for _, h := range []string{"203.0.113.66", "198.51.100.23", "192.168.1.66"} {
		if !slices.Contains(wantBlocked, h) {
			t.Errorf("%s not blocked", h)
		}
	}
	var removed uint64
	for _, u := range after.Summary.Exclusions {
		if u.Alerts == 0 {
			t.Errorf("entry %s (%s) removed nothing", u.Entry, u.Where)
		}
		removed += u.Alerts
	}
	if want := uint64(len(before.Alerts) - len(after.Alerts)); removed != want {
		t.Errorf("entries account for %d removed alerts, %d were removed", removed, want)
	}
}

// TestExclusionsSuppressOneSignature: a suppress line removes exactly one
// signature for one source; the host's other alerts, and its block, stay.
func TestExclusionsSuppressOneSignature(t *testing.T) {
	list := writeFile(t, "ex.txt", []byte("# the scanner's port scans only\n"+
		"suppress gen_id 1, sig_id 9000002, track by_src, ip 192.168.1.250\n"))
	before := analyzeResult(t, corpus...)
	after := analyzeResult(t, append([]string{"--exclude", list}, corpus...)...)
	was, now := alertsBy(before), alertsBy(after)
	scans := was["192.168.1.250"][9000002]
	if scans == 0 {
		t.Fatal("the scanner fired no port scan without the list")
	}
	want := alertsBy(before)
	delete(want["192.168.1.250"], 9000002)
	if !reflect.DeepEqual(now, want) {
		t.Errorf("alerts with the suppress line:\n%v\nwant:\n%v", now, want)
	}
	if len(after.Alerts) != len(before.Alerts)-scans {
		t.Errorf("%d alerts, want %d", len(after.Alerts), len(before.Alerts)-scans)
	}
	wantUse := []analyzer.ExclusionUse{{Entry: "suppress gen_id 1, sig_id 9000002, track by_src, ip 192.168.1.250",
		Where: list + ":2", Kind: "suppress", Alerts: uint64(scans)}}
	if !reflect.DeepEqual(after.Summary.Exclusions, wantUse) {
		t.Errorf("exclusions %+v, want %+v", after.Summary.Exclusions, wantUse)
	}
	if !slices.Equal(blockedSet(after), blockedSet(before)) {
		t.Errorf("blocked %v, want %v (its other alerts still block it)", blockedSet(after), blockedSet(before))
	}
	for _, s := range after.Signatures {
		if s.SID == 9000002 && slices.Contains(s.Attackers, analyzer.MustParseHost("192.168.1.250")) {
			t.Errorf("9000002 still names the scanner: %v", s.Attackers)
		}
	}
}

func TestExclusionsSuggestErrors(t *testing.T) {
	t.Run("bad min-confidence", func(t *testing.T) {
		r := runArgs(t, "exclusions", "suggest", "--min-confidence", "certain", capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, `--min-confidence "certain": want low, medium or high`)
	})
	t.Run("no paths", func(t *testing.T) {
		r := runArgs(t, "exclusions", "suggest")
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, "exclusions suggest needs at least one capture")
	})
	t.Run("unknown subcommand", func(t *testing.T) {
		r := runArgs(t, "exclusions", "apply")
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, `unknown exclusions command "apply"`)
	})
	t.Run("bad suppress line", func(t *testing.T) {
		ex := writeFile(t, "ex.txt", []byte("192.168.1.250\n# scanner above\nsuppress gen_id 1, sig_id 9000002, track by_host, ip 10.0.0.1\n"))
		for _, cmd := range [][]string{{"analyze"}, {"exclusions", "suggest"}} {
			r := runArgs(t, append(cmd, "--exclude", ex, capture("portscan.pcap"))...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, ex+":3: suppress: track \"by_host\": expected by_src, by_dst or by_either")
		}
	})
	t.Run("threshold line", func(t *testing.T) {
		ex := writeFile(t, "ex.txt", []byte("threshold gen_id 1, sig_id 9000002, type limit, track by_src, count 1, seconds 60\n"))
		r := runArgs(t, "analyze", "--exclude", ex, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, ex+":1: threshold: only suppress is supported in exclusion files")
	})
	t.Run("truncated capture still gives a list", func(t *testing.T) {
		data := readFile(t, capture("scanner-internal.pcap"))
		cut := writeFile(t, "cut.pcap", data[:len(data)-10])
		r := runArgs(t, "exclusions", "suggest", "--no-progress", cut)
		r.wantCode(t, exitInput)
		if !strings.Contains(r.stdout, "\n192.168.1.250\n") || !strings.Contains(r.stdout, "(truncated: analysed up to the fault)") {
			t.Errorf("list from a truncated capture:\n%s", r.stdout)
		}
		r.wantOneErrorLine(t, cut)
	})
}

// TestExclusionsSuggestLab runs suggest on captures real tools made
// (pcaps/lab/): the internal nmap -sV scan of four hosts is listed, at
// medium confidence or more, with nmap's packet fingerprints as evidence;
// a host that flooded, poisoned ARP caches or guessed passwords is never
// listed, nor is one that scanned a single host.
func TestExclusionsSuggestLab(t *testing.T) {
	entries := func(t *testing.T, out string) []string {
		var e []string
		for _, line := range strings.Split(out, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				e = append(e, line)
			}
		}
		return e
	}
	suggest := func(t *testing.T, name string) string {
		path := capture("lab/" + name)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: %v (make lab writes it)", path, err)
		}
		r := runArgs(t, "exclusions", "suggest", "--no-progress", path)
		r.wantCode(t, exitOK)
		return r.stdout
	}

	t.Run("internal scanner", func(t *testing.T) {
		out := suggest(t, "scanner-internal.pcap")
		if got := entries(t, out); !slices.Equal(got, []string{"10.77.0.25"}) {
			t.Errorf("entries %q, want the scanner 10.77.0.25 alone:\n%s", got, out)
		}
		for _, want := range []string{"# scanner, confidence ", "nmap SYN probes: ", "nmap service probes: "} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in the suggestion:\n%s", want, out)
			}
		}
		if strings.Contains(out, "# scanner, confidence low") {
			t.Errorf("scanner at low confidence:\n%s", out)
		}
	})
	for _, name := range []string{
		"hping3-synflood.pcap", "arpspoof.pcap", "ettercap.pcap", "hydra-ssh.pcap", "hydra-ftp.pcap",
		"hydra-ssh-success.pcap", "nmap-sS.pcap", "nmap-O.pcap", "nmap-sn-arp.pcap",
	} {
		t.Run(name, func(t *testing.T) {
			if out := suggest(t, name); len(entries(t, out)) > 0 {
				t.Errorf("suggested %q for an attacker:\n%s", entries(t, out), out)
			}
		})
	}
}
