package analyzer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// rsTable is a flow table with stream tracking and one established
// connection 10.0.0.1:50000 -> 10.0.0.2:22 whose client stream starts at
// sequence number 101.
func rsTable(t *testing.T, cfg FlowConfig, window int) *flowTable {
	t.Helper()
	ft := newFlowTable(cfg, window, func(*packet.Conn) {})
	for i, s := range []struct {
		fromClient bool
		flags      uint8
		seq, ack   uint32
	}{
		{true, packet.TCPSyn, 100, 0},
		{false, packet.TCPSyn | packet.TCPAck, 500, 101},
		{true, packet.TCPAck, 101, 501},
	} {
		f := tcpFacts(int64(i+1), s.fromClient, s.flags, s.seq, s.ack, 0)
		ft.observe(&f)
	}
	return ft
}

// rsSend feeds a client data segment at stream offset off (from 0) and
// returns what the packet's facts carry for the rule matcher.
func rsSend(ft *flowTable, at int64, off int, payload string) (prefix, data string, pieces []int32) {
	f := tcpFacts(at, true, packet.TCPAck|packet.TCPPsh, 101+uint32(off), 501, 0)
	f.Payload = []byte(payload)
	ft.observe(&f)
	return string(f.StreamPrefix), string(f.StreamData), slices.Clone(f.StreamPieces)
}

// TestTCPStreamsAckedGap: when the peer acknowledges past a gap, the
// capture lost those bytes; the held data becomes the stream (its tail
// restarting after the gap) instead of waiting for the hold limit.
func TestTCPStreamsAckedGap(t *testing.T) {
	ack := func(ft *flowTable, at int64, off int) {
		f := tcpFacts(at, false, packet.TCPAck, 501, 101+uint32(off), 0)
		ft.observe(&f)
	}
	tests := []struct {
		name   string
		ackOff int // the server acknowledges client bytes up to here
		// then the client sends "qr" at offset 16
		prefix, data string
		gaps         uint64
		held         bool
	}{
		{"ack passes the gap", 16, "klmnop", "qr", 1, false},
		{"ack within the held data", 12, "klmnop", "qr", 1, false},
		{"ack short of the gap", 2, "", "", 0, true},
		{"ack at the gap", 3, "", "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ft := rsTable(t, DefaultFlowConfig(), 64)
			rsSend(ft, 10, 0, "abc")
			rsSend(ft, 11, 10, "klm") // bytes 3-9 never captured
			rsSend(ft, 12, 13, "nop")
			ack(ft, 13, tc.ackOff)
			prefix, data, _ := rsSend(ft, 14, 16, "qr")
			if prefix != tc.prefix || data != tc.data {
				t.Errorf("after the ack: prefix %q data %q, want %q %q", prefix, data, tc.prefix, tc.data)
			}
			if got := ft.streamGaps(); got != tc.gaps {
				t.Errorf("%d gaps given up, want %d", got, tc.gaps)
			}
			if _, dropped := ft.streamEvictions(); dropped != 0 {
				t.Errorf("%d held segments counted dropped, want 0", dropped)
			}
			if held := ft.rs.heldBytes() > 0; held != tc.held {
				t.Errorf("data still held: %v, want %v", held, tc.held)
			}
		})
	}
}

