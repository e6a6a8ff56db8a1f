package analyzer

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// DefaultAutoblock is how long the modelled endpoint IPS blocks an attacker
// after a detection.
const DefaultAutoblock = 10 * time.Minute

type blockState struct {
	host           netip.Addr
	first          int64
	start, until   int64 // the current (or last) block period
	blocks         int
	extensions     int
	total          int64 // closed periods' length
	droppedPackets uint64
	droppedBytes   uint64
	sids           []uint32
	open           bool // blocked and its unblock not yet announced
	// listed: among the first hosts blocked, kept for the report once
	// their blocks end; the others are folded into totals then
	listed bool
}

// DefaultMaxBlockedHosts is the most hosts the block table holds at once
// (autoblock.max_hosts): a distributed attack from a million addresses
// blocks the first 55,000 (50,000 besides the 5,000 listed) and reports the rest as refused, as a real
// firewall table fills.
const DefaultMaxBlockedHosts = 50_000

// AutoblockConfig bounds the block table.
type AutoblockConfig struct {
	// MaxHosts is the most hosts blocked at once; a detection of a new
	// host while it is full blocks nothing and is counted. Default
	// 50,000.
	MaxHosts int `json:"max_hosts"`
}

// DefaultAutoblockConfig returns the defaults.
func DefaultAutoblockConfig() AutoblockConfig {
	return AutoblockConfig{MaxHosts: DefaultMaxBlockedHosts}
}

// Validate checks the bound.
func (c AutoblockConfig) Validate() error {
	if c.MaxHosts < 1 || c.MaxHosts > 1<<24 {
		return fmt.Errorf("max_hosts %d: want 1 to %d", c.MaxHosts, 1<<24)
	}
	return nil
}

// UnlistedBlocks totals the blocks of hosts past report.max_blocked_hosts,
// whose own records were folded once their blocks ended.
type UnlistedBlocks struct {
	// Hosts counts folded records: a host blocked again after its record
	// was folded counts again.
	Hosts          uint64          `json:"hosts"`
	Blocks         uint64          `json:"blocks"`
	Extensions     uint64          `json:"extensions"`
	TotalBlocked   packet.Duration `json:"total_blocked"`
	DroppedPackets uint64          `json:"dropped_packets"`
	DroppedBytes   uint64          `json:"dropped_bytes"`
}

// autoblock models the IPS firewall rule added after a detection: every
// packet from or to a blocked address until the block ends is one the real
// product would have dropped. A detection during a block extends it to a
// full period from that detection.
type autoblock struct {
	length int64
	// maxHosts bounds hosts with running blocks beyond the maxListed
	// first ones; refused counts detections the full table did not block
	maxHosts, maxListed int
	listed              int
	refused             uint64
	unlisted            UnlistedBlocks
	hosts               map[netip.Addr]*blockState
	// seen has a bit set for every blocked host's address hash, so packets
	// of other hosts cost one bit test instead of hashing two addresses
	// into the map (measured: a fifth of analyze time once a block ran).
	seen   [1 << 10]uint64
	active int // hosts whose block may still be running
	// order keeps first-block order for deterministic output.
	order []*blockState
}

// newAutoblock blocks for length, at most maxHosts hosts at once besides
// the maxListed first ones, whose records the report lists.
func newAutoblock(length time.Duration, maxHosts, maxListed int) *autoblock {
	return &autoblock{length: int64(length), maxHosts: maxHosts, maxListed: maxListed, hosts: map[netip.Addr]*blockState{}}
}

// block records a detection against host at time t. It reports whether the
// detection started a new block (false when it extended one), and ok
// false when the table was full and nothing was blocked.
func (a *autoblock) block(host netip.Addr, t int64, sid uint32) (started, ok bool) {
	host = host.Unmap()
	b, ok := a.hosts[host]
	if !ok {
		if len(a.hosts) >= a.maxListed+a.maxHosts {
			a.refused++
			return false, false
		}
		b = &blockState{host: host, first: t, listed: a.listed < a.maxListed}
		if b.listed {
			a.listed++
		}
		a.hosts[host] = b
		a.order = append(a.order, b)
		i := addrBit(host)
		a.seen[i>>6] |= 1 << (i & 63)
	}
	if !containsSID(b.sids, sid) {
		b.sids = append(b.sids, sid)
	}
	if b.blocks > 0 && t < b.until {
		b.extensions++
		b.until = t + a.length
		b.open = true
		return false, true
	}
	if b.blocks > 0 {
		b.total += b.until - b.start
	}
	a.active++ // may overcount until the next expire; that only costs lookups
	b.blocks++
	b.start, b.until = t, t+a.length
	b.open = true
	return true, true
}

// until returns when host's current block ends.
func (a *autoblock) until(host netip.Addr) int64 {
	if b, ok := a.hosts[host.Unmap()]; ok {
		return b.until
	}
	return 0
}

