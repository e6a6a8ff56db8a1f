package detectors

// Port scan detection in the shape of Zeek's scan.zeek: per source, count
// the distinct ports it probes on one host (vertical scan) and the distinct
// hosts it probes on one port (sweep), each over an epoch of packet time,
// and fire once per key and epoch when a count reaches its threshold. ARP
// requests and ICMP echo requests are sweeps on "port 0" of their protocol.
//
// Like scan.zeek, which counts failed connection attempts only, a probe
// that turns out to reach an open service (SYN-ACK, completed handshake, a
// UDP or echo reply, an ARP reply) stops counting: a browser reaching thirty
// web servers, a resolver querying many name servers or a router ARPing for
// its hosts is not scanning. Closed answers (RST, ICMP port unreachable)
// still count and are reported as evidence, as sfPortscan's "priority count"
// of negative responses.

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/internal/settings"
	"github.com/ipsreplay/ipsreplay/packet"
)

func init() {
	Register(Registration{SID: SIDPortScan, Section: "port_scan", Profile: portScanProfile,
		New:      func(c Config) packet.Detector { return NewPortScan(c.PortScan) },
		Validate: func(c Config) error { return c.PortScan.Validate() }})
}

// Event kinds of SIDPortScan.
const (
	KindVertical  = "vertical"   // many ports of one host
	KindPortSweep = "sweep"      // one port across many hosts
	KindARPSweep  = "arp-sweep"  // host discovery by ARP
	KindICMPSweep = "icmp-sweep" // host discovery by echo request
	KindHostSweep = "host-sweep" // host discovery by both
)

// Scanners scan; monitoring systems check the same few ports everywhere.
var portScanProfile = Profile{
	Default: Behaviour{Evidence: EvidenceSweep, Benign: CauseScanner | CauseMonitoring},
	Kinds:   map[string]Behaviour{KindVertical: {Evidence: EvidenceVerticalScan, Benign: CauseScanner | CauseMonitoring}},
}

