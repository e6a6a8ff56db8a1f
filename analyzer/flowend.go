package analyzer

// Flow records: each TCP and UDP flow the flow tables followed, as it
// leaves them, for EVE's "flow" event type (Config.OnFlow). Suricata logs
// a flow when its flow manager removes it: on its timeout during the
// run, or at shutdown for those still held at the end; a closed TCP
// connection is held for its closed timeout first. The tables do the
// same, so state and reason read as Suricata's do.

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/packet"
)

// FlowEnd is one flow as it ended.
type FlowEnd struct {
	// ID is the flow_id its alerts carry.
	ID    uint64
	Proto uint8
	// Client is the side that sent first (the SYN, for TCP).
	Client, Server         netip.Addr
	ClientPort, ServerPort uint16
	Counts                 packet.FlowCounts
	Start, End             Time
	// State is Suricata's: "new" (no answer, or a TCP handshake not
	// completed), "established" or "closed" (TCP: reset or both FINs).
	State string
	// Reason is "timeout" (it ended during the run), "shutdown" (it was
	// still held when the capture ended) or "forced" (a full table
	// evicted it, as Suricata's emergency mode forces flows out).
	Reason string
	// Alerted says a rule alerted on one of its packets.
	Alerted bool
	// AppProto is the application protocol found, "" for none.
	AppProto string
}

// Why a flow left its table.
const (
	endForced uint8 = iota // evicted at the table's cap
	endTimeout
	endShutdown
)

var endReasons = [...]string{endForced: "forced", endTimeout: "timeout", endShutdown: "shutdown"}

// flowSummary is what a flow record needs of a flow, kept without strings
// so a closed connection's can wait in the closed table.
type flowSummary struct {
	client, server netip.Addr
	cport, sport   uint16
	proto          uint8
	state          uint8
	alerted        bool
	app            uint8
	counts         packet.FlowCounts
	start, end     int64
}

// Flow states as Suricata names them.
const (
	stateNew uint8 = iota
	stateEstablished
	stateClosed
)

var stateNames = [...]string{stateNew: "new", stateEstablished: "established", stateClosed: "closed"}

// flowEnd is the record of s ending for reason.
func (s *flowSummary) flowEnd(reason uint8) FlowEnd {
	return FlowEnd{
		ID:    flowIDOf(s.client, s.cport, s.server, s.sport, s.proto, s.start),
		Proto: s.proto, Client: s.client, Server: s.server, ClientPort: s.cport, ServerPort: s.sport,
		Counts: s.counts, Start: utc(s.start), End: utc(s.end),
		State: stateNames[s.state], Reason: endReasons[reason], Alerted: s.alerted, AppProto: packet.AppName(s.app),
	}
}
