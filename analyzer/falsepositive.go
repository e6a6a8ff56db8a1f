package analyzer

// False-positive classification: every host that fired gets a verdict, a
// likely false positive of a known kind (an internal scanner, a guest VM,
// a monitoring system) or "needs investigation" with the reason. It reads
// only the detections, after the run, so it costs nothing per packet and
// keeps no state of its own beyond the alerts already held.
//
// The rule that never bends: an outside host, or an inside host that
// floods or poisons ARP caches, is never excused, however much it looks
// like a scanner; nor is a host for which no evidence speaks.

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/fingerprint"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// Verdicts of a likely false positive.
const (
	VerdictScanner    = "scanner"
	VerdictGuestVM    = "guest-vm"
	VerdictMonitoring = "monitoring"
)

// Confidence levels: how many independent lines of evidence agree.
const (
	ConfidenceHigh   = "high"
	ConfidenceMedium = "medium"
	ConfidenceLow    = "low"
)

// Monitoring checks run on a fixed schedule: Nagios, Zabbix and their kin
// default to 1-5 minutes. Guessing tools try every second or faster, so a
// gap this long between one source's attempts is a schedule, not a guess.
const (
	monitorMinGap = 10 * time.Second
	// monitorMaxPorts: a monitor checks the same few services everywhere.
	monitorMaxPorts = 3
)

// hypervisorOUI names the hypervisor whose OUI mac carries, or "".
func hypervisorOUI(mac [6]byte) string {
	switch [3]byte(mac[:3]) {
	case [3]byte{0x00, 0x05, 0x69}, [3]byte{0x00, 0x0c, 0x29}, [3]byte{0x00, 0x1c, 0x14}, [3]byte{0x00, 0x50, 0x56}:
		return "VMware"
	case [3]byte{0x08, 0x00, 0x27}, [3]byte{0x0a, 0x00, 0x27}:
		return "VirtualBox"
	case [3]byte{0x00, 0x1c, 0x42}:
		return "Parallels"
	case [3]byte{0x52, 0x54, 0x00}:
		return "QEMU/KVM"
	case [3]byte{0x00, 0x15, 0x5d}:
		return "Hyper-V"
	case [3]byte{0x00, 0x03, 0xff}:
		return "Microsoft Virtual PC"
	case [3]byte{0x00, 0x16, 0x3e}:
		return "Xen"
	}
	return ""
}

// scannerTool names the scanner a signature's name mentions, or "": rules
// that recognise a scanner say so in their msg, so any pack's rules count,
// not a fixed list of ids. A word must start at a word boundary so that,
// say, "roadmap" is not nmap.
func scannerTool(name string) string {
	tools := [...]struct{ word, name string }{
		{"nmap", "Nmap"}, {"nessus", "Nessus"}, {"openvas", "OpenVAS"}, {"greenbone", "OpenVAS"},
		{"qualys", "Qualys"}, {"nexpose", "Rapid7 Nexpose"}, {"insightvm", "Rapid7 InsightVM"},
		{"nikto", "Nikto"}, {"masscan", "masscan"}, {"zmap", "ZMap"}, {"zgrab", "ZGrab"},
		{"acunetix", "Acunetix"}, {"nuclei", "Nuclei"},
	}
	low := strings.ToLower(name)
	for _, t := range tools {
		for i := 0; ; {
			j := strings.Index(low[i:], t.word)
			if j < 0 {
				break
			}
			j += i
			if j == 0 || !fpWordByte(low[j-1]) {
				return t.name
			}
			i = j + 1
		}
	}
	return ""
}

func fpWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// guestVMARP reports an ARP alert a guest VM causes (the ARP detector's
// profile says which kinds); a frame carrying another NIC's ARP is a
// guest's only when that NIC is a hypervisor's.
func guestVMARP(ev *packet.Event) bool {
	if detectors.ProfileOf(ev.SID).Of(ev.Kind).Benign&detectors.CauseGuestVM == 0 {
		return false
	}
	return ev.Kind != detectors.KindEthMismatch || hypervisorOUI(ev.ClaimMAC) != ""
}

