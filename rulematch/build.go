package rulematch

// Building the rule base, after detect-engine-build.c: rules are ordered
// (pass first, flowbit setters before readers), split by protocol class,
// and within a class either given to the prefilter by their fast pattern
// or indexed by the few ports they name; the rest run for every packet of
// the class.

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Protocol classes: each packet falls in exactly one, and each class has
// its own rule set and prefilter. They are numbered as rules.Transport
// numbers its bits, so a rule's protocol gives its classes directly.
const (
	classTCP = iota
	classUDP
	classICMP4
	classICMP6
	classOther // any other IP protocol, or no decoded transport header
	numClasses
)

// classTransport is the rules.Transport bit of class c.
func classTransport(c int) rules.Transport { return 1 << c }

// packetClass is the class of an IP packet.
func packetClass(f *packet.Facts) int {
	switch f.Proto {
	case packet.ProtoTCP:
		return classTCP
	case packet.ProtoUDP:
		return classUDP
	case packet.ProtoICMP:
		return classICMP4
	case packet.ProtoICMPv6:
		return classICMP6
	}
	return classOther
}

// ruleSet is one protocol class's share of the rules.
type ruleSet struct {
	all []int32    // every rule of the class, ascending
	pf  *prefilter // rules with a positive content or pcre literals; nil when none
	// pfDst and pfSrc gate the prefilter's ported group: the destination
	// and source ports some port-limited content rule of the class accepts.
	// A packet whose destination is in neither pfDst nor, for its source,
	// pfSrc cannot match such a rule, so their patterns are not searched:
	// most traffic (TLS on 443, HTTP responses against request rules) never
	// needs them. pfAllPorts: a content rule accepts any ports, so the
	// prefilter's open group is searched in every packet.
	pfDst, pfSrc *[1 << 10]uint64
	pfAllPorts   bool
	hasStream    bool // some content rule may match across segments
	hasHTTP      bool // some rule inspects an http buffer
	// httpUngated: some http rule has no prefilter pattern (a pcre without
	// literals, urilen or negated contents only), so the prefilter's port
	// gate does not speak for it and requests are followed on every port
	httpUngated bool
	// hasResp: some rule reads a response buffer; respAlways are those
	// without a prefilter pattern, run on every response
	hasResp    bool
	respAlways []int32
	// streamWindow: stream bytes before a segment's new data the class's
	// stream rules need (their longest reach - 1).
	streamWindow int
	// Rules without a prefilter pattern, always evaluated once the
	// packet's ports select them: by a small destination port set, by a
	// small source port set (to_client rules written "80 -> any"), or
	// for every packet of the class.
	always []int32
	// handshake are rules without a pattern that read handshake buffers
	// (handshake.go): candidates on packets whose side holds them all.
	handshake []int32
	// sni are the rules reading tls.sni, candidates on a packet that
	// completes a ClientHello split over segments.
	sni   []int32
	byDst map[uint16][]int32
	bySrc map[uint16][]int32
}

// engine is the compiled rule base, read-only after compileRules:
// Suricata's DetectEngineCtx. Per-packet state lives in scratch.
type engine struct {
	rules     []rule // pass rules first, then in the order given
	sets      [numClasses]ruleSet
	maxWindow int64 // longest threshold window, ns; 0 without thresholds
	// flowbitWords is the size of a flow's flowbits bitmap in words; 0
	// when no rule uses flowbits.
	flowbitWords int
	// ipOnly, appHTTP: some rule is IP-only or a protocol-only http rule,
	// so the matcher follows flows for them (flowstate.go); actions: some
	// rule drops, rejects or passes, so flows keep verdicts (action.go).
	ipOnly, appHTTP, actions bool
	// alertMax is Config.PacketAlertMax.
	alertMax int
	// addrs are the rules' distinct address sets (header.go)
	addrs addrSpecs
	// handshake: some rule reads a TLS or SSH handshake buffer
	handshake bool
	// skipped are the rules left out because they can never match here
	// (skip.go).
	skipped []rules.Skipped
	// datasets are the sets the rules name (dataset.go); each Matcher
	// loads its own from them.
	datasets datasetRegistry
}

// smallPortSet is how many ports a rule may list and still be indexed by
// port rather than evaluated for every packet of its protocol.
const smallPortSet = 64

