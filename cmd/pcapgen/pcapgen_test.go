package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// pkt is one decoded packet of a generated capture.
type pkt struct {
	ts    time.Time
	iface int
	link  layers.LinkType
	p     gopacket.Packet
}

func (k pkt) tcp() *layers.TCP {
	t, _ := k.p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	return t
}

func (k pkt) arp() *layers.ARP {
	a, _ := k.p.Layer(layers.LayerTypeARP).(*layers.ARP)
	return a
}

func (k pkt) src() netip.Addr {
	if nl := k.p.NetworkLayer(); nl != nil {
		a, _ := netip.AddrFromSlice(nl.NetworkFlow().Src().Raw())
		return a
	}
	return netip.Addr{}
}

func (k pkt) dst() netip.Addr {
	if nl := k.p.NetworkLayer(); nl != nil {
		a, _ := netip.AddrFromSlice(nl.NetworkFlow().Dst().Raw())
		return a
	}
	return netip.Addr{}
}

func (k pkt) payload() []byte {
	if tl := k.p.TransportLayer(); tl != nil {
		return tl.LayerPayload()
	}
	return nil
}

// eachPacket reads a pcap or pcapng stream and hands every decoded packet
// to fn.
func eachPacket(t *testing.T, in io.Reader, fn func(pkt)) {
	t.Helper()
	br := bufio.NewReaderSize(in, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		t.Fatal(err)
	}
	var (
		src    gopacket.PacketDataSource
		linkOf func(gopacket.CaptureInfo) layers.LinkType
	)
	if binary.LittleEndian.Uint32(magic) == 0x0a0d0d0a {
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			t.Fatal(err)
		}
		src = r
		linkOf = func(ci gopacket.CaptureInfo) layers.LinkType {
			in, err := r.Interface(ci.InterfaceIndex)
			if err != nil {
				t.Fatal(err)
			}
			return in.LinkType
		}
	} else {
		// (Reader.Resolution is inverted in gopacket 1.1.19; read the magic.)
		if m := binary.LittleEndian.Uint32(magic); m != 0xa1b2c3d4 {
			t.Fatalf("magic %#x, want little-endian microsecond pcap", m)
		}
		r, err := pcapgo.NewReader(br)
		if err != nil {
			t.Fatal(err)
		}
		src = r
		linkOf = func(gopacket.CaptureInfo) layers.LinkType { return r.LinkType() }
	}
	for n := 1; ; n++ {
		d, ci, err := src.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("packet %d: %v", n, err)
		}
		if ci.CaptureLength != ci.Length || len(d) != ci.CaptureLength {
			t.Fatalf("packet %d: truncated", n)
		}
		lt := linkOf(ci)
		fn(pkt{ts: ci.Timestamp, iface: ci.InterfaceIndex, link: lt,
			p: gopacket.NewPacket(d, lt, gopacket.DecodeOptions{NoCopy: true})})
	}
}

// readCapture decodes all packets of a capture.
func readCapture(t *testing.T, data []byte) []pkt {
	t.Helper()
	var out []pkt
	eachPacket(t, bytes.NewReader(data), func(k pkt) { out = append(out, k) })
	return out
}

