package analyzer

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func TestRunWhatIf(t *testing.T) {
	const capture = "../pcaps/portscan.pcap"
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	a, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ParseExclusions("b.txt", strings.NewReader("203.0.113.66\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := a
	b.Exclusions = ex
	// enough packets for the run to look at its context
	all, err := ExpandPaths([]string{"../pcaps"})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		files    []string
		cancel   bool
		inputErr int    // input errors returned, each once
		err      string // part of an error with no comparison
	}{
		{name: "file", files: []string{capture}},
		{name: "stdin read twice", files: []string{StdinPath}},
		{name: "a missing file is one error", files: []string{capture, "missing.pcap"}, inputErr: 1},
		{name: "interrupted", files: all, cancel: true, err: "interrupted; no what-if comparison"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			var started []string
			w, err := RunWhatIf(ctx, tt.files, a, b, WhatIfRuns{
				NameA: "none", NameB: "b.txt", Stdin: bytes.NewReader(data),
				Progress: func(label string) (Progress, func()) {
					started = append(started, label)
					return func(int64, int64) {}, func() {}
				},
			})
			if tt.err != "" {
				if w != nil || err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, context.Canceled) {
					t.Fatalf("got %v, %v; want no comparison and %q", w, err, tt.err)
				}
				return
			}
			var ie *InputError
			if errors.As(err, &ie) && len(ie.Errs) != tt.inputErr || !errors.As(err, &ie) && (err != nil || tt.inputErr != 0) {
				t.Fatalf("error %v, want %d input errors", err, tt.inputErr)
			}
			if strings.Join(started, "") != "AB" {
				t.Errorf("runs %q, want A then B", started)
			}
			if w.A.Name != "none" || w.B.Name != "b.txt" || w.A.Alerts == 0 || w.B.Alerts != 0 {
				t.Errorf("A %+v, B %+v; want the scan under A only", w.A, w.B)
			}
			if len(w.Warnings) != 1 || w.Warnings[0].Host != AddrHost(netip.MustParseAddr("203.0.113.66")) {
				t.Errorf("warnings %+v, want B hiding the outside scanner", w.Warnings)
			}
		})
	}
}
