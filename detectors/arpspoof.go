// ARP cache poisoning, after arpwatch: remember which MAC each IPv4 address
// is bound to and report hosts that claim an address bound to someone else,
// answer questions nobody asked, lie about their own Ethernet address or
// claim many addresses at once. A claim on the gateway is what puts an
// attacker in the middle of everything, so it is labelled as such.

package detectors

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

func init() {
	Register(Registration{SID: SIDARPPoison, Section: "arp_poisoning", Profile: arpProfile,
		New:      func(c Config) packet.Detector { return NewARPSpoof(c.ARP) },
		Validate: func(c Config) error { return c.ARP.Validate() }})
}

// Guest VMs re-created with a new MAC, migrated, holding several addresses
// or bridged through their host change bindings; claiming the gateway,
// answering unasked and impersonating a host are what poisoning tools do.
// An eth-mismatch is a guest's only when the ARP names a hypervisor's NIC,
// which the verdict checks.
var arpProfile = Profile{
	Default: Behaviour{Evidence: EvidenceARP},
	Kinds: map[string]Behaviour{
		KindBindingChange: {Evidence: EvidenceARP, Benign: CauseGuestVM},
		KindGratuitous:    {Evidence: EvidenceARP, Benign: CauseGuestVM},
		KindManyIPs:       {Evidence: EvidenceARP, Benign: CauseGuestVM},
		KindEthMismatch:   {Evidence: EvidenceARP, Benign: CauseGuestVM},
	},
}

// ARPConfig tunes ARP cache-poisoning detection. Start from DefaultARPConfig.
type ARPConfig struct {
	// Gateway lists the IPv4 addresses of the segment's routers. A claim on
	// one of them is reported with Kind "gateway". Empty by default: the
	// gateway is then inferred (see RouterMinIPs), which needs some routed
	// traffic in the capture before the attack starts.
	Gateway []netip.Addr `json:"gateway"`

	// RouterMinIPs is how many distinct IPv4 addresses one MAC must carry in
	// IP packets (as source or destination) within Window before it counts
	// as a router; an address ARP binds to a router's MAC is a gateway.
	// A host's MAC carries its own address, a router's carries every remote
	// peer. Lower: the gateway is recognised after less traffic, but
	// multi-address servers and Wi-Fi MAC-NAT bridges pass for routers too;
	// so does an attacker already forwarding intercepted traffic. Only the
	// Kind label depends on it. 0 turns inference off. Default 8: ours, no
	// upstream equivalent; a handful of remote peers is reached within
	// seconds of any browsing.
	RouterMinIPs int `json:"router_min_ips"`

	// Window is how long a report stands: one (address, claimant MAC) pair,
	// or one MAC's many-ips count, fires once per Window and again only in
	// a later one if the claims go on. It is also the span many_ips counts
	// over. Longer: fewer repeats of a long attack, a slower many_ips count
	// catches slower claimants. Default 10 min, the autoblock span, so a
	// poisoner that keeps going is reported again when a block would lapse.
	Window packet.Duration `json:"window"`

	// BindingTimeout is how long an address stays bound to its MAC after
	// that MAC last claimed it; a different MAC claiming it later is a new
	// binding, not a change. arpwatch never forgets, so it reports every
	// DHCP address reused by another host; real ARP caches forget in
	// minutes (Linux marks entries stale after 30-60 s, Windows after
	// 15-45 s), so an older binding is no longer worth stealing. Longer:
	// catches claims on quiet hosts, reports more address reuse. Keep it at
	// most Window so that a genuine MAC change (new NIC, migrated VM) is
	// reported once, not every Window. Default 10 min.
	BindingTimeout packet.Duration `json:"binding_timeout"`

	// ReplyWindow is how long an ARP request waits for its reply; a reply
	// with no matching request (same address asked for, same asker) in that
	// time is unsolicited. Stacks answer within milliseconds and resend an
	// unanswered request about once a second up to three times (Linux
	// mcast_solicit=3), so 5 s covers retries. Longer: an attacker racing
	// the real answer inside the window is not called unsolicited (a
	// binding change still catches it). 0 turns the check off, for captures
	// that miss requests (a one-way SPAN, a capture of only some ports).
	// Default 5 s.
	ReplyWindow packet.Duration `json:"reply_window"`

	// ManyIPs is how many distinct IPv4 addresses one MAC must claim within
	// Window to be reported; a whole-subnet man in the middle
	// (ettercap's default) claims every host. Proxy-ARP routers, Bonjour
	// Sleep Proxies (which answer for sleeping Macs) and hosts with several
	// aliases claim several addresses legitimately: raise it for them or
	// exclude them. arpwatch has no such check. 0 turns it off. Default 5.
	ManyIPs int `json:"many_ips"`

	// MaxBindings caps the address-to-MAC table (about 200 bytes an entry,
	// 3.2 MB at the default). When full the stalest binding goes and is
	// counted as evicted; a change to an evicted address looks like a new
	// binding. Default 16384, more hosts than any sane broadcast domain.
	MaxBindings int `json:"max_bindings"`

	// MaxMACs caps the per-MAC table (own address, router evidence,
	// many-ips count; about 200 bytes an entry, 3.2 MB at the default).
	// Default 16384.
	MaxMACs int `json:"max_macs"`

	// MaxPairs caps the table of (address, MAC) pairs used to count
	// distinct addresses per MAC and to remember what was reported (about
	// 250 bytes an entry, 8 MB at the default). A host adds a pair or two,
	// a router up to RouterMinIPs, each report one. When it bites, counts
	// run low and a report may repeat within its window. Default 32768.
	MaxPairs int `json:"max_pairs"`

	// MaxRequests caps the open ARP requests, each kept ReplyWindow (about
	// 230 bytes an entry, 1.9 MB at the default). An arp-scan at 500
	// requests a second keeps about 3000 open; if the cap bites, late
	// replies look unsolicited. Default 8192.
	MaxRequests int `json:"max_requests"`
}