func TestTCPStreamsReassembly(t *testing.T) {
	type seg struct {
		off     int
		payload string
		// what the packet hands the matcher
		prefix, data string
		pieces       []int32
	}
	small := DefaultFlowConfig()
	small.HoldSegments = 2
	tiny := DefaultFlowConfig()
	tiny.HoldMemcap = heldChunk // one chunk
	near := DefaultFlowConfig()
	near.HoldBytes = 100
	tests := []struct {
		name        string
		cfg         FlowConfig
		window      int
		segs        []seg
		wantDropped uint64
		wantHeld    bool // data still held at the end
	}{
		{"in order", DefaultFlowConfig(), 64, []seg{
			{0, "hello ", "", "hello ", nil},
			{6, "world", "hello ", "world", nil},
		}, 0, false},
		{"the window bounds the prefix", DefaultFlowConfig(), 4, []seg{
			{0, "abcdefgh", "", "abcdefgh", nil},
			{8, "ij", "efgh", "ij", nil},
			{10, "k", "ghij", "k", nil},
		}, 0, false},
		{"segment 2 before segment 1", DefaultFlowConfig(), 64, []seg{
			{6, "world", "", "", nil}, // held
			{0, "hello ", "", "hello world", []int32{6, 11}},
			{11, "!", "hello world", "!", nil},
		}, 0, false},
		{"retransmission adds nothing", DefaultFlowConfig(), 64, []seg{
			{0, "hello ", "", "hello ", nil},
			{0, "hello ", "", "", nil},
			{6, "world", "hello ", "world", nil},
		}, 0, false},
		{"overlap: first data wins", DefaultFlowConfig(), 64, []seg{
			{0, "hello ", "", "hello ", nil},
			{3, "XXXwor", "hello ", "wor", nil},
		}, 0, false},
		{"held data wins over the segment filling the gap", DefaultFlowConfig(), 64, []seg{
			{5, "XYZ", "", "", nil},
			{0, "abcdeQQQ", "", "abcdeXYZ", []int32{5, 8}},
		}, 0, false},
		{"a filler longer than the held data goes on past it", DefaultFlowConfig(), 64, []seg{
			{5, "XYZ", "", "", nil},
			{10, "KL", "", "", nil},
			{0, "abcdeQQQijklmn", "", "abcdeXYZijKLmn", []int32{5, 8, 10, 12, 14}},
		}, 0, false},
		{"a gap left after what joined up", DefaultFlowConfig(), 64, []seg{
			{3, "def", "", "", nil},
			{20, "zzz", "", "", nil},
			{0, "abc", "", "abcdef", []int32{3, 6}},
			{6, "ghi", "abcdef", "ghi", nil},
		}, 0, true},
		{"gap never filled", DefaultFlowConfig(), 64, []seg{
			{0, "abc", "", "abc", nil},
			{10, "later", "", "", nil},
			{20, "more", "", "", nil},
		}, 0, true},
		{"hold limit restarts the stream after the gap", small, 64, []seg{
			{0, "abc", "", "abc", nil},
			{10, "k", "", "", nil},
			{12, "m", "", "", nil},
			{14, "o", "", "", nil}, // third: cannot be held
			{15, "p", "o", "p", nil},
			{3, "def", "", "", nil}, // behind the restart: old
		}, 3, false},
		{"memcap restarts the stream after the gap", tiny, 64, []seg{
			{10, "k", "", "", nil},
			{12, "m", "", "", nil}, // a second chunk is over the cap
			{13, "n", "m", "n", nil},
		}, 2, false},
		{"too far ahead to hold", near, 64, []seg{
			{0, "abc", "", "abc", nil},
			{200, "far", "", "", nil},
			{203, "x", "far", "x", nil},
		}, 1, false},
	}
	// Each case runs with the tail kept and, as on ports no rule reads
	// prefixes for, without: the data is the same, the prefix empty, and
	// a stream whose segments all came in order needs no state at all.
	for _, tc := range tests {
		for _, keep := range []bool{true, false} {
			name := tc.name
			if !keep {
				name += ", no tail"
			}
			t.Run(name, func(t *testing.T) {
				ft := rsTable(t, tc.cfg, tc.window)
				if !keep {
					ft.prefixWanted = func(src, dst uint16) bool { return false }
				}
				inOrder := true
				for i, s := range tc.segs {
					want := s.prefix
					if !keep {
						want = ""
					}
					inOrder = inOrder && (s.data != "" || s.payload == "") && len(s.pieces) == 0
					prefix, data, pieces := rsSend(ft, int64(10+i), s.off, s.payload)
					if prefix != want || data != s.data || !slices.Equal(pieces, s.pieces) {
						t.Errorf("segment %d at %d: prefix %q data %q pieces %v, want %q %q %v",
							i+1, s.off, prefix, data, pieces, want, s.data, s.pieces)
					}
				}
				if n := ft.rs.streams.Len(); !keep && inOrder && n != 0 {
					t.Errorf("%d stream states for segments that all came in order, with no tail kept", n)
				}
				if _, dropped := ft.streamEvictions(); dropped != tc.wantDropped {
					t.Errorf("dropped %d held segments, want %d", dropped, tc.wantDropped)
				}
				if held := ft.rs.heldBytes() > 0; held != tc.wantHeld {
					t.Errorf("data held at the end: %v, want %v", held, tc.wantHeld)
				}
				// whatever is held goes with the connection, uncounted
				ft.flush()
				if ft.rs.heldBytes() != 0 || ft.rs.streams.Len() != 0 {
					t.Errorf("after the flush %d bytes held, %d stream states", ft.rs.heldBytes(), ft.rs.streams.Len())
				}
				if _, dropped := ft.streamEvictions(); dropped != tc.wantDropped {
					t.Errorf("the flush counted dropped segments: %d, want %d", dropped, tc.wantDropped)
				}
			})
		}
	}
}

