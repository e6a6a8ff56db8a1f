package rulematch

// threshold: and detection_filter:, after detect-engine-threshold.c: a
// capped table keyed by rule and tracked address, pair, flow or rule,
// expiring on packet time.

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// threshold is a compiled threshold: or detection_filter:, or a
// threshold file's threshold or rate_filter (globalthreshold.go).
type threshold struct {
	kind   rules.ThresholdType
	track  rules.Track
	unique rules.UniqueOn
	count  uint32
	window int64 // ns
	// rate_filter: the action matches get once the rate is exceeded
	// (0: unchanged) and for how long, in whole seconds as Suricata
	// counts them
	newAction rules.Action
	timeout   int64
}

func compileThreshold(t *rules.Threshold) (*threshold, string) {
	ct := &threshold{kind: t.Type, track: t.Track, unique: t.UniqueOn}
	switch {
	case t.Type < rules.ThresholdLimit || t.Type > rules.RateFilter:
		return nil, fmt.Sprintf("threshold type %q unknown", t.Type)
	case t.Track < rules.TrackBySrc || t.Track > rules.TrackByFlow:
		return nil, fmt.Sprintf("threshold track %q unknown", t.Track)
	case t.UniqueOn > rules.UniqueDstPort:
		return nil, fmt.Sprintf("threshold unique_on %q unknown", t.UniqueOn)
	}
	if t.Count < 1 || t.Count > 1<<30 {
		return nil, fmt.Sprintf("threshold count %d out of range [1, %d]", t.Count, 1<<30)
	}
	if t.Seconds < 0 || t.Seconds > 86400*365 {
		return nil, fmt.Sprintf("threshold seconds %d out of range [0, %d]", t.Seconds, 86400*365)
	}
	// each key keeps up to count+1 distinct ports, and there are no more
	// than 65,536 to see
	if ct.unique != rules.UniqueNone && t.Count > 65535 {
		return nil, fmt.Sprintf("detection_filter count %d with unique_on can never be exceeded (65,536 ports)", t.Count)
	}
	ct.count = uint32(t.Count)
	ct.window = int64(t.Seconds) * int64(time.Second)
	return ct, ""
}

// thresholdKey is one threshold counter: a rule (by gid and sid, as Suricata
// keys them) and the tracked address or pair; by_rule leaves both zero.
type thresholdKey struct {
	gid, sid uint32
	a, b     netip.Addr
	sp, dp   uint16 // by_flow: the flow's ports, in a's and b's order
	proto    uint8  // by_flow
}

type thresholdState struct {
	start int64 // packet time the current window opened
	count uint32
	// ports are the distinct ports a unique_on detection_filter has seen
	// in the window, kept only up to count+1: beyond that it alerts
	// anyway, as Zeek's capped sets stop just past the threshold.
	ports []uint16
	// rate_filter: the new action is in force since rateSince (whole
	// seconds of packet time)
	rateOn    bool
	rateSince int64
}

// thresholdAllows counts a match against the rule's threshold or
// detection_filter and reports whether it may alert, as Suricata's
// ThresholdHandlePacket: a window opens at the first match of a key and
// holds while packet time is at most its start plus seconds. action is a
// rate_filter's new action when it applies to this match, else 0.
func (m *Matcher) thresholdAllows(r *rule, f *packet.Facts) (ok bool, action rules.Action) {
	t := r.thr
	k := thresholdKey{gid: r.rule.GID, sid: r.rule.SID}
	switch t.track {
	case rules.TrackBySrc:
		k.a = f.Src
	case rules.TrackByDst:
		k.a = f.Dst
	case rules.TrackByBoth:
		// one pair both ways round, the lower address first, as
		// Suricata's ThresholdGetFromHash orders them
		k.a, k.b = f.Src, f.Dst
		if k.b.Less(k.a) {
			k.a, k.b = k.b, k.a
		}
	case rules.TrackByFlow:
		// both directions are one flow: order the ends
		k.a, k.b, k.sp, k.dp, k.proto = f.Src, f.Dst, f.SrcPort, f.DstPort, f.Proto
		if k.b.Less(k.a) || k.a == k.b && k.dp < k.sp {
			k.a, k.b, k.sp, k.dp = k.b, k.a, k.dp, k.sp
		}
	}
	now := f.Time
	e, created := m.thresh.Put(k, now, nil)
	if t.kind == rules.RateFilter {
		return true, rateFilter(t, e, created, now)
	}
	if t.unique != rules.UniqueNone {
		port := f.DstPort
		if t.unique == rules.UniqueSrcPort {
			port = f.SrcPort
		}
		if created || now > e.start+t.window {
			e.start, e.ports = now, e.ports[:0]
		}
		if len(e.ports) <= int(t.count) && !slices.Contains(e.ports, port) {
			e.ports = append(e.ports, port)
		}
		return len(e.ports) > int(t.count), 0
	}
	if created || now > e.start+t.window {
		e.start, e.count = now, 1
		switch t.kind {
		case rules.ThresholdLimit:
			return true, 0
		case rules.ThresholdThreshold:
			if t.count == 1 {
				e.count = 0
				return true, 0
			}
			return false, 0
		case rules.ThresholdBoth:
			return t.count == 1, 0
		}
		return false, 0 // detection_filter: never on the first match
	}
	e.count++
	switch t.kind {
	case rules.ThresholdLimit:
		return e.count <= t.count, 0
	case rules.ThresholdThreshold:
		if e.count >= t.count {
			e.count = 0
			return true, 0
		}
		return false, 0
	case rules.ThresholdBoth:
		return e.count == t.count, 0
	}
	return e.count > t.count, 0
}

// rateFilter counts a match against a rate_filter, which always alerts,
// and returns the action the match gets: the new action once more than
// count matches came within seconds, for timeout seconds from the match
// that exceeded it (Suricata's ThresholdCheckUpdate, TYPE_RATE). The
// match that finds the timeout over gets the rule's own action, and
// counting resumes from the window as it stands.
func rateFilter(t *threshold, e *thresholdState, created bool, now int64) rules.Action {
	if created {
		e.start, e.count, e.rateOn = now, 1, false
		return 0
	}
	secs := now / int64(time.Second)
	if e.rateOn {
		if secs-e.rateSince > t.timeout {
			e.rateOn = false
			return 0
		}
		return t.newAction
	}
	if now > e.start+t.window {
		e.start, e.count = now, 1
		return 0
	}
	e.count++
	if e.count > t.count {
		e.rateOn, e.rateSince = true, secs
		return t.newAction
	}
	return 0
}