// DefaultARPConfig returns the documented defaults.
func DefaultARPConfig() ARPConfig {
	return ARPConfig{
		RouterMinIPs:   8,
		Window:         packet.Duration(10 * time.Minute),
		BindingTimeout: packet.Duration(10 * time.Minute),
		ReplyWindow:    packet.Duration(5 * time.Second),
		ManyIPs:        5,
		MaxBindings:    16384,
		MaxMACs:        16384,
		MaxPairs:       32768,
		MaxRequests:    8192,
	}
}

const arpMaxTable = 1 << 22

// Validate reports the first setting out of range, naming its json key.
func (c ARPConfig) Validate() error {
	for i, g := range c.Gateway {
		if !g.Is4() {
			return fmt.Errorf("gateway[%d]: %q is not an ipv4 address", i, g)
		}
	}
	checks := []error{
		arpCheckInt("router_min_ips", c.RouterMinIPs, 2, 1<<16, true),
		arpCheckDur("window", c.Window, time.Second, 24*time.Hour, false),
		arpCheckDur("binding_timeout", c.BindingTimeout, time.Second, 24*time.Hour, false),
		arpCheckDur("reply_window", c.ReplyWindow, 10*time.Millisecond, time.Minute, true),
		arpCheckInt("many_ips", c.ManyIPs, 2, 1<<16, true),
		arpCheckInt("max_bindings", c.MaxBindings, 1, arpMaxTable, false),
		arpCheckInt("max_macs", c.MaxMACs, 1, arpMaxTable, false),
		arpCheckInt("max_pairs", c.MaxPairs, 1, arpMaxTable, false),
		arpCheckInt("max_requests", c.MaxRequests, 1, arpMaxTable, false),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

func arpCheckInt(key string, v, lo, hi int, zeroOff bool) error {
	if (v == 0 && zeroOff) || (v >= lo && v <= hi) {
		return nil
	}
	off := ""
	if zeroOff {
		off = ", or 0 to turn it off"
	}
	return fmt.Errorf("%s: %d is out of range, want %d to %d%s", key, v, lo, hi, off)
}

func arpCheckDur(key string, v packet.Duration, lo, hi time.Duration, zeroOff bool) error {
	if (v == 0 && zeroOff) || (v.D() >= lo && v.D() <= hi) {
		return nil
	}
	off := ""
	if zeroOff {
		off = ", or 0s to turn it off"
	}
	return fmt.Errorf("%s: %s is out of range, want %s to %s%s", key, v, lo, hi, off)
}

// Event kinds of SIDARPPoison.
const (
	KindBindingChange    = "binding-change"    // an address moved to another MAC
	KindUnsolicitedReply = "unsolicited-reply" // a reply nobody asked for
	KindGratuitous       = "gratuitous"        // an announcement that moved a binding
	KindEthMismatch      = "eth-mismatch"      // the frame's source is not the ARP sender
	KindManyIPs          = "many-ips"          // one MAC claiming many addresses
	KindImpersonation    = "impersonation"     // claimed an address, then asked for it
	KindGateway          = "gateway"           // any of these, claiming a gateway
)

const (
	arpOpRequest = 1
	arpOpReply   = 2
)

// Pairs of one table serve three purposes; the origin keeps them apart.
const (
	arpPairClaim uint8 = iota // MAC claimed the address in ARP (many-ips)
	arpPairRoute              // MAC carried the address in an IP packet (router)
	arpPairAlert              // MAC was reported for claiming the address
)

// VLAN is part of every key: each VLAN is its own broadcast domain, and a
// router usually reuses one MAC on all its subinterfaces.
type arpIPKey struct {
	ip   netip.Addr
	vlan uint16
}

type arpMACKey struct {
	mac  [6]byte
	vlan uint16
}

type arpPairKey struct {
	ip     netip.Addr
	mac    [6]byte
	vlan   uint16
	origin uint8
}

type arpReqKey struct {
	asked, asker netip.Addr
	vlan         uint16
}

// macWord packs a MAC and a VLAN id into one hash word.
func macWord(mac [6]byte, vlan uint16) uint64 {
	return uint64(mac[0])<<56 | uint64(mac[1])<<48 | uint64(mac[2])<<40 | uint64(mac[3])<<32 |
		uint64(mac[4])<<24 | uint64(mac[5])<<16 | uint64(vlan)
}

func (k arpIPKey) hash() bounded.Hash { return bounded.Seed().Addr(k.ip).Word(uint64(k.vlan)) }

func (k arpMACKey) hash() bounded.Hash { return bounded.Seed().Word(macWord(k.mac, k.vlan)) }

func (k arpPairKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.ip).Word(macWord(k.mac, k.vlan)).Word(uint64(k.origin))
}

func (k arpReqKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.asked).Addr(k.asker).Word(uint64(k.vlan))
}

