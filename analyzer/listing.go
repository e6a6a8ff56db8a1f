package analyzer

import "fmt"

// A flood can raise an alert per packet: a million gratuitous ARP replies
// are a million alerts. Keeping every alert (and its event, and the
// detection the host verdicts read) made memory grow with the input, about
// 10 KB an alert by the time the JSON was rendered. So, as Suricata's and
// Zeek's summaries do, the run counts every alert exactly in groups (one
// per signature, attacker, victim and kind) and keeps a bounded sample of
// whole alerts; the streamed formats write every alert as it happens.

// ReportConfig bounds what a run keeps of its alerts and events for the
// report. Counts (per signature, per group, per host) stay exact whatever
// the bounds; only the lists of whole alerts and events are sampled.
type ReportConfig struct {
	// MaxAlerts is how many alerts are listed in full (the report's
	// alerts, their events, and the sample the false-positive verdicts
	// read): every alert up to it, then the first alert of each group met
	// later, up to as many again, so a late attacker is still shown.
	// Default 5,000.
	MaxAlerts int `json:"max_alerts"`
	// MaxAlertGroups is the most groups (signature, attacker, victim,
	// kind) counted apart. Alerts of later groups are counted per
	// signature only, with no host named. Default 5,000.
	MaxAlertGroups int `json:"max_alert_groups"`
	// MaxHosts is the most alerting hosts whose alerts are counted for
	// their verdicts; alerts of later hosts are in no verdict. Default
	// 5,000.
	MaxHosts int `json:"max_hosts"`
	// MaxBlockedHosts is how many blocked hosts the report lists, the
	// first blocked; the blocks of later hosts are totalled
	// (Result.UnlistedBlocks) once they end. Default 5,000.
	MaxBlockedHosts int `json:"max_blocked_hosts"`
	// MaxEvents is the most events (alerts, blocks, unblocks) the report
	// lists in order; streamed formats write them all. An event of an
	// alert not listed is not listed either. Default 20,000.
	MaxEvents int `json:"max_events"`
}

// DefaultReportConfig returns the defaults: with them a run's alert
// state stays under about 25 MB whatever the capture.
func DefaultReportConfig() ReportConfig {
	return ReportConfig{MaxAlerts: 5_000, MaxAlertGroups: 5_000, MaxHosts: 5_000, MaxBlockedHosts: 5_000, MaxEvents: 20_000}
}

// Validate checks the bounds.
func (c ReportConfig) Validate() error {
	const most = 10_000_000
	for _, v := range []struct {
		key string
		n   int
	}{{"max_alerts", c.MaxAlerts}, {"max_alert_groups", c.MaxAlertGroups}, {"max_hosts", c.MaxHosts},
		{"max_blocked_hosts", c.MaxBlockedHosts}, {"max_events", c.MaxEvents}} {
		if v.n < 1 || v.n > most {
			return fmt.Errorf("%s %d: want 1 to %d", v.key, v.n, most)
		}
	}
	return nil
}

// groupKey is what an alert group is counted by. The attacker is
// Alert.Source (address, else MAC, else the spoofed placeholder); spoofed
// is kept apart because a spoofed alert can name an address too.
type groupKey struct {
	sid      uint32
	attacker Host
	victim   Host
	kind     string
	spoofed  bool
}

// groupState is one group being counted. firstSeq and lastSeq number
// the alerts that set First and Last, so that ties on time across groups
// resolve as they would over the whole list of alerts.
type groupState struct {
	AlertGroup
	firstSeq, lastSeq uint64
}

// alertBook counts every alert and keeps the bounded sample.
type alertBook struct {
	cfg    ReportConfig
	groups map[groupKey]*groupState
	order  []*groupState
	// overflow holds, per signature, the alerts met once the group table
	// was full, with no host named
	overflow      map[uint32]*groupState
	overflowOrder []*groupState
	ungrouped     uint64
	// hosts are the alerts per signature of each alerting host, as the
	// verdicts key hosts; untallied counts alerts of hosts past MaxHosts
	hosts     map[hostKey]map[uint32]uint64
	untallied uint64

	alerts       uint64 // every alert
	listed       uint64 // alerts kept whole
	events       uint64 // every event
	eventsListed uint64
}

// newAlertBook counts within cfg's bounds (NewEngine has filled in the
// defaults).
func newAlertBook(cfg ReportConfig) *alertBook {
	return &alertBook{cfg: cfg, groups: map[groupKey]*groupState{}, overflow: map[uint32]*groupState{},
		hosts: map[hostKey]map[uint32]uint64{}}
}

