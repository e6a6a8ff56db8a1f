package analyzer

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestFlowEnds: each flow leaves the tables once, with Suricata's state
// and reason: closed connections after the closed timeout or at the end,
// idle ones on their timeout, unanswered ones as new.
func TestFlowEnds(t *testing.T) {
	const s = int64(time.Second)
	syn, ack, rst := packet.TCPSyn, packet.TCPAck, packet.TCPRst
	type tcpStep struct {
		at         int64
		fromClient bool
		flags      uint8
		seq, ack   uint32
		alert      bool
	}
	handshake := []tcpStep{{s, true, syn, 100, 0, false}, {s, false, syn | ack, 500, 101, false}, {s, true, ack, 101, 501, false}}
	tests := []struct {
		name    string
		steps   []tcpStep
		expire  int64 // expire at this time, then flush
		want    []string
		alerted bool
	}{
		{"reset, then the end", append(handshake, tcpStep{2 * s, true, rst, 101, 0, true}), 0,
			[]string{"closed shutdown 3/1"}, true},
		{"a packet after the reset still counts in its flow", append(handshake, tcpStep{2 * s, true, rst, 101, 0, false},
			tcpStep{3 * s, false, ack, 501, 101, true}), 0, []string{"closed shutdown 3/2"}, true},
		{"reset, then the closed timeout", append(handshake, tcpStep{2 * s, true, rst, 101, 0, false}), 63 * s,
			[]string{"closed timeout 3/1"}, false},
		{"idle past its timeout", handshake, 302 * s, []string{"established timeout 2/1"}, false},
		{"open at the end", handshake, 0, []string{"established shutdown 2/1"}, false},
		{"an unanswered syn", handshake[:1], 32 * s, []string{"new timeout 1/0"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []FlowEnd
			ft := newFlowTable(DefaultFlowConfig(), 0, func(*packet.Conn) {})
			ft.onEnd = func(sum *flowSummary, reason uint8) { got = append(got, sum.flowEnd(reason)) }
			for _, st := range tt.steps {
				f := tcpFacts(st.at, st.fromClient, st.flags, st.seq, st.ack, 0)
				f.CapLen = 60
				ft.observe(&f)
				if st.alert {
					ft.markAlerted(&f)
				}
			}
			if tt.expire > 0 {
				ft.expire(tt.expire)
			}
			ft.flush()
			var summary []string
			for _, fe := range got {
				summary = append(summary, fe.State+" "+fe.Reason+" "+itoa(fe.Counts.Pkts[0])+"/"+itoa(fe.Counts.Pkts[1]))
				if fe.Alerted != tt.alerted || fe.Client != netip.MustParseAddr("10.0.0.1") || fe.ServerPort != 22 ||
					fe.Counts.Bytes[0] != 60*fe.Counts.Pkts[0] || fe.ID == 0 || fe.Start.UnixNano() != s {
					t.Errorf("record %+v", fe)
				}
			}
			if len(summary) != len(tt.want) || len(summary) > 0 && summary[0] != tt.want[0] {
				t.Errorf("records %q, want %q", summary, tt.want)
			}
		})
	}

	var got []FlowEnd
	ut := newUDPFlowTable(DefaultFlowConfig())
	ut.onEnd = func(sum *flowSummary, reason uint8) { got = append(got, sum.flowEnd(reason)) }
	a, b := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.1")
	q := packet.Facts{Time: s, Proto: packet.ProtoUDP, Src: a, Dst: b, SrcPort: 5333, DstPort: 53, CapLen: 71}
	ut.observe(&q, false)
	ut.markAlerted(&q)
	r := packet.Facts{Time: 2 * s, Proto: packet.ProtoUDP, Src: b, Dst: a, SrcPort: 53, DstPort: 5333, CapLen: 87}
	ut.observe(&r, false)
	lone := packet.Facts{Time: 3 * s, Proto: packet.ProtoUDP, Src: a, Dst: b, SrcPort: 5334, DstPort: 53, CapLen: 71}
	ut.observe(&lone, false)
	// the same ends again after the idle timeout: a new flow, the old one logged
	again := q
	again.Time = 400 * s
	ut.observe(&again, false)
	ut.flush()
	want := []string{"established timeout true 1/1", "new shutdown false 1/0", "new shutdown false 1/0"}
	if len(got) != len(want) {
		t.Fatalf("%d udp records, want %d: %+v", len(got), len(want), got)
	}
	for i, fe := range got {
		g := fe.State + " " + fe.Reason + " " + map[bool]string{true: "true", false: "false"}[fe.Alerted] + " " +
			itoa(fe.Counts.Pkts[0]) + "/" + itoa(fe.Counts.Pkts[1])
		if g != want[i] || fe.Client != a || fe.Server != b || fe.ServerPort != 53 {
			t.Errorf("udp record %d: %s %+v, want %s", i, g, fe, want[i])
		}
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
