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

	"github.com/google/gopacket"
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

// ---- templates and frame patching -------------------------------------------

func (g *benchGen) buildTemplates() {
	ser := func(ls ...gopacket.SerializableLayer) []byte {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
			panic(err)
		}
		return append([]byte(nil), buf.Bytes()...)
	}
	eth := func(t layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: gatewayMAC, DstMAC: gatewayMAC, EthernetType: t}
	}
	ip := func(p layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: p, Flags: layers.IPv4DontFragment,
			SrcIP: net.IPv4(192, 168, 1, 1), DstIP: net.IPv4(192, 168, 1, 2)}
	}
	tcp := func(opts []layers.TCPOption) []byte {
		i := ip(layers.IPProtocolTCP)
		t := &layers.TCP{SrcPort: 1, DstPort: 2, Window: 64240, Options: opts}
		t.SetNetworkLayerForChecksum(i)
		b := ser(eth(layers.EthernetTypeIPv4), i, t)
		n := 14 + 20 + int(b[14+20+12]>>4)*4
		return b[:n] // drop Ethernet padding
	}
	g.tmpl[tmplTCP] = tcp(nil)
	g.tmpl[tmplSYN] = tcp(synOptions(1460))
	g.tmpl[tmplSYNMSS] = tcp([]layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}})
	ui := ip(layers.IPProtocolUDP)
	ui.Flags = 0
	u := &layers.UDP{SrcPort: 1, DstPort: 2}
	u.SetNetworkLayerForChecksum(ui)
	g.tmpl[tmplUDP] = ser(eth(layers.EthernetTypeIPv4), ui, u)[:42]
	g.tmpl[tmplARP] = ser(eth(layers.EthernetTypeARP), &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: 1, SourceHwAddress: gatewayMAC, SourceProtAddress: net.IPv4(0, 0, 0, 0).To4(),
		DstHwAddress: zeroMAC, DstProtAddress: net.IPv4(0, 0, 0, 0).To4(),
	})
}

// csumAdd adds b to a ones'-complement running sum.
func csumAdd(s uint64, b []byte) uint64 {
	for len(b) >= 32 {
		v0 := binary.BigEndian.Uint64(b)
		v1 := binary.BigEndian.Uint64(b[8:])
		v2 := binary.BigEndian.Uint64(b[16:])
		v3 := binary.BigEndian.Uint64(b[24:])
		s += v0>>32 + v0&0xffffffff + v1>>32 + v1&0xffffffff + v2>>32 + v2&0xffffffff + v3>>32 + v3&0xffffffff
		b = b[32:]
	}
	for len(b) >= 4 {
		s += uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

func csumFold(s uint64) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// ipHeader patches the IPv4 header at f[14:34] and its checksum.
func ipHeader(f []byte, src, dst *bhost, ttl uint8, ipLen int, id uint16) {
	binary.BigEndian.PutUint16(f[16:], uint16(ipLen))
	binary.BigEndian.PutUint16(f[18:], id)
	f[22] = ttl
	copy(f[26:30], src.ip[:])
	copy(f[30:34], dst.ip[:])
	f[24], f[25] = 0, 0
	binary.BigEndian.PutUint16(f[24:], csumFold(csumAdd(0, f[14:34])))
}

// emit writes frame[:n], padded to the Ethernet minimum.
func (g *benchGen) emit(n int) error {
	if n < 60 {
		clear(g.frame[n:60])
		n = 60
	}
	ci := gopacket.CaptureInfo{Timestamp: baseTime.Add(time.Duration(g.now) * time.Microsecond), CaptureLength: n, Length: n}
	g.pkts++
	g.last = g.now
	g.bytes += 16 + int64(n)
	return g.w.WritePacket(ci, g.frame[:n])
}

// tcp writes one TCP segment built from a template.
func (g *benchGen) tcp(kind int, src, dst *bhost, sport, dport uint16, seq, ack uint32, flags uint8, win uint16, payload []byte) error {
	f := g.frame[:]
	t := g.tmpl[kind]
	copy(f, t)
	hl := len(t)
	if kind == tmplSYN {
		binary.BigEndian.PutUint16(f[56:], g.mss)
	}
	copy(f[0:6], dst.mac[:])
	copy(f[6:12], src.mac[:])
	n := hl + len(payload)
	copy(f[hl:], payload)
	ipHeader(f, src, dst, src.ttl, n-14, src.ipid)
	src.ipid++
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], dport)
	binary.BigEndian.PutUint32(f[38:], seq)
	binary.BigEndian.PutUint32(f[42:], ack)
	f[47] = flags
	binary.BigEndian.PutUint16(f[48:], win)
	f[50], f[51] = 0, 0
	s := csumAdd(0, f[26:34]) + 6 + uint64(n-34)
	binary.BigEndian.PutUint16(f[50:], csumFold(csumAdd(s, f[34:n])))
	return g.emit(n)
}