// hostKey identifies an alerting host: by address when known, else by MAC.
type hostKey struct {
	addr netip.Addr
	mac  [6]byte
}

// hostFacts is what the alerts say about one host.
type hostFacts struct {
	key    hostKey
	mac    [6]byte
	hasMAC bool
	evs    []*packet.Event
	sids   map[uint32]uint64
	home   HomeNet // what counts as internal
	// prints are the scanner fingerprints its packets showed
	// (fingerprint.Tracker), by class
	prints []fingerprint.Evidence
}

func (h *hostFacts) name() Host {
	if h.key.addr.IsValid() {
		return AddrHost(h.key.addr)
	}
	return MACHost(MACFrom(h.mac))
}

func (h *hostFacts) macAddr() MAC {
	if !h.hasMAC {
		return MAC{}
	}
	return MACFrom(h.mac)
}

// alerts is how many alerts the host raised.
func (h *hostFacts) alerts() uint64 {
	var n uint64
	for _, c := range h.sids {
		n += c
	}
	return n
}

func (h *hostFacts) sidList() []uint32 {
	out := make([]uint32, 0, len(h.sids))
	for sid := range h.sids {
		out = append(out, sid)
	}
	slices.Sort(out)
	return out
}

// classifyHosts gives every host that fired a verdict: a likely false
// positive, or the reason it needs investigation. Both lists are sorted by
// host. cat names signatures (scanner fingerprints); it may be nil. home
// decides which addresses are internal. prints, when given, are the
// packets' scanner fingerprints (fingerprint.Tracker.Evidence): they
// annotate the verdict of a host that fired, never make one for a host
// that did not.
func classifyHosts(events []packet.Event, cat *signatures.Catalog, home HomeNet, prints ...fingerprint.Evidence) ([]FalsePositive, []Investigation) {
	return classifyCounted(events, eventTallies(events), cat, home, prints...)
}

// eventHostKey is the host an event is judged under: its attacker's
// address, else its MAC; false for spoofed events (they name a victim,
// not a host that did anything) and distributed ones (nobody to judge).
func eventHostKey(ev *packet.Event) (hostKey, bool) {
	if ev.Spoofed {
		return hostKey{}, false
	}
	k := hostKey{addr: ev.Attacker.Unmap()}
	if !k.addr.IsValid() {
		if !ev.HasMAC {
			return hostKey{}, false
		}
		k.mac = ev.AttackerMAC
	}
	return k, true
}

// eventTallies counts events per host and signature.
func eventTallies(events []packet.Event) map[hostKey]map[uint32]uint64 {
	out := map[hostKey]map[uint32]uint64{}
	for i := range events {
		if k, ok := eventHostKey(&events[i]); ok {
			if out[k] == nil {
				out[k] = map[uint32]uint64{}
			}
			out[k][events[i].SID]++
		}
	}
	return out
}