// PortScanConfig tunes the port scan detector. The zero value is not
// useful; start from DefaultPortScanConfig.
type PortScanConfig struct {
	// VerticalThreshold is how many distinct ports (per protocol) one source
	// must probe on one host within VerticalWindow, not counting ports found
	// open, to fire a "vertical" scan. Lower catches scans of a few chosen
	// ports but fires on clients of multi-port services whose ports are
	// closed or firewalled; higher misses targeted scans. Default 15, Zeek
	// scan.zeek's port_scan_threshold. On a LAN nmap's default scan (its
	// top 1000 ports) passes it within milliseconds and --top-ports 20 or
	// -sU --top-ports 20 still do; a hand-picked list such as -p
	// 22,80,443,445,3389 never does, and is left to the sweep and
	// host-discovery counts below.
	VerticalThreshold int `json:"vertical_threshold"`

	// VerticalWindow is the epoch over which a vertical scan's ports are
	// counted, opened by the first probe. Longer catches slower scans (nmap
	// -T2) at the cost of state held longer; a continuing scan re-fires
	// about once per window. Default 5m, Zeek's port_scan_interval.
	VerticalWindow packet.Duration `json:"vertical_window"`

	// SweepThreshold is how many distinct hosts one source must probe on one
	// port within SweepWindow, not counting hosts that answered open, to
	// fire a "sweep"; it also applies to ARP and ICMP echo host-discovery
	// sweeps. Lower catches sweeps of small subnets but fires on busy
	// clients whose destinations are down; higher misses them. Default 25,
	// Zeek scan.zeek's addr_scan_threshold. A small LAN never gets there:
	// nmap probes only the hosts its ARP ping found alive (six of the 29
	// addresses of a /27 in pcaps/lab/), so what the scanner tried shows in
	// its ARP requests, counted by discovery_threshold.
	SweepThreshold int `json:"sweep_threshold"`

	// SweepWindow is the epoch over which a sweep's hosts are counted.
	// Default 5m, Zeek's addr_scan_interval.
	SweepWindow packet.Duration `json:"sweep_window"`

	// DiscoveryThreshold is how many distinct addresses one source may ask
	// for, by broadcast ARP request or ICMP echo request together, within
	// DiscoveryWindow before it is a host-discovery sweep, counting the
	// addresses that answered too: a scanner has to try every address to
	// learn which are live, and on a small LAN most of what it tries is
	// live, so the unanswered-only count above never gets there (nmap -sn
	// on a /27 asks for 29 addresses in about 1.3 s; with 6 hosts up only
	// 23-24 go unanswered, under sweep_threshold). Nmap resolves every
	// target on the segment by ARP before it sends anything else, so the
	// same count catches its -PE --send-ip echo sweeps and its port sweeps,
	// whose probes to dead addresses never leave the scanner as anything
	// but who-has requests. Lower catches sweeps of smaller ranges but
	// fires on hosts that start talking to many neighbours at once (a
	// router after a reboot); higher misses /27 sweeps. Default 20, under
	// the 29 addresses of a /27 and close to Zeek's addr_scan_threshold of
	// 25.
	DiscoveryThreshold int `json:"discovery_threshold"`

	// DiscoveryWindow is the epoch over which DiscoveryThreshold counts.
	// Host discovery is a burst (nmap -T3 asks for a /24 in a few seconds,
	// -T4 for a /27 in under two); a short window keeps hosts that meet
	// their neighbours one by one over the day from adding up. Default 1m,
	// sfPortscan's low sensitivity level (60 s); slower sweeps are left to
	// sweep_threshold over sweep_window. A source reported either way is
	// not reported again for host discovery until its sweep_window ends.
	DiscoveryWindow packet.Duration `json:"discovery_window"`

	// DiscoveryUnansweredPct is the share of the addresses counted by
	// DiscoveryThreshold, in percent, that must still be unanswered when the
	// threshold is reached. A scanner does not know which addresses are
	// live and asks for dead ones; a router or monitoring system asks for
	// hosts it already talks to, which answer within milliseconds. Lower
	// fires on busy hosts of a densely used subnet; higher misses sweeps of
	// subnets that are mostly up. Default 25: a /27 with 6 hosts up leaves
	// about 80% unanswered.
	DiscoveryUnansweredPct int `json:"discovery_unanswered_pct"`

	// MaxTrackedPairs caps the (source, host) pairs counted for vertical
	// scans; every TCP or UDP client/server pair seen in a window gets one.
	// When this or either table below is full, a source that has had no
	// counter is tracked only from its second probe (its first is counted
	// in Evicted), so a spoofed flood cannot flush a real scan's counters;
	// otherwise the stalest entry is evicted and counted. About 290
	// bytes an entry: the default 32768 is about 9.5 MB when full.
	MaxTrackedPairs int `json:"max_tracked_pairs"`

	// MaxTrackedSweeps caps the (source, port, protocol) keys counted for
	// sweeps, one per service a client uses. About 240 bytes an entry: the
	// default 16384 is about 4 MB when full.
	MaxTrackedSweeps int `json:"max_tracked_sweeps"`

	// MaxTrackedProbes caps the distinct (source, host, port, protocol)
	// probes remembered, which is what makes the counts distinct. A key that
	// has fired stops adding probes (Zeek caps unique sets just past the
	// threshold), so scanners cost about threshold entries each; busy
	// clients cost one per service they reach. About 250 bytes an entry:
	// the default 65536 is about 17 MB when full. Together the three
	// tables stay near 30 MB.
	MaxTrackedProbes int `json:"max_tracked_probes"`
}

// DefaultPortScanConfig returns the documented defaults.
func DefaultPortScanConfig() PortScanConfig {
	return PortScanConfig{
		VerticalThreshold: 15,
		VerticalWindow:    packet.Duration(5 * time.Minute),
		SweepThreshold:    25,
		SweepWindow:       packet.Duration(5 * time.Minute),

		DiscoveryThreshold:     20,
		DiscoveryWindow:        packet.Duration(time.Minute),
		DiscoveryUnansweredPct: 25,

		MaxTrackedPairs:  32768,
		MaxTrackedSweeps: 16384,
		MaxTrackedProbes: 65536,
	}
}