// compileRules compiles rs, reporting every bad rule by file:line.
func compileRules(rs []*rules.Rule, cfg Config) (*engine, error) {
	ranks, err := actionRanks(cfg.ActionOrder)
	if err != nil {
		return nil, fmt.Errorf("action_order: %w", err)
	}
	eng := &engine{alertMax: cfg.PacketAlertMax}
	var errs []error
	order := make([]*rules.Rule, 0, len(rs))
	for i, r := range rs {
		if r == nil {
			errs = append(errs, fmt.Errorf("rule %d: nil rule", i))
			continue
		}
		order = append(order, r)
	}
	// by action (pass first by default, so one matching pass rule ends a
	// packet's checks), then rules setting flowbits before those reading
	// them, then by priority, as Suricata's SCSigOrderSignatures
	slices.SortStableFunc(order, func(a, b *rules.Rule) int {
		if c := cmp.Compare(actionRank(&ranks, a.Action), actionRank(&ranks, b.Action)); c != 0 {
			return c
		}
		if c := cmp.Compare(flowbitsRank(a), flowbitsRank(b)); c != 0 {
			return c
		}
		return cmp.Compare(rulePriority(a), rulePriority(b))
	})
	names := flowbitNames{}
	var builders [numClasses]prefilterBuilder
	compiled := compileAll(order, cfg.Threads)
	// a rule is some hundreds of bytes: growing the slice 17,000 rules
	// long copied it over and over (a tenth of ET Open's load)
	eng.rules = make([]rule, 0, len(order))
	for i, r := range order {
		if compiled[i].unsupported {
			eng.skipped = append(eng.skipped, compiled[i].skip)
			continue
		}
		cr, fps, err := compiled[i].cr, compiled[i].fps, compiled[i].err
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := compileFlowbits(r, &cr, names); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: sid %d: %w", r.File, r.Line, r.SID, err))
			continue
		}
		if err := compileDatasets(r, &cr, &eng.datasets); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: sid %d: %w", r.File, r.Line, r.SID, err))
			continue
		}
		cr.srcSpec, cr.dstSpec = eng.addrs.id(&r.Src), eng.addrs.id(&r.Dst)
		cr.stream = streamable(r)
		// urilen reads the request URI, so it makes an http rule too
		cr.http = r.URILen != nil
		for _, b := range cr.bufs {
			// dns and tls rules run on the packet only: a DNS request or
			// ClientHello is never an HTTP request
			cr.http = cr.http || b.id.HTTP()
		}
		cr.appProto = handshakeProto(r)
		eng.handshake = eng.handshake || cr.handshake || cr.appProto != 0
		cr.resp = readsResponse(r, cr.bufs)
		cr.ipOnly = isIPOnly(r)
		// an http or dns rule that reads only addresses (ip.src, ip.dst)
		// has no buffer of its protocol to tell its packets by: as the
		// protocol-only rules, it runs on the flows of its protocol
		addrOnly := onlyAddressBuffers(r)
		cr.appHTTP = addrOnly && r.URILen == nil && httpProto(r.Proto)
		cr.dnsPorts = addrOnly && r.Proto == rules.ProtoDNS
		cr.flowLevel = flowLevel(r, &cr)
		cr.tx = cr.http || cr.appHTTP || cr.handshake || cr.appProto != 0 || slices.ContainsFunc(cr.bufs, func(c chain) bool { return c.id == rules.BufferTLSSNI })
		eng.actions = eng.actions || cr.action != packet.ActionAlert
		eng.ipOnly = eng.ipOnly || cr.ipOnly
		eng.appHTTP = eng.appHTTP || cr.appHTTP
		idx := int32(len(eng.rules))
		eng.rules = append(eng.rules, cr)
		if cr.thr != nil && cr.thr.window > eng.maxWindow {
			eng.maxWindow = cr.thr.window
		}
		dst, dstOK := smallPorts(&r.DstPorts)
		src, srcOK := smallPorts(&r.SrcPorts)
		for c := range numClasses {
			if r.Proto.Transports()&classTransport(c) == 0 {
				continue
			}
			set := &eng.sets[c]
			set.all = append(set.all, idx)
			if c == classTCP && readsBuffer(&cr, rules.BufferTLSSNI) {
				set.sni = append(set.sni, idx)
				eng.handshake = true // the flow's hello is read for the name
			}
			set.hasHTTP = set.hasHTTP || cr.http && c == classTCP
			set.httpUngated = set.httpUngated || cr.http && c == classTCP && len(fps) == 0
			if cr.resp && c == classTCP {
				set.hasResp = true
				if len(fps) == 0 {
					set.respAlways = append(set.respAlways, idx)
				}
			}
			hasPorts := c == classTCP || c == classUDP
			switch {
			case len(fps) > 0:
				open := !hasPorts || gatePorts(set, r, dst, dstOK, src, srcOK)
				for _, fp := range fps {
					builders[c].add(fp, idx, open)
				}
				// a rule with a pcre is never a stream rule (streamable),
				// so a stream rule's pattern is a content within its reach
				set.hasStream = set.hasStream || cr.stream
				if cr.stream {
					set.streamWindow = max(set.streamWindow, streamReach(r)-1)
				}
			case hasPorts && !r.Bidirectional && dstOK:
				set.byDst = addPorts(set.byDst, dst, idx)
			case hasPorts && !r.Bidirectional && srcOK:
				set.bySrc = addPorts(set.bySrc, src, idx)
			case cr.handshake && c == classTCP:
				// candidates only on a side holding their buffers
				set.handshake = append(set.handshake, idx)
			default:
				set.always = append(set.always, idx)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	eng.flowbitWords = (len(names) + 63) / 64
	for i := range eng.rules {
		r := &eng.rules[i]
		r.alone = packetOnly(r)
		r.session = r.urilen != nil || slices.ContainsFunc(r.bufs, func(c chain) bool { return sessionBuffer(c.id) })
	}
	var tasks []func()
	for c := range eng.sets {
		eng.sets[c].pf = builders[c].plan(&tasks)
	}
	forEachOn(cfg.Threads, len(tasks), 1, func(i int) { tasks[i]() })
	return eng, nil
}

// compiledRule is compileRule's result for one rule, or why it is not
// compiled (Unsupported).
type compiledRule struct {
	cr          rule
	fps         [][]byte
	err         error
	skip        rules.Skipped
	unsupported bool
}

// compileAll runs compileRule on every supported rule of order, on up to
// threads goroutines: each rule compiles on its own (its pcres' analyses
// were most of the ET Open set's load), and compileRules then takes the
// results in order.
func compileAll(order []*rules.Rule, threads int) []compiledRule {
	out := make([]compiledRule, len(order))
	one := func(i int) {
		c := &out[i]
		if c.skip, c.unsupported = Unsupported(order[i]); !c.unsupported {
			c.cr, c.fps, c.err = compileRule(order[i])
		}
	}
	if len(order) < 256 {
		threads = 1 // a few rules: not worth the goroutines
	}
	forEachOn(threads, len(order), 64, one)
	return out
}

// forEachOn calls fn(i) for every i below n on up to threads goroutines,
// each taking the next chunk of i as it is free; on one thread, in order.
// fn must write only its own results.
func forEachOn(threads, n, chunk int, fn func(i int)) {
	if threads <= 1 || n <= chunk {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(threads, (n+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					fn(i)
				}
			}
		}()
	}
	wg.Wait()
}

