package extract

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/packet"
)

// index finds the jobs a packet may belong to without testing every
// job: each job is filed under the one address (or MAC) its packets all
// carry (pktsel.Spec.Keys), so a packet costs two or three map lookups
// however many alerts there are.
type index struct {
	byAddr  map[netip.Addr][]*job
	byMAC   map[[6]byte][]*job
	scratch []*job
}

func newIndex() *index {
	return &index{byAddr: map[netip.Addr][]*job{}, byMAC: map[[6]byte][]*job{}}
}

func (ix *index) add(j *job) {
	addr, mac, hasMAC := j.spec.Keys()
	if hasMAC {
		ix.byMAC[mac] = append(ix.byMAC[mac], j)
		return
	}
	ix.byAddr[addr] = append(ix.byAddr[addr], j)
}

// candidates returns the jobs filed under f's addresses or MAC, valid
// until the next call.
func (ix *index) candidates(f *packet.Facts) []*job {
	c := ix.scratch[:0]
	switch f.L3 {
	case packet.L3IPv4, packet.L3IPv6:
		c = append(c, ix.byAddr[f.Src]...)
		if f.Dst != f.Src {
			c = append(c, ix.byAddr[f.Dst]...)
		}
	case packet.L3ARP:
		c = append(c, ix.byAddr[f.ARP.SenderIP]...)
		if f.HasEth {
			c = append(c, ix.byMAC[f.SrcMAC]...)
		}
	}
	ix.scratch = c
	return c
}
