package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

// jsonTimeLayout is RFC 3339 in UTC with exactly nine fractional digits.
// Fixed width, unlike time.RFC3339Nano, so timestamps sort as strings
// (jq's sort_by, a shell sort) in the same order as in time.
const jsonTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// WriteJSON renders r as the ipsreplay.report/v2 JSON document: indented
// two spaces, ending in a newline. r is not modified. Compared with plain
// encoding/json of r, the document differs only in that
//
//   - an empty schema becomes analyzer.SchemaVersion;
//   - nil slices render as [] rather than null (except the omitempty
//     field alert.sources, which is left out);
//   - times render in UTC with nine fractional digits, and zero times
//     (unknown, e.g. no packets) render as null.
//
// A time outside years 0-9999 cannot be written as RFC 3339 and is an
// error, as it is for time.Time.
func WriteJSON(w io.Writer, r *analyzer.Result) error {
	if r == nil {
		return fmt.Errorf("write json: %w", errNilResult)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// The document is data for programs, not HTML; keep "<", ">" and "&"
	// in packet-derived strings readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSON(r)); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// jsonTime is a time that renders in UTC with fixed nanoseconds, or null
// when zero. It decodes back into a time.Time: null leaves it zero.
type jsonTime time.Time

// MarshalJSON implements json.Marshaler.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	tt = tt.UTC()
	if y := tt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %s: year outside 0-9999 cannot be written as RFC 3339", tt.Format(time.RFC3339Nano))
	}
	b := make([]byte, 0, len(jsonTimeLayout)+2)
	b = append(b, '"')
	b = tt.AppendFormat(b, jsonTimeLayout)
	return append(b, '"'), nil
}

// The json* types mirror the analyzer types field for field, with the same
// names and tags, differing only where a time.Time becomes a jsonTime or a
// nested type becomes its mirror. TestJSONMirrorsResult keeps them in step:
// a field added to analyzer.Result fails that test until it is added here.

type jsonResult struct {
	Schema         string                   `json:"schema"`
	Summary        jsonSummary              `json:"summary"`
	Files          []jsonFileSummary        `json:"files"`
	Signatures     []jsonSignatureHit       `json:"signatures"`
	Alerts         []jsonAlert              `json:"alerts"`
	Events         []jsonEvent              `json:"events"`
	Blocks         []jsonBlockedHost        `json:"blocks"`
	FalsePositives []analyzer.FalsePositive `json:"false_positives"`
	Investigate    []analyzer.Investigation `json:"investigate"`
	Warnings       []string                 `json:"warnings"`
}

type jsonSummary struct {
	Files        int                     `json:"files"`
	Packets      uint64                  `json:"packets"`
	Bytes        uint64                  `json:"bytes"`
	FirstTime    jsonTime                `json:"first_time"`
	LastTime     jsonTime                `json:"last_time"`
	Span         packet.Duration         `json:"span"`
	Undecoded    uint64                  `json:"undecoded"`
	DecodeErrors []analyzer.ReasonCount  `json:"decode_errors"`
	Evictions    []analyzer.ReasonCount  `json:"evictions"`
	Autoblock    packet.Duration         `json:"autoblock"`
	Exclusions   []analyzer.ExclusionUse `json:"exclusions"`
	Packs        []string                `json:"packs"`
	RulesActive  int                     `json:"rules_active"`
	RulesSkipped int                     `json:"rules_skipped"`
}

