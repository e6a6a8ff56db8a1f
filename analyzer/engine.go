// Package analyzer runs packets through the IPS pipeline: sources, decoding,
// TCP flow state, the detectors, exclusions, autoblock and false-positive
// classification, on capture time. It produces a Result; it renders nothing.
package analyzer

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/fingerprint"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/rulematch"
	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// tickInterval is how often, in capture time, state is expired and
// detectors are given Expire.
const tickInterval = int64(time.Second)

// maxHostsListed caps attacker and victim lists per signature.
const maxHostsListed = 20

// Config is what an analysis runs with.
type Config struct {
	Detectors detectors.Config
	Flows     FlowConfig
	Autoblock time.Duration // 0 disables
	// BlockTable bounds the autoblock's table; the zero value takes
	// DefaultAutoblockConfig.
	BlockTable AutoblockConfig
	// Capture says how far capture times are trusted; the zero value
	// takes DefaultCaptureConfig.
	Capture CaptureConfig
	// Report bounds the alerts and events kept for the report; the zero
	// value takes DefaultReportConfig.
	Report ReportConfig
	// SimulateIPS runs as an inline IPS, as Suricata's --simulate-ips:
	// the packets drop and reject rules stop are dropped, their alerts
	// say so ("blocked") and the summary counts them (Summary.IPS). Rule
	// matching is the same in both modes: a flow a rule dropped or passed
	// is not inspected again either way.
	SimulateIPS bool
	Exclusions  *ExclusionList
	Catalog     *signatures.Catalog
	// Signatures are the packs in force; their rules run after the
	// built-in detections and their catalog replaces Catalog.
	Signatures *signatures.Set
	// Rules tunes the rule matcher.
	Rules rulematch.Config
	// NoBuiltins leaves the four built-in detections out: rule-only runs.
	NoBuiltins bool
	// HomeNet decides which hosts are internal (the zero value is
	// DefaultHomeNet). Signatures must have been loaded with its
	// RuleVars for $HOME_NET in rules to mean the same.
	HomeNet HomeNet
	// Fingerprint bounds the scanner-fingerprint tracker, whose per-host
	// evidence the false-positive verdicts read; zero fields take the
	// defaults.
	Fingerprint fingerprint.Config
	// OnEvent, when set, sees each event the moment it happens (streaming
	// modes). It runs on the analysis goroutine: keep it quick.
	OnEvent func(Event)
	// EVE is what the EVE writer adds to alerts (eveconfig.go); the
	// engine does not read it.
	EVE EVEConfig
	// OnFlow, when set, sees each TCP and UDP flow as it leaves the flow
	// tables (timed out, evicted, or at the end of the run), for EVE's
	// flow records. Same goroutine as OnEvent.
	OnFlow func(FlowEnd)
}

// SignatureCategory names the category (classtype) of signature sid in
// the catalog the engine will use, "" when it has none.
func (c *Config) SignatureCategory(sid uint32) string {
	cat := c.Catalog
	if c.Signatures != nil {
		cat = c.Signatures.Catalog
	}
	if cat == nil {
		return ""
	}
	s, _ := cat.Lookup(sid)
	return s.Category
}

// DefaultConfig returns the built-in defaults with the built-in catalog.
func DefaultConfig() (Config, error) {
	set, err := signatures.LoadSet(signatures.SetOptions{Vars: rules.DefaultVars()})
	if err != nil {
		return Config{}, err
	}
	cfg := DefaultSettings()
	cfg.Catalog, cfg.Signatures = set.Catalog, set
	return cfg, nil
}

// DefaultSettings is DefaultConfig without the signature set, for callers
// that load their own (the CLI loads it with its packs, rule files and
// home network): loading the default pack a second time was a tenth of
// the run on a small capture.
func DefaultSettings() Config {
	return Config{
		Detectors:  detectors.DefaultConfig(),
		Flows:      DefaultFlowConfig(),
		Autoblock:  DefaultAutoblock,
		Capture:    DefaultCaptureConfig(),
		Report:     DefaultReportConfig(),
		BlockTable: DefaultAutoblockConfig(),
		Rules:      rulematch.DefaultConfig(),
	}
}

