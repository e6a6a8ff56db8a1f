package analyzer

import (
	"fmt"
	"math"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// DefaultMaxTimeJump bounds how far a record's capture time may jump from
// its neighbours' before it is taken for a bad timestamp. A day: far more
// than any pause within a capture session, far less than the decades a
// corrupt or crafted record jumps (a 32-bit seconds field of all ones is
// 2106).
const DefaultMaxTimeJump = 24 * time.Hour

// maxTimeWarnings caps the warnings naming out-of-time records; the rest
// are counted in one more.
const maxTimeWarnings = 10

// CaptureConfig is how capture times are trusted.
type CaptureConfig struct {
	// MaxTimeJump is the most a record's time may differ from both the
	// record before and the record after it. A record further from both
	// (one far-future or far-past timestamp) is reported by file and
	// packet and analysed at the time of the record before it, so it
	// moves neither the clock, block expiry nor replay pacing. A jump the
	// next record confirms (a capture resumed days later, or the next
	// file of a merge) is real and moves the clock. Lower: more real
	// pauses are taken for bad records; higher: a bad record can push
	// the clock further. Default 24h.
	MaxTimeJump packet.Duration `json:"max_time_jump"`
}

// DefaultCaptureConfig returns the defaults.
func DefaultCaptureConfig() CaptureConfig {
	return CaptureConfig{MaxTimeJump: packet.Duration(DefaultMaxTimeJump)}
}

// Validate checks the bound.
func (c CaptureConfig) Validate() error {
	if c.MaxTimeJump <= 0 {
		return fmt.Errorf("max_time_jump %s: must be positive", time.Duration(c.MaxTimeJump))
	}
	return nil
}

// farApart reports whether a and b are more than bound apart, without
// the overflow a-b has for times at the ends of int64.
func farApart(a, b int64, bound time.Duration) bool {
	var d uint64
	if a >= b {
		d = uint64(a) - uint64(b)
	} else {
		d = uint64(b) - uint64(a)
	}
	return d > uint64(bound)
}

// heldRecord is a record whose time jumped from the one before it, kept
// (one at most, its bytes copied) until the next record or clock advance
// says whether the timeline moved or the record is out of time.
type heldRecord struct {
	link    LinkType
	data    []byte // reused: grows to the largest held packet
	t       int64
	wireLen int
	ref     packet.PacketRef
}

// timeline decides, with one record of look-ahead, which records are out
// of time. prev is the accepted time of the record before the held ones.
// Two records are held only at the start of a run, when the first two are
// far apart and a third must say which of them is wrong.
type timeline struct {
	bound    time.Duration
	hasPrev  bool
	prev     int64
	hold     [2]heldRecord
	held     int
	warnings []string
	outliers uint64 // all records out of time, warned or not
	clamped  uint64 // records outside the clock's range, saturated
}

// outOfRange reports a time saturated by UnixNano: outside years
// 1678-2262, which nanoseconds in an int64 cannot hold.
func outOfRange(t int64) bool { return t == math.MaxInt64 || t == math.MinInt64 }

// Packet runs one packet through the pipeline. data is only read during the
// call. A record whose time jumps more than Config.Capture.MaxTimeJump
// from the record before is held (copied) until the next one: if that
// one is near it, the timeline moved and both run at their times; if not,
// the held record is out of time, is reported by file and packet, and
// runs at the time of the record before it.
func (e *Engine) Packet(link LinkType, data []byte, t int64, wireLen int, ref packet.PacketRef) {
	tl := &e.timeline
	if outOfRange(t) {
		tl.clamped++
	}
	e.settle(t, true)
	if tl.held == 1 {
		// the run's first record and a second far from it: a third
		// decides
		tl.hold[1].set(link, data, t, wireLen, ref)
		tl.held = 2
		return
	}
	if !tl.hasPrev || farApart(t, tl.prev, tl.bound) {
		tl.hold[0].set(link, data, t, wireLen, ref)
		tl.held = 1
		return
	}
	tl.prev = t
	e.run(link, data, t, wireLen, ref)
}

func (h *heldRecord) set(link LinkType, data []byte, t int64, wireLen int, ref packet.PacketRef) {
	h.link, h.t, h.wireLen, h.ref = link, t, wireLen, ref
	h.data = append(h.data[:0], data...)
}

// settle decides the held records now that next (a record's time, or a
// live capture's clock; ok false at the end of the input: none) follows
// them, and runs them. Only the run's first record stays held, when next
// is far from it: one neighbour cannot say which of the two is wrong.
func (e *Engine) settle(next int64, ok bool) {
	tl := &e.timeline
	near := func(h *heldRecord) bool { return ok && !farApart(next, h.t, tl.bound) }
	switch tl.held {
	case 1:
		h := &tl.hold[0]
		switch {
		case !ok && !tl.hasPrev, near(h):
			// the timeline moved (or a lone record): its time stands
			e.run(h.link, h.data, h.t, h.wireLen, h.ref)
			tl.hasPrev, tl.prev = true, h.t
		case !tl.hasPrev:
			return // the first record: wait for a third
		default:
			e.outOfTime(h, tl.prev)
			e.run(h.link, h.data, tl.prev, h.wireLen, h.ref)
		}
	case 2:
		a, b := &tl.hold[0], &tl.hold[1]
		if near(b) && !near(a) {
			// the first record was the odd one: it runs at the second's time
			e.outOfTime(a, b.t)
			e.run(a.link, a.data, b.t, a.wireLen, a.ref)
			e.run(b.link, b.data, b.t, b.wireLen, b.ref)
			tl.hasPrev, tl.prev = true, b.t
		} else {
			// the second was, or nothing says: trust the first
			e.run(a.link, a.data, a.t, a.wireLen, a.ref)
			tl.hasPrev, tl.prev = true, a.t
			e.outOfTime(b, a.t)
			e.run(b.link, b.data, a.t, b.wireLen, b.ref)
		}
	}
	tl.held = 0
}

// outOfTime reports a held record analysed at at instead of its own time.
func (e *Engine) outOfTime(h *heldRecord, at int64) {
	tl := &e.timeline
	tl.outliers++
	if len(tl.warnings) >= maxTimeWarnings {
		return
	}
	where := "packet " + fmt.Sprint(h.ref.Num)
	if int(h.ref.File) < len(e.files) {
		where = displayPath(e.files[h.ref.File]) + ": " + where
	}
	tl.warnings = append(tl.warnings, fmt.Sprintf(
		"%s: capture time %s is more than %s from the packets around it; analysed at %s (capture.max_time_jump)",
		where, timeString(h.t), tl.bound, timeString(at)))
}

// timeWarnings are the result's warnings about capture times.
func (tl *timeline) timeWarnings() []string {
	out := append([]string(nil), tl.warnings...)
	if n := tl.outliers - uint64(len(tl.warnings)); n > 0 {
		out = append(out, fmt.Sprintf("%d more packets out of time were analysed at the time of the packet before them", n))
	}
	if tl.clamped > 0 {
		out = append(out, fmt.Sprintf(
			"%d packets have capture times outside years 1678-2262, which the analysis clock (nanoseconds in 64 bits) cannot hold; they were analysed at its nearest end",
			tl.clamped))
	}
	return out
}

// timeString renders a clock time for a warning; a saturated one says
// only which end of the clock it passed (the file summary has its time).
func timeString(ns int64) string {
	switch ns {
	case math.MaxInt64:
		return "past year 2262"
	case math.MinInt64:
		return "before year 1678"
	}
	return string(AppendTime(nil, time.Unix(0, ns), "2006-01-02T15:04:05.000000000Z07:00"))
}
