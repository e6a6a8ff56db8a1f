package rulematch

// A threshold file's entries (Suricata's threshold.config) applied to the
// compiled rules as util-threshold-config.c installs them: suppress lines
// add to a rule's suppress list (or, without ip, silence it), threshold
// and event_filter lines for one sid replace the rule's threshold: or
// detection_filter:, and lines for every sid (sig_id 0) and rate_filter
// lines give a threshold only to rules that have none yet, the rule's own
// or an earlier line's.

import (
	"fmt"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// suppression is a suppress line with an ip: the rule does not alert when
// the packet's source, destination or either is in ip.
type suppression struct {
	track rules.SuppressTrack
	ip    *rules.AddrSpec
}

// suppressed reports whether one of the rule's suppress lines holds f's
// alert back, as Suricata's ThresholdHandlePacketSuppress: it checks the
// packet's addresses, whatever the rule's direction.
func (r *rule) suppressed(f *packet.Facts) bool {
	for _, s := range r.suppress {
		switch s.track {
		case rules.SuppressBySrc:
			if s.ip.Match(f.Src) {
				return true
			}
		case rules.SuppressByDst:
			if s.ip.Match(f.Dst) {
				return true
			}
		case rules.SuppressByEither:
			if s.ip.Match(f.Src) || s.ip.Match(f.Dst) {
				return true
			}
		}
	}
	return false
}

// applyThresholdFile installs entries, in file order, on the compiled
// rules. An entry for a sid no rule has changes nothing, as in Suricata
// (which logs it).
func applyThresholdFile(eng *engine, entries []rules.GlobalEntry) error {
	for i := range entries {
		e := &entries[i]
		var thr *threshold
		if e.Kind == rules.GlobalThreshold || e.Kind == rules.GlobalRateFilter {
			ct, msg := compileThreshold(&e.Threshold)
			if msg != "" {
				return fmt.Errorf("%s: %s", e.Where, msg)
			}
			if e.Kind == rules.GlobalRateFilter {
				if e.Timeout < 0 || e.Timeout > 86400*365 {
					return fmt.Errorf("%s: timeout %d out of range [0, %d]", e.Where, e.Timeout, 86400*365)
				}
				ct.newAction, ct.timeout = e.NewAction, int64(e.Timeout)
				// its drop, reject or pass acts on packets and flows as a
				// rule's would: flows keep verdicts (action.go)
				eng.actions = eng.actions || e.NewAction != rules.ActionAlert
			}
			thr = ct
		}
		for ri := range eng.rules {
			r := &eng.rules[ri]
			if !globalApplies(e, r.rule) {
				continue
			}
			switch e.Kind {
			case rules.GlobalSuppress:
				if e.Track == 0 {
					r.suppressAll = true
				} else {
					r.suppress = append(r.suppress, suppression{track: e.Track, ip: &e.IP})
				}
			case rules.GlobalThreshold:
				// one sid's threshold overrides the rule's; sig_id 0
				// leaves rules that have one alone
				if e.SID != 0 || r.thr == nil {
					r.thr = thr
				}
			case rules.GlobalRateFilter:
				if r.thr == nil {
					r.thr = thr
				}
			}
		}
	}
	eng.maxWindow = 0
	for i := range eng.rules {
		if t := eng.rules[i].thr; t != nil {
			// a rate_filter's state must outlive its timeout too
			eng.maxWindow = max(eng.maxWindow, t.window, t.timeout*1e9)
		}
	}
	return nil
}

// globalApplies reports whether a threshold file entry names rule r:
// its gid and sid, or its gid and sig_id 0, or gen_id 0 and sig_id 0.
func globalApplies(e *rules.GlobalEntry, r *rules.Rule) bool {
	if e.SID == 0 {
		return e.GID == 0 || e.GID == r.GID
	}
	return e.SID == r.SID && e.GID == r.GID
}
