package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// FormatEVE is JSON Lines shaped like Suricata's eve.json, described in
// docs/eve.md, for SIEM pipelines that already read Suricata.
const FormatEVE Format = "eve"

// eveTimeLayout is Suricata's EVE timestamp: microseconds and a numeric
// offset without a colon. Times are written in UTC, so the offset is
// always +0000; Suricata itself writes the sensor's local offset, and
// parsers of eve.json accept any.
const eveTimeLayout = "2006-01-02T15:04:05.000000-0700"

// Our own EVE event types. Suricata's types are plain words ("alert",
// "flow", "dns"); the prefix keeps ours from colliding with any it adds.
const (
	eveTypeAlert         = "alert"
	eveTypeBlock         = "ipsreplay_block"
	eveTypeUnblock       = "ipsreplay_unblock"
	eveTypeFalsePositive = "ipsreplay_false_positive"
	eveTypeInvestigate   = "ipsreplay_investigate"
)

// The generator and revision of a built-in detection, which has no rule:
// generator 1 (the rule engine's, as in Suricata) at revision 1.
const (
	eveGID = 1
	eveRev = 1
)

// WriteEVE renders r as EVE JSON Lines: one compact JSON object per line,
// in the order of r.Events. Each alert event becomes a Suricata
// "alert" record, each block and unblock an "ipsreplay_block" or
// "ipsreplay_unblock" record; then one "ipsreplay_false_positive" record
// follows per entry of r.FalsePositives and one "ipsreplay_investigate"
// record per entry of r.Investigate. Events of other types produce
// nothing, and nor do r.Alerts, r.Blocks or the summary: the event stream
// already holds every alert and block. An alert's category comes from
// the matching entry of r.Signatures. r is not modified, and nothing is
// written when rendering fails. A Result with no events and no false
// positives renders as no bytes at all.
func WriteEVE(w io.Writer, r *analyzer.Result) error {
	if r == nil {
		return fmt.Errorf("write eve: %w", errNilResult)
	}
	categories := make(map[uint32]string, len(r.Signatures))
	for _, s := range r.Signatures {
		if _, dup := categories[s.SID]; !dup {
			categories[s.SID] = s.Category
		}
	}
	var buf bytes.Buffer
	st := &EVEStream{enc: newEVEEncoder(&buf), category: func(sid uint32) string { return categories[sid] }}
	for _, ev := range r.Events {
		st.Event(ev)
	}
	if err := st.Finish(r); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write eve: %w", err)
	}
	return nil
}

// EVEStream writes EVE as the analysis goes: each event the moment it
// happens (Event, for analyzer.Config.OnEvent), then the host verdicts
// once the run's Result is known (Finish). The lines are the ones
// WriteEVE renders from a Result holding every event, but nothing is
// kept, so a run of a million alerts writes them all in bounded memory.
type EVEStream struct {
	enc      *json.Encoder
	category func(sid uint32) string
	events   int
	err      error
	opts     EVEOptions // eveflow.go
	flows    int        // flow records written
}

// NewEVEStream writes to w; category names a signature's category (its
// classtype), "" for none. w should be buffered.
func NewEVEStream(w io.Writer, category func(sid uint32) string) *EVEStream {
	return &EVEStream{enc: newEVEEncoder(w), category: category}
}

// Event writes one event; after a write error it writes nothing more and
// Finish returns the error.
func (s *EVEStream) Event(ev analyzer.Event) {
	s.events++
	if s.err != nil || s.opts.NoAlerts {
		return
	}
	rec, ok := eveEvent(ev, s.category)
	if !ok {
		return
	}
	if a := ev.Alert; a != nil && a.Flow != nil {
		f := a.Flow
		rec.CommunityID = s.opts.communityID(f.Client, f.ClientPort, f.Server, f.ServerPort, f.ProtoNum)
	}
	if err := s.enc.Encode(rec); err != nil {
		s.err = fmt.Errorf("write eve: event %d (%s): %w", s.events, ev.Type, err)
	}
}

// Finish writes r's false positives and hosts to investigate, and returns
// the first error the stream met.
func (s *EVEStream) Finish(r *analyzer.Result) error {
	if s.err != nil {
		return s.err
	}
	if r == nil {
		return fmt.Errorf("write eve: %w", errNilResult)
	}
	if !s.opts.NoAlerts {
		if err := s.verdicts(r); err != nil {
			return err
		}
	}
	if s.opts.Stats {
		if err := s.enc.Encode(eveStatsRecord(r)); err != nil {
			return fmt.Errorf("write eve: stats: %w", err)
		}
	}
	return nil
}

