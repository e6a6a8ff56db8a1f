package analyzer

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"
)

// fakeClock advances only when slept on, so pacing is tested without
// waiting and without timing assertions.
type fakeClock struct {
	now    time.Time
	slept  time.Duration
	sleeps int
	onWait func() // called on each Sleep, e.g. to cancel mid-replay
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.onWait != nil {
		c.onWait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	c.slept += d
	c.sleeps++
	return nil
}

func TestPacerFollowsCaptureTime(t *testing.T) {
	tests := []struct {
		speed float64
		times []time.Duration // capture offsets
		want  time.Duration   // total wall time slept
	}{
		{1, []time.Duration{0, time.Second, 3 * time.Second}, 3 * time.Second},
		{10, []time.Duration{0, time.Second, 3 * time.Second}, 300 * time.Millisecond},
		{0.5, []time.Duration{0, time.Second}, 2 * time.Second},
		// out-of-order and equal timestamps never wait
		{1, []time.Duration{0, 2 * time.Second, time.Second, 2 * time.Second}, 2 * time.Second},
	}
	for _, tc := range tests {
		clk := &fakeClock{now: time.Unix(1e9, 0)}
		p := NewPacer(tc.speed, clk)
		for _, off := range tc.times {
			if err := p.Wait(context.Background(), testEpoch.Add(off).UnixNano()); err != nil {
				t.Fatal(err)
			}
		}
		if clk.slept != tc.want {
			t.Errorf("speed %g over %v: slept %v, want %v", tc.speed, tc.times, clk.slept, tc.want)
		}
	}
}

// Replaying a capture paced at 60x gives exactly the events batch analysis
// reports, in the same order: pacing changes when events are seen, never
// what they are.
func TestReplayMatchesBatch(t *testing.T) {
	for _, name := range []string{"portscan.pcap", "arp-poison.pcap", "bruteforce-ssh.pcap", "scanner-internal.pcap", "synflood.pcap"} {
		t.Run(name, func(t *testing.T) {
			path := "../pcaps/" + name
			cfg, err := DefaultConfig()
			if err != nil {
				t.Fatal(err)
			}
			batch, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var streamed []Event
			cfg.OnEvent = func(ev Event) { streamed = append(streamed, ev) }
			clk := &fakeClock{now: time.Unix(1e9, 0)}
			replayed, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{Pacer: NewPacer(60, clk)})
			if err != nil {
				t.Fatal(err)
			}
			if len(batch.Events) == 0 {
				t.Fatal("the capture fired nothing; pick one that does")
			}
			if !reflect.DeepEqual(batch.Events, replayed.Events) || !reflect.DeepEqual(batch.Events, streamed) {
				t.Fatalf("replay events differ from batch:\nbatch    %+v\nreplay   %+v\nstreamed %+v", batch.Events, replayed.Events, streamed)
			}
			span := time.Duration(batch.Summary.LastTime.Sub(batch.Summary.FirstTime.Time))
			if want := span / 60; clk.slept < want-time.Millisecond || clk.slept > want+time.Millisecond {
				t.Errorf("slept %v for a %v capture at 60x, want about %v", clk.slept, span, want)
			}
		})
	}
}

// Cancelling mid-replay stops at once and still returns the result of what
// was replayed.
func TestReplayCancelled(t *testing.T) {
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := &fakeClock{now: time.Unix(1e9, 0)}
	clk.onWait = func() {
		if clk.sleeps == 100 {
			cancel()
		}
	}
	res, err := Analyze(ctx, []string{"../pcaps/portscan.pcap"}, cfg, RunOptions{Pacer: NewPacer(1, clk)})
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	if res == nil || res.Summary.Packets == 0 || res.Summary.Packets >= 2065 {
		t.Fatalf("result %+v, want the packets replayed before the cancel", res.Summary)
	}
}

// TestPacerSkipsTimeJumps: a record more than the bound from the one
// before is not waited for (a far-future record at --speed 1000000 once
// stalled a replay for 43 minutes), and pacing resumes from it.
func TestPacerSkipsTimeJumps(t *testing.T) {
	far := time.Date(2106, 2, 7, 6, 28, 15, 0, time.UTC).Sub(testEpoch)
	tests := []struct {
		name  string
		speed float64
		bound time.Duration // 0 for the default
		times []time.Duration
		want  time.Duration
	}{
		{"far-future record", 1e6, 0, []time.Duration{0, far, time.Second, 2 * time.Second}, time.Microsecond},
		{"far-past record", 1, 0, []time.Duration{0, -far, time.Second, 2 * time.Second}, time.Second},
		{"a real pause over the bound", 1, 0, []time.Duration{0, time.Second, 48 * time.Hour, 48*time.Hour + time.Second}, 2 * time.Second},
		{"a pause within the bound", 1000, 0, []time.Duration{0, 23 * time.Hour}, 23 * time.Hour / 1000},
		{"a lower bound", 1, time.Minute, []time.Duration{0, 2 * time.Minute, 2*time.Minute + time.Second}, time.Second},
		{"times at the ends of int64", 1, 0, []time.Duration{0, time.Duration(math.MaxInt64 - testEpoch.UnixNano()), time.Duration(math.MinInt64 + 1 - testEpoch.UnixNano()), time.Second}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{now: time.Unix(1e9, 0)}
			p := NewPacer(tc.speed, clk)
			p.SetMaxJump(tc.bound)
			for _, off := range tc.times {
				if err := p.Wait(context.Background(), testEpoch.UnixNano()+int64(off)); err != nil {
					t.Fatal(err)
				}
			}
			if clk.slept != tc.want {
				t.Errorf("slept %v, want %v", clk.slept, tc.want)
			}
		})
	}
}