// Engine is one analysis in progress: feed it packets in capture order
// with Packet, then call Result.
type Engine struct {
	cfg       Config
	dec       *decoder
	flows     *flowTable
	udpFlows  *udpFlowTable
	dets      []packet.Detector
	connObs   []packet.ConnObserver
	block     *autoblock
	emit      packet.Emit
	connEnded func(*packet.Conn)
	prints    *fingerprint.Tracker

	facts    packet.Facts
	clock    int64 // latest capture time seen
	nextTick int64
	started  bool
	// timeline holds back a record whose time jumps, to tell a moved
	// timeline from one bad timestamp
	timeline timeline

	packets, bytes uint64
	undecoded      uint64
	stats          RunStats
	// alertedNow: a rule alerted on the packet being observed, whose
	// flow is then marked alerted for its flow record
	alertedNow  bool
	first, last int64

	files      []string
	detections []packet.Event
	// removed counts the alerts each exclusion entry removed; ruleGIDs
	// are the generators of rule SIDs that are not generator 1 alone.
	removed  []uint64
	ruleGIDs map[uint32][]uint32
	alerts   []Alert
	stream   []Event
	// book counts every alert and decides which are listed whole
	book *alertBook
	// rules holds each rule SID's identity and classification
	rules map[uint32]*RuleInfo
	// ips counts what the rules dropped in IPS mode; matcher is the rule
	// matcher, nil without rules.
	ips       IPSSummary
	matcher   *rulematch.Matcher
	unblocked func(host netip.Addr, at int64)
}

