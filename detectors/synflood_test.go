package detectors

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/packet/packettest"
)

const sfT0 = int64(1_700_000_000) * int64(time.Second)

var sfAttackerMAC = [6]byte{0x02, 0, 0, 0, 0, 0x66}

// sfSYN is a client SYN from src to dst:dport at sfT0+at.
func sfSYN(at time.Duration, src, dst string, sport, dport uint16) packet.Facts {
	f := sfTCP(at, src, dst, sport, dport, packet.TCPSyn)
	f.Dir, f.ConnEvent = packet.DirToServer, packet.ConnOpened
	return f
}

// sfEstablished is the client ACK completing a handshake.
func sfEstablished(at time.Duration, src, dst string, sport, dport uint16) packet.Facts {
	f := sfTCP(at, src, dst, sport, dport, packet.TCPAck)
	f.Dir, f.ConnEvent = packet.DirToServer, packet.ConnEstablished
	return f
}

func sfTCP(at time.Duration, src, dst string, sport, dport uint16, flags uint8) packet.Facts {
	return packettest.TCP(sfT0+int64(at), sfAttackerMAC, src, dst, sport, dport, flags)
}

// sfFlood is n SYNs from src to dst:80, one every gap.
func sfFlood(start, gap time.Duration, n int, src, dst string) []packet.Facts {
	var out []packet.Facts
	for i := range n {
		out = append(out, sfSYN(start+time.Duration(i)*gap, src, dst, uint16(1024+i%60000), 80))
	}
	return out
}

