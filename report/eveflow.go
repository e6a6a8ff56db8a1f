package report

// What EVE writes of flows, beyond the alert itself, as Suricata 7 does:
// the alert's pkt_src, app_proto and flow object, community_id (opt-in),
// the "flow" records of flows as they end and the closing "stats"
// record. Chosen with EVEOptions.

import (
	"fmt"
	"net/netip"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/communityid"
)

// EVE event types for flows and statistics, Suricata's.
const (
	eveTypeFlow  = "flow"
	eveTypeStats = "stats"
)

// EVEOptions choose the optional parts of EVE, as Suricata's eve-log
// settings do. The zero value writes alerts (with our ipsreplay_*
// records) and nothing else, as before these options.
type EVEOptions struct {
	// NoAlerts leaves out alert records and our ipsreplay_* records
	// (the "alert" type left out of --eve-types).
	NoAlerts bool
	// Flows writes a "flow" record for each TCP and UDP flow as it ends
	// (EVEStream.Flow); Stats writes one "stats" record at Finish.
	Flows, Stats bool
	// CommunityID adds community_id to alert and flow records of TCP
	// and UDP flows (Suricata's community-id: yes), hashed with
	// CommunityIDSeed (community-id-seed).
	CommunityID     bool
	CommunityIDSeed uint16
}

// SetOptions sets what the stream writes besides alerts; call it before
// the first event.
func (s *EVEStream) SetOptions(o EVEOptions) { s.opts = o }

// eveAlertFlow is Suricata 7's flow object of an alert record: the flow
// counted up to and including the alerting packet, and its ends as the
// flow has them (the client first), which may be the other way round
// from the alert's src_ip and dest_ip.
type eveAlertFlow struct {
	PktsToServer  uint64  `json:"pkts_toserver"`
	PktsToClient  uint64  `json:"pkts_toclient"`
	BytesToServer uint64  `json:"bytes_toserver"`
	BytesToClient uint64  `json:"bytes_toclient"`
	Start         eveTime `json:"start"`
	SrcIP         string  `json:"src_ip"`
	DestIP        string  `json:"dest_ip"`
	SrcPort       uint16  `json:"src_port"`
	DestPort      uint16  `json:"dest_port"`
}

// eveFlowState is the flow object of a flow record.
type eveFlowState struct {
	PktsToServer  uint64  `json:"pkts_toserver"`
	PktsToClient  uint64  `json:"pkts_toclient"`
	BytesToServer uint64  `json:"bytes_toserver"`
	BytesToClient uint64  `json:"bytes_toclient"`
	Start         eveTime `json:"start"`
	End           eveTime `json:"end"`
	Age           int64   `json:"age"` // seconds, as Suricata: end's whole seconds less start's
	State         string  `json:"state"`
	Reason        string  `json:"reason"`
	Alerted       bool    `json:"alerted"`
}

// eveAddFlow fills in what an alert record tells of its packet's flow:
// pkt_src, app_proto and the flow object.
func eveAddFlow(rec *eveRecord, a *analyzer.Alert) {
	rec.PktSrc, rec.AppProto = a.PktSrc, a.AppProto
	fl := a.Flow
	if fl == nil {
		return
	}
	rec.Flow = &eveAlertFlow{
		PktsToServer: fl.PktsToServer, PktsToClient: fl.PktsToClient,
		BytesToServer: fl.BytesToServer, BytesToClient: fl.BytesToClient,
		Start: eveTime(fl.Start.Time),
		SrcIP: analyzer.AddrHost(fl.Client).String(), DestIP: analyzer.AddrHost(fl.Server).String(),
		SrcPort: fl.ClientPort, DestPort: fl.ServerPort,
	}
}

// communityID is the Community ID of a flow with ports, "" when the
// options leave it out.
func (o EVEOptions) communityID(client netip.Addr, cport uint16, server netip.Addr, sport uint16, proto uint8) string {
	if !o.CommunityID || !client.IsValid() || !server.IsValid() {
		return ""
	}
	return communityid.ID(o.CommunityIDSeed, client, cport, server, sport, proto, true)
}

