package analyzer

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
)

// Defragmentation limits. The table and its timeout follow Linux; the
// per-datagram fragment cap is ours.
const (
	// defragMaxDatagrams caps datagrams being reassembled at once. Higher:
	// more interleaved fragmented traffic survives, more memory (up to
	// 64 KiB each while a datagram is incomplete, so 512 is at most 32 MiB
	// and a fragment flood cannot break the 256 MB bound; Linux keeps 4 MB
	// by default). At the cap the oldest datagram is dropped and counted
	// (summary evictions "IP fragments").
	defragMaxDatagrams = 512
	// defragTimeout is how long, in packet time from its first fragment,
	// a datagram may take to complete (Linux ipfrag_time, 30 s).
	defragTimeout = int64(30 * time.Second)
	// defragMaxSize is the largest IP datagram: the payload after the
	// headers may not end past it.
	defragMaxSize = 65535
	// defragMaxFragments caps fragments kept per datagram: 64 KiB in
	// 1280-byte IPv6 fragments is 52, so 1024 only stops 8-byte floods.
	defragMaxFragments = 1024
)

// fragKey names one datagram: (src, dst, protocol, id) for IPv4 and
// (src, dst, id) for IPv6, whose fragment header has a 32-bit id. The
// address family keeps the two apart.
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8 // IPv4 only
}

func (k fragKey) hash() bounded.Hash {
	return bounded.Seed().Addr(k.src).Addr(k.dst).Word(uint64(k.id)<<8 | uint64(k.proto))
}

type fragSpan struct{ lo, hi int }

// fragDatagram is one datagram being reassembled. Its buffers are
// allocated per fragmented datagram, never per packet.
type fragDatagram struct {
	// head is the unfragmentable part copied from the offset-0 fragment:
	// the IPv4 header with options, or the IPv6 header and the extension
	// headers before the fragment header. nil until that fragment comes.
	head []byte
	// nextPos indexes the byte of head that names the fragment header
	// (IPv6), and next is the protocol after that header.
	nextPos int
	next    uint8
	data    []byte     // fragmentable part, at its offsets
	have    []fragSpan // filled ranges of data, sorted and merged
	total   int        // payload length once the last fragment came, else -1
	frags   int
}

// fragResult says what one fragment did.
type fragResult int

const (
	fragPending   fragResult = iota // stored; the datagram is not complete
	fragComplete                    // the datagram is complete
	fragMalformed                   // bad offset or length: dropped
)

// reassembler puts IP fragments back together. Overlapping fragments are
// resolved first arrival wins: bytes already held are never overwritten
// by a later fragment (deterministic and simple; Suricata's default
// policy, "bsd", differs in some overlap cases, Linux in others). A last
// fragment that contradicts the length already known drops the datagram,
// as Linux does.
type reassembler struct {
	table    *bounded.Table[fragKey, fragDatagram]
	timedOut uint64 // datagrams dropped incomplete at the timeout
	onExpire func(fragKey, *fragDatagram)
	// whole is the reassembled packet, reused: it is only valid until the
	// next call, like the reader's buffer.
	whole []byte
	// anomaly says what was wrong with the fragment of the last add, for
	// the decoder's events; fragClean when nothing was.
	anomaly fragAnomaly
}

// fragAnomaly is a set of things wrong with one fragment, which Suricata
// reports as decoder events (defrag.c).
type fragAnomaly uint8

const (
	fragClean     fragAnomaly = 0
	fragTooLarge  fragAnomaly = 1 << iota // it ends past the largest datagram
	fragBadLength                         // not the last, yet not a multiple of 8 bytes
	fragOverlaps                          // it overlaps bytes already held
)

func newReassembler(capacity int) *reassembler {
	r := &reassembler{table: bounded.NewHashed[fragKey, fragDatagram](capacity, fragKey.hash)}
	r.onExpire = func(fragKey, *fragDatagram) { r.timedOut++ }
	return r
}

// evicted counts datagrams dropped incomplete at the table cap.
func (r *reassembler) evicted() uint64 { return r.table.Evicted() }

// expire drops datagrams whose first fragment came more than the timeout
// before now.
func (r *reassembler) expire(now int64) {
	if r.table.Len() > 0 {
		r.table.Expire(now-defragTimeout, r.onExpire)
	}
}

