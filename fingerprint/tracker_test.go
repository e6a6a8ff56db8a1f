package fingerprint

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

var (
	scanner = netip.MustParseAddr("10.77.0.1")
	target  = netip.MustParseAddr("10.77.0.2")
	t0      = int64(1_780_000_000) * int64(time.Second)
)

const (
	optMSS1460  = "\x02\x04\x05\xb4"
	optLinuxSYN = "\x02\x04\x05\xb4\x04\x02\x08\x0a\x41\xb3\x5f\x08\x00\x00\x00\x00\x01\x03\x03\x0a" // MSS, SACK-permitted, TS, NOP, WS 10
	optNmapT    = "\x03\x03\x0a\x01\x02\x04\x01\x09\x08\x0a\xff\xff\xff\xff\x00\x00\x00\x00\x04\x02" // WS 10, NOP, MSS 265, TS 0xFFFFFFFF, SACK-permitted
)

// pkt is a packet from the scanner to the target, shaped by opts.
func pkt(i int, opts ...func(*packet.Facts)) packet.Facts {
	f := packet.Facts{
		Time: t0 + int64(i)*int64(time.Millisecond), Packet: packet.PacketRef{Num: uint64(i + 1)},
		L3: packet.L3IPv4, Src: scanner, Dst: target, TTL: 64, IPID: uint16(7919 * (i + 1)),
		Proto: packet.ProtoTCP, SrcPort: 40000, DstPort: uint16(20 + i), Seq: 1000,
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func syn(window uint16, opts string) func(*packet.Facts) {
	return func(f *packet.Facts) { f.TCPFlags, f.Window, f.TCPOptions = packet.TCPSyn, window, []byte(opts) }
}

func flags(fl uint8, window uint16, opts string) func(*packet.Facts) {
	return func(f *packet.Facts) { f.TCPFlags, f.Window, f.TCPOptions = fl, window, []byte(opts) }
}

func with(fn func(f *packet.Facts)) func(*packet.Facts) { return fn }

// masscanID sets the IP ID masscan would: (dst ^ dport ^ seq) & 0xffff.
func masscanID(f *packet.Facts) {
	d := f.Dst.As4()
	f.IPID = uint16(binary.BigEndian.Uint32(d[:]) ^ uint32(f.DstPort) ^ f.Seq)
}

// connData is client data on an established connection whose handshake
// ACK (seq first) came before; payload's seq is at.
func connData(t *Tracker, i int, sport, dport uint16, first, at uint32, payload string) {
	ack := pkt(i, flags(packet.TCPAck, 502, ""), with(func(f *packet.Facts) {
		f.SrcPort, f.DstPort, f.Seq, f.Dir, f.ConnEvent = sport, dport, first, packet.DirToServer, packet.ConnEstablished
	}))
	t.Observe(&ack)
	data := pkt(i, flags(packet.TCPAck|packet.TCPPsh, 502, ""), with(func(f *packet.Facts) {
		f.SrcPort, f.DstPort, f.Seq, f.Dir, f.Payload = sport, dport, at, packet.DirToServer, []byte(payload)
	}))
	t.Observe(&data)
}

func TestTrackerCraftedFacts(t *testing.T) {
	repeat := func(n int, opts ...func(*packet.Facts)) func(*Tracker) {
		return func(t *Tracker) {
			for i := range n {
				f := pkt(i, opts...)
				t.Observe(&f)
			}
		}
	}
	tests := []struct {
		name   string
		feed   func(*Tracker)
		want   []Class // classes found for the scanner, in order
		tool   string  // of the first class, when set
		detail []string
	}{
		{
			name: "nmap SYN probes", feed: repeat(5, syn(1024, optMSS1460)), want: []Class{ClassNmapSYN}, tool: ToolNmap,
			detail: []string{"nmap SYN probes: 5 SYNs with window 1024 and a lone MSS option (1460), source port 40000 on 5 of them, sequence number 1000 on 5"},
		},
		{
			name: "nmap SYN probes with other windows", feed: func(t *Tracker) {
				repeat(3, syn(2048, optMSS1460))(t)
				repeat(1, syn(4096, optMSS1460))(t)
			},
			want: []Class{ClassNmapSYN}, detail: []string{"4 SYNs with window 2048 (3) or 4096 (1)"},
		},
		{name: "two probes are below the minimum", feed: repeat(2, syn(1024, optMSS1460))},
		{name: "hping3's default SYN is not nmap", feed: repeat(20, syn(512, ""))},
		{name: "a Linux client's SYN is not nmap", feed: repeat(20, syn(64240, optLinuxSYN))},
		{name: "window 1024 with MSS and more options is not nmap", feed: repeat(20, syn(1024, optMSS1460+"\x01\x03\x03\x07"))},
		{name: "window 1000 with a lone MSS is not nmap", feed: repeat(20, syn(1000, optMSS1460))},
		{
			name: "masscan's IP ID", feed: repeat(4, syn(1024, ""), with(func(f *packet.Facts) { f.TTL = 255 }), masscanID),
			want: []Class{ClassStatelessSYN}, tool: ToolMasscan, detail: []string{"masscan SYNs: 4 SYNs", "TTL 255, window 1024"},
		},
		{
			name: "an IP ID off by one is not masscan",
			feed: repeat(20, syn(1024, ""), masscanID, with(func(f *packet.Facts) { f.IPID++ })),
		},
		{
			name: "ZMap's IP ID", feed: repeat(3, syn(65535, ""), with(func(f *packet.Facts) { f.IPID, f.TTL = 54321, 255 })),
			want: []Class{ClassStatelessSYN}, tool: ToolZMap, detail: []string{"ZMap SYNs: 3 SYNs without options with IP ID 54321, TTL 255, window 65535"},
		},
		{
			name: "IP ID 54321 with options is a client's chance",
			feed: repeat(20, syn(64240, optLinuxSYN), with(func(f *packet.Facts) { f.IPID = 54321 })),
		},
		{
			name: "nmap OS probes", feed: func(t *Tracker) {
				repeat(1, syn(31337, optNmapT))(t)                                              // T5
				repeat(1, flags(packet.TCPAck, 32768, optNmapT))(t)                             // T6
				repeat(1, flags(packet.TCPFin|packet.TCPPsh|packet.TCPUrg, 65535, optNmapT))(t) // T7
				repeat(1, syn(63, optNmapT))(t)                                                 // a SEQ probe
			},
			want: []Class{ClassNmapOS}, detail: []string{"4 probes of 4 kinds: 1 SEQ SYNs", "1 T5 (SYN, window 31337)"},
		},
		{name: "one odd packet is not OS detection", feed: repeat(5, flags(0, 128, optNmapT))},
		{name: "small-window SYNs without nmap's timestamp", feed: func(t *Tracker) {
			repeat(3, syn(4, optLinuxSYN))(t)
			repeat(3, flags(packet.TCPAck, 1024, "\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00"))(t)
		}},
		{
			name: "echo code 9 and the U1 probe", feed: func(t *Tracker) {
				ie := pkt(0, with(func(f *packet.Facts) {
					f.Proto, f.ICMPType, f.ICMPCode, f.ICMPSeq, f.Payload = packet.ProtoICMP, 8, 9, 295, make([]byte, 120)
				}))
				t.Observe(&ie)
				u1 := pkt(1, with(func(f *packet.Facts) {
					f.Proto, f.IPID, f.Payload = packet.ProtoUDP, 0x1042, []byte(strings.Repeat("C", 300))
				}))
				t.Observe(&u1)
			},
			want: []Class{ClassNmapOS}, detail: []string{"1 IE (echo request, code 9), 1 U1 (UDP, 300 bytes of 'C'); IP ID 0x1042 on 1"},
		},
		{
			name: "service probes as first payloads", feed: func(t *Tracker) {
				connData(t, 0, 50001, 80, 7000, 7000, "GET / HTTP/1.0\r\n\r\n")
				connData(t, 1, 50002, 443, 8000, 8000, "\r\n\r\n")
				connData(t, 2, 50003, 8080, 9000, 9000, "OPTIONS / HTTP/1.0\r\n\r\n")
			},
			want:   []Class{ClassNmapService},
			detail: []string{"nmap service probes: 3 probes sent byte for byte as in nmap-service-probes (GenericLines 1, GetRequest 1, HTTPOptions 1)"},
		},
		{
			name: "the same bytes later in a conversation are not probes", feed: func(t *Tracker) {
				for i := range 5 {
					connData(t, i, uint16(50000+i), 80, 7000, 7100, "\r\n\r\n")
				}
			},
		},
		{
			name: "UDP probes", feed: repeat(3, with(func(f *packet.Facts) {
				f.Proto, f.DstPort = packet.ProtoUDP, 53
				f.Payload = []byte("\x00\x06\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07version\x04bind\x00\x00\x10\x00\x03")
			})),
			want: []Class{ClassNmapService}, detail: []string{"(DNSVersionBindReq 3)"},
		},
		{
			name: "NULL probes on four ports", feed: func(t *Tracker) {
				for i, port := range []uint16{21, 22, 25, 110} {
					t.ConnEnded(nullConn(i, port))
				}
			},
			want: []Class{ClassNmapService}, detail: []string{"4 NULL probes (took the banner, sent nothing) on ports 21, 22, 25, 110"},
		},
		{
			name: "banner checks of one port are a monitor's", feed: func(t *Tracker) {
				for i := range 30 {
					t.ConnEnded(nullConn(i, 22))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := New(Config{})
			tt.feed(tr)
			got := tr.Evidence()
			if len(got) != len(tt.want) {
				t.Fatalf("evidence %+v, want classes %v", got, tt.want)
			}
			for i, c := range tt.want {
				if got[i].Class != c || got[i].Host != scanner || got[i].Count == 0 {
					t.Errorf("evidence %d: %+v, want class %s for %s", i, got[i], c, scanner)
				}
			}
			if tt.tool != "" && got[0].Tool != tt.tool {
				t.Errorf("tool %q, want %q", got[0].Tool, tt.tool)
			}
			for _, d := range tt.detail {
				if !strings.Contains(got[0].Detail, d) {
					t.Errorf("detail %q lacks %q", got[0].Detail, d)
				}
			}
		})
	}
}

func nullConn(i int, port uint16) *packet.Conn {
	return &packet.Conn{
		Client: scanner, Server: target, ClientPort: uint16(50000 + i), ServerPort: port,
		Start: t0 + int64(i)*int64(time.Second), End: t0 + int64(i)*int64(time.Second) + int64(time.Millisecond),
		Established: true, ServerBytes: 40, ClientPkts: 3, ServerPkts: 2, ClosedBy: packet.CloseClientFin,
	}
}

// TestTrackerRSTAfterSYNACK: the bare RST a raw-socket scanner's kernel
// sends to an open port's SYN-ACK is counted for a host that sent nmap's
// SYNs, and costs nothing for one that did not.
func TestTrackerRSTAfterSYNACK(t *testing.T) {
	tr := New(Config{})
	rst := pkt(9, flags(packet.TCPRst, 0, ""), with(func(f *packet.Facts) { f.Dir, f.Seq = packet.DirToServer, 1001 }))
	tr.Observe(&rst) // before any probe: no state made
	if len(tr.Evidence()) != 0 || tr.sources.Len() != 0 {
		t.Fatalf("a RST made state: %+v", tr.Evidence())
	}
	for i := range 3 {
		f := pkt(i, syn(1024, optMSS1460))
		tr.Observe(&f)
	}
	tr.Observe(&rst)
	tr.Observe(&rst)
	ev := tr.Evidence()
	if len(ev) != 1 || !strings.HasSuffix(ev[0].Detail, ", 2 RSTs (no ACK) after the SYN-ACK") {
		t.Errorf("evidence %+v", ev)
	}
}

// TestTrackerBounded: sources past MaxSources evict the stalest (counted),
// and handshakes past their wait are forgotten.
func TestTrackerBounded(t *testing.T) {
	tr := New(Config{MaxSources: 2, MaxConns: 4, FirstDataWait: packet.Duration(time.Second)})
	for i := range 5 {
		f := pkt(i, syn(1024, optMSS1460), with(func(f *packet.Facts) { f.Src = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}) }))
		tr.Observe(&f)
	}
	if tr.sources.Len() != 2 || tr.Evicted() != 3 {
		t.Errorf("sources %d, evicted %d; want 2 and 3", tr.sources.Len(), tr.Evicted())
	}
	connData(tr, 0, 50001, 80, 7000, 7000, "x")
	if tr.conns.Len() != 1 {
		t.Fatalf("handshakes held %d, want 1", tr.conns.Len())
	}
	tr.Expire(t0 + int64(2*time.Second))
	if tr.conns.Len() != 0 {
		t.Errorf("handshake kept past its wait")
	}
}

func TestTimestampAllOnes(t *testing.T) {
	for _, tt := range []struct {
		opts string
		want bool
	}{
		{optNmapT, true},
		{"\x08\x0a\xff\xff\xff\xff\x00\x00\x00\x00", true},
		{optLinuxSYN, false},
		{"", false},
		{"\x00\x08\x0a\xff\xff\xff\xff\x00\x00\x00\x00", false},     // after end of options
		{"\x08\x0a\xff\xff\xff", false},                             // cut short
		{"\x02\x00\x08\x0a\xff\xff\xff\xff\x00\x00\x00\x00", false}, // zero length
		{"\x01\x01\x01", false},
	} {
		if got := timestampAllOnes([]byte(tt.opts)); got != tt.want {
			t.Errorf("timestampAllOnes(%q) = %v, want %v", tt.opts, got, tt.want)
		}
	}
}

func TestTop(t *testing.T) {
	var tp top[uint16]
	for i := range 100 {
		tp.add(51234)
		tp.add(uint16(i)) // 100 others, one each, churn the other slots
	}
	if v, n := tp.best(); v != 51234 || n != 100 {
		t.Errorf("best = %d x%d, want 51234 x100", v, n)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	err := Config{MaxSources: -1, FirstDataWait: packet.Duration(time.Hour)}.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_sources: -1") || !strings.Contains(err.Error(), "first_data_wait: 1h0m0s") {
		t.Errorf("error %v", err)
	}
}

// TestServiceProbesMatchNmap checks the probe table against the
// nmap-service-probes it was copied from, when nmap is installed.
func TestServiceProbesMatchNmap(t *testing.T) {
	const path = "/usr/share/nmap/nmap-service-probes"
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("nmap not installed: %v", err)
	}
	defer f.Close()
	probe := regexp.MustCompile(`^Probe (TCP|UDP) (\S+) q\|(.*)\|`)
	type key struct {
		udp  bool
		name string
	}
	file := map[key]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := probe.FindStringSubmatch(sc.Text()); m != nil {
			file[key{m[1] == "UDP", m[2]}] = unescapeProbe(t, m[3])
		}
	}
	for _, p := range serviceProbes {
		got, ok := file[key{p.udp, p.name}]
		if !ok {
			t.Errorf("%s: not in %s", p.name, path)
			continue
		}
		if got != p.data {
			t.Errorf("%s: table has %q, %s has %q", p.name, p.data, path, got)
		}
	}
}

