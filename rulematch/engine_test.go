package rulematch

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestRuleNonIPIgnored(t *testing.T) {
	m := newMatcher(t, newRule(1, "ip"))
	f := tcpPacket("x")
	f.L3 = packet.L3ARP
	m.Observe(&f, func(packet.Event) { t.Error("fired on ARP") })
}

func TestRuleEvent(t *testing.T) {
	m := newMatcher(t, newRule(7, "tcp", withMatches(contentMatch("evil", ""))))
	var evs []packet.Event
	emit := func(e packet.Event) { evs = append(evs, e) }
	f := tcpPacket("so evil", atTime(3*time.Second))
	f.Packet = packet.PacketRef{File: 2, Num: 99}
	f.FlowStart = t0 // the flow tables' part: the event carries it
	f.FlowCounts = packet.FlowCounts{Pkts: [2]uint64{3, 1}, Bytes: [2]uint64{300, 60}}
	f.AppProto, f.Source = packet.AppHTTP, packet.SrcDefrag
	m.Observe(&f, emit)
	pub := tcpPacket("evil", fromAddr("198.51.100.7", 5555))
	m.Observe(&pub, emit)
	noEth := tcpPacket("evil")
	noEth.HasEth = false
	m.Observe(&noEth, emit)
	want := packet.Event{
		SID: 7, Time: t0 + 3e9,
		Attacker: netip.MustParseAddr("10.0.0.1"), AttackerMAC: srcMAC, HasMAC: true,
		Victim: netip.MustParseAddr("10.0.0.2"), VictimPort: 80, Proto: packet.ProtoTCP,
		AttackerPort: 40000, Dir: packet.DirToServer, FlowStart: t0,
		Flow: packet.FlowInfo{Client: netip.MustParseAddr("10.0.0.1"), ClientPort: 40000,
			Server: netip.MustParseAddr("10.0.0.2"), ServerPort: 80,
			Counts: packet.FlowCounts{Pkts: [2]uint64{3, 1}, Bytes: [2]uint64{300, 60}}, App: packet.AppHTTP},
		Source:    packet.SrcDefrag,
		FirstTime: t0 + 3e9, LastTime: t0 + 3e9,
		First: packet.PacketRef{File: 2, Num: 99}, Last: packet.PacketRef{File: 2, Num: 99}, Count: 1,
		Kind: "rule", Detail: "rule test.rules:7 matched: test rule 7",
	}
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	if !reflect.DeepEqual(evs[0], want) {
		t.Errorf("event\n got %+v\nwant %+v", evs[0], want)
	}
	if evs[1].HasMAC || evs[1].Attacker != netip.MustParseAddr("198.51.100.7") {
		t.Errorf("public source: %+v", evs[1])
	}
	if evs[2].HasMAC {
		t.Errorf("no Ethernet header but a MAC: %+v", evs[2])
	}
}

func TestRuleOrderAndPass(t *testing.T) {
	rs := []*rules.Rule{
		newRule(30, "tcp", withMatches(contentMatch("abc", ""))),
		// flow:stateless makes it a packet rule, run on every packet
		// (without a flow keyword it would be IP-only: first packets only)
		newRule(10, "tcp", withFlow(0, false, false, true)),
		newRule(20, "tcp", withMatches(contentMatch("b", ""))),
	}
	m := newMatcher(t, rs...)
	got := sidsOf(m, []packet.Facts{tcpPacket("abc"), tcpPacket("b"), tcpPacket("")})
	want := [][]uint32{{30, 10, 20}, {10, 20}, {10}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v (rule order)", got, want)
	}
	pass := newRule(99, "tcp", withAction("pass"), withAddrs("10.0.0.9", "any"))
	m = newMatcher(t, append(rs, pass)...)
	got = sidsOf(m, []packet.Facts{tcpPacket("abc"), tcpPacket("abc", fromAddr("10.0.0.9", 1))})
	want = [][]uint32{{30, 10, 20}, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with pass: got %v, want %v", got, want)
	}
}

