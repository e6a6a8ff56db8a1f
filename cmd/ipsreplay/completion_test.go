package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestCompletions(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  []string
	}{
		{"a command", []string{"an"}, []string{"analyze"}},
		{"a subcommand", []string{"signatures", "v"}, []string{"verify"}},
		{"a flag", []string{"analyze", "--per"}, []string{"--per-file"}},
		{"a flag after a path", []string{"analyze", "x.pcap", "--wi"}, []string{"--wide"}},
		{"a flag's value is a file", []string{"analyze", "-o", ""}, nil},
		{"a path after the command", []string{"analyze", "x.pcap", ""}, nil},
		{"an unknown command", []string{"frob", "--f"}, nil},
		{"the hidden command is not offered", []string{"__"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, append([]string{completeCommandName}, tt.words...)...)
			r.wantCode(t, exitOK)
			got := strings.Fields(r.stdout)
			if !slices.Equal(got, tt.want) {
				t.Errorf("completions of %q = %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}

// Each script is what its shell accepts, and bash's completes a command
// through the binary.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range completionShells {
		r := runArgs(t, "completion", shell)
		r.wantCode(t, exitOK)
		if !strings.Contains(r.stdout, "__complete") {
			t.Errorf("%s script does not ask the binary: %q", shell, r.stdout)
		}
		sh, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s not installed: its script is not syntax-checked", shell)
			continue
		}
		check := exec.Command(sh, "-n")
		if shell == "fish" {
			check = exec.Command(sh, "--no-execute")
		}
		check.Stdin = strings.NewReader(r.stdout)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}
	r := runArgs(t, "completion", "tcsh")
	r.wantCode(t, exitInput)
	r.wantOneErrorLine(t, "completion needs one shell: bash, zsh, fish")
}
