package analyzer

import (
	"net/netip"
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
	a := newAutoblock(10 * time.Minute)

	a.observe(attacker, victim, 1*s, 100) // before any block: not dropped
	if !a.block(attacker, 10*s, 9000002) {
		t.Fatal("first detection must start a block")
	}
	a.observe(attacker, victim, 10*s, 60)  // the detecting packet itself
	a.observe(attacker, victim, 20*s, 60)  // dropped
	a.observe(victim, attacker, 21*s, 40)  // answers to it dropped too
	a.observe(other, victim, 22*s, 999)    // unrelated
	if a.block(attacker, 300*s, 9000001) { // during the block: extends to 900s
		t.Fatal("detection during a block must extend it, not start one")
	}
	a.observe(attacker, victim, 800*s, 60) // inside the extension
	a.expire(950*s, nil)
	a.observe(attacker, victim, 950*s, 60) // after it ended
	if !a.block(attacker, 2000*s, 9000002) {
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
