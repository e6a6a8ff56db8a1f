package analyzer

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/rulematch"
	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// fuzzRules exercise the rule engine's parsers and matchers: HTTP request
// and response buffers, TLS and SSH handshakes, DNS, byte tests, pcre,
// flowbits and thresholds, on the traffic the fuzzer makes.
const fuzzRules = `
alert http any any -> any any (msg:"uri"; flow:to_server; http.uri; content:"/admin"; nocase; sid:1;)
alert http any any -> any any (msg:"ua"; http.user_agent; content:"curl"; sid:2;)
alert http any any -> any any (msg:"host pcre"; http.host; pcre:"/^[a-z]+\.example$/"; sid:3;)
alert http any any -> any any (msg:"status"; flow:to_client; http.stat_code; content:"404"; sid:4;)
alert http any any -> any any (msg:"body"; file_data; content:"secret"; sid:5;)
alert http any any -> any any (msg:"header names"; http.header_names; content:"X-"; sid:6;)
alert tls any any -> any any (msg:"sni"; tls.sni; content:"evil"; sid:7;)
alert tls any any -> any any (msg:"ja3"; ja3.hash; content:"e7d705a3286e19ea42f587b344ee6865"; sid:8;)
alert ssh any any -> any any (msg:"ssh"; ssh.software; content:"libssh"; sid:9;)
alert dns any any -> any any (msg:"dns"; dns.query; content:"bad"; nocase; sid:10;)
alert tcp any any -> any any (msg:"byte_test"; flow:established; content:"|00 01|"; byte_test:2,>,100,0,relative; sid:11;)
alert tcp any any -> any any (msg:"byte_jump"; content:"LEN"; byte_jump:1,0,relative; content:"END"; within:10; sid:12;)
alert tcp any any -> any any (msg:"set"; content:"LOGIN"; flowbits:set,login; flowbits:noalert; sid:13;)
alert tcp any any -> any any (msg:"isset"; flowbits:isset,login; content:"ADMIN"; sid:14;)
alert tcp any any -> any any (msg:"threshold"; content:"x"; threshold:type both,track by_src,count 3,seconds 60; sid:15;)
alert tcp any any -> any any (msg:"stream"; content:"GET"; depth:3; content:"HTTP/1."; distance:0; sid:16;)
alert udp any any -> any any (msg:"udp"; dsize:>4; content:"|de ad|"; offset:2; sid:17;)
alert tcp any any -> any any (msg:"isdataat"; content:"data="; isdataat:4,relative; content:!"root"; distance:0; sid:18;)
alert http any any -> any any (msg:"transform"; http.uri; to_lowercase; url_decode; content:"/etc/passwd"; sid:19;)
alert tcp any any -> any any (msg:"pcre relative"; content:"A"; pcre:"/B+C/R"; sid:20;)
alert http any any -> any any (msg:"pcre only, uri"; http.uri; pcre:"/\/(admin|setup)(\?|$)/i"; sid:21;)
alert http any any -> any any (msg:"pcre only, body"; flow:to_client; file_data; pcre:"/secre[tT]|hidden/i"; sid:22;)
`

var (
	fuzzSetOnce sync.Once
	fuzzSet     *signatures.Set
	fuzzSetErr  error
)

// fuzzRuleSet loads fuzzRules with the default pack, once.
func fuzzRuleSet(t testing.TB) *signatures.Set {
	fuzzSetOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ipsreplay-fuzz-rules-")
		if err != nil {
			fuzzSetErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "fuzz.rules")
		if fuzzSetErr = os.WriteFile(path, []byte(fuzzRules), 0o644); fuzzSetErr != nil {
			return
		}
		fuzzSet, fuzzSetErr = signatures.LoadSet(signatures.SetOptions{RuleFiles: []string{path}, Vars: rules.DefaultVars()})
	})
	if fuzzSetErr != nil {
		t.Fatal(fuzzSetErr)
	}
	return fuzzSet
}