// classifyCounted is classifyHosts when events are a sample: tallies are
// every host's exact alerts per signature, and the hosts judged. A host
// with alerts and none in the sample is listed to investigate, unjudged.
func classifyCounted(events []packet.Event, tallies map[hostKey]map[uint32]uint64, cat *signatures.Catalog, home HomeNet, prints ...fingerprint.Evidence) ([]FalsePositive, []Investigation) {
	byHost := map[netip.Addr][]fingerprint.Evidence{}
	for _, e := range prints {
		a := e.Host.Unmap()
		byHost[a] = append(byHost[a], e)
	}
	hosts := make(map[hostKey]*hostFacts, len(tallies))
	// the lists are sorted by host below, so map order does not show
	order := make([]*hostFacts, 0, len(tallies))
	for k, sids := range tallies {
		h := &hostFacts{key: k, sids: sids, home: home, prints: byHost[k.addr]}
		if !k.addr.IsValid() {
			h.mac, h.hasMAC = k.mac, true
		}
		hosts[k] = h
		order = append(order, h)
	}
	for i := range events {
		ev := &events[i]
		k, ok := eventHostKey(ev)
		if !ok || hosts[k] == nil {
			continue // past report.max_hosts: in no verdict
		}
		h := hosts[k]
		if ev.HasMAC && !h.hasMAC {
			h.mac, h.hasMAC = ev.AttackerMAC, true
		}
		h.evs = append(h.evs, ev)
	}
	names := func(sid uint32) string {
		if cat != nil {
			if s, ok := cat.Lookup(sid); ok {
				return s.Name
			}
		}
		return fmt.Sprintf("signature %d", sid)
	}
	var fps []FalsePositive
	var inv []Investigation
	for _, h := range order {
		var fp FalsePositive
		var why *Investigation
		if len(h.evs) == 0 {
			why = &Investigation{
				Reason: "not judged: none of its alerts is in the report's sample (report.max_alerts)",
			}
		} else {
			fp, why = judgeHost(h, names)
		}
		if why == nil {
			fp.Host, fp.MAC, fp.Alerts, fp.SIDs = h.name(), h.macAddr(), h.alerts(), h.sidList()
			fps = append(fps, fp)
			continue
		}
		why.Host, why.MAC, why.Alerts, why.SIDs = h.name(), h.macAddr(), h.alerts(), h.sidList()
		inv = append(inv, *why)
	}
	sort.SliceStable(fps, func(i, j int) bool { return lessHost(fps[i].Host, fps[j].Host) })
	sort.SliceStable(inv, func(i, j int) bool { return lessHost(inv[i].Host, inv[j].Host) })
	return fps, inv
}

// profile is the evidence gathered from one host's alerts.
type profile struct {
	// external: an address outside the home network and not link-local
	// or loopback (HomeNet.Internal); a host known only by a MAC from ARP
	// is on the segment
	external bool

	victims   map[netip.Addr]bool
	ports     map[uint16]bool
	maxSweep  uint64 // most hosts one sweep counted
	sweeps    map[string]int
	verticals map[netip.Addr]bool

	tools     map[string]map[uint32]uint64 // scanner → fingerprinting sids → alerts
	toolOrder []string
	prints    []fingerprint.Evidence // its packets' fingerprints
	rules     map[uint32]uint64      // other pack rules

	brute []*packet.Event
	flood []*packet.Event
	broke []*packet.Event // logins after its guessing was reported

	arp      []*packet.Event
	arpKinds map[string]int
	poison   []string // lines on ARP poisoning
	vm       arpVM
}

// arpVM is the guest-VM evidence in a host's ARP alerts.
type arpVM struct {
	vendor   string   // hypervisor of the host's own MAC
	bridged  []string // VM NICs whose ARP the host's frames carried (eth-mismatch)
	prevVM   []string // addresses taken over from another VM NIC
	claimed  map[netip.Addr]bool
	claims   int  // most addresses the MAC claimed in one window
	allGuest bool // every ARP alert is of a kind a VM causes
}

func (v *arpVM) evidence() bool { return v.vendor != "" || len(v.bridged) > 0 }

