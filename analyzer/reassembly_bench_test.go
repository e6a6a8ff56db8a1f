package analyzer

// The same segments (many connections, every fourth pair of segments
// swapped) through github.com/google/gopacket/reassembly and through the
// flow table's own reassembly, to decide which one runs on the hot path:
//
//	go test -run '^$' -bench Reassembly -benchmem ./analyzer/
//
// Both see one segment per op, already decoded (gopacket's as a
// layers.TCP, ours as Facts); both keep the connection table and copy
// out-of-order data. gopacket's stream callback only counts the bytes it
// is handed, so the comparison flatters it: ours also builds the window
// before each segment that the rule matcher needs.

import (
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/reassembly"

	"github.com/ipsreplay/ipsreplay/packet"
)

const (
	rbFlows   = 256
	rbSegs    = 16 // segments per flow per round
	rbSegSize = 512
)

// rbSegment is one client segment: its flow and its offset in the round.
type rbSegment struct {
	flow int
	off  uint32
}

// rbOrder is one round's segments: flows interleaved, every fourth pair
// of a flow's segments swapped.
func rbOrder() []rbSegment {
	var out []rbSegment
	for s := 0; s < rbSegs; s++ {
		for fl := 0; fl < rbFlows; fl++ {
			i := s
			if s%4 == 0 && s+1 < rbSegs {
				i = s + 1
			} else if s%4 == 1 {
				i = s - 1
			}
			out = append(out, rbSegment{flow: fl, off: uint32(i * rbSegSize)})
		}
	}
	return out
}

func rbAddr(fl int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(fl >> 8), byte(fl)}) }

var rbServer = netip.MustParseAddr("10.9.9.9")

func BenchmarkReassemblyOurs(b *testing.B) {
	ft := newFlowTable(DefaultFlowConfig(), 256, func(*packet.Conn) {})
	for fl := range rbFlows {
		for _, s := range []struct {
			fromClient bool
			flags      uint8
			seq, ack   uint32
		}{
			{true, packet.TCPSyn, 0, 0},
			{false, packet.TCPSyn | packet.TCPAck, 0, 1},
			{true, packet.TCPAck, 1, 1},
		} {
			f := rbFacts(fl, s.fromClient, s.flags, s.seq, s.ack)
			ft.observe(&f)
		}
	}
	order := rbOrder()
	payload := make([]byte, rbSegSize)
	facts := make([]packet.Facts, rbFlows)
	for fl := range facts {
		facts[fl] = rbFacts(fl, true, packet.TCPAck|packet.TCPPsh, 0, 1)
	}
	var f packet.Facts
	var delivered int
	b.ReportAllocs()
	b.SetBytes(rbSegSize)
	b.ResetTimer()
	for i := range b.N {
		round, s := uint32(i/len(order)), order[i%len(order)]
		f = facts[s.flow]
		f.Seq = 1 + round*rbSegs*rbSegSize + s.off
		f.Payload = payload
		ft.observe(&f)
		delivered += len(f.StreamData)
	}
	b.StopTimer()
	if want := b.N / len(order) * len(order) * rbSegSize; delivered < want {
		b.Fatalf("delivered %d bytes, want at least %d", delivered, want)
	}
}

func rbFacts(fl int, fromClient bool, flags uint8, seq, ack uint32) packet.Facts {
	f := packet.Facts{Time: 1, L3: packet.L3IPv4, Proto: packet.ProtoTCP, TCPFlags: flags, Seq: seq, Ack: ack,
		Src: rbAddr(fl), Dst: rbServer, SrcPort: 40000, DstPort: 80}
	if !fromClient {
		f.Src, f.Dst, f.SrcPort, f.DstPort = f.Dst, f.Src, f.DstPort, f.SrcPort
	}
	return f
}

// gopacket's side: a stream that counts what it is handed.
type rbStream struct{ bytes *int }

func (s rbStream) Accept(*layers.TCP, gopacket.CaptureInfo, reassembly.TCPFlowDirection, reassembly.Sequence, *bool, reassembly.AssemblerContext) bool {
	return true
}

func (s rbStream) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	n, _ := sg.Lengths()
	*s.bytes += n
}

func (s rbStream) ReassemblyComplete(reassembly.AssemblerContext) bool { return true }

type rbFactory struct{ bytes *int }

func (f rbFactory) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	return rbStream{f.bytes}
}

type rbContext gopacket.CaptureInfo

func (c *rbContext) GetCaptureInfo() gopacket.CaptureInfo { return gopacket.CaptureInfo(*c) }

func BenchmarkReassemblyGopacket(b *testing.B) {
	var delivered int
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(rbFactory{&delivered}))
	// bounded as ours is: 32 MiB of held data in gopacket's 1900-byte pages
	asm.MaxBufferedPagesTotal = 32 << 20 / 1900
	asm.MaxBufferedPagesPerConnection = 64
	ctx := &rbContext{Timestamp: time.Unix(1, 0)}
	netFlows := make([]gopacket.Flow, rbFlows)
	tcps := make([]layers.TCP, rbFlows)
	server := net.IP(rbServer.AsSlice())
	for fl := range rbFlows {
		netFlows[fl] = gopacket.NewFlow(layers.EndpointIPv4, rbAddr(fl).AsSlice(), server)
		syn := layers.TCP{SrcPort: 40000, DstPort: 80, SYN: true, Seq: 0}
		asm.AssembleWithContext(netFlows[fl], &syn, ctx)
		synAck := layers.TCP{SrcPort: 80, DstPort: 40000, SYN: true, ACK: true, Seq: 0, Ack: 1}
		asm.AssembleWithContext(netFlows[fl].Reverse(), &synAck, ctx)
		tcps[fl] = layers.TCP{SrcPort: 40000, DstPort: 80, ACK: true, PSH: true, Ack: 1}
	}
	order := rbOrder()
	payload := make([]byte, rbSegSize)
	delivered = 0
	b.ReportAllocs()
	b.SetBytes(rbSegSize)
	b.ResetTimer()
	for i := range b.N {
		round, s := uint32(i/len(order)), order[i%len(order)]
		t := &tcps[s.flow]
		t.Seq = 1 + round*rbSegs*rbSegSize + s.off
		t.Payload = payload
		asm.AssembleWithContext(netFlows[s.flow], t, ctx)
	}
	b.StopTimer()
	if want := b.N / len(order) * len(order) * rbSegSize; delivered < want {
		b.Fatalf("delivered %d bytes, want at least %d", delivered, want)
	}
}