// checksum is the Internet checksum of the concatenated parts.
func checksum(parts ...[]byte) uint16 {
	var s uint64
	var odd bool
	var carry byte
	for _, b := range parts {
		if odd && len(b) > 0 {
			s += uint64(carry)<<8 | uint64(b[0])
			b = b[1:]
			odd = false
		}
		for len(b) >= 2 {
			s += uint64(b[0])<<8 | uint64(b[1])
			b = b[2:]
		}
		if len(b) == 1 {
			odd, carry = true, b[0]
		}
	}
	if odd {
		s += uint64(carry) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func pseudo4(ip *layers.IPv4, proto byte, n int) []byte {
	b := append(append([]byte{}, ip.SrcIP.To4()...), ip.DstIP.To4()...)
	return append(b, 0, proto, byte(n>>8), byte(n))
}

func pseudo6(ip *layers.IPv6, proto byte, n int) []byte {
	b := append(append([]byte{}, ip.SrcIP.To16()...), ip.DstIP.To16()...)
	return append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, proto)
}

// verifier checks packets one by one: decoding, lengths, checksums, time
// order and, for every connection that starts with a SYN, that each side's
// sequence numbers continue without gaps or repeats and that no side
// acknowledges data the other has not sent. Frames forwarded by the
// ARP-poisoning attacker (copies of packets already seen) are skipped by
// the sequence check.
type verifier struct {
	t     *testing.T
	name  string
	n     int
	prev  time.Time
	conns map[[2]netip.AddrPort]*seqState
}

type seqState struct {
	next [2]uint32
	have [2]bool
}

func newVerifier(t *testing.T, name string) *verifier {
	return &verifier{t: t, name: name, conns: map[[2]netip.AddrPort]*seqState{}}
}

var attackerMAC = mustMAC(macARPAttack)

func (v *verifier) packet(k pkt) {
	t := v.t
	t.Helper()
	v.n++
	where := fmt.Sprintf("%s packet %d", v.name, v.n)
	if el := k.p.ErrorLayer(); el != nil {
		t.Fatalf("%s: decode error: %v", where, el.Error())
	}
	if k.ts.Before(baseTime) || k.ts.Before(v.prev) {
		t.Fatalf("%s: timestamp %v out of order", where, k.ts)
	}
	v.prev = k.ts
	if k.link == layers.LinkTypeEthernet && len(k.p.Data()) < 60 {
		t.Fatalf("%s: runt Ethernet frame of %d bytes", where, len(k.p.Data()))
	}
	if k.p.NetworkLayer() == nil && k.arp() == nil {
		t.Fatalf("%s: neither IP nor ARP: %v", where, k.p)
	}
	var ps []byte // pseudo header for the transport checksum
	var seg []byte
	switch ip := k.p.NetworkLayer().(type) {
	case *layers.IPv4:
		if checksum(ip.Contents) != 0 {
			t.Fatalf("%s: bad IPv4 header checksum", where)
		}
		if int(ip.Length) != len(ip.Contents)+len(ip.Payload) {
			t.Fatalf("%s: IPv4 length %d, have %d", where, ip.Length, len(ip.Contents)+len(ip.Payload))
		}
		seg = ip.Payload
		if ip.Protocol != layers.IPProtocolICMPv4 {
			ps = pseudo4(ip, byte(ip.Protocol), len(seg))
		}
	case *layers.IPv6:
		if int(ip.Length) != len(ip.Payload) {
			t.Fatalf("%s: IPv6 payload length %d, have %d", where, ip.Length, len(ip.Payload))
		}
		seg = ip.Payload
		ps = pseudo6(ip, byte(ip.NextHeader), len(seg))
	}
	if seg != nil {
		if sum := checksum(ps, seg); sum != 0 {
			t.Fatalf("%s: bad transport checksum (%#04x): %v", where, sum, k.p)
		}
	}
	tcp := k.tcp()
	if tcp == nil {
		return
	}
	if tcp.DataOffset < 5 {
		t.Fatalf("%s: bad TCP data offset", where)
	}
	if tcp.RST {
		return
	}
	if e, ok := k.p.LinkLayer().(*layers.Ethernet); ok && bytes.Equal(e.SrcMAC, attackerMAC) {
		return
	}
	sa := netip.AddrPortFrom(k.src(), uint16(tcp.SrcPort))
	da := netip.AddrPortFrom(k.dst(), uint16(tcp.DstPort))
	if tcp.SYN && !tcp.ACK {
		st := &seqState{}
		st.next[0], st.have[0] = tcp.Seq+1, true
		v.conns[[2]netip.AddrPort{sa, da}] = st
		return
	}
	st, side := v.conns[[2]netip.AddrPort{sa, da}], 0
	if st == nil {
		st, side = v.conns[[2]netip.AddrPort{da, sa}], 1
	}
	if st == nil {
		return
	}
	other := 1 - side
	if tcp.SYN {
		if side != 1 || tcp.Ack != st.next[0] {
			t.Fatalf("%s: bad SYN-ACK", where)
		}
		st.next[1], st.have[1] = tcp.Seq+1, true
		return
	}
	if !st.have[side] {
		t.Fatalf("%s: segment before SYN-ACK", where)
	}
	if tcp.Seq != st.next[side] {
		t.Fatalf("%s: seq %d, want %d", where, tcp.Seq, st.next[side])
	}
	st.next[side] += uint32(len(tcp.Payload))
	if tcp.FIN {
		st.next[side]++
	}
	if tcp.ACK && (!st.have[other] || int32(tcp.Ack-st.next[other]) > 0) {
		t.Fatalf("%s: acknowledges unsent data (ack %d, peer at %d)", where, tcp.Ack, st.next[other])
	}
}

func checkWellFormed(t *testing.T, name string, ps []pkt) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatalf("%s: no packets", name)
	}
	v := newVerifier(t, name)
	for _, k := range ps {
		v.packet(k)
	}
}