// randomRules makes n rules over a small alphabet so that random
// payloads hit them often, with every modifier, negation, pcre, HTTP
// buffers, ports and flags in the mix.
func randomRules(rng *rand.Rand, n int) []*rules.Rule {
	const alpha = "abcABC/="
	word := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	bufs := []string{"pkt_data", "pkt_data", "pkt_data", "http.uri", "http.method", "http.header", "http.host", "http.user_agent", "http.cookie", "http.request_body"}
	var rs []*rules.Rule
	for i := range n {
		var opts []ruleOpt
		proto := []string{"tcp", "tcp", "udp", "ip", "http", "dns"}[rng.IntN(6)]
		var ms []rules.Match
		for k := range rng.IntN(4) {
			buf := bufs[rng.IntN(len(bufs))]
			if proto == "udp" || proto == "dns" {
				buf = "pkt_data"
			}
			if k > 0 && rng.IntN(2) == 0 {
				buf = ms[len(ms)-1].Buffer.String() // chain in one buffer
			}
			if rng.IntN(6) == 0 {
				re := regexp.QuoteMeta(word(1, 3)) + []string{"", `\w*`, `.`, `[a-c]+`}[rng.IntN(4)]
				if rng.IntN(4) == 0 {
					re = "^" + re
				}
				mods := "buffer:" + buf
				if k > 0 && rng.IntN(2) == 0 {
					mods += "; R"
				}
				if rng.IntN(5) == 0 {
					mods += "; negated"
				}
				ms = append(ms, pcreMatch(re, mods))
				continue
			}
			pat := word(1, 4)
			var mods []string
			if rng.IntN(2) == 0 || buf == "http.host" {
				mods = append(mods, "nocase")
			}
			if rng.IntN(6) == 0 {
				mods = append(mods, "negated")
			}
			switch rel := k > 0 && rng.IntN(2) == 0; {
			case rel:
				switch rng.IntN(3) {
				case 0:
					mods = append(mods, fmt.Sprintf("distance:%d", rng.IntN(5)-2))
				case 1:
					mods = append(mods, fmt.Sprintf("within:%d", len(pat)+rng.IntN(4)))
				default:
					mods = append(mods, fmt.Sprintf("distance:%d; within:%d", rng.IntN(5)-2, len(pat)+rng.IntN(4)))
				}
			case rng.IntN(8) == 0:
				mods = append(mods, "startswith")
			default:
				if rng.IntN(3) == 0 {
					mods = append(mods, fmt.Sprintf("offset:%d", rng.IntN(6)))
				}
				if rng.IntN(3) == 0 {
					mods = append(mods, fmt.Sprintf("depth:%d", len(pat)+rng.IntN(8)))
				}
			}
			if rng.IntN(8) == 0 {
				mods = append(mods, "endswith")
			}
			if rng.IntN(8) == 0 {
				mods = append(mods, "fast_pattern")
			}
			ms = append(ms, contentMatch(pat, strings.Join(mods, ";")+"; buffer:"+buf))
		}
		opts = append(opts, withMatches(ms...))
		switch rng.IntN(5) {
		case 0:
			opts = append(opts, withPorts("any", []string{"80", "53", "80,8080", "1:1024"}[rng.IntN(4)]))
		case 1:
			opts = append(opts, withPorts([]string{"80", "53"}[rng.IntN(2)], "any"))
		case 2:
			opts = append(opts, bidirectional, withPorts("any", "80"))
		}
		if rng.IntN(5) == 0 {
			opts = append(opts, withFlags([]string{"+A", "*SF", "!R", "PA"}[rng.IntN(4)]))
		}
		if rng.IntN(6) == 0 {
			opts = append(opts, withFlow(rules.FlowDirection(rng.IntN(3)), rng.IntN(2) == 0, false, false))
		}
		if rng.IntN(6) == 0 {
			opts = append(opts, withDsize([]string{"<20", ">10", "5-30"}[rng.IntN(3)]))
		}
		if rng.IntN(10) == 0 {
			opts = append(opts, withThreshold([]string{"limit", "threshold", "both", "detection_filter"}[rng.IntN(4)], "by_src", 1+rng.IntN(3), 60))
		}
		rs = append(rs, newRule(uint32(i+1), proto, opts...))
	}
	return rs
}

// randomPackets makes TCP and UDP packets over the rules' alphabet, some
// of them HTTP requests.
func randomPackets(rng *rand.Rand, n int) []packet.Facts {
	const alpha = "abcABC/=x "
	word := func(lo, hi int) string {
		b := make([]byte, lo+rng.IntN(hi-lo+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	var out []packet.Facts
	for i := range n {
		payload := word(0, 40)
		if rng.IntN(3) == 0 {
			payload = []string{"GET", "POST"}[rng.IntN(2)] + " /" + word(0, 12) + " HTTP/1.1\r\nHost: " + word(1, 8) +
				"\r\nUser-Agent: " + word(0, 8) + "\r\nCookie: " + word(0, 6) + "\r\n\r\n" + word(0, 10)
		}
		var f packet.Facts
		if rng.IntN(4) == 0 {
			f = udpPacket(payload, fromAddr("10.0.0.1", []uint16{53, 5353, 80}[rng.IntN(3)]), toAddr("10.0.0.2", []uint16{53, 80, 9999}[rng.IntN(3)]))
		} else {
			f = tcpPacket(payload, withTCPFlags([]uint8{packet.TCPAck | packet.TCPPsh, packet.TCPAck, packet.TCPSyn, packet.TCPFin | packet.TCPAck, packet.TCPRst}[rng.IntN(5)]),
				withDir([]uint8{packet.DirToServer, packet.DirToClient, packet.DirUnknown}[rng.IntN(3)]))
			if rng.IntN(2) == 0 {
				f.Src, f.Dst, f.SrcPort, f.DstPort = f.Dst, f.Src, 80, 40000
			}
		}
		f.Time = t0 + int64(i)*int64(time.Second)
		f.Packet = packet.PacketRef{Num: uint64(i + 1)}
		out = append(out, f)
	}
	return out
}

// TestRulePrefilterEquivalence: for random rules and payloads, the
// prefilter and port grouping never change what matches.
func TestRulePrefilterEquivalence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	for round := range 5 {
		rs := randomRules(rng, 200)
		facts := randomPackets(rng, 2000)
		fast := newMatcher(t, rs...)
		slow := newMatcher(t, rs...)
		slow.noPrefilter = true
		got, want := sidsOf(fast, facts), sidsOf(slow, facts)
		matches := 0
		for i := range facts {
			matches += len(want[i])
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("round %d packet %d %q: prefilter %v, all rules %v", round, i, facts[i].Payload, got[i], want[i])
			}
		}
		if matches < 500 {
			t.Errorf("round %d: only %d matches: the generator no longer exercises the matcher", round, matches)
		}
	}
}

func TestRuleSteadyStateAllocs(t *testing.T) {
	m := newMatcher(t, benchRules(1000)...)
	facts := benchTraffic()
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range facts {
		m.Observe(&facts[i], emit)
	}
	i := 0
	allocs := testing.AllocsPerRun(20_000, func() {
		m.Observe(&facts[i%len(facts)], emit)
		i++
	})
	if allocs != 0 || fired != 0 {
		t.Errorf("%v allocs per packet and %d events on benign traffic, want none", allocs, fired)
	}
}
