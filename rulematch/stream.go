package rulematch

// Matches across TCP segments: which rules may make them (streamable), how
// much stream they need (streamReach), and the pass over a segment's
// reassembled stream that fires only what no piece matched alone.

import (
	"slices"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// unboundedReach is the reach of a stream rule whose contents may lie any
// distance apart; the flow table's window cap applies.
const unboundedReach = 1 << 30

// streamReach is how many consecutive stream bytes a match of the
// streamable rule r can span: its content when it has one, the sum of a
// distance/within chain's lengths, gaps and windows when it has a chain,
// unboundedReach when two chains or a within-less relative content can
// sit any distance apart.
func streamReach(r *rules.Rule) int {
	reach, cur, chains := 0, 0, 0
	for _, m := range r.Matches {
		c := m.Content
		if c == nil {
			continue
		}
		if !c.HasDistance && !c.HasWithin {
			// a new chain; a negated one needs no bytes of its own
			if !c.Negated {
				chains++
			}
			cur = len(c.Pattern)
		} else {
			if !c.HasWithin {
				return unboundedReach
			}
			d := c.Distance
			if d < 0 {
				d = -d
			}
			cur += d + c.Within
		}
		reach = max(reach, cur)
	}
	if chains > 1 {
		return unboundedReach
	}
	return min(reach, unboundedReach)
}

// streamable reports whether r may match across TCP segments.
func streamable(r *rules.Rule) bool {
	if r.Proto == rules.ProtoTCPPkt || r.Flow.NoStream || r.Dsize != nil || r.URILen != nil || len(r.BSize) > 0 {
		return false
	}
	positive := false
	for _, m := range r.Matches {
		c := m.Content
		if m.Buffer != rules.BufferPayload || m.PCRE != nil || c == nil ||
			c.HasOffset || c.HasDepth || c.StartsWith || c.EndsWith {
			return false
		}
		positive = positive || !c.Negated
	}
	return positive
}

// streamPass finds contents that only the reassembled stream holds: a
// stream rule that did not match the payload alone, matches the stream's
// prefix + new data, and matches none of the pieces already inspected on
// their own (the prefix, whose matches were earlier packets'; each held
// segment, matched as its own packet) fires for this packet, the one that
// completed the stream. So the same bytes never alert twice.
func (m *Matcher) streamPass(set *ruleSet, f *packet.Facts, emit packet.Emit) {
	s := &m.sc
	data := f.StreamData
	cands := s.scands[:0]
	if len(f.StreamPieces) == 0 {
		// data is (part of) the payload: a pattern that spans the
		// boundary ends within its first maxLen-1 bytes, so scan only the
		// prefix and that window, not the payload again. A rule whose
		// fast pattern lies wholly in the payload was a candidate of the
		// payload pass already (and did not match there).
		win := min(len(data), set.pf.maxLen-1)
		s.stream = append(append(s.stream[:0], f.StreamPrefix...), data[:win]...)
		if len(s.stream) >= set.pf.minLen {
			cands = set.pf.search(s.stream, &s.pf, cands)
		}
		cands = append(cands, s.cands...)
		s.stream = append(s.stream, data[win:]...)
	} else {
		// held segments joined: rare (reordering), so scan it all
		s.stream = append(append(s.stream[:0], f.StreamPrefix...), data...)
		if len(s.stream) >= set.pf.minLen {
			cands = set.pf.search(s.stream, &s.pf, cands)
		}
	}
	if len(cands) == 0 {
		s.scands = cands
		return
	}
	cands = sortUnique(cands, &s.candBits, len(m.eng.rules))
	s.scands = cands
	whole, piece := *f, *f
	whole.Payload = s.stream
	for _, ri := range cands {
		r := &m.eng.rules[ri]
		if !r.stream || r.pass {
			continue
		}
		if _, done := slices.BinarySearch(s.matched, ri); done {
			continue
		}
		s.lowered, s.httpDone = false, false
		if !m.matchRule(r, &whole) || m.matchesAPiece(r, f, &piece) {
			continue
		}
		if len(r.bitActions) > 0 {
			m.flowbitsAct(r, f)
		}
		m.fire(r, f, emit, true) // a stream match acts on the flow
	}
	s.lowered, s.httpDone = false, false
}

// matchesAPiece reports whether r matches the stream prefix alone or one
// of the held pieces of f.StreamData alone. piece is scratch facts.
func (m *Matcher) matchesAPiece(r *rule, f *packet.Facts, piece *packet.Facts) bool {
	s := &m.sc
	if len(f.StreamPrefix) > 0 {
		s.lowered, s.httpDone = false, false
		piece.Payload = f.StreamPrefix
		if m.matchRule(r, piece) {
			return true
		}
	}
	lo := int32(0)
	for _, hi := range f.StreamPieces {
		if hi <= lo || int(hi) > len(f.StreamData) {
			break
		}
		s.lowered, s.httpDone = false, false
		piece.Payload = f.StreamData[lo:hi]
		lo = hi
		if m.matchRule(r, piece) {
			return true
		}
	}
	return false
}