// TestVerifyFile checks an existing capture, such as a full-size bench file:
//
//	PCAPGEN_VERIFY=/tmp/bench.pcap go test -run VerifyFile ./cmd/pcapgen
func TestVerifyFile(t *testing.T) {
	path := os.Getenv("PCAPGEN_VERIFY")
	if path == "" {
		t.Skip("PCAPGEN_VERIFY not set")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := newVerifier(t, filepath.Base(path))
	eachPacket(t, f, v.packet)
	t.Logf("%s: %d packets verified, last at %v", path, v.n, v.prev.Sub(baseTime))
}

func generateAll(t *testing.T, dir string) {
	t.Helper()
	if err := writeScenarios(dir, nil, defaultSeed, io.Discard); err != nil {
		t.Fatal(err)
	}
}

func TestScenariosDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	generateAll(t, a)
	generateAll(t, b)
	for _, s := range scenarios {
		x, err := os.ReadFile(filepath.Join(a, s.file))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, s.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs", s.file)
		}
		if len(x) > 600_000 {
			t.Errorf("%s is %d bytes, want a small file", s.file, len(x))
		}
	}
	// A different seed gives different bytes.
	var x, y bytes.Buffer
	if _, err := generate(scenarios[0], defaultSeed, &x); err != nil {
		t.Fatal(err)
	}
	if _, err := generate(scenarios[0], defaultSeed+1, &y); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("seed has no effect")
	}
}

func loadAll(t *testing.T) map[string][]pkt {
	t.Helper()
	dir := t.TempDir()
	generateAll(t, dir)
	out := map[string][]pkt{}
	for _, s := range scenarios {
		data, err := os.ReadFile(filepath.Join(dir, s.file))
		if err != nil {
			t.Fatal(err)
		}
		out[s.file] = readCapture(t, data)
	}
	return out
}

func TestScenariosWellFormed(t *testing.T) {
	all := loadAll(t)
	for _, s := range scenarios {
		checkWellFormed(t, s.file, all[s.file])
	}
}

// ---- scenario content ---------------------------------------------------------

type connKey struct {
	c, s   netip.AddrPort
	iface  int
	opened time.Time
}

// conns groups TCP packets into connections started by a SYN.
type tconn struct {
	key                connKey
	start, end         time.Time
	cBytes, sBytes     int
	established        bool
	synAck             bool
	firstFin           string // "client" or "server"
	clientPayload      []byte
	serverPayloadFirst []byte
}

func tcpConns(ps []pkt) []*tconn {
	type tuple struct {
		a, b netip.AddrPort
	}
	open := map[tuple]*tconn{}
	var out []*tconn
	for _, k := range ps {
		tcp := k.tcp()
		if tcp == nil {
			continue
		}
		sa := netip.AddrPortFrom(k.src(), uint16(tcp.SrcPort))
		da := netip.AddrPortFrom(k.dst(), uint16(tcp.DstPort))
		if tcp.SYN && !tcp.ACK {
			c := &tconn{key: connKey{c: sa, s: da, iface: k.iface}, start: k.ts, end: k.ts}
			open[tuple{sa, da}] = c
			out = append(out, c)
			continue
		}
		c, fromClient := open[tuple{sa, da}], true
		if c == nil {
			c, fromClient = open[tuple{da, sa}], false
		}
		if c == nil {
			continue
		}
		c.end = k.ts
		n := len(tcp.Payload)
		if fromClient {
			c.cBytes += n
			if len(c.clientPayload) < 4096 {
				c.clientPayload = append(c.clientPayload, tcp.Payload...)
			}
			if tcp.ACK && c.synAck {
				c.established = true
			}
		} else {
			c.sBytes += n
			if c.serverPayloadFirst == nil && n > 0 {
				c.serverPayloadFirst = tcp.Payload
			}
			if tcp.SYN {
				c.synAck = true
			}
		}
		if tcp.FIN && c.firstFin == "" {
			c.firstFin = map[bool]string{true: "client", false: "server"}[fromClient]
		}
	}
	return out
}

// probedPorts: distinct destination ports of SYNs from src to dst.
func probedPorts(ps []pkt, src, dst string) map[uint16]bool {
	out := map[uint16]bool{}
	for _, k := range ps {
		if tcp := k.tcp(); tcp != nil && tcp.SYN && !tcp.ACK && k.src().String() == src && k.dst().String() == dst {
			out[uint16(tcp.DstPort)] = true
		}
	}
	return out
}

func countPayload(ps []pkt, s string) int {
	n := 0
	for _, k := range ps {
		n += bytes.Count(k.payload(), []byte(s))
	}
	return n
}

