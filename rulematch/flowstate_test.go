package rulematch

import (
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// flowPkt builds one packet of a test flow from a short spec: ">" client
// to server (10.0.0.1:40000 -> 10.0.0.2:80), "<" the reply; then the
// payload. "u" before the arrow makes it UDP, "S" a connection-opening
// SYN (ConnOpened); at is the packet time.
func flowPkt(spec string, at time.Duration) packet.Facts {
	udp := strings.HasPrefix(spec, "u")
	syn := strings.HasPrefix(spec, "S")
	if udp || syn {
		spec = spec[1:]
	}
	opts := []pktOpt{atTime(at)}
	if spec[0] == '<' {
		opts = append(opts, fromAddr("10.0.0.2", 80), toAddr("10.0.0.1", 40000), withDir(packet.DirToClient))
	}
	if syn {
		opts = append(opts, withTCPFlags(packet.TCPSyn), withConn(packet.ConnOpened))
	}
	if udp {
		return udpPacket(spec[1:], opts...)
	}
	return tcpPacket(spec[1:], opts...)
}

// TestFlowRuleTypes: IP-only rules run on the first packet of each
// direction of a flow, protocol-only http rules on the packets after a
// flow carried a request; other content-less rules on every packet.
func TestFlowRuleTypes(t *testing.T) {
	type pkt struct {
		spec string
		at   time.Duration
	}
	handshake := []pkt{{"S>", 0}, {"<", 1}, {">", 2}, {">data", 3}, {"<data", 4}, {">", 5}}
	tests := []struct {
		name string
		rule string
		pkts []pkt
		want string // per packet: 1 fired, 0 not
	}{
		// suricata-verify bug-5464-verdict-04: Suricata alerts once on
		// "alert tcp any any -> any any" where every packet matched before
		{"bug-5464-verdict-04: IP-only tcp rule, first packet each way",
			`alert tcp any any -> any any (sid:1;)`, handshake, "110000"},
		// util-action-02 shape: a pass rule silences the first packet,
		// and the IP-only rule does not move on to the second
		{"IP-only behind a pass rule on the first packet",
			"alert tcp any any -> any any (sid:1;)\npass tcp any any -> any any (flags:S; sid:2;)", handshake, "010000"},
		{"IP-only with ports",
			`alert tcp any any -> any 80 (sid:1;)`, handshake, "100000"},
		{"IP-only with flowbits:set",
			`alert ip any any -> any any (flowbits:set,x; sid:1;)`, handshake, "110000"},
		// suricata-verify detect-engine-proto sid 2: any flow keyword
		// makes a packet rule (7 alerts on 7 to_server packets)
		{"detect-engine-proto: flow keyword makes a packet rule",
			`alert ip any any -> any any (flow:to_server; sid:1;)`, handshake, "101101"},
		{"negated address: like IP-only, every packet",
			`alert tcp !10.9.9.9 any -> any any (sid:1;)`, handshake, "111111"},
		{"packet keyword: every packet",
			`alert tcp any any -> any any (ttl:64; sid:1;)`, handshake, "111111"},
		{"a new connection on the same ports is a new flow",
			`alert tcp any any -> any any (sid:1;)`, []pkt{{"S>", 0}, {"<", 1}, {">", 2}, {"S>", 3}, {"<", 4}}, "11011"},
		{"UDP flow times out after 30s seen one way",
			`alert udp any any -> any any (sid:1;)`, []pkt{{"u>a", 0}, {"u>b", 20 * time.Second}, {"u>c", 51 * time.Second}}, "101"},
		{"UDP flow seen both ways lasts 300s idle",
			`alert udp any any -> any any (sid:1;)`, []pkt{{"u>a", 0}, {"u<b", 1}, {"u>c", 200 * time.Second}, {"u>d", 501 * time.Second}}, "1101"},
		// suricata-verify memcap-pressure: 6 alerts on the 9 packets of
		// one request: every packet after the request
		{"memcap-pressure: protocol-only http rule after the request",
			`alert http any any -> any any (sid:1;)`,
			[]pkt{{"<", 0}, {">", 1}, {">GET / HTTP/1.1\r\nHost: a\r\n\r\n", 2}, {"<", 3}, {"<HTTP/1.1 200 OK\r\n\r\n", 4}, {">", 5}, {">", 6}, {"<", 7}, {">", 8}},
			"000111111"},
		{"protocol-only http rule, no request",
			`alert http any any -> any any (sid:1;)`, handshake, "000000"},
		{"protocol-only http rule with flow:to_server",
			`alert http any any -> any any (flow:to_server; sid:1;)`,
			[]pkt{{">POST / HTTP/1.0\r\n\r\n", 0}, {"<", 1}, {">", 2}, {"<", 3}, {">", 4}},
			"00101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(parseRules(t, strings.Split(tt.rule, "\n")...), DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, p := range tt.pkts {
				f := flowPkt(p.spec, p.at)
				fired := byte('0')
				m.Observe(&f, func(packet.Event) { fired = '1' })
				got.WriteByte(fired)
			}
			if got.String() != tt.want {
				t.Errorf("fired %s, want %s", got.String(), tt.want)
			}
		})
	}
}

