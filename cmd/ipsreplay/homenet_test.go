package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A bad --home-net is a usage error naming the entry, for every command
// that takes it, before any capture is read.
func TestHomeNetFlagErrors(t *testing.T) {
	good := capture("portscan.pcap")
	badConfig := writeFile(t, "bad-home.json", []byte("{\n  \"network\": {\"home_net\": [\"10.0.0.0/8\", \"10.0.0.0/33\"]}\n}\n"))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"analyze", []string{"analyze", "--home-net", "10.0.0.0/33", good}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"analyze second entry", []string{"analyze", "--home-net", "10.0.0.0/8,fd00::/200", good}, []string{`--home-net: "fd00::/200" is not a CIDR`}},
		{"analyze empty", []string{"analyze", "--home-net", "", good}, []string{"--home-net: no CIDR given"}},
		{"analyze negation", []string{"analyze", "--home-net", "!10.0.0.0/8", good}, []string{`"!10.0.0.0/8" is not a CIDR`}},
		{"replay", []string{"replay", "--home-net", "10.0.0.0/33", good}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"capture", []string{"capture", "--home-net", "10.0.0.0/33", "-i", "lo"}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"check", []string{"check", "--home-net", "10.0.0.0/33", pcaps}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"exclusions suggest", []string{"exclusions", "suggest", "--home-net", "10.0.0.0/33", good}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"config", []string{"config", "--home-net", "10.0.0.0/33"}, []string{`--home-net: "10.0.0.0/33" is not a CIDR`}},
		{"--set", []string{"analyze", "--set", "network.home_net=10.0.0.0/33", good}, []string{`--set network.home_net=10.0.0.0/33: home_net: "10.0.0.0/33" is not a CIDR`}},
		{"config file", []string{"analyze", "--config", badConfig, good}, []string{"bad-home.json: line ", `home_net: "10.0.0.0/33" is not a CIDR`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, tt.want...)
		})
	}
}