func TestScenarioContent(t *testing.T) {
	all := loadAll(t)
	span := func(ps []pkt) time.Duration { return ps[len(ps)-1].ts.Sub(ps[0].ts) }

	t.Run("benign", func(t *testing.T) {
		ps := all["benign.pcap"]
		ports := map[string]map[uint16]bool{}
		for _, k := range ps {
			if tcp := k.tcp(); tcp != nil && tcp.SYN && !tcp.ACK {
				key := k.src().String() + ">" + k.dst().String()
				if ports[key] == nil {
					ports[key] = map[uint16]bool{}
				}
				ports[key][uint16(tcp.DstPort)] = true
			}
		}
		for key, p := range ports {
			if len(p) >= 10 {
				t.Errorf("%s: %d ports", key, len(p))
			}
		}
		if countPayload(ps, "530 ") != 0 || countPayload(ps, "230 Login successful") != 1 {
			t.Error("want one FTP login and no 530")
		}
		for _, c := range tcpConns(ps) {
			if !c.established || c.firstFin == "" {
				t.Errorf("%v: not a complete connection", c.key)
			}
			if c.key.s.Port() == 22 && (c.firstFin != "client" || c.end.Sub(c.start) < 20*time.Second || c.sBytes < 10000) {
				t.Errorf("SSH session %v: closed by %s after %v, %d bytes", c.key, c.firstFin, c.end.Sub(c.start), c.sBytes)
			}
		}
		if countPayload(ps, "HTTP/1.1 200 OK") < 8 {
			t.Error("too few HTTP responses")
		}
	})

	t.Run("portscan", func(t *testing.T) {
		ps := all["portscan.pcap"]
		if n := len(probedPorts(ps, ipPortScanner, "192.168.1.20")); n != 1024 {
			t.Errorf("%d ports probed", n)
		}
		synAcks, rsts := 0, 0
		for _, k := range ps {
			if tcp := k.tcp(); tcp != nil && k.src().String() == "192.168.1.20" && k.dst().String() == ipPortScanner {
				switch {
				case tcp.SYN && tcp.ACK:
					synAcks++
				case tcp.RST && tcp.ACK:
					rsts++
				}
			}
		}
		if synAcks != 3 || rsts != 1021 {
			t.Errorf("%d SYN-ACKs, %d RST-ACKs", synAcks, rsts)
		}
		if d := span(ps); d < 18*time.Second || d > 26*time.Second {
			t.Errorf("span %v", d)
		}
	})

	floods := func(t *testing.T, file string, spoofed bool) {
		ps := all[file]
		syns, synAcks := 0, 0
		srcs := map[netip.Addr]bool{}
		var first, last time.Time
		for _, k := range ps {
			tcp := k.tcp()
			if tcp == nil || k.dst().String() != "192.168.1.10" && k.src().String() != "192.168.1.10" {
				continue
			}
			if tcp.SYN && !tcp.ACK && tcp.Window == 512 {
				syns++
				srcs[k.src()] = true
				if first.IsZero() {
					first = k.ts
				}
				last = k.ts
			}
			if tcp.SYN && tcp.ACK && tcp.DstPort != 80 && k.src().String() == "192.168.1.10" {
				synAcks++
			}
		}
		if syns != 3000 || synAcks < 3000 {
			t.Errorf("%d SYNs, %d SYN-ACKs", syns, synAcks)
		}
		if d := last.Sub(first); d < 2500*time.Millisecond || d > 3500*time.Millisecond {
			t.Errorf("flood lasts %v", d)
		}
		if spoofed && len(srcs) < 2990 || !spoofed && (len(srcs) != 1 || !srcs[netip.MustParseAddr(ipFlooder)]) {
			t.Errorf("%d sources", len(srcs))
		}
		for a := range srcs {
			if !a.IsGlobalUnicast() || a.IsPrivate() {
				t.Errorf("source %v not public", a)
			}
		}
	}
	t.Run("synflood", func(t *testing.T) { floods(t, "synflood.pcap", false) })
	t.Run("synflood-spoofed", func(t *testing.T) { floods(t, "synflood-spoofed.pcap", true) })

	t.Run("arp-poison", func(t *testing.T) {
		ps := all["arp-poison.pcap"]
		claims := map[string]int{}
		forwarded := 0
		for _, k := range ps {
			if a := k.arp(); a != nil && a.Operation == layers.ARPReply && bytes.Equal(a.SourceHwAddress, mustMAC(macARPAttack)) {
				claims[netip.AddrFrom4([4]byte(a.SourceProtAddress)).String()]++
			}
			if e, ok := k.p.LinkLayer().(*layers.Ethernet); ok && k.p.NetworkLayer() != nil && bytes.Equal(e.SrcMAC, mustMAC(macARPAttack)) {
				forwarded++
			}
		}
		if claims["192.168.1.1"] != 20 || claims["192.168.1.30"] != 20 {
			t.Errorf("claims %v", claims)
		}
		if forwarded < 20 {
			t.Errorf("%d forwarded IP packets", forwarded)
		}
	})

	t.Run("bruteforce-ssh", func(t *testing.T) {
		ps := all["bruteforce-ssh.pcap"]
		var brute, good int
		for _, c := range tcpConns(ps) {
			switch c.key.c.Addr().String() {
			case ipSSHBrute:
				brute++
				d := c.end.Sub(c.start)
				if d < 2*time.Second || d > 6*time.Second || c.firstFin != "server" || c.cBytes < 1000 || c.cBytes > 2500 || c.sBytes < 1000 || c.sBytes > 2500 {
					t.Errorf("brute conn %v: %v, closed by %s, %d/%d bytes", c.key.c, d, c.firstFin, c.cBytes, c.sBytes)
				}
				if !bytes.HasPrefix(c.serverPayloadFirst, []byte("SSH-2.0-")) || !bytes.HasPrefix(c.clientPayload, []byte("SSH-2.0-")) {
					t.Errorf("brute conn %v: no banners", c.key.c)
				}
			case "192.168.1.50":
				good++
				if c.firstFin != "client" || c.cBytes+c.sBytes < 200_000 || c.end.Sub(c.start) < time.Minute {
					t.Errorf("admin session: closed by %s, %d bytes, %v", c.firstFin, c.cBytes+c.sBytes, c.end.Sub(c.start))
				}
			}
		}
		if brute != 12 || good != 1 {
			t.Errorf("%d brute force connections, %d admin sessions", brute, good)
		}
		if d := span(ps); d < 100*time.Second || d > 150*time.Second {
			t.Errorf("span %v", d)
		}
	})

	t.Run("bruteforce-ftp", func(t *testing.T) {
		ps := all["bruteforce-ftp.pcap"]
		if n := countPayload(ps, "530 Login incorrect."); n != 25 {
			t.Errorf("%d 530 replies", n)
		}
		if countPayload(ps, "PASS ") != 25 || countPayload(ps, "220 ") != 9 || countPayload(ps, "221 ") != 1 {
			t.Error("want 25 PASS, 9 banners, 1 goodbye")
		}
	})

	t.Run("scanner-internal", func(t *testing.T) {
		ps := all["scanner-internal.pcap"]
		hosts := map[string]bool{}
		for _, k := range ps {
			if tcp := k.tcp(); tcp != nil && tcp.SYN && !tcp.ACK && k.src().String() == "192.168.1.250" && tcp.DstPort == 3389 {
				hosts[k.dst().String()] = true
			}
		}
		if len(hosts) < 25 {
			t.Errorf("3389 sweep reached %d hosts", len(hosts))
		}
		for _, v := range []string{"192.168.1.10", "192.168.1.22"} {
			if n := len(probedPorts(ps, "192.168.1.250", v)); n < 30 {
				t.Errorf("%s: %d ports", v, n)
			}
		}
		if countPayload(ps, "Nessus") < 3 || countPayload(ps, "Nmap Scripting Engine") < 2 {
			t.Error("missing scanner user agents")
		}
		unreach := 0
		for _, k := range ps {
			if ic, ok := k.p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4); ok && ic.TypeCode == layers.CreateICMPv4TypeCode(3, 3) {
				q := gopacket.NewPacket(ic.Payload, layers.LayerTypeIPv4, gopacket.Default)
				if u, ok := q.Layer(layers.LayerTypeUDP).(*layers.UDP); !ok || q.NetworkLayer().NetworkFlow().Src().String() != "192.168.1.250" || u.SrcPort != 45129 {
					t.Errorf("bad quoted packet in port unreachable: %v", q)
				}
				unreach++
			}
		}
		if unreach < 5 {
			t.Errorf("%d port unreachables", unreach)
		}

		// It probes, it does not flood or poison: every ARP packet it sends
		// is a request for its own address, and no SYN goes unanswered.
		scannerMAC := mustMAC(macScanner)
		for _, k := range ps {
			if a := k.arp(); a != nil && bytes.Equal(a.SourceHwAddress, scannerMAC) &&
				(a.Operation != layers.ARPRequest || netip.AddrFrom4([4]byte(a.SourceProtAddress)).String() != "192.168.1.250") {
				t.Errorf("scanner sent a suspicious ARP packet: %v", k.p)
			}
		}
		syns, answers := map[netip.AddrPort]int{}, 0
		for _, k := range ps {
			tcp := k.tcp()
			switch {
			case tcp == nil:
			case tcp.SYN && !tcp.ACK && k.src().String() == "192.168.1.250":
				syns[netip.AddrPortFrom(k.dst(), uint16(tcp.DstPort))]++
			case k.dst().String() == "192.168.1.250" && tcp.ACK && (tcp.SYN || tcp.RST):
				answers++
			}
		}
		total := 0
		for _, n := range syns {
			total += n
		}
		if total != answers || total > 400 {
			t.Errorf("%d SYNs, %d SYN-ACK/RST-ACK answers", total, answers)
		}
		if n := len(probedPorts(ps, "192.168.1.250", "192.168.1.21")); n != 5 { // sweep 21/22/80/443/3389
			t.Errorf("192.168.1.21: %d ports", n)
		}

		// Default FTP credentials: 22 refused attempts in 8 connections to
		// .21:21, at most 3 each, 2-4 at a time, each closed by the server.
		if countPayload(ps, "530 Login incorrect.") != 22 || countPayload(ps, "PASS ") != 22 || countPayload(ps, "USER ") != 22 ||
			countPayload(ps, "220 (vsFTPd") != 8 || countPayload(ps, "221 Goodbye.") != 1 || countPayload(ps, "USER anonymous") != 1 {
			t.Error("want 22 USER/PASS refused with 530 in 8 sessions, one anonymous, one QUIT")
		}
		var ftp, grabs []*tconn
		for _, c := range tcpConns(ps) {
			if c.key.c.Addr().String() != "192.168.1.250" {
				continue
			}
			switch {
			case c.key.s.String() == "192.168.1.21:21" && c.established:
				ftp = append(ftp, c)
				if n := bytes.Count(c.clientPayload, []byte("PASS ")); n < 1 || n > 3 || c.firstFin != "server" {
					t.Errorf("FTP %v: %d attempts, closed by %s", c.key.c, n, c.firstFin)
				}
			case c.key.s.Port() == 22 && c.cBytes == 0 && bytes.HasPrefix(c.serverPayloadFirst, []byte("SSH-2.0-")):
				grabs = append(grabs, c)
				if c.firstFin != "client" {
					t.Errorf("banner grab %v closed by %s", c.key.s, c.firstFin)
				}
			}
		}
		if len(ftp) != 8 || len(grabs) != 3 {
			t.Fatalf("%d FTP connections, %d SSH banner grabs", len(ftp), len(grabs))
		}
		most, last := 0, ftp[0].end
		for _, a := range ftp {
			if a.end.After(last) {
				last = a.end
			}
			n := 0
			for _, b := range ftp {
				if !b.start.After(a.start) && b.end.After(a.start) {
					n++
				}
			}
			most = max(most, n)
		}
		if most < 2 || most > 4 {
			t.Errorf("%d FTP connections at a time", most)
		}
		if d := last.Sub(ftp[0].start); d < 4*time.Second || d > 10*time.Second {
			t.Errorf("FTP checks last %v", d)
		}
		if d := span(ps); d < 8*time.Second || d > 20*time.Second {
			t.Errorf("span %v", d)
		}
		size := 24
		for _, k := range ps {
			size += 16 + len(k.p.Data())
		}
		if size > 150_000 {
			t.Errorf("%d bytes", size)
		}
	})

	t.Run("guest-vm", func(t *testing.T) {
		ps := all["guest-vm.pcap"]
		macs := map[string]bool{}
		dhcp := 0
		for _, k := range ps {
			if a := k.arp(); a != nil && netip.AddrFrom4([4]byte(a.SourceProtAddress)).String() == "192.168.1.41" {
				macs[net.HardwareAddr(a.SourceHwAddress).String()] = true
			}
			if _, ok := k.p.Layer(layers.LayerTypeDHCPv4).(*layers.DHCPv4); ok {
				dhcp++
			}
		}
		if len(macs) != 2 || !macs[macVMware1] || !macs[macVMware2] {
			t.Errorf("192.168.1.41 bound to %v", macs)
		}
		if dhcp != 13 {
			t.Errorf("%d DHCP messages", dhcp)
		}
	})

	t.Run("mixed", func(t *testing.T) {
		ps := all["mixed.pcapng"]
		per := map[int]int{}
		for _, k := range ps {
			per[k.iface]++
			if k.iface == 1 && k.link != layers.LinkTypeLinuxSLL || k.iface == 0 && k.link != layers.LinkTypeEthernet {
				t.Fatalf("iface %d has link type %v", k.iface, k.link)
			}
		}
		if per[0] < 100 || per[1] < 50 {
			t.Errorf("packets per interface %v", per)
		}
		scan := 0
		for _, k := range ps {
			if tcp := k.tcp(); tcp != nil && tcp.SYN && !tcp.ACK && k.src().String() == ipPortScanner {
				if k.iface != 0 {
					t.Error("scan on interface 1")
				}
				scan++
			}
		}
		if scan != 100 {
			t.Errorf("%d scan probes", scan)
		}
	})

	t.Run("vlan", func(t *testing.T) {
		ps := all["vlan.pcap"]
		for i, k := range ps {
			q, ok := k.p.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q)
			if !ok || q.VLANIdentifier != 100 {
				t.Fatalf("packet %d not tagged with VLAN 100", i+1)
			}
		}
		if n := len(probedPorts(ps, ipPortScanner, "192.168.1.20")); n != 100 {
			t.Errorf("%d ports", n)
		}
	})

	t.Run("ipv6-scan", func(t *testing.T) {
		ps := all["ipv6-scan.pcap"]
		if n := len(probedPorts(ps, "2001:db8:66::1", "2001:db8:1::20")); n < 30 {
			t.Errorf("%d ports", n)
		}
		var ns, na int
		for _, k := range ps {
			if _, ok := k.p.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation); ok {
				ns++
			}
			if _, ok := k.p.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement); ok {
				na++
			}
		}
		if ns == 0 || na == 0 {
			t.Errorf("%d NS, %d NA", ns, na)
		}
	})

	t.Run("split-scan", func(t *testing.T) {
		p1 := probedPorts(all["scan-part1.pcap"], ipSplitScanner, "192.168.1.20")
		p2 := probedPorts(all["scan-part2.pcap"], ipSplitScanner, "192.168.1.20")
		union := map[uint16]bool{}
		for p := range p1 {
			union[p] = true
		}
		for p := range p2 {
			union[p] = true
		}
		if len(p1) != 10 || len(p2) != 12 || len(union) != 22 {
			t.Errorf("part1 %d, part2 %d, together %d ports", len(p1), len(p2), len(union))
		}
		a, b := all["scan-part1.pcap"], all["scan-part2.pcap"]
		if !a[len(a)-1].ts.Before(b[0].ts) || a[len(a)-1].ts.Sub(a[0].ts) > 20*time.Second || b[len(b)-1].ts.Sub(a[0].ts) > 41*time.Second {
			t.Error("parts do not follow each other within 40 s")
		}
	})

	t.Run("slowscan", func(t *testing.T) {
		ps := all["slowscan.pcap"]
		if n := len(probedPorts(ps, ipSlowScanner, "192.168.1.20")); n != 10 {
			t.Errorf("%d ports", n)
		}
		if d := span(ps); d < 4*time.Minute+30*time.Second || d > 6*time.Minute {
			t.Errorf("span %v", d)
		}
	})

	t.Run("bruteforce-success", func(t *testing.T) {
		// ten refused SSH connections, then one session
		cs := tcpConns(all["bruteforce-success.pcap"])
		if len(cs) != 11 {
			t.Fatalf("%d connections, want 11", len(cs))
		}
		for i, c := range cs {
			if c.key.c.Addr().String() != ipCompromised || c.key.s.String() != "192.168.1.22:22" || !c.established {
				t.Errorf("connection %d: %v -> %v established %v", i, c.key.c, c.key.s, c.established)
			}
			session := i == len(cs)-1
			if big := c.sBytes > 50000; big != session || (c.end.Sub(c.start) > 30*time.Second) != session {
				t.Errorf("connection %d: %d server bytes over %v; want a session only last", i, c.sBytes, c.end.Sub(c.start))
			}
		}
	})

	t.Run("monitoring", func(t *testing.T) {
		// ten SSH checks of each of three servers, 30 s apart give or take
		// the scheduler's jitter, each a short connection the client closes
		byServer := map[netip.Addr][]*tconn{}
		for _, c := range tcpConns(all["monitoring.pcap"]) {
			if c.key.c.Addr().String() != ipMonitoring || c.key.s.Port() != 22 {
				t.Errorf("unexpected connection %v -> %v", c.key.c, c.key.s)
				continue
			}
			byServer[c.key.s.Addr()] = append(byServer[c.key.s.Addr()], c)
		}
		if len(byServer) != 3 {
			t.Fatalf("%d servers checked, want 3", len(byServer))
		}
		for srv, cs := range byServer {
			if len(cs) != 10 {
				t.Errorf("%v: %d checks, want 10", srv, len(cs))
			}
			for i, c := range cs {
				if !c.established || c.firstFin != "client" || c.end.Sub(c.start) > time.Second || c.sBytes > 100 {
					t.Errorf("%v check %d: established %v, first FIN %s, %v long, %d server bytes",
						srv, i, c.established, c.firstFin, c.end.Sub(c.start), c.sBytes)
				}
				if i > 0 {
					if gap := c.start.Sub(cs[i-1].start); gap < 29*time.Second || gap > 31*time.Second {
						t.Errorf("%v: check %d %v after the previous, want 30 s", srv, i, gap)
					}
				}
			}
		}
	})
}

