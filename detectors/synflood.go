package detectors

// SYN flood detection: many SYNs to one service (IP:port) whose handshakes
// never complete, counted per victim service over a window of packet time.
// Keying on the service and not the host keeps port scans (one SYN to each
// of many ports) out, and counting only half-open SYNs keeps busy servers
// out: their clients finish the handshake.

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/internal/settings"
	"github.com/ipsreplay/ipsreplay/packet"
)

func init() {
	Register(Registration{SID: SIDSynFlood, Section: "syn_flood", Profile: synFloodProfile,
		New:      func(c Config) packet.Detector { return NewSynFlood(c.SynFlood) },
		Validate: func(c Config) error { return c.SynFlood.Validate() }})
}

// Event kinds of SIDSynFlood.
const (
	KindFloodDirect      = "direct"      // one or a few sources, each over SourceShare
	KindFloodSpoofed     = "spoofed"     // forged sources: names the victim, blocks nobody
	KindFloodDistributed = "distributed" // many real sources, none dominant
)

// Nothing benign floods.
var synFloodProfile = Profile{Default: Behaviour{Evidence: EvidenceFlood}}

// SynFloodConfig tunes the SYN flood detector. The zero value is not useful;
// start from DefaultSynFloodConfig.
type SynFloodConfig struct {
	// Threshold is how many half-open SYNs (SYNs without ACK, minus
	// handshakes completed) one victim IP:port must receive within Window
	// before the detector fires. Lower catches smaller floods but also a
	// popular server behind a lossy link whose handshakes stall; higher
	// misses low-rate floods that still fill a listen backlog of a few
	// hundred entries. Default 200 in 10s, 20 unanswered SYNs a second
	// sustained: Snort's rate_filter example on 135:1 (TCP SYN received)
	// allows 100 SYNs a second per source, and ours can sit lower because
	// completed handshakes do not count and the key is the service, not the
	// source.
	Threshold int `json:"threshold"`

	// Window is how long SYNs to one victim service are counted before the
	// count starts again (an epoch opened by the first SYN, as Zeek SumStats
	// epochs). A longer window catches slower floods and re-fires less often
	// during a long flood; a shorter one limits how long a burst of
	// legitimate retries may accumulate. Default 10s, the window of the
	// default threshold above: a continuing flood is re-reported every 10s.
	Window packet.Duration `json:"window"`

	// SourceShare is the fraction (0 to 1] of the window's half-open SYNs
	// one source must have sent to be named the attacker. Each source over
	// the share gets its own event, so at most 1/SourceShare attackers are
	// named per victim and window. Lower names more members of a small
	// botnet; higher insists on a single dominant flooder. Default 0.25 (up
	// to four attackers); our choice, no peer has an equivalent.
	SourceShare float64 `json:"source_share"`

	// SpoofedMinSources is how many distinct sources with unanswered SYNs a
	// victim must see in the window, when no source reaches SourceShare,
	// before the flood is reported as spoofed (hping3 --rand-source). Lower
	// labels small botnets spoofed; higher reports small spoofed floods as
	// "distributed". Default 50, a quarter of the default Threshold; our
	// choice.
	SpoofedMinSources int `json:"spoofed_min_sources"`

	// SpoofedMaxAvgSYNs is the most SYNs a source may send on average in the
	// window for the flood to look spoofed: flood tools forge a new address
	// per SYN, while a real host whose SYN goes unanswered retransmits it
	// (Linux: after 1s, 3s and 7s, so 4 SYNs in 10s) and bots repeat.
	// Default 2; raise it with a longer Window.
	SpoofedMaxAvgSYNs float64 `json:"spoofed_max_avg_syns"`

	// MaxSourcesPerVictim caps the sources tracked per victim service and
	// window; SYNs from further sources still count towards the victim's
	// total but cannot be attributed. This keeps a spoofed flood (a new
	// source per packet) from filling the pair table: the victim's source
	// set stops growing, as Zeek caps unique sets near the threshold. Must
	// be at least SpoofedMinSources. Higher attributes better on busy
	// servers whose many legitimate clients are tracked first. Default 1024,
	// our choice: more clients than a busy site sees in a 10s window.
	MaxSourcesPerVictim int `json:"max_sources_per_victim"`

	// MaxTrackedVictims caps the victim services (IP:port) tracked at once;
	// every service that receives a SYN gets one for a window. When full the
	// least recently seen is evicted and counted in Evicted: higher rides
	// out wide scans without losing a flood's count, at about 240 bytes an
	// entry (the default 16384 is about 4 MB when full).
	MaxTrackedVictims int `json:"max_tracked_victims"`

	// MaxTrackedPairs caps the (victim service, source) pairs tracked at
	// once, for attribution; MaxSourcesPerVictim bounds one victim's share.
	// About 290 bytes an entry: the default 32768 is about 10 MB when full,
	// the order of Suricata's 16 MiB threshold memcap, and holds 32 spoofed
	// floods at once.
	MaxTrackedPairs int `json:"max_tracked_pairs"`
}