// arpBinding keeps the incumbent MAC of an address rather than the latest
// claimant: when a poisoner and the real owner take turns (arpwatch's "flip
// flop"), the newcomer stays the one reported and the owner's answers are
// never mistaken for the attack.
type arpBinding struct {
	stable [6]byte          // incumbent MAC
	seen   int64            // last claim by the incumbent
	ref    packet.PacketRef // where that claim was
	cur    [6]byte          // latest claimant
	flips  uint32           // times the incumbent took the address back
	clean  bool             // the binding began with a claim that raised no suspicion
}

type arpHost struct {
	own    netip.Addr // first address claimed without suspicion
	router bool

	routeWin   int64 // start of the router-evidence window
	routeWinOK bool
	routeIPs   int
	lastRoute  netip.Addr // last address counted in this window

	claimWin    int64 // start of the many-ips window
	claimWinOK  bool
	claimIPs    int
	claimFirst  packet.PacketRef
	claimFirstT int64
	manyFired   bool
	// claimSample keeps the first addresses claimed in the window, for
	// events to show (claims are IPv4: 4 bytes, not a netip.Addr's 24).
	claimSample [arpClaimSample][4]byte
}

// arpClaimSample is how many claimed addresses an event lists.
const arpClaimSample = 4

type arpPair struct {
	win int64 // the host window this pair was counted in

	// Alert pairs: suspicious claims since the last report.
	count     uint64
	first     packet.PacketRef
	firstTime int64
	fired     bool
	firedAt   int64
}

type arpRequest struct{ t int64 }