// TestFlowRuleTypesICMP: a ping and its reply are one flow.
func TestFlowRuleTypesICMP(t *testing.T) {
	m, err := New(parseRules(t, `alert icmp any any -> any any (sid:1;)`), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	req, rep := icmpPacket(8, 0, false), icmpPacket(0, 0, false)
	rep.Src, rep.Dst = req.Dst, req.Src
	unreach := icmpPacket(3, 1, false)
	var got []bool
	for _, f := range []packet.Facts{req, rep, req, rep, unreach} {
		fired := false
		m.Observe(&f, func(packet.Event) { fired = true })
		got = append(got, fired)
	}
	want := []bool{true, true, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
}

// TestUnsupportedRules: rules that can never match here are left out with
// a reason, not loaded to stay silent.
func TestUnsupportedRules(t *testing.T) {
	tests := []struct {
		name, rule, reason string // reason "" : loaded
	}{
		// suricata-verify rdp-protocol: Suricata detects RDP (425
		// alerts); without detection the rule would match every packet
		{"rdp-protocol: protocol-only app-layer rule", `alert rdp any any -> any any (sid:1;)`, "rdp is not detected"},
		{"dns alone", `alert dns any any -> any any (sid:1;)`, "dns is not detected"},
		{"http2 alone", `alert http2 any any -> any any (sid:1;)`, "http2 is not detected"},
		{"http alone loads", `alert http any any -> any any (sid:1;)`, ""},
		{"app-layer rule with content loads", `alert tls any any -> any any (content:"x"; sid:1;)`, ""},
		{"response headers load", `alert http any any -> any any (flow:to_client; http.header; content:"Server"; sid:1;)`, ""},
		{"response cookie loads", `alert http any any -> any any (flow:established,to_client; content:"x"; http_cookie; sid:1;)`, ""},
		{"file_data loads", `alert http any any -> any any (flow:to_client; file_data; content:"MZ"; sid:1;)`, ""},
		{"file_data on tcp loads", `alert tcp any any -> any any (file_data; content:"MZ"; sid:1;)`, ""},
		{"file_data on smtp", `alert smtp any any -> any any (file_data; content:"MZ"; sid:1;)`, "files are read from HTTP bodies only"},
		{"stat_code to_server", `alert http any any -> any any (flow:to_server; http.stat_code; content:"200"; sid:1;)`, "http.stat_code is a response buffer"},
		{"request and response buffers", `alert http any any -> any any (http.uri; content:"/a"; http.stat_code; content:"200"; sid:1;)`, "mixes request and response buffers"},
		{"response buffer on http2", `alert http2 any any -> any any (http.stat_code; content:"200"; sid:1;)`, "HTTP/2 responses are not parsed"},
		{"urilen and response buffers", `alert http any any -> any any (urilen:>3; http.server; content:"nginx"; sid:1;)`, "mixes request and response buffers"},
		{"request buffer to_client", `alert http any any -> any any (flow:to_client; http.uri; content:"/x"; sid:1;)`, "with flow:to_client it never matches"},
		{"urilen to_client", `alert http any any -> any any (flow:to_client; urilen:>5; sid:1;)`, "urilen reads the request URI"},
		{"urilen alone loads", `alert http any any -> any any (flow:to_server; urilen:>5; sid:1;)`, ""},
		{"response content type loads", `alert http any any -> any any (flow:to_client; http_content_type; content:"text/html"; sid:1;)`, ""},
		{"request accept to_client", `alert http any any -> any any (flow:to_client; http.accept; content:"*/*"; sid:1;)`, "http.accept is a request buffer"},
		{"request headers load", `alert http any any -> any any (flow:to_server; http.header; content:"Server"; sid:1;)`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := parseRules(t, tt.rule)
			sk, skip := Unsupported(rs[0])
			m, err := New(rs, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			if tt.reason == "" {
				if skip || len(m.Skipped()) != 0 || m.Rules() != 1 {
					t.Fatalf("skipped %+v, %d rules", sk, m.Rules())
				}
				return
			}
			if !skip || !strings.Contains(sk.Reason, tt.reason) || sk.SID != 1 {
				t.Fatalf("Unsupported = %+v, %v; want a reason with %q", sk, skip, tt.reason)
			}
			if m.Rules() != 0 || len(m.Skipped()) != 1 || m.Skipped()[0] != sk {
				t.Fatalf("New kept %d rules, skipped %+v", m.Rules(), m.Skipped())
			}
		})
	}
}

// TestFlowRulesNoAllocs: following flows for IP-only and protocol-only
// http rules allocates nothing once a flow is known.
func TestFlowRulesNoAllocs(t *testing.T) {
	m, err := New(parseRules(t,
		`alert tcp any any -> any any (sid:1;)`,
		`alert http any any -> any any (sid:2;)`), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	pkts := []packet.Facts{flowPkt(">GET / HTTP/1.1\r\n\r\n", 0), flowPkt("<", 1), flowPkt(">", 2)}
	emit := func(packet.Event) {}
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if n := testing.AllocsPerRun(100, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// Inline (--simulate-ips), Suricata parses a request before inspecting its
// packet, so a protocol-only http rule fires on the request packet too (in
// IDS mode from the packet after it): threshold-config-rate-filter-drop-
// hostsrc gets its third alert there.
func TestFlowRuleTypesInlineHTTP(t *testing.T) {
	for _, tc := range []struct {
		inline bool
		want   string
	}{{false, "0001"}, {true, "0011"}} {
		cfg := DefaultConfig()
		cfg.Inline = tc.inline
		m, err := New(parseRules(t, `alert http any any -> any any (sid:1;)`), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for i, spec := range []string{"<", ">", ">GET / HTTP/1.1\r\nHost: a\r\n\r\n", "<"} {
			f := flowPkt(spec, time.Duration(i))
			fired := byte('0')
			m.Observe(&f, func(packet.Event) { fired = '1' })
			got.WriteByte(fired)
		}
		if got.String() != tc.want {
			t.Errorf("inline %v: fired %s, want %s", tc.inline, got.String(), tc.want)
		}
	}
}
