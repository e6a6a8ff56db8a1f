package analyzer

import (
	"context"
	"time"
)

// Clock is the wall clock a Pacer waits on; tests give it a fake one so
// pacing is checked without waiting.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever is first.
	Sleep(ctx context.Context, d time.Duration) error
}

// WallClock is the real clock.
type WallClock struct{}

// Now is time.Now.
func (WallClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (WallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pacer releases packets at their capture timestamps divided by a speed
// factor: at speed 1 a capture replays in the time it took, at 10 ten times
// faster. Packets are never reordered or dropped, only delayed; a packet
// whose time has passed goes at once.
type Pacer struct {
	speed     float64
	clock     Clock
	started   bool
	wallStart time.Time
	capStart  int64
}

// NewPacer paces at speed (> 0) on clock (WallClock when nil).
func NewPacer(speed float64, clock Clock) *Pacer {
	if clock == nil {
		clock = WallClock{}
	}
	return &Pacer{speed: speed, clock: clock}
}

// Wait blocks until the packet with capture time t is due.
func (p *Pacer) Wait(ctx context.Context, t int64) error {
	if !p.started {
		p.started, p.wallStart, p.capStart = true, p.clock.Now(), t
		return ctx.Err()
	}
	due := p.wallStart.Add(time.Duration(float64(t-p.capStart) / p.speed))
	if d := due.Sub(p.clock.Now()); d > 0 {
		return p.clock.Sleep(ctx, d)
	}
	return ctx.Err()
}