// ARPSpoof detects ARP cache poisoning (SIDARPPoison). Every ARP packet with
// a usable sender (not a 0.0.0.0 probe, not a group MAC) is a claim that its
// sender IP is at its sender MAC. A claim is reported, first match wins, as
//
//   - eth-mismatch: the frame's Ethernet source is not the ARP sender MAC;
//     the Ethernet source is blamed. Wi-Fi bridges that rewrite the source
//     MAC (a VM bridged over Wi-Fi) and multicast-mode NLB clusters do this
//     harmlessly.
//
//   - gratuitous: sender IP = target IP, and the address is bound to
//     another MAC. A host announcing its own first or unchanged binding
//     (boot, DHCP renewal, failover) is not reported.
//
//   - unsolicited-reply: a reply nobody asked for within ReplyWindow, unless
//     its sender is the known owner of a binding that began cleanly.
//
//   - binding-change: any other claim on an address bound to another MAC
//     (arpwatch's "changed ethernet address"). Bonjour Sleep Proxies and
//     address reuse inside BindingTimeout are the honest sources.
//
//   - impersonation: a MAC asks who has an address it claimed itself
//     earlier (see checkImpersonation).
//
// and, for the claimant MAC as a whole, many-ips. A reported claim on a
// gateway gets Kind "gateway"; Detail keeps the underlying kind.
//
// The binding keeps its incumbent MAC until that MAC falls silent for
// BindingTimeout, so the owner taking its address back is never reported
// and the newcomer stays the one blamed. A capture that starts mid-attack
// sees the poisoner as incumbent; its unsolicited replies are still
// reported, but the owner's next claim is blamed as a binding change.
//
// Each (address, blamed MAC) fires once per Window; Count is the suspicious
// claims since its previous report (so 1 on the first), First the earliest
// of them. many-ips fires once per MAC per Window with Count the distinct
// addresses. Attacker is the blamed MAC's own address, the first it claimed
// without suspicion, when known.
type ARPSpoof struct {
	cfg         ARPConfig
	gateways    []netip.Addr
	window      int64
	bindingTTL  int64
	replyWindow int64

	bindings *bounded.Table[arpIPKey, arpBinding]
	hosts    *bounded.Table[arpMACKey, arpHost]
	pairs    *bounded.Table[arpPairKey, arpPair]
	requests *bounded.Table[arpReqKey, arpRequest]

	start   int64
	started bool

	// routeMemo remembers recent (MAC, address) sightings in IP packets so
	// a conversation's packets touch the tables once a second, not each
	// time (measured: learnRoute fell from 14% of analyze time to ~2%).
	// It holds a LAN's worth of hosts: with 8 entries the bench's mixed
	// capture (170 MACs) missed often enough to make learnRoute 8% again.
	routeMemo [256]arpRouteMemo
}

type arpRouteMemo struct {
	mac routeMAC
	ip  netip.Addr
	at  int64
	// router: the MAC is a router's, so any address it carries is
	// skipped (a gateway carries a new one packet after packet)
	router bool
}

// routeMemoTTL bounds how stale a memo may be: far below every window and
// timeout, so skipped touches never let live state expire.
const routeMemoTTL = int64(time.Second)

// NewARPSpoof returns the detector; cfg must have passed Validate.
func NewARPSpoof(cfg ARPConfig) *ARPSpoof {
	return &ARPSpoof{
		cfg:         cfg,
		gateways:    append([]netip.Addr(nil), cfg.Gateway...),
		window:      cfg.Window.Nanos(),
		bindingTTL:  cfg.BindingTimeout.Nanos(),
		replyWindow: cfg.ReplyWindow.Nanos(),
		bindings:    bounded.NewHashed[arpIPKey, arpBinding](cfg.MaxBindings, arpIPKey.hash),
		hosts:       bounded.NewHashed[arpMACKey, arpHost](cfg.MaxMACs, arpMACKey.hash),
		pairs:       bounded.NewHashed[arpPairKey, arpPair](cfg.MaxPairs, arpPairKey.hash),
		requests:    bounded.NewHashed[arpReqKey, arpRequest](cfg.MaxRequests, arpReqKey.hash),
	}
}

// Name implements Detector.
func (d *ARPSpoof) Name() string { return "arpspoof" }

// Evicted implements Detector.
func (d *ARPSpoof) Evicted() uint64 {
	return d.bindings.Evicted() + d.hosts.Evicted() + d.pairs.Evicted() + d.requests.Evicted()
}