// readsBuffer reports whether the compiled rule has a chain in buffer id.
func readsBuffer(cr *rule, id rules.Buffer) bool {
	for _, b := range cr.bufs {
		if b.id == id {
			return true
		}
	}
	return false
}

// gatePorts records the ports a content rule accepts in the set's
// prefilter gates and reports whether the rule is open on both sides (then
// its pattern is searched in every packet). A bidirectional rule's ports
// may be either side, so they go in both.
func gatePorts(set *ruleSet, r *rules.Rule, dst []uint16, dstOK bool, src []uint16, srcOK bool) (open bool) {
	add := func(g **[1 << 10]uint64, ports []uint16) {
		if *g == nil {
			*g = new([1 << 10]uint64)
		}
		for _, p := range ports {
			(*g)[p>>6] |= 1 << (p & 63)
		}
	}
	switch {
	case dstOK && r.Bidirectional:
		add(&set.pfDst, dst)
		add(&set.pfSrc, dst)
	case srcOK && r.Bidirectional:
		add(&set.pfDst, src)
		add(&set.pfSrc, src)
	case dstOK:
		add(&set.pfDst, dst)
	case srcOK:
		add(&set.pfSrc, src)
	default:
		set.pfAllPorts = true
		return true
	}
	return false
}

// scanPorts reports whether some content rule may match a TCP/UDP packet
// with these ports.
func (set *ruleSet) scanPorts(src, dst uint16) bool {
	return set.pfAllPorts || set.portGate(src, dst)
}

// portGate reports whether some port-limited content rule accepts these
// ports: whether the prefilter's ported group is worth searching.
func (set *ruleSet) portGate(src, dst uint16) bool {
	return set.pfDst != nil && set.pfDst[dst>>6]&(1<<(dst&63)) != 0 ||
		set.pfSrc != nil && set.pfSrc[src>>6]&(1<<(src&63)) != 0
}

func addPorts(m map[uint16][]int32, ports []uint16, idx int32) map[uint16][]int32 {
	if m == nil {
		m = make(map[uint16][]int32)
	}
	for _, p := range ports {
		m[p] = append(m[p], idx)
	}
	return m
}

// smallPorts lists a port set that names a few ports outright.
func smallPorts(s *rules.PortSpec) ([]uint16, bool) {
	if s.Any || s.Negated || len(s.Exclude) > 0 || len(s.Include) == 0 {
		return nil, false
	}
	n := 0
	for _, r := range s.Include {
		if r.Hi < r.Lo {
			return nil, false
		}
		n += int(r.Hi-r.Lo) + 1
		if n > smallPortSet {
			return nil, false
		}
	}
	out := make([]uint16, 0, n)
	for _, r := range s.Include {
		for p := int(r.Lo); p <= int(r.Hi); p++ {
			out = append(out, uint16(p))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}
