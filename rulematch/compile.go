package rulematch

// Compiling one rule: the header tests (header.go), the threshold
// (threshold.go), the flowbits (flowbits.go) and each buffer's chain of
// contents, pcres and byte checks, linked as Suricata links relative
// matches. A rule the matcher cannot run as written is an error, never a
// rule run with a changed meaning.

import (
	"fmt"
	"strings"

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

// chain is a rule's chain of items in one buffer, in rule order.
type chain struct {
	id    rules.Buffer
	items []item // may be empty when bsize is all the rule asks of the buffer
	bsize *rules.Range
}

// rule is a compiled rule.
type rule struct {
	rule    *rules.Rule
	ipv     rules.IPVersion
	pass    bool
	bidir   bool
	flow    rules.Flow
	hasFlow bool
	flags   *rules.Flags
	dsize   *rules.Range
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
	// ipOnly: Suricata's IP-only rule, run on the first packet of each
	// direction of a flow (flowstate.go).
	ipOnly bool
	// appHTTP: an http rule with no buffer (or only ip.src and ip.dst),
	// run on the packets of flows that carried an HTTP request
	// (flowstate.go).
	appHTTP bool
	// dnsPorts: a dns rule reading only ip.src or ip.dst, run on UDP and
	// TCP packets to or from port 53, where DNS is detected (dns.go).
	dnsPorts bool
}

// compileRule checks and compiles one rule. fp is its lowercased prefilter
// pattern, nil when it has no positive content.
func compileRule(r *rules.Rule) (cr rule, fp []byte, err error) {
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
	compileHeader(r, &cr, bad)
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
			c, msg := compileContent(m.Content, id)
			if msg != "" {
				bad("%s", msg)
				continue
			}
			it.c = c
			// http.header_names is built, not a span of the payload the
			// prefilter searches, nor are the addresses of ip.src and
			// ip.dst, so their contents cannot be the pattern
			if !m.Content.Negated && id != rules.BufferHTTPHeaderNames && !id.IPBuffer() && (best == nil || betterFastPattern(m.Content, best)) {
				best, bestBuf = m.Content, id
			}
		case m.Dataset != nil && m.Content == nil && m.PCRE == nil && m.Byte == nil:
			if id == rules.BufferPayload {
				bad("%s on the payload: it needs a sticky buffer", datasetKeyword(m.Dataset))
				continue
			}
			it.d = &datasetCheck{kw: m.Dataset}
		case m.Byte != nil && m.Content == nil && m.PCRE == nil:
			b, msg := compileByte(m.Byte)
			if msg != "" {
				bad("%s", msg)
				continue
			}
			it.b = b
		case m.PCRE != nil && m.Content == nil:
			if m.PCRE.Re == nil {
				bad("pcre %s: not compiled", m.PCRE.Source)
				continue
			}
			it.p = compilePCRE(m.PCRE)
		default:
			bad("match %d: exactly one of content, pcre and a byte check must be set", i+1)
			continue
		}
		cr.bufs = addItem(cr.bufs, id, it)
	}
	for _, bs := range r.BSize {
		if bs.Buffer >= rules.NumBuffers || bs.Buffer == rules.BufferPayload || bs.Size == nil ||
			bs.Size.Op < rules.RangeEq || bs.Size.Op > rules.RangeInclusive {
			bad("bsize on the %s buffer: not a buffer and size the matcher can test", bs.Buffer)
			continue
		}
		i := chainIndex(&cr.bufs, bs.Buffer)
		if cr.bufs[i].bsize != nil {
			bad("bsize given twice for the %s buffer", bs.Buffer)
		}
		cr.bufs[i].bsize = bs.Size
	}
	if len(errs) > 0 {
		return cr, nil, fmt.Errorf("%s:%d: sid %d: %s", r.File, r.Line, r.SID, strings.Join(errs, "; "))
	}
	for i := range cr.bufs {
		linkItems(cr.bufs[i].items)
	}
	if best != nil {
		fp = lowerASCII(nil, best.Pattern)
		if bestBuf == rules.BufferDNSQuery {
			fp = dnsPrefilterPiece(fp) // the dotted name is not in the payload
			if len(fp) == 0 {
				fp = nil
			}
		}
	}
	cr.detail = fmt.Sprintf("rule %s:%d matched: %s", r.File, r.Line, r.Msg)
	return cr, fp, nil
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

// chainIndex returns the index of the chain for buffer id, adding an empty
// one when the rule has none.
func chainIndex(bufs *[]chain, id rules.Buffer) int {
	for i := range *bufs {
		if (*bufs)[i].id == id {
			return i
		}
	}
	*bufs = append(*bufs, chain{id: id})
	return len(*bufs) - 1
}

func addItem(bufs []chain, id rules.Buffer, it item) []chain {
	for i := range bufs {
		if bufs[i].id == id {
			bufs[i].items = append(bufs[i].items, it)
			return bufs
		}
	}
	return append(bufs, chain{id: id, items: []item{it}})
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