// TestTCPStreamsBounded: stream state exists only for connections that
// carried payload, is capped (evictions counted) and expires with its
// connection on packet time.
func TestTCPStreamsBounded(t *testing.T) {
	cfg := DefaultFlowConfig()
	cfg.MaxStreams = 4
	ft := newFlowTable(cfg, 64, func(*packet.Conn) {})
	// a SYN flood: no payload, no stream state
	for i := range 1000 {
		f := tcpFacts(int64(i), true, packet.TCPSyn, 1, 0, 0)
		f.SrcPort = uint16(1000 + i)
		ft.observe(&f)
	}
	if n := ft.rs.streams.Len(); n != 0 || len(ft.rs.tails) != 0 {
		t.Fatalf("half-open connections without payload have %d stream states, %d tail bytes", n, len(ft.rs.tails))
	}
	// ten connections with data, two segments ahead of a gap each
	for i := range 10 {
		port := uint16(1000 + i)
		for _, off := range []uint32{0, 10} {
			f := tcpFacts(2000+int64(i), true, packet.TCPAck, 2+off, 1, 0)
			f.SrcPort, f.Payload = port, []byte("ahead")
			ft.observe(&f)
		}
	}
	states, dropped := ft.streamEvictions()
	if ft.rs.streams.Len() != 4 || states != 6 || dropped != 6 {
		t.Errorf("%d stream states, %d evicted, %d held segments dropped; want 4, 6, 6", ft.rs.streams.Len(), states, dropped)
	}
	if got, want := len(ft.rs.tails), 4*2*64; got != want {
		t.Errorf("tail arena %d bytes, want %d: slots are reused", got, want)
	}
	ft.expire(int64(time.Hour))
	if ft.rs.streams.Len() != 0 || ft.rs.heldBytes() != 0 {
		t.Errorf("after expiry: %d stream states, %d bytes held", ft.rs.streams.Len(), ft.rs.heldBytes())
	}
	// no stream consumer, no stream tracking
	if newFlowTable(cfg, 0, func(*packet.Conn) {}).rs != nil {
		t.Error("stream state kept with no consumer")
	}
}

// TestTCPStreamsSteadyStateAllocs: reordered and in-order segments cost no
// allocation once the arenas have grown.
func TestTCPStreamsSteadyStateAllocs(t *testing.T) {
	if e2eRaceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	ft := rsTable(t, DefaultFlowConfig(), 256)
	payload := []byte(strings.Repeat("x", 1460))
	off := uint32(0)
	f := tcpFacts(10, true, packet.TCPAck, 0, 501, 0)
	step := func() {
		// segment 2 before segment 1, then one in order
		for _, o := range [...]uint32{1460, 0, 2920} {
			g := f
			g.Seq, g.Payload = 101+off+o, payload
			ft.observe(&g)
			if o == 0 && len(g.StreamData) != 2*1460 {
				t.Fatalf("gap filled with %d bytes, want %d", len(g.StreamData), 2*1460)
			}
		}
		off += 3 * 1460
	}
	for range 10 {
		step()
	}
	if allocs := testing.AllocsPerRun(100, step); allocs != 0 {
		t.Errorf("%.1f allocations per 3 segments, want 0", allocs)
	}
}