func gatherProfile(h *hostFacts, names func(uint32) string) *profile {
	p := &profile{
		victims: map[netip.Addr]bool{}, ports: map[uint16]bool{}, sweeps: map[string]int{},
		verticals: map[netip.Addr]bool{}, tools: map[string]map[uint32]uint64{}, rules: map[uint32]uint64{},
		arpKinds: map[string]int{},
	}
	p.vm.claimed = map[netip.Addr]bool{}
	p.vm.allGuest = true
	p.prints = h.prints
	p.external = h.key.addr.IsValid() && !h.home.Internal(h.key.addr)
	if h.hasMAC {
		p.vm.vendor = hypervisorOUI(h.mac)
	}
	for _, ev := range h.evs {
		shows := detectors.ProfileOf(ev.SID).Of(ev.Kind).Evidence
		if ev.Victim.IsValid() && shows != detectors.EvidenceARP {
			p.victims[ev.Victim.Unmap()] = true
		}
		if ev.VictimPort != 0 {
			p.ports[ev.VictimPort] = true
		}
		switch shows {
		case detectors.EvidenceVerticalScan:
			p.verticals[ev.Victim.Unmap()] = true
		case detectors.EvidenceSweep:
			p.sweeps[ev.Kind]++
			p.maxSweep = max(p.maxSweep, ev.Count)
		case detectors.EvidenceFlood:
			p.flood = append(p.flood, ev)
		case detectors.EvidenceLogin:
			p.broke = append(p.broke, ev)
		case detectors.EvidenceFailedLogins:
			p.brute = append(p.brute, ev)
		case detectors.EvidenceARP:
			p.arpEvent(h, ev)
		default: // a probe: a rule's alert
			if tool := scannerTool(names(ev.SID)); tool != "" {
				if p.tools[tool] == nil {
					p.tools[tool] = map[uint32]uint64{}
					p.toolOrder = append(p.toolOrder, tool)
				}
				p.tools[tool][ev.SID]++
			} else {
				p.rules[ev.SID]++
			}
		}
	}
	sort.Strings(p.toolOrder)
	return p
}

// scannerTools names the tools the rule alerts and the packet fingerprints
// name, sorted.
func (p *profile) scannerTools() []string {
	tools := slices.Clone(p.toolOrder)
	for _, e := range p.prints {
		if !slices.Contains(tools, e.Tool) {
			tools = append(tools, e.Tool)
		}
	}
	slices.Sort(tools)
	return tools
}

func (p *profile) arpEvent(h *hostFacts, ev *packet.Event) {
	p.arp = append(p.arp, ev)
	p.arpKinds[ev.Kind]++
	victim := addrString(ev.Victim)
	switch ev.Kind {
	case detectors.KindGateway:
		p.poison = append(p.poison, fmt.Sprintf("claimed the gateway %s for %s (%s)", victim, fpMAC(ev.AttackerMAC), plural(int(ev.Count), "claim")))
	case detectors.KindUnsolicitedReply:
		p.poison = append(p.poison, fmt.Sprintf("unsolicited ARP replies claiming %s for %s", victim, fpMAC(ev.AttackerMAC)))
	case detectors.KindImpersonation:
		p.poison = append(p.poison, fmt.Sprintf("claimed %s, then asked who has it: a man in the middle relaying", victim))
	case detectors.KindEthMismatch:
		if v := hypervisorOUI(ev.ClaimMAC); v != "" {
			p.vm.bridged = append(p.vm.bridged, fmt.Sprintf("frames from %s carry ARP for %s NIC %s (%s): a guest bridged through this host",
				fpMAC(ev.AttackerMAC), v, fpMAC(ev.ClaimMAC), victim))
		} else {
			p.poison = append(p.poison, fmt.Sprintf("frames from %s forge ARP for %s at %s", fpMAC(ev.AttackerMAC), victim, fpMAC(ev.ClaimMAC)))
		}
	}
	if !guestVMARP(ev) {
		p.vm.allGuest = false
	}
	if ev.Kind == detectors.KindGratuitous || ev.Kind == detectors.KindBindingChange {
		if v := hypervisorOUI(ev.PrevMAC); v != "" && p.vm.vendor != "" {
			p.vm.prevVM = append(p.vm.prevVM, fmt.Sprintf("%s moved from %s NIC %s to %s: a VM re-created or migrated",
				victim, v, fpMAC(ev.PrevMAC), fpMAC(ev.ClaimMAC)))
		}
	}
	// only claims made for the host's own MAC say what it answers for
	if h.hasMAC && ev.ClaimMAC == h.mac {
		p.vm.claims = max(p.vm.claims, ev.Claims)
		for _, a := range ev.Claimed {
			p.vm.claimed[a] = true
		}
		if ev.Victim.IsValid() {
			p.vm.claimed[ev.Victim.Unmap()] = true
		}
	}
}