// sfRandomSources returns n distinct pseudo-random IPv4 addresses, the
// same on every run.
func sfRandomSources(n int) []netip.Addr {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for len(out) < n {
		a := netip.AddrFrom4([4]byte{byte(1 + r.IntN(223)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))})
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func sfSpoofed(n int) []packet.Facts {
	var out []packet.Facts
	for i, a := range sfRandomSources(n) {
		out = append(out, sfSYN(time.Duration(i)*100*time.Microsecond, a.String(), "10.0.0.5", uint16(1024+i), 80))
	}
	return out
}

// sfBusyServer is clients*conns connections to 10.0.0.5:443 over about ten
// seconds, every handshake completed rtt after its SYN.
func sfBusyServer(clients, conns int, rtt time.Duration) []packet.Facts {
	var out []packet.Facts
	at := time.Duration(0)
	for c := range conns {
		for i := range clients {
			src := netip.AddrFrom4([4]byte{192, 168, byte(i / 250), byte(1 + i%250)}).String()
			sport := uint16(20000 + c)
			out = append(out, sfSYN(at, src, "10.0.0.5", sport, 443))
			out = append(out, sfEstablished(at+rtt, src, "10.0.0.5", sport, 443))
			at += 5 * time.Millisecond
		}
	}
	return out
}

func TestSynFlood(t *testing.T) {
	victim := netip.MustParseAddr("10.0.0.5")
	attacker := netip.MustParseAddr("10.0.0.66")

	tests := []struct {
		name  string
		cfg   func(*SynFloodConfig)
		facts func() []packet.Facts
		check func(t *testing.T, evs []packet.Event, d *SynFlood)
	}{
		{
			name:  "single source fires once",
			facts: func() []packet.Facts { return sfFlood(0, time.Millisecond, 1000, "10.0.0.66", "10.0.0.5") },
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				e := evs[0]
				want := packet.Event{
					SID: SIDSynFlood, Time: sfT0 + int64(199*time.Millisecond),
					Attacker: attacker, AttackerMAC: sfAttackerMAC, HasMAC: true,
					Victim: victim, VictimPort: 80, Proto: packet.ProtoTCP,
					FirstTime: sfT0, LastTime: sfT0 + int64(199*time.Millisecond),
					First: packet.PacketRef{Num: 1}, Last: packet.PacketRef{Num: 200},
					Count: 200, Kind: "direct", Detail: e.Detail,
				}
				if !reflect.DeepEqual(e, want) {
					t.Errorf("event\n got %+v\nwant %+v", e, want)
				}
				if !strings.Contains(e.Detail, "200 of 200 half-open SYNs to 10.0.0.5:80") {
					t.Errorf("detail %q lacks the evidence", e.Detail)
				}
			},
		},
		{
			name: "attacker found among a busy server's clients",
			facts: func() []packet.Facts {
				out := sfBusyServer(300, 2, 3*time.Millisecond)
				for i := range out {
					out[i].DstPort = 80
				}
				return append(out, sfFlood(500*time.Millisecond, 5*time.Millisecond, 400, "10.0.0.66", "10.0.0.5")...)
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				// A client handshake in flight makes the 200th half-open SYN
				// the attacker's 199th.
				if e := evs[0]; e.Attacker != attacker || e.Spoofed || e.Kind != "direct" || e.Count < 199 || e.Count > 200 {
					t.Errorf("got %+v, want attacker %s with about 200 SYNs", e, attacker)
				}
			},
		},
		{
			name:  "spoofed sources fire once with a sample",
			facts: func() []packet.Facts { return sfSpoofed(1000) },
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				e := evs[0]
				if !e.Spoofed || e.Attacker.IsValid() || e.HasMAC || e.Victim != victim || e.VictimPort != 80 || e.Kind != "spoofed" {
					t.Errorf("got %+v, want a spoofed event against %s:80 without attacker", e, victim)
				}
				// Every source sent one SYN: the sample is the lowest
				// addresses among the 200 seen when it fired.
				first := sfRandomSources(200)
				slices.SortFunc(first, netip.Addr.Compare)
				if !slices.Equal(e.Sources, first[:5]) {
					t.Errorf("sources %v, want %v", e.Sources, first[:5])
				}
				if e.Count != 200 || e.First.Num != 1 || e.Last.Num != 200 {
					t.Errorf("count %d first %d last %d, want 200, 1, 200", e.Count, e.First.Num, e.Last.Num)
				}
				if !strings.Contains(e.Detail, "spoofed") {
					t.Errorf("detail %q does not say spoofed", e.Detail)
				}
			},
		},
		{
			name: "two flooders each get an event",
			facts: func() []packet.Facts {
				a := sfFlood(0, 2*time.Millisecond, 300, "10.0.0.66", "10.0.0.5")
				b := sfFlood(time.Millisecond, 2*time.Millisecond, 300, "10.0.0.67", "10.0.0.5")
				return append(a, b...)
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 2)
				got := []netip.Addr{evs[0].Attacker, evs[1].Attacker}
				want := []netip.Addr{attacker, netip.MustParseAddr("10.0.0.67")}
				if !slices.Equal(got, want) || evs[0].Count != 100 || evs[1].Count != 100 {
					t.Errorf("attackers %v counts %d/%d, want %v with 100 each", got, evs[0].Count, evs[1].Count, want)
				}
			},
		},
		{
			name: "a few sources with no dominant one is distributed",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for s := range 10 {
					src := netip.AddrFrom4([4]byte{10, 9, 0, byte(10 - s)}).String()
					out = append(out, sfFlood(time.Duration(s)*100*time.Microsecond, time.Millisecond, 30, src, "10.0.0.5")...)
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				e := evs[0]
				want := []netip.Addr{}
				for i := 1; i <= 5; i++ {
					want = append(want, netip.AddrFrom4([4]byte{10, 9, 0, byte(i)}))
				}
				if e.Spoofed || e.Attacker.IsValid() || e.Kind != "distributed" || !slices.Equal(e.Sources, want) {
					t.Errorf("got %+v, want distributed with sources %v", e, want)
				}
			},
		},
		{
			name:  "busy server with completed handshakes is quiet",
			facts: func() []packet.Facts { return sfBusyServer(500, 4, 2*time.Millisecond) },
			check: sfWantNone,
		},
		{
			name:  "below threshold is quiet",
			facts: func() []packet.Facts { return sfFlood(0, time.Millisecond, 199, "10.0.0.66", "10.0.0.5") },
			check: sfWantNone,
		},
		{
			name: "port scan is not a flood",
			facts: func() []packet.Facts {
				var out []packet.Facts
				for p := range 2000 {
					out = append(out, sfSYN(time.Duration(p)*time.Millisecond, "10.0.0.66", "10.0.0.5", 40000, uint16(1+p)))
				}
				return out
			},
			check: sfWantNone,
		},
		{
			name: "window expiry resets the count",
			facts: func() []packet.Facts {
				a := sfFlood(0, 10*time.Millisecond, 150, "10.0.0.66", "10.0.0.5")
				b := sfFlood(20*time.Second, 10*time.Millisecond, 150, "10.0.0.66", "10.0.0.5")
				return append(a, b...)
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantNone(t, evs, d)
				if d.victims.Len() != 1 {
					t.Errorf("%d victims tracked, want only the second burst's", d.victims.Len())
				}
			},
		},
		{
			name:  "continuing flood re-fires once per window",
			facts: func() []packet.Facts { return sfFlood(0, 10*time.Millisecond, 3500, "10.0.0.66", "10.0.0.5") },
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 4)
				for i, e := range evs {
					at := sfT0 + int64(time.Duration(i)*10*time.Second+199*10*time.Millisecond)
					if e.Time != at || e.Count != 200 || e.Attacker != attacker {
						t.Errorf("event %d: time %d count %d attacker %s, want %d, 200, %s", i, e.Time-sfT0, e.Count, e.Attacker, at-sfT0, attacker)
					}
				}
			},
		},
		{
			name: "IPv6 flood",
			facts: func() []packet.Facts {
				return sfFlood(0, time.Millisecond, 250, "2001:db8::66", "2001:db8::5")
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				if e := evs[0]; e.Attacker != netip.MustParseAddr("2001:db8::66") || e.Victim != netip.MustParseAddr("2001:db8::5") {
					t.Errorf("got %+v", e)
				}
			},
		},
		{
			name: "victim table cap evicts and counts",
			cfg:  func(c *SynFloodConfig) { c.MaxTrackedVictims = 4 },
			facts: func() []packet.Facts {
				var out []packet.Facts
				for p := range 10 {
					out = append(out, sfSYN(time.Duration(p)*time.Millisecond, "10.0.0.66", "10.0.0.5", 40000, uint16(1+p)))
				}
				return out
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				if d.Evicted() != 6 || d.victims.Len() != 4 {
					t.Errorf("evicted %d with %d tracked, want 6 and 4", d.Evicted(), d.victims.Len())
				}
			},
		},
		{
			name: "per-victim source cap stops the pair table growing",
			cfg:  func(c *SynFloodConfig) { c.MaxSourcesPerVictim = 60 },
			facts: func() []packet.Facts {
				return sfSpoofed(1000)
			},
			check: func(t *testing.T, evs []packet.Event, d *SynFlood) {
				sfWantEvents(t, evs, 1)
				if d.pairs.Len() != 60 || d.Evicted() != 0 {
					t.Errorf("%d pairs, %d evicted; want 60 and 0", d.pairs.Len(), d.Evicted())
				}
				if e := evs[0]; !e.Spoofed || !strings.Contains(e.Detail, "60+ distinct sources") {
					t.Errorf("got %+v, want spoofed from 60+ sources", e)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultSynFloodConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			d := NewSynFlood(cfg)
			tc.check(t, packettest.Drive(d, tc.facts()), d)
		})
	}
}