// Expire implements Detector. Nothing is pending: every kind fires on the
// packet that shows it.
func (d *ARPSpoof) Expire(now int64, _ packet.Emit) {
	d.bindings.Expire(now-d.bindingTTL, nil)
	d.hosts.Expire(now-max(d.window, d.bindingTTL), nil)
	d.pairs.Expire(now-d.window, nil)
	d.requests.Expire(now-d.replyWindow, nil)
}

// Observe implements Detector.
func (d *ARPSpoof) Observe(f *packet.Facts, emit packet.Emit) {
	if !d.started {
		d.started, d.start = true, f.Time
	}
	switch f.L3 {
	case packet.L3ARP:
		d.observeARP(f, emit)
	case packet.L3IPv4:
		if f.HasEth && d.cfg.RouterMinIPs > 0 {
			d.learnRoute(newRouteMAC(&f.SrcMAC, f.VLAN), f.Src, f.Time)
			d.learnRoute(newRouteMAC(&f.DstMAC, f.VLAN), f.Dst, f.Time)
		}
	}
}

// routeMAC is a MAC and its VLAN in one word, what the route memo is
// keyed and probed by: a [6]byte passed by value goes through the stack
// and was read back in pieces of other widths, a stall that made the memo
// probe 3 % of a mixed capture's run.
type routeMAC uint64

func newRouteMAC(mac *[6]byte, vlan uint16) routeMAC {
	return routeMAC(binary.LittleEndian.Uint32(mac[:4])) | routeMAC(binary.LittleEndian.Uint16(mac[4:]))<<32 | routeMAC(vlan)<<48
}

func (k routeMAC) mac() (mac [6]byte) {
	binary.LittleEndian.PutUint32(mac[:4], uint32(k))
	binary.LittleEndian.PutUint16(mac[4:], uint16(k>>32))
	return mac
}

func (k routeMAC) vlan() uint16 { return uint16(k >> 48) }

// slot spreads MACs over the memo: NICs of one vendor share their first
// three bytes, so the last three and the VLAN are mixed.
func (k routeMAC) slot() int {
	x := uint32(k>>24)&0xffffff ^ uint32(k>>48)<<12
	return int(x * 0x9e3779b1 >> 24) // 256 slots
}

// learnRoute counts the distinct addresses a MAC carries; a MAC carrying
// many is a router.
func (d *ARPSpoof) learnRoute(key routeMAC, ip netip.Addr, now int64) {
	m := &d.routeMemo[key.slot()]
	if m.mac == key && (m.ip == ip || m.router) && now-m.at < routeMemoTTL && now >= m.at {
		return
	}
	mac, vlan := key.mac(), key.vlan()
	if !arpUnicastMAC(mac) || !arpClaimable(ip) {
		return
	}
	*m = arpRouteMemo{mac: key, ip: ip, at: now}
	h, _ := d.hosts.Put(arpMACKey{mac, vlan}, now, nil)
	if h.router {
		m.router = true
		return
	}
	if !h.routeWinOK || now-h.routeWin >= d.window {
		h.routeWin, h.routeWinOK, h.routeIPs, h.lastRoute = now, true, 0, netip.Addr{}
	}
	// A host's MAC carries its one address packet after packet: skip the
	// pair table then (measured: a quarter of analyze time without this).
	if ip == h.lastRoute {
		return
	}
	h.lastRoute = ip
	p, created := d.pairs.Put(arpPairKey{ip, mac, vlan, arpPairRoute}, now, nil)
	if created || p.win != h.routeWin {
		p.win = h.routeWin
		h.routeIPs++
		h.router = h.routeIPs >= d.cfg.RouterMinIPs
	}
}

// arpClaim is what one ARP packet says, worked out before any table that
// holds pointers is touched.
type arpClaim struct {
	ip          netip.Addr
	mac         [6]byte // the claimed binding (ARP sender MAC)
	attacker    [6]byte // who to blame: the Ethernet source on a mismatch
	kind        string
	old         [6]byte // incumbent MAC on a conflict
	oldSeen     int64
	oldRef      packet.PacketRef
	conflict    bool
	flipped     bool
	unsolicited bool
	trusted     bool    // the incumbent of a binding that began cleanly
	stable      [6]byte // the binding's incumbent after this claim
	gateway     string  // "", "configured" or "inferred"
}

