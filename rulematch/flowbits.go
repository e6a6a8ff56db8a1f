package rulematch

// flowbits: named bits kept per flow, as Suricata's detect-flowbits.c. A
// rule's set, unset and toggle act when the rule matches (before its
// threshold is counted, and also when noalert keeps it from alerting);
// isset and isnotset are conditions checked with the rest of the rule.
// Rules that set bits run before rules that only read them (compileRules
// orders them, as Suricata's flowbits signature ordering does), so a bit
// set by one packet's match is seen by a check on the same packet.
//
// Names become small ids when the rules are compiled; a flow's bits are a
// bitmap over them, in a capped table keyed by the flow's two ends and
// protocol, expiring after flowbitsIdle of packet time without a match
// that touched them.

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// flowbitsIdle is how long a flow's bits outlive its last set or check:
// Suricata's default timeout of an established TCP flow.
const flowbitsIdle = int64(time.Hour)

// bitCond is one isset/isnotset condition over bit ids.
type bitCond struct {
	ids []uint16
	any bool // true: one of ids; false: all of them
	not bool // isnotset
}

// bitAction is one set/unset/toggle of bit ids.
type bitAction struct {
	op  rules.FlowbitCmd // set, unset or toggle
	ids []uint16
}

// flowKey is a flow, both directions alike: its ends in order.
type flowKey struct {
	a, b   netip.Addr
	ap, bp uint16
	proto  uint8
}

type flowBits struct {
	bits []uint64
}

// flowKeyOf orders f's ends so both directions of a flow give one key.
func flowKeyOf(f *packet.Facts) flowKey {
	k := flowKey{a: f.Src, b: f.Dst, ap: f.SrcPort, bp: f.DstPort, proto: f.Proto}
	if k.b.Less(k.a) || k.a == k.b && k.bp < k.ap {
		k.a, k.b, k.ap, k.bp = k.b, k.a, k.bp, k.ap
	}
	return k
}

// flowbitNames gives each distinct name an id.
type flowbitNames map[string]uint16

// compileFlowbits fills r's conditions and actions, naming ids from names.
func compileFlowbits(r *rules.Rule, cr *rule, names flowbitNames) error {
	cr.noalert = r.NoAlert
	for _, fb := range r.Flowbits {
		ids := make([]uint16, 0, len(fb.Names))
		for _, n := range fb.Names {
			id, ok := names[n]
			if !ok {
				if len(names) >= 1<<16 {
					return fmt.Errorf("more than 65,536 flowbit names")
				}
				id = uint16(len(names))
				names[n] = id
			}
			ids = append(ids, id)
		}
		switch fb.Cmd {
		case rules.FlowbitIsSet, rules.FlowbitIsNotSet:
			cr.bitConds = append(cr.bitConds, bitCond{ids: ids, any: fb.Any, not: fb.Cmd == rules.FlowbitIsNotSet})
		case rules.FlowbitSet, rules.FlowbitUnset, rules.FlowbitToggle:
			cr.bitActions = append(cr.bitActions, bitAction{op: fb.Cmd, ids: ids})
		default:
			return fmt.Errorf("flowbits command %q unknown", fb.Cmd)
		}
	}
	return nil
}

// flowbitsRank orders rules so that those setting bits run first and
// those only reading them last.
func flowbitsRank(r *rules.Rule) int {
	sets, reads := false, false
	for _, fb := range r.Flowbits {
		if fb.Cmd.Condition() {
			reads = true
		} else {
			sets = true
		}
	}
	switch {
	case sets && !reads:
		return 0
	case reads && !sets:
		return 2
	}
	return 1
}

// flowbitsHold reports whether f's flow satisfies every condition of r.
func (m *Matcher) flowbitsHold(r *rule, f *packet.Facts) bool {
	var bits []uint64
	if st, ok := m.flowbits.Peek(flowKeyOf(f)); ok {
		bits = st.bits
	}
	for i := range r.bitConds {
		c := &r.bitConds[i]
		hits := 0
		for _, id := range c.ids {
			if bitSet(bits, id) {
				hits++
			}
		}
		var ok bool
		switch {
		case !c.not && c.any:
			ok = hits > 0
		case !c.not:
			ok = hits == len(c.ids)
		case c.any:
			ok = hits < len(c.ids)
		default:
			ok = hits == 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// flowbitsAct applies r's set, unset and toggle to f's flow.
func (m *Matcher) flowbitsAct(r *rule, f *packet.Facts) {
	k := flowKeyOf(f)
	st, created := m.flowbits.Put(k, f.Time, m.onFlowbitsEnd)
	if created {
		st.bits = m.bitsBuffer()
	}
	for _, a := range r.bitActions {
		for _, id := range a.ids {
			w, b := id/64, uint64(1)<<(id%64)
			switch a.op {
			case rules.FlowbitSet:
				st.bits[w] |= b
			case rules.FlowbitUnset:
				st.bits[w] &^= b
			case rules.FlowbitToggle:
				st.bits[w] ^= b
			}
		}
	}
}

func bitSet(bits []uint64, id uint16) bool {
	w := int(id / 64)
	return w < len(bits) && bits[w]&(1<<(id%64)) != 0
}

// bitsBuffer returns a cleared bitmap for a flow, reusing a gone flow's.
func (m *Matcher) bitsBuffer() []uint64 {
	if n := len(m.bitsFree); n > 0 {
		b := m.bitsFree[n-1]
		m.bitsFree = m.bitsFree[:n-1]
		clear(b)
		return b
	}
	return make([]uint64, m.eng.flowbitWords)
}

// recycleFlowbits keeps an evicted or expired flow's bitmap for reuse.
func (m *Matcher) recycleFlowbits(_ flowKey, st *flowBits) {
	if st.bits != nil && len(m.bitsFree) < 1024 {
		m.bitsFree = append(m.bitsFree, st.bits)
	}
	st.bits = nil
}

// fire alerts for a rule that matched f (its flowbits actions are done
// already, at the match), unless noalert, a threshold file's suppress or
// its threshold holds it back. It reports whether the match passed the
// packet, which ends its alerts: a pass rule, or a rate_filter whose new
// action is pass (Suricata's PacketAlertFinalize stops at a pass action).
// A rate_filter's new action replaces the rule's for what it does to the
// packet and flow.
func (m *Matcher) fire(r *rule, f *packet.Facts, emit packet.Emit, flow bool) (pass bool) {
	if r.suppressAll || len(r.suppress) > 0 && r.suppressed(f) {
		// silenced before its threshold counts it; Suricata still
		// applies the rule's action
		return m.act(r, r.action, f, flow)
	}
	action := r.action
	var rate rules.Action
	if r.thr != nil {
		var ok bool
		if ok, rate = m.thresholdAllows(r, f); !ok {
			return false // no alert, and no action (Suricata's PacketAlertHandle)
		}
		if rate != 0 {
			action = packetAction(rate)
			// a rate_filter's drop or reject drops the flow, as
			// Suricata's does (threshold-config-rate-filter-drop-*)
			flow = flow || action.Blocks()
		}
	}
	pass = m.act(r, action, f, flow)
	if rate == rules.ActionPass || r.noalert || r.pass && !r.rule.Alert {
		return pass
	}
	// past packet-alert-max the alert is discarded, its action done
	n := &m.sc.alerts
	if r.tx && !m.inline {
		n = &m.sc.txAlerts
	}
	if *n >= m.eng.alertMax {
		return pass
	}
	*n++
	ev := m.event(r, f)
	if rate != 0 {
		ev.RateAction = rate.String()
	}
	emit(ev)
	return pass
}
