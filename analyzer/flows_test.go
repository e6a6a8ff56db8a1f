package analyzer

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// tcpFacts is one TCP packet between the test client and server.
func tcpFacts(t int64, fromClient bool, flags uint8, seq, ack uint32, payload int) packet.Facts {
	c, s := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	f := packet.Facts{Time: t, L3: packet.L3IPv4, Proto: packet.ProtoTCP, TCPFlags: flags, Seq: seq, Ack: ack,
		Src: c, Dst: s, SrcPort: 50000, DstPort: 22, Payload: make([]byte, payload)}
	if !fromClient {
		f.Src, f.Dst, f.SrcPort, f.DstPort = s, c, 22, 50000
	}
	return f
}

func TestFlowTable(t *testing.T) {
	const ms = int64(time.Millisecond)
	syn, ack, fin, rst := packet.TCPSyn, packet.TCPAck, packet.TCPFin, packet.TCPRst
	type step struct {
		fromClient     bool
		flags          uint8
		seq, ack       uint32
		payload        int
		wantDir, wantE uint8
	}
	tests := []struct {
		name      string
		steps     []step
		end       bool // flush at the end
		wantEnded int
		wantClose packet.CloseReason
		wantBytes [2]uint64
	}{
		{"handshake, data, server closes", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, syn | ack, 500, 101, 0, packet.DirToClient, packet.ConnNone},
			{true, ack, 101, 501, 0, packet.DirToServer, packet.ConnEstablished},
			{true, ack, 101, 501, 30, packet.DirToServer, 0},
			{false, ack, 501, 131, 70, packet.DirToClient, 0},
			{false, fin | ack, 571, 131, 0, packet.DirToClient, 0},
			{true, fin | ack, 131, 572, 0, packet.DirToServer, 0},
		}, false, 1, packet.CloseServerFin, [2]uint64{30, 70}},
		{"reset by client", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, syn | ack, 500, 101, 0, packet.DirToClient, 0},
			{true, ack, 101, 501, 0, packet.DirToServer, packet.ConnEstablished},
			{true, rst, 101, 0, 0, packet.DirToServer, 0},
		}, false, 1, packet.CloseClientRst, [2]uint64{}},
		{"data after a reset keeps its direction, opens nothing", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, syn | ack, 500, 101, 0, packet.DirToClient, 0},
			{true, ack, 101, 501, 0, packet.DirToServer, packet.ConnEstablished},
			{true, rst | ack, 101, 501, 0, packet.DirToServer, 0},
			{true, ack, 101, 501, 40, packet.DirToServer, 0},
			{false, ack, 501, 141, 60, packet.DirToClient, 0},
		}, false, 1, packet.CloseClientRst, [2]uint64{}},
		{"refused: never established, never reported", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, rst | ack, 0, 101, 0, packet.DirToClient, 0},
		}, true, 0, 0, [2]uint64{}},
		{"wrong ack does not establish", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, syn | ack, 500, 101, 0, packet.DirToClient, 0},
			{true, ack, 101, 999, 0, packet.DirToServer, packet.ConnNone},
		}, true, 0, 0, [2]uint64{}},
		{"midstream packet has no direction", []step{
			{true, ack, 101, 501, 10, packet.DirUnknown, 0},
		}, true, 0, 0, [2]uint64{}},
		{"open at the end is flushed as timeout", []step{
			{true, syn, 100, 0, 0, packet.DirToServer, packet.ConnOpened},
			{false, syn | ack, 500, 101, 0, packet.DirToClient, 0},
			{true, ack, 101, 501, 5, packet.DirToServer, packet.ConnEstablished},
		}, true, 1, packet.CloseTimeout, [2]uint64{5, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ended []packet.Conn
			ft := newFlowTable(DefaultFlowConfig(), 0, func(c *packet.Conn) { ended = append(ended, *c) })
			for i, s := range tc.steps {
				f := tcpFacts(int64(i+1)*ms, s.fromClient, s.flags, s.seq, s.ack, s.payload)
				ft.observe(&f)
				if f.Dir != s.wantDir || f.ConnEvent != s.wantE {
					t.Errorf("step %d: dir %d event %d, want %d %d", i+1, f.Dir, f.ConnEvent, s.wantDir, s.wantE)
				}
			}
			if tc.end {
				ft.flush()
			}
			if len(ended) != tc.wantEnded {
				t.Fatalf("%d connections ended, want %d", len(ended), tc.wantEnded)
			}
			if tc.wantEnded == 1 {
				c := ended[0]
				if c.ClosedBy != tc.wantClose || c.ClientBytes != tc.wantBytes[0] || c.ServerBytes != tc.wantBytes[1] ||
					!c.Established || c.Client != netip.MustParseAddr("10.0.0.1") || c.ServerPort != 22 {
					t.Errorf("conn %+v", c)
				}
			}
		})
	}
}