// add counts the alert a and reports whether it is listed in full.
func (b *alertBook) add(a *Alert) bool {
	b.alerts++
	k := groupKey{sid: a.SID, attacker: a.Source(), victim: a.Victim, kind: a.Kind, spoofed: a.Spoofed}
	g := b.groups[k]
	if g == nil {
		if len(b.groups) < b.cfg.MaxAlertGroups {
			g = &groupState{AlertGroup: AlertGroup{SID: a.SID, Name: a.Name, Severity: a.Severity,
				Attacker: k.attacker, Victim: k.victim, Kind: a.Kind}}
			b.groups[k] = g
			b.order = append(b.order, g)
		} else {
			b.ungrouped++
			if g = b.overflow[a.SID]; g == nil {
				g = &groupState{AlertGroup: AlertGroup{SID: a.SID, Name: a.Name, Severity: a.Severity, Ungrouped: true}}
				b.overflow[a.SID] = g
				b.overflowOrder = append(b.overflowOrder, g)
			}
		}
	}
	if hk, ok := tallyKey(k.attacker, a.Spoofed); ok {
		t := b.hosts[hk]
		if t == nil && len(b.hosts) < b.cfg.MaxHosts {
			t = map[uint32]uint64{}
			b.hosts[hk] = t
		}
		if t != nil {
			t[a.SID]++
		} else {
			b.untallied++
		}
	}
	if g.Alerts == 0 || a.First.Before(g.First.Time) {
		g.First, g.FirstPacket, g.firstSeq = a.First, a.FirstPacket, b.alerts
	}
	if g.Alerts == 0 || a.Last.After(g.Last.Time) {
		g.Last, g.LastPacket, g.lastSeq = a.Last, a.LastPacket, b.alerts
	}
	g.Alerts++
	if a.Blocked {
		g.Blocked++
	}
	// Every alert up to the bound; past it the first alert of each new
	// group, up to as many again, so a late attacker is still shown. An
	// overflow group is never new.
	most := uint64(b.cfg.MaxAlerts)
	list := b.listed < most || b.listed < 2*most && g.Listed == 0 && !g.Ungrouped
	if list {
		b.listed++
		g.Listed++
	}
	return list
}

// event counts an event and reports whether the report lists it: only
// events of listed alerts (keep) and only up to MaxEvents.
func (b *alertBook) event(keep bool) bool {
	b.events++
	if !keep || b.eventsListed >= uint64(b.cfg.MaxEvents) {
		return false
	}
	b.eventsListed++
	return true
}

// result returns the groups, in the order their first alert came, the
// signatures' overflow groups last.
func (b *alertBook) result() []AlertGroup {
	all := b.all()
	out := make([]AlertGroup, len(all))
	for i, g := range all {
		out[i] = g.AlertGroup
	}
	return out
}

// listing says how much was kept.
func (b *alertBook) listing() Listing {
	return Listing{
		Alerts: b.alerts, AlertsListed: b.listed, Events: b.events, EventsListed: b.eventsListed,
		Groups: len(b.order), Ungrouped: b.ungrouped, Hosts: len(b.hosts), Untallied: b.untallied,
		MaxAlerts: b.cfg.MaxAlerts, MaxAlertGroups: b.cfg.MaxAlertGroups, MaxHosts: b.cfg.MaxHosts,
		MaxBlockedHosts: b.cfg.MaxBlockedHosts, MaxEvents: b.cfg.MaxEvents,
	}
}

// warnings say what the report does not list in full, and where the
// exact counts are.
func (b *alertBook) warnings() []string {
	var out []string
	if b.listed < b.alerts || b.eventsListed < b.events {
		out = append(out, fmt.Sprintf(
			"%d alerts and %d events; the report lists %d alerts and %d events in full (report.max_alerts %d, report.max_events %d: the first alerts, then the first of each new signature/attacker/victim/kind); counts in signatures, alert groups and host verdicts are exact, and eve and jsonl output stream every alert",
			b.alerts, b.events, b.listed, b.eventsListed, b.cfg.MaxAlerts, b.cfg.MaxEvents))
	}
	if b.ungrouped > 0 {
		out = append(out, fmt.Sprintf(
			"%d alerts came after %d alert groups (report.max_alert_groups): they are counted per signature, in one group each without hosts",
			b.ungrouped, b.cfg.MaxAlertGroups))
	}
	if b.untallied > 0 {
		out = append(out, fmt.Sprintf(
			"%d alerts came from hosts past the first %d (report.max_hosts): they are in no host verdict",
			b.untallied, b.cfg.MaxHosts))
	}
	return out
}

// hostTallies returns, per alerting host as the false-positive verdicts
// key them, its exact alerts per signature. Spoofed alerts and alerts of
// hosts past MaxHosts are left out.
func (b *alertBook) hostTallies() map[hostKey]map[uint32]uint64 { return b.hosts }

// tallyKey is the host key classifyHosts gives the alerts of attacker:
// eventHostKey, read from the alert rather than its event.
func tallyKey(attacker Host, spoofed bool) (hostKey, bool) {
	switch {
	case spoofed:
		return hostKey{}, false
	case attacker.Addr().IsValid():
		return hostKey{addr: attacker.Addr().Unmap()}, true
	case attacker.MAC().IsValid():
		return hostKey{mac: attacker.MAC().As6()}, true
	}
	return hostKey{}, false
}

// all returns the groups being counted, overflow groups last.
func (b *alertBook) all() []*groupState {
	return append(b.order[:len(b.order):len(b.order)], b.overflowOrder...)
}