// judge returns a false positive, or why the host needs investigation.
func judgeHost(h *hostFacts, names func(uint32) string) (FalsePositive, *Investigation) {
	p := gatherProfile(h, names)
	if p.external {
		ev := []string{fmt.Sprintf("outside address %s", h.key.addr)}
		ev = append(ev, p.activity(names)...)
		if scan, _ := p.scannerLines(names); len(scan) > 0 {
			ev = append(ev, "looks like a scanner ("+strings.Join(scan, "; ")+"), but scanners are excused only inside the network")
		}
		return FalsePositive{}, &Investigation{
			Reason:   "outside address: never presumed benign; a real attacker or a compromised host",
			Evidence: ev,
		}
	}
	var attack, scannersDont []string
	if len(p.flood) > 0 {
		attack, scannersDont = append(attack, "floods"), append(scannersDont, "flood")
	}
	if len(p.poison) > 0 {
		attack, scannersDont = append(attack, "poisons ARP caches"), append(scannersDont, "poison ARP caches")
	}
	if len(p.broke) > 0 {
		attack = append(attack, "kept a session after guessing logins")
		scannersDont = append(scannersDont, "keep a session they broke into")
	}
	if len(attack) > 0 {
		ev := append(p.activity(names), p.poison...)
		ev = append(ev, p.printLines()...)
		for _, b := range p.broke {
			ev = append(ev, fmt.Sprintf("logged in to %s:%d after guessing: %s", addrString(b.Victim), b.VictimPort, b.Detail))
		}
		reason := "internal host that " + strings.Join(attack, " and ") +
			": scanners probe, they do not " + strings.Join(scannersDont, " or ") + "; an attacker or a compromised host"
		return FalsePositive{}, &Investigation{Reason: reason, Evidence: ev}
	}
	arpOnly := len(p.arp) == len(h.evs)
	if len(p.arp) > 0 && (!p.vm.allGuest || !p.vm.evidence()) {
		ev := append(p.activity(names), fmt.Sprintf("ARP alerts (%s) with no sign of a guest VM (hypervisor OUI, bridged VM NIC)", kindList(p.arpKinds)))
		return FalsePositive{}, &Investigation{
			Reason:   "ARP bindings changed by a host that shows no sign of being a VM: address reuse, or poisoning",
			Evidence: ev,
		}
	}
	if arpOnly {
		return guestVMVerdict(h, p), nil
	}
	if fp, ok := scannerVerdict(h, p, names); ok {
		return fp, nil
	}
	if fp, ok := monitoringVerdict(h, p); ok {
		return fp, nil
	}
	if len(p.prints) > 0 {
		// only a single target: the tool is known, not who runs it
		return FalsePositive{}, &Investigation{
			Reason: "internal host whose " + strings.Join(p.scannerTools(), "/") +
				" probes reached one host: a single target may be an attacker's lateral reconnaissance",
			Evidence: append(p.activity(names), p.printLines()...),
		}
	}
	return FalsePositive{}, &Investigation{
		Reason:   "internal host with no evidence of a scanner, guest VM or monitoring system: it may be compromised",
		Evidence: p.activity(names),
	}
}

// reach is how many hosts the alerts name or a sweep counted.
func (p *profile) reach() int {
	return max(len(p.victims), int(p.maxSweep))
}

// printLines are the packet fingerprints, one line each.
func (p *profile) printLines() []string {
	out := make([]string, len(p.prints))
	for i, e := range p.prints {
		out[i] = e.Detail
	}
	return out
}