func (d *ARPSpoof) observeARP(f *packet.Facts, emit packet.Emit) {
	a := &f.ARP
	now, vlan := f.Time, f.VLAN
	if a.Op == arpOpRequest && d.replyWindow > 0 && a.TargetIP.Is4() {
		r, _ := d.requests.Put(arpReqKey{a.TargetIP, a.SenderIP, vlan}, now, nil)
		r.t = now
	}
	// Probes (sender 0.0.0.0, RFC 5227) claim nothing.
	if !arpClaimable(a.SenderIP) || !arpUnicastMAC(a.SenderMAC) {
		return
	}
	if a.Op == arpOpRequest {
		d.checkImpersonation(f, emit)
	}
	c := arpClaim{ip: a.SenderIP, mac: a.SenderMAC, attacker: a.SenderMAC}
	gratuitous := a.SenderIP == a.TargetIP
	mismatch := f.HasEth && f.SrcMAC != a.SenderMAC
	if mismatch {
		c.attacker = f.SrcMAC
	}
	// Replies in flight when the capture started answered requests it
	// never saw; give them one reply window.
	if a.Op == arpOpReply && !gratuitous && d.replyWindow > 0 && now-d.start >= d.replyWindow {
		r, ok := d.requests.Peek(arpReqKey{a.SenderIP, a.TargetIP, vlan})
		c.unsolicited = !ok || now-r.t > d.replyWindow
	}

	d.bind(&c, vlan, now, f.Packet)
	// Some stacks refresh their peers with unsolicited unicast replies; from
	// an address's known owner that is no lie. A binding that began with an
	// unsolicited reply (the capture started mid-attack) earns no such trust.
	if c.trusted {
		c.unsolicited = false
	}

	switch {
	case mismatch:
		c.kind = KindEthMismatch
	case gratuitous && c.conflict:
		c.kind = KindGratuitous
	case c.unsolicited:
		c.kind = KindUnsolicitedReply
	case c.conflict:
		c.kind = KindBindingChange
	}

	var many packet.Event
	fireMany := d.countClaim(&c, vlan, f, &many)
	if c.kind != "" {
		d.alert(&c, vlan, f, emit)
	}
	if fireMany {
		emit(many)
	}
}

// checkImpersonation catches a MAC asking who has an address it claimed
// itself: no host ARPs for its own address (RFC 5227 probes use sender
// 0.0.0.0 and announcements are gratuitous), so the earlier claim was a
// lie. Man-in-the-middle tools do exactly this: they poison the victim with
// the gateway's address, then ask for the real gateway to relay traffic.
// The request's sender address is the impostor's own.
func (d *ARPSpoof) checkImpersonation(f *packet.Facts, emit packet.Emit) {
	a := &f.ARP
	if a.TargetIP == a.SenderIP || !arpClaimable(a.TargetIP) {
		return
	}
	b, ok := d.bindings.Peek(arpIPKey{a.TargetIP, f.VLAN})
	if !ok || b.stable != a.SenderMAC || f.Time-b.seen >= d.bindingTTL {
		return
	}
	h, _ := d.hosts.Put(arpMACKey{a.SenderMAC, f.VLAN}, f.Time, nil)
	h.own = a.SenderIP
	c := arpClaim{ip: a.TargetIP, mac: a.SenderMAC, attacker: a.SenderMAC, kind: KindImpersonation,
		stable: b.stable, oldRef: b.ref, oldSeen: b.seen}
	// the evidence starts at the lie, not at the question
	if p, _ := d.pairs.Put(arpPairKey{c.ip, c.attacker, f.VLAN, arpPairAlert}, f.Time, nil); p.count == 0 {
		p.first, p.firstTime, p.count = b.ref, b.seen, 1
	}
	// the binding was a lie: forget it so the real owner can claim it
	d.bindings.Delete(arpIPKey{a.TargetIP, f.VLAN})
	d.alert(&c, f.VLAN, f, emit)
}

