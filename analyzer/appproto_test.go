package analyzer

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

func TestAppStateDetects(t *testing.T) {
	type data struct {
		toServer bool
		payload  string
	}
	tests := []struct {
		name   string
		proto  uint8
		server uint16
		data   []data
		want   uint8
	}{
		{"http request", packet.ProtoTCP, 8080, []data{{true, "GET / HTTP/1.1\r\n"}}, packet.AppHTTP},
		{"http response first", packet.ProtoTCP, 80, []data{{false, "HTTP/1.1 200 OK\r\n"}}, packet.AppHTTP},
		{"tls client hello", packet.ProtoTCP, 443, []data{{true, "\x16\x03\x01\x02\x00\x01"}}, packet.AppTLS},
		{"ssh banner from the server", packet.ProtoTCP, 22, []data{{false, "SSH-2.0-OpenSSH_9.6\r\n"}}, packet.AppSSH},
		{"smtp greeting", packet.ProtoTCP, 25, []data{{false, "220 mx ESMTP\r\n"}}, packet.AppSMTP},
		{"smtp ehlo, any case", packet.ProtoTCP, 2525, []data{{true, "ehlo client\r\n"}}, packet.AppSMTP},
		{"ftp greeting", packet.ProtoTCP, 21, []data{{false, "220 ftp ready\r\n"}}, packet.AppFTP},
		{"ftp user", packet.ProtoTCP, 2121, []data{{true, "USER anonymous\r\n"}}, packet.AppFTP},
		{"ftp feat, lower case", packet.ProtoTCP, 2121, []data{{true, "feat\r\n"}}, packet.AppFTP},
		{"a method needs its space", packet.ProtoTCP, 80, []data{{true, "GETX / HTTP/1.1\r\n"}}, packet.AppUnknown},
		{"a method alone", packet.ProtoTCP, 80, []data{{true, "GET"}}, packet.AppUnknown},
		{"webdav method", packet.ProtoTCP, 80, []data{{true, "PROPFIND /x HTTP/1.1\r\n"}}, packet.AppHTTP},
		{"dns over tcp", packet.ProtoTCP, 53, []data{{true, "\x00\x0c" + "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"}}, packet.AppDNS},
		{"neither side known: unknown, not failed", packet.ProtoTCP, 9999, []data{{true, "hello"}, {false, "world"}}, packet.AppUnknown},
		{"the second side decides", packet.ProtoTCP, 9999, []data{{true, "hello"}, {false, "HTTP/1.0 400 Bad\r\n"}}, packet.AppHTTP},
		{"only the first data of a side counts", packet.ProtoTCP, 9999, []data{{true, "hello"}, {true, "GET / HTTP/1.1\r\n"}}, packet.AppUnknown},
		{"a 220 elsewhere is nothing", packet.ProtoTCP, 9999, []data{{false, "220 hi"}}, packet.AppUnknown},
		{"a protocol once found stays", packet.ProtoTCP, 80, []data{{true, "GET / HTTP/1.1\r\n"}, {false, "SSH-2.0-x\r\n"}}, packet.AppHTTP},
		{"pgsql startup", packet.ProtoTCP, 5432, []data{{true, "\x00\x00\x00\x29\x00\x03\x00\x00user\x00postgres\x00database\x00db\x00\x00"}}, packet.AppPGSQL},
		{"pgsql ssl request", packet.ProtoTCP, 5433, []data{{true, "\x00\x00\x00\x08\x04\xd2\x16\x2f"}}, packet.AppPGSQL},
		{"pgsql ssl request of a wrong length", packet.ProtoTCP, 5432, []data{{true, "\x00\x00\x00\x09\x04\xd2\x16\x2f\x00"}}, packet.AppUnknown},
		{"pgsql cancel", packet.ProtoTCP, 5432, []data{{true, "\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x00\x01\x00\x00\x00\x02"}}, packet.AppPGSQL},
		{"dhcp discover", packet.ProtoUDP, 67, []data{{true, "\x01\x01\x06\x00" + strings.Repeat("\x00", 232) + "\x63\x82\x53\x63\x35\x01\x01\xff"}}, packet.AppDHCP},
		{"bootp without the cookie", packet.ProtoUDP, 67, []data{{true, "\x01\x01\x06\x00" + strings.Repeat("\x00", 240)}}, packet.AppFailed},
		{"the cookie on another port", packet.ProtoUDP, 6767, []data{{true, "\x01\x01\x06\x00" + strings.Repeat("\x00", 232) + "\x63\x82\x53\x63"}}, packet.AppFailed},
		{"dns over udp", packet.ProtoUDP, 53, []data{{true, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"}}, packet.AppDNS},
		{"short datagram on 53", packet.ProtoUDP, 53, []data{{true, "\x12\x34"}}, packet.AppFailed},
		{"other udp", packet.ProtoUDP, 5060, []data{{true, "INVITE sip:x SIP/2.0\r\n"}}, packet.AppUnknown},
		{"udp: the first datagram decides, as Suricata's", packet.ProtoUDP, 53, []data{{true, "\x12\x34"}, {false, "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"}}, packet.AppFailed},
		{"udp on a port of a protocol we do not detect: unknown", packet.ProtoUDP, 123, []data{{true, "\x23\x00\x00\x00"}}, packet.AppUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s appState
			for _, d := range tt.data {
				f := packet.Facts{Proto: tt.proto, Payload: []byte(d.payload)}
				s.observe(&f, d.toServer, tt.server)
			}
			if s.proto != tt.want {
				t.Errorf("app %q, want %q", packet.AppName(s.proto), packet.AppName(tt.want))
			}
		})
	}
}

// TestFlowCounts: both flow tables count each way's packets and whole
// packets' bytes, the packet being looked at included, and name the
// protocol once found.
func TestFlowCounts(t *testing.T) {
	ft := newFlowTable(DefaultFlowConfig(), 0, func(*packet.Conn) {})
	steps := []struct {
		fromClient bool
		flags      uint8
		seq, ack   uint32
		payload    string
		capLen     int
		want       packet.FlowCounts
		wantApp    uint8
	}{
		{true, packet.TCPSyn, 100, 0, "", 74, packet.FlowCounts{Pkts: [2]uint64{1, 0}, Bytes: [2]uint64{74, 0}}, 0},
		{false, packet.TCPSyn | packet.TCPAck, 500, 101, "", 74, packet.FlowCounts{Pkts: [2]uint64{1, 1}, Bytes: [2]uint64{74, 74}}, 0},
		{true, packet.TCPAck, 101, 501, "", 66, packet.FlowCounts{Pkts: [2]uint64{2, 1}, Bytes: [2]uint64{140, 74}}, 0},
		{false, packet.TCPAck | packet.TCPPsh, 501, 101, "SSH-2.0-x\r\n", 77, packet.FlowCounts{Pkts: [2]uint64{2, 2}, Bytes: [2]uint64{140, 151}}, packet.AppSSH},
	}
	for i, st := range steps {
		f := tcpFacts(int64(i+1), st.fromClient, st.flags, st.seq, st.ack, 0)
		f.Payload, f.CapLen = []byte(st.payload), st.capLen
		ft.observe(&f)
		if f.FlowCounts != st.want || f.AppProto != st.wantApp {
			t.Errorf("tcp step %d: counts %+v app %d, want %+v %d", i, f.FlowCounts, f.AppProto, st.want, st.wantApp)
		}
	}
	ut := newUDPFlowTable(DefaultFlowConfig())
	a, b := netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.1")
	query := packet.Facts{Time: 1, Proto: packet.ProtoUDP, Src: a, Dst: b, SrcPort: 5333, DstPort: 53, CapLen: 71,
		Payload: make([]byte, 29)}
	ut.observe(&query, false)
	answer := packet.Facts{Time: 2, Proto: packet.ProtoUDP, Src: b, Dst: a, SrcPort: 53, DstPort: 5333, CapLen: 87}
	ut.observe(&answer, false)
	if want := (packet.FlowCounts{Pkts: [2]uint64{1, 0}, Bytes: [2]uint64{71, 0}}); query.FlowCounts != want || query.AppProto != packet.AppDNS {
		t.Errorf("udp query: %+v app %d", query.FlowCounts, query.AppProto)
	}
	if want := (packet.FlowCounts{Pkts: [2]uint64{1, 1}, Bytes: [2]uint64{71, 87}}); answer.FlowCounts != want || answer.AppProto != packet.AppDNS {
		t.Errorf("udp answer: %+v app %d", answer.FlowCounts, answer.AppProto)
	}
	fi := packet.FlowOf(&answer)
	if fi.Client != a || fi.ClientPort != 5333 || fi.Server != b || fi.ServerPort != 53 {
		t.Errorf("flow of the answer: %+v", fi)
	}
}
