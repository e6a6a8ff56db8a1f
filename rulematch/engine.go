package rulematch

// The per-packet run, Suricata's DetectRun as a list of stages: the
// packet's class and candidates (prefilter, port index), full evaluation
// in rule order (a matching pass rule ends it), alerts through thresholds,
// then the stream pass and the pending HTTP requests. The compiled engine
// is read-only; scratch is the per-worker state.

import (
	"fmt"
	"slices"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// scratch is the per-packet working state, reused so steady-state
// matching does not allocate: Suricata's DetectEngineThreadCtx.
type scratch struct {
	lower    []byte // lowercased payload
	lowered  bool
	http     httpSpans
	httpDone bool
	// names, namesLow: the http.header_names buffer of the parsed
	// request, built when a rule asks (namesDone)
	names     []byte
	namesLow  []byte
	namesDone bool
	pf        prefilterScratch
	cands     []int32
	matched   []int32
	stream    []byte  // a segment's stream prefix + new data
	scands    []int32 // candidates for the stream pass
	latin1    []byte  // a pcre subject presented one rune per byte
	steps     int     // content/pcre steps of the current inspection
	limit     int
	// the packet's flow in Matcher.flows (flowstate.go), looked up at most
	// once per packet: nil until then
	rflow       *ruleFlow
	rside       uint8
	ipOnlyDone  bool // ipOnlyFirst has been worked out for this packet
	ipOnlyFirst bool
	// the packet's DNS request (dns.go), parsed at most once per packet
	dns     dnsQueries
	dnsDone bool
	dnsOK   bool
	dnsFor  []byte // the payload dns was parsed from
	// the packet's ClientHello server name (tls.go), parsed at most once
	tlsName span
	tlsDone bool
	tlsFor  []byte
	// ip.src, ip.dst (inspect.go) and the 16-byte key an IPv4 address
	// stands for in an ip set (dataset.go)
	ipRaw, ipLow []byte
	ipKey        [16]byte
	// sets are the run's datasets (dataset.go), Matcher.sets, here for
	// the chains that look in them
	sets []*dataset
}

var _ packet.Detector = (*Matcher)(nil)

// Matcher runs compiled rules on packets: one Event per matching packet
// and rule, subject to each rule's threshold or detection_filter. Build it
// with New; it is not safe for concurrent use (give each worker
// its own).
type Matcher struct {
	eng    *engine
	sc     scratch
	thresh *bounded.Table[thresholdKey, thresholdState]
	// http holds requests whose headers span segments (http.go);
	// nil when no rule inspects an http buffer.
	http       *bounded.Table[httpKey, httpPending]
	httpBytes  int
	httpFree   [][]byte                    // buffers of finished requests
	httpJoined httpPending                 // a request joined from reordered segments
	onHTTPEnd  func(httpKey, *httpPending) // recycleHTTP, bound once
	// flowbits are the flows' flowbits; nil when no rule uses them.
	flowbits *bounded.Table[flowKey, flowBits]
	// flows are the flows IP-only and protocol-only HTTP rules follow
	// (flowstate.go); nil when there are no such rules.
	flows         *bounded.Table[flowKey, ruleFlow]
	bitsFree      [][]uint64
	onFlowbitsEnd func(flowKey, *flowBits) // recycleFlowbits, bound once
	// noPrefilter evaluates every rule of the packet's class (tests: the
	// prefilter must never change results).
	noPrefilter bool
}

// New checks cfg and compiles rs. A rule the matcher cannot run
// as written (a protocol, buffer, action or modifier it does not know, or
// a combination Suricata's loader rejects) is an error naming file:line;
// all such rules are reported together.
func New(rs []*rules.Rule, cfg Config) (*Matcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	eng, err := compileRules(rs)
	if err != nil {
		return nil, err
	}
	m := &Matcher{
		eng: eng,
		sc: scratch{limit: cfg.InspectionRecursionLimit,
			ipRaw: make([]byte, 0, 16), ipLow: make([]byte, 0, 16)},
		thresh:    bounded.New[thresholdKey, thresholdState](cfg.MaxThresholdEntries),
		httpBytes: cfg.HTTPRequestBytes,
	}
	if eng.flowbitWords > 0 {
		m.flowbits = bounded.New[flowKey, flowBits](cfg.MaxFlowbitFlows)
		m.onFlowbitsEnd = m.recycleFlowbits
	}
	if eng.ipOnly || eng.appHTTP {
		m.flows = bounded.New[flowKey, ruleFlow](cfg.MaxRuleFlows)
	}
	if eng.sets[classTCP].hasHTTP {
		m.http = bounded.New[httpKey, httpPending](cfg.MaxHTTPRequests)
		m.onHTTPEnd = m.recycleHTTP
	}
	// each matcher reads its own sets: set and unset change them
	for i := range eng.datasets.specs {
		sp := &eng.datasets.specs[i]
		d, _, err := loadDataset(sp, int64(cfg.DatasetMemcap))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sp.where, err)
		}
		m.sc.sets = append(m.sc.sets, d)
	}
	return m, nil
}