func TestFlowTableBounded(t *testing.T) {
	cfg := DefaultFlowConfig()
	cfg.MaxHalfOpen = 100
	ft := newFlowTable(cfg, 0, func(*packet.Conn) {})
	for i := 0; i < 1000; i++ {
		f := tcpFacts(int64(i), true, packet.TCPSyn, 1, 0, 0)
		f.SrcPort = uint16(1000 + i)
		ft.observe(&f)
	}
	if h, _ := ft.evictions(); h != 900 || ft.halfOpen.Len() != 100 {
		t.Fatalf("evicted %d, kept %d", h, ft.halfOpen.Len())
	}
	ft.expire(int64(time.Hour))
	if ft.halfOpen.Len() != 0 {
		t.Fatalf("half-open connections not expired: %d", ft.halfOpen.Len())
	}
}

// With midstream pickup a connection first seen mid-way is tracked as
// established, the client guessed from the ports; without it, not at all.
func TestFlowTableMidstream(t *testing.T) {
	for _, midstream := range []bool{false, true} {
		cfg := DefaultFlowConfig()
		cfg.Midstream = midstream
		var ended []packet.Conn
		ft := newFlowTable(cfg, 0, func(c *packet.Conn) { ended = append(ended, *c) })
		// the server's reply is the first packet seen
		f := tcpFacts(1, false, packet.TCPAck|packet.TCPPsh, 500, 101, 40)
		ft.observe(&f)
		g := tcpFacts(2, true, packet.TCPAck, 101, 540, 10)
		ft.observe(&g)
		ft.flush()
		if !midstream {
			if f.Dir != packet.DirUnknown || len(ended) != 0 {
				t.Errorf("without midstream: dir %d, %d connections", f.Dir, len(ended))
			}
			continue
		}
		if f.Dir != packet.DirToClient || g.Dir != packet.DirToServer || len(ended) != 1 {
			t.Fatalf("midstream: dirs %d %d, %d connections", f.Dir, g.Dir, len(ended))
		}
		if c := ended[0]; !c.Established || c.ServerPort != 22 || c.ServerBytes != 40 || c.ClientBytes != 10 {
			t.Errorf("conn %+v", c)
		}
	}
}

// A capture that starts at the server's SYN-ACK: with midstream on, the
// SYN-ACK's sender is the server and the client's ACK establishes, as
// Suricata picks such a session up; without it, nothing is tracked.
func TestFlowTableMidstreamSYNACK(t *testing.T) {
	for _, midstream := range []bool{false, true} {
		cfg := DefaultFlowConfig()
		cfg.Midstream = midstream
		var ended []packet.Conn
		ft := newFlowTable(cfg, 0, func(c *packet.Conn) { ended = append(ended, *c) })
		synAck := tcpFacts(1, false, packet.TCPSyn|packet.TCPAck, 500, 101, 0)
		ft.observe(&synAck)
		ack := tcpFacts(2, true, packet.TCPAck, 101, 501, 0)
		ft.observe(&ack)
		data := tcpFacts(3, true, packet.TCPAck|packet.TCPPsh, 101, 501, 20)
		ft.observe(&data)
		ft.flush()
		want := [3]uint8{packet.DirToClient, packet.DirToServer, packet.DirToServer}
		wantEnded := 1
		if !midstream {
			want, wantEnded = [3]uint8{}, 0
		}
		if got := [3]uint8{synAck.Dir, ack.Dir, data.Dir}; got != want || len(ended) != wantEnded {
			t.Fatalf("midstream %v: dirs %v, want %v; %d connections, want %d", midstream, got, want, len(ended), wantEnded)
		}
		if midstream {
			if c := ended[0]; !c.Established || c.ServerPort != 22 || c.ClientBytes != 20 || ack.ConnEvent != packet.ConnEstablished {
				t.Errorf("conn %+v, ack event %d", c, ack.ConnEvent)
			}
		}
	}
}