// Validate reports every field out of range, naming its json key.
func (c PortScanConfig) Validate() error {
	var ck settings.Check
	durIn := func(key string, v packet.Duration) {
		if v < packet.Duration(time.Second) || v > packet.Duration(24*time.Hour) {
			ck.Fail("%s: %s out of range [1s, 24h]", key, v)
		}
	}
	ck.Int("vertical_threshold", c.VerticalThreshold, 2, 65536)
	durIn("vertical_window", c.VerticalWindow)
	ck.Int("sweep_threshold", c.SweepThreshold, 2, 1<<24)
	durIn("sweep_window", c.SweepWindow)
	ck.Int("discovery_threshold", c.DiscoveryThreshold, 2, 1<<24)
	durIn("discovery_window", c.DiscoveryWindow)
	ck.Int("discovery_unanswered_pct", c.DiscoveryUnansweredPct, 0, 100)
	ck.Int("max_tracked_pairs", c.MaxTrackedPairs, 1, 1<<24)
	ck.Int("max_tracked_sweeps", c.MaxTrackedSweeps, 1, 1<<24)
	ck.Int("max_tracked_probes", c.MaxTrackedProbes, 1, 1<<26)
	return ck.Err()
}

// PortScan detects vertical scans, port sweeps and ARP/ICMP host-discovery
// sweeps. It fires on the probe that brings a key's count to its threshold
// and then stays quiet for that key until its window ends. Count is the
// distinct ports (vertical) or hosts (sweeps) counted when it fired; First
// and Last are the first counted probe and the one that fired. Kind is
// "vertical" (Victim set), "sweep" (Victim invalid, VictimPort set),
// "arp-sweep" or "icmp-sweep". Build it with NewPortScan; it is not safe
// for concurrent use.
type PortScan struct {
	cfg            PortScanConfig
	vWin, sWin     int64
	dWin           int64  // host-discovery window
	gen            uint32 // last epoch id handed out; ties probes to an epoch
	pairs          *bounded.Table[psPairKey, psCounter]
	sweeps         *bounded.Table[psSweepKey, psCounter]
	probes         *bounded.Table[psProbeKey, psProbe]
	probeRetention int64

	// askers are the sources now asking for many addresses, watched for
	// routing: see watchRouting.
	askers  [psMaxAskers]psAsker
	nAskers int

	// seen marks the sources that have had counters, for a full detector
	// to admit (see seenCell); made when first needed.
	seen     []uint32
	declined uint64 // first probes not tracked while full
}

// psSeenCells sizes the admission filter: 256 KB, enough that the sources
// of a flood of a few hundred thousand packets a second rarely overwrite a
// real scanner's mark between two of its probes.
const psSeenCells = 1 << 16

// psMaxAskers bounds the sources watched for routing at once: a LAN has
// few hosts asking for many addresses in the same minute, and when more
// do, the stalest is dropped (it is then judged without the check).
const psMaxAskers = 8

// psAsker is a source whose ARP requests are being counted, and whether
// frames sent to its MAC for other addresses show it forwards traffic.
type psAsker struct {
	mac     [6]byte
	addr    netip.Addr
	until   int64 // capture time after which the watch lapses
	forward bool  // seen a frame to mac for an address not addr
}

// psProtoARP stands for ARP in keys and events: ARP has no IP protocol
// number, and 0 never appears for the TCP, UDP and ICMP probes counted here.
const psProtoARP uint8 = 0

// psProtoDiscovery keys the host-discovery counter, which counts ARP and
// ICMP echo requests together (one address asked for both ways is one
// address); 255 is reserved by IANA and never a counted probe's protocol.
const psProtoDiscovery uint8 = 255

var psBroadcastMAC = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Probe kinds, a bit each so a counter can say which it saw.
const (
	psSYN uint8 = 1 << iota
	psFIN
	psNULL
	psXmas
	psUDP
	psEcho
	psARP
)

// Probe states within one counter's epoch.
const (
	psNone    uint8 = iota
	psCounted       // probed, no answer yet
	psClosed        // answered closed: still counts
	psOpen          // answered open: no longer counts
)

type psPairKey struct {
	Src, Dst netip.Addr
}

type psSweepKey struct {
	Src   netip.Addr
	Port  uint16
	Proto uint8
}

type psProbeKey struct {
	Src, Dst netip.Addr
	Port     uint16
	Proto    uint8
}

func (k psPairKey) hash() bounded.Hash { return bounded.Seed().Addr(k.Src).Addr(k.Dst) }

func (k psSweepKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.Src).Word(uint64(k.Port)<<8 | uint64(k.Proto))
}