// config prints network.home_net; --home-net wins over --set and the file.
func TestHomeNetConfigKey(t *testing.T) {
	file := writeFile(t, "home.json", []byte(`{"network": {"home_net": "198.51.100.0/24"}}`))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"default", nil, []string{"192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "fc00::/7"}},
		{"flag", []string{"--home-net", "10.0.0.0/8, fd00::/8"}, []string{"10.0.0.0/8", "fd00::/8"}},
		{"single hosts", []string{"--home-net", "192.0.2.7,2001:db8::7"}, []string{"192.0.2.7/32", "2001:db8::7/128"}},
		{"--set", []string{"--set", "network.home_net=10.1.0.0/16"}, []string{"10.1.0.0/16"}},
		{"config file, as a string", []string{"--config", file}, []string{"198.51.100.0/24"}},
		{"flag over file and --set", []string{"--config", file, "--set", "network.home_net=10.1.0.0/16", "--home-net", "2001:db8::/32"}, []string{"2001:db8::/32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, append([]string{"config"}, tt.args...)...)
			r.wantCode(t, exitOK)
			var cfg struct {
				Network struct {
					HomeNet []string `json:"home_net"`
				} `json:"network"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
				t.Fatalf("config output: %v\n%s", err, r.stdout)
			}
			if !slices.Equal(cfg.Network.HomeNet, tt.want) {
				t.Errorf("network.home_net = %q, want %q", cfg.Network.HomeNet, tt.want)
			}
			// what config prints, analyze takes back
			again := runArgs(t, "config", "--config", writeFile(t, "printed.json", []byte(r.stdout)))
			again.wantCode(t, exitOK)
			if again.stdout != r.stdout {
				t.Errorf("config --config <its own output> differs:\n%s", firstDiff(r.stdout, again.stdout))
			}
		})
	}
}

// $HOME_NET in rules is the home network: bruteforce-ftp.pcap's client
// 203.0.113.78 logs in 25 times to the server 192.168.1.21.
func TestHomeNetRules(t *testing.T) {
	rulesFile := writeFile(t, "home.rules", []byte(`alert tcp $HOME_NET any -> any 21 (msg:"FTP login from a home client"; flow:established,to_server; content:"USER "; depth:5; sid:1000010; rev:1;)
alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:"FTP login from outside"; flow:established,to_server; content:"USER "; depth:5; sid:1000011; rev:1;)
`))
	config := writeFile(t, "home.json", []byte(`{"network": {"home_net": ["203.0.113.0/24", "192.168.1.0/24"]}}`))
	tests := []struct {
		name string
		args []string
		want map[uint32]uint64 // sid → alerts
	}{
		{"default: outside client", nil, map[uint32]uint64{1000011: 25}},
		{"client's /24 is home", []string{"--home-net", "203.0.113.0/24"}, map[uint32]uint64{1000010: 25}},
		{"client alone is home", []string{"--home-net", "203.0.113.78"}, map[uint32]uint64{1000010: 25}},
		{"neither is home", []string{"--home-net", "2001:db8::/32"}, map[uint32]uint64{}},
		{"--set", []string{"--set", "network.home_net=203.0.113.0/24"}, map[uint32]uint64{1000010: 25}},
		{"config file", []string{"--config", config}, map[uint32]uint64{1000010: 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"analyze", "-f", "json", "--no-builtins", "--autoblock", "0", "--rules", rulesFile}, tt.args...)
			r := runArgs(t, append(args, capture("bruteforce-ftp.pcap"))...)
			r.wantCode(t, exitOK)
			got := map[uint32]uint64{}
			for _, s := range decodeReport(t, r.stdout).Signatures {
				got[s.SID] = s.Count
			}
			if len(got) != len(tt.want) {
				t.Fatalf("signatures %v, want %v", got, tt.want)
			}
			for sid, n := range tt.want {
				if got[sid] != n {
					t.Errorf("sid %d fired %d times, want %d (all: %v)", sid, got[sid], n, got)
				}
			}
		})
	}
}

// homeNetVerdicts is the verdict part of a report: host → verdict, or
// "investigate: reason".
func homeNetVerdicts(t *testing.T, stdout string) map[string]string {
	t.Helper()
	var rep struct {
		FalsePositives []struct{ Host, Verdict string } `json:"false_positives"`
		Investigate    []struct{ Host, Reason string }  `json:"investigate"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, truncate(stdout, 300))
	}
	out := map[string]string{}
	for _, fp := range rep.FalsePositives {
		out[fp.Host] = fp.Verdict
	}
	for _, v := range rep.Investigate {
		out[v.Host] = "investigate: " + v.Reason
	}
	return out
}

// The home network decides who is internal: the internal scanner is
// excused only inside it, and an outside scanner stops being "outside"
// once it is covered. analyze, replay and check all follow it.
func TestHomeNetVerdicts(t *testing.T) {
	const scanner, outsider = "192.168.1.250", "203.0.113.66"
	tests := []struct {
		name    string
		args    []string
		capture string
		host    string
		want    string // verdict, or a prefix of "investigate: reason"; "!" + a prefix it must not have
	}{
		{"internal scanner", nil, "scanner-internal.pcap", scanner, "scanner"},
		{"scanner outside --home-net", []string{"--home-net", "10.0.0.0/8"}, "scanner-internal.pcap", scanner, "investigate: outside address"},
		{"scanner inside a narrow --home-net", []string{"--home-net", "192.168.1.0/24"}, "scanner-internal.pcap", scanner, "scanner"},
		{"replay follows it", []string{"--home-net", "10.0.0.0/8"}, "scanner-internal.pcap", scanner, "investigate: outside address"},
		{"outside scanner", nil, "portscan.pcap", outsider, "investigate: outside address"},
		// covered, a lone nmap scan is a scanner or an internal host
		// without evidence, as its fingerprints decide, but not an outsider
		{"outside scanner covered", []string{"--home-net", "203.0.113.0/24"}, "portscan.pcap", outsider, "!investigate: outside"},
		{"ipv6 scanner covered", []string{"--home-net", "2001:db8:66::/48"}, "ipv6-scan.pcap", "2001:db8:66::1", "!investigate: outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := []string{"analyze", "-f", "json"}
			if strings.HasPrefix(tt.name, "replay") {
				cmd = []string{"replay", "--speed", "max", "-f", "json"}
			}
			r := runArgs(t, append(append(cmd, tt.args...), capture(tt.capture))...)
			r.wantCode(t, exitOK)
			got := homeNetVerdicts(t, r.stdout)
			if not, ok := strings.CutPrefix(tt.want, "!"); ok {
				if got[tt.host] == "" || strings.HasPrefix(got[tt.host], not) {
					t.Errorf("%s: %q, want a verdict other than %q (all: %v)", tt.host, got[tt.host], not, got)
				}
			} else if !strings.HasPrefix(got[tt.host], tt.want) {
				t.Errorf("%s: %q, want %q (all: %v)", tt.host, got[tt.host], tt.want, got)
			}
		})
	}

	// exclusions suggest lists the scanner only while it is internal
	for _, tt := range []struct {
		home string
		want bool
	}{{"", true}, {"10.0.0.0/8", false}} {
		args := []string{"exclusions", "suggest", "--no-progress"}
		if tt.home != "" {
			args = append(args, "--home-net", tt.home)
		}
		r := runArgs(t, append(args, capture("scanner-internal.pcap"))...)
		r.wantCode(t, exitOK)
		listed := slices.ContainsFunc(strings.Split(r.stdout, "\n"), func(l string) bool {
			return l == scanner || strings.HasPrefix(l, scanner+" ")
		})
		if listed != tt.want {
			t.Errorf("suggest --home-net %q: lists %s %v, want %v\n%s", tt.home, scanner, listed, tt.want, r.stdout)
		}
	}
}

