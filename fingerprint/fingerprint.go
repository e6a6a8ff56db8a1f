// Package fingerprint recognises scanning tools from the shape of their
// packets: nmap's raw SYN probes, service probes and OS-detection probes,
// and the fixed header fields of masscan and ZMap. It never raises an
// alert: the false-positive classifier reads its per-host evidence, after
// the run, to tell an internal scanner from an attacker among hosts that
// fired something.
//
// Each shape is what the tool really sends (see testdata/README.md for the
// captures it was checked on):
//
//   - nmap SYN probes (-sS, and the port scan before -sV or -O): a SYN with
//     window 1024, 2048, 3072 or 4096 and one option, MSS (a 24-byte TCP
//     header), the same source port and sequence number across probes; the
//     scanner's kernel answers a SYN-ACK with a bare RST. (Some embedded
//     stacks, lwIP among them, send a lone MSS too, but from a new port and
//     sequence number each time: the detail line shows which.)
//   - nmap service probes (-sV): a connection's first client payload equal
//     to a probe of nmap-service-probes (GET / HTTP/1.0, \r\n\r\n, its TLS,
//     SMB and RPC probes, ...); NULL probes, connections that take the
//     server's banner and close without sending a byte.
//   - nmap OS detection (-O): the SEQ SYNs (windows 1, 63, 4, 16, 512 with
//     TCP timestamp 0xFFFFFFFF), ECN (SYN|ECE|CWR, window 3), T2-T7 (no
//     flags window 128, SYN|FIN|PSH|URG 256, ACK 1024, SYN 31337, ACK
//     32768, FIN|PSH|URG 65535), IE (echo requests with code 9, or seq 296
//     and 150 zero bytes), U1 (UDP, 300 bytes of 'C').
//   - masscan: a SYN without options whose IP ID is (destination address
//     ^ destination port ^ sequence number) & 0xffff.
//   - ZMap: a SYN without options with IP ID 54321 (a value many
//     hand-written raw-socket tools share: a packet-crafting scanner either
//     way).
//
// The Tracker sees every decoded packet; a packet that cannot be a probe is
// turned away on its flags and protocol in a few nanoseconds, and nothing
// is allocated per packet once its tables hold their steady state.
package fingerprint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
)

