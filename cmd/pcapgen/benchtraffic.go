package main

import (
	"net"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// The bench capture's conversations: benign web and DNS traffic, and the
// attack episodes mixed into it. Each flow is a script of messages the
// event loop in bench.go steps through.

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