// udp writes one UDP datagram.
func (g *benchGen) udp(src, dst *bhost, sport, dport uint16, payload []byte) error {
	f := g.frame[:]
	copy(f, g.tmpl[tmplUDP])
	copy(f[0:6], dst.mac[:])
	copy(f[6:12], src.mac[:])
	n := 42 + len(payload)
	copy(f[42:], payload)
	ipHeader(f, src, dst, src.ttl, n-14, src.ipid)
	src.ipid++
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], dport)
	binary.BigEndian.PutUint16(f[38:], uint16(n-34))
	f[40], f[41] = 0, 0
	s := csumAdd(0, f[26:34]) + 17 + uint64(n-34)
	c := csumFold(csumAdd(s, f[34:n]))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(f[40:], c)
	return g.emit(n)
}

// arp writes one ARP packet.
func (g *benchGen) arp(ethSrc, ethDst [6]byte, op uint16, sha [6]byte, spa [4]byte, tha [6]byte, tpa [4]byte) error {
	f := g.frame[:]
	copy(f, g.tmpl[tmplARP])
	copy(f[0:6], ethDst[:])
	copy(f[6:12], ethSrc[:])
	binary.BigEndian.PutUint16(f[20:], op)
	copy(f[22:28], sha[:])
	copy(f[28:32], spa[:])
	copy(f[32:38], tha[:])
	copy(f[38:42], tpa[:])
	return g.emit(60)
}

// ---- benign traffic ---------------------------------------------------------------

var benchMSS = []int{1460, 1460, 1460, 1460, 1448, 1400, 1380, 1360, 1250, 536}

var httpReq = []byte("GET /assets/app.js HTTP/1.1\r\nHost: intranet.lan\r\nUser-Agent: " + browserUA +
	"\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n\r\n")

// respSize draws a response size: mostly small, sometimes large.
func (g *benchGen) respSize() int {
	switch r := g.rng.IntN(100); {
	case r < 60:
		return 300 + g.rng.IntN(20000)
	case r < 92:
		return 20000 + g.rng.IntN(130000)
	default:
		return 150000 + g.rng.IntN(850000)
	}
}

// newWebFlow fills slot f with a new client connection and its script.
func (g *benchGen) newWebFlow(f *bflow) {
	ci := g.rng.IntN(len(g.clients))
	fav := g.favorites[ci]
	server := g.servers[fav[g.rng.IntN(len(fav))]]
	port := uint16(443)
	if server == g.web || g.rng.IntN(10) < 2 {
		port = 80
	}
	cl := g.clients[ci]
	*f = bflow{
		h: [2]*bhost{cl, server}, port: [2]uint16{cl.ephemeral(), port},
		seq: [2]uint32{g.rng.Uint32(), g.rng.Uint32()}, mss: benchMSS[g.rng.IntN(len(benchMSS))],
		script: f.script[:0], slot: true, closer: cli,
	}
	if port == 443 {
		f.script = append(f.script, bmsg{side: cli, n: 517, think: 100}, bmsg{side: srv, n: 2500 + g.rng.IntN(2500), think: 2 * msec},
			bmsg{side: cli, n: 64 + g.rng.IntN(30), think: 300})
	}
	for i := range 1 + g.rng.IntN(4) {
		think := g.between(50, 2*msec)
		if i > 0 {
			think = g.between(50*msec, 1500*msec)
		}
		req := bmsg{side: cli, n: 200 + g.rng.IntN(1000), think: think}
		if port == 80 {
			req.text, req.n = httpReq, len(httpReq)
		}
		if g.rng.IntN(25) == 0 { // an upload
			req.n = 5000 + g.rng.IntN(120000)
			req.text = nil
		}
		f.script = append(f.script, req, bmsg{side: srv, n: g.respSize(), think: g.between(300, 20*msec)})
	}
}

