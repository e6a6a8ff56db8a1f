package report

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

// eveFlowAlert is a rule's alert on the second request packet of an HTTP
// flow, between the ends of the Community ID spec's tcp.pcap.
func eveFlowAlert() *analyzer.Alert {
	client, server := netip.MustParseAddr("128.232.110.120"), netip.MustParseAddr("66.35.250.204")
	return &analyzer.Alert{SID: 2019284, Name: "ET POLICY x", Severity: "medium", Time: eveAt("10:00:01"),
		Attacker: client, AttackerPort: 34855, Victim: analyzer.AddrHost(server), VictimPort: 80, Proto: "TCP",
		FlowID: 1234567, Direction: "to_server",
		FirstPacket: loc(day1, 7), LastPacket: loc(day1, 7),
		Rule:   &analyzer.RuleInfo{GID: 1, Rev: 4, Priority: 3},
		PktSrc: "wire/pcap", AppProto: "http",
		Flow: &analyzer.AlertFlow{Client: client, ClientPort: 34855, Server: server, ServerPort: 80, ProtoNum: packet.ProtoTCP,
			PktsToServer: 4, PktsToClient: 2, BytesToServer: 520, BytesToClient: 1514, Start: eveAt("10:00:00.5")}}
}

// eveFlowOutput renders with every option: an alert, a closed TCP flow
// and an unanswered UDP one, then the stats of richResult.
func eveFlowOutput(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	st := NewEVEStream(&buf, nil)
	st.SetOptions(EVEOptions{Flows: true, Stats: true, CommunityID: true})
	st.Event(analyzer.Event{Type: analyzer.EventAlert, Time: eveAt("10:00:01"), Alert: eveFlowAlert()})
	a := eveFlowAlert()
	st.Flow(analyzer.FlowEnd{ID: 1234567, Proto: packet.ProtoTCP, Client: a.Flow.Client, ClientPort: 34855, Server: a.Flow.Server, ServerPort: 80,
		Counts: packet.FlowCounts{Pkts: [2]uint64{6, 5}, Bytes: [2]uint64{700, 4000}}, Start: eveAt("10:00:00.5"), End: eveAt("10:00:03.25"),
		State: "closed", Reason: "shutdown", Alerted: true, AppProto: "http"})
	st.Flow(analyzer.FlowEnd{ID: 99, Proto: packet.ProtoUDP, Client: netip.MustParseAddr("192.168.1.52"), ClientPort: 54585,
		Server: netip.MustParseAddr("8.8.8.8"), ServerPort: 53,
		Counts: packet.FlowCounts{Pkts: [2]uint64{1, 0}, Bytes: [2]uint64{71, 0}}, Start: eveAt("10:00:02"), End: eveAt("10:00:02"),
		State: "new", Reason: "timeout", AppProto: "dns"})
	r := richResult()
	r.Summary.Listing.Alerts = 9
	r.Stats = analyzer.RunStats{IPv4: 40000, IPv6: 8000, ARP: 194, TCP: 45000, UDP: 2900, ICMPv4: 90, ICMPv6: 10, TCPFlows: 1800, UDPFlows: 650}
	if err := st.Finish(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEVEFlowsGolden(t *testing.T) {
	golden(t, "eve_flows.golden", eveFlowOutput(t))
}

// An alert carries its packet's source, the flow's application protocol
// and its flow object (the flow's own ends), and with the option the
// flow's Community ID: the spec's tcp.pcap value for these ends.
func TestEVEAlertFlowFields(t *testing.T) {
	out := string(eveFlowOutput(t))
	alert, _, _ := strings.Cut(out, "\n")
	for _, want := range []string{
		`"proto":"TCP","pkt_src":"wire/pcap","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","direction":"to_server"`,
		`"app_proto":"http","flow":{"pkts_toserver":4,"pkts_toclient":2,"bytes_toserver":520,"bytes_toclient":1514,"start":"2026-03-02T10:00:00.500000+0000","src_ip":"128.232.110.120","dest_ip":"66.35.250.204","src_port":34855,"dest_port":80}`,
	} {
		if !strings.Contains(alert, want) {
			t.Errorf("alert record lacks %s:\n%s", want, alert)
		}
	}
	if !strings.Contains(out, `"event_type":"flow","src_ip":"192.168.1.52","src_port":54585,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","community_id":"1:d/FP5EW3wiY1vCndhwleRRKHowQ="`) {
		t.Errorf("udp flow record wrong:\n%s", out)
	}

	// without the options: no community_id, no flow or stats records;
	// the alert's flow fields stay, as Suricata writes them by default
	var buf bytes.Buffer
	st := NewEVEStream(&buf, nil)
	st.Event(analyzer.Event{Type: analyzer.EventAlert, Time: eveAt("10:00:01"), Alert: eveFlowAlert()})
	st.Flow(analyzer.FlowEnd{Proto: packet.ProtoUDP, State: "new"})
	if err := st.Finish(richResult()); err != nil {
		t.Fatal(err)
	}
	plain := buf.String()
	if strings.Contains(plain, "community_id") || strings.Contains(plain, `"event_type":"flow"`) || strings.Contains(plain, `"event_type":"stats"`) ||
		!strings.Contains(plain, `"pkt_src":"wire/pcap"`) {
		t.Errorf("default options wrote:\n%s", plain)
	}

	// alerts left out: only flows and stats
	buf.Reset()
	st = NewEVEStream(&buf, nil)
	st.SetOptions(EVEOptions{NoAlerts: true, Stats: true})
	st.Event(analyzer.Event{Type: analyzer.EventAlert, Time: eveAt("10:00:01"), Alert: eveFlowAlert()})
	if err := st.Finish(richResult()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 || !strings.Contains(buf.String(), `"event_type":"stats"`) {
		t.Errorf("stats only wrote %d lines:\n%s", n, buf.String())
	}
}