// TestStreamRulesEndToEnd builds captures with pcapgo and runs a rule file
// through Analyze: contents split across segments match once, in order or
// not, on the packet that completes them.
func TestStreamRulesEndToEnd(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 6) // 96 bytes
	rulesText := fmt.Sprintf(`alert tcp any any -> any 80 (msg:"marker"; flow:established,to_server; content:"ATTACK-MARKER-1234"; sid:1; rev:1;)
alert tcp any any -> any 80 (msg:"long"; flow:established,to_server; content:"%s"; sid:2; rev:1;)
`, long)
	type send struct {
		at      time.Duration
		skip    int // advance the sequence number first (a lost or late segment)
		payload string
		want    bool // the alert belongs to this packet
	}
	tests := []struct {
		name          string
		sid           uint32
		sends         []send
		reorder       [][2]int // swap these sends in the capture (out of order)
		wantEvictions string
	}{
		{"in-order split", 1, []send{
			{1, 0, "GET / HTTP/1.1\r\nX: ATTACK-MAR", false},
			{2, 0, "KER-1234\r\n\r\n", true},
		}, nil, ""},
		{"segment 2 before segment 1", 1, []send{
			{1, 0, "GET / HTTP/1.1\r\nX: ATTACK-MAR", true},
			{2, 0, "KER-1234\r\n\r\n", false},
		}, [][2]int{{0, 1}}, ""},
		{"a 96-byte content in three segments", 2, []send{
			{1, 0, "POST / HTTP/1.1\r\n\r\n" + long[:30], false},
			{2, 0, long[30:70], false},
			{3, 0, long[70:] + "\r\n", true},
		}, nil, ""},
		{"retransmitted segments alert once", 1, []send{
			{1, 0, "GET / HTTP/1.1\r\nX: ATTACK-MAR", false},
			{2, 0, "KER-1234\r\n\r\n", true},
			{3, -12, "KER-1234\r\n\r\n", false},                // the same bytes again
			{4, -41, "GET / HTTP/1.1\r\nX: ATTACK-MAR", false}, // and the first
		}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rulesFile, c, conn := rsWeb(t, dir, rulesText)
			first := len(c.pkts)
			var want []uint64
			for _, s := range tc.sends {
				conn.cseq += uint32(s.skip)
				n := conn.send(2*time.Second+s.at*time.Millisecond, true, []byte(s.payload))
				if s.want {
					want = append(want, n)
				}
			}
			for _, sw := range tc.reorder {
				i, j := first+sw[0], first+sw[1]
				c.pkts[i].data, c.pkts[j].data = c.pkts[j].data, c.pkts[i].data
			}
			// the packet that completes the content is where it now sits
			if tc.reorder != nil {
				want = want[:0]
				want = append(want, uint64(first+tc.reorder[0][1]+1))
			}
			path := filepath.Join(dir, "stream.pcap")
			c.write(path)
			res := rsAnalyze(t, rulesFile, path)
			var got []uint64
			for _, a := range res.Alerts {
				if a.SID != tc.sid {
					t.Errorf("alert sid %d, want only %d", a.SID, tc.sid)
				}
				got = append(got, a.FirstPacket.Packet)
			}
			if !slices.Equal(got, want) {
				t.Errorf("alerts on packets %v, want %v", got, want)
			}
		})
	}
}

// TestHTTPRulesEndToEnd: an http.user_agent rule sees a request whose
// headers span segments, in order or not, and alerts once, on the packet
// that completed the headers.
func TestHTTPRulesEndToEnd(t *testing.T) {
	rulesText := `alert http any any -> any 80 (msg:"nessus"; flow:established,to_server; http.user_agent; content:"Nessus"; sid:1; rev:1;)
`
	segs := []string{"GET /scan HTTP/1.1\r\nHost: web\r\nUser-Agent: Mozilla/5.0 (compatible; Nes", "sus Scanner)\r\nAccept: */*\r\n\r\n"}
	for _, tc := range []struct {
		name    string
		reorder bool
	}{
		{"in order", false},
		{"second segment first", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rulesFile, c, conn := rsWeb(t, dir, rulesText)
			first := len(c.pkts)
			var last uint64
			for i, s := range segs {
				last = conn.send(2*time.Second+time.Duration(i)*time.Millisecond, true, []byte(s))
			}
			if tc.reorder {
				c.pkts[first].data, c.pkts[first+1].data = c.pkts[first+1].data, c.pkts[first].data
			}
			// either way the second packet of the request completes it
			path := filepath.Join(dir, "http.pcap")
			c.write(path)
			res := rsAnalyze(t, rulesFile, path)
			if len(res.Alerts) != 1 || res.Alerts[0].SID != 1 || res.Alerts[0].FirstPacket.Packet != last {
				t.Fatalf("alerts %+v, want sid 1 once on packet %d", res.Alerts, last)
			}
		})
	}
}

// TestStreamRulesEndToEndBounded: a gap that never fills matches nothing,
// and a capture overrunning the hold limit reports the drop.
func TestStreamRulesEndToEndBounded(t *testing.T) {
	dir := t.TempDir()
	rulesFile, c, conn := rsWeb(t, dir, `alert tcp any any -> any 80 (msg:"marker"; content:"ATTACK-MARKER-1234"; sid:1; rev:1;)
`)
	conn.send(2*time.Second, true, []byte("GET / HTTP/1.1\r\nX: ATTACK-MAR"))
	conn.cseq += 100 // lost: the rest never lines up
	conn.send(3*time.Second, true, []byte("KER-1234\r\n\r\n"))
	for i := range 70 { // more than hold_segments (64) behind the gap
		conn.send(4*time.Second+time.Duration(i)*time.Millisecond, true, []byte("filler "))
	}
	path := filepath.Join(dir, "gap.pcap")
	c.write(path)
	res := rsAnalyze(t, rulesFile, path)
	if len(res.Alerts) != 0 {
		t.Errorf("%d alerts across a gap that never filled: %+v", len(res.Alerts), res.Alerts[0])
	}
	found := false
	for _, ev := range res.Summary.Evictions {
		if ev.Reason == "held out-of-order TCP segments" && ev.Count > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("evictions %+v: the dropped held segments are not reported", res.Summary.Evictions)
	}
}