// activity summarises what a host did, for any verdict.
func (p *profile) activity(names func(uint32) string) []string {
	var out []string
	kinds := len(p.tools) + len(p.rules)
	if len(p.verticals)+len(p.sweeps) > 0 {
		kinds++
	}
	for _, b := range []bool{len(p.brute) > 0, len(p.flood) > 0, len(p.arp) > 0} {
		if b {
			kinds++
		}
	}
	if line := breadthLine(kinds, max(len(p.victims), int(p.maxSweep)), len(p.ports)); line != "" {
		out = append(out, line)
	}
	if n := len(p.verticals); n > 0 {
		out = append(out, fmt.Sprintf("vertical port scan of %s (%s)", plural(n, "host"), fpAddrList(p.verticals, 4)))
	}
	if len(p.sweeps) > 0 {
		out = append(out, fmt.Sprintf("sweeps: %s, up to %s each", kindList(p.sweeps), plural(int(p.maxSweep), "host")))
	}
	for _, ev := range p.flood {
		out = append(out, fmt.Sprintf("SYN flood of %s:%d (%d SYNs)", addrString(ev.Victim), ev.VictimPort, ev.Count))
	}
	for _, ev := range p.brute {
		out = append(out, fmt.Sprintf("%d failed %s logins against %s:%d", ev.Count, ev.Kind, addrString(ev.Victim), ev.VictimPort))
	}
	for _, sid := range sortedSIDs(p.rules) {
		out = append(out, fmt.Sprintf("%q (sid %d) in %s", names(sid), sid, plural(int(p.rules[sid]), "alert")))
	}
	return out
}

// breadthLine says how widely a host fired: "fired 4 signature kinds
// against 12 hosts on 7 ports", leaving out what is not known.
func breadthLine(kinds, hosts, ports int) string {
	if hosts == 0 && ports == 0 {
		return ""
	}
	line := "fired " + plural(kinds, "signature kind")
	if hosts > 0 {
		line += " against " + plural(hosts, "host")
	}
	if ports > 0 {
		line += " on " + plural(ports, "port")
	}
	return line
}

// scannerLines are the lines of scanner evidence and how many of them are
// independent: alerts of rules that name a scanner (one, however many
// rules agree), each class of packet fingerprint (nmap's SYN probes, its
// service probes, its OS probes, masscan's or ZMap's headers: different
// probes of a scan) when the alerts reach several hosts, a sweep pattern,
// vertical scans of several hosts.
func (p *profile) scannerLines(names func(uint32) string) (out []string, independent int) {
	if len(p.tools) > 0 {
		independent++
	}
	for _, tool := range p.toolOrder {
		for _, sid := range sortedSIDs(p.tools[tool]) {
			out = append(out, fmt.Sprintf("%s fingerprint in %s of %q (sid %d)",
				tool, plural(int(p.tools[tool][sid]), "alert"), names(sid), sid))
		}
	}
	// A scan of one host may be an attacker's lateral reconnaissance,
	// whatever tool made it: the tool's shape counts only when the alerts
	// reach several hosts.
	classes := map[fingerprint.Class]bool{}
	for _, e := range p.prints {
		out = append(out, e.Detail)
		classes[e.Class] = true
	}
	if p.reach() >= 2 {
		independent += len(classes)
	}
	sweeps := 0
	for _, n := range p.sweeps {
		sweeps += n
	}
	if sweeps >= 2 || len(p.sweeps) >= 2 {
		out = append(out, fmt.Sprintf("regular sweeps: %s, up to %s each", kindList(p.sweeps), plural(int(p.maxSweep), "host")))
		independent++
	}
	if len(p.verticals) >= 2 {
		out = append(out, fmt.Sprintf("vertical scans of %s (%s)", plural(len(p.verticals), "host"), fpAddrList(p.verticals, 4)))
		independent++
	}
	return out, independent
}

