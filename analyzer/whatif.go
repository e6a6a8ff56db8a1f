package analyzer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ipsreplay/ipsreplay/detectors"
)

// WhatIfSchema names the JSON what-if report schema; bump it on
// incompatible change.
const WhatIfSchema = "ipsreplay.whatif/v1"

// WhatIf compares two analyses of the same captures run with two exclusion
// lists, A and B: what each would have alerted on and blocked, and what B
// (or A) hides that looks like a real attack. It is a plain value that
// report renders; its slices are sorted and never nil.
type WhatIf struct {
	Schema  string     `json:"schema"`
	Files   int        `json:"files"`   // input files, as in Summary
	Packets uint64     `json:"packets"` // packets read by each run
	A       WhatIfSide `json:"a"`
	B       WhatIfSide `json:"b"`
	// Rows are one per (host, signature) that fired under either list,
	// largest change first, then by host and SID.
	Rows []WhatIfRow `json:"rows"`
	// Blocks are one per host blocked under either list, changed hosts
	// first.
	Blocks []WhatIfBlock `json:"blocks"`
	// Warnings are what one list hides that looks like a real attack.
	Warnings []WhatIfWarning `json:"warnings"`
}

// WhatIfSide is one exclusion list's totals.
type WhatIfSide struct {
	Label string `json:"label"` // "A" or "B"
	Name  string `json:"name"`  // the exclusion file, or "none"
	// Exclusions are the list's entries and the alerts each removed.
	Exclusions     []ExclusionUse `json:"exclusions"`
	Alerts         uint64         `json:"alerts"` // alerts that fired
	Hosts          int            `json:"hosts"`  // hosts that caused them; spoofed floods name none
	BlockedHosts   int            `json:"blocked_hosts"`
	DroppedPackets uint64         `json:"dropped_packets"`
	DroppedBytes   uint64         `json:"dropped_bytes"`
}

// WhatIfRow is one host's alerts of one signature under A and B.
type WhatIfRow struct {
	Host     Host   `json:"host"` // address, or MAC when the alerts had none
	SID      uint32 `json:"sid"`
	Name     string `json:"name"`
	AlertsA  uint64 `json:"alerts_a"`
	AlertsB  uint64 `json:"alerts_b"`
	Change   int64  `json:"change"`    // AlertsB - AlertsA
	BlockedA bool   `json:"blocked_a"` // the host was blocked under A
	BlockedB bool   `json:"blocked_b"`
}

// WhatIfBlock is one host's blocks under A and B.
type WhatIfBlock struct {
	Host            Host   `json:"host"`
	BlocksA         int    `json:"blocks_a"` // separate block periods; 0: not blocked
	BlocksB         int    `json:"blocks_b"`
	DroppedPacketsA uint64 `json:"dropped_packets_a"`
	DroppedPacketsB uint64 `json:"dropped_packets_b"`
	DroppedBytesA   uint64 `json:"dropped_bytes_a"`
	DroppedBytesB   uint64 `json:"dropped_bytes_b"`
}

// WhatIfWarning is a host whose alerts one list hides although they look
// like a real attack.
type WhatIfWarning struct {
	Host     Host     `json:"host"`
	HiddenBy string   `json:"hidden_by"` // label of the list that hides: "B" (or "A")
	SIDs     []uint32 `json:"sids"`      // the suspicious hidden signatures
	Alerts   uint64   `json:"alerts"`    // their alerts under the other list
	// Block is set when the hiding list also lifts the host's block;
	// DroppedPackets is what that block dropped under the other list.
	Block          bool   `json:"block"`
	DroppedPackets uint64 `json:"dropped_packets"`
	// Verdict is the host's false-positive verdict under the other list,
	// "" when it had none.
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Message string   `json:"message"` // one line naming all of the above
}