// TCP Fast Open: the SYN's data is the start of the client's stream, so a
// content split between the SYN and the next segment is found.
func TestFlowTableFastOpenStream(t *testing.T) {
	ft := newFlowTable(DefaultFlowConfig(), 64, func(*packet.Conn) {})
	syn := tcpFacts(1, true, packet.TCPSyn, 100, 0, 0)
	syn.Payload = []byte("GET /in")
	ft.observe(&syn)
	synAck := tcpFacts(2, false, packet.TCPSyn|packet.TCPAck, 500, 108, 0)
	ft.observe(&synAck)
	next := tcpFacts(3, true, packet.TCPAck, 108, 501, 0)
	next.Payload = []byte("dex.php")
	ft.observe(&next)
	if string(syn.StreamData) != "GET /in" {
		t.Errorf("SYN stream data %q, want its payload", syn.StreamData)
	}
	if string(next.StreamPrefix)+string(next.StreamData) != "GET /index.php" {
		t.Errorf("next segment: prefix %q data %q, want the SYN's data before it", next.StreamPrefix, next.StreamData)
	}
}

// A segment whose bytes the stream had already is marked a retransmission;
// one that brings any new byte is not.
func TestFlowTableRetransmission(t *testing.T) {
	ft := newFlowTable(DefaultFlowConfig(), 64, func(*packet.Conn) {})
	steps := []struct {
		seq     uint32
		payload int
		want    bool
	}{
		{101, 10, false}, // first data
		{101, 10, true},  // the same again
		{105, 6, true},   // a part of it
		{105, 10, false}, // overlapping, 4 new bytes
		{115, 0, false},  // no payload: not a retransmission of anything
	}
	for _, st := range []packet.Facts{
		tcpFacts(1, true, packet.TCPSyn, 100, 0, 0),
		tcpFacts(2, false, packet.TCPSyn|packet.TCPAck, 500, 101, 0),
		tcpFacts(3, true, packet.TCPAck, 101, 501, 0),
	} {
		ft.observe(&st)
	}
	for i, st := range steps {
		f := tcpFacts(int64(4+i), true, packet.TCPAck|packet.TCPPsh, st.seq, 501, st.payload)
		ft.observe(&f)
		if f.Retransmission != st.want {
			t.Errorf("step %d (seq %d, %d bytes): Retransmission %v, want %v", i, st.seq, st.payload, f.Retransmission, st.want)
		}
	}
}

// TestFlowKeyKeepsAddresses: a key gives back the addresses it was made
// of, each family kept apart (an IPv4-mapped IPv6 address is not the IPv4
// one), and orders its sides as netip.Addr.Compare does, so a
// connection's two directions share one key.
func TestFlowKeyKeepsAddresses(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"),
		netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("::ffff:10.0.0.1"),
		netip.MustParseAddr("::"), netip.MustParseAddr("::1"), netip.MustParseAddr("2001:db8::1"),
		netip.MustParseAddr("fe80::1")}
	for _, a := range addrs {
		for _, b := range addrs {
			for _, ports := range [][2]uint16{{1000, 80}, {80, 1000}, {7, 7}} {
				k, fromLo := makeFlowKey(a, ports[0], b, ports[1])
				back, _ := makeFlowKey(b, ports[1], a, ports[0])
				if back != k {
					t.Errorf("%v:%d-%v:%d: the reverse direction has another key", a, ports[0], b, ports[1])
				}
				src, dst, sport, dport := k.loAddr(), k.hiAddr(), k.loPort(), k.hiPort()
				if !fromLo {
					src, dst, sport, dport = dst, src, dport, sport
				}
				if src != a || dst != b || sport != ports[0] || dport != ports[1] {
					t.Errorf("%v:%d-%v:%d: the key gives back %v:%d-%v:%d", a, ports[0], b, ports[1], src, sport, dst, dport)
				}
				c := a.Compare(b)
				if wantLo := c < 0 || c == 0 && ports[0] <= ports[1]; fromLo != wantLo {
					t.Errorf("%v:%d-%v:%d: source is the low side %v, netip.Addr.Compare says %v", a, ports[0], b, ports[1], fromLo, wantLo)
				}
				if a != b && k.hash() == (flowKey{}).hash() {
					t.Errorf("%v-%v: hashes as the empty key", a, b)
				}
			}
		}
	}
}

// TestFlowRecordsHoldNoPointers: the flow tables' entries must stay free
// of pointers (see flowKey); a field with one would make the collector
// scan every slab again and every slot write pay a barrier.
func TestFlowRecordsHoldNoPointers(t *testing.T) {
	for _, v := range []any{flowKey{}, flow{}, closedFlow{}, udpFlow{}} {
		if typ := reflect.TypeOf(v); holdsPointers(typ) {
			t.Errorf("%v holds a pointer", typ)
		}
	}
	if !holdsPointers(reflect.TypeOf(packet.Conn{})) {
		t.Error("holdsPointers misses netip.Addr's pointer")
	}
}

func holdsPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.String, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && holdsPointers(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if holdsPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
