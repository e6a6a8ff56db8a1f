package rulematch

// Inspecting an HTTP response (httpresp.go follows it): the response
// rules the prefilter lets through run on a transaction's head, and on
// its decoded body once that ends, with the http buffers read from the
// response while they run.

import (
	"slices"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// inspectResponse runs the response rules the prefilter lets through on
// t: its headers, and with withBody its decoded body. f is the packet
// that completed the stage; alerts are on it.
func (m *Matcher) inspectResponse(set *ruleSet, f *packet.Facts, t *httpResponse, withBody bool, emit packet.Emit) {
	s := &m.sc
	rs := &s.resp
	// the lowercased copies keep their buffers from one response to the next
	rs.t, rs.head, rs.body, rs.hasBody = t, t.head, nil, false
	rs.headLow = lowerASCII(rs.headLow, t.head)
	if withBody && len(t.body) > 0 {
		rs.body = t.body
		if t.layers > 0 {
			rs.body = m.decoder.decode(t.body, t.layers, m.respBodyBytes)
		}
		rs.bodyLow = lowerASCII(rs.bodyLow, rs.body)
		rs.hasBody = true
	}
	cands := s.scands[:0]
	if set.pf != nil {
		if len(t.head) >= set.pf.minLen {
			cands = set.pf.search(t.head, &s.pf, cands)
		}
		if rs.hasBody && len(rs.body) >= set.pf.minLen {
			cands = set.pf.search(rs.body, &s.pf, cands)
		}
	}
	cands = append(cands, set.respAlways...)
	cands = sortUnique(cands, &s.candBits, len(m.eng.rules))
	s.scands = cands
	s.inResp, s.namesDone = true, false
	for _, ri := range cands {
		r := &m.eng.rules[ri]
		if !r.resp || r.pass || slices.Contains(t.fired, ri) {
			continue
		}
		if !m.matchRule(r, f) {
			continue
		}
		t.fired = append(t.fired, ri)
		if len(r.bitActions) > 0 {
			m.flowbitsAct(r, f)
		}
		m.fire(r, f, emit, true) // a response's match acts on the flow
	}
	s.inResp, s.namesDone = false, false
	rs.t = nil
}

// respView is the response a rule is inspected on: scratch, filled per
// stage by inspectResponse.
type respView struct {
	t             *httpResponse
	head, headLow []byte
	body, bodyLow []byte // decoded
	hasBody       bool
}

// responseBuffer returns a buffer of the response being inspected; ok is
// false when it has none.
func (s *scratch) responseBuffer(id rules.Buffer) (raw, low []byte, ok bool) {
	rs := &s.resp
	switch id {
	case rules.BufferFileData:
		return rs.body, rs.bodyLow, rs.hasBody
	case rules.BufferHTTPHeaderNames:
		sp := rs.t.spans.spans[rules.BufferHTTPHeader]
		if sp.hi <= sp.lo {
			return nil, nil, false
		}
		if !s.namesDone {
			s.names = appendHeaderNames(s.names[:0], rs.head[sp.lo:sp.hi])
			s.namesLow = lowerASCII(s.namesLow, s.names)
			s.namesDone = true
		}
		return s.names, s.namesLow, true
	}
	sp := rs.t.spans.spans[id]
	if sp.hi < sp.lo || sp.hi == sp.lo && !emptyHeaderValue(id, sp) {
		return nil, nil, false
	}
	return rs.head[sp.lo:sp.hi], rs.headLow[sp.lo:sp.hi], true
}