// rsWeb writes rulesText to dir and starts a capture with one client
// connection to a web server on port 80, handshake done, at 1 s.
func rsWeb(t *testing.T, dir, rulesText string) (rulesFile string, c *e2eCapture, conn *e2eConn) {
	t.Helper()
	rulesFile = filepath.Join(dir, "test.rules")
	if err := os.WriteFile(rulesFile, []byte(rulesText), 0o644); err != nil {
		t.Fatal(err)
	}
	c = &e2eCapture{tb: t}
	conn, _ = c.open(time.Second, rsClient, rsServer, 40000, 80)
	return rulesFile, c, conn
}

// The hosts of rsWeb's capture.
var (
	rsServer = e2eNewHost("a0:36:9f:22:16:80", "192.168.1.80")
	rsClient = e2eNewHost("3c:97:0e:11:22:33", "192.168.1.50")
)

func rsAnalyze(t *testing.T, rulesFile, path string) *Result {
	t.Helper()
	set, err := signatures.LoadSet(signatures.SetOptions{NoDefault: true, RuleFiles: []string{rulesFile}, Vars: rules.DefaultVars()})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Signatures, cfg.NoBuiltins, cfg.Autoblock = set, true, 0
	res, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// FuzzTCPStreams feeds arbitrary client and server segments (any sequence
// numbers, overlaps, gaps, acknowledgements) through the reassembly: it
// must never panic, never hold more than its memcap, and free everything
// with the connection.
func FuzzTCPStreams(f *testing.F) {
	f.Add([]byte{0, 0, 6, 5, 1, 0, 0, 0, 0, 6, 2, 0, 3, 0, 20, 3})
	f.Add([]byte{0, 0, 10, 3, 0, 0, 13, 3, 1, 0, 16, 0, 0, 0, 16, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		cfg := DefaultFlowConfig()
		cfg.HoldSegments, cfg.HoldBytes, cfg.HoldMemcap = 4, 2048, 4*heldChunk
		ft := rsTable(t, cfg, 16)
		const text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_" // 64 bytes
		for i := 0; i+4 <= len(ops); i += 4 {
			kind, off, n := ops[i], int(ops[i+1])<<8|int(ops[i+2]), int(ops[i+3])%64
			at := int64(10 + i)
			switch kind % 3 {
			case 0: // client data at stream offset off
				f := tcpFacts(at, true, packet.TCPAck|packet.TCPPsh, 101+uint32(off), 501, 0)
				f.Payload = []byte(text[:n])
				ft.observe(&f)
			case 1: // server acknowledges client bytes up to off
				f := tcpFacts(at, false, packet.TCPAck, 501, 101+uint32(off), 0)
				ft.observe(&f)
			case 2: // server data
				f := tcpFacts(at, false, packet.TCPAck|packet.TCPPsh, 501+uint32(off), 101, 0)
				f.Payload = []byte(text[:n])
				ft.observe(&f)
			}
			if ft.rs.heldBytes() > cfg.HoldMemcap {
				t.Fatalf("holding %d bytes, memcap %d", ft.rs.heldBytes(), cfg.HoldMemcap)
			}
		}
		ft.flush()
		if ft.rs.heldBytes() != 0 || ft.rs.streams.Len() != 0 {
			t.Fatalf("after the flush: %d bytes held, %d stream states", ft.rs.heldBytes(), ft.rs.streams.Len())
		}
	})
}

// TestTCPStreamsTailOnlyWhereRead: a direction whose segments no stream
// consumer reads the prefix of (packet.StreamPrefixGate) keeps no tail;
// its in-order data is still handed over, and a gate that accepts its
// ports keeps the tail as before.
func TestTCPStreamsTailOnlyWhereRead(t *testing.T) {
	for _, tt := range []struct {
		name       string
		gate       func(src, dst uint16) bool
		wantPrefix string
	}{
		{"no gate", nil, "abc"},
		{"its ports", func(src, dst uint16) bool { return src == 50000 && dst == 22 }, "abc"},
		{"other ports", func(src, dst uint16) bool { return dst == 80 }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ft := rsTable(t, DefaultFlowConfig(), 16)
			ft.prefixWanted = tt.gate
			rsSend(ft, 10, 0, "abc")
			prefix, data, _ := rsSend(ft, 11, 3, "def")
			if prefix != tt.wantPrefix || data != "def" {
				t.Errorf("prefix %q data %q, want %q and %q", prefix, data, tt.wantPrefix, "def")
			}
		})
	}
}