// add stores one fragment of the datagram k: payload data at byte offset
// off of the fragmentable part, more telling whether later fragments
// follow. head is the unfragmentable part (only read for offset 0) and,
// for IPv6, nextPos and next say where in head the fragment header is
// named and what follows it. On fragComplete whole is the reassembled IP
// packet, valid until the next call.
func (r *reassembler) add(k fragKey, now int64, head []byte, nextPos int, next uint8,
	off int, more bool, data []byte) (whole []byte, res fragResult) {
	end := off + len(data)
	r.anomaly = fragClean
	switch {
	case end > defragMaxSize, len(head) > defragMaxSize:
		r.anomaly = fragTooLarge
		return nil, fragMalformed
	case more && (len(data) == 0 || len(data)%8 != 0):
		// every fragment but the last carries a multiple of 8 bytes
		r.anomaly = fragBadLength
		return nil, fragMalformed
	}
	r.expire(now)
	// Peek then Put: an entry is touched only when created, so expiry
	// and eviction go by the datagram's first fragment.
	g, ok := r.table.Peek(k)
	if !ok {
		g, _ = r.table.Put(k, now, nil)
		g.total = -1
	}
	g.frags++
	if g.frags > defragMaxFragments ||
		!more && (g.total >= 0 && end != g.total || g.maxEnd() > end) ||
		more && g.total >= 0 && end > g.total {
		if g.overlaps(off, end) {
			r.anomaly |= fragOverlaps // Suricata reports it before it drops
		}
		r.table.Delete(k)
		return nil, fragMalformed
	}
	if !more {
		g.total = end
	}
	if off == 0 && g.head == nil {
		g.head = append([]byte(nil), head...)
		g.nextPos, g.next = nextPos, next
	}
	if g.fill(off, data) {
		r.anomaly |= fragOverlaps
	}
	if g.head == nil || g.total < 0 || len(g.have) != 1 || g.have[0].lo != 0 || g.have[0].hi != g.total {
		return nil, fragPending
	}
	whole, ok = r.build(g)
	r.table.Delete(k)
	if !ok {
		return nil, fragMalformed
	}
	return whole, fragComplete
}

// build writes the reassembled packet into r.whole.
func (r *reassembler) build(g *fragDatagram) ([]byte, bool) {
	w := append(append(r.whole[:0], g.head...), g.data[:g.total]...)
	r.whole = w
	switch {
	case len(w) >= 20 && w[0]>>4 == 4:
		if len(w) > defragMaxSize {
			return nil, false
		}
		binary.BigEndian.PutUint16(w[2:4], uint16(len(w)))
		w[6] &= 0x40 // keep DF; clear MF and the offset
		w[7] = 0
		binary.BigEndian.PutUint16(w[10:12], 0)
		binary.BigEndian.PutUint16(w[10:12], ipv4Checksum(w[:len(g.head)]))
	case len(w) >= 40 && w[0]>>4 == 6 && g.nextPos < len(g.head):
		plen := len(w) - 40
		if plen > defragMaxSize {
			return nil, false
		}
		binary.BigEndian.PutUint16(w[4:6], uint16(plen))
		w[g.nextPos] = g.next
	default:
		return nil, false
	}
	return w, true
}

// overlaps reports whether [off, end) overlaps bytes held.
func (g *fragDatagram) overlaps(off, end int) bool {
	for _, s := range g.have {
		if s.lo < end && s.hi > off {
			return true
		}
	}
	return false
}

// maxEnd is the end of the highest byte held.
func (g *fragDatagram) maxEnd() int {
	if len(g.have) == 0 {
		return 0
	}
	return g.have[len(g.have)-1].hi
}

// fill copies the bytes of data not held yet (first arrival wins) and
// records the range. It reports whether data overlapped bytes held.
func (g *fragDatagram) fill(off int, data []byte) (overlap bool) {
	end := off + len(data)
	if end > len(g.data) {
		g.data = append(g.data, make([]byte, end-len(g.data))...)
	}
	pos := off
	for _, s := range g.have {
		if pos >= end || s.lo >= end {
			break
		}
		if s.hi <= pos {
			continue
		}
		overlap = true
		if s.lo > pos {
			copy(g.data[pos:s.lo], data[pos-off:s.lo-off])
		}
		pos = max(pos, s.hi)
	}
	if pos < end {
		copy(g.data[pos:end], data[pos-off:])
	}
	if off == end {
		return overlap
	}
	// merge [off, end) with every range it overlaps or touches
	lo, hi := off, end
	i := 0
	for i < len(g.have) && g.have[i].hi < lo {
		i++
	}
	j := i
	for j < len(g.have) && g.have[j].lo <= hi {
		lo, hi = min(lo, g.have[j].lo), max(hi, g.have[j].hi)
		j++
	}
	g.have = slices.Replace(g.have, i, j, fragSpan{lo, hi})
	return overlap
}

func ipv4Checksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// maxIPv6ExtHeaders caps the extension headers walked to a fragment
// header. RFC 8200 wants each type at most once (destination options
// twice); a chain past a handful is built to hide the fragment header from
// decoders that give up early (a fixed 8 here once). The cap is far past
// any real chain, and a packet that reaches it is counted, not guessed at.
const maxIPv6ExtHeaders = 64

// ipv6FragmentHeader walks the extension headers of the IPv6 packet raw
// (header included, payload cut to its length) to a fragment header. It
// returns the header's offset and the index of the byte naming it;
// tooLong says the chain went past maxIPv6ExtHeaders.
func ipv6FragmentHeader(raw []byte) (at, nextPos int, ok, tooLong bool) {
	if len(raw) < 40 {
		return 0, 0, false, false
	}
	next, pos, off := raw[6], 6, 40
	for range maxIPv6ExtHeaders {
		switch next {
		case 44: // fragment
			if off+8 > len(raw) {
				return 0, 0, false, false
			}
			return off, pos, true, false
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if off+2 > len(raw) {
				return 0, 0, false, false
			}
			n := int(raw[off+1])*8 + 8
			if off+n > len(raw) {
				return 0, 0, false, false
			}
			next, pos, off = raw[off], off, off+n
		default:
			return 0, 0, false, false
		}
	}
	return 0, 0, false, isIPv6ExtHeader(next)
}