// ---- bench ---------------------------------------------------------------------

func TestBench(t *testing.T) {
	const size = 2 << 20
	var a, b bytes.Buffer
	st, err := writeBench(&a, size, defaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeBench(&b, size, defaultSeed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("bench output differs between runs")
	}
	if a.Len() < size || int64(a.Len()) != st.bytes {
		t.Fatalf("wrote %d bytes (reported %d), want >= %d", a.Len(), st.bytes, size)
	}
	ps := readCapture(t, a.Bytes())
	if uint64(len(ps)) != st.packets {
		t.Fatalf("read %d packets, reported %d", len(ps), st.packets)
	}
	checkWellFormed(t, "bench", ps)

	flood, poison, dns := 0, 0, 0
	sizes := map[int]bool{}
	for _, k := range ps {
		sizes[len(k.p.Data())/100] = true
		if tcp := k.tcp(); tcp != nil && tcp.SYN && !tcp.ACK && k.src().String() == ipFlooder {
			flood++
		}
		if a := k.arp(); a != nil && a.Operation == layers.ARPReply && bytes.Equal(a.SourceHwAddress, mustMAC(macARPAttack)) {
			poison++
		}
		if _, ok := k.p.Layer(layers.LayerTypeDNS).(*layers.DNS); ok {
			dns++
		}
	}
	if n := len(probedPorts(ps, ipPortScanner, "192.168.1.20")); n != 1024 {
		t.Errorf("scan probed %d ports", n)
	}
	if flood != floodCount || poison != 2*poisonRound || dns == 0 {
		t.Errorf("flood %d SYNs, %d poisoning replies, %d DNS", flood, poison, dns)
	}
	brute, benign, closed := 0, 0, 0
	for _, c := range tcpConns(ps) {
		switch {
		case c.key.c.Addr().String() == ipSSHBrute:
			brute++
			if c.firstFin != "server" || !bytes.HasPrefix(c.clientPayload, []byte("SSH-2.0-")) {
				t.Errorf("brute force connection %v closed by %q", c.key.c, c.firstFin)
			}
		case c.key.c.Addr().String() == ipFlooder || c.key.c.Addr().String() == ipPortScanner:
		default:
			benign++
			if c.established && c.firstFin == "client" {
				closed++
			}
		}
	}
	// A 2 MiB file ends while most of its benign flows are still open.
	if brute != bruteConns || benign < benchSlots || closed < 1 {
		t.Errorf("%d brute force, %d benign connections (%d closed)", brute, benign, closed)
	}
	if len(sizes) < 10 {
		t.Errorf("frame sizes not varied: %v", sizes)
	}
}

func TestBenchSynFlood(t *testing.T) {
	var a, b bytes.Buffer
	st, err := writeSynFlood(&a, 20000, defaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeSynFlood(&b, 20000, defaultSeed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("output differs between runs")
	}
	ps := readCapture(t, a.Bytes())
	if len(ps) != 20000 || st.packets != 20000 {
		t.Fatalf("%d packets", len(ps))
	}
	checkWellFormed(t, "synflood", ps)
	srcs := map[netip.Addr]bool{}
	for _, k := range ps {
		tcp := k.tcp()
		if tcp == nil || !tcp.SYN || tcp.ACK || k.dst().String() != "192.168.1.10" || tcp.DstPort != 80 {
			t.Fatalf("not a SYN to 192.168.1.10:80: %v", k.p)
		}
		srcs[k.src()] = true
	}
	if len(srcs) < 19900 {
		t.Errorf("%d distinct sources", len(srcs))
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"300MB": 300 << 20, "1GB": 1 << 30, "2mb": 2 << 20, "512KiB": 512 << 10, "1.5G": 3 << 29, "4096": 4096,
	} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "abc", "0"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func TestRunFlags(t *testing.T) {
	dir := t.TempDir()
	var stderr strings.Builder
	if err := run([]string{"-out", dir, "-only", "slowscan.pcap,scan-part1.pcap"}, &stderr); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("wrote %d files", len(ents))
	}
	if err := run([]string{"-out", dir, "-only", "nope.pcap"}, io.Discard); err == nil {
		t.Error("unknown scenario accepted")
	}
	if err := run(nil, io.Discard); err == nil {
		t.Error("no action accepted")
	}
	f := filepath.Join(dir, "b.pcap")
	stderr.Reset()
	if err := run([]string{"-bench", f, "-size", "256KB"}, &stderr); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(f); err != nil || fi.Size() < 256<<10 || !strings.Contains(stderr.String(), "packets") {
		t.Errorf("bench file %v %v, stderr %q", fi, err, stderr.String())
	}
}
