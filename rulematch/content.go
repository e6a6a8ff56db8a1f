package rulematch

// content: and its modifiers, compiled with the checks Suricata's loader
// makes and matched as detect-engine-content-inspection.c does, retrying
// a later occurrence when the next item is relative to this one.

import (
	"bytes"
	"fmt"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// content is a compiled content.
type content struct {
	pat, lpat []byte // as written and lowercased
	negated   bool
	nocase    bool
	relative  bool // distance or within
	hasWithin bool
	distance  int // 0 when not given
	within    int
	offset    int
	depthEnd  int  // offset+depth as Suricata stores it; 0: none
	endsWith  bool // the match must end at the end of the buffer
	// byte_extract variables for offset, depth, distance and within
	// (0: the fixed value); depth is kept as written for them
	offsetVar, depthVar, distanceVar, withinVar rules.ByteVar
	depth                                       int
	hasVars                                     bool
	// relativeNext: the next item is relative to this match, so later
	// occurrences are retried when it fails. Suricata's distance, within,
	// relative pcre and relative byte/isdataat keywords all set
	// DETECT_CONTENT_RELATIVE_NEXT, which includes the WITHIN_NEXT bit the
	// inspection loop tests.
	relativeNext bool
}

// compileContent checks a content the way Suricata's loader does; xf are
// its buffer's transforms (a transformed http.host need not be lowercase).
func compileContent(c *rules.Content, id rules.Buffer, xf []rules.Transform) (*content, string) {
	n := len(c.Pattern)
	switch {
	case n == 0:
		return nil, "empty content"
	case c.HasOffset && c.Offset < 0:
		return nil, fmt.Sprintf("content %q: offset %d is negative", c.Pattern, c.Offset)
	case c.HasDepth && c.DepthVar == 0 && c.Depth < n:
		return nil, fmt.Sprintf("content %q: depth %d is less than the content length %d", c.Pattern, c.Depth, n)
	case c.HasWithin && c.WithinVar == 0 && c.Within < n:
		return nil, fmt.Sprintf("content %q: within %d is less than the content length %d", c.Pattern, c.Within, n)
	case c.StartsWith && (c.HasOffset || c.HasDepth || c.HasDistance || c.HasWithin):
		return nil, fmt.Sprintf("content %q: startswith cannot be combined with offset, depth, distance or within", c.Pattern)
	case id == rules.BufferHTTPHost && len(xf) == 0 && !c.NoCase && !bytes.Equal(c.Pattern, bytes.ToLower(c.Pattern)):
		return nil, fmt.Sprintf("content %q: http.host is lowercased, so an uppercase pattern never matches: lowercase it or add nocase", c.Pattern)
	}
	cc := &content{
		pat:       c.Pattern,
		lpat:      lowerASCII(nil, c.Pattern),
		negated:   c.Negated,
		nocase:    c.NoCase,
		relative:  c.HasDistance || c.HasWithin,
		hasWithin: c.HasWithin,
		within:    c.Within,
		endsWith:  c.EndsWith,
		depth:     c.Depth,

		offsetVar:   c.OffsetVar,
		depthVar:    c.DepthVar,
		distanceVar: c.DistanceVar,
		withinVar:   c.WithinVar,
		hasVars:     c.OffsetVar|c.DepthVar|c.DistanceVar|c.WithinVar != 0,
	}
	if c.HasDistance {
		cc.distance = c.Distance
	}
	if c.HasOffset {
		cc.offset = c.Offset
	}
	if c.HasDepth {
		cc.depthEnd = cc.offset + c.Depth
	}
	if c.StartsWith {
		cc.offset, cc.depthEnd = 0, n
	}
	return cc, ""
}

// window is where a content may lie, [start, end) before clamping to the
// buffer, from Suricata's offset/depth/distance/within arithmetic: depth
// and within bound the end of the match, offset and distance its start.
// Modifiers given as byte_extract variables take their values from vars.
func (c *content) window(prevEnd int, n int, vars *byteValues) (start, end int) {
	offset, depthEnd, distance, within := c.offset, c.depthEnd, c.distance, c.within
	if c.hasVars {
		if c.offsetVar != 0 {
			offset = vars.int(c.offsetVar)
			if c.depthEnd != 0 {
				depthEnd = offset + c.depth
			}
		}
		if c.depthVar != 0 {
			// as Suricata: a variable depth counts from the offset
			depthEnd = offset + vars.int(c.depthVar)
		}
		if c.distanceVar != 0 {
			// Suricata reads it as a 32-bit number, so large values wrap
			distance = int(int32(uint32(vars[c.distanceVar-1])))
		}
		if c.withinVar != 0 {
			within = vars.int(c.withinVar)
		}
	}
	end = n
	if !c.relative {
		if depthEnd != 0 || c.depthVar != 0 {
			end = depthEnd
		}
		return offset, end
	}
	start = prevEnd
	if distance < 0 && -distance > start {
		start = 0
	} else {
		start += distance
	}
	if c.hasWithin && end > prevEnd+distance+within {
		end = prevEnd + distance + within
	}
	if depthEnd != 0 && prevEnd+depthEnd < end {
		end = prevEnd + depthEnd
	}
	if offset > start {
		start = offset
	}
	return start, end
}

// find returns the first occurrence of the content in buf[start:end], as
// an index into buf, or -1.
func (c *content) find(raw, low []byte, start, end int) int {
	var i int
	if c.nocase {
		i = bytes.Index(low[start:end], c.lpat)
	} else {
		i = bytes.Index(raw[start:end], c.pat)
	}
	if i < 0 {
		return -1
	}
	return start + i
}

func (c *content) at(raw, low []byte, pos int) bool {
	if c.nocase {
		return bytes.Equal(low[pos:pos+len(c.lpat)], c.lpat)
	}
	return bytes.Equal(raw[pos:pos+len(c.pat)], c.pat)
}

func (s *scratch) inspectContent(items []item, i int, raw, low []byte, prevEnd int) int {
	c := items[i].c
	n, plen := len(raw), len(c.pat)
	retry := 0 // after a failed chain: search again from the last start+1
	for {
		start, end := c.window(prevEnd, n, &s.vars)
		if retry != 0 {
			start = retry
		}
		end = min(end, n)
		if start > end || end <= 0 {
			// an empty window: nothing can match, so a negation holds
			if c.negated {
				return s.next(items, i, raw, low, prevEnd)
			}
			return 0
		}
		found := -1
		switch {
		case c.endsWith:
			if end == n && n-plen >= start && c.at(raw, low, n-plen) {
				found = n - plen
			}
		case plen <= end-start:
			found = c.find(raw, low, start, end)
		}
		if found < 0 {
			if c.negated {
				return s.next(items, i, raw, low, prevEnd)
			}
			if !c.relative {
				return -1 // independent of earlier matches: give up
			}
			return 0
		}
		if c.negated {
			if c.relative {
				return 0 // an earlier occurrence may leave a clean window
			}
			return -1
		}
		if r := s.next(items, i, raw, low, found+plen); r != 0 {
			return r
		}
		if !c.relativeNext {
			// the next item does not depend on where this one matched:
			// another occurrence cannot change its answer
			return -1
		}
		retry = found + 1
	}
}
