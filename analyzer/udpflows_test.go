package analyzer

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

func TestUDPFlowTable(t *testing.T) {
	const s = int64(time.Second)
	a, b := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.1")
	type step struct {
		at           int64
		fromA        bool
		wantDir      uint8
		wantBothWays bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first sender is the client", []step{
			{0, true, packet.DirToServer, false},
			{1 * s, false, packet.DirToClient, true},
			{2 * s, true, packet.DirToServer, true},
		}},
		// the higher address sends first: the key's order must not decide
		{"client is whoever sent first", []step{
			{0, false, packet.DirToServer, false},
			{1 * s, true, packet.DirToClient, true},
		}},
		{"an unanswered flow times out as new", []step{
			{0, true, packet.DirToServer, false},
			{31 * s, false, packet.DirToServer, false},
			{32 * s, true, packet.DirToClient, true},
		}},
		{"an answered flow lives to the idle timeout", []step{
			{0, true, packet.DirToServer, false},
			{1 * s, false, packet.DirToClient, true},
			{200 * s, false, packet.DirToClient, true},
			{501 * s, false, packet.DirToServer, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := newUDPFlowTable(DefaultFlowConfig())
			for i, st := range tt.steps {
				f := packet.Facts{Time: st.at, L3: packet.L3IPv4, Proto: packet.ProtoUDP,
					Src: a, Dst: b, SrcPort: 5060, DstPort: 5061}
				if !st.fromA {
					f.Src, f.Dst, f.SrcPort, f.DstPort = b, a, 5061, 5060
				}
				ft.observe(&f, false)
				if f.Dir != st.wantDir || f.BothWays != st.wantBothWays {
					t.Errorf("step %d: Dir %d BothWays %v, want %d %v", i, f.Dir, f.BothWays, st.wantDir, st.wantBothWays)
				}
			}
		})
	}
}

func TestUDPFlowTableBounded(t *testing.T) {
	cfg := DefaultFlowConfig()
	cfg.MaxEstablished = 4
	ft := newUDPFlowTable(cfg)
	src := netip.MustParseAddr("10.0.0.9")
	for i := range 100 {
		f := packet.Facts{Time: int64(i), L3: packet.L3IPv4, Proto: packet.ProtoUDP,
			Src: src, Dst: netip.MustParseAddr("10.0.0.1"), SrcPort: uint16(1000 + i), DstPort: 53}
		ft.observe(&f, false)
	}
	if n := ft.flows.Len(); n != 4 {
		t.Errorf("%d flows kept, want the cap, 4", n)
	}
}

// A tunnel's outer packets count in a flow of their own, whose protocol
// is Suricata's "failed": it decodes them as a tunnel and runs no
// protocol detection on them.
func TestUDPFlowTableTunnelOuter(t *testing.T) {
	ft := newUDPFlowTable(DefaultFlowConfig())
	f := packet.Facts{Time: 1, L3: packet.L3IPv4, Proto: packet.ProtoUDP, CapLen: 100,
		Src: netip.MustParseAddr("10.0.0.9"), Dst: netip.MustParseAddr("10.0.0.1"), SrcPort: 1920, DstPort: 3544}
	ft.observe(&f, true)
	if f.AppProto != packet.AppFailed || f.FlowCounts.Pkts[0] != 1 || f.FlowCounts.Bytes[0] != 100 {
		t.Errorf("outer packet: app %q, counts %+v", packet.AppName(f.AppProto), f.FlowCounts)
	}
	g := f
	g.Time, g.Payload = 2, []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00")
	g.DstPort = 53
	ft.observe(&g, false)
	if g.AppProto != packet.AppDNS {
		t.Errorf("a flow of its own: app %q", packet.AppName(g.AppProto))
	}
}