func sfWantEvents(t *testing.T, evs []packet.Event, n int) {
	t.Helper()
	if len(evs) != n {
		for _, e := range evs {
			t.Logf("event: %+v", e)
		}
		t.Fatalf("%d events, want %d", len(evs), n)
	}
}

func sfWantNone(t *testing.T, evs []packet.Event, _ *SynFlood) {
	t.Helper()
	sfWantEvents(t, evs, 0)
}

func TestSynFloodDeterministic(t *testing.T) {
	run := func() []packet.Event {
		facts := append(sfSpoofed(3000), sfFlood(0, time.Millisecond, 5000, "10.0.0.66", "10.0.0.7")...)
		return packettest.Drive(NewSynFlood(DefaultSynFloodConfig()), facts)
	}
	a, b := run(), run()
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("runs differ or are empty:\n%+v\n%+v", a, b)
	}
}

func TestSynFloodConfigValidate(t *testing.T) {
	if err := DefaultSynFloodConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		mutate func(*SynFloodConfig)
		want   string
	}{
		{func(c *SynFloodConfig) { c.Threshold = 0 }, "threshold: 0 out of range [1, 10000000]"},
		{func(c *SynFloodConfig) { c.Window = 0 }, "window: 0s out of range [1ms, 1h]"},
		{func(c *SynFloodConfig) { c.SourceShare = 1.5 }, "source_share: 1.5 out of range (0, 1]"},
		{func(c *SynFloodConfig) { c.SpoofedMinSources = 1 }, "spoofed_min_sources: 1 out of range"},
		{func(c *SynFloodConfig) { c.SpoofedMaxAvgSYNs = 0.5 }, "spoofed_max_avg_syns: 0.5 out of range [1, 1000]"},
		{func(c *SynFloodConfig) { c.MaxSourcesPerVictim = 10 }, "max_sources_per_victim: 10 out of range [spoofed_min_sources (50)"},
		{func(c *SynFloodConfig) { c.MaxTrackedVictims = 0 }, "max_tracked_victims: 0 out of range"},
		{func(c *SynFloodConfig) { c.MaxTrackedPairs = -1 }, "max_tracked_pairs: -1 out of range"},
	}
	for _, tc := range tests {
		c := DefaultSynFloodConfig()
		tc.mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want error containing %q", err, tc.want)
		}
	}
}