// check takes --home-net for every case, and options.home_net (or
// network.home_net in options.set) for one.
func TestCheckHomeNet(t *testing.T) {
	dir := copyCorpus(t, "scanner-internal.pcap")
	path := put(t, dir, "scanner-internal"+expectSuffix, `{"options": {"home_net": "10.0.0.0/8"}, "signatures": []}`)
	// what the capture gives with the scanner outside the home network
	r := runArgs(t, "check", "--update", dir)
	r.wantCode(t, exitOK)
	outside := string(readFile(t, path))
	if !strings.Contains(outside, `"home_net": "10.0.0.0/8"`) || !strings.Contains(outside, `"false_positives": []`) {
		t.Fatalf("check --update with options.home_net wrote:\n%s", outside)
	}
	withOptions := func(opts string) string {
		_, rest, _ := strings.Cut(outside, "},")
		if opts == "" {
			return "{" + rest
		}
		return `{"options": ` + opts + "," + rest
	}
	tests := []struct {
		name, options string
		args          []string
		code          int
	}{
		{"options.home_net", `{"home_net": "10.0.0.0/8"}`, nil, exitOK},
		{"network.home_net in options.set", `{"set": ["network.home_net=10.0.0.0/8"]}`, nil, exitOK},
		{"--home-net for every case", "", []string{"--home-net", "10.0.0.0/8"}, exitOK},
		{"options win over --home-net", `{"home_net": "10.0.0.0/8"}`, []string{"--home-net", "192.168.0.0/16"}, exitOK},
		{"default: the scanner is excused", "", nil, exitError},
		{"options.home_net covering the scanner", `{"home_net": "192.168.1.0/24"}`, nil, exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put(t, dir, "scanner-internal"+expectSuffix, withOptions(tt.options))
			r := runArgs(t, append(append([]string{"check"}, tt.args...), dir)...)
			r.wantCode(t, tt.code)
			if tt.code == exitError && !strings.Contains(r.stdout, "192.168.1.250 scanner") {
				t.Errorf("the failure does not name the scanner's verdict:\n%s", r.stdout)
			}
		})
	}
	put(t, dir, "scanner-internal"+expectSuffix, withOptions(`{"home_net": "10.0.0.0/33"}`))
	r = runArgs(t, "check", dir)
	r.wantCode(t, exitInput)
	if !strings.Contains(r.stdout, `options.home_net: "10.0.0.0/33" is not a CIDR`) {
		t.Errorf("a bad options.home_net is not named:\n%s", r.stdout)
	}
}

// $HOME_NET in a check's rules follows options.home_net: the signatures
// are loaded again for the case.
func TestCheckHomeNetRules(t *testing.T) {
	rulesFile := writeFile(t, "home.rules", []byte(`alert tcp $HOME_NET any -> any 21 (msg:"FTP login from a home client"; flow:established,to_server; content:"USER "; depth:5; sid:1000010; rev:1;)
`))
	dir := copyCorpus(t, "bruteforce-ftp.pcap")
	put(t, dir, "bruteforce-ftp"+expectSuffix, `{"options": {"home_net": "203.0.113.0/24"}, "signatures": [{"sid": 1000010, "alerts": 25}]}`)
	r := runArgs(t, "check", "--no-builtins", "--rules", rulesFile, dir)
	r.wantCode(t, exitOK)
	put(t, dir, "bruteforce-ftp"+expectSuffix, `{"signatures": []}`)
	r = runArgs(t, "check", "--no-builtins", "--rules", rulesFile, dir)
	r.wantCode(t, exitOK)
}