type jsonFileSummary struct {
	Path      string   `json:"path"`
	Format    string   `json:"format"`
	LinkTypes []string `json:"link_types"`
	Packets   uint64   `json:"packets"`
	Bytes     uint64   `json:"bytes"`
	First     jsonTime `json:"first_time"`
	Last      jsonTime `json:"last_time"`
	Error     string   `json:"error,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

type jsonSignatureHit struct {
	SID           uint32                  `json:"sid"`
	Name          string                  `json:"name"`
	Severity      string                  `json:"severity"`
	Category      string                  `json:"category"`
	Description   string                  `json:"description"`
	CVEs          []string                `json:"cves"`
	Advice        string                  `json:"advice,omitempty"`
	Count         uint64                  `json:"count"`
	First         jsonTime                `json:"first"`
	Last          jsonTime                `json:"last"`
	FirstPacket   analyzer.PacketLocation `json:"first_packet"`
	LastPacket    analyzer.PacketLocation `json:"last_packet"`
	Attackers     []string                `json:"attackers"`
	Victims       []string                `json:"victims"`
	MoreAttackers bool                    `json:"more_attackers,omitempty"`
	MoreVictims   bool                    `json:"more_victims,omitempty"`
}

type jsonAlert struct {
	SID         uint32                  `json:"sid"`
	Name        string                  `json:"name"`
	Severity    string                  `json:"severity"`
	Time        jsonTime                `json:"time"`
	Attacker    string                  `json:"attacker,omitempty"`
	AttackerMAC string                  `json:"attacker_mac,omitempty"`
	Victim      string                  `json:"victim,omitempty"`
	VictimPort  uint16                  `json:"victim_port,omitempty"`
	Proto       string                  `json:"proto,omitempty"`
	Kind        string                  `json:"kind,omitempty"`
	Detail      string                  `json:"detail"`
	Count       uint64                  `json:"count"`
	First       jsonTime                `json:"first"`
	Last        jsonTime                `json:"last"`
	FirstPacket analyzer.PacketLocation `json:"first_packet"`
	LastPacket  analyzer.PacketLocation `json:"last_packet"`
	Spoofed     bool                    `json:"spoofed,omitempty"`
	Sources     []string                `json:"sources,omitempty"`
	Blocked     bool                    `json:"blocked"`
	ARP         *analyzer.ARPPacket     `json:"arp,omitempty"`
}

type jsonEvent struct {
	Type     string     `json:"type"`
	Time     jsonTime   `json:"time"`
	Alert    *jsonAlert `json:"alert,omitempty"`
	Host     string     `json:"host,omitempty"`
	Until    *jsonTime  `json:"until,omitempty"`
	SID      uint32     `json:"sid,omitempty"`
	Extended bool       `json:"extended,omitempty"`
}

type jsonBlockedHost struct {
	Host           string          `json:"host"`
	FirstBlock     jsonTime        `json:"first_block"`
	LastUnblock    jsonTime        `json:"last_unblock"`
	Blocks         int             `json:"blocks"`
	Extensions     int             `json:"extensions"`
	TotalBlocked   packet.Duration `json:"total_blocked"`
	DroppedPackets uint64          `json:"dropped_packets"`
	DroppedBytes   uint64          `json:"dropped_bytes"`
	SIDs           []uint32        `json:"sids"`
}

// toJSON builds the mirror of r. Every slice is freshly allocated, so
// nothing the caller owns is shared or changed.
func toJSON(r *analyzer.Result) jsonResult {
	out := jsonResult{
		Schema:         r.Schema,
		Summary:        summaryJSON(r.Summary),
		Files:          make([]jsonFileSummary, len(r.Files)),
		Signatures:     make([]jsonSignatureHit, len(r.Signatures)),
		Alerts:         make([]jsonAlert, len(r.Alerts)),
		Events:         make([]jsonEvent, len(r.Events)),
		Blocks:         make([]jsonBlockedHost, len(r.Blocks)),
		FalsePositives: make([]analyzer.FalsePositive, len(r.FalsePositives)),
		Investigate:    make([]analyzer.Investigation, len(r.Investigate)),
		Warnings:       strs(r.Warnings),
	}
	if out.Schema == "" {
		out.Schema = analyzer.SchemaVersion
	}
	for i, f := range r.Files {
		out.Files[i] = jsonFileSummary{
			Path:      f.Path,
			Format:    f.Format,
			LinkTypes: strs(f.LinkTypes),
			Packets:   f.Packets,
			Bytes:     f.Bytes,
			First:     jsonTime(f.First),
			Last:      jsonTime(f.Last),
			Error:     f.Error,
			Truncated: f.Truncated,
		}
	}
	for i, s := range r.Signatures {
		out.Signatures[i] = jsonSignatureHit{
			SID:           s.SID,
			Name:          s.Name,
			Severity:      s.Severity,
			Category:      s.Category,
			Description:   s.Description,
			CVEs:          strs(s.CVEs),
			Advice:        s.Advice,
			Count:         s.Count,
			First:         jsonTime(s.First),
			Last:          jsonTime(s.Last),
			FirstPacket:   s.FirstPacket,
			LastPacket:    s.LastPacket,
			Attackers:     strs(s.Attackers),
			Victims:       strs(s.Victims),
			MoreAttackers: s.MoreAttackers,
			MoreVictims:   s.MoreVictims,
		}
	}
	for i, a := range r.Alerts {
		out.Alerts[i] = alertJSON(a)
	}
	for i, ev := range r.Events {
		out.Events[i] = eventJSON(ev)
	}
	for i, b := range r.Blocks {
		sids := make([]uint32, len(b.SIDs))
		copy(sids, b.SIDs)
		out.Blocks[i] = jsonBlockedHost{
			Host:           b.Host,
			FirstBlock:     jsonTime(b.FirstBlock),
			LastUnblock:    jsonTime(b.LastUnblock),
			Blocks:         b.Blocks,
			Extensions:     b.Extensions,
			TotalBlocked:   b.TotalBlocked,
			DroppedPackets: b.DroppedPackets,
			DroppedBytes:   b.DroppedBytes,
			SIDs:           sids,
		}
	}
	for i, fp := range r.FalsePositives {
		// fp is a copy; this does not touch r
		fp.Evidence, fp.SIDs = strs(fp.Evidence), sidsJSON(fp.SIDs)
		out.FalsePositives[i] = fp
	}
	for i, v := range r.Investigate {
		v.Evidence, v.SIDs = strs(v.Evidence), sidsJSON(v.SIDs)
		out.Investigate[i] = v
	}
	return out
}

// sidsJSON copies a signature id list, empty rather than null.
func sidsJSON(sids []uint32) []uint32 {
	return append(make([]uint32, 0, len(sids)), sids...)
}

func summaryJSON(s analyzer.Summary) jsonSummary {
	return jsonSummary{
		Files:        s.Files,
		Packets:      s.Packets,
		Bytes:        s.Bytes,
		FirstTime:    jsonTime(s.FirstTime),
		LastTime:     jsonTime(s.LastTime),
		Span:         s.Span,
		Undecoded:    s.Undecoded,
		DecodeErrors: reasons(s.DecodeErrors),
		Evictions:    reasons(s.Evictions),
		Autoblock:    s.Autoblock,
		Exclusions:   exclusionUses(s.Exclusions),
		Packs:        strs(s.Packs),
		RulesActive:  s.RulesActive,
		RulesSkipped: s.RulesSkipped,
	}
}

// strs returns a copy of s that is never nil, so it renders as [].
func strs(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	return out
}

// exclusionUses returns a copy of us that is never nil.
func exclusionUses(us []analyzer.ExclusionUse) []analyzer.ExclusionUse {
	out := make([]analyzer.ExclusionUse, len(us))
	copy(out, us)
	return out
}

// reasons returns a copy of rc that is never nil.
func reasons(rc []analyzer.ReasonCount) []analyzer.ReasonCount {
	out := make([]analyzer.ReasonCount, len(rc))
	copy(out, rc)
	return out
}

func alertJSON(a analyzer.Alert) jsonAlert {
	var sources []string // omitempty: nil and empty both leave it out
	if len(a.Sources) > 0 {
		sources = strs(a.Sources)
	}
	return jsonAlert{
		SID:         a.SID,
		Name:        a.Name,
		Severity:    a.Severity,
		Time:        jsonTime(a.Time),
		Attacker:    a.Attacker,
		AttackerMAC: a.AttackerMAC,
		Victim:      a.Victim,
		VictimPort:  a.VictimPort,
		Proto:       a.Proto,
		Kind:        a.Kind,
		Detail:      a.Detail,
		Count:       a.Count,
		First:       jsonTime(a.First),
		Last:        jsonTime(a.Last),
		FirstPacket: a.FirstPacket,
		LastPacket:  a.LastPacket,
		Spoofed:     a.Spoofed,
		Sources:     sources,
		Blocked:     a.Blocked,
		ARP:         arpPacket(a.ARP),
	}
}

// arpPacket copies p, so the document shares nothing with the Result.
func arpPacket(p *analyzer.ARPPacket) *analyzer.ARPPacket {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func eventJSON(ev analyzer.Event) jsonEvent {
	out := jsonEvent{Type: ev.Type, Time: jsonTime(ev.Time), Host: ev.Host, SID: ev.SID, Extended: ev.Extended}
	if ev.Alert != nil {
		a := alertJSON(*ev.Alert)
		out.Alert = &a
	}
	if !ev.Until.IsZero() {
		u := jsonTime(ev.Until)
		out.Until = &u
	}
	return out
}

// WriteEvent writes one event as a single JSON line (JSON Lines), with the
// same fields as the report's events, for the streaming modes.
func WriteEvent(w io.Writer, ev analyzer.Event) error {
	b, err := json.Marshal(eventJSON(ev))
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