// Name implements Detector.
func (m *Matcher) Name() string { return "rules" }

// Evicted implements Detector: threshold entries, pending HTTP requests,
// flows' flowbits and rule flows dropped at their caps, and entries a
// dataset's set refused at its memcap.
func (m *Matcher) Evicted() uint64 {
	n := m.thresh.Evicted()
	if m.http != nil {
		n += m.http.Evicted()
	}
	if m.flowbits != nil {
		n += m.flowbits.Evicted()
	}
	if m.flows != nil {
		n += m.flows.Evicted()
	}
	for _, d := range m.sc.sets {
		n += d.refused
	}
	return n
}

// StreamWindow implements StreamConsumer: the stream bytes before a TCP
// segment's new data the stream rules need to find a match that ends in it.
func (m *Matcher) StreamWindow() int {
	if m.noPrefilter {
		return 0 // the stream pass runs behind the prefilter only
	}
	set := &m.eng.sets[classTCP]
	if set.hasHTTP {
		// pending requests are fed the in-order data reassembly hands
		// over (StreamData); they need no window of their own
		return max(set.streamWindow, 1)
	}
	return set.streamWindow
}

// Rules reports how many rules were compiled.
func (m *Matcher) Rules() int { return len(m.eng.rules) }

// Expire implements Detector. An entry untouched for the longest window of
// any rule belongs to a window that has ended: its next match would start
// a new one anyway.
func (m *Matcher) Expire(now int64, _ packet.Emit) {
	m.thresh.Expire(now-m.eng.maxWindow, nil)
	if m.http != nil {
		m.http.Expire(now-httpRequestIdle, m.onHTTPEnd)
	}
	if m.flowbits != nil {
		m.flowbits.Expire(now-flowbitsIdle, m.onFlowbitsEnd)
	}
	if m.flows != nil {
		m.flows.Expire(now-tcpEstablishedIdle, nil) // the longest timeout
	}
}

// Observe implements Detector.
func (m *Matcher) Observe(f *packet.Facts, emit packet.Emit) {
	if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
		return
	}
	set := &m.eng.sets[packetClass(f)]
	if len(set.all) == 0 {
		return
	}
	s := &m.sc
	s.lowered, s.httpDone = false, false
	s.rflow, s.ipOnlyDone = nil, false
	s.dnsDone, s.tlsDone = false, false

	cands := s.cands[:0]
	if m.noPrefilter {
		cands = append(cands, set.all...)
	} else {
		if set.pf != nil && len(f.Payload) >= set.pf.minLen {
			ported := f.Proto != packet.ProtoTCP && f.Proto != packet.ProtoUDP || set.portGate(f.SrcPort, f.DstPort)
			if ported || set.pf.hasOpen() {
				cands = set.pf.searchFor(f.Payload, ported, &s.pf, cands)
			}
		}
		cands = append(cands, set.always...)
		if f.Proto == packet.ProtoTCP || f.Proto == packet.ProtoUDP {
			if l, ok := set.byDst[f.DstPort]; ok {
				cands = append(cands, l...)
			}
			if l, ok := set.bySrc[f.SrcPort]; ok {
				cands = append(cands, l...)
			}
		}
		slices.Sort(cands)
	}
	s.cands = cands

	matched := s.matched[:0]
	for _, ri := range cands {
		r := &m.eng.rules[ri]
		if !m.matchRule(r, f) {
			continue
		}
		if len(r.bitActions) > 0 {
			m.flowbitsAct(r, f) // now: a later rule may check the bit
		}
		if r.pass {
			s.matched = matched
			// the packet still counts for the flow state later packets see:
			// Suricata's IP-only engine saw it before any pass rule
			if m.eng.ipOnly {
				m.ipOnlyFirst(f)
			}
			if m.eng.appHTTP {
				m.markHTTP(f)
			}
			return
		}
		matched = append(matched, ri)
	}
	s.matched = matched
	for _, ri := range matched {
		m.fire(&m.eng.rules[ri], f, emit)
	}
	if m.eng.appHTTP {
		m.markHTTP(f) // after the rules: the request packet itself is not yet HTTP
	}
	if len(f.StreamData) > 0 && (len(f.StreamPrefix) > 0 || len(f.StreamPieces) > 1) && f.Proto == packet.ProtoTCP &&
		set.hasStream && !m.noPrefilter && set.scanPorts(f.SrcPort, f.DstPort) {
		m.streamPass(set, f, emit)
	}
	if m.http != nil && set.hasHTTP && len(f.StreamData) > 0 && f.Proto == packet.ProtoTCP &&
		(set.httpUngated || set.scanPorts(f.SrcPort, f.DstPort)) {
		m.httpRequest(set, f, emit)
	}
}