// seg sends one segment of flow f from side s.
func (g *benchGen) seg(f *bflow, s int, flags uint8, payload []byte) error {
	o := 1 - s
	kind := tmplTCP
	var ack uint32
	if flags&fACK != 0 {
		ack = f.seq[o]
	}
	win := uint16(1026)
	if flags&fSYN != 0 {
		kind = tmplSYN
		win = 64240
	}
	g.mss = uint16(f.mss)
	err := g.tcp(kind, f.h[s], f.h[o], f.port[s], f.port[o], f.seq[s], ack, flags, win, payload)
	g.mss = 1460
	if err != nil {
		return err
	}
	f.seq[s] += uint32(len(payload))
	if flags&(fSYN|fFIN) != 0 {
		f.seq[s]++
	}
	return nil
}

func (g *benchGen) resp(h *bhost) int64 { return 2*h.dist + g.between(15, 90) }

// stepFlow advances flow id by one packet.
func (g *benchGen) stepFlow(id int32) error {
	f := g.flows[id]
	if g.drain && !f.attack {
		return nil
	}
	switch f.state {
	case fsSyn:
		f.state = fsSynAck
		g.schedule(g.now+g.resp(f.h[srv]), evFlow, id, 0, 0)
		return g.seg(f, cli, fSYN, nil)
	case fsSynAck:
		f.state = fsAck
		g.schedule(g.now+g.resp(f.h[cli]), evFlow, id, 0, 0)
		return g.seg(f, srv, fSYN|fACK, nil)
	case fsAck:
		f.state = fsData
		f.mi, f.left = 0, f.script[0].n
		next := g.now + 20 + f.script[0].think
		if f.script[0].side == srv {
			next = g.now + g.resp(f.h[srv]) + f.script[0].think
		}
		g.schedule(next, evFlow, id, 0, 0)
		return g.seg(f, cli, fACK, nil)
	case fsData:
		m := &f.script[f.mi]
		s, o := int(m.side), 1-int(m.side)
		n := min(f.mss, f.left)
		var p []byte
		if m.text != nil {
			off := m.n - f.left
			p = m.text[off : off+n]
		} else {
			off := g.rng.IntN(len(g.pool) - n)
			p = g.pool[off : off+n]
		}
		f.left -= n
		flags := fACK
		if f.left == 0 {
			flags |= fPSH
		}
		if err := g.seg(f, s, flags, p); err != nil {
			return err
		}
		f.unacked++
		if f.unacked == 2 {
			g.schedule(g.now+g.resp(f.h[o]), evAck, id, uint32(o), f.seq[s])
			f.unacked = 0
		}
		if f.left > 0 {
			f.flight++
			next := g.now + gap(n) + g.between(0, 8)
			if f.flight >= 10 {
				next = g.now + g.resp(f.h[o]) + g.resp(f.h[s])
				f.flight = 0
			}
			g.schedule(next, evFlow, id, 0, 0)
			return nil
		}
		f.flight = 0
		f.mi++
		var think int64
		nextSide := int(f.closer)
		if f.mi < len(f.script) {
			think = f.script[f.mi].think
			nextSide = int(f.script[f.mi].side)
			f.left = f.script[f.mi].n
		} else {
			f.state = fsFin1
			think = g.between(50*msec, 800*msec)
			if f.attack {
				think = g.between(100, 600)
			}
		}
		// The receiver's last ACK rides on its next segment (or on its
		// answer to our FIN) if that comes before the delayed-ACK timer,
		// else it goes out on its own.
		if f.unacked > 0 {
			finNext := f.state == fsFin1 && nextSide == s
			if !((nextSide == o || finNext) && think < delayedAck) {
				g.schedule(g.now+g.resp(f.h[o])+delayedAck, evAck, id, uint32(o), f.seq[s])
			}
			f.unacked = 0
		}
		next := g.now + think + g.between(5, 40)
		if nextSide != s {
			next = g.now + g.resp(f.h[nextSide]) + think
		}
		g.schedule(next, evFlow, id, 0, 0)
		return nil
	case fsFin1:
		f.state = fsFin2
		g.schedule(g.now+g.resp(f.h[1-f.closer]), evFlow, id, 0, 0)
		return g.seg(f, int(f.closer), fFIN|fACK, nil)
	case fsFin2:
		f.state = fsLastAck
		g.schedule(g.now+g.resp(f.h[f.closer]), evFlow, id, 0, 0)
		return g.seg(f, 1-int(f.closer), fFIN|fACK, nil)
	case fsLastAck:
		f.state = fsDone
		err := g.seg(f, int(f.closer), fACK, nil)
		if f.slot {
			g.newWebFlow(f)
			g.schedule(g.now+g.between(1*msec, 1200*msec), evFlow, id, 0, 0)
		}
		return err
	}
	return nil
}