// DefaultSynFloodConfig returns the documented defaults.
func DefaultSynFloodConfig() SynFloodConfig {
	return SynFloodConfig{
		Threshold:           200,
		Window:              packet.Duration(10 * time.Second),
		SourceShare:         0.25,
		SpoofedMinSources:   50,
		SpoofedMaxAvgSYNs:   2,
		MaxSourcesPerVictim: 1024,
		MaxTrackedVictims:   16384,
		MaxTrackedPairs:     32768,
	}
}

// Validate reports every field out of range, naming its json key.
func (c SynFloodConfig) Validate() error {
	var ck settings.Check
	ck.Int("threshold", c.Threshold, 1, 10_000_000)
	if c.Window < packet.Duration(time.Millisecond) || c.Window > packet.Duration(time.Hour) {
		ck.Fail("window: %s out of range [1ms, 1h]", c.Window)
	}
	if !(c.SourceShare > 0 && c.SourceShare <= 1) {
		ck.Fail("source_share: %g out of range (0, 1]", c.SourceShare)
	}
	ck.Int("spoofed_min_sources", c.SpoofedMinSources, 2, 1<<20)
	if !(c.SpoofedMaxAvgSYNs >= 1 && c.SpoofedMaxAvgSYNs <= 1000) {
		ck.Fail("spoofed_max_avg_syns: %g out of range [1, 1000]", c.SpoofedMaxAvgSYNs)
	}
	if c.MaxSourcesPerVictim < c.SpoofedMinSources || c.MaxSourcesPerVictim > 1<<20 {
		ck.Fail("max_sources_per_victim: %d out of range [spoofed_min_sources (%d), %d]",
			c.MaxSourcesPerVictim, c.SpoofedMinSources, 1<<20)
	}
	ck.Int("max_tracked_victims", c.MaxTrackedVictims, 1, 1<<24)
	ck.Int("max_tracked_pairs", c.MaxTrackedPairs, 1, 1<<24)
	return ck.Err()
}

// SynFlood detects SYN floods against one service. It fires on the SYN
// that brings a victim IP:port's half-open count for the window to
// Threshold, then stays quiet for that service until its window ends, so a
// continuing flood is reported about once per window; only a source that
// alone reaches Threshold later in the window is still named, so a flooder
// cannot hide behind spoofed traffic. The detection is
// one event per source over SourceShare (Kind "direct", Count that
// source's SYNs in the window, First/Last its first and last SYN); else one
// event with Spoofed set and a sample of Sources (Kind "spoofed"); else one
// unattributed event with Sources (Kind "distributed"). Count is then the
// victim's SYNs in the window. Build it with NewSynFlood; it is not safe for
// concurrent use.
type SynFlood struct {
	cfg     SynFloodConfig
	window  int64
	gen     uint32 // last epoch id handed out; ties pairs to a victim epoch
	victims *bounded.Table[sfVictimKey, sfVictim]
	pairs   *bounded.Table[sfPairKey, sfPair]
}

type sfVictimKey struct {
	Addr netip.Addr
	Port uint16
}

func (k sfVictimKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.Addr).Word(uint64(k.Port))
}

// sfVictim is one service's count for the current epoch.
type sfVictim struct {
	gen                 uint32
	start               int64
	syns, completed     uint32
	sources             uint32 // tracked pairs in this epoch
	untracked           uint32 // SYNs from sources past MaxSourcesPerVictim
	firstTime, lastTime int64
	first, last         packet.PacketRef
	fired               bool
}

func (v *sfVictim) halfOpen() uint32 {
	if v.completed >= v.syns {
		return 0
	}
	return v.syns - v.completed
}

type sfPairKey struct {
	Victim netip.Addr
	Port   uint16
	Src    netip.Addr
}

func (k sfPairKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.Victim).Addr(k.Src).Word(uint64(k.Port))
}

// sfPair is one source's share of a victim epoch. gen says which epoch; an
// entry left from an older epoch is stale and reset on next use.
type sfPair struct {
	gen                 uint32
	syns, completed     uint32
	firstTime, lastTime int64
	first, last         packet.PacketRef
	mac                 [6]byte
	hasMAC              bool
	fired               bool // named as a direct attacker in this epoch
}

func (p *sfPair) halfOpen() uint32 {
	if p.completed >= p.syns {
		return 0
	}
	return p.syns - p.completed
}

