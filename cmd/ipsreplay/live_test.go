//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCaptureNamespaces runs `ipsreplay capture` on one end of a veth pair
// between two fresh network namespaces, transmits portscan.pcap onto the
// other end, stops the capture with Ctrl-C, and checks the report has the
// scan. Nothing reaches the host's own interfaces: both ends live in the
// test's namespaces, which are deleted however the test ends.
func TestCaptureNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces and captures in them")
	}
	if out, err := exec.Command("ip", "netns", "list").CombinedOutput(); err != nil {
		t.Skipf("ip netns is not available: %v %s", err, bytes.TrimSpace(out))
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build ipsreplay with")
	}
	pid := os.Getpid()
	nsA, nsB := fmt.Sprintf("ipsr-a-%d", pid), fmt.Sprintf("ipsr-b-%d", pid)
	vethA, vethB := fmt.Sprintf("ipsra%d", pid), fmt.Sprintf("ipsrb%d", pid) // at most 15 bytes
	ip := func(args ...string) error {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
		return nil
	}
	if err := ip("netns", "add", nsA); err != nil {
		t.Skipf("cannot create a network namespace: %v", err)
	}
	t.Cleanup(func() { ip("netns", "delete", nsA) })
	if err := ip("netns", "add", nsB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ip("netns", "delete", nsB) }) // takes the veth pair with it
	for _, args := range [][]string{
		{"link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB},
		{"-n", nsA, "link", "set", vethA, "up"},
		{"-n", nsB, "link", "set", vethB, "up"},
	} {
		if err := ip(args...); err != nil {
			t.Fatal(err)
		}
	}

	bin := filepath.Join(t.TempDir(), "ipsreplay")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The capture, in namespace A. It says when it is capturing.
	saved := filepath.Join(t.TempDir(), "saved.pcap")
	capt := exec.Command("ip", "netns", "exec", nsA, bin, "capture", "-i", vethA,
		"--duration", "8s", "--format", "json", "--no-progress", "--write", saved)
	var stdout bytes.Buffer
	capt.Stdout = &stdout
	errPipe, err := capt.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := capt.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	t.Cleanup(func() {
		select {
		case <-waited:
		default:
			capt.Process.Kill()
		}
	})
	ready := make(chan struct{})
	var stderr syncBuffer
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "capturing on") {
				close(ready)
			}
		}
		waited <- capt.Wait()
	}()
	select {
	case <-ready:
	case err := <-waited:
		waited <- err
		t.Fatalf("capture exited before capturing: %v\n%s", err, stderr.String())
	case <-time.After(5 * time.Second):
		t.Fatalf("capture did not start within 5s:\n%s", stderr.String())
	}

	// The attack, from namespace B.
	pcap := capture("portscan.pcap")
	replay := exec.Command("ip", "netns", "exec", nsB, bin, "replay", "--speed", "max",
		"--out-iface", vethB, "--format", "json", "--no-progress", pcap)
	var replayErr bytes.Buffer
	replay.Stderr = &replayErr
	if err := replay.Run(); err != nil {
		t.Fatalf("replay --out-iface: %v\n%s", err, replayErr.String())
	}
	if !strings.Contains(replayErr.String(), "sent 2065 packets") || strings.Contains(replayErr.String(), "send errors") {
		t.Errorf("replay --out-iface reported %q, want all 2065 packets sent without errors", replayErr.String())
	}

	// Let the last packets arrive, then Ctrl-C: the normal end of a live
	// capture, so it reports and exits 0.
	time.Sleep(300 * time.Millisecond)
	if err := capt.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		waited <- err
		if err != nil {
			t.Fatalf("capture: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("capture did not stop within 10s of Ctrl-C:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "(interrupted)") {
		t.Errorf("capture did not end by Ctrl-C:\n%s", stderr.String())
	}

	rep := decodeReport(t, stdout.String())
	if len(rep.Files) != 1 || rep.Files[0].Path != "live:"+vethA || rep.Files[0].Format != "live" {
		t.Errorf("files %+v, want one live:%s", rep.Files, vethA)
	}
	// The whole capture fits in the kernel buffer many times over: a loss
	// here means the ring is sized per snaplen again (see live.activate).
	if rep.Summary.Packets < 2065 {
		t.Errorf("captured %d packets, want all 2065 of portscan.pcap (and a few IPv6 link-local ones)\n%s",
			rep.Summary.Packets, stderr.String())
	}
	found := false
	for _, s := range rep.Signatures {
		if s.SID == 9000002 && slices.Contains(s.Attackers, "203.0.113.66") && slices.Contains(s.Victims, "192.168.1.20") {
			found = true
		}
	}
	if !found {
		t.Errorf("no port scan (9000002) by 203.0.113.66 against 192.168.1.20 in %+v\nstderr:\n%s", rep.Signatures, stderr.String())
	}
	if !slices.Contains(rep.blockedHosts(), "203.0.113.66") {
		t.Errorf("blocked %v, want 203.0.113.66", rep.blockedHosts())
	}

	// --write saved what was analysed: analysing the file finds the same.
	a := runArgs(t, "analyze", "--format", "json", saved)
	a.wantCode(t, exitOK)
	again := decodeReport(t, a.stdout)
	if again.Summary.Packets != rep.Summary.Packets || !slices.Equal(again.sids(), rep.sids()) {
		t.Errorf("analyze --write file: %d packets, signatures %v; the capture had %d, %v",
			again.Summary.Packets, again.sids(), rep.Summary.Packets, rep.sids())
	}
}

func TestCaptureUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no interface flag", []string{"capture"}, []string{"capture needs -i IFACE (available: ", "lo"}},
		{"missing interface", []string{"capture", "-i", "ipsr-nosuch0"}, []string{`capture: no interface "ipsr-nosuch0" (available: `, "lo"}},
		{"filter as arguments", []string{"capture", "-i", "lo", "tcp", "port", "80"}, []string{`capture takes no arguments, got "tcp port 80" (a filter goes in --bpf)`}},
		{"bad format", []string{"capture", "-i", "lo", "--format", "yaml"}, []string{`--format "yaml": want lines, jsonl, eve, table, json or html`}},
		{"negative duration", []string{"capture", "-i", "lo", "--duration", "-1s"}, []string{"--duration -1s: must be 0 (until Ctrl-C) or positive"}},
		{"negative autoblock", []string{"capture", "-i", "lo", "--autoblock", "-1m"}, []string{"--autoblock"}},
		{"bad set", []string{"capture", "-i", "lo", "--set", "syn_flood.bogus=1"}, []string{`unknown key "bogus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, tt.want...)
		})
	}
	t.Run("bad filter", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to open lo, where the filter is compiled")
		}
		r := runArgs(t, "capture", "-i", "lo", "--bpf", "tcp port")
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, `--bpf "tcp port": `, "syntax error")
	})
}

// An idle capture on lo ends by --duration or Ctrl-C with exit 0 and the
// report of what it saw (nothing), in the format asked for.
func TestCaptureEnds(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to capture on lo")
	}
	idle := "udp and dst port 9 and src port 9" // nothing on lo sends from and to discard
	t.Run("duration, json", func(t *testing.T) {
		start := time.Now()
		r := runArgs(t, "capture", "-i", "lo", "--bpf", idle, "--duration", "300ms", "--format", "json", "--no-progress")
		r.wantCode(t, exitOK)
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("a 300ms capture took %s", took)
		}
		rep := decodeReport(t, r.stdout)
		if !slices.Equal(rep.filePaths(), []string{"live:lo"}) || rep.Files[0].Format != "live" || rep.Summary.Packets != 0 {
			t.Errorf("report files %+v, %d packets", rep.Files, rep.Summary.Packets)
		}
		if !strings.Contains(r.stderr, "ipsreplay: capturing on lo, link type ETHERNET(1)") ||
			!strings.Contains(r.stderr, "0 packets captured") || !strings.Contains(r.stderr, "(--duration elapsed)") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("Ctrl-C, jsonl with the report in a file", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		out := filepath.Join(t.TempDir(), "report.json")
		r := run(t, ctx, nil, "capture", "-i", "lo", "--bpf", idle, "--format", "jsonl", "-o", out)
		r.wantCode(t, exitOK)
		r.wantNoStdout(t) // no events, and the report went to the file
		if !strings.Contains(r.stderr, "(interrupted)") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if got := decodeReport(t, string(readFile(t, out))).filePaths(); !slices.Equal(got, []string{"live:lo"}) {
			t.Errorf("report file covers %v", got)
		}
	})
}

// syncBuffer is a bytes.Buffer written by one goroutine and read by another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) WriteString(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(v)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