// unescapeProbe decodes a probe string as nmap does: \xHH, \0, \r, \n,
// \t, \a, \f, \v and \\ escapes, anything else literal.
func unescapeProbe(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'x':
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			b.WriteByte(byte(v))
			i += 2
		case '0':
			b.WriteByte(0)
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'a':
			b.WriteByte(7)
		case 'f':
			b.WriteByte(12)
		case 'v':
			b.WriteByte(11)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// benchMix is what a busy link carries, with a scanner in it: client
// data both ways, handshakes, ordinary SYNs, and nmap's probes.
func benchMix() []packet.Facts {
	var mix []packet.Facts
	payload := make([]byte, 1200)
	for i := range 64 {
		mix = append(mix,
			pkt(i, flags(packet.TCPAck|packet.TCPPsh, 502, "\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02"),
				with(func(f *packet.Facts) { f.Dir, f.Payload = packet.DirToServer, payload[:100+i] })),
			pkt(i, flags(packet.TCPAck, 502, ""), with(func(f *packet.Facts) {
				f.Src, f.Dst, f.Dir, f.Payload = target, scanner, packet.DirToClient, payload
			})),
			pkt(i, syn(64240, optLinuxSYN)),
			pkt(i, syn(1024, optMSS1460)),
			pkt(i, flags(packet.TCPAck, 502, ""), with(func(f *packet.Facts) {
				f.SrcPort, f.Dir, f.ConnEvent = uint16(30000+i), packet.DirToServer, packet.ConnEstablished
			})),
			pkt(i, with(func(f *packet.Facts) { f.Proto, f.DstPort, f.Payload = packet.ProtoUDP, 53, payload[:40] })),
		)
	}
	return mix
}

func TestTrackerObserveNoAllocs(t *testing.T) {
	mix := benchMix()
	tr := New(Config{})
	step := func() {
		for i := range mix {
			mix[i].Time += int64(time.Second)
			tr.Observe(&mix[i])
		}
		tr.Expire(mix[len(mix)-1].Time)
	}
	for range 50 { // warm up: the tables hold their steady state
		step()
	}
	if allocs := testing.AllocsPerRun(100, step); allocs != 0 {
		t.Errorf("%.1f allocations per pass over %d packets, want 0", allocs, len(mix))
	}
}

// BenchmarkTrackerObserve is the Tracker's cost per packet on benchMix.
func BenchmarkTrackerObserve(b *testing.B) {
	mix := benchMix()
	tr := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := &mix[i%len(mix)]
		f.Time += int64(time.Millisecond)
		tr.Observe(f)
		if i%len(mix) == 0 {
			tr.Expire(f.Time)
		}
	}
}

// BenchmarkTrackerObserveData is the common case: a data packet, turned
// away on its length.
func BenchmarkTrackerObserveData(b *testing.B) {
	f := pkt(0, flags(packet.TCPAck|packet.TCPPsh, 502, ""),
		with(func(f *packet.Facts) { f.Dir, f.Payload = packet.DirToServer, make([]byte, 1200) }))
	tr := New(Config{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tr.Observe(&f)
	}
}
