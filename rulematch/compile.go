package rulematch

// Compiling one rule: the header tests (header.go), the threshold
// (threshold.go), the flowbits (flowbits.go) and each buffer's chain of
// contents, pcres and byte checks, linked as Suricata links relative
// matches. A rule the matcher cannot run as written is an error, never a
// rule run with a changed meaning.

import (
	"fmt"
	"strings"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// item is one content or pcre.
type item struct {
	c *content
	p *pcre
	b *byteCheck    // byte_test, byte_jump, isdataat (bytecheck.go)
	d *datasetCheck // dataset, datarep (dataset.go)
}

// relative reports whether the item is placed after the previous match.
func (it item) relative() bool {
	return it.c != nil && it.c.relative || it.p != nil && it.p.relative || it.b != nil && it.b.relative
}

// chain is a rule's chain of items in one buffer, in rule order. A
// transformed buffer (xf, transform.go) is a buffer of its own, as in
// Suricata: one rule may have a chain on http.uri and another on
// http.uri after to_lowercase.
type chain struct {
	id    rules.Buffer
	xf    []rules.Transform
	items []item // may be empty when bsize is all the rule asks of the buffer
	bsize *rules.Range
}

// rule is a compiled rule.
type rule struct {
	rule *rules.Rule
	ipv  rules.IPVersion
	pass bool
	// action is the rule's action; flowLevel: a drop or pass of it acts
	// on the flow (action.go); order is its place in the rule order.
	action    packet.Action
	flowLevel bool
	// tx: the rule inspects a TCP application buffer (http, tls.sni):
	// its alerts count apart from the packet's (Config.Inline)
	tx       bool
	priority int
	bidir    bool
	// srcSpec, dstSpec number the rule's address sets among the set's
	// distinct ones, for the per-packet memo (header.go)
	srcSpec, dstSpec int32
	flow             rules.Flow
	hasFlow          bool
	flags            *rules.Flags
	dsize            *rules.Range
	// dsizeNeedsPayload: Suricata only offers packets with a payload to a
	// rule whose dsize is !N, >N, >=N, a range or =N with N > 0
	// (SIG_MASK_REQUIRE_PAYLOAD), so dsize:!9 skips empty packets.
	dsizeNeedsPayload bool
	ttl               *rules.Range
	itype             *rules.Range
	icode             *rules.Range
	urilen            *rules.Range // urilen:, on the http.uri buffer
	fragbits          *rules.FragBits
	// seq, ack, window, id, icmp_id (header.go's fieldsMatch)
	seq, ack, window, ipid, icmpid, icmpseq *rules.FieldEq
	sameIP                                  bool
	// streamOnly: a tcp-stream rule, which inspects the reassembled
	// stream only, so never a retransmission's bytes (that overlap may
	// say something else: the stream keeps the first)
	streamOnly bool
	hdr        *hdrChecks // decoderkw.go
	bufs       []chain
	thr        *threshold
	detail     string
	// stream: the rule's contents may also match across TCP segments: all
	// are payload contents with no absolute anchor (offset, depth,
	// startswith, endswith) and the rule has no dsize, so evaluating it on
	// the stream's tail + payload means what it says.
	stream bool
	// http: the rule inspects an http buffer, so it also runs on requests
	// whose headers span segments, once they are whole.
	http bool
	// flowbits (flowbits.go): conditions checked with the rule, actions
	// done when it matches; noalert: it never alerts.
	bitConds   []bitCond
	bitActions []bitAction
	noalert    bool
	// suppressAll, suppress: a threshold file's suppress lines
	// (globalthreshold.go), without and with an ip
	suppressAll bool
	suppress    []suppression
	// ipOnly: Suricata's IP-only rule, run on the first packet of each
	// direction of a flow (flowstate.go).
	ipOnly bool
	// appHTTP: an http rule with no buffer (or only ip.src and ip.dst),
	// run on the packets of flows that carried an HTTP request
	// (flowstate.go).
	appHTTP bool
	// handshake: the rule reads a TLS or SSH handshake buffer kept per
	// flow, so it fires once per side of a flow (handshake.go).
	handshake bool
	// hsNeed are the handshake buffers the rule reads, as bits of
	// handshakeSide.has.
	hsNeed uint32
	// appProto: a tls or ssh rule with no buffer, run on the packets of
	// flows where that protocol was seen (handshake.go); 0 for others.
	appProto uint8
	// resp: the rule reads a response buffer, so it also runs on each
	// HTTP response transaction (httpresp.go)
	resp bool
	// dnsPorts: a dns rule reading only ip.src or ip.dst, run on UDP and
	// TCP packets to or from port 53, where DNS is detected (dns.go).
	dnsPorts bool
	// alone: packetOnly (ahead.go), so a worker may evaluate it; session:
	// it reads a buffer only a TCP session's packets have (sessionBuffer)
	alone, session bool
}

// compileRule checks and compiles one rule. fps are its lowercased prefilter
// patterns, one of which every payload it matches holds (pcrePrefilter):
// its fast pattern, or the literals of a pcre; none when it has neither.
func compileRule(r *rules.Rule) (cr rule, fps [][]byte, err error) {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	if r.Proto.Transports() == 0 {
		bad("protocol %q is not supported by the rule matcher", r.Proto)
	}
	if r.Action < rules.ActionAlert || r.Action > rules.ActionPass {
		bad("action %q is not supported", r.Action)
	}
	cr.rule = r
	cr.pass = r.Action == rules.ActionPass
	cr.action = packetAction(r.Action)
	cr.priority = rulePriority(r)
	compileHeader(r, &cr, bad)
	compileDecoderKeywords(r, &cr, bad)
	if t := r.Threshold; t != nil {
		ct, msg := compileThreshold(t)
		if msg != "" {
			bad("%s", msg)
		}
		cr.thr = ct
	}

	// contents and pcres, grouped by buffer in rule order
	var best *rules.Content
	var bestBuf rules.Buffer
	var bestPat []byte    // best's pattern, or what the payload holds of it (transformedPrefilter)
	var pcreLits []string // the best positive pcre's literals (pcrePrefilter)
	for i := range r.Matches {
		m := &r.Matches[i]
		id := m.Buffer
		if id >= rules.NumBuffers {
			bad("buffer %q is not supported", id)
			continue
		}
		var it item
		switch {
		case m.Content != nil && m.PCRE == nil:
			c, msg := compileContent(m.Content, id, m.Transforms)
			if v := m.Content.OffsetVar | m.Content.DepthVar | m.Content.DistanceVar | m.Content.WithinVar; msg == "" && max(m.Content.OffsetVar, m.Content.DepthVar, m.Content.DistanceVar, m.Content.WithinVar) > rules.ByteVar(len(r.ByteVars)) {
				msg = fmt.Sprintf("content %q: byte_extract variable %d out of range", m.Content.Pattern, v)
			}
			if msg != "" {
				bad("%s", msg)
				continue
			}
			it.c = c
			// http.header_names is built, not a span of the payload the
			// prefilter searches, and the header buffers are not in the
			// payload, so their contents cannot be the pattern; nor can those
			// of most transformed buffers
			if !m.Content.Negated && prefilterBuffer(id) && (best == nil || betterFastPattern(m.Content, best)) {
				if piece, ok := transformedPrefilter(m.Transforms, m.Content.Pattern); ok {
					best, bestBuf, bestPat = m.Content, id, piece
				}
			}
		case m.Dataset != nil && m.Content == nil && m.PCRE == nil && m.Byte == nil:
			if id == rules.BufferPayload {
				bad("%s on the payload: it needs a sticky buffer", datasetKeyword(m.Dataset))
				continue
			}
			it.d = &datasetCheck{kw: m.Dataset}
		case m.Byte != nil && m.Content == nil && m.PCRE == nil:
			b, msg := compileByte(m.Byte, len(r.ByteVars))
			if msg != "" {
				bad("%s", msg)
				continue
			}
			it.b = b
		case m.PCRE != nil && m.Content == nil:
			if m.PCRE.Expr == "" && m.PCRE.BT == nil {
				bad("pcre %s: not compiled", m.PCRE.Source)
				continue
			}
			it.p = compilePCRE(m.PCRE)
			// as for contents, but a transformed buffer's or a dns.query's
			// matches need not be bytes of the payload
			if m.PCRE.Expr != "" && !m.PCRE.Negated && prefilterBuffer(id) && id != rules.BufferDNSQuery && len(m.Transforms) == 0 {
				if lits := pcreLiterals(m.PCRE.Expr); betterLits(lits, pcreLits) {
					pcreLits = lits
				}
			}
		default:
			bad("match %d: exactly one of content, pcre and a byte check must be set", i+1)
			continue
		}
		cr.bufs = addItem(cr.bufs, id, m.Transforms, it)
		if handshakeBuffer(id) {
			cr.handshake, cr.hsNeed = true, cr.hsNeed|handshakeBit(id)
		}
	}
	for _, bs := range r.BSize {
		if bs.Buffer >= rules.NumBuffers || bs.Buffer == rules.BufferPayload || bs.Size == nil ||
			bs.Size.Op < rules.RangeEq || bs.Size.Op > rules.RangeInclusive {
			bad("bsize on the %s buffer: not a buffer and size the matcher can test", bs.Buffer)
			continue
		}
		i := chainIndex(&cr.bufs, bs.Buffer, bs.Transforms)
		if cr.bufs[i].bsize != nil {
			bad("bsize given twice for the %s buffer", bs.Buffer)
		}
		cr.bufs[i].bsize = bs.Size
		if handshakeBuffer(bs.Buffer) {
			cr.handshake, cr.hsNeed = true, cr.hsNeed|handshakeBit(bs.Buffer)
		}
	}
	if len(errs) > 0 {
		return cr, nil, fmt.Errorf("%s:%d: sid %d: %s", r.File, r.Line, r.SID, strings.Join(errs, "; "))
	}
	for i := range cr.bufs {
		linkItems(cr.bufs[i].items)
	}
	var fp []byte
	if best != nil {
		fp = lowerASCII(nil, bestPat)
		if bestBuf == rules.BufferDNSQuery {
			fp = dnsPrefilterPiece(fp) // the dotted name is not in the payload
			if len(fp) == 0 {
				fp = nil
			}
		}
	}
	fps = pcrePrefilter(fp, pcreLits)
	cr.detail = fmt.Sprintf("rule %s:%d matched: %s", r.File, r.Line, r.Msg)
	return cr, fps, nil
}

// prefilterBuffer reports whether the bytes a match finds in buffer id are
// bytes of the payload the prefilter searches, so that a pattern taken
// from the match may stand for the rule: not the built http.header_names,
// a handshake's decoded fields, a packet header or an address.
func prefilterBuffer(id rules.Buffer) bool {
	return id != rules.BufferHTTPHeaderNames && !handshakeBuffer(id) && !id.Header() && !id.IPBuffer()
}

// pcrePrefilter chooses a rule's prefilter patterns: its fast pattern fp,
// or its pcre's literals (pcrelit.go) when it has no fast pattern or every
// literal is longer than it. ET Open's javascript-in-attribute rules have
// content:"=" and a pcre requiring "src", "href" or "url": "=" let them run
// on nearly every HTML page.
func pcrePrefilter(fp []byte, lits []string) [][]byte {
	if len(lits) > 0 && (fp == nil || shortest(lits) > len(fp)) {
		fps := make([][]byte, len(lits))
		for i, l := range lits {
			fps[i] = []byte(l)
		}
		return fps
	}
	if fp == nil {
		return nil
	}
	return [][]byte{fp}
}

// betterFastPattern reports whether c should be the prefilter pattern
// rather than cur: a fast_pattern content wins, then the longest, then the
// first.
func betterFastPattern(c, cur *rules.Content) bool {
	if c.FastPattern != cur.FastPattern {
		return c.FastPattern
	}
	return !cur.FastPattern && len(c.Pattern) > len(cur.Pattern)
}

// chainIndex returns the index of the chain for buffer id with transforms
// xf, adding an empty one when the rule has none.
func chainIndex(bufs *[]chain, id rules.Buffer, xf []rules.Transform) int {
	for i := range *bufs {
		if (*bufs)[i].id == id && rules.SameTransforms((*bufs)[i].xf, xf) {
			return i
		}
	}
	*bufs = append(*bufs, chain{id: id, xf: xf})
	return len(*bufs) - 1
}

func addItem(bufs []chain, id rules.Buffer, xf []rules.Transform, it item) []chain {
	i := chainIndex(&bufs, id, xf)
	bufs[i].items = append(bufs[i].items, it)
	return bufs
}

// linkItems sets the flags that tie an item to the next one, as Suricata's
// distance/within/pcre R setup sets them on the previous content or pcre.
func linkItems(items []item) {
	for i := range items {
		if i+1 < len(items) {
			next := items[i+1]
			nextRel := next.relative()
			if c := items[i].c; c != nil {
				c.relativeNext = nextRel
			}
			if p := items[i].p; p != nil {
				p.relativeNext = nextRel
			}
		}
		if p := items[i].p; p != nil && !p.negated {
			// a later relative item sees this match's end until a later
			// positive item replaces it
			for _, later := range items[i+1:] {
				if later.relative() {
					p.needEnd = true
					break
				}
				// a positive content or pcre, or a byte_jump, sets a new end
				if later.c != nil && !later.c.negated || later.p != nil && !later.p.negated ||
					later.b != nil && later.b.op.Kind == rules.ByteJump {
					break
				}
			}
		}
	}
}