func (k psProbeKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.Src).Addr(k.Dst).Word(uint64(k.Port)<<8 | uint64(k.Proto))
}

// psCounter counts one vertical pair's ports or one sweep key's hosts in
// the current epoch.
type psCounter struct {
	gen                 uint32
	start               int64
	count               uint32 // distinct probes not found open
	distinct            uint32 // distinct probes including open ones
	closed, open        uint32
	kinds               uint8
	fired               bool
	firstTime, lastTime int64
	first, last         packet.PacketRef
}

// psProbe remembers that a probe was counted in the epochs named by vGen
// and sGen (pair and sweep counters), and what answer it got in each.
type psProbe struct {
	vGen, sGen     uint32
	vState, sState uint8
}

// NewPortScan returns a detector for cfg, which should have passed Validate.
func NewPortScan(cfg PortScanConfig) *PortScan {
	d := &PortScan{
		cfg:    cfg,
		vWin:   cfg.VerticalWindow.Nanos(),
		sWin:   cfg.SweepWindow.Nanos(),
		dWin:   cfg.DiscoveryWindow.Nanos(),
		pairs:  bounded.NewHashed[psPairKey, psCounter](cfg.MaxTrackedPairs, psPairKey.hash),
		sweeps: bounded.NewHashed[psSweepKey, psCounter](cfg.MaxTrackedSweeps, psSweepKey.hash),
		probes: bounded.NewHashed[psProbeKey, psProbe](cfg.MaxTrackedProbes, psProbeKey.hash),
	}
	d.probeRetention = max(d.vWin, d.sWin)
	return d
}

// Name implements Detector.
func (d *PortScan) Name() string { return "portscan" }

// Evicted implements Detector.
func (d *PortScan) Evicted() uint64 {
	return d.pairs.Evicted() + d.sweeps.Evicted() + d.probes.Evicted() + d.declined
}

// Expire implements Detector. A counter untouched for its whole window
// belongs to an epoch that has ended; a probe untouched for the longer
// window can belong to no live epoch.
func (d *PortScan) Expire(now int64, _ packet.Emit) {
	d.pairs.Expire(now-d.vWin, nil)
	d.sweeps.Expire(now-d.sWin, nil)
	d.probes.Expire(now-d.probeRetention, nil)
}

// Observe implements Detector.
func (d *PortScan) Observe(f *packet.Facts, emit packet.Emit) {
	switch f.L3 {
	case packet.L3ARP:
		d.arp(f, emit)
	case packet.L3IPv4, packet.L3IPv6:
		if d.nAskers > 0 && f.HasEth {
			d.watchRouting(f)
		}
		switch f.Proto {
		case packet.ProtoTCP:
			d.tcp(f, emit)
		case packet.ProtoUDP:
			d.udp(f, emit)
		case packet.ProtoICMP, packet.ProtoICMPv6:
			d.icmp(f, emit)
		}
	}
}

func (d *PortScan) tcp(f *packet.Facts, emit packet.Emit) {
	const six = packet.TCPFin | packet.TCPSyn | packet.TCPRst | packet.TCPPsh | packet.TCPAck | packet.TCPUrg // ECE/CWR vary with ECN
	fl := f.TCPFlags & six
	switch {
	case fl&(packet.TCPSyn|packet.TCPAck|packet.TCPRst) == packet.TCPSyn:
		d.probe(f, f.Src, f.Dst, f.DstPort, packet.ProtoTCP, psSYN, true, emit)
	case fl == packet.TCPFin:
		d.probe(f, f.Src, f.Dst, f.DstPort, packet.ProtoTCP, psFIN, true, emit)
	case fl == 0:
		d.probe(f, f.Src, f.Dst, f.DstPort, packet.ProtoTCP, psNULL, true, emit)
	case fl == packet.TCPFin|packet.TCPPsh|packet.TCPUrg:
		d.probe(f, f.Src, f.Dst, f.DstPort, packet.ProtoTCP, psXmas, true, emit)
	case fl&(packet.TCPSyn|packet.TCPAck) == packet.TCPSyn|packet.TCPAck:
		d.answer(f.Dst, f.Src, f.SrcPort, packet.ProtoTCP, psOpen)
	case fl&packet.TCPRst != 0:
		// Only a RST from the probed port to the prober matches a probe, so a
		// client aborting its own connection is never taken for an answer.
		d.answer(f.Dst, f.Src, f.SrcPort, packet.ProtoTCP, psClosed)
	case f.ConnEvent == packet.ConnEstablished:
		// The client's ACK: seen even when the SYN-ACK was not captured.
		d.answer(f.Src, f.Dst, f.DstPort, packet.ProtoTCP, psOpen)
	}
	// Everything else carries ACK inside a connection: not a probe.
}

