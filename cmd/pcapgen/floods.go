package main

import (
	"fmt"
	"io"
)

// Alert floods: captures that raise an alert for (nearly) every packet,
// to measure that a run's memory does not grow with its alerts.

// nseUserAgent is the user agent of Nmap's scripting engine, which the
// default pack's sid 9100003 reports.
const nseUserAgent = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"

// writeAlertFloodFile writes flood ("arp" or "nse") of about n packets.
func writeAlertFloodFile(path, flood string, n int64, seed uint64, stderr io.Writer) error {
	var write func(*benchGen, int64) error
	switch flood {
	case "arp":
		write = writeARPFlood
	case "nse":
		write = func(g *benchGen, n int64) error { return writeNSEFlood(g, n, false) }
	case "nse-dist":
		write = func(g *benchGen, n int64) error { return writeNSEFlood(g, n, true) }
	default:
		return fmt.Errorf("-flood %q: want arp, nse or nse-dist", flood)
	}
	return writeStatsFile(path, stderr, func(w io.Writer) (benchStats, error) {
		return writeBenchStream(w, seed, 0xa1e27, func(g *benchGen) error { return write(g, n) })
	})
}

// writeARPFlood writes n gratuitous ARP replies, each from a MAC of its
// own, claiming one of 1,000 addresses of 10.0.0.0/16: every reply moves
// an address to a new MAC.
func writeARPFlood(g *benchGen, n int64) error {
	broadcast := [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for i := range n {
		g.now = 1*sec + i*50
		mac := [6]byte{0x02, byte(i >> 32), byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		k := g.rng.IntN(1000)
		ip := [4]byte{10, 0, byte(k / 250), byte(1 + k%250)}
		if err := g.arp(mac, broadcast, 2, mac, ip, broadcast, ip); err != nil {
			return err
		}
	}
	return nil
}

// writeNSEFlood writes HTTP sessions of four packets (handshake and a
// request carrying the NSE user agent) from 20 internal hosts (or, dist,
// each from a new address of 10.128.0.0/9) to 10,000 servers, until
// about n packets.
func writeNSEFlood(g *benchGen, n int64, dist bool) error {
	var scanners [20]*bhost
	for i := range scanners {
		scanners[i] = g.newHost([4]byte{10, 0, 0, byte(10 + i)}, []byte{0x02, 0, 0, 0, 0, byte(i)}, 64, 50)
	}
	for s := int64(0); s*4 < n; s++ {
		g.now = 1*sec + s*200
		src := scanners[g.rng.IntN(len(scanners))]
		if dist {
			src = g.newHost([4]byte{10, 128 | byte(s>>16), byte(s >> 8), byte(s)}, []byte{0x02, 2, 0, byte(s >> 16), byte(s >> 8), byte(s)}, 64, 50)
		}
		k := g.rng.IntN(10_000)
		dst := &bhost{ip: [4]byte{10, 1, byte(k >> 8), byte(k)}, mac: [6]byte{0x02, 1, 0, 0, byte(k >> 8), byte(k)}, ttl: 64}
		sport := src.ephemeral()
		seq, ack := g.rng.Uint32(), g.rng.Uint32()
		req := []byte(fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: 10.1.%d.%d\r\nUser-Agent: %s\r\nConnection: close\r\n\r\n", s, k>>8, k&0xff, nseUserAgent))
		steps := []func() error{
			func() error { return g.tcp(tmplSYN, src, dst, sport, 80, seq, 0, fSYN, 64240, nil) },
			func() error { return g.tcp(tmplSYN, dst, src, 80, sport, ack, seq+1, fSYN|fACK, 64240, nil) },
			func() error { return g.tcp(tmplTCP, src, dst, sport, 80, seq+1, ack+1, fACK, 502, nil) },
			func() error { return g.tcp(tmplTCP, src, dst, sport, 80, seq+1, ack+1, fACK|fPSH, 502, req) },
		}
		for i, step := range steps {
			g.now += int64(i) * 20
			if err := step(); err != nil {
				return err
			}
		}
	}
	return nil
}