// CompareExclusions compares a and b, two results of the same captures
// analysed with the exclusion lists named nameA and nameB. An exclusion
// removes a host's alerts and blocks from its Result, so what a list hides
// is what fires under the other and not under it. home is the home
// network both ran with: hiding a host outside it is always warned
// about. a and b are not modified.
func CompareExclusions(a, b *Result, nameA, nameB string, home HomeNet) WhatIf {
	sa, sb := newWhatIfSide(a, "A", nameA), newWhatIfSide(b, "B", nameB)
	w := WhatIf{
		Schema:   WhatIfSchema,
		A:        sa.totals(),
		B:        sb.totals(),
		Rows:     []WhatIfRow{},
		Blocks:   []WhatIfBlock{},
		Warnings: []WhatIfWarning{},
	}
	if a != nil {
		w.Files, w.Packets = a.Summary.Files, a.Summary.Packets
	}

	keys := map[rowKey]bool{}
	for k := range sa.alerts {
		keys[k] = true
	}
	for k := range sb.alerts {
		keys[k] = true
	}
	for k := range keys {
		na, nb := sa.alerts[k], sb.alerts[k]
		name := sa.names[k.sid]
		if name == "" {
			name = sb.names[k.sid]
		}
		w.Rows = append(w.Rows, WhatIfRow{
			Host: k.host, SID: k.sid, Name: name, AlertsA: na, AlertsB: nb,
			Change:   int64(nb) - int64(na),
			BlockedA: sa.blocks[k.host] != nil, BlockedB: sb.blocks[k.host] != nil,
		})
	}
	sort.Slice(w.Rows, func(i, j int) bool {
		x, y := w.Rows[i], w.Rows[j]
		if cx, cy := abs64(x.Change), abs64(y.Change); cx != cy {
			return cx > cy
		}
		if x.Host != y.Host {
			return lessHost(x.Host, y.Host)
		}
		return x.SID < y.SID
	})

	hosts := map[Host]bool{}
	for h := range sa.blocks {
		hosts[h] = true
	}
	for h := range sb.blocks {
		hosts[h] = true
	}
	for h := range hosts {
		row := WhatIfBlock{Host: h}
		if bh := sa.blocks[h]; bh != nil {
			row.BlocksA, row.DroppedPacketsA, row.DroppedBytesA = bh.Blocks, bh.DroppedPackets, bh.DroppedBytes
		}
		if bh := sb.blocks[h]; bh != nil {
			row.BlocksB, row.DroppedPacketsB, row.DroppedBytesB = bh.Blocks, bh.DroppedPackets, bh.DroppedBytes
		}
		w.Blocks = append(w.Blocks, row)
	}
	sort.Slice(w.Blocks, func(i, j int) bool {
		x, y := w.Blocks[i], w.Blocks[j]
		// A block gained or lost matters more than a changed drop count.
		if cx, cy := (x.BlocksA == 0) != (x.BlocksB == 0), (y.BlocksA == 0) != (y.BlocksB == 0); cx != cy {
			return cx
		}
		dx := absDiff(x.DroppedPacketsA, x.DroppedPacketsB)
		if dy := absDiff(y.DroppedPacketsA, y.DroppedPacketsB); dx != dy {
			return dx > dy
		}
		return lessHost(x.Host, y.Host)
	})

	// B hiding real attacks is what an admin trying out B needs to see;
	// the same check the other way round costs nothing.
	w.Warnings = append(w.Warnings, hiddenAttacks(sa, sb, home)...)
	w.Warnings = append(w.Warnings, hiddenAttacks(sb, sa, home)...)
	return w
}

type rowKey struct {
	host Host
	sid  uint32
}

// whatIfSide indexes one result for the comparison.
type whatIfSide struct {
	res      *Result
	label    string
	name     string
	alerts   map[rowKey]uint64
	names    map[uint32]string
	blocks   map[Host]*BlockedHost
	verdicts map[Host]*FalsePositive
}

func newWhatIfSide(r *Result, label, name string) *whatIfSide {
	s := &whatIfSide{res: r, label: label, name: name, alerts: map[rowKey]uint64{},
		names: map[uint32]string{}, blocks: map[Host]*BlockedHost{}, verdicts: map[Host]*FalsePositive{}}
	if r == nil {
		return s
	}
	for i := range r.AlertGroups {
		g := &r.AlertGroups[i]
		host := UnknownHost()
		if g.Attacker.IsValid() {
			host = canonicalHost(g.Attacker)
		}
		s.alerts[rowKey{host, g.SID}] += g.Alerts
		if s.names[g.SID] == "" {
			s.names[g.SID] = g.Name
		}
	}
	for _, sig := range r.Signatures {
		if s.names[sig.SID] == "" {
			s.names[sig.SID] = sig.Name
		}
	}
	for i := range r.Blocks {
		s.blocks[canonicalHost(r.Blocks[i].Host)] = &r.Blocks[i]
	}
	for i := range r.FalsePositives {
		fp := &r.FalsePositives[i]
		s.verdicts[canonicalHost(fp.Host)] = fp
	}
	// A host's alerts without an address are keyed by MAC; let them find
	// the verdict given to the same MAC under its address.
	for i := range r.FalsePositives {
		fp := &r.FalsePositives[i]
		if m := MACHost(fp.MAC); m.IsValid() && s.verdicts[m] == nil {
			s.verdicts[m] = fp
		}
	}
	return s
}

func (s *whatIfSide) totals() WhatIfSide {
	t := WhatIfSide{Label: s.label, Name: s.name, Exclusions: []ExclusionUse{}}
	hosts := map[Host]bool{}
	for k, n := range s.alerts {
		t.Alerts += n
		if k.host != SpoofedHost() && k.host != UnknownHost() {
			hosts[k.host] = true
		}
	}
	t.Hosts = len(hosts)
	if s.res == nil {
		return t
	}
	t.Exclusions = append(t.Exclusions, s.res.Summary.Exclusions...)
	for _, b := range s.res.Blocks {
		t.BlockedHosts++
		t.DroppedPackets += b.DroppedPackets
		t.DroppedBytes += b.DroppedBytes
	}
	u := s.res.UnlistedBlocks
	t.BlockedHosts += int(u.Hosts)
	t.DroppedPackets += u.DroppedPackets
	t.DroppedBytes += u.DroppedBytes
	return t
}