func scannerVerdict(h *hostFacts, p *profile, names func(uint32) string) (FalsePositive, bool) {
	lines, n := p.scannerLines(names)
	named := len(p.tools) > 0 || len(p.prints) > 0 // a tool is known
	hosts := p.reach()
	// breadth: many signature kinds, or many hosts on several ports
	broad := len(h.sids) >= 3 || hosts >= 10 && len(p.ports) >= 3
	if n == 0 {
		return FalsePositive{}, false // one sweep or one host scanned: could be lateral recon
	}
	ev := []string{fmt.Sprintf("internal address %s", h.key.addr)}
	ev = append(ev, lines...)
	if broad {
		ev = append(ev, breadthLine(len(h.sids), hosts, len(p.ports)))
		n++
	}
	if len(p.ports) > 0 {
		ev = append(ev, fmt.Sprintf("ports %s", portList(p.ports)))
	}
	for _, b := range p.brute {
		ev = append(ev, fmt.Sprintf("also tried %d %s logins on %s:%d (vulnerability scanners test default credentials)",
			b.Count, b.Kind, addrString(b.Victim), b.VictimPort))
	}
	for _, sid := range sortedSIDs(p.rules) {
		ev = append(ev, fmt.Sprintf("also %q (sid %d) in %s (scanners send such probes)", names(sid), sid, plural(int(p.rules[sid]), "alert")))
	}
	if p.vm.vendor != "" {
		ev = append(ev, fmt.Sprintf("runs on a %s VM (MAC %s)", p.vm.vendor, fpMAC(h.mac)))
	}
	ev = append(ev, "no flooding or ARP poisoning")
	conf := ConfidenceLow
	switch {
	case n >= 3:
		conf = ConfidenceHigh
	case n == 2:
		conf = ConfidenceMedium
	}
	if !named && len(p.rules) > 0 && conf != ConfidenceLow {
		conf = lowerConfidence(conf) // exploit probes with no scanner's name on them
	}
	reason := "internal host probing many hosts and ports, as vulnerability scanners do"
	if named {
		reason = "internal " + strings.Join(p.scannerTools(), "/") + " scanner: "
		var how []string
		if len(p.tools) > 0 {
			how = append(how, "its probes name it")
		}
		if len(p.prints) > 0 {
			how = append(how, "its packets have the tool's shape")
		}
		reason += strings.Join(how, " and ")
	}
	return FalsePositive{
		Verdict:    VerdictScanner,
		Confidence: conf,
		Reason:     reason,
		Evidence:   ev,
		Exclusion:  fmt.Sprintf("%s # internal scanner: %d alerts", h.key.addr, len(h.evs)),
	}, true
}

func lowerConfidence(c string) string {
	if c == ConfidenceHigh {
		return ConfidenceMedium
	}
	return ConfidenceLow
}

func guestVMVerdict(h *hostFacts, p *profile) FalsePositive {
	vendor := p.vm.vendor
	var ev []string
	n := 0
	if vendor != "" {
		ev = append(ev, fmt.Sprintf("MAC %s has a %s OUI (%02X:%02X:%02X)", fpMAC(h.mac), vendor, h.mac[0], h.mac[1], h.mac[2]))
		n++
	}
	if len(p.vm.bridged) > 0 {
		ev = append(ev, p.vm.bridged...)
		n++
	}
	if len(p.vm.prevVM) > 0 {
		ev = append(ev, p.vm.prevVM...)
		n++
	}
	if ips := max(p.vm.claims, len(p.vm.claimed)); ips >= 2 {
		ev = append(ev, fmt.Sprintf("MAC %s answers for %s (%s), as bridged VMs and their hosts do",
			fpMAC(h.mac), plural(ips, "IP"), fpAddrList(p.vm.claimed, 4)))
		n++
	}
	ev = append(ev, fmt.Sprintf("ARP alerts only of kinds a re-created or bridged VM causes: %s", kindList(p.arpKinds)))
	conf := ConfidenceMedium
	if n >= 2 {
		conf = ConfidenceHigh
	}
	reason := vendor + " guest VM on the LAN: its address moved between virtual NICs"
	exclusion := fmt.Sprintf("%s # guest VM (%s), %s", fpMAC(h.mac), vendor, h.name())
	if len(p.vm.bridged) > 0 && vendor == "" {
		reason = "host bridging guest VMs: its frames carry their ARP"
		exclusion = fmt.Sprintf("%s # host bridging guest VMs, %s", fpMAC(h.mac), h.name())
	}
	return FalsePositive{
		Verdict:    VerdictGuestVM,
		Confidence: conf,
		Reason:     reason,
		Evidence:   ev,
		Exclusion:  exclusion,
	}
}

