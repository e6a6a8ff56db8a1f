package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestRuleFlags(t *testing.T) {
	R := func(flags string) *rules.Rule { return newRule(1, "tcp", withFlags(flags)) }
	p := func(fl uint8) packet.Facts { return tcpPacket("", withTCPFlags(fl)) }
	const S, A, F, R_, P, U, E, C = packet.TCPSyn, packet.TCPAck, packet.TCPFin, packet.TCPRst, packet.TCPPsh, packet.TCPUrg, packet.TCPEce, packet.TCPCwr
	runCases(t, []matchCase{
		{"exact S on SYN", R("S"), p(S), true},
		{"exact S on SYN-ACK", R("S"), p(S | A), false},
		{"exact S on SYN+ECN", R("S"), p(S | E | C), false},
		{"exact S ignoring CE", R("S,CE"), p(S | E | C), true},
		{"exact S ignoring 12", R("S,12"), p(S | E), true},
		{"exact SA", R("SA"), p(S | A), true},
		{"plus S on SYN-ACK", R("+S"), p(S | A), true},
		{"plus SA on SYN", R("+SA"), p(S), false},
		{"any SF on FIN", R("*SF"), p(F | A), true},
		{"any SF on ACK", R("*SF"), p(A), false},
		{"not R on ACK", R("!R"), p(A), true},
		{"not R on RST", R("!R"), p(R_ | A), false},
		// Suricata: '!' is "not all of these", so !SA matches a bare SYN
		{"not SA on SYN", R("!SA"), p(S), true},
		{"not SA on SYN-ACK", R("!SA"), p(S | A), false},
		{"xmas", R("FPU"), p(F | P | U), true},
		{"null scan", R("0"), p(0), true},
		{"null on ACK", R("0"), p(A), false},
		{"not null", R("!0"), p(A), true},
		{"flags on udp", R("S"), udpPacket("", withTCPFlags(S)), false},
	})
}

func TestRuleRanges(t *testing.T) {
	runCases(t, []matchCase{
		{"dsize =", newRule(1, "tcp", withDsize("3")), tcpPacket("abc"), true},
		{"dsize = miss", newRule(1, "tcp", withDsize("3")), tcpPacket("abcd"), false},
		{"dsize 0", newRule(1, "tcp", withDsize("0")), tcpPacket(""), true},
		{"dsize <", newRule(1, "tcp", withDsize("<4")), tcpPacket("abc"), true},
		{"dsize < edge", newRule(1, "tcp", withDsize("<3")), tcpPacket("abc"), false},
		{"dsize >", newRule(1, "tcp", withDsize(">2")), tcpPacket("abc"), true},
		{"dsize <= ", newRule(1, "tcp", withDsize("<=3")), tcpPacket("abc"), true},
		{"dsize >=", newRule(1, "tcp", withDsize(">=4")), tcpPacket("abc"), false},
		{"dsize !", newRule(1, "tcp", withDsize("!3")), tcpPacket("abc"), false},
		{"dsize ! other", newRule(1, "tcp", withDsize("!9")), tcpPacket("abc"), true},
		// Suricata requires a payload for !, >, >=, ranges and =N>0
		{"dsize ! empty", newRule(1, "tcp", withDsize("!9")), tcpPacket(""), false},
		{"dsize range from 0 empty", newRule(1, "tcp", withDsize("0-5")), tcpPacket(""), false},
		{"dsize >= 0 empty", newRule(1, "tcp", withDsize(">=0")), tcpPacket(""), false},
		{"dsize <= empty", newRule(1, "tcp", withDsize("<=5")), tcpPacket(""), true},
		{"dsize <> exclusive", newRule(1, "tcp", withDsize("3<>5")), tcpPacket("abc"), false},
		{"dsize <> inside", newRule(1, "tcp", withDsize("2<>5")), tcpPacket("abc"), true},
		{"dsize - inclusive", newRule(1, "tcp", withDsize("3-5")), tcpPacket("abc"), true},
		{"dsize with content", newRule(1, "tcp", withDsize(">100"), withMatches(contentMatch("abc", ""))), tcpPacket("abc"), false},
		{"ttl", newRule(1, "ip", withTTL("<5")), tcpPacket("", withPktTTL(1)), true},
		{"ttl miss", newRule(1, "ip", withTTL("<5")), tcpPacket(""), false},
		{"ttl range", newRule(1, "ip", withTTL("60-64")), tcpPacket(""), true},
		{"itype echo", newRule(1, "icmp", withIType("8")), icmpPacket(8, 0, false), true},
		{"itype reply", newRule(1, "icmp", withIType("8")), icmpPacket(0, 0, false), false},
		{"itype v6", newRule(1, "icmp", withIType("128")), icmpPacket(128, 0, true), true},
		{"itype >", newRule(1, "icmp", withIType(">30")), icmpPacket(40, 0, false), true},
		{"icode", newRule(1, "icmp", withIType("3"), withICode("3")), icmpPacket(3, 3, false), true},
		{"icode miss", newRule(1, "icmp", withIType("3"), withICode("3")), icmpPacket(3, 1, false), false},
		{"icode range", newRule(1, "icmp", withICode("0-3")), icmpPacket(3, 2, false), true},
		{"itype on ip rule, tcp packet", newRule(1, "ip", withIType("0")), tcpPacket(""), false},
	})
}

