package main

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestFlagsFirst(t *testing.T) {
	app := &cli.App{Commands: []*cli.Command{analyzeCommand(nil), exclusionsCommand(nil), configCommand()}}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"flags already first", []string{"x", "analyze", "-f", "json", "a.pcap"}, []string{"x", "analyze", "-f", "json", "a.pcap"}},
		{"value flag after a path", []string{"x", "analyze", "a.pcap", "-f", "json", "b.pcap"}, []string{"x", "analyze", "-f", "json", "a.pcap", "b.pcap"}},
		{"bool flag after a path", []string{"x", "analyze", "a.pcap", "--per-file", "b.pcap"}, []string{"x", "analyze", "--per-file", "a.pcap", "b.pcap"}},
		{"flag=value", []string{"x", "analyze", "a.pcap", "--format=json", "b.pcap"}, []string{"x", "analyze", "--format=json", "a.pcap", "b.pcap"}},
		{"stdin is a path", []string{"x", "analyze", "-", "-o", "r.json"}, []string{"x", "analyze", "-o", "r.json", "-"}},
		{"after -- all are paths", []string{"x", "analyze", "a.pcap", "--", "-f", "json"}, []string{"x", "analyze", "a.pcap", "--", "-f", "json"}},
		{"subcommand", []string{"x", "exclusions", "suggest", "a.pcap", "-o", "l.txt"}, []string{"x", "exclusions", "suggest", "-o", "l.txt", "a.pcap"}},
		{"unknown command untouched", []string{"x", "frob", "a", "-f", "json"}, []string{"x", "frob", "a", "-f", "json"}},
		{"unknown flag moves alone", []string{"x", "analyze", "a.pcap", "--bogus", "b.pcap"}, []string{"x", "analyze", "--bogus", "a.pcap", "b.pcap"}},
	}
	for _, tt := range tests {
		if got := flagsFirst(app, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("%s: flagsFirst(%q) = %q, want %q", tt.name, tt.args, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	commands := []string{"analyze", "replay", "capture", "check", "config", "signatures", "exclusions", "completion"}
	tests := []struct{ name, want string }{
		{"anlyze", "analyze"},
		{"analyse", "analyze"},
		{"replya", "replay"},
		{"chek", "check"},
		{"sig", "signatures"},
		{"conf", "config"},
		{"frob", ""},
		{"x", ""},
		{"--formt", "--format"},
	}
	for _, tt := range tests {
		cands := commands
		if tt.name[0] == '-' {
			cands = []string{"--format", "--output", "--per-file"}
		}
		if got := closest(tt.name, cands); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDurationHint(t *testing.T) {
	tests := []struct{ value, want string }{
		{"10", "a duration needs a unit: did you mean 10m or 10s? (units: ns, us, ms, s, m, h; e.g. 90s, 10m, 1h30m)"},
		{"1.5", "a duration needs a unit: did you mean 1.5m or 1.5s? (units: ns, us, ms, s, m, h; e.g. 90s, 10m, 1h30m)"},
		{"10x", "not a duration (units: ns, us, ms, s, m, h; e.g. 90s, 10m, 1h30m)"},
	}
	for _, tt := range tests {
		if got := durationHint(tt.value); got != tt.want {
			t.Errorf("durationHint(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestTrailingFilter(t *testing.T) {
	ps := capture("portscan.pcap")
	tests := []struct {
		name      string
		paths     []string
		wantPaths []string
		wantExpr  string
	}{
		{"no filter", []string{ps}, []string{ps}, ""},
		{"unquoted words", []string{ps, "tcp", "port", "22"}, []string{ps}, "tcp port 22"},
		{"one quoted argument", []string{ps, "not arp"}, []string{ps}, "not arp"},
		{"an index", []string{ps, "tcp[tcpflags]", "&", "tcp-syn", "!=", "0"}, []string{ps}, "tcp[tcpflags] & tcp-syn != 0"},
		{"a parenthesis", []string{ps, "(udp or icmp)"}, []string{ps}, "(udp or icmp)"},
		{"stdin then a filter", []string{"-", "udp"}, []string{"-"}, "udp"},
		{"a missing file is no filter", []string{ps, "nosuch.pcap"}, []string{ps, "nosuch.pcap"}, ""},
		{"only words: no path before them", []string{"tcp"}, []string{"tcp"}, ""},
	}
	for _, tt := range tests {
		paths, expr := trailingFilter(tt.paths)
		if !slices.Equal(paths, tt.wantPaths) || expr != tt.wantExpr {
			t.Errorf("%s: trailingFilter(%q) = %q, %q; want %q, %q", tt.name, tt.paths, paths, expr, tt.wantPaths, tt.wantExpr)
		}
	}
}