var benchDNSNames = []string{"www.example.com", "cdn.example.org", "api.example.net", "mail.example.com",
	"static.example.org", "login.example.net", "update.example.com", "news.example.net",
	"img.example.org", "ntp.example.com", "intranet.lan", "files.example.net"}

func (g *benchGen) buildDNS() {
	for i, name := range benchDNSNames {
		q := []layers.DNSQuestion{{Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}
		ser := func(d *layers.DNS) []byte {
			buf := gopacket.NewSerializeBuffer()
			if err := d.SerializeTo(buf, serializeOpts); err != nil {
				panic(err)
			}
			return append([]byte(nil), buf.Bytes()...)
		}
		server := g.servers[i*3%(len(g.servers)-1)]
		a := &layers.DNS{QR: true, RD: true, RA: true, Questions: q, Answers: []layers.DNSResourceRecord{{
			Name: []byte(name), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300, IP: net.IP(server.ip[:]),
		}}}
		g.dnsNames = append(g.dnsNames, [2][]byte{ser(&layers.DNS{RD: true, Questions: q}), ser(a)})
	}
}

// ---- attacks ---------------------------------------------------------------------

// Attack episodes start when the file reaches these fractions of its size.
var attackAt = [4]float64{0.05, 0.15, 0.25, 0.35}

func (g *benchGen) checkAttacks() {
	for i, frac := range attackAt {
		if g.started[i] || float64(g.bytes) < frac*float64(g.target) {
			continue
		}
		g.started[i] = true
		switch i {
		case 0: // port scan 203.0.113.66 -> 192.168.1.20 ports 1-1024
			g.scanPorts = make([]uint16, 1024)
			for p := range g.scanPorts {
				g.scanPorts[p] = uint16(p + 1)
			}
			g.rng.Shuffle(len(g.scanPorts), func(i, j int) { g.scanPorts[i], g.scanPorts[j] = g.scanPorts[j], g.scanPorts[i] })
			g.schedule(g.now+1, evScanProbe, 0, 0, 0)
		case 1: // SYN flood 198.51.100.23 -> 192.168.1.10:80
			g.schedule(g.now+1, evFlood, 0, 0, 0)
		case 2: // ARP poisoning by 192.168.1.66
			g.schedule(g.now+1, evPoison, 0, 0, 0)
		case 3: // SSH brute force 203.0.113.77 -> 192.168.1.22:22
			g.schedule(g.now+1, evBruteStart, 0, 0, 0)
		}
	}
}

const (
	scanCount   = 1024
	floodCount  = 3000
	poisonRound = 10
	bruteConns  = 12
)

func (g *benchGen) bruteFlow() *bflow {
	f := &bflow{
		h: [2]*bhost{g.bruter, g.ssh}, port: [2]uint16{g.bruter.ephemeral(), 22},
		seq: [2]uint32{g.rng.Uint32(), g.rng.Uint32()}, mss: 1460, closer: srv, attack: true,
	}
	f.script = []bmsg{
		{side: srv, n: 42, text: []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"), think: 2 * msec},
		{side: cli, n: 23, text: []byte("SSH-2.0-libssh_0.10.6\r\n"), think: 500},
		{side: cli, n: 1000 + g.rng.IntN(200), think: 200},
		{side: srv, n: 1080, think: 500},
		{side: cli, n: 48, think: 1 * msec},
		{side: srv, n: 260 + g.rng.IntN(40), think: 2 * msec},
		{side: cli, n: 60, think: 500},
		{side: srv, n: 52, think: 300},
	}
	for range 3 + g.rng.IntN(2) {
		f.script = append(f.script, bmsg{side: cli, n: 84 + 8*g.rng.IntN(4), think: 2 * msec},
			bmsg{side: srv, n: 52, think: g.between(500*msec, 1500*msec)})
	}
	f.script = append(f.script, bmsg{side: srv, n: 84, think: 1 * msec})
	return f
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
	bw := bufio.NewWriterSize(w, 4<<20)
	g := &benchGen{rng: rand.New(rand.NewPCG(seed, 0x5f100d))}
	g.w = pcapgo.NewWriter(bw)
	if err := g.w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		return benchStats{}, err
	}
	g.bytes = 24
	g.buildTemplates()
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
			return benchStats{}, err
		}
	}
	if err := bw.Flush(); err != nil {
		return benchStats{}, err
	}
	return benchStats{packets: g.pkts, bytes: g.bytes, span: time.Duration(g.last) * time.Microsecond}, nil
}