// fuzzSession runs one TCP session (or UDP exchange) carrying the fuzzer's
// bytes each way through an engine with fuzzRules, and returns the alerts.
func fuzzSession(t *testing.T, toServer, toClient []byte, port uint16, udp bool) []uint32 {
	// DefaultConfig without loading the default pack again for each input
	cfg := Config{Detectors: detectors.DefaultConfig(), Flows: DefaultFlowConfig(), Autoblock: DefaultAutoblock,
		Capture: DefaultCaptureConfig(), Report: DefaultReportConfig(), Rules: rulematch.DefaultConfig(),
		Signatures: fuzzRuleSet(t)}
	var sids []uint32
	cfg.OnEvent = func(ev Event) {
		if ev.Type == EventAlert {
			sids = append(sids, ev.Alert.SID)
		}
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cli := e2eNewHost("02:00:00:00:00:01", "10.0.0.1")
	srv := e2eNewHost("02:00:00:00:00:02", "10.0.0.2")
	c := &e2eCapture{tb: t}
	if udp {
		c.udp(0, cli, srv, 40000, port, toServer)
		c.udp(time.Millisecond, srv, cli, port, 40000, toClient)
	} else {
		k, _ := c.open(0, cli, srv, 40000, port)
		at := 3 * time.Millisecond
		// in segments of at most 1,400 bytes, as a real stack sends them
		for len(toServer) > 0 || len(toClient) > 0 {
			if n := min(len(toServer), 1400); n > 0 {
				k.send(at, true, toServer[:n])
				toServer = toServer[n:]
			}
			if n := min(len(toClient), 1400); n > 0 {
				k.send(at+time.Millisecond, false, toClient[:n])
				toClient = toClient[n:]
			}
			at += 2 * time.Millisecond
		}
		k.serverClose(at)
	}
	file := e.AddFile("fuzz.pcap")
	for i, p := range c.pkts {
		e.Packet(LinkEthernet, p.data, testEpoch.Add(p.at).UnixNano(), len(p.data), packet.PacketRef{File: file, Num: uint64(i + 1)})
	}
	e.Finish()
	return sids
}

// FuzzRuleMatch: the rule matcher on arbitrary application data, both
// ways of a session on any port: no panic, and the same alerts on a
// second run (no state leaks between runs, no map-order dependence).
func FuzzRuleMatch(f *testing.F) {
	f.Add([]byte("GET /Admin?data=cm9vdA== HTTP/1.1\r\nHost: www.example\r\nUser-Agent: curl/8\r\nX-A: 1\r\n\r\n"),
		[]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 6\r\n\r\nsecret"), uint16(80), false)
	f.Add([]byte("SSH-2.0-libssh_0.9\r\n"), []byte("SSH-2.0-OpenSSH_9.6\r\n"), uint16(22), false)
	f.Add([]byte("\x16\x03\x01\x00\x31\x01\x00\x00\x2d\x03\x03"+string(make([]byte, 32))+"\x00\x00\x02\x00\x2f\x01\x00\x00\x02\x00\x00"), []byte{}, uint16(443), false)
	f.Add([]byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03bad\x07example\x00\x00\x01\x00\x01"), []byte{}, uint16(53), true)
	f.Add([]byte("LOGIN me\r\nADMIN\r\nLEN\x03abcEND\x00\x01\x00\xff"), []byte("AABBBC"), uint16(4444), false)
	f.Add([]byte("GET /%2E%2E/ETC/PASSWD HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08"), uint16(8080), false)
	f.Fuzz(func(t *testing.T, toServer, toClient []byte, port uint16, udp bool) {
		if len(toServer)+len(toClient) > 64<<10 {
			return // a bound keeps each input quick; the parsers cap their own state
		}
		if port == 0 {
			port = 80
		}
		first := fuzzSession(t, toServer, toClient, port, udp)
		second := fuzzSession(t, toServer, toClient, port, udp)
		if len(first) != len(second) {
			t.Fatalf("alerts differ between two runs: %v and %v", first, second)
		}
		for i := range first {
			if first[i] != second[i] {
				t.Fatalf("alerts differ between two runs: %v and %v", first, second)
			}
		}
	})
}

// udp adds one UDP datagram.
func (c *e2eCapture) udp(at time.Duration, from, to e2eHost, sport, dport uint16, payload []byte) uint64 {
	c.tb.Helper()
	u := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	return c.add(at, from.ip, to.ip, e2eEth(from, to, layers.EthernetTypeIPv4), e2eIP(from, to, layers.IPProtocolUDP), u, gopacket.Payload(payload))
}

// The fuzz target's rules all load and fire on their seeds, so the
// fuzzer starts from inputs that reach the matchers.
func TestFuzzRulesFire(t *testing.T) {
	set := fuzzRuleSet(t)
	if active, skipped := set.RuleCounts(); skipped != 0 || active < 20 {
		t.Fatalf("%d rules active, %d skipped: %v", active, skipped, set.Warnings)
	}
	got := map[uint32]bool{}
	for _, sid := range fuzzSession(t, []byte("GET /Admin HTTP/1.1\r\nHost: www.example\r\nUser-Agent: curl/8\r\nX-A: 1\r\n\r\n"),
		[]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 6\r\n\r\nsecret"), 80, false) {
		got[sid] = true
	}
	for _, sid := range []uint32{1, 2, 3, 4, 5, 6, 16, 21, 22} {
		if !got[sid] {
			t.Errorf("sid %d did not fire on its seed (fired: %v)", sid, got)
		}
	}
}