// NewEngine checks cfg and builds the pipeline.
func NewEngine(cfg Config) (*Engine, error) {
	if err := cfg.Detectors.Validate(); err != nil {
		return nil, err
	}
	if cfg.Signatures != nil {
		cfg.Catalog = cfg.Signatures.Catalog
	}
	if cfg.Catalog == nil {
		return nil, fmt.Errorf("no signature catalog")
	}
	if err := cfg.Fingerprint.Validate(); err != nil {
		return nil, fmt.Errorf("fingerprint: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if cfg.Autoblock < 0 {
		return nil, fmt.Errorf("autoblock %s: must not be negative", cfg.Autoblock)
	}
	if cfg.Capture == (CaptureConfig{}) {
		cfg.Capture = DefaultCaptureConfig()
	}
	if err := cfg.Capture.Validate(); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if cfg.Report == (ReportConfig{}) {
		cfg.Report = DefaultReportConfig()
	}
	if err := cfg.Report.Validate(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if cfg.BlockTable == (AutoblockConfig{}) {
		cfg.BlockTable = DefaultAutoblockConfig()
	}
	if err := cfg.BlockTable.Validate(); err != nil {
		return nil, fmt.Errorf("autoblock: %w", err)
	}
	e := &Engine{
		cfg:    cfg,
		dec:    newDecoder(),
		block:  newAutoblock(cfg.Autoblock, cfg.BlockTable.MaxHosts, cfg.Report.MaxBlockedHosts),
		prints: fingerprint.New(cfg.Fingerprint),
		book:   newAlertBook(cfg.Report),
	}
	if !cfg.NoBuiltins {
		e.dets = cfg.Detectors.Build()
	}
	if cfg.Exclusions != nil {
		e.removed = make([]uint64, len(cfg.Exclusions.Entries))
		e.ruleGIDs = ruleGIDs(cfg.Signatures)
	}
	if cfg.Signatures != nil && len(cfg.Signatures.Rules) > 0 {
		rc := cfg.Rules
		rc.Inline = cfg.SimulateIPS
		var infos sync.WaitGroup
		if rc.Threads > 1 {
			// both only read the rules; the descriptions, 6 % of ET
			// Open's load, are made while the matcher compiles
			infos.Go(func() { e.rules = ruleInfos(cfg.Signatures.Rules) })
		} else {
			e.rules = ruleInfos(cfg.Signatures.Rules)
		}
		m, err := rulematch.New(cfg.Signatures.Rules, rc)
		infos.Wait()
		if err != nil {
			return nil, err
		}
		e.dets = append(e.dets, m)
		e.matcher = m
	}
	for _, d := range e.dets {
		if c, ok := d.(packet.ConnObserver); ok {
			e.connObs = append(e.connObs, c)
		}
	}
	// bound once so the hot path passes no fresh closures
	e.emit = e.onEvent
	e.connEnded = func(c *packet.Conn) {
		e.prints.ConnEnded(c)
		for _, o := range e.connObs {
			o.ConnEnded(c, e.emit)
		}
	}
	window := 0
	var gates []packet.StreamPrefixGate
	gated := true // every consumer says which ports it reads prefixes for
	for _, d := range e.dets {
		if c, ok := d.(packet.StreamConsumer); ok && c.StreamWindow() > 0 {
			window = max(window, c.StreamWindow())
			g, ok := d.(packet.StreamPrefixGate)
			gated = gated && ok
			gates = append(gates, g)
		}
	}
	e.flows = newFlowTable(cfg.Flows, window, e.connEnded)
	if gated && e.flows.rs != nil {
		e.flows.prefixWanted = func(src, dst uint16) bool {
			for _, g := range gates {
				if g.StreamPrefixWanted(src, dst) {
					return true
				}
			}
			return false
		}
	}
	e.udpFlows = newUDPFlowTable(cfg.Flows)
	if cfg.OnFlow != nil {
		onEnd := func(s *flowSummary, reason uint8) { cfg.OnFlow(s.flowEnd(reason)) }
		e.flows.onEnd, e.udpFlows.onEnd = onEnd, onEnd
	}
	e.timeline.bound = cfg.Capture.MaxTimeJump.D()
	e.unblocked = func(host netip.Addr, at int64) {
		e.publish(Event{Type: EventUnblock, Time: utc(at), Host: AddrHost(host)}, true)
	}
	return e, nil
}

// AddFile registers a file name and returns its index for PacketRef.
func (e *Engine) AddFile(path string) uint32 {
	e.files = append(e.files, path)
	return uint32(len(e.files) - 1)
}

// run runs one packet through the pipeline at time t (its own, or the
// time it is analysed at when out of time: see Packet).
func (e *Engine) run(link LinkType, data []byte, t int64, wireLen int, ref packet.PacketRef) {
	e.packets++
	e.bytes += uint64(wireLen)
	if !e.started {
		e.started = true
		e.first, e.last, e.clock = t, t, t
		e.nextTick = t + tickInterval
	}
	if t < e.first {
		e.first = t
	}
	if t > e.last {
		e.last = t
	}
	if t > e.clock {
		e.clock = t
		if t >= e.nextTick {
			e.tick(t)
		}
	}
	f := &e.facts
	if !e.dec.decodeAt(link, data, f, t, ref, wireLen) {
		e.undecoded++
		return
	}
	if e.dec.hasRoot {
		// a tunnel's outer packet, then the packet inside, as Suricata
		// runs both through detection
		e.observe(&e.dec.root, true)
	}
	e.observe(f, false)
	if f.Verdict.Blocks() && e.cfg.SimulateIPS {
		e.ips.DroppedPackets++
		e.ips.DroppedBytes += uint64(wireLen)
	}
	// never keep the reader's buffer past the call
	f.Payload, f.TCPOptions, f.L3Header, f.L4Header = nil, nil, nil, nil
}

// observe runs one decoded packet through the flow tables, the
// fingerprints and the detectors. A tunnel's outer packet (root) goes to
// the detectors only: it is the same packet on the wire as the inner one,
// whose bytes the autoblock accounting and fingerprints already see.
func (e *Engine) observe(f *packet.Facts, root bool) {
	if !root {
		if f.L3 != packet.L3ARP {
			e.block.observe(f.Src, f.Dst, f.Time, f.WireLen)
		}
		e.count(f)
		switch f.Proto {
		case packet.ProtoTCP:
			e.flows.observe(f)
		case packet.ProtoUDP:
			e.udpFlows.observe(f, false)
		}
		e.prints.Observe(f)
	} else if f.Proto == packet.ProtoUDP {
		// a UDP tunnel's outer flow (Teredo, VXLAN, Geneve): Suricata
		// keeps it beside the inner one and counts its packets
		e.udpFlows.observe(f, true)
	}
	e.alertedNow = false
	for _, d := range e.dets {
		d.Observe(f, e.emit)
	}
	if e.alertedNow && !root && e.cfg.OnFlow != nil {
		switch f.Proto {
		case packet.ProtoTCP:
			e.flows.markAlerted(f)
		case packet.ProtoUDP:
			e.udpFlows.markAlerted(f)
		}
	}
}

// count tallies a decoded packet's layers for the stats.
func (e *Engine) count(f *packet.Facts) {
	st := &e.stats
	switch f.L3 {
	case packet.L3IPv4:
		st.IPv4++
	case packet.L3IPv6:
		st.IPv6++
	case packet.L3ARP:
		st.ARP++
	}
	switch f.Proto {
	case packet.ProtoTCP:
		st.TCP++
	case packet.ProtoUDP:
		st.UDP++
	case packet.ProtoICMP:
		st.ICMPv4++
	case packet.ProtoICMPv6:
		st.ICMPv6++
	}
}

// Advance moves the engine's clock to now without a packet, for a live
// capture on a quiet link: blocks still run out and pending detections
// still fire on time. A time at or before the clock does nothing.
func (e *Engine) Advance(now int64) {
	e.settle(now, true)
	if !e.started || now <= e.clock {
		return
	}
	e.clock = now
	if now >= e.nextTick {
		e.tick(now)
	}
}

func (e *Engine) tick(now int64) {
	e.block.expire(now, e.unblocked)
	e.flows.expire(now)
	e.udpFlows.expire(now)
	e.dec.frag.expire(now)
	e.prints.Expire(now)
	for _, d := range e.dets {
		d.Expire(now, e.emit)
	}
	e.nextTick = now + tickInterval
}

// publish streams an event and records it for the report when keep
// and the report's bound allow.
func (e *Engine) publish(ev Event, keep bool) {
	if e.book.event(keep) {
		e.stream = append(e.stream, ev)
	}
	if e.cfg.OnEvent != nil {
		e.cfg.OnEvent(ev)
	}
}

func (e *Engine) onEvent(ev packet.Event) {
	// A packet from the Internet carries its last router's MAC, not the
	// attacker's: keep a MAC only for hosts that can be on the LAN, or
	// excluding the gateway's MAC would excuse every outside attacker.
	// ARP never crosses a router: an ARP claimant is on the segment
	// whatever the home network says.
	if ev.HasMAC && ev.Attacker.IsValid() && ev.SID != detectors.SIDARPPoison && !e.cfg.HomeNet.Internal(ev.Attacker) {
		ev.HasMAC, ev.AttackerMAC = false, [6]byte{}
	}
	// An IPS running with the exclusion list would never have raised this
	// alert: it leaves no trace (no alert, block or false-positive
	// evidence), only its entry's count. Detectors still saw the packets.
	if i, hit := e.cfg.Exclusions.matchAlert(alertKey{sid: ev.SID, gids: e.ruleGIDs[ev.SID],
		src: ev.Attacker, dst: ev.Victim, mac: ev.AttackerMAC, hasMAC: ev.HasMAC}); hit {
		e.removed[i]++
		return
	}
	sig, ok := e.cfg.Catalog.Lookup(ev.SID)
	if !ok {
		sig = signatures.Signature{SID: ev.SID, Name: fmt.Sprintf("signature %d", ev.SID), Severity: signatures.SeverityMedium}
	}
	a := Alert{
		SID:         ev.SID,
		Name:        sig.Name,
		Severity:    string(sig.Severity),
		Time:        utc(ev.Time),
		Attacker:    ev.Attacker,
		Victim:      AddrHost(ev.Victim),
		VictimPort:  ev.VictimPort,
		Proto:       ProtoName(ev.Proto),
		Kind:        ev.Kind,
		Detail:      ev.Detail,
		Count:       ev.Count,
		First:       utc(ev.FirstTime),
		Last:        utc(ev.LastTime),
		FirstPacket: e.location(ev.First),
		LastPacket:  e.location(ev.Last),
		Spoofed:     ev.Spoofed,
		RateAction:  ev.RateAction,

		AttackerPort: ev.AttackerPort,
		Rule:         e.rules[ev.SID],
		FlowID:       flowID(ev),
		Direction:    directionName(ev.Dir),
	}
	if a.Rule != nil {
		e.alertedNow = e.alertedNow || ev.FlowStart != 0
		a.PktSrc = packet.SourceName(ev.Source)
		a.Flow, a.AppProto = alertFlow(ev)
	}
	if ev.HasMAC {
		a.AttackerMAC = MACFrom(ev.AttackerMAC)
	}
	// only the packet being observed is known; an alert fired as state
	// expires leaves VLAN unknown (0)
	if f := &e.facts; f.Packet == ev.Last && ev.Last.Num != 0 {
		a.VLAN = f.VLAN
	}
	if ev.SID == detectors.SIDARPPoison {
		if a.Proto == "" {
			a.Proto = "ARP"
		}
		a.ARP = e.arpPacket(ev.Last)
	}
	for _, s := range ev.Sources {
		a.Sources = append(a.Sources, s)
	}
	if ev.Action != packet.ActionAlert {
		a.Action = ev.Action.String()
	}
	// the IPS stopped the packet: a drop in IPS mode, a reject in either
	// (Suricata sends the reset or unreachable in IDS mode too)
	// (a rate_filter's new action replaces the rule's)
	act := effectiveAction(ev)
	a.Dropped = act.Rejects() || act.Blocks() && e.cfg.SimulateIPS
	blocked := !ev.Spoofed && !ev.Unattributed && ev.Attacker.IsValid() && e.cfg.Autoblock > 0
	var at int64
	started := false
	if blocked {
		// The block starts when the detection is made: for a detection
		// made as state expires, that is now, not its last packet.
		at = max(ev.Time, e.clock)
		var ok bool
		started, ok = e.block.block(ev.Attacker, at, ev.SID)
		blocked, a.Blocked = ok, ok
	}
	listed := e.book.add(&a)
	if listed {
		e.detections = append(e.detections, ev)
		e.alerts = append(e.alerts, a)
	}
	e.publish(Event{Type: EventAlert, Time: a.Time, Alert: &a}, listed)
	if blocked {
		// a new block is listed even when its alert is not: blocks
		// are few (one a host per block length), extensions are not
		e.publish(Event{Type: EventBlock, Time: utc(at), Host: AddrHost(ev.Attacker.Unmap()),
			Until: utc(e.block.until(ev.Attacker)), SID: ev.SID, Extended: !started}, listed || started)
	}
}

// arpPacket describes the ARP packet at ref when it is the packet being
// observed, as it is when the ARP detector fires: each of its alerts
// fires on the packet that shows it. Otherwise nil.
func (e *Engine) arpPacket(ref packet.PacketRef) *ARPPacket {
	f := &e.facts
	if f.L3 != packet.L3ARP || f.Packet != ref || ref.Num == 0 {
		return nil
	}
	p := &ARPPacket{SenderIP: f.ARP.SenderIP}
	if t := f.ARP.TargetIP; t.IsValid() && !t.IsUnspecified() {
		p.TargetIP = t
	}
	if f.HasEth {
		p.SrcMAC, p.DestMAC = MACFrom(f.SrcMAC), MACFrom(f.DstMAC)
	}
	return p
}

func (e *Engine) location(r packet.PacketRef) PacketLocation {
	if r.Num == 0 || int(r.File) >= len(e.files) {
		return PacketLocation{}
	}
	return PacketLocation{File: displayPath(e.files[r.File]), Packet: r.Num}
}

// Finish ends open connections and lets detectors fire what is pending, as
// at the end of the capture. Call it once, after the last packet.
func (e *Engine) Finish() {
	e.settle(0, false)
	e.flows.flush()
	e.udpFlows.flush()
	if e.started {
		for _, d := range e.dets {
			d.Expire(e.clock, e.emit)
		}
	}
}

// Fingerprints returns the scanner fingerprints seen so far, by host: the
// evidence the false-positive verdicts read.
func (e *Engine) Fingerprints() []fingerprint.Evidence {
	return e.prints.Evidence()
}

// Result assembles the report. files describe the inputs (Summary fields
// per file); warnings are carried over.
func (e *Engine) Result(files []FileSummary, warnings []string) *Result {
	fps, investigate := classifyCounted(e.detections, e.book.hostTallies(), e.cfg.Catalog, e.cfg.HomeNet, e.prints.Evidence()...)
	r := &Result{
		Schema:         SchemaVersion,
		Files:          files,
		Alerts:         e.alerts,
		AlertGroups:    e.book.result(),
		Blocks:         e.block.results(),
		UnlistedBlocks: e.block.unlistedTotals(),
		Events:         e.stream,
		FalsePositives: fps,
		Investigate:    investigate,
		Warnings:       append(append([]string(nil), warnings...), e.timeline.timeWarnings()...),
	}
	s := &r.Summary
	s.Files = len(files)
	s.Packets, s.Bytes, s.Undecoded = e.packets, e.bytes, e.undecoded
	r.Stats = e.stats
	r.Stats.TCPFlows, r.Stats.UDPFlows = e.flows.created, e.udpFlows.created
	if e.started {
		s.FirstTime, s.LastTime = utc(e.first), utc(e.last)
		s.Span = packet.Duration(e.last - e.first)
	}
	s.Listing = e.book.listing()
	r.Warnings = append(r.Warnings, e.book.warnings()...)
	r.Warnings = append(r.Warnings, e.block.warnings()...)
	s.DecodeErrors = e.dec.decodeErrors()
	s.Evictions = e.evictions()
	for _, ev := range s.Evictions {
		r.Warnings = append(r.Warnings, evictionWarning(ev))
	}
	if n := e.flows.streamGaps(); n > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf(
			"%d gaps in TCP streams: data the receiver acknowledged is missing from the capture; rule contents spanning a gap cannot match",
			n))
	}
	s.Autoblock = packet.Duration(e.cfg.Autoblock)
	if e.cfg.SimulateIPS {
		ips := e.ips
		if e.matcher != nil {
			ips.DroppedFlows = e.matcher.DroppedFlows()
		}
		s.IPS = &ips
	}
	s.Exclusions = e.exclusionUses()
	if set := e.cfg.Signatures; set != nil {
		s.Packs = set.PackNames()
		s.RulesActive, s.RulesSkipped = set.RuleCounts()
		s.RulesFailed = set.RulesFailed()
		s.RulesSkippedReasons = reasonCounts(set.SkippedReasons())
		s.RulesFailedReasons = reasonCounts(set.FailedReasons())
		r.Warnings = append(r.Warnings, set.Warnings...)
		if e.started {
			r.Warnings = append(r.Warnings, set.StaleWarnings(utc(e.last).Time, "the capture")...)
		}
	}
	r.Signatures = e.signatureHits()
	return r
}