func TestRuleFlow(t *testing.T) {
	fl := func(dir rules.FlowDirection, est, notEst, stateless bool) *rules.Rule {
		return newRule(1, "tcp", withFlow(dir, est, notEst, stateless))
	}
	data := tcpPacket("x")
	toClient := tcpPacket("x", withDir(packet.DirToClient))
	midstream := tcpPacket("x", withDir(packet.DirUnknown))
	udpFirst := udpPacket("x", withDir(packet.DirToServer))
	udpReply := udpPacket("x", withDir(packet.DirToClient), func(f *packet.Facts) { f.BothWays = true })
	syn := tcpPacket("", withTCPFlags(packet.TCPSyn), withConn(packet.ConnOpened))
	synAck := tcpPacket("", withTCPFlags(packet.TCPSyn|packet.TCPAck), withDir(packet.DirToClient))
	finalAck := tcpPacket("", withTCPFlags(packet.TCPAck), withConn(packet.ConnEstablished))
	finalAckData := tcpPacket("GET /", withTCPFlags(packet.TCPAck|packet.TCPPsh), withConn(packet.ConnEstablished))
	const anyDir, srv, cli = rules.FlowAny, rules.FlowToServer, rules.FlowToClient
	runCases(t, []matchCase{
		{"to_server", fl(srv, false, false, false), data, true},
		{"to_server on reply", fl(srv, false, false, false), toClient, false},
		{"to_server midstream", fl(srv, false, false, false), midstream, false},
		{"to_client", fl(cli, false, false, false), toClient, true},
		{"to_client on request", fl(cli, false, false, false), data, false},
		{"established data", fl(srv, true, false, false), data, true},
		{"established SYN", fl(anyDir, true, false, false), syn, false},
		{"established SYN-ACK", fl(anyDir, true, false, false), synAck, false},
		{"established final ACK", fl(srv, true, false, false), finalAck, false},
		{"established final ACK with data", fl(srv, true, false, false), finalAckData, true},
		{"not_established final ACK", fl(srv, false, true, false), finalAck, true},
		{"established midstream", fl(anyDir, true, false, false), midstream, false},
		{"established to_client", fl(cli, true, false, false), toClient, true},
		{"not_established SYN", fl(srv, false, true, false), syn, true},
		{"not_established data", fl(anyDir, false, true, false), data, false},
		{"not_established midstream", fl(anyDir, false, true, false), midstream, true},
		{"stateless SYN", fl(anyDir, false, false, true), syn, true},
		{"stateless to_server midstream", fl(srv, false, false, true), midstream, true},
		{"stateless to_server reply", fl(srv, false, false, true), toClient, false},
		// udpPacket has no direction: no flow table ran, nothing to check
		{"udp without a flow", newRule(1, "udp", withFlow(srv, true, false, false)), udpPacket("x"), true},
		{"udp without a flow, to_client", newRule(1, "udp", withFlow(cli, false, false, false)), udpPacket("x"), true},
		{"udp first packet to_server", newRule(1, "udp", withFlow(srv, false, false, false)), udpFirst, true},
		{"udp first packet not to_client", newRule(1, "udp", withFlow(cli, false, false, false)), udpFirst, false},
		{"udp first packet not established", newRule(1, "udp", withFlow(anyDir, true, false, false)), udpFirst, false},
		{"udp first packet not_established", newRule(1, "udp", withFlow(anyDir, false, true, false)), udpFirst, true},
		{"udp reply to_client established", newRule(1, "udp", withFlow(cli, true, false, false)), udpReply, true},
		{"udp reply not to_server", newRule(1, "udp", withFlow(srv, false, false, false)), udpReply, false},
		{"udp reply not not_established", newRule(1, "udp", withFlow(anyDir, false, true, false)), udpReply, false},
	})
}