func (d *PortScan) udp(f *packet.Facts, emit packet.Emit) {
	// A datagram back from a probed port answers that probe; it is not a
	// probe of the prober's (random) source port.
	if d.answer(f.Dst, f.Src, f.SrcPort, packet.ProtoUDP, psOpen) {
		return
	}
	// Replies from a well-known service port to an ephemeral one (DNS, NTP,
	// SNMP answers) whose request we did not see: keying on their
	// destination port would make every busy DNS server a scanner.
	if f.SrcPort < 1024 && f.DstPort >= 1024 {
		return
	}
	d.probe(f, f.Src, f.Dst, f.DstPort, packet.ProtoUDP, psUDP, true, emit)
}

func (d *PortScan) icmp(f *packet.Facts, emit packet.Emit) {
	v6 := f.Proto == packet.ProtoICMPv6
	echo, reply, unreachType, portCode := uint8(8), uint8(0), uint8(3), uint8(3)
	if v6 {
		echo, reply, unreachType, portCode = 128, 129, 1, 4
	}
	switch f.ICMPType {
	case echo:
		if d.discover(f, f.Src, f.Dst, f.Proto, psEcho, emit) {
			return
		}
		d.probe(f, f.Src, f.Dst, 0, f.Proto, psEcho, false, emit)
	case reply:
		d.answer(f.Dst, f.Src, 0, f.Proto, psOpen)
		d.answer(f.Dst, f.Src, 0, psProtoDiscovery, psOpen)
	case unreachType:
		if f.ICMPCode == portCode && f.HasQuoted {
			q := &f.Quoted
			d.answer(q.Src, q.Dst, q.DstPort, q.Proto, psClosed)
		}
	}
}

func (d *PortScan) arp(f *packet.Facts, emit packet.Emit) {
	a := &f.ARP
	switch a.Op {
	case 1:
		// Gratuitous ARP (sender == target) announces, and RFC 5227 probes
		// (sender 0.0.0.0) check one address: neither discovers hosts.
		if a.SenderIP.IsUnspecified() || a.SenderIP == a.TargetIP {
			return
		}
		if d.routing(a.SenderIP, f) {
			return // resolving next hops for traffic it forwards
		}
		// A unicast request re-checks an address the sender already knows
		// (Linux's neighbour probes); only broadcast ones discover hosts.
		// Without an Ethernet header there is no telling: count it.
		if !f.HasEth || f.DstMAC == psBroadcastMAC {
			if d.discover(f, a.SenderIP, a.TargetIP, psProtoARP, psARP, emit) {
				return
			}
		}
		d.probe(f, a.SenderIP, a.TargetIP, 0, psProtoARP, psARP, false, emit)
	case 2:
		d.answer(a.TargetIP, a.SenderIP, 0, psProtoARP, psOpen)
		d.answer(a.TargetIP, a.SenderIP, 0, psProtoDiscovery, psOpen)
	}
}

