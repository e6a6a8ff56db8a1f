package rulematch

// The per-packet run, Suricata's DetectRun as a list of stages: the
// packet's class and candidates (prefilter, port index), full evaluation
// in rule order (a matching pass rule ends it), alerts through thresholds,
// then the stream pass and the pending HTTP requests. The compiled engine
// is read-only; scratch is the per-worker state.

import (
	"fmt"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
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
	addrs     addrMemo
	cands     []int32
	candBits  []uint64 // sortUnique's bitmap
	aheadRes  []uint8  // aheadOutcomes's result
	matched   []int32
	stream    []byte         // a segment's stream prefix + new data
	scands    []int32        // candidates for the stream pass
	latin1    []byte         // a pcre subject presented one rune per byte
	bt        pcrebt.Machine // the backtracking matcher's stack and captures
	steps     int            // content/pcre steps of the current inspection
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
	tlsName  span
	tlsHello bool // the payload is a whole ClientHello
	tlsDone  bool
	tlsFor   []byte
	// the packet's side of its connection's handshakes (handshake.go),
	// looked up at most once per packet
	hsSide     *handshakeSide
	hsFlow     *handshakeFlow
	hsLooked   bool
	hsProtoNow bool // the packet showed the flow's protocol
	// alerts raised for the packet, and for the application-layer
	// inspection it led to (Config.PacketAlertMax, Config.Inline)
	alerts, txAlerts int
	// vars are the byte_extract values of the rule being evaluated
	// (bytecheck.go), cleared before each rule that has any
	vars byteValues
	// the HTTP response being inspected (httpresp.go): while inResp, the
	// http buffers are its buffers
	resp   respView
	inResp bool
	// a transformed buffer (transform.go): two buffers the transforms
	// write in turn, and the result lowercased
	xfOut [2][]byte
	xfLow []byte
	// hdrLow: a header buffer lowercased (decoderkw.go)
	hdrLow []byte
	// ip.src, ip.dst (inspect.go) and the 16-byte key an IPv4 address
	// stands for in an ip set (dataset.go)
	ipRaw, ipLow []byte
	ipKey        [16]byte
	// sets are the run's datasets (dataset.go), Matcher.sets, here for
	// the chains that look in them
	sets []*dataset
}

// newPacket forgets what the scratch worked out from the previous packet's
// bytes: Observe starts each packet with it, and so does Ahead.
func (s *scratch) newPacket() {
	s.lowered, s.httpDone = false, false
	s.dnsDone, s.tlsDone = false, false
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
	// resp holds the response being received on each connection
	// (httpresp.go); nil when no rule reads a response.
	resp          *bounded.Table[httpKey, httpResponse]
	respBodyBytes int
	respLayers    int
	respFree      [][]byte                     // body buffers of finished responses
	headFree      [][]byte                     // head buffers of finished responses
	firedFree     [][]int32                    // fired lists of finished responses
	onRespEnd     func(httpKey, *httpResponse) // recycleResponse, bound once
	decoder       bodyDecoder
	// flowbits are the flows' flowbits; nil when no rule uses them.
	flowbits *bounded.Table[flowKey, flowBits]
	// flows are the flows IP-only and protocol-only HTTP rules follow
	// (flowstate.go); nil when there are no such rules.
	flows         *bounded.Table[flowKey, ruleFlow]
	bitsFree      [][]uint64
	onFlowbitsEnd func(flowKey, *flowBits) // recycleFlowbits, bound once
	// inline is Config.Inline.
	inline bool
	// droppedFlows counts the flows drop and reject rules dropped.
	droppedFlows uint64
	// handshakes are the TLS and SSH handshakes of TCP connections
	// (handshake.go); nil when no rule reads them. hsFree and valsFree
	// are ended flows' buffers, hsInUse the reassembly buffers handed
	// out, hsRefused the handshakes not read for want of one.
	handshakes     *bounded.Table[flowKey, handshakeFlow]
	hsFree         [][]byte
	valsFree       [][2][]byte
	hsInUse        int
	hsRefused      uint64
	onHandshakeEnd func(flowKey, *handshakeFlow) // recycleHandshake, bound once
	// noPrefilter evaluates every rule of the packet's class (tests: the
	// prefilter must never change results).
	noPrefilter bool
	// worker: a Matcher for Ahead only (ahead.go); ahead is what a worker
	// found for the next packet Observe sees (UseAhead), nil for none.
	worker bool
	ahead  *Ahead
}