// Flow writes the record of a flow that ended, when the options ask for
// flow records; for analyzer.Config.OnFlow.
func (s *EVEStream) Flow(fe analyzer.FlowEnd) {
	if s.err != nil || !s.opts.Flows {
		return
	}
	s.flows++
	rec := eveRecord{
		Timestamp: eveTime(fe.Start.Time), // as Suricata 7 stamps a flow record
		FlowID:    fe.ID,
		EventType: eveTypeFlow,
		SrcIP:     analyzer.AddrHost(fe.Client).String(), SrcPort: fe.ClientPort,
		DestIP: analyzer.AddrHost(fe.Server).String(), DestPort: fe.ServerPort,
		Proto:       analyzer.ProtoName(fe.Proto),
		AppProto:    fe.AppProto,
		CommunityID: s.opts.communityID(fe.Client, fe.ClientPort, fe.Server, fe.ServerPort, fe.Proto),
		Flow: &eveFlowState{
			PktsToServer: fe.Counts.Pkts[0], PktsToClient: fe.Counts.Pkts[1],
			BytesToServer: fe.Counts.Bytes[0], BytesToClient: fe.Counts.Bytes[1],
			Start: eveTime(fe.Start.Time), End: eveTime(fe.End.Time),
			Age:   fe.End.Unix() - fe.Start.Unix(),
			State: fe.State, Reason: fe.Reason, Alerted: fe.Alerted,
		},
	}
	if err := s.enc.Encode(rec); err != nil {
		s.err = fmt.Errorf("write eve: flow record %d: %w", s.flows, err)
	}
}

// eveStats is the stats object of a stats record: the counters we have
// under Suricata's names.
type eveStats struct {
	Uptime  int64           `json:"uptime"` // seconds of capture time
	Decoder eveDecoderStats `json:"decoder"`
	Flow    eveFlowStats    `json:"flow"`
	Detect  eveDetectStats  `json:"detect"`
	IPS     *eveIPSStats    `json:"ips,omitempty"`
}

type eveDecoderStats struct {
	Pkts    uint64 `json:"pkts"`
	Bytes   uint64 `json:"bytes"`
	Invalid uint64 `json:"invalid"`
	IPv4    uint64 `json:"ipv4"`
	IPv6    uint64 `json:"ipv6"`
	TCP     uint64 `json:"tcp"`
	UDP     uint64 `json:"udp"`
	ICMPv4  uint64 `json:"icmpv4"`
	ICMPv6  uint64 `json:"icmpv6"`
	ARP     uint64 `json:"arp"`
}

type eveFlowStats struct {
	Total uint64 `json:"total"`
	TCP   uint64 `json:"tcp"`
	UDP   uint64 `json:"udp"`
}

type eveDetectStats struct {
	Alert uint64 `json:"alert"`
}

type eveIPSStats struct {
	Accepted uint64 `json:"accepted"`
	Blocked  uint64 `json:"blocked"`
}

// eveStatsRecord is the stats record of a run, stamped with its last
// packet's time.
func eveStatsRecord(r *analyzer.Result) eveRecord {
	sum, st := &r.Summary, &r.Stats
	stats := &eveStats{
		Uptime: int64(sum.LastTime.Sub(sum.FirstTime.Time).Seconds()),
		Decoder: eveDecoderStats{Pkts: sum.Packets, Bytes: sum.Bytes, Invalid: sum.Undecoded,
			IPv4: st.IPv4, IPv6: st.IPv6, TCP: st.TCP, UDP: st.UDP, ICMPv4: st.ICMPv4, ICMPv6: st.ICMPv6, ARP: st.ARP},
		Flow:   eveFlowStats{Total: st.TCPFlows + st.UDPFlows, TCP: st.TCPFlows, UDP: st.UDPFlows},
		Detect: eveDetectStats{Alert: sum.Listing.Alerts},
	}
	if ips := sum.IPS; ips != nil {
		stats.IPS = &eveIPSStats{Accepted: sum.Packets - min(ips.DroppedPackets, sum.Packets), Blocked: ips.DroppedPackets}
	}
	return eveRecord{Timestamp: eveTime(sum.LastTime.Time), EventType: eveTypeStats, Stats: stats}
}