// discover counts one host-discovery request (ARP or ICMP echo, proto
// naming the sweep counter the request also feeds) from src for dst and
// fires when src has asked for DiscoveryThreshold addresses in the window
// with enough of them unanswered. It reports whether the request is
// covered by a host-discovery or sweep event already fired for src, which
// the caller's unanswered-only sweep counter must then not restate.
func (d *PortScan) discover(f *packet.Facts, src, dst netip.Addr, proto, kind uint8, emit packet.Emit) bool {
	if !psCountable(src, dst) {
		return false
	}
	t := f.Time
	c, created := d.sweeps.Put(psSweepKey{Src: src, Proto: psProtoDiscovery}, t, nil)
	if created || t-c.start >= d.dWin {
		d.newEpoch(c, t)
	}
	if c.fired {
		return true
	}
	if sc, ok := d.sweeps.Peek(psSweepKey{Src: src, Proto: proto}); ok && sc.fired && t-sc.start < d.sWin {
		return true // the slow sweep already reported this source
	}
	p, _ := d.probes.Put(psProbeKey{Src: src, Dst: dst, Proto: psProtoDiscovery}, t, nil)
	if p.sGen == c.gen {
		c.kinds |= kind // asked again, or the other way: still one address
		return false
	}
	p.sGen, p.sState = c.gen, psCounted
	psCount(c, f, kind)
	if kind == psARP && c.distinct >= psWatchFrom {
		d.watch(src, f)
	}
	if int(c.distinct) < d.cfg.DiscoveryThreshold || int(c.count)*100 < d.cfg.DiscoveryUnansweredPct*int(c.distinct) {
		return false
	}
	c.fired = true
	// The unanswered-only sweeps of this source would restate this event.
	for _, pr := range [...]uint8{psProtoARP, packet.ProtoICMP, packet.ProtoICMPv6} {
		if sc, ok := d.sweeps.Peek(psSweepKey{Src: src, Proto: pr}); ok {
			sc.fired = true
		}
	}
	d.fireDiscovery(c, src, f, emit)
	return true
}