// bind updates the address's binding and records in c whether the claim
// conflicts with it.
func (d *ARPSpoof) bind(c *arpClaim, vlan uint16, now int64, ref packet.PacketRef) {
	k := arpIPKey{c.ip, vlan}
	b, ok := d.bindings.Peek(k)
	if ok && b.stable != c.mac && now-b.seen >= d.bindingTTL {
		// The incumbent fell silent; Expire has not run yet.
		d.bindings.Delete(k)
		ok = false
	}
	switch {
	case !ok:
		b, _ = d.bindings.Put(k, now, nil)
		*b = arpBinding{stable: c.mac, cur: c.mac, seen: now, ref: ref,
			clean: !c.unsolicited && c.attacker == c.mac}
	case b.stable == c.mac:
		d.bindings.Get(k, now)
		c.trusted = b.clean
		if b.cur != c.mac {
			b.flips++
			b.cur = c.mac
		}
		b.seen, b.ref = now, ref
	default:
		// Peek, not Get: a contender's claims must not keep the incumbent's
		// binding alive.
		c.conflict = true
		c.old, c.oldSeen, c.oldRef = b.stable, b.seen, b.ref
		c.flipped = b.flips > 0
		b.cur = c.mac
	}
	c.stable = b.stable
}

// gatewayOf says whether ip is a gateway: configured, or bound (before any
// contender) to a MAC that routes.
func (d *ARPSpoof) gatewayOf(ip netip.Addr, vlan uint16, stable [6]byte) string {
	for _, g := range d.gateways {
		if g == ip {
			return "configured"
		}
	}
	if d.cfg.RouterMinIPs > 0 {
		if h, ok := d.hosts.Peek(arpMACKey{stable, vlan}); ok && h.router {
			return "inferred"
		}
	}
	return ""
}

// countClaim learns the claimant's own address and counts the distinct
// addresses it claims; it fills ev and reports true when many-ips fires.
func (d *ARPSpoof) countClaim(c *arpClaim, vlan uint16, f *packet.Facts, ev *packet.Event) bool {
	now := f.Time
	h, _ := d.hosts.Put(arpMACKey{c.mac, vlan}, now, nil)
	// Only a claim that raised no suspicion names the host: a poisoner's
	// first packet is often its lie.
	if c.kind == "" && !h.own.IsValid() {
		h.own = c.ip
	}
	if d.cfg.ManyIPs == 0 {
		return false
	}
	if !h.claimWinOK || now-h.claimWin >= d.window {
		h.claimWin, h.claimWinOK, h.claimIPs, h.manyFired = now, true, 0, false
		h.claimFirst, h.claimFirstT = f.Packet, now
	}
	p, created := d.pairs.Put(arpPairKey{c.ip, c.mac, vlan, arpPairClaim}, now, nil)
	if !created && p.win == h.claimWin {
		return false
	}
	p.win = h.claimWin
	if h.claimIPs < arpClaimSample {
		h.claimSample[h.claimIPs] = c.ip.As4()
	}
	h.claimIPs++
	if h.claimIPs < d.cfg.ManyIPs || h.manyFired {
		return false
	}
	h.manyFired = true
	*ev = packet.Event{
		SID:         SIDARPPoison,
		Time:        now,
		AttackerMAC: c.mac,
		HasMAC:      true,
		FirstTime:   h.claimFirstT,
		LastTime:    now,
		First:       h.claimFirst,
		Last:        f.Packet,
		Count:       uint64(h.claimIPs),
		Kind:        KindManyIPs,
		Detail: fmt.Sprintf("%s claimed %d addresses in %s (latest %s)",
			arpMACString(c.mac), h.claimIPs, arpSpan(now-h.claimFirstT), c.ip),
	}
	if h.own.IsValid() {
		ev.Attacker = h.own
	}
	d.claimEvidence(ev, c.mac, vlan)
	return true
}

// claimEvidence tells a report who else is in the story: the MAC the
// claim named and the addresses it claimed in the window (none when
// many_ips is off: they are counted only for it). It runs per event, not
// per packet, so the sample's allocation is rare.
func (d *ARPSpoof) claimEvidence(ev *packet.Event, mac [6]byte, vlan uint16) {
	ev.ClaimMAC = mac
	h, ok := d.hosts.Peek(arpMACKey{mac, vlan})
	if !ok || h.claimIPs == 0 {
		return
	}
	ev.Claims = h.claimIPs
	n := min(h.claimIPs, arpClaimSample)
	ev.Claimed = make([]netip.Addr, n)
	for i := range n {
		ev.Claimed[i] = netip.AddrFrom4(h.claimSample[i])
	}
}