func (m *Matcher) event(r *rule, f *packet.Facts) packet.Event {
	ev := packet.Event{
		SID:        r.rule.SID,
		Time:       f.Time,
		Attacker:   f.Src,
		Victim:     f.Dst,
		VictimPort: f.DstPort,
		Proto:      f.Proto,
		FirstTime:  f.Time,
		LastTime:   f.Time,
		First:      f.Packet,
		Last:       f.Packet,
		Count:      1,
		Kind:       "rule",
		Detail:     r.detail,
	}
	if f.HasEth && packet.OnLink(f.Src) {
		ev.AttackerMAC, ev.HasMAC = f.SrcMAC, true
	}
	return ev
}

// matchRule evaluates one rule in full, cheapest tests first.
func (m *Matcher) matchRule(r *rule, f *packet.Facts) bool {
	v := rules.IPv4
	if f.L3 == packet.L3IPv6 {
		v = rules.IPv6
	}
	if r.ipv&v == 0 || !r.headerMatch(f) {
		return false
	}
	if r.ipOnly {
		// nothing else to check: addresses and ports are all it has
		return m.ipOnlyFirst(f)
	}
	if r.appHTTP && !m.httpFlow(f) {
		return false
	}
	if r.dnsPorts && f.SrcPort != dnsPort && f.DstPort != dnsPort {
		return false
	}
	if r.streamOnly && f.Retransmission && len(r.bufs) > 0 {
		return false
	}
	if r.hasFlow && !flowMatch(&r.flow, f) {
		return false
	}
	if r.flags != nil && (f.Proto != packet.ProtoTCP || !tcpFlagsMatch(r.flags, f.TCPFlags)) {
		return false
	}
	if (r.seq != nil || r.ack != nil || r.window != nil || r.ipid != nil || r.icmpid != nil || r.icmpseq != nil) && !r.fieldsMatch(f) {
		return false
	}
	// sameip needs an IP packet: Suricata's matches IPv4 and IPv6 only
	if r.sameIP && (f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 || f.Src != f.Dst) {
		return false
	}
	if r.fragbits != nil && (f.L3 != packet.L3IPv4 || !fragBitsMatch(r.fragbits, f.IPFlags)) {
		return false
	}
	if r.dsize != nil && (r.dsizeNeedsPayload && len(f.Payload) == 0 || !r.dsize.Match(len(f.Payload))) {
		return false
	}
	if r.ttl != nil && !r.ttl.Match(int(f.TTL)) {
		return false
	}
	icmp := f.Proto == packet.ProtoICMP || f.Proto == packet.ProtoICMPv6
	if r.itype != nil && (!icmp || !r.itype.Match(int(f.ICMPType))) {
		return false
	}
	if r.icode != nil && (!icmp || !r.icode.Match(int(f.ICMPCode))) {
		return false
	}
	if r.urilen != nil {
		// the http.uri buffer for both ,norm and ,raw: it holds the
		// target as sent (doc.go), which is what ,raw measures
		uri, _, ok := m.buffer(rules.BufferHTTPURI, f)
		if !ok || !r.urilen.Match(len(uri)) {
			return false
		}
	}
	for i := range r.bufs {
		b := &r.bufs[i]
		if b.id == rules.BufferDNSQuery {
			// one buffer per question: the chain runs on each name
			if !m.matchDNSQuery(b, f) {
				return false
			}
			continue
		}
		raw, low, ok := m.buffer(b.id, f)
		if !ok {
			return false
		}
		if !m.sc.runChain(b, raw, low) {
			return false
		}
	}
	return len(r.bitConds) == 0 || m.flowbitsHold(r, f)
}