// psCountable says whether dst can be a probed host: group and broadcast
// addresses reach many hosts at once and say nothing about one.
func psCountable(src, dst netip.Addr) bool {
	if !src.IsValid() || !dst.IsValid() || src == dst {
		return false
	}
	if dst.IsUnspecified() || dst.IsMulticast() {
		return false
	}
	return dst != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

func (d *PortScan) newEpoch(c *psCounter, t int64) {
	d.gen++
	if d.gen == 0 { // wrapped; 0 must keep meaning "no epoch"
		d.gen = 1
	}
	*c = psCounter{gen: d.gen, start: t}
}

// probe counts one probe from src to dst:port. vertical is false for host
// discovery, which has no ports to count.
func (d *PortScan) probe(f *packet.Facts, src, dst netip.Addr, port uint16, proto, kind uint8, vertical bool, emit packet.Emit) {
	if !psCountable(src, dst) {
		return
	}
	t := f.Time
	cell, mark := d.seenCell(src)
	if *cell != mark {
		if d.full() {
			// emergency mode: see seenCell
			*cell = mark
			d.declined++
			return
		}
	}
	sc, created := d.sweeps.Put(psSweepKey{Src: src, Port: port, Proto: proto}, t, nil)
	if created || t-sc.start >= d.sWin {
		d.newEpoch(sc, t)
		*cell = mark
	}
	var vc *psCounter
	if vertical {
		vc, created = d.pairs.Put(psPairKey{Src: src, Dst: dst}, t, nil)
		if created || t-vc.start >= d.vWin {
			d.newEpoch(vc, t)
			*cell = mark
		}
	}
	// Once either view of this probe has fired, the other would only
	// restate it (a vertical scan of 1000 ports is not also 1000 one-host
	// sweeps), and not counting is what stops a scanner's sets growing.
	vOn := vc != nil && !vc.fired && !sc.fired
	sOn := !sc.fired && (vc == nil || !vc.fired)
	if !vOn && !sOn {
		return
	}
	p, _ := d.probes.Put(psProbeKey{Src: src, Dst: dst, Port: port, Proto: proto}, t, nil)
	if vOn && p.vGen != vc.gen {
		p.vGen, p.vState = vc.gen, psCounted
		psCount(vc, f, kind)
		if vc.count >= uint32(d.cfg.VerticalThreshold) {
			vc.fired = true
			d.fireVertical(vc, src, dst, proto, f, emit)
			sOn = false // the vertical event covers this probe
		}
	}
	if sOn && p.sGen != sc.gen {
		p.sGen, p.sState = sc.gen, psCounted
		psCount(sc, f, kind)
		if sc.count >= uint32(d.cfg.SweepThreshold) {
			sc.fired = true
			d.fireSweep(sc, src, port, proto, f, emit)
		}
	}
}

// full says a probe could not be tracked without evicting some other.
func (d *PortScan) full() bool {
	return d.probes.Len() >= d.probes.Cap() || d.sweeps.Len() >= d.sweeps.Cap() ||
		d.pairs.Len() >= d.pairs.Cap()
}

// seenCell is src's cell in the filter of sources that have had a
// counter, and the mark src leaves there. It drives the detector's
// emergency mode, after Suricata's flow engine: while the tables are full,
// only a source marked may take another key's place. A spoofed flood
// sends one probe from each of millions of sources; letting each evict
// the stalest counter would cost three evictions a packet and flush the
// counters of a real scan running alongside, which probes again within
// milliseconds. An unmarked source's probe is declined (counted in
// Evicted) and marks it, so its next probe counts: a scanner loses at
// most its first probe, or one more when a flood source that shares its
// cell overwrites its mark. The filter is keyed by a fixed hash so the
// same capture declines the same probes on every run.
func (d *PortScan) seenCell(src netip.Addr) (*uint32, uint32) {
	if d.seen == nil {
		d.seen = make([]uint32, psSeenCells)
	}
	mark := uint32(bounded.Hash(psSeenKey).Addr(src)) | 1 // 0 is an empty cell
	return &d.seen[(mark>>1)&(psSeenCells-1)], mark
}

// psSeenKey seeds the admission filter's hash: fixed, unlike the tables'
// seed, because which marks overwrite which decides what is counted.
const psSeenKey = 0x5ca1ab1e0ddba11

func psCount(c *psCounter, f *packet.Facts, kind uint8) {
	if c.distinct == 0 {
		c.firstTime, c.first = f.Time, f.Packet
	}
	c.distinct++
	c.count++
	c.kinds |= kind
	c.lastTime, c.last = f.Time, f.Packet
}

// answer records a reply from victim:port to scanner and reports whether it
// matched a remembered probe. Answers do not touch entries: only probes
// keep state alive.
func (d *PortScan) answer(scanner, victim netip.Addr, port uint16, proto, state uint8) bool {
	p, ok := d.probes.Peek(psProbeKey{Src: scanner, Dst: victim, Port: port, Proto: proto})
	if !ok {
		return false
	}
	if p.vState == psCounted {
		if c, ok := d.pairs.Peek(psPairKey{Src: scanner, Dst: victim}); ok && c.gen == p.vGen {
			p.vState = state
			psAnswer(c, state)
		}
	}
	if p.sState == psCounted {
		if c, ok := d.sweeps.Peek(psSweepKey{Src: scanner, Port: port, Proto: proto}); ok && c.gen == p.sGen {
			p.sState = state
			psAnswer(c, state)
		}
	}
	return true
}

func psAnswer(c *psCounter, state uint8) {
	if state == psClosed {
		c.closed++
		return
	}
	c.open++
	if c.count > 0 {
		c.count--
	}
}

func (d *PortScan) event(c *psCounter, src netip.Addr, proto uint8, f *packet.Facts) packet.Event {
	ev := packet.Event{
		SID:       SIDPortScan,
		Time:      f.Time,
		Attacker:  src,
		Proto:     proto,
		FirstTime: c.firstTime,
		LastTime:  c.lastTime,
		First:     c.first,
		Last:      c.last,
		Count:     uint64(c.count),
	}
	if f.HasEth {
		ev.AttackerMAC, ev.HasMAC = f.SrcMAC, true
	}
	return ev
}

func (d *PortScan) fireVertical(c *psCounter, src, dst netip.Addr, proto uint8, f *packet.Facts, emit packet.Emit) {
	ev := d.event(c, src, proto, f)
	ev.Victim = dst
	ev.Kind = KindVertical
	ev.Detail = fmt.Sprintf("%d distinct ports in %s (%s probes), %d answered closed%s",
		c.count, psSpan(c.lastTime-c.firstTime), psKinds(c.kinds), c.closed, psOpenNote(c.open, "ports"))
	emit(ev)
}

func (d *PortScan) fireSweep(c *psCounter, src netip.Addr, port uint16, proto uint8, f *packet.Facts, emit packet.Emit) {
	ev := d.event(c, src, proto, f)
	span := psSpan(c.lastTime - c.firstTime)
	switch proto {
	case psProtoARP:
		ev.Kind = KindARPSweep
		ev.Detail = fmt.Sprintf("ARP requests for %d distinct addresses in %s without a reply%s",
			c.count, span, psOpenNote(c.open, "addresses"))
	case packet.ProtoICMP, packet.ProtoICMPv6:
		ev.Kind = KindICMPSweep
		ev.Detail = fmt.Sprintf("echo requests to %d distinct hosts in %s without a reply%s",
			c.count, span, psOpenNote(c.open, "hosts"))
	default:
		ev.Kind = KindPortSweep
		ev.VictimPort = port
		name := "tcp"
		if proto == packet.ProtoUDP {
			name = "udp"
		}
		ev.Detail = fmt.Sprintf("%d distinct hosts on %d/%s in %s (%s probes), %d answered closed%s",
			c.count, port, name, span, psKinds(c.kinds), c.closed, psOpenNote(c.open, "hosts"))
	}
	emit(ev)
}

// A router asks by ARP for every address it forwards a packet to, so a
// scan routed onto a LAN (masscan and zmap send every probe to the
// router's MAC) makes the router look like the scanner, and blocking the
// gateway would cut the LAN off. The packets that make it ask reach its
// MAC addressed to other hosts just before each request. Once a source
// has asked for psWatchFrom addresses, frames to its MAC are checked for
// foreign destinations; until then, and when no source is watched, an IP
// packet costs one comparison. Frames from its MAC are not checked: nmap's
// decoys leave the scanner's MAC with other source addresses.
const psWatchFrom = 3

// watch starts (or extends) the routing watch of src, which asked by ARP
// from f's source MAC.
func (d *PortScan) watch(src netip.Addr, f *packet.Facts) {
	if !f.HasEth {
		return
	}
	until := f.Time + d.dWin
	stalest := 0
	for i := range d.nAskers {
		a := &d.askers[i]
		if a.mac == f.SrcMAC && a.addr == src {
			a.until = until
			return
		}
		if a.until < d.askers[stalest].until {
			stalest = i
		}
	}
	slot := stalest
	if d.nAskers < psMaxAskers {
		slot = d.nAskers
		d.nAskers++
	}
	d.askers[slot] = psAsker{mac: f.SrcMAC, addr: src, until: until}
}

// watchRouting marks the watched sources that f, an IP packet, shows
// forwarding, and drops lapsed watches.
func (d *PortScan) watchRouting(f *packet.Facts) {
	for i := 0; i < d.nAskers; {
		a := &d.askers[i]
		if f.Time > a.until {
			d.nAskers--
			d.askers[i] = d.askers[d.nAskers]
			continue
		}
		if f.DstMAC == a.mac && f.Dst != a.addr && !f.Dst.IsMulticast() {
			a.forward = true
		}
		i++
	}
}

// routing reports whether src, asking by ARP from f's source MAC, is a
// watched source seen forwarding.
func (d *PortScan) routing(src netip.Addr, f *packet.Facts) bool {
	for i := range d.nAskers {
		if a := &d.askers[i]; a.forward && a.addr == src && (!f.HasEth || a.mac == f.SrcMAC) {
			return true
		}
	}
	return false
}

func (d *PortScan) fireDiscovery(c *psCounter, src netip.Addr, f *packet.Facts, emit packet.Emit) {
	proto := f.Proto
	if c.kinds&psARP != 0 {
		proto = psProtoARP
	}
	ev := d.event(c, src, proto, f)
	ev.Count = uint64(c.distinct)
	var asked string
	switch c.kinds {
	case psARP:
		ev.Kind, asked = KindARPSweep, "ARP requests"
	case psEcho:
		ev.Kind, asked = KindICMPSweep, "echo requests"
	default:
		ev.Kind, asked = KindHostSweep, "ARP and echo requests"
	}
	ev.Detail = fmt.Sprintf("%s for %d distinct addresses in %s, %d unanswered",
		asked, c.distinct, psSpan(c.lastTime-c.firstTime), c.count)
	emit(ev)
}

func psOpenNote(open uint32, what string) string {
	if open == 0 {
		return ""
	}
	return fmt.Sprintf("; %d more %s answered and are not counted", open, what)
}

// psKinds names the probe types seen, stealth ones by their nmap names.
func psKinds(k uint8) string {
	names := [...]string{"SYN", "FIN", "NULL", "Xmas", "UDP", "echo", "ARP"}
	var parts []string
	for i, n := range names {
		if k&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "+")
}

// psSpan renders a span of capture time at a precision people read.
func psSpan(ns int64) string {
	d := time.Duration(ns)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