// Config bounds the Tracker's state. Zero fields take their defaults.
type Config struct {
	// MaxSources caps the hosts with fingerprint state. A host gets state
	// only when one of its packets has a scanner's shape (or it took a
	// banner and left), so ordinary clients take none; a forged flood of
	// scanner-shaped packets fills the table, and the least recently
	// active host goes first (counted in Evicted). State is kept to the end
	// of the run, as alerts are, since the verdicts are made then. About
	// 700 bytes an entry: the default 4096 is under 3 MB when full.
	MaxSources int `json:"max_sources"`

	// MaxConns caps the TCP handshakes remembered until their first client
	// payload, which is what tells a service probe from the same bytes
	// later in a conversation. Every connection takes one for
	// FirstDataWait; the stalest goes first at the cap (counted), and its
	// first payload is then not checked. About 150 bytes an entry: the
	// default 16384 is about 2.5 MB when full, room for 1,600 new
	// connections a second.
	MaxConns int `json:"max_conns"`

	// FirstDataWait is how long after the handshake a connection's first
	// client payload is still checked. nmap waits up to 6 s for a banner
	// on its NULL probe (totalwaitms 6000 in nmap-service-probes) before
	// sending its next probe on the same connection. Longer: slower probes
	// still count, more handshakes held. Default 10s.
	FirstDataWait packet.Duration `json:"first_data_wait"`

	// MinPackets is how many matching packets a SYN shape (nmap SYN
	// probes, masscan, ZMap) and the service probes (payloads and NULL
	// probes, at least one payload) need before they are evidence. The OS
	// probes need two of their kinds instead, and NULL probes alone need
	// four server ports (a monitoring system checks the same few). Higher:
	// fewer chance matches, scans of one or two ports unnoticed. Default 3.
	MinPackets int `json:"min_packets"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		MaxSources:    4096,
		MaxConns:      16384,
		FirstDataWait: packet.Duration(10 * time.Second),
		MinPackets:    3,
	}
}

// Validate reports every field out of range, naming its json key. Zero is
// allowed everywhere: it means the default.
func (c Config) Validate() error {
	var errs []error
	intIn := func(key string, v, hi int) {
		if v < 0 || v > hi {
			errs = append(errs, fmt.Errorf("%s: %d out of range [1, %d] (0 for the default)", key, v, hi))
		}
	}
	intIn("max_sources", c.MaxSources, 1<<20)
	intIn("max_conns", c.MaxConns, 1<<22)
	intIn("min_packets", c.MinPackets, 1<<16)
	if c.FirstDataWait < 0 || c.FirstDataWait > packet.Duration(10*time.Minute) {
		errs = append(errs, fmt.Errorf("first_data_wait: %s out of range [1ns, 10m] (0 for the default)", c.FirstDataWait))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxSources == 0 {
		c.MaxSources = d.MaxSources
	}
	if c.MaxConns == 0 {
		c.MaxConns = d.MaxConns
	}
	if c.FirstDataWait == 0 {
		c.FirstDataWait = d.FirstDataWait
	}
	if c.MinPackets == 0 {
		c.MinPackets = d.MinPackets
	}
	return c
}

// Class is one kind of fingerprint. Each is an independent line of
// evidence: they come from different probes of a scan.
type Class uint8

// Fingerprint classes, in the order evidence lists them.
const (
	ClassNmapSYN      Class = iota + 1 // nmap's raw SYN probes
	ClassNmapService                   // nmap's service probes (-sV)
	ClassNmapOS                        // nmap's OS-detection probes (-O)
	ClassStatelessSYN                  // masscan's or ZMap's fixed header fields
)

// String names the class for people and logs.
func (c Class) String() string {
	switch c {
	case ClassNmapSYN:
		return "nmap-syn"
	case ClassNmapService:
		return "nmap-service"
	case ClassNmapOS:
		return "nmap-os"
	case ClassStatelessSYN:
		return "stateless-syn"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Tools a fingerprint names, spelt as the classifier's scanner names are.
const (
	ToolNmap    = "Nmap"
	ToolMasscan = "masscan"
	ToolZMap    = "ZMap"
)

// Evidence is one class of fingerprint one host showed.
type Evidence struct {
	Host  netip.Addr
	Tool  string // ToolNmap, ToolMasscan or ToolZMap
	Class Class
	// Count is the packets (probes, connections) that matched.
	Count uint64
	// Detail is one line for people, with the counts, e.g. "nmap SYN
	// probes: 400 SYNs with window 1024 and a lone MSS option (1460),
	// source port 51256 on 400 of them, ...".
	Detail string
}

// Tracker follows every source's scanner-shaped packets. Build it with New
// and feed it every decoded packet in capture order (after the flow table
// has set Dir and ConnEvent) and every finished TCP connection. It is not
// safe for concurrent use.
type Tracker struct {
	cfg     Config
	wait    int64
	lens    [2][4]uint64
	sources *bounded.Table[netip.Addr, source]
	conns   *bounded.Table[connKey, uint32]
}

// connKey is a connection from the client's side.
type connKey struct {
	client, server         netip.Addr
	clientPort, serverPort uint16
}

func (k connKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.client).Addr(k.server).Word(uint64(k.clientPort)<<16 | uint64(k.serverPort))
}

func hashAddr(a netip.Addr) bounded.Hash { return bounded.Seed().Addr(a) }

// New builds a Tracker; cfg's zero fields take their defaults. Call
// cfg.Validate first: out-of-range values are clamped, not reported.
func New(cfg Config) *Tracker {
	cfg = cfg.withDefaults()
	return &Tracker{
		cfg:     cfg,
		wait:    cfg.FirstDataWait.Nanos(),
		lens:    probeLengths(),
		sources: bounded.NewHashed[netip.Addr, source](cfg.MaxSources, hashAddr),
		conns:   bounded.NewHashed[connKey, uint32](cfg.MaxConns, connKey.hash),
	}
}

// TCP flag sets of the probes.
const (
	flagsSYN = packet.TCPSyn
	flagsRST = packet.TCPRst
	flagsACK = packet.TCPAck
	flagsECN = packet.TCPSyn | packet.TCPEce | packet.TCPCwr
	flagsT3  = packet.TCPSyn | packet.TCPFin | packet.TCPPsh | packet.TCPUrg
	flagsT7  = packet.TCPFin | packet.TCPPsh | packet.TCPUrg
	flagsT2  = 0
)

// Fixed header fields.
const (
	zmapIPID = 54321  // ZMap's fixed IP ID; many hand-written raw-socket tools copy it
	u1IPID   = 0x1042 // nmap's U1 probe's IP ID
	u1Len    = 300    // U1 carries 300 bytes of 'C'
	ie2Seq   = 296    // the second IE probe: seq 296, 150 zero bytes
	ie2Len   = 150
)

// Observe looks at one packet. f's slices are read only during the call.
func (t *Tracker) Observe(f *packet.Facts) {
	switch f.Proto {
	case packet.ProtoTCP:
		t.tcp(f)
	case packet.ProtoUDP:
		if len(f.Payload) == u1Len {
			t.u1(f)
		} else if i := matchProbe(&t.lens, f.Payload, true); i >= 0 {
			if s := t.source(f.Src, f.Time); s != nil {
				s.probes[i]++
			}
		}
	case packet.ProtoICMP:
		if f.ICMPType == 8 { // echo request
			t.echo(f)
		}
	}
}

func (t *Tracker) tcp(f *packet.Facts) {
	if f.ConnEvent == packet.ConnEstablished && f.Dir == packet.DirToServer {
		// the client's handshake ACK: its sequence number is the first
		// payload byte's
		v, _ := t.conns.Put(connKey{f.Src, f.Dst, f.SrcPort, f.DstPort}, f.Time, nil)
		*v = f.Seq
	}
	w := f.Window
	switch f.TCPFlags {
	case flagsSYN:
		t.syn(f)
		return
	case flagsRST:
		if f.Dir == packet.DirToServer {
			// A bare RST from the side that sent the SYN: what a
			// raw-socket scanner's kernel answers to the SYN-ACK.
			if s, ok := t.sources.Get(f.Src.Unmap(), f.Time); ok && s.syn > 0 {
				s.rsts++
			}
		}
		return
	case flagsECN:
		if w == 3 {
			t.os(f, osECN)
		}
		return
	case flagsT2:
		if w == 128 {
			t.os(f, osT2)
		}
		return
	case flagsT3:
		if w == 256 {
			t.os(f, osT3)
		}
		return
	case flagsT7:
		if w == 65535 {
			t.os(f, osT7)
		}
		return
	case flagsACK:
		if len(f.Payload) == 0 {
			if (w == 1024 || w == 32768) && timestampAllOnes(f.TCPOptions) {
				k := osT4
				if w == 32768 {
					k = osT6
				}
				t.os(f, k)
			}
			return
		}
	}
	if len(f.Payload) > 0 && f.Dir == packet.DirToServer {
		t.payload(f)
	}
}

// syn looks at a SYN without ACK, ECE or CWR.
func (t *Tracker) syn(f *packet.Facts) {
	w, opts := f.Window, f.TCPOptions
	if w >= 1024 && w <= 4096 && w%1024 == 0 && len(opts) == 4 && opts[0] == 2 && opts[1] == 4 && len(f.Payload) == 0 {
		s := t.source(f.Src, f.Time)
		if s == nil {
			return
		}
		s.syn++
		s.synWin[w/1024-1]++
		mss := binary.BigEndian.Uint16(opts[2:4])
		if s.syn > 1 && mss != s.mss {
			s.mssMixed = true
		}
		s.mss = mss
		s.ports.add(f.SrcPort)
		s.seqs.add(f.Seq)
		return
	}
	switch {
	case (w == 1 || w == 4 || w == 16 || w == 63 || w == 512) && timestampAllOnes(opts):
		t.os(f, osSEQ)
		return
	case w == 31337:
		t.os(f, osT5)
		return
	}
	if len(opts) != 0 || f.L3 != packet.L3IPv4 || len(f.Payload) != 0 {
		return
	}
	if f.IPID == zmapIPID {
		if s := t.source(f.Src, f.Time); s != nil {
			s.zmap++
			s.zmapTTL255 += b2u(f.TTL == 255)
			s.zmapWin65535 += b2u(w == 65535)
		}
		return
	}
	dst := f.Dst.As4()
	if uint16(binary.BigEndian.Uint32(dst[:])^uint32(f.DstPort)^f.Seq) == f.IPID {
		if s := t.source(f.Src, f.Time); s != nil {
			s.masscan++
			s.masscanTTL255 += b2u(f.TTL == 255)
			s.masscanWin1024 += b2u(w == 1024)
		}
	}
}

// payload checks a client's data against the service probes; only a
// connection's first payload counts.
func (t *Tracker) payload(f *packet.Facts) {
	i := matchProbe(&t.lens, f.Payload, false)
	if i < 0 {
		return
	}
	k := connKey{f.Src, f.Dst, f.SrcPort, f.DstPort}
	first, ok := t.conns.Peek(k)
	if !ok || *first != f.Seq {
		return
	}
	t.conns.Delete(k) // a retransmission is not a second probe
	if s := t.source(f.Src, f.Time); s != nil {
		s.probes[i]++
	}
}

func (t *Tracker) echo(f *packet.Facts) {
	switch {
	case f.ICMPCode == 9:
		t.os(f, osIE1)
	case f.ICMPCode == 0 && f.ICMPSeq == ie2Seq && len(f.Payload) == ie2Len && f.Payload[0] == 0 && f.Payload[ie2Len-1] == 0:
		t.os(f, osIE2)
	}
}

func (t *Tracker) u1(f *packet.Facts) {
	for _, b := range f.Payload {
		if b != 'C' {
			return
		}
	}
	t.os(f, osU1)
}

func (t *Tracker) os(f *packet.Facts, k int) {
	if s := t.source(f.Src, f.Time); s != nil {
		s.os[k]++
		if k == osU1 && f.IPID == u1IPID {
			s.u1ID++
		}
	}
}

// source returns a's state, creating it; nil for an invalid address.
func (t *Tracker) source(a netip.Addr, now int64) *source {
	if !a.IsValid() {
		return nil
	}
	s, _ := t.sources.Put(a.Unmap(), now, nil)
	return s
}

// ConnEnded looks at a finished TCP connection for nmap's NULL probe: it
// connected, took the server's banner, sent nothing and closed.
func (t *Tracker) ConnEnded(c *packet.Conn) {
	if !c.Established || c.ClientBytes != 0 || c.ServerBytes == 0 ||
		c.ClosedBy != packet.CloseClientFin && c.ClosedBy != packet.CloseClientRst {
		return
	}
	if s := t.source(c.Client, c.End); s != nil {
		s.nulls++
		s.nullPorts.add(c.ServerPort)
	}
}

// Expire forgets handshakes whose first payload is overdue. now is capture
// time; hosts' evidence is kept to the end of the run.
func (t *Tracker) Expire(now int64) {
	t.conns.Expire(now-t.wait, nil)
}

// Evicted counts state dropped because a table was full.
func (t *Tracker) Evicted() uint64 {
	return t.sources.Evicted() + t.conns.Evicted()
}

// Evidence returns every host's fingerprints that reach their minimum,
// ordered by host, class and tool.
func (t *Tracker) Evidence() []Evidence {
	var out []Evidence
	t.sources.Each(func(a netip.Addr, s *source) {
		out = s.evidence(a, t.cfg.MinPackets, out)
	})
	slices.SortFunc(out, func(a, b Evidence) int {
		if c := a.Host.Compare(b.Host); c != 0 {
			return c
		}
		if a.Class != b.Class {
			return int(a.Class) - int(b.Class)
		}
		switch {
		case a.Tool < b.Tool:
			return -1
		case a.Tool > b.Tool:
			return 1
		}
		return 0
	})
	return out
}

// timestampAllOnes reports a TCP timestamp option whose value is
// 0xFFFFFFFF, as in every nmap OS probe that carries one.
func timestampAllOnes(opts []byte) bool {
	for i := 0; i < len(opts); {
		switch opts[i] {
		case 0: // end of options
			return false
		case 1: // no-op
			i++
			continue
		}
		if i+1 >= len(opts) || opts[i+1] < 2 || i+int(opts[i+1]) > len(opts) {
			return false // malformed
		}
		if opts[i] == 8 && opts[i+1] == 10 {
			return binary.BigEndian.Uint32(opts[i+2:i+6]) == 0xFFFFFFFF
		}
		i += int(opts[i+1])
	}
	return false
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
