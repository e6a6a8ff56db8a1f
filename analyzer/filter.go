package analyzer

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ipsreplay/ipsreplay/pcapfilter"
)

// captureFilter is a tcpdump expression applied to the packets as they
// are read (--bpf), as tcpdump -r FILE EXPR does: a packet it refuses is
// not analysed at all, but keeps its number in its file. It is compiled
// once per link type; a link type it cannot be compiled for has its
// packets left out, with a warning naming it.
type captureFilter struct {
	expr    string
	last    LinkType
	lastOK  bool // last and lastF hold
	lastF   *pcapfilter.Filter
	byLink  map[LinkType]*pcapfilter.Filter
	refused map[LinkType]error
	out     uint64 // packets left out
}

func newCaptureFilter(expr string) (*captureFilter, error) {
	if err := pcapfilter.Check(expr); err != nil {
		return nil, err
	}
	return &captureFilter{expr: expr, byLink: map[LinkType]*pcapfilter.Filter{},
		refused: map[LinkType]error{}}, nil
}

// keep reports whether the filter accepts a packet.
func (c *captureFilter) keep(link LinkType, data []byte) bool {
	if link != c.last || !c.lastOK {
		f, ok := c.byLink[link]
		if !ok {
			var err error
			if f, err = pcapfilter.Compile(c.expr, uint32(link), maxSnaplen); err != nil {
				c.refused[link] = err
			}
			c.byLink[link] = f
		}
		c.last, c.lastF, c.lastOK = link, f, true
	}
	if c.lastF == nil || !c.lastF.Match(data) {
		c.out++
		return false
	}
	return true
}

// warnings name the link types whose packets the filter could not judge,
// in link type order so reports do not depend on map order.
func (c *captureFilter) warnings() []string {
	var out []string
	for _, link := range slices.Sorted(maps.Keys(c.refused)) {
		out = append(out, fmt.Sprintf("%v: packets of link type %s were left out", c.refused[link], link))
	}
	return out
}