// alert fires once per (address, attacker MAC) per Window.
func (d *ARPSpoof) alert(c *arpClaim, vlan uint16, f *packet.Facts, emit packet.Emit) {
	now := f.Time
	c.gateway = d.gatewayOf(c.ip, vlan, c.stable)
	p, _ := d.pairs.Put(arpPairKey{c.ip, c.attacker, vlan, arpPairAlert}, now, nil)
	if p.count == 0 {
		p.first, p.firstTime = f.Packet, now
	}
	p.count++
	if p.fired && now-p.firedAt < d.window {
		return
	}
	ev := packet.Event{
		SID:         SIDARPPoison,
		Time:        now,
		AttackerMAC: c.attacker,
		HasMAC:      true,
		Victim:      c.ip,
		FirstTime:   p.firstTime,
		LastTime:    now,
		First:       p.first,
		Last:        f.Packet,
		Count:       p.count,
		Kind:        c.kind,
		Detail:      d.detail(c, now),
	}
	if h, ok := d.hosts.Peek(arpMACKey{c.attacker, vlan}); ok && h.own.IsValid() && h.own != c.ip {
		ev.Attacker = h.own
	}
	if c.gateway != "" {
		ev.Kind = KindGateway
	}
	if c.conflict {
		ev.PrevMAC = c.old
	}
	d.claimEvidence(&ev, c.mac, vlan)
	p.fired, p.firedAt, p.count = true, now, 0
	emit(ev)
}

func (d *ARPSpoof) detail(c *arpClaim, now int64) string {
	var b strings.Builder
	if c.gateway != "" {
		fmt.Fprintf(&b, "gateway %s (%s) claimed: ", c.ip, c.gateway)
	}
	switch c.kind {
	case KindEthMismatch:
		fmt.Fprintf(&b, "eth-mismatch: frame from %s says %s is-at %s",
			arpMACString(c.attacker), c.ip, arpMACString(c.mac))
	case KindGratuitous:
		fmt.Fprintf(&b, "gratuitous: %s is-at %s announced to all", c.ip, arpMACString(c.mac))
	case KindUnsolicitedReply:
		fmt.Fprintf(&b, "unsolicited-reply: %s is-at %s with no request for it in the last %s",
			c.ip, arpMACString(c.mac), d.cfg.ReplyWindow)
	case KindBindingChange:
		fmt.Fprintf(&b, "binding-change: %s is-at %s", c.ip, arpMACString(c.mac))
	case KindImpersonation:
		fmt.Fprintf(&b, "impersonation: %s claimed %s at %s, then asked who has %s",
			arpMACString(c.mac), c.ip, arpRefString(c.oldRef), c.ip)
	}
	if c.conflict {
		fmt.Fprintf(&b, "; bound to %s, last seen %s earlier at %s",
			arpMACString(c.old), arpSpan(now-c.oldSeen), arpRefString(c.oldRef))
		if c.flipped {
			b.WriteString(" (flip flop: the owner took it back before)")
		}
	}
	return b.String()
}

func arpClaimable(ip netip.Addr) bool {
	return ip.Is4() && !ip.IsUnspecified() && !ip.IsMulticast() && !ip.IsLoopback() &&
		ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// arpUnicastMAC rejects zero, broadcast and multicast addresses (the
// group bit), which no single host owns.
func arpUnicastMAC(m [6]byte) bool {
	return m[0]&1 == 0 && m != [6]byte{}
}

func arpMACString(m [6]byte) string { return net.HardwareAddr(m[:]).String() }

// arpRefString names a packet for people: files are counted from 1 in the
// order they were given, as the report's file list shows them.
func arpRefString(r packet.PacketRef) string {
	return fmt.Sprintf("packet %d of file %d", r.Num, r.File+1)
}

// arpSpan renders a packet-time span the way people read it ("2m10s").
func arpSpan(ns int64) string {
	d := time.Duration(ns)
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
