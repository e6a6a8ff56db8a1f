package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// The bench capture is a discrete-event simulation: every packet is an
// event in a time-ordered heap. Frames are not serialized with gopacket one
// by one; a few templates are serialized once and then copied and patched
// (addresses, ports, sequence numbers, lengths, checksums).

// Template kinds.
const (
	tmplTCP    = iota // Ethernet + IPv4 + TCP, no options (54 bytes)
	tmplSYN           // TCP with MSS, NOP, WS, NOP, NOP, SACK-permitted (66 bytes)
	tmplSYNMSS        // TCP with MSS only, as nmap sends (58 bytes)
	tmplUDP           // Ethernet + IPv4 + UDP (42 bytes)
	tmplARP           // Ethernet + ARP (42 bytes, padded to 60)
	numTmpl
)

type bhost struct {
	ip   [4]byte
	mac  [6]byte // its MAC, or the gateway's when beyond it
	ttl  uint8
	dist int64 // one-way delay from the capture point, µs
	ipid uint16
	port uint16 // next ephemeral port
}

func (g *benchGen) newHost(ip [4]byte, mac net.HardwareAddr, ttl uint8, dist int64) *bhost {
	h := &bhost{ip: ip, ttl: ttl, dist: dist, ipid: uint16(g.rng.Uint32()), port: uint16(32768 + g.rng.IntN(20000))}
	copy(h.mac[:], mac)
	return h
}

func (h *bhost) ephemeral() uint16 {
	p := h.port
	h.port++
	if h.port > 60999 {
		h.port = 32768
	}
	return p
}

// Event kinds.
const (
	evFlow = iota
	evAck
	evDNSQuery
	evDNSAnswer
	evARP
	evARPReply
	evScanProbe
	evScanReply
	evScanRst
	evFlood
	evFloodReply
	evPoison
	evPoison2
	evBruteStart
)

type event struct {
	t    int64 // µs
	seq  uint64
	kind uint8
	id   int32
	a, b uint32
}

type eventHeap []event

func (h eventHeap) less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].seq < h[j].seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// bmsg is one application message of a scripted flow.
type bmsg struct {
	side  uint8
	n     int
	text  []byte // literal payload; nil means bytes from the random pool
	think int64  // µs between the previous message arriving and this one starting
}

// Flow states.
const (
	fsSyn = iota
	fsSynAck
	fsAck
	fsData
	fsFin1
	fsFin2
	fsLastAck
	fsDone
)

type bflow struct {
	h       [2]*bhost
	port    [2]uint16
	seq     [2]uint32
	mss     int
	script  []bmsg
	mi      int // current message
	left    int // bytes of it still to send
	state   uint8
	flight  int
	unacked int
	closer  uint8
	slot    bool // a benign slot that starts a new flow when done
	attack  bool
}

type benchGen struct {
	rng    *rand.Rand
	w      *pcapgo.Writer
	frame  [2048]byte
	tmpl   [numTmpl][]byte
	pool   []byte
	now    int64
	last   int64 // time of the latest packet written
	seq    uint64
	ev     eventHeap
	pkts   uint64
	bytes  int64
	target int64
	drain  bool   // target reached: only attack events still run
	mss    uint16 // MSS option of tmplSYN segments

	gw, scanVictim, web, ssh, arpVictim *bhost
	clients, servers                    []*bhost
	favorites                           [][]int
	flows                               []*bflow
	dnsNames                            [][2][]byte // query and answer payloads
	started                             [4]bool
	scanPorts                           []uint16
	scanner, flooder, bruter, poisoner  *bhost
	bruteScript                         func() []bmsg
}

// benchStats is what a bench run reports.
type benchStats struct {
	packets uint64
	bytes   int64
	span    time.Duration
}

func writeBenchFile(path string, size int64, seed uint64, stderr io.Writer) error {
	return writeStatsFile(path, stderr, func(w io.Writer) (benchStats, error) { return writeBench(w, size, seed) })
}

// writeStatsFile creates path, fills it with write and says on stderr what
// it wrote.
func writeStatsFile(path string, stderr io.Writer, write func(io.Writer) (benchStats, error)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	start := time.Now()
	st, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "pcapgen: wrote %s: %d packets, %d bytes, %s of capture time, in %s\n",
		path, st.packets, st.bytes, fmtDur(st.span), fmtDur(time.Since(start)))
	return nil
}

