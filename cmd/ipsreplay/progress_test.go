package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"
)

// The first frame comes a moment after the bar is made: it shows no rate,
// where it used to divide the first read by a microsecond.
func TestProgressFirstFrameHasNoRate(t *testing.T) {
	var out bytes.Buffer
	bar := newProgress(true, &out, progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30))
	bar.show(64<<10, 192<<10, nil) // a third of a small capture
	if strings.Contains(out.String(), "/s") {
		t.Errorf("first frame %q shows a rate", out.String())
	}
}

func TestCaptureSpan(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{0, 0},
		{1234567 * time.Microsecond, 1235 * time.Millisecond},
		{59*time.Second + 999400*time.Microsecond, 59*time.Second + 999*time.Millisecond},
		{112*time.Second + 269*time.Millisecond, 112 * time.Second},
	}
	for _, tt := range tests {
		if got := captureSpan(tt.in); got != tt.want {
			t.Errorf("captureSpan(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