// The churn variants: one op is a whole connection (SYN, SYN-ACK, the
// second data segment, the first, RST), so connection setup and teardown
// count too.
func BenchmarkReassemblyChurnOurs(b *testing.B) {
	ft := newFlowTable(DefaultFlowConfig(), 256, func(*packet.Conn) {})
	payload := make([]byte, rbSegSize)
	b.ReportAllocs()
	for i := range b.N {
		fl := i % 4096
		port := uint16(1024 + i/4096%60000)
		for _, s := range [...]struct {
			fromClient bool
			flags      uint8
			seq        uint32
			data       bool
		}{
			{true, packet.TCPSyn, 0, false},
			{false, packet.TCPSyn | packet.TCPAck, 0, false},
			{true, packet.TCPAck, 1 + rbSegSize, true},
			{true, packet.TCPAck, 1, true},
			{true, packet.TCPRst, 1 + 2*rbSegSize, false},
		} {
			f := rbFacts(fl, s.fromClient, s.flags, s.seq, 1)
			if s.fromClient {
				f.SrcPort = port
			} else {
				f.DstPort = port
			}
			if s.data {
				f.Payload = payload
			}
			ft.observe(&f)
		}
	}
}

func BenchmarkReassemblyChurnGopacket(b *testing.B) {
	var delivered int
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(rbFactory{&delivered}))
	asm.MaxBufferedPagesTotal = 32 << 20 / 1900
	asm.MaxBufferedPagesPerConnection = 64
	ctx := &rbContext{Timestamp: time.Unix(1, 0)}
	server := net.IP(rbServer.AsSlice())
	netFlows := make([]gopacket.Flow, 4096)
	for fl := range netFlows {
		netFlows[fl] = gopacket.NewFlow(layers.EndpointIPv4, rbAddr(fl).AsSlice(), server)
	}
	payload := make([]byte, rbSegSize)
	var t layers.TCP
	b.ReportAllocs()
	for i := range b.N {
		fl := i % 4096
		port := layers.TCPPort(1024 + i/4096%60000)
		t = layers.TCP{SrcPort: port, DstPort: 80, SYN: true}
		asm.AssembleWithContext(netFlows[fl], &t, ctx)
		t = layers.TCP{SrcPort: 80, DstPort: port, SYN: true, ACK: true, Ack: 1}
		asm.AssembleWithContext(netFlows[fl].Reverse(), &t, ctx)
		t = layers.TCP{SrcPort: port, DstPort: 80, ACK: true, Seq: 1 + rbSegSize, Ack: 1}
		t.Payload = payload
		asm.AssembleWithContext(netFlows[fl], &t, ctx)
		t = layers.TCP{SrcPort: port, DstPort: 80, ACK: true, Seq: 1, Ack: 1}
		t.Payload = payload
		asm.AssembleWithContext(netFlows[fl], &t, ctx)
		t = layers.TCP{SrcPort: port, DstPort: 80, RST: true, Seq: 1 + 2*rbSegSize, Ack: 1}
		asm.AssembleWithContext(netFlows[fl], &t, ctx)
	}
}

// BenchmarkReassemblyHalfOpen* report the memory a spoofed SYN flood costs
// each (b.N distinct SYNs, no payload): gopacket's pool makes a connection
// per SYN and has no cap on them; ours keeps no stream state without
// payload (the flow table's half-open entry is counted apart, capped).
func BenchmarkReassemblyHalfOpenGopacket(b *testing.B) {
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(rbFactory{new(int)}))
	ctx := &rbContext{Timestamp: time.Unix(1, 0)}
	server := net.IP(rbServer.AsSlice())
	before := rbHeap()
	var t layers.TCP
	for i := range b.N {
		src := net.IP{10, byte(i >> 16), byte(i >> 8), byte(i)}
		t = layers.TCP{SrcPort: layers.TCPPort(i), DstPort: 80, SYN: true}
		asm.AssembleWithContext(gopacket.NewFlow(layers.EndpointIPv4, src, server), &t, ctx)
	}
	b.ReportMetric(float64(rbHeap()-before)/float64(b.N), "heapB/SYN")
	runtime.KeepAlive(asm)
}

func BenchmarkReassemblyHalfOpenOurs(b *testing.B) {
	ft := newFlowTable(DefaultFlowConfig(), 256, func(*packet.Conn) {})
	before := rbHeap()
	for i := range b.N {
		f := rbFacts(i, true, packet.TCPSyn, 0, 0)
		f.Src = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		ft.observe(&f)
	}
	if ft.rs.streams.Len() != 0 {
		b.Fatal("stream state for SYNs")
	}
	b.ReportMetric(float64(rbHeap()-before)/float64(b.N), "heapB/SYN")
	runtime.KeepAlive(ft)
}

func rbHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