// reasonCounts converts the signature set's grouped reasons.
func reasonCounts(in []signatures.ReasonCount) []ReasonCount {
	out := make([]ReasonCount, len(in))
	for i, r := range in {
		out[i] = ReasonCount{Reason: r.Reason, Count: uint64(r.Count)}
	}
	return out
}

// exclusionUses accounts for each exclusion entry, in file order.
func (e *Engine) exclusionUses() []ExclusionUse {
	l := e.cfg.Exclusions
	if l == nil {
		return nil
	}
	out := make([]ExclusionUse, len(l.Entries))
	for i := range l.Entries {
		x := &l.Entries[i]
		out[i] = ExclusionUse{Entry: x.Text, Where: x.Where, Kind: x.Kind(), Alerts: e.removed[i]}
	}
	return out
}

// ruleGIDs maps each rule SID to its rules' generators, for suppress
// entries' gen_id, leaving out SIDs whose rules are all generator 1 (the
// default, and the built-in detections').
func ruleGIDs(set *signatures.Set) map[uint32][]uint32 {
	if set == nil {
		return nil
	}
	out := map[uint32][]uint32{}
	other := map[uint32]bool{}
	for _, r := range set.Rules {
		if r.GID != 1 {
			other[r.SID] = true
		}
		if !slices.Contains(out[r.SID], r.GID) {
			out[r.SID] = append(out[r.SID], r.GID)
		}
	}
	for sid := range out {
		if !other[sid] {
			delete(out, sid)
		}
	}
	return out
}

