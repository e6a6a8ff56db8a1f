package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

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
// A time outside years 0-9999 (a capture can hold any 64-bit time) is
// written with an ISO 8601 expanded year, "+10000-01-01T…": see
// analyzer.AppendTime.
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
	if err := enc.Encode(jsonDoc(r)); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// jsonDoc returns r as the document renders it: the schema filled in and
// every nil slice but the omitempty alert.sources made empty, so it
// renders as [] rather than null. Slices are copied only where one of
// their elements changes, so nothing the caller owns is changed.
func jsonDoc(r *analyzer.Result) analyzer.Result {
	d := *r
	if d.Schema == "" {
		d.Schema = analyzer.SchemaVersion
	}
	s := &d.Summary
	s.DecodeErrors, s.Evictions = nonNil(s.DecodeErrors), nonNil(s.Evictions)
	s.Exclusions, s.Packs = nonNil(s.Exclusions), nonNil(s.Packs)
	s.RulesSkippedReasons, s.RulesFailedReasons = nonNil(s.RulesSkippedReasons), nonNil(s.RulesFailedReasons)
	d.Files = eachNonNil(d.Files, func(f *analyzer.FileSummary) { f.LinkTypes = nonNil(f.LinkTypes) })
	d.Signatures = eachNonNil(d.Signatures, func(h *analyzer.SignatureHit) {
		h.CVEs, h.Attackers, h.Victims = nonNil(h.CVEs), nonNil(h.Attackers), nonNil(h.Victims)
	})
	d.AlertGroups = nonNil(d.AlertGroups)
	d.Alerts, d.Events = alertsWithFilters(d.Alerts), eventsWithFilters(d.Events)
	d.Blocks = eachNonNil(d.Blocks, func(b *analyzer.BlockedHost) { b.SIDs = nonNil(b.SIDs) })
	d.FalsePositives = eachNonNil(d.FalsePositives, func(fp *analyzer.FalsePositive) {
		fp.Evidence, fp.SIDs = nonNil(fp.Evidence), nonNil(fp.SIDs)
	})
	d.Investigate = eachNonNil(d.Investigate, func(v *analyzer.Investigation) {
		v.Evidence, v.SIDs = nonNil(v.Evidence), nonNil(v.SIDs)
	})
	d.Warnings = nonNil(d.Warnings)
	return d
}

// nonNil returns s, or an empty slice when s is nil, so it renders as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// eachNonNil returns s, never nil, with fix applied to each element of a
// copy.
func eachNonNil[T any](s []T, fix func(*T)) []T {
	out := make([]T, len(s))
	copy(out, s)
	for i := range out {
		fix(&out[i])
	}
	return out
}

// WriteEvent writes one event as a single JSON line (JSON Lines), with the
// same fields as the report's events, for the streaming modes.
func WriteEvent(w io.Writer, ev analyzer.Event) error {
	if ev.Alert != nil {
		ev.Alert = withFilters(ev.Alert)
	}
	// as in the report, "<", ">" and "&" stay readable (filters hold "&&")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