// monitoringVerdict recognises a monitoring system's health checks: one
// internal host touching the same few ports on several hosts on a fixed
// schedule, which the detectors see as failed logins (a check that
// connects, reads the banner and hangs up) or slow sweeps. Each alert's
// attempts are spread evenly over its span; agreeing gaps across hosts
// are the schedule.
func monitoringVerdict(h *hostFacts, p *profile) (FalsePositive, bool) {
	if len(p.brute) == 0 || len(p.tools) > 0 || len(p.prints) > 0 || len(p.rules) > 0 || len(p.verticals) > 0 || len(p.ports) > monitorMaxPorts {
		return FalsePositive{}, false
	}
	victims := map[netip.Addr]bool{}
	var lo, hi time.Duration
	for i, b := range p.brute {
		if b.Count < 3 || b.LastTime <= b.FirstTime {
			return FalsePositive{}, false
		}
		gap := time.Duration((b.LastTime - b.FirstTime) / int64(b.Count-1))
		if i == 0 || gap < lo {
			lo = gap
		}
		hi = max(hi, gap)
		victims[b.Victim.Unmap()] = true
	}
	if lo < monitorMinGap || len(victims) < 2 {
		return FalsePositive{}, false
	}
	spread := float64(hi-lo) / float64(lo)
	conf := ""
	switch {
	case spread <= 0.05 && len(victims) >= 3:
		conf = ConfidenceHigh
	case spread <= 0.10:
		conf = ConfidenceMedium
	case spread <= 0.25:
		conf = ConfidenceLow
	default:
		return FalsePositive{}, false
	}
	var kinds []string
	for _, b := range p.brute {
		if !slices.Contains(kinds, b.Kind) {
			kinds = append(kinds, b.Kind)
		}
	}
	slices.Sort(kinds)
	ev := []string{
		fmt.Sprintf("internal address %s", h.key.addr),
		fmt.Sprintf("%s on the same %s (%s) of %s (%s)", plural(len(p.brute), "login alert"),
			plural(len(p.ports), "port"), portList(p.ports), plural(len(victims), "host"), fpAddrList(victims, 4)),
		fmt.Sprintf("one attempt every %s to %s on each host: a fixed schedule, far slower than guessing tools",
			lo.Round(100*time.Millisecond), hi.Round(100*time.Millisecond)),
	}
	if len(p.sweeps) > 0 {
		ev = append(ev, fmt.Sprintf("sweeps of the same ports: %s", kindList(p.sweeps)))
	}
	ev = append(ev, "no scans of other ports, scanner fingerprints, flooding or ARP poisoning")
	return FalsePositive{
		Verdict:    VerdictMonitoring,
		Confidence: conf,
		Reason:     "monitoring system's health checks (" + strings.Join(kinds, ", ") + "): the same few services on several hosts at a regular interval",
		Evidence:   ev,
		Exclusion:  fmt.Sprintf("%s # monitoring health checks: %d alerts", h.key.addr, len(h.evs)),
	}, true
}

func fpMAC(m [6]byte) string { return net.HardwareAddr(m[:]).String() }

// plural is "1 host" or "3 hosts".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func sortedSIDs[V any](m map[uint32]V) []uint32 {
	out := make([]uint32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func fpAddrList(m map[netip.Addr]bool, limit int) string {
	addrs := make([]netip.Addr, 0, len(m))
	for a := range m {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	parts := make([]string, 0, limit+1)
	for i, a := range addrs {
		if i == limit {
			parts = append(parts, fmt.Sprintf("+%d more", len(addrs)-limit))
			break
		}
		parts = append(parts, a.String())
	}
	return strings.Join(parts, ", ")
}

func kindList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d)", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func portList(m map[uint16]bool) string {
	ports := make([]int, 0, len(m))
	for p := range m {
		ports = append(ports, int(p))
	}
	sort.Ints(ports)
	parts := make([]string, 0, len(ports))
	for i, p := range ports {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("+%d more", len(ports)-10))
			break
		}
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ", ")
}