// NewSynFlood returns a detector for cfg, which should have passed Validate.
func NewSynFlood(cfg SynFloodConfig) *SynFlood {
	return &SynFlood{
		cfg:     cfg,
		window:  cfg.Window.Nanos(),
		victims: bounded.NewHashed[sfVictimKey, sfVictim](cfg.MaxTrackedVictims, sfVictimKey.hash),
		pairs:   bounded.NewHashed[sfPairKey, sfPair](cfg.MaxTrackedPairs, sfPairKey.hash),
	}
}

// Name implements Detector.
func (d *SynFlood) Name() string { return "synflood" }

// Evicted implements Detector.
func (d *SynFlood) Evicted() uint64 { return d.victims.Evicted() + d.pairs.Evicted() }

// Observe implements Detector.
func (d *SynFlood) Observe(f *packet.Facts, emit packet.Emit) {
	if f.Proto != packet.ProtoTCP || !f.Src.IsValid() || !f.Dst.IsValid() {
		return
	}
	switch {
	case f.TCPFlags&(packet.TCPSyn|packet.TCPAck) == packet.TCPSyn:
		d.syn(f, emit)
	case f.ConnEvent == packet.ConnEstablished:
		d.completed(f)
	}
}

// Expire implements Detector. An entry untouched for a whole window belongs
// to an epoch that has ended, so nothing current is lost.
func (d *SynFlood) Expire(now int64, _ packet.Emit) {
	d.victims.Expire(now-d.window, nil)
	d.pairs.Expire(now-d.window, nil)
}

func (d *SynFlood) syn(f *packet.Facts, emit packet.Emit) {
	t := f.Time
	vk := sfVictimKey{Addr: f.Dst, Port: f.DstPort}
	v, created := d.victims.Put(vk, t, nil)
	if created || t-v.start >= d.window {
		d.gen++
		if d.gen == 0 { // wrapped; 0 must keep meaning "no epoch"
			d.gen = 1
		}
		*v = sfVictim{gen: d.gen, start: t, firstTime: t, first: f.Packet}
	}
	v.syns++
	v.lastTime, v.last = t, f.Packet

	pk := sfPairKey{Victim: f.Dst, Port: f.DstPort, Src: f.Src}
	p, ok := d.pairs.Get(pk, t)
	if !ok || p.gen != v.gen {
		if v.sources >= uint32(d.cfg.MaxSourcesPerVictim) {
			v.untracked++
			p = nil
		} else {
			if !ok {
				p, _ = d.pairs.Put(pk, t, nil)
			}
			*p = sfPair{gen: v.gen, firstTime: t, first: f.Packet}
			v.sources++
		}
	}
	if p != nil {
		p.syns++
		p.lastTime, p.last = t, f.Packet
		if f.HasEth {
			p.mac, p.hasMAC = f.SrcMAC, true
		}
	}

	if !v.fired && v.halfOpen() >= uint32(d.cfg.Threshold) {
		v.fired = true
		d.fire(vk, v, f, emit)
		return
	}
	// A flooder hiding in a spoofed flood already reported for this
	// service: once it alone crosses the threshold it is named too.
	if v.fired && p != nil && !p.fired && p.halfOpen() >= uint32(d.cfg.Threshold) {
		p.fired = true
		emit(d.direct(d.baseEvent(vk, v, f), v, f.Src, p))
	}
}

func (d *SynFlood) baseEvent(vk sfVictimKey, v *sfVictim, f *packet.Facts) packet.Event {
	return packet.Event{
		SID:        SIDSynFlood,
		Time:       f.Time,
		Victim:     vk.Addr,
		VictimPort: vk.Port,
		Proto:      packet.ProtoTCP,
		FirstTime:  v.firstTime,
		LastTime:   v.lastTime,
		First:      v.first,
		Last:       v.last,
		Count:      uint64(v.syns),
	}
}

// direct is the event naming one source as the flooder.
func (d *SynFlood) direct(base packet.Event, v *sfVictim, src netip.Addr, p *sfPair) packet.Event {
	h, half := p.halfOpen(), v.halfOpen()
	ev := base
	ev.Attacker = src
	ev.AttackerMAC, ev.HasMAC = p.mac, p.hasMAC
	ev.FirstTime, ev.LastTime = p.firstTime, p.lastTime
	ev.First, ev.Last = p.first, p.last
	ev.Count = uint64(p.syns)
	ev.Kind = KindFloodDirect
	ev.Detail = fmt.Sprintf("%d of %d half-open SYNs to %s in %s came from this source (%.0f%%); %d SYNs, %d handshakes completed",
		h, half, netip.AddrPortFrom(base.Victim, base.VictimPort), sfSpan(v.lastTime-v.firstTime),
		100*float64(h)/float64(half), v.syns, v.completed)
	return ev
}

