package rulematch

// Rule actions (Suricata's action-order, detect-engine-sigorder.c, and
// PacketAlertFinalize in detect-engine-alert.c): rules run in the order
// of their action, then flowbits setters before readers, then priority.
// Every alert of a packet is applied in that order; a pass rule ends the
// list, so the alerts after it are not raised; a drop or reject marks the
// packet (Facts.Verdict) and, when the match is the flow's rather than
// the packet's, the flow: an IP-only rule (or one but for negated
// addresses), a rule on an application
// protocol or buffer, or a match made on the reassembled stream. A flow
// marked drop or pass is not inspected again (Suricata's FLOW_ACTION_DROP
// and FLOW_NOPACKET_INSPECTION, in IDS mode too); the first mark wins.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// ActionOrder is Config.ActionOrder: the action classes in order.
type ActionOrder []string

// UnmarshalJSON takes a list of names or one string of names separated by
// spaces.
func (o *ActionOrder) UnmarshalJSON(data []byte) error {
	var s string
	if json.Unmarshal(data, &s) == nil {
		*o = strings.Fields(s)
		return nil
	}
	var l []string
	if err := json.Unmarshal(data, &l); err != nil {
		return err
	}
	*o = l
	return nil
}

// actionClasses are the names action-order takes.
var actionClasses = [...]string{"pass", "drop", "reject", "alert"}

// actionRanks checks an action order and returns each class's rank, by
// actionClasses' order.
func actionRanks(order []string) ([4]int, error) {
	var ranks [4]int
	if len(order) != len(actionClasses) {
		return ranks, fmt.Errorf("%q: want each of pass, drop, reject and alert once", order)
	}
	seen := [4]bool{}
	for rank, name := range order {
		i := actionClass(strings.ToLower(strings.TrimSpace(name)))
		if i < 0 || seen[i] {
			return ranks, fmt.Errorf("%q: want each of pass, drop, reject and alert once", order)
		}
		seen[i], ranks[i] = true, rank
	}
	return ranks, nil
}

func actionClass(name string) int {
	for i, c := range actionClasses {
		if c == name {
			return i
		}
	}
	return -1
}

// actionRank is a rule action's place in the order.
func actionRank(ranks *[4]int, a rules.Action) int {
	switch a {
	case rules.ActionPass:
		return ranks[0]
	case rules.ActionDrop:
		return ranks[1]
	case rules.ActionReject, rules.ActionRejectSrc, rules.ActionRejectDst, rules.ActionRejectBoth:
		return ranks[2]
	}
	return ranks[3]
}

// packetAction is a rule action as events and verdicts carry it.
func packetAction(a rules.Action) packet.Action {
	switch a {
	case rules.ActionDrop:
		return packet.ActionDrop
	case rules.ActionReject, rules.ActionRejectSrc:
		return packet.ActionReject
	case rules.ActionRejectDst:
		return packet.ActionRejectDst
	case rules.ActionRejectBoth:
		return packet.ActionRejectBoth
	case rules.ActionPass:
		return packet.ActionPass
	}
	return packet.ActionAlert
}

// rulePriority is a rule's priority: priority:, else its classtype's,
// else 3, as Suricata's.
func rulePriority(r *rules.Rule) int {
	if r.Priority > 0 {
		return r.Priority
	}
	if p, ok := rules.ClasstypePriority(r.Classtype); ok {
		return p
	}
	return 3
}

// flowLevel reports whether a drop or pass of r acts on the flow rather
// than the packet (Suricata's PACKET_ALERT_FLAG_APPLY_ACTION_TO_FLOW): an
// IP-only rule (or one but for negated addresses), a rule naming an application protocol, or one matching an
// application buffer (http, dns.query, tls.sni). A payload rule acts on the
// packet, unless it matched on the stream (stream.go).
func flowLevel(r *rules.Rule, cr *rule) bool {
	if cr.ipOnly || likeIPOnly(r) || cr.appHTTP || cr.http || !transportProto(r.Proto) {
		return true
	}
	for _, b := range cr.bufs {
		if b.id != rules.BufferPayload {
			return true
		}
	}
	return false
}

// act does action (r's, or the one a rate_filter gave it) for a match on
// f: the packet's verdict and, for a
// flow-level match, the flow's, the first drop or pass of a flow winning.
// It reports whether r passes the packet, ending its alerts.
func (m *Matcher) act(r *rule, action packet.Action, f *packet.Facts, flow bool) (pass bool) {
	if action == packet.ActionAlert {
		return false
	}
	switch {
	case action.Blocks() && !f.Verdict.Blocks():
		f.Verdict = action
	case action == packet.ActionPass && f.Verdict == packet.ActionAlert:
		f.Verdict = packet.ActionPass
	}
	if (flow || r.flowLevel) && m.flows != nil && f.L3 != packet.L3None {
		if fl, _ := m.ruleFlowOf(f); fl.verdict == packet.ActionAlert {
			fl.verdict = action
			if action.Blocks() {
				m.droppedFlows++
			}
		}
	}
	return action == packet.ActionPass
}

// flowVerdict is the drop or pass an earlier packet set on f's flow, or
// ActionAlert: inspect the packet.
func (m *Matcher) flowVerdict(f *packet.Facts) packet.Action {
	if !m.eng.actions {
		return packet.ActionAlert
	}
	if f.HasQuoted {
		// an ICMP error about a flow's packet is that flow's, as
		// Suricata looks it up by the quoted header: a dropped flow's
		// port unreachable is dropped too
		q := &f.Quoted
		k, _ := tupleFlowKey(q.Src, q.Dst, q.SrcPort, q.DstPort, q.Proto)
		if fl, ok := m.flows.Peek(k); ok && fl.verdict != packet.ActionAlert && f.Time-fl.last <= flowIdle(q.Proto, fl) {
			return fl.verdict
		}
	}
	fl, _ := m.ruleFlowOf(f)
	return fl.verdict
}

// DroppedFlows is how many flows a drop or reject rule has dropped.
func (m *Matcher) DroppedFlows() uint64 { return m.droppedFlows }