func TestRuleHeader(t *testing.T) {
	hdr := func(proto, src, sp, dst, dp string, opts ...ruleOpt) *rules.Rule {
		return newRule(1, proto, append([]ruleOpt{withAddrs(src, dst), withPorts(sp, dp)}, opts...)...)
	}
	fwd := tcpPacket("", fromAddr("10.0.0.1", 4000), toAddr("10.0.0.2", 80))
	rev := tcpPacket("", fromAddr("10.0.0.2", 80), toAddr("10.0.0.1", 4000))
	wrongPort := tcpPacket("", fromAddr("10.0.0.2", 4000), toAddr("10.0.0.1", 80))
	runCases(t, []matchCase{
		{"addresses", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80"), fwd, true},
		{"one way only", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80"), rev, false},
		{"bidirectional forward", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), fwd, true},
		{"bidirectional reverse", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), rev, true},
		{"bidirectional keeps port with address", hdr("tcp", "10.0.0.1", "any", "10.0.0.2", "80", bidirectional), wrongPort, false},
		{"negated source", hdr("tcp", "!10.0.0.0/8", "any", "any", "any"), fwd, false},
		{"negated source outside", hdr("tcp", "!192.168.0.0/16", "any", "any", "any"), fwd, true},
		{"port list", hdr("tcp", "any", "any", "any", "443,80"), fwd, true},
		{"port range", hdr("tcp", "any", "3000:5000", "any", "any"), fwd, true},
		{"negated port", hdr("tcp", "any", "any", "any", "!80"), fwd, false},
		{"src port index", hdr("tcp", "any", "80", "any", "any"), rev, true},
		{"src port index miss", hdr("tcp", "any", "80", "any", "any"), fwd, false},
		{"ipv6", hdr("tcp", "fd00::/8", "any", "any", "any"), tcpPacket("", fromAddr("fd00::1", 1), toAddr("fd00::2", 80)), true},
		{"ipv4 rule range on ipv6", hdr("tcp", "10.0.0.0/8", "any", "any", "any"), tcpPacket("", fromAddr("fd00::1", 1), toAddr("fd00::2", 80)), false},
		// protocols
		{"http is tcp", newRule(1, "http", withMatches(contentMatch("x", ""))), tcpPacket("x"), true},
		{"http not udp", newRule(1, "http", withMatches(contentMatch("x", ""))), udpPacket("x"), false},
		{"http keeps its ports", hdr("http", "any", "any", "any", "8080"), tcpPacket("x"), false},
		{"dns on udp", newRule(1, "dns", withMatches(contentMatch("x", ""))), udpPacket("x"), true},
		{"dns on tcp", newRule(1, "dns", withMatches(contentMatch("x", ""))), tcpPacket("x"), true},
		{"tls not udp", newRule(1, "tls", withMatches(contentMatch("x", ""))), udpPacket("x"), false},
		{"quic is udp", newRule(1, "quic", withMatches(contentMatch("x", ""))), udpPacket("x"), true},
		{"icmp v4", newRule(1, "icmp"), icmpPacket(8, 0, false), true},
		{"icmp v6", newRule(1, "icmp"), icmpPacket(128, 0, true), true},
		{"icmpv4 not v6", newRule(1, "icmpv4"), icmpPacket(128, 0, true), false},
		{"icmp not tcp", newRule(1, "icmp"), tcpPacket("x"), false},
		{"icmp ignores ports", hdr("icmp", "any", "any", "any", "80"), icmpPacket(8, 0, false), true},
		{"ip on udp", newRule(1, "ip"), udpPacket("x"), true},
		{"ip on gre", newRule(1, "ip", withMatches(contentMatch("x", ""))), tcpPacket("x", withProto(47)), true},
		{"ipv6 rule on ipv4", newRule(1, "ipv6"), tcpPacket("x"), false},
		{"ipv6 rule on ipv6", newRule(1, "ipv6"), tcpPacket("x", fromAddr("fd00::1", 1), toAddr("fd00::2", 2)), true},
		{"tcp rule not udp", newRule(1, "tcp"), udpPacket("x"), false},
	})
}