// completed credits a finished handshake to the victim service and its
// client. A completion whose SYN fell in the previous epoch lowers this
// epoch's count a little; halfOpen clamps at zero.
func (d *SynFlood) completed(f *packet.Facts) {
	t := f.Time
	v, ok := d.victims.Get(sfVictimKey{Addr: f.Dst, Port: f.DstPort}, t)
	if !ok || t-v.start >= d.window {
		return
	}
	v.completed++
	if p, ok := d.pairs.Get(sfPairKey{Victim: f.Dst, Port: f.DstPort, Src: f.Src}, t); ok && p.gen == v.gen {
		p.completed++
	}
}

type sfSource struct {
	addr netip.Addr
	pair sfPair
}

// fire emits the detection for one victim epoch: one event per source over
// SourceShare, else one spoofed event, else one distributed event. It runs
// once per victim and window, so scanning the pair table here is cheap
// compared with keeping a per-victim index on every packet.
func (d *SynFlood) fire(vk sfVictimKey, v *sfVictim, f *packet.Facts, emit packet.Emit) {
	var srcs []sfSource
	d.pairs.Each(func(k sfPairKey, p *sfPair) {
		if p.gen == v.gen && k.Victim == vk.Addr && k.Port == vk.Port {
			srcs = append(srcs, sfSource{addr: k.Src, pair: *p})
		}
	})
	slices.SortFunc(srcs, func(a, b sfSource) int {
		if c := cmp.Compare(b.pair.halfOpen(), a.pair.halfOpen()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.pair.syns, a.pair.syns); c != 0 {
			return c
		}
		return a.addr.Compare(b.addr)
	})

	half := v.halfOpen()
	service := netip.AddrPortFrom(vk.Addr, vk.Port)
	span := sfSpan(v.lastTime - v.firstTime)
	base := d.baseEvent(vk, v, f)

	attributed := false
	for i := range srcs {
		s := &srcs[i]
		h := s.pair.halfOpen()
		if h == 0 || float64(h) < d.cfg.SourceShare*float64(half) {
			break // sorted by half-open SYNs, so no later source qualifies
		}
		attributed = true
		if p, ok := d.pairs.Peek(sfPairKey{Victim: vk.Addr, Port: vk.Port, Src: s.addr}); ok {
			p.fired = true
		}
		emit(d.direct(base, v, s.addr, &s.pair))
	}
	if attributed {
		return
	}

	// Sources that completed their handshakes are legitimate clients of a
	// busy server; only those with unanswered SYNs say anything about the
	// flood's origin.
	var n, synsOfN uint32
	for _, s := range srcs {
		if s.pair.halfOpen() > 0 {
			n++
			synsOfN += s.pair.syns
		}
	}
	ev := base
	ev.Sources = sfTopSources(srcs, 5)
	more := ""
	if v.untracked > 0 {
		more = "+"
	}
	if n >= uint32(d.cfg.SpoofedMinSources) && float64(synsOfN) <= d.cfg.SpoofedMaxAvgSYNs*float64(n) {
		ev.Spoofed = true
		ev.Kind = KindFloodSpoofed
		ev.Detail = fmt.Sprintf("%d half-open SYNs to %s in %s from %d%s distinct sources averaging %.1f SYNs each; sources look spoofed",
			half, service, span, n, more, float64(synsOfN)/float64(n))
	} else {
		ev.Kind = KindFloodDistributed
		ev.Detail = fmt.Sprintf("%d half-open SYNs to %s in %s from %d%s sources, none over %.0f%% of them",
			half, service, span, n, more, 100*d.cfg.SourceShare)
	}
	emit(ev)
}

// sfTopSources returns up to n sources with unanswered SYNs, most SYNs first
// and lowest address first among equals, so the sample is the same on
// every run whatever order the sources arrived in.
func sfTopSources(srcs []sfSource, n int) []netip.Addr {
	top := slices.Clone(srcs)
	slices.SortFunc(top, func(a, b sfSource) int {
		if c := cmp.Compare(b.pair.syns, a.pair.syns); c != 0 {
			return c
		}
		return a.addr.Compare(b.addr)
	})
	var out []netip.Addr
	for _, s := range top {
		if len(out) == n {
			break
		}
		if s.pair.halfOpen() > 0 {
			out = append(out, s.addr)
		}
	}
	return out
}

// sfSpan renders a span of capture time at a precision people read.
func sfSpan(ns int64) string {
	d := time.Duration(ns)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