const benchSlots = 32

// writeBench writes a bench capture of at least size bytes to w.
func writeBench(w io.Writer, size int64, seed uint64) (benchStats, error) {
	bw := bufio.NewWriterSize(w, 4<<20)
	g := &benchGen{rng: rand.New(rand.NewPCG(seed, 0xbe4c4)), target: size, mss: 1460}
	g.w = pcapgo.NewWriter(bw)
	if err := g.w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		return benchStats{}, err
	}
	g.bytes = 24
	g.setup()
	for len(g.ev) > 0 {
		e := g.ev.pop()
		g.now = e.t
		if err := g.handle(e); err != nil {
			return benchStats{}, err
		}
		// Once the size is reached benign events stop rescheduling and
		// the heap drains with the attack episodes still under way.
		if !g.drain {
			g.checkAttacks()
			if g.bytes >= g.target {
				g.drain = true
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return benchStats{}, err
	}
	return benchStats{packets: g.pkts, bytes: g.bytes, span: time.Duration(g.last) * time.Microsecond}, nil
}

func (g *benchGen) schedule(t int64, kind uint8, id int32, a, b uint32) {
	g.seq++
	g.ev.push(event{t: t, seq: g.seq, kind: kind, id: id, a: a, b: b})
}

func (g *benchGen) between(lo, hi int64) int64 { return lo + g.rng.Int64N(hi-lo+1) }

func ip4(a, b, c, d byte) [4]byte { return [4]byte{a, b, c, d} }

func (g *benchGen) setup() {
	g.buildTemplates()
	g.pool = make([]byte, 1<<18)
	for i := 0; i < len(g.pool); i += 8 {
		binary.LittleEndian.PutUint64(g.pool[i:], g.rng.Uint64())
	}
	g.gw = g.newHost(ip4(192, 168, 1, 1), gatewayMAC, 64, 80)
	g.web = g.newHost(ip4(192, 168, 1, 10), mustMAC(macWebServer), 64, 90)
	g.scanVictim = g.newHost(ip4(192, 168, 1, 20), mustMAC(macScanVictim), 64, 70)
	g.ssh = g.newHost(ip4(192, 168, 1, 22), mustMAC(macSSHServer), 64, 60)
	g.arpVictim = g.newHost(ip4(192, 168, 1, 30), mustMAC(macARPVictim), 128, 110)
	ouis := [][3]byte{{0xf8, 0xbc, 0x12}, {0xb8, 0xca, 0x3a}, {0x3c, 0xfd, 0xfe}, {0x00, 0x1b, 0x21}, {0x8c, 0xec, 0x4b}}
	for i := range 80 {
		o := ouis[i%len(ouis)]
		mac := net.HardwareAddr{o[0], o[1], o[2], 0x60, byte(i * 37), byte(100 + i)}
		ttl := uint8(64)
		if i%2 == 0 {
			ttl = 128
		}
		g.clients = append(g.clients, g.newHost(ip4(192, 168, 1, byte(100+i)), mac, ttl, g.between(40, 200)))
	}
	g.clients = append(g.clients, g.arpVictim)
	for i := range 40 {
		ip := ip4(203, 0, 113, byte(100+i))
		if i%2 == 1 {
			ip = ip4(198, 51, 100, byte(100+i))
		}
		g.servers = append(g.servers, g.newHost(ip, gatewayMAC, uint8(48+g.rng.IntN(12)), g.between(4*msec, 45*msec)))
	}
	g.servers = append(g.servers, g.web) // internal web server, port 80
	for ci := range g.clients {
		var fav []int
		for k := range 5 {
			fav = append(fav, (ci*7+k*3)%(len(g.servers)-1))
		}
		fav = append(fav, len(g.servers)-1)
		g.favorites = append(g.favorites, fav)
	}
	g.scanner = g.newHost(ip4(203, 0, 113, 66), gatewayMAC, 44, 35*msec)
	g.flooder = g.newHost(ip4(198, 51, 100, 23), gatewayMAC, 51, 22*msec)
	g.bruter = g.newHost(ip4(203, 0, 113, 77), gatewayMAC, 46, 41*msec)
	g.poisoner = g.newHost(ip4(192, 168, 1, 66), mustMAC(macARPAttack), 64, 90)
	g.buildDNS()

	for i := range benchSlots {
		f := &bflow{slot: true}
		g.flows = append(g.flows, f)
		g.newWebFlow(f)
		g.schedule(g.between(0, 300*msec), evFlow, int32(i), 0, 0)
	}
	g.schedule(g.between(0, 50*msec), evDNSQuery, 0, 0, 0)
	g.schedule(g.between(0, 500*msec), evARP, 0, 0, 0)
}

func (g *benchGen) handle(e event) error {
	switch e.kind {
	case evFlow:
		return g.stepFlow(e.id)
	case evAck:
		f := g.flows[e.id]
		if g.drain && !f.attack {
			return nil
		}
		s := int(e.a)
		return g.tcp(tmplTCP, f.h[s], f.h[1-s], f.port[s], f.port[1-s], f.seq[s], e.b, fACK, 1026, nil)
	case evDNSQuery:
		if g.drain {
			return nil
		}
		c := g.clients[g.rng.IntN(len(g.clients))]
		name := g.rng.IntN(len(g.dnsNames))
		id := uint16(g.rng.Uint32())
		sport := c.ephemeral()
		p := g.dnsNames[name][0]
		binary.BigEndian.PutUint16(p, id)
		g.schedule(g.now+g.between(5*msec, 80*msec), evDNSQuery, 0, 0, 0)
		g.schedule(g.now+g.resp(g.gw)+g.between(200, 15*msec), evDNSAnswer, int32(name), uint32(g.clientIndex(c)), uint32(sport)|uint32(id)<<16)
		return g.udp(c, g.gw, sport, 53, p)
	case evDNSAnswer:
		if g.drain {
			return nil
		}
		c := g.clients[e.a]
		p := g.dnsNames[e.id][1]
		binary.BigEndian.PutUint16(p, uint16(e.b>>16))
		return g.udp(g.gw, c, 53, uint16(e.b), p)
	case evARP:
		if g.drain {
			return nil
		}
		c := g.clients[g.rng.IntN(len(g.clients))]
		g.schedule(g.now+g.between(200*msec, 1500*msec), evARP, 0, 0, 0)
		from, to := c, g.gw
		if g.rng.IntN(2) == 0 {
			from, to = g.gw, c
		}
		g.schedule(g.now+from.dist+to.dist+g.between(20, 100), evARPReply, 0, uint32(g.clientIndex(c)), uint32(b2i(from == g.gw)))
		return g.arp(from.mac, [6]byte(broadcast), 1, from.mac, from.ip, [6]byte{}, to.ip)
	case evARPReply:
		if g.drain {
			return nil
		}
		c := g.clients[e.a]
		from, to := g.gw, c // the gateway answers a client's request
		if e.b == 1 {
			from, to = c, g.gw
		}
		return g.arp(from.mac, to.mac, 2, from.mac, from.ip, to.mac, to.ip)
	case evScanProbe:
		i := int(e.a)
		port := g.scanPorts[i]
		seq := g.rng.Uint32()
		g.scanner.ipid = uint16(g.rng.Uint32())
		open := uint32(0)
		if port == 22 || port == 80 || port == 443 {
			open = 1
		}
		g.schedule(g.now+g.resp(g.scanVictim), evScanReply, 0, uint32(port)|open<<16, seq)
		if i+1 < scanCount {
			g.schedule(g.now+g.between(1*msec, 3*msec), evScanProbe, 0, uint32(i+1), 0)
		}
		return g.tcp(tmplSYNMSS, g.scanner, g.scanVictim, 61772, port, seq, 0, fSYN, 1024, nil)
	case evScanReply:
		port := uint16(e.a)
		if e.a>>16 == 1 {
			g.schedule(g.now+g.resp(g.scanner), evScanRst, 0, uint32(port), e.b)
			return g.tcp(tmplSYN, g.scanVictim, g.scanner, port, 61772, g.rng.Uint32(), e.b+1, fSYN|fACK, 64240, nil)
		}
		return g.tcp(tmplTCP, g.scanVictim, g.scanner, port, 61772, 0, e.b+1, fRST|fACK, 0, nil)
	case evScanRst:
		return g.tcp(tmplTCP, g.scanner, g.scanVictim, 61772, uint16(e.a), e.b+1, 0, fRST, 0, nil)
	case evFlood:
		i := int(e.a)
		sport := uint16(1024 + g.rng.IntN(64512))
		seq := g.rng.Uint32()
		g.flooder.ipid = uint16(g.rng.Uint32())
		g.schedule(g.now+g.resp(g.web), evFloodReply, 0, uint32(sport), seq)
		if i+1 < floodCount {
			g.schedule(g.now+g.between(250, 1750), evFlood, 0, uint32(i+1), 0)
		}
		return g.tcp(tmplTCP, g.flooder, g.web, sport, 80, seq, 0, fSYN, 512, nil)
	case evFloodReply:
		return g.tcp(tmplSYNMSS, g.web, g.flooder, 80, uint16(e.a), g.rng.Uint32(), e.b+1, fSYN|fACK, 64240, nil)
	case evPoison:
		i := int(e.a)
		p, v, gw := g.poisoner, g.arpVictim, g.gw
		if i+1 < poisonRound {
			g.schedule(g.now+2*sec+g.between(0, 3*msec), evPoison, 0, uint32(i+1), 0)
		}
		g.schedule(g.now+g.between(100, 600), evPoison2, 0, 0, 0)
		// "192.168.1.1 is at <attacker>" to the victim.
		return g.arp(p.mac, v.mac, 2, p.mac, gw.ip, v.mac, v.ip)
	case evPoison2:
		// "192.168.1.30 is at <attacker>" to the gateway.
		p, v, gw := g.poisoner, g.arpVictim, g.gw
		return g.arp(p.mac, gw.mac, 2, p.mac, v.ip, gw.mac, gw.ip)
	case evBruteStart:
		i := int(e.a)
		f := g.bruteFlow()
		g.flows = append(g.flows, f)
		g.schedule(g.now, evFlow, int32(len(g.flows)-1), 0, 0)
		if i+1 < bruteConns {
			g.schedule(g.now+g.between(2500*msec, 3500*msec), evBruteStart, 0, uint32(i+1), 0)
		}
	}
	return nil
}

func (g *benchGen) clientIndex(h *bhost) int {
	for i, c := range g.clients {
		if c == h {
			return i
		}
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- SYN flood for memory tests ------------------------------------------------

// writeSynFloodFile writes n SYNs from random spoofed public sources to
// 192.168.1.10:80, 20 µs apart.
func writeSynFloodFile(path string, n int64, seed uint64, stderr io.Writer) error {
	return writeStatsFile(path, stderr, func(w io.Writer) (benchStats, error) { return writeSynFlood(w, n, seed) })
}

func writeSynFlood(w io.Writer, n int64, seed uint64) (benchStats, error) {
	return writeBenchStream(w, seed, 0x5f100d, func(g *benchGen) error {
		victim := g.newHost(ip4(192, 168, 1, 10), mustMAC(macWebServer), 64, 90)
		src := &bhost{mac: [6]byte(gatewayMAC)}
		c := &capture{rng: g.rng}
		for i := range n {
			g.now = 1*sec + i*20
			a := c.publicIPv4().As4()
			src.ip = a
			src.ttl = uint8(40 + g.rng.IntN(24))
			src.ipid = uint16(g.rng.Uint32())
			if err := g.tcp(tmplTCP, src, victim, uint16(1024+g.rng.IntN(64512)), 80, g.rng.Uint32(), 0, fSYN, 512, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeBenchStream writes an Ethernet pcap to w whose packets body makes
// with a generator seeded by seed and stream, and returns its figures.
func writeBenchStream(w io.Writer, seed, stream uint64, body func(*benchGen) error) (benchStats, error) {
	bw := bufio.NewWriterSize(w, 4<<20)
	g := &benchGen{rng: rand.New(rand.NewPCG(seed, stream))}
	g.w = pcapgo.NewWriter(bw)
	if err := g.w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		return benchStats{}, err
	}
	g.bytes = 24
	g.buildTemplates()
	if err := body(g); err != nil {
		return benchStats{}, err
	}
	if err := bw.Flush(); err != nil {
		return benchStats{}, err
	}
	return benchStats{packets: g.pkts, bytes: g.bytes, span: time.Duration(g.last) * time.Microsecond}, nil
}