// hiddenAttacks warns about hosts whose alerts fire under shown and not at
// all under hiding, when they look like a real attack: the host is outside
// the home network, or the hidden signatures are not what its
// false-positive verdict under shown explains.
func hiddenAttacks(shown, hiding *whatIfSide, home HomeNet) []WhatIfWarning {
	hidden := map[Host][]uint32{}
	for k := range shown.alerts {
		if hiding.alerts[k] == 0 {
			hidden[k.host] = append(hidden[k.host], k.sid)
		}
	}
	var out []WhatIfWarning
	for host, sids := range hidden {
		sort.Slice(sids, func(i, j int) bool { return sids[i] < sids[j] })
		var reasons []string
		suspicious := map[uint32]bool{}
		if a := host.Addr(); a.IsValid() && !home.Internal(a) {
			reasons = append(reasons, "external host (outside hosts are never excused)")
			for _, sid := range sids {
				suspicious[sid] = true
			}
		}
		verdict := ""
		if fp := shown.verdicts[host]; fp != nil {
			verdict = fp.Verdict
		}
		bad, why := outsideProfile(verdict, sids)
		if len(bad) > 0 {
			reasons = append(reasons, why)
			for _, sid := range bad {
				suspicious[sid] = true
			}
		}
		if len(reasons) == 0 {
			continue
		}
		w := WhatIfWarning{Host: host, HiddenBy: hiding.label, SIDs: []uint32{}, Verdict: verdict, Reasons: reasons}
		var parts []string
		var counts []uint64
		for _, sid := range sids {
			if !suspicious[sid] {
				continue
			}
			n := shown.alerts[rowKey{host, sid}]
			w.SIDs = append(w.SIDs, sid)
			w.Alerts += n
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d %s", sid, shown.names[sid])))
			counts = append(counts, n)
		}
		if bh := shown.blocks[host]; bh != nil && hiding.blocks[host] == nil {
			w.Block, w.DroppedPackets = true, bh.DroppedPackets
		}
		if len(parts) > 1 {
			for i := range parts {
				parts[i] += fmt.Sprintf(" x%d", counts[i])
			}
		}
		w.Message = whatIfMessage(shown, hiding, w, parts)
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return lessHost(out[i].Host, out[j].Host) })
	return out
}

// whatIfMessage words a warning as one line, e.g. "B (scanners.txt) hides
// 203.0.113.66: 1 alert (9000002 Attack: Port Scan) and its block (2426
// packets dropped under A): external host (...)".
func whatIfMessage(shown, hiding *whatIfSide, w WhatIfWarning, sigs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) hides %s: %s (%s)", hiding.label, hiding.name, w.Host,
		plural(int(w.Alerts), "alert"), strings.Join(sigs, ", "))
	if w.Block {
		fmt.Fprintf(&b, " and its block (%d packets dropped under %s)", w.DroppedPackets, shown.label)
	}
	b.WriteString(": ")
	b.WriteString(strings.Join(w.Reasons, "; "))
	return b.String()
}

// outsideProfile returns the signatures in sids that a host with this
// false-positive verdict would not cause, and why. Each detector's profile
// says which benign hosts cause its alerts (a SYN flood: none; ARP
// changes: guest VMs; failed logins and port checks: scanners and
// monitors), and pack rules are a scanner's. Verdicts added later get the
// scanner's rule.
func outsideProfile(verdict string, sids []uint32) ([]uint32, string) {
	var cause detectors.Cause
	var why string
	switch verdict {
	case "":
		return sids, "no false-positive verdict (nothing explains these alerts as benign)"
	case VerdictGuestVM:
		why, cause = "a guest VM explains only ARP alerts", detectors.CauseGuestVM
	case VerdictMonitoring:
		why, cause = "a monitoring system explains only failed logins and port checks", detectors.CauseMonitoring
	default:
		why, cause = fmt.Sprintf("a %s does not flood or poison ARP caches", verdict), detectors.CauseScanner
	}
	var bad []uint32
	for _, sid := range sids {
		if detectors.ProfileOf(sid).Benign()&cause == 0 {
			bad = append(bad, sid)
		}
	}
	return bad, why
}

// canonicalHost unmaps an IPv4-mapped address, so the same host from
// alerts, blocks and verdicts meets under one key.
func canonicalHost(h Host) Host {
	if a := h.Addr(); a.Is4In6() {
		return AddrHost(a.Unmap())
	}
	return h
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