// verdicts writes r's false positives and hosts to investigate.
func (s *EVEStream) verdicts(r *analyzer.Result) error {
	for i, fp := range r.FalsePositives {
		if err := s.enc.Encode(eveFalsePositiveRecord(fp, r.Summary.LastTime)); err != nil {
			return fmt.Errorf("write eve: false positive %d (%s): %w", i+1, fp.Host, err)
		}
	}
	for i, v := range r.Investigate {
		if err := s.enc.Encode(eveInvestigateRecord(v, r.Summary.LastTime)); err != nil {
			return fmt.Errorf("write eve: host to investigate %d (%s): %w", i+1, v.Host, err)
		}
	}
	return nil
}

// WriteEVEEvent writes one event as one EVE line, as WriteEVE would
// render it, for `replay --format eve`. A lone event does not know its
// signature's category, so alert records leave "alert.category" out.
// An event of another type, or an alert event without its alert, writes
// nothing and is not an error.
func WriteEVEEvent(w io.Writer, ev analyzer.Event) error {
	rec, ok := eveEvent(ev, nil)
	if !ok {
		return nil
	}
	var buf bytes.Buffer
	if err := newEVEEncoder(&buf).Encode(rec); err != nil {
		return fmt.Errorf("write eve: %s event: %w", ev.Type, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write eve: %w", err)
	}
	return nil
}

// newEVEEncoder writes compact JSON, one value a line. As in the JSON
// report, "<", ">" and "&" stay readable: the lines are data for
// programs, not HTML. Control bytes from packets still become \u escapes
// and invalid UTF-8 becomes U+FFFD, as encoding/json always does.
func newEVEEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// eveTime renders a time in Suricata's EVE format, in UTC, or null when
// zero. Like the JSON report's times, a year past 9999 is written
// extended ("+10000-…"), as analyzer.AppendTime explains.
type eveTime time.Time

// MarshalJSON implements json.Marshaler.
func (t eveTime) MarshalJSON() ([]byte, error) {
	return analyzer.TimeOf(time.Time(t)).AppendJSON(nil, eveTimeLayout), nil
}

// IsZero lets omitzero leave out an unknown time.
func (t eveTime) IsZero() bool { return time.Time(t).IsZero() }

// eveRecord is one EVE line. The fields up to Alert are Suricata's common
// section and alert object, in Suricata's order; IPSReplay holds our own
// fields, one of the eve*Extra types, nil for none.
type eveRecord struct {
	Timestamp eveTime `json:"timestamp"`
	FlowID    uint64  `json:"flow_id,omitempty"`
	PcapCnt   uint64  `json:"pcap_cnt,omitempty"`
	EventType string  `json:"event_type"`
	SrcIP     string  `json:"src_ip,omitempty"`
	SrcPort   uint16  `json:"src_port,omitempty"`
	DestIP    string  `json:"dest_ip,omitempty"`
	DestPort  uint16  `json:"dest_port,omitempty"`
	Proto     string  `json:"proto,omitempty"`
	// PktSrc and CommunityID: eveflow.go
	PktSrc      string    `json:"pkt_src,omitempty"`
	CommunityID string    `json:"community_id,omitempty"`
	Ether       *eveEther `json:"ether,omitempty"`
	Direction   string    `json:"direction,omitempty"`
	Alert       *eveAlert `json:"alert,omitempty"`
	// AppProto, Flow (an alert's *eveAlertFlow or a flow record's
	// *eveFlowState) and Stats: eveflow.go
	AppProto string    `json:"app_proto,omitempty"`
	Flow     any       `json:"flow,omitempty"`
	Stats    *eveStats `json:"stats,omitempty"`
	// PcapFilename is the capture the alert's packet is in, as Suricata
	// writes it reading files.
	PcapFilename string `json:"pcap_filename,omitempty"`
	IPSReplay    any    `json:"ipsreplay,omitempty"`
}

// eveEther is Suricata's "ether" object (Suricata 7's schema: src_mac and
// dest_mac strings, no other keys): the frame's MAC addresses.
type eveEther struct {
	SrcMAC  analyzer.MAC `json:"src_mac,omitzero"`
	DestMAC analyzer.MAC `json:"dest_mac,omitzero"`
}

// eveAlert is Suricata's "alert" object.
type eveAlert struct {
	Action      string `json:"action"` // "blocked" or "allowed"
	GID         uint32 `json:"gid"`
	SignatureID uint32 `json:"signature_id"`
	Rev         uint32 `json:"rev"`
	Signature   string `json:"signature"`
	// Category is a rule's classtype description ("" without one, as
	// Suricata writes it), a built-in detection's category when known.
	Category *string `json:"category,omitempty"`
	// Severity is a rule's priority as Suricata computes it; for a
	// built-in detection 1 high, 2 medium, 3 low or info.
	Severity int                 `json:"severity"`
	Metadata map[string][]string `json:"metadata,omitempty"`
}

// eveAlertExtra is what an alert record carries beyond Suricata's fields.
// Victim is set only when dest_ip cannot hold it: a value that is not a
// single IP address (a swept network) would break SIEM fields typed as IP
// addresses. An attacker is always an address, in src_ip.
type eveAlertExtra struct {
	Kind        string                  `json:"kind,omitempty"`
	Detail      string                  `json:"detail"`
	Count       uint64                  `json:"count"`
	First       eveTime                 `json:"first,omitzero"`
	Last        eveTime                 `json:"last,omitzero"`
	FirstPacket analyzer.PacketLocation `json:"first_packet"`
	LastPacket  analyzer.PacketLocation `json:"last_packet"`
	AttackerMAC analyzer.MAC            `json:"attacker_mac,omitzero"`
	Victim      string                  `json:"victim,omitempty"`
	Spoofed     bool                    `json:"spoofed,omitempty"`
	Sources     []netip.Addr            `json:"sources,omitempty"`
	// Filters and Extract name the alert's packets (alertpackets.go).
	Filters *analyzer.PacketFilters `json:"filters,omitempty"`
	Extract string                  `json:"extract,omitempty"`
}

// eveBlockExtra is the ipsreplay object of a block record. Host is set
// only when src_ip cannot hold it.
type eveBlockExtra struct {
	Host     string  `json:"host,omitempty"`
	Until    eveTime `json:"until,omitzero"`
	SID      uint32  `json:"sid"`
	Extended bool    `json:"extended"`
}

// eveHostExtra is the ipsreplay object of an unblock record whose host is
// not an IP address; a normal unblock record has none.
type eveHostExtra struct {
	Host string `json:"host"`
}

// eveEvent builds the record for ev, or reports false when ev gives none.
// category names a signature's category; nil leaves categories out.
func eveEvent(ev analyzer.Event, category func(sid uint32) string) (eveRecord, bool) {
	switch ev.Type {
	case analyzer.EventAlert:
		if ev.Alert == nil {
			return eveRecord{}, false
		}
		c := ""
		if category != nil {
			c = category(ev.Alert.SID)
		}
		return eveAlertRecord(ev, c), true
	case analyzer.EventBlock:
		rec := eveRecord{Timestamp: eveTime(ev.Time.Time), EventType: eveTypeBlock}
		x := &eveBlockExtra{Until: eveTime(ev.Until.Time), SID: ev.SID, Extended: ev.Extended}
		rec.SrcIP, x.Host = ipOr(ev.Host)
		rec.IPSReplay = x
		return rec, true
	case analyzer.EventUnblock:
		rec := eveRecord{Timestamp: eveTime(ev.Time.Time), EventType: eveTypeUnblock}
		var other string
		rec.SrcIP, other = ipOr(ev.Host)
		if other != "" {
			rec.IPSReplay = &eveHostExtra{Host: other}
		}
		return rec, true
	}
	return eveRecord{}, false
}

func eveAlertRecord(ev analyzer.Event, category string) eveRecord {
	a := ev.Alert
	at := ev.Time
	if at.IsZero() {
		at = a.Time
	}
	// "blocked" as Suricata writes it for a drop in IPS mode or a reject
	// (Dropped), and for the modelled autoblock (Blocked)
	action := "allowed"
	if a.Blocked || a.Dropped {
		action = "blocked"
	}
	x := &eveAlertExtra{
		Kind:        a.Kind,
		Detail:      a.Detail,
		Count:       a.Count,
		First:       eveTime(a.First.Time),
		Last:        eveTime(a.Last.Time),
		FirstPacket: a.FirstPacket,
		LastPacket:  a.LastPacket,
		AttackerMAC: a.AttackerMAC,
		Spoofed:     a.Spoofed,
		Sources:     a.Sources,
		Filters:     withFilters(a).Filters,
		Extract:     a.Extract,
	}
	rec := eveRecord{
		Timestamp: eveTime(at.Time),
		EventType: eveTypeAlert,
		SrcIP:     analyzer.AddrHost(a.Attacker).String(),
		DestPort:  a.VictimPort,
		Proto:     a.Proto,
		Alert: &eveAlert{
			Action:      action,
			GID:         eveGID,
			SignatureID: a.SID,
			Rev:         eveRev,
			Signature:   a.Name,
			Severity:    eveSeverity(a.Severity),
		},
		FlowID:       a.FlowID,
		Direction:    a.Direction,
		PcapCnt:      a.LastPacket.Packet,
		PcapFilename: a.LastPacket.File,
		SrcPort:      a.AttackerPort,
		IPSReplay:    x,
	}
	if category != "" {
		rec.Alert.Category = &category
	}
	if r := a.Rule; r != nil {
		// as Suricata: the rule's generator, revision, classtype
		// description ("" without one), priority and metadata
		al := rec.Alert
		desc := r.ClassDescription
		al.GID, al.Rev, al.Category, al.Severity, al.Metadata = r.GID, r.Rev, &desc, r.Priority, r.Metadata
	}
	rec.DestIP, x.Victim = ipOr(a.Victim)
	rec.Ether = eveAlertEther(a)
	eveAddFlow(&rec, a)
	// An ARP alert whose attacker is known only by its MAC is addressed as
	// its packet was, as Suricata addresses an ARP packet: from the ARP
	// sender address (the address claimed) to the target address. A
	// victim that is neither stays under ipsreplay.
	if p := a.ARP; p != nil && !a.Attacker.IsValid() {
		rec.SrcIP, rec.DestIP = analyzer.AddrHost(p.SenderIP).String(), analyzer.AddrHost(p.TargetIP).String()
		if a.Victim == analyzer.AddrHost(p.SenderIP) || a.Victim == analyzer.AddrHost(p.TargetIP) {
			x.Victim = ""
		} else {
			x.Victim = a.Victim.String()
		}
	}
	return rec
}

// eveAlertEther gives an alert's ether object: the Ethernet addresses of
// the ARP packet an ARP alert fired on, with the attacker's MAC as the
// source when the frame had no Ethernet header (or for other alerts); nil
// when there is no MAC.
func eveAlertEther(a *analyzer.Alert) *eveEther {
	e := eveEther{SrcMAC: a.AttackerMAC}
	if a.ARP != nil && a.ARP.SrcMAC.IsValid() {
		e = eveEther{SrcMAC: a.ARP.SrcMAC, DestMAC: a.ARP.DestMAC}
	}
	if e == (eveEther{}) {
		return nil
	}
	return &e
}

// eveFalsePositiveRecord renders a likely false positive, stamped with the
// end of the capture; its ipsreplay object is the JSON report's entry.
func eveFalsePositiveRecord(fp analyzer.FalsePositive, last analyzer.Time) eveRecord {
	fp.Evidence, fp.SIDs = nonNil(fp.Evidence), nonNil(fp.SIDs)
	rec := eveRecord{Timestamp: eveTime(last.Time), EventType: eveTypeFalsePositive, IPSReplay: fp}
	rec.SrcIP, _ = ipOr(fp.Host) // the host is in ipsreplay.host either way
	return rec
}

// eveInvestigateRecord renders a host that needs investigation, stamped
// like a false positive with the end of the capture.
func eveInvestigateRecord(v analyzer.Investigation, last analyzer.Time) eveRecord {
	v.Evidence, v.SIDs = nonNil(v.Evidence), nonNil(v.SIDs)
	rec := eveRecord{Timestamp: eveTime(last.Time), EventType: eveTypeInvestigate, IPSReplay: v}
	rec.SrcIP, _ = ipOr(v.Host)
	return rec
}

// ipOr splits a host for an EVE address field: an IP address is returned
// as ip, anything else (a network, a MAC, a placeholder) as other. Both
// are empty for no host.
func ipOr(h analyzer.Host) (ip, other string) {
	if h.Addr().IsValid() {
		return h.String(), ""
	}
	return "", h.String()
}

// eveSeverity maps our severities onto Suricata's numeric priority, where
// 1 is the most severe. Suricata has no level below 3, so low and info
// share it, as does anything unknown (Suricata's default priority is 3).
func eveSeverity(s string) int {
	switch strings.ToLower(s) {
	case "high":
		return 1
	case "medium":
		return 2
	}
	return 3
}
