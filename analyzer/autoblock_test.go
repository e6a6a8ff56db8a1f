package analyzer

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
)

func TestAutoblock(t *testing.T) {
	const s = int64(time.Second)
	attacker := netip.MustParseAddr("203.0.113.66")
	victim := netip.MustParseAddr("192.168.1.20")
	other := netip.MustParseAddr("192.168.1.21")
	a := newAutoblock(10*time.Minute, 10, 10)

	a.observe(attacker, victim, 1*s, 100) // before any block: not dropped
	if started, _ := a.block(attacker, 10*s, 9000002); !started {
		t.Fatal("first detection must start a block")
	}
	a.observe(attacker, victim, 10*s, 60)                         // the detecting packet itself
	a.observe(attacker, victim, 20*s, 60)                         // dropped
	a.observe(victim, attacker, 21*s, 40)                         // answers to it dropped too
	a.observe(other, victim, 22*s, 999)                           // unrelated
	if started, _ := a.block(attacker, 300*s, 9000001); started { // during the block: extends to 900s
		t.Fatal("detection during a block must extend it, not start one")
	}
	a.observe(attacker, victim, 800*s, 60) // inside the extension
	a.expire(950*s, nil)
	a.observe(attacker, victim, 950*s, 60) // after it ended
	if started, _ := a.block(attacker, 2000*s, 9000002); !started {
		t.Fatal("detection after the block ended must start a new one")
	}
	got := a.results()
	if len(got) != 1 {
		t.Fatalf("results %+v", got)
	}
	b := got[0]
	want := BlockedHost{
		Host:           MustParseHost("203.0.113.66"),
		FirstBlock:     TimeOf(time.Unix(10, 0).UTC()),
		LastUnblock:    TimeOf(time.Unix(2600, 0).UTC()),
		Blocks:         2,
		Extensions:     1,
		TotalBlocked:   packet.Duration((890 + 600) * s),
		DroppedPackets: 3,
		DroppedBytes:   160,
		SIDs:           []uint32{9000001, 9000002},
	}
	if b.Host != want.Host || !b.FirstBlock.Equal(want.FirstBlock.Time) || !b.LastUnblock.Equal(want.LastUnblock.Time) ||
		b.Blocks != want.Blocks || b.Extensions != want.Extensions || b.TotalBlocked != want.TotalBlocked ||
		b.DroppedPackets != want.DroppedPackets || b.DroppedBytes != want.DroppedBytes || len(b.SIDs) != 2 {
		t.Errorf("got  %+v\nwant %+v", b, want)
	}
}

// On a quiet live link the clock moves without packets: a block still runs
// out and its unblock is announced at the block's end.
func TestEngineAdvanceUnblocksWithoutPackets(t *testing.T) {
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	cfg.OnEvent = func(ev Event) { events = append(events, ev) }
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.AddFile("live:test")
	t0 := testEpoch.UnixNano()
	e.Packet(LinkRaw, nil, t0, 0, packet.PacketRef{Num: 1}) // starts the clock
	e.block.block(netip.MustParseAddr("203.0.113.66"), t0, detectors.SIDPortScan)
	e.Advance(t0 + int64(9*time.Minute))
	if len(events) != 0 {
		t.Fatalf("unblocked early: %+v", events)
	}
	e.Advance(t0 + int64(10*time.Minute+time.Second))
	if len(events) != 1 || events[0].Type != EventUnblock || !events[0].Time.Equal(testEpoch.Add(10*time.Minute)) {
		t.Fatalf("events %+v, want one unblock at the block's end", events)
	}
	e.Advance(t0) // the past changes nothing
}

// The table lists the first hosts blocked; later hosts' blocks are
// folded into totals once they end, and a full table blocks nothing.
func TestAutoblockBounded(t *testing.T) {
	const s = int64(time.Second)
	a := newAutoblock(10*time.Minute, 2, 3)
	host := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}) }
	var refused int
	for i := range 8 {
		if _, ok := a.block(host(i), s, 9000002); !ok {
			refused++
		}
	}
	if refused != 3 || a.refused != 3 {
		t.Errorf("%d detections refused (counted %d), want 3: 3 listed and 2 more at once", refused, a.refused)
	}
	for i := range 5 {
		a.observe(host(i), host(100), 2*s, 100)
	}
	a.expire(700*s, nil) // every block ended: the 2 unlisted are folded
	if len(a.hosts) != 3 || len(a.order) != 3 {
		t.Errorf("table holds %d hosts (%d in order) after the blocks ended, want the 3 listed", len(a.hosts), len(a.order))
	}
	for i := 10; i < 12; i++ { // room again
		if _, ok := a.block(host(i), 800*s, 9000002); !ok {
			t.Errorf("host %d refused once the table had room", i)
		}
	}
	if got := a.results(); len(got) != 3 {
		t.Errorf("%d hosts listed, want 3", len(got))
	}
	u := a.unlistedTotals()
	if u.Hosts != 4 || u.Blocks != 4 || u.DroppedPackets != 2 || u.DroppedBytes != 200 {
		t.Errorf("unlisted totals %+v, want 4 hosts, 4 blocks, 2 packets of 200 bytes", u)
	}
	if w := strings.Join(a.warnings(), "\n"); !strings.Contains(w, "report.max_blocked_hosts") || !strings.Contains(w, "autoblock.max_hosts") {
		t.Errorf("warnings %q", w)
	}
}
