package packet

import "strconv"

// Action is what a rule's match does to its packet besides alerting:
// Suricata's rule actions drop, reject (rejectsrc), rejectdst, rejectboth
// and pass. The zero value is alert: the packet goes on. Rule matching
// gives an Event its Action and a packet its Facts.Verdict; whether a
// dropped packet is really stopped is the analysis's mode (IDS, or IPS
// with --simulate-ips), not the rule's.
type Action uint8

// Actions; the zero value is alert.
const (
	ActionAlert      Action = iota
	ActionDrop              // the packet (and, for a flow-level match, its flow) is dropped
	ActionReject            // drop, and a TCP reset or ICMP unreachable to the packet's source
	ActionRejectDst         // drop, and the reset or unreachable to its destination
	ActionRejectBoth        // drop, and one to each side
	ActionPass              // no further inspection of the packet (or its flow); no alert
)

// String returns the action as a rule writes it.
func (a Action) String() string {
	switch a {
	case ActionAlert:
		return "alert"
	case ActionDrop:
		return "drop"
	case ActionReject:
		return "reject"
	case ActionRejectDst:
		return "rejectdst"
	case ActionRejectBoth:
		return "rejectboth"
	case ActionPass:
		return "pass"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Blocks reports whether the action stops the packet: drop and the
// rejects.
func (a Action) Blocks() bool { return a >= ActionDrop && a <= ActionRejectBoth }

// Rejects reports whether the action answers the packet with a reset or
// an ICMP unreachable, which an IPS sends in IDS mode too.
func (a Action) Rejects() bool { return a >= ActionReject && a <= ActionRejectBoth }