func (e *Engine) evictions() []ReasonCount {
	var out []ReasonCount
	h, est := e.flows.evictions()
	if h > 0 {
		out = append(out, ReasonCount{Reason: "half-open TCP connections", Count: h})
	}
	if est > 0 {
		out = append(out, ReasonCount{Reason: "established TCP connections", Count: est})
	}
	st, segs := e.flows.streamEvictions()
	if st > 0 {
		out = append(out, ReasonCount{Reason: "TCP stream state", Count: st})
	}
	if segs > 0 {
		out = append(out, ReasonCount{Reason: "held out-of-order TCP segments", Count: segs})
	}
	if n := e.dec.frag.evicted(); n > 0 {
		out = append(out, ReasonCount{Reason: "IP fragments", Count: n})
	}
	for _, d := range e.dets {
		if n := d.Evicted(); n > 0 {
			out = append(out, ReasonCount{Reason: d.Name() + " state", Count: n})
		}
	}
	if n := e.prints.Evicted(); n > 0 {
		out = append(out, ReasonCount{Reason: "scanner fingerprint state", Count: n})
	}
	return out
}

func (e *Engine) signatureHits() []SignatureHit {
	bySID := map[uint32]*SignatureHit{}
	// the alert numbers behind each hit's First and Last break ties on
	// time as a pass over every alert in order would
	type seqs struct{ first, last uint64 }
	at := map[uint32]*seqs{}
	attackers := map[uint32]map[Host]bool{}
	victims := map[uint32]map[Host]bool{}
	var order []uint32
	for _, g := range e.book.all() {
		h := bySID[g.SID]
		if h == nil {
			sig, _ := e.cfg.Catalog.Lookup(g.SID)
			h = &SignatureHit{
				SID: g.SID, Name: g.Name, Severity: g.Severity,
				Category: sig.Category, Description: sig.Description,
				CVEs:  sig.AllCVEs(),
				First: g.First, Last: g.Last, FirstPacket: g.FirstPacket, LastPacket: g.LastPacket,
			}
			if len(h.CVEs) > 0 {
				h.Advice = signatures.PatchAdvice
			}
			bySID[g.SID] = h
			at[g.SID] = &seqs{g.firstSeq, g.lastSeq}
			attackers[g.SID] = map[Host]bool{}
			victims[g.SID] = map[Host]bool{}
			order = append(order, g.SID)
		}
		s := at[g.SID]
		if g.First.Before(h.First.Time) || g.First.Equal(h.First.Time) && g.firstSeq < s.first {
			h.First, h.FirstPacket, s.first = g.First, g.FirstPacket, g.firstSeq
		}
		if g.Last.After(h.Last.Time) || g.Last.Equal(h.Last.Time) && g.lastSeq < s.last {
			h.Last, h.LastPacket, s.last = g.Last, g.LastPacket, g.lastSeq
		}
		h.Count += g.Alerts
		if g.Ungrouped {
			h.MoreAttackers, h.MoreVictims = true, true
			continue
		}
		if g.Attacker.IsValid() {
			attackers[g.SID][g.Attacker] = true
		}
		if g.Victim.IsValid() {
			victims[g.SID][g.Victim] = true
		}
	}
	out := make([]SignatureHit, 0, len(order))
	for _, sid := range order {
		h := bySID[sid]
		var more bool
		h.Attackers, more = sortedCapped(attackers[sid])
		h.MoreAttackers = h.MoreAttackers || more
		h.Victims, more = sortedCapped(victims[sid])
		h.MoreVictims = h.MoreVictims || more
		out = append(out, *h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := severityRank(out[i].Severity), severityRank(out[j].Severity)
		if ri != rj {
			return ri < rj
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].SID < out[j].SID
	})
	return out
}

func severityRank(s string) int {
	switch signatures.Severity(s) {
	case signatures.SeverityHigh:
		return 0
	case signatures.SeverityMedium:
		return 1
	case signatures.SeverityLow:
		return 2
	}
	return 3
}

func sortedCapped(set map[Host]bool) ([]Host, bool) {
	out := make([]Host, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.SortFunc(out, Host.Compare)
	if len(out) > maxHostsListed {
		return out[:maxHostsListed], true
	}
	return out, false
}

func utc(ns int64) Time {
	if ns == 0 {
		return Time{}
	}
	return TimeOf(time.Unix(0, ns).UTC())
}

// ProtoName is Suricata's EVE proto text of an IP protocol number: TCP,
// UDP, ICMP, IPv6-ICMP, else the number; "" for none.
func ProtoName(p uint8) string {
	switch p {
	case 0:
		return ""
	case packet.ProtoTCP:
		return "TCP"
	case packet.ProtoUDP:
		return "UDP"
	case packet.ProtoICMP:
		return "ICMP"
	case packet.ProtoICMPv6:
		return "IPv6-ICMP"
	}
	return fmt.Sprint(p)
}
