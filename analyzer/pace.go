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
// whose time has passed goes at once. A record whose time jumps more than
// the bound (SetMaxJump) from the one before is not waited for: pacing
// starts again from it, so one far-future timestamp cannot stall a replay
// for years, nor a far-past one rush the rest.
type Pacer struct {
	speed     float64
	clock     Clock
	maxJump   time.Duration
	started   bool
	wallStart time.Time
	capStart  int64
	last      int64 // the previous packet's capture time
}

// NewPacer paces at speed (> 0) on clock (WallClock when nil), with
// DefaultMaxTimeJump as the bound.
func NewPacer(speed float64, clock Clock) *Pacer {
	if clock == nil {
		clock = WallClock{}
	}
	return &Pacer{speed: speed, clock: clock, maxJump: DefaultMaxTimeJump}
}

// SetMaxJump sets the bound beyond which a jump in capture time is not
// waited for (capture.max_time_jump); d <= 0 keeps the default.
func (p *Pacer) SetMaxJump(d time.Duration) {
	if d > 0 {
		p.maxJump = d
	}
}

// Wait blocks until the packet with capture time t is due.
func (p *Pacer) Wait(ctx context.Context, t int64) error {
	if !p.started || farApart(t, p.last, p.maxJump) {
		// the first packet, or a jump: start pacing again from here
		p.started, p.wallStart, p.capStart, p.last = true, p.clock.Now(), t, t
		return ctx.Err()
	}
	p.last = t
	if t <= p.capStart {
		return ctx.Err()
	}
	// steps each under the bound can still take t so far from capStart
	// that t-capStart overflows; no wait is longer than maxWait anyway
	off := float64(maxWait)
	if !farApart(t, p.capStart, maxWait) {
		off = min(off, float64(t-p.capStart)/p.speed)
	}
	due := p.wallStart.Add(time.Duration(off))
	if d := due.Sub(p.clock.Now()); d > 0 {
		return p.clock.Sleep(ctx, d)
	}
	return ctx.Err()
}

// maxWait keeps a pacing offset inside time.Duration: a century.
const maxWait = 100 * 365 * 24 * time.Hour