// New checks cfg and compiles rs. A rule the matcher cannot run
// as written (a protocol, buffer, action or modifier it does not know, or
// a combination Suricata's loader rejects) is an error naming file:line;
// all such rules are reported together.
func New(rs []*rules.Rule, cfg Config) (*Matcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	eng, err := compileRules(rs, cfg)
	if err != nil {
		return nil, err
	}
	if err := applyThresholdFile(eng, cfg.ThresholdFile); err != nil {
		return nil, err
	}
	m := &Matcher{
		eng: eng,
		sc: scratch{limit: cfg.InspectionRecursionLimit,
			ipRaw: make([]byte, 0, 16), ipLow: make([]byte, 0, 16)},
		thresh:        bounded.New[thresholdKey, thresholdState](cfg.MaxThresholdEntries),
		httpBytes:     cfg.HTTPRequestBytes,
		respBodyBytes: cfg.HTTPResponseBodyBytes,
		respLayers:    cfg.HTTPDecompressLayers,
		inline:        cfg.Inline,
	}
	if eng.flowbitWords > 0 {
		m.flowbits = bounded.New[flowKey, flowBits](cfg.MaxFlowbitFlows)
		m.onFlowbitsEnd = m.recycleFlowbits
	}
	if eng.ipOnly || eng.appHTTP || eng.actions {
		m.flows = bounded.New[flowKey, ruleFlow](cfg.MaxRuleFlows)
	}
	if eng.handshake {
		m.handshakes = bounded.New[flowKey, handshakeFlow](cfg.MaxRuleFlows)
		m.onHandshakeEnd = m.recycleHandshake
	}
	if eng.sets[classTCP].hasHTTP {
		m.http = bounded.New[httpKey, httpPending](cfg.MaxHTTPRequests)
		m.onHTTPEnd = m.recycleHTTP
	}
	if eng.sets[classTCP].hasResp {
		m.resp = bounded.New[httpKey, httpResponse](cfg.MaxHTTPResponses)
		m.onRespEnd = m.recycleResponse
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
	if m.resp != nil {
		n += m.resp.Evicted()
	}
	if m.flowbits != nil {
		n += m.flowbits.Evicted()
	}
	if m.flows != nil {
		n += m.flows.Evicted()
	}
	if m.handshakes != nil {
		n += m.handshakes.Evicted() + m.hsRefused
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
		if m.handshakes != nil {
			return 1 // handshakes are read from the in-order data
		}
		return 0 // the stream pass runs behind the prefilter only
	}
	set := &m.eng.sets[classTCP]
	if m.handshakes != nil {
		return max(set.streamWindow, 1)
	}
	if set.hasHTTP || set.hasResp {
		// pending requests are fed the in-order data reassembly hands
		// over (StreamData); they need no window of their own
		return max(set.streamWindow, 1)
	}
	return set.streamWindow
}

// StreamPrefixWanted implements packet.StreamPrefixGate: only the stream
// pass reads StreamPrefix, and it runs on a segment with these ports only
// when some stream rule's content may match there (Observe's condition).
func (m *Matcher) StreamPrefixWanted(src, dst uint16) bool {
	set := &m.eng.sets[classTCP]
	return set.hasStream && !m.noPrefilter && set.scanPorts(src, dst)
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
	if m.resp != nil {
		m.resp.Expire(now-tcpEstablishedIdle, m.onRespEnd)
	}
	if m.flowbits != nil {
		m.flowbits.Expire(now-flowbitsIdle, m.onFlowbitsEnd)
	}
	if m.flows != nil {
		m.flows.Expire(now-tcpEstablishedIdle, nil) // the longest timeout
	}
	if m.handshakes != nil {
		m.handshakes.Expire(now-tcpEstablishedIdle, m.onHandshakeEnd)
	}
}

// Observe implements Detector.
func (m *Matcher) Observe(f *packet.Facts, emit packet.Emit) {
	if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
		return
	}
	class := packetClass(f)
	set := &m.eng.sets[class]
	if len(set.all) == 0 {
		return
	}
	s := &m.sc
	s.newPacket()
	s.rflow, s.ipOnlyDone = nil, false
	s.alerts, s.txAlerts = 0, 0
	if v := m.flowVerdict(f); v != packet.ActionAlert {
		// an earlier packet dropped or passed the flow: not inspected
		// (Suricata's DetectFlow)
		f.Verdict = packet.ActionPass
		if v.Blocks() {
			f.Verdict = packet.ActionDrop
		}
		return
	}
	if m.inline && m.eng.appHTTP {
		// inline, Suricata parses a request's data before inspecting its
		// packet, so the request packet is already HTTP (in IDS mode it is
		// parsed when the server acknowledges it: below, after the rules)
		m.markHTTP(f)
	}
	s.hsSide, s.hsFlow, s.hsLooked, s.hsProtoNow = nil, nil, false, false
	if m.handshakes != nil && f.Proto == packet.ProtoTCP && (len(f.StreamData) > 0 || f.ConnEvent == packet.ConnOpened) {
		// read the packet's data before the rules look; a SYN ends what
		// an earlier connection on the same ends left
		m.handshakeSideOf(f)
	}

	cands := s.cands[:0]
	var done []uint8 // outcomes a worker found (ahead.go)
	if m.noPrefilter {
		cands = append(cands, set.all...)
	} else {
		a := m.aheadFor(f, class)
		if a != nil {
			cands = append(cands, a.cands...)
		} else {
			cands = m.packetCands(set, f, cands)
		}
		fromBytes := len(cands)
		if len(set.handshake) > 0 && len(f.Payload) > 0 {
			cands = m.handshakeCands(set, f, cands)
		}
		sni := len(set.sni) > 0 && s.hsSide != nil && s.hsSide.helloNow
		if sni {
			// a hello split over segments: its name may be in an earlier
			// one, where the prefilter looked (tls.go splitHelloSNI)
			cands = append(cands, set.sni...)
		}
		switch {
		case a == nil:
			cands = sortUnique(cands, &s.candBits, len(m.eng.rules))
		case len(cands) == fromBytes:
			done = a.res // a's candidates, sorted already
		default:
			cands = sortUnique(cands, &s.candBits, len(m.eng.rules))
			done = s.aheadOutcomes(a, cands)
		}
	}
	s.cands = cands

	matched := s.matched[:0]
	passed := false
	for i, ri := range cands {
		r := &m.eng.rules[ri]
		var ok bool
		if done != nil && done[i] != 0 {
			ok = done[i] == 2 && flowChecks(r, f) && (len(r.bitConds) == 0 || m.flowbitsHold(r, f))
		} else {
			ok = m.matchRule(r, f)
		}
		if !ok {
			continue
		}
		if r.handshake && !m.handshakeOnce(ri, f) {
			continue // it fired on this side of the flow already
		}
		if len(r.bitActions) > 0 {
			m.flowbitsAct(r, f) // now: a later rule may check the bit
		}
		matched = append(matched, ri)
		if r.pass {
			passed = true // the rules after it would not alert
			break
		}
	}
	s.matched = matched
	for _, ri := range matched {
		if m.fire(&m.eng.rules[ri], f, emit, false) {
			break
		}
	}
	if passed {
		// the packet still counts for the flow state later packets see:
		// Suricata's IP-only engine saw it before any pass rule
		if m.eng.ipOnly {
			m.ipOnlyFirst(f)
		}
		if m.eng.appHTTP && !m.inline {
			m.markHTTP(f)
		}
		return
	}
	if m.eng.appHTTP && !m.inline {
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
	if m.resp != nil && f.Dir == packet.DirToServer && f.Proto == packet.ProtoTCP && len(f.StreamData) > 0 {
		m.httpRequestSeen(f)
	}
	if m.resp != nil && f.Dir == packet.DirToClient && f.Proto == packet.ProtoTCP &&
		(len(f.StreamData) > 0 || f.TCPFlags&(packet.TCPFin|packet.TCPRst) != 0) {
		m.httpResponseData(set, f, emit)
	}
}

func (m *Matcher) event(r *rule, f *packet.Facts) packet.Event {
	ev := packet.Event{
		SID:          r.rule.SID,
		Time:         f.Time,
		Attacker:     f.Src,
		AttackerPort: f.SrcPort,
		FlowStart:    f.FlowStart,
		Dir:          f.Dir,
		Flow:         packet.FlowOf(f),
		Source:       f.Source,
		Victim:       f.Dst,
		VictimPort:   f.DstPort,
		Proto:        f.Proto,
		FirstTime:    f.Time,
		LastTime:     f.Time,
		First:        f.Packet,
		Last:         f.Packet,
		Count:        1,
		Kind:         "rule",
		Detail:       r.detail,
		Action:       r.action,
	}
	attackerMAC := f.SrcMAC
	switch {
	case r.rule.Target == rules.TargetSrc:
		// the packet's source is attacked: its destination attacks
		ev.Attacker, ev.Victim, ev.VictimPort, ev.AttackerPort = f.Dst, f.Src, f.SrcPort, f.DstPort
		attackerMAC = f.DstMAC
	case r.rule.Target == rules.TargetNone && r.flow.Direction == rules.FlowToClient:
		// a response from a server: a malicious server's, or a protected
		// one's that shows it was attacked; the rule does not say which
		ev.Unattributed = true
	}
	if f.HasEth && packet.OnLink(ev.Attacker) {
		ev.AttackerMAC, ev.HasMAC = attackerMAC, true
	}
	return ev
}

// matchRule evaluates one rule in full, cheapest tests first.
func (m *Matcher) matchRule(r *rule, f *packet.Facts) bool {
	return m.matchPacket(r, f) && (len(r.bitConds) == 0 || m.flowbitsHold(r, f))
}

// matchPacket is matchRule but for the flowbits, which earlier rules on
// the same packet may set: for a packetOnly rule (ahead.go) it depends on
// nothing but the packet and its flow facts.
func (m *Matcher) matchPacket(r *rule, f *packet.Facts) bool {
	v := rules.IPv4
	if f.L3 == packet.L3IPv6 {
		v = rules.IPv6
	}
	if r.ipv&v == 0 || !m.headerMatch(r, f) {
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
	if r.appProto != 0 && !m.handshakeFlowIs(r.appProto, f) {
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
	if r.hdr != nil && !r.hdr.match(f) {
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
	if len(r.rule.ByteVars) > 0 {
		m.sc.vars = byteValues{}
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
	return true
}