func containsSID(s []uint32, sid uint32) bool {
	for _, v := range s {
		if v == sid {
			return true
		}
	}
	return false
}

// observe counts a packet against any running block of its addresses.
// Before the first detection it costs one comparison.
func (a *autoblock) observe(src, dst netip.Addr, t int64, wireLen int) {
	if a.active == 0 {
		return
	}
	a.drop(src, t, wireLen)
	if dst != src {
		a.drop(dst, t, wireLen)
	}
}

func (a *autoblock) drop(host netip.Addr, t int64, wireLen int) {
	if i := addrBit(host); a.seen[i>>6]&(1<<(i&63)) == 0 {
		return
	}
	b, ok := a.hosts[host.Unmap()]
	if !ok || b.blocks == 0 {
		return
	}
	// the packet that triggered the block is the detection, not a drop
	if t > b.start && t < b.until {
		b.droppedPackets++
		b.droppedBytes += uint64(wireLen)
	}
}

// addrBit hashes an address into the seen bitmap (Fibonacci hashing of
// its low 64 bits; IPv4 and IPv4-mapped IPv6 fold alike).
func addrBit(a netip.Addr) uint32 {
	var v uint64
	if a.Is4() {
		b := a.As4()
		v = uint64(binary.BigEndian.Uint32(b[:]))
	} else {
		b := a.As16()
		v = binary.BigEndian.Uint64(b[8:])
		if a.Is4In6() {
			v &= 0xffffffff
		}
	}
	return uint32((v * 0x9e3779b97f4a7c15) >> 48)
}

// expire notes blocks that ended by now, so observe can skip lookups, and
// tells unblocked about each, in the order the hosts were first blocked.
func (a *autoblock) expire(now int64, unblocked func(host netip.Addr, at int64)) {
	if a.active == 0 {
		return
	}
	n := 0
	kept := a.order[:0]
	for _, b := range a.order {
		switch {
		case b.until > now:
			n++
		case b.open:
			b.open = false
			if unblocked != nil {
				unblocked(b.host, b.until)
			}
		}
		if !b.listed && !b.open && b.until <= now {
			a.fold(b)
			continue
		}
		kept = append(kept, b)
	}
	clear(a.order[len(kept):])
	a.order = kept
	a.active = n
}

// fold adds an unlisted host's ended blocks to the totals and forgets it,
// so the table holds listed hosts and running blocks only.
func (a *autoblock) fold(b *blockState) {
	a.unlisted.add(b)
	delete(a.hosts, b.host)
}

// add counts b's blocks in the totals.
func (u *UnlistedBlocks) add(b *blockState) {
	u.Hosts++
	u.Blocks += uint64(b.blocks)
	u.Extensions += uint64(b.extensions)
	u.TotalBlocked += packet.Duration(b.total + b.until - b.start)
	u.DroppedPackets += b.droppedPackets
	u.DroppedBytes += b.droppedBytes
}

// unlistedTotals returns the totals of the hosts the report does not
// list, those still in the table included.
func (a *autoblock) unlistedTotals() UnlistedBlocks {
	u := a.unlisted
	for _, b := range a.order {
		if !b.listed && b.blocks > 0 {
			u.add(b)
		}
	}
	return u
}

// results lists the listed blocked hosts in the order they were first
// blocked.
func (a *autoblock) results() []BlockedHost {
	out := make([]BlockedHost, 0, len(a.order))
	for _, b := range a.order {
		if b.blocks == 0 || !b.listed {
			continue
		}
		sids := append([]uint32(nil), b.sids...)
		sort.Slice(sids, func(i, j int) bool { return sids[i] < sids[j] })
		out = append(out, BlockedHost{
			Host:           AddrHost(b.host),
			FirstBlock:     TimeOf(time.Unix(0, b.first).UTC()),
			LastUnblock:    TimeOf(time.Unix(0, b.until).UTC()),
			Blocks:         b.blocks,
			Extensions:     b.extensions,
			TotalBlocked:   packet.Duration(b.total + b.until - b.start),
			DroppedPackets: b.droppedPackets,
			DroppedBytes:   b.droppedBytes,
			SIDs:           sids,
		})
	}
	return out
}

// warnings say what the bounds left out of the blocks.
func (a *autoblock) warnings() []string {
	var out []string
	if u := a.unlistedTotals(); u.Hosts > 0 {
		out = append(out, fmt.Sprintf(
			"%d more blocked hosts past the first %d (report.max_blocked_hosts) are not listed; their %d blocks and %d dropped packets are in the totals (unlisted_blocks)",
			u.Hosts, a.maxListed, u.Blocks, u.DroppedPackets))
	}
	if a.refused > 0 {
		out = append(out, fmt.Sprintf(
			"%d detections blocked nothing: the block table was full (%d hosts blocked at once past the listed ones, autoblock.max_hosts)",
			a.refused, a.maxHosts))
	}
	return out
}
