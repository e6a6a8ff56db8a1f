package analyzer

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/ipsreplay/ipsreplay/packet"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// defaultPriority is the priority of a rule with neither priority: nor a
// classtype, as Suricata gives it.
const defaultPriority = 3

// ruleInfos describes each SID's rule, the first of a SID that two rules
// (of different generators) share. The values are shared by every alert
// of the rule: read-only.
func ruleInfos(rs []*rules.Rule) map[uint32]*RuleInfo {
	out := make(map[uint32]*RuleInfo, len(rs))
	for _, r := range rs {
		if out[r.SID] != nil {
			continue
		}
		info := &RuleInfo{GID: r.GID, Rev: r.Rev, Classtype: r.Classtype, Priority: r.Priority}
		if info.GID == 0 {
			info.GID = 1
		}
		if r.Classtype != "" {
			info.ClassDescription, _ = rules.ClasstypeDescription(r.Classtype)
		}
		if info.Priority == 0 {
			if p, ok := rules.ClasstypePriority(r.Classtype); ok && r.Classtype != "" {
				info.Priority = p
			} else {
				info.Priority = defaultPriority
			}
		}
		for _, kv := range r.Metadata {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), " ")
			if k == "" {
				continue
			}
			if info.Metadata == nil {
				info.Metadata = map[string][]string{}
			}
			info.Metadata[k] = append(info.Metadata[k], strings.TrimSpace(v))
		}
		out[r.SID] = info
	}
	return out
}

// flowID names the flow of a rule's alert: a hash of its addresses and
// ports (either way round), protocol and start, kept to 53 bits so JSON
// readers that hold numbers as doubles read it exactly. 0 when the alert
// has no flow.
func flowID(ev packet.Event) uint64 {
	if ev.FlowStart == 0 {
		return 0
	}
	return flowIDOf(ev.Attacker, ev.AttackerPort, ev.Victim, ev.VictimPort, ev.Proto, ev.FlowStart)
}

// flowIDOf is flowID of the flow between a and b of protocol proto that
// began at start.
func flowIDOf(a netip.Addr, ap uint16, b netip.Addr, bp uint16, proto uint8, start int64) uint64 {
	if b.Less(a) || a == b && bp < ap {
		a, ap, b, bp = b, bp, a, ap
	}
	// FNV-1a over the tuple, written out so an alert costs no allocation
	var buf [16 + 2 + 16 + 2 + 1 + 8]byte
	n := 0
	put := func(a netip.Addr, port uint16) {
		if a.Is4() {
			a4 := a.As4()
			n += copy(buf[n:], a4[:])
		} else {
			a16 := a.As16()
			n += copy(buf[n:], a16[:])
		}
		binary.BigEndian.PutUint16(buf[n:], port)
		n += 2
	}
	put(a, ap)
	put(b, bp)
	buf[n] = proto
	binary.BigEndian.PutUint64(buf[n+1:], uint64(start))
	h := uint64(14695981039346656037)
	for _, c := range buf[:n+9] {
		h = (h ^ uint64(c)) * 1099511628211
	}
	id := h & (1<<53 - 1)
	if id == 0 {
		id = 1 // 0 means no flow
	}
	return id
}

// directionName is Suricata's name for a packet's direction in its flow.
func directionName(d uint8) string {
	switch d {
	case packet.DirToServer:
		return "to_server"
	case packet.DirToClient:
		return "to_client"
	}
	return ""
}

// alertFlow describes the flow of a rule's alert and the application
// protocol found in it; nil and "" when the packet had no flow.
func alertFlow(ev packet.Event) (*AlertFlow, string) {
	if ev.FlowStart == 0 {
		return nil, ""
	}
	fi := &ev.Flow
	return &AlertFlow{
		Client: fi.Client, ClientPort: fi.ClientPort, Server: fi.Server, ServerPort: fi.ServerPort,
		ProtoNum:     ev.Proto,
		PktsToServer: fi.Counts.Pkts[0], PktsToClient: fi.Counts.Pkts[1],
		BytesToServer: fi.Counts.Bytes[0], BytesToClient: fi.Counts.Bytes[1],
		Start: utc(ev.FlowStart),
	}, packet.AppName(fi.App)
}

// effectiveAction is what a rule's alert did to its packet: the rule's
// action, or the new action a threshold file's rate_filter gave it.
func effectiveAction(ev packet.Event) packet.Action {
	if ev.RateAction == "" {
		return ev.Action
	}
	if ev.RateAction == "rejectsrc" {
		return packet.ActionReject // the same action, by its other name
	}
	for a := packet.ActionAlert; a <= packet.ActionPass; a++ {
		if a.String() == ev.RateAction {
			return a
		}
	}
	return ev.Action
}