// sfBenign is a repeating cycle of ordinary web traffic: 64 clients each
// opening, using and closing a connection to one server.
func sfBenign() []packet.Facts {
	var out []packet.Facts
	for i := range 64 {
		src := netip.AddrFrom4([4]byte{192, 168, 1, byte(1 + i)}).String()
		syn := sfSYN(0, src, "10.0.0.5", uint16(30000+i), 443)
		synAck := sfTCP(0, "10.0.0.5", src, 443, uint16(30000+i), packet.TCPSyn|packet.TCPAck)
		synAck.Dir = packet.DirToClient
		est := sfEstablished(0, src, "10.0.0.5", uint16(30000+i), 443)
		data := sfTCP(0, src, "10.0.0.5", uint16(30000+i), 443, packet.TCPAck|packet.TCPPsh)
		data.Dir = packet.DirToServer
		fin := sfTCP(0, src, "10.0.0.5", uint16(30000+i), 443, packet.TCPAck|packet.TCPFin)
		fin.Dir = packet.DirToServer
		out = append(out, syn, synAck, est, data, data, fin)
	}
	return out
}

func sfReplay(d packet.Detector, facts []packet.Facts, i int, emit packet.Emit) {
	packettest.Replay(d, facts, sfT0, i, emit)
}

func TestSynFloodSteadyStateAllocs(t *testing.T) {
	d := NewSynFlood(DefaultSynFloodConfig())
	facts := sfBenign()
	fired := 0
	emit := func(packet.Event) { fired++ }
	i := 0
	for ; i < 4*len(facts); i++ {
		sfReplay(d, facts, i, emit)
	}
	allocs := testing.AllocsPerRun(200_000, func() {
		sfReplay(d, facts, i, emit)
		i++
	})
	if allocs != 0 || fired != 0 {
		t.Errorf("%v allocs per packet and %d events, want none", allocs, fired)
	}
}

func BenchmarkSynFloodBenign(b *testing.B) {
	d := NewSynFlood(DefaultSynFloodConfig())
	facts := sfBenign()
	emit := func(packet.Event) {}
	for i := range 4 * len(facts) {
		sfReplay(d, facts, i, emit)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		sfReplay(d, facts, i, emit)
	}
}

// A flooder mixing its own SYNs into a spoofed flood is named once it alone
// reaches the threshold, after the spoofed event for the same service.
func TestSynFloodFlooderBehindSpoofedFlood(t *testing.T) {
	facts := sfSpoofed(1000) // 0.1 s of spoofed SYNs to 10.0.0.5:80
	facts = append(facts, sfFlood(50*time.Millisecond, time.Millisecond, 300, "198.51.100.23", "10.0.0.5")...)
	evs := packettest.Drive(NewSynFlood(DefaultSynFloodConfig()), facts)
	if len(evs) != 2 {
		t.Fatalf("%d events, want spoofed then direct: %+v", len(evs), evs)
	}
	if !evs[0].Spoofed || evs[0].Kind != "spoofed" {
		t.Errorf("first event %+v, want the spoofed flood", evs[0])
	}
	d := evs[1]
	if d.Kind != "direct" || d.Attacker != netip.MustParseAddr("198.51.100.23") || d.Count != 200 {
		t.Errorf("second event kind %s attacker %v count %d, want direct 198.51.100.23 at its 200th SYN", d.Kind, d.Attacker, d.Count)
	}
	// and only once per window
	more := append(facts, sfFlood(400*time.Millisecond, time.Millisecond, 300, "198.51.100.23", "10.0.0.5")...)
	if n := len(packettest.Drive(NewSynFlood(DefaultSynFloodConfig()), more)); n != 2 {
		t.Errorf("%d events with a longer flood, want 2 in one window", n)
	}
}
