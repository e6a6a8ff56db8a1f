package detectors

// Rule matching: Suricata/Snort rules (parsed by signatures/rules) compiled
// once and run on every IPv4/IPv6 packet, after Suricata's detect engine.
// Compilation (detect-engine-build.c) splits rules by protocol class (TCP,
// UDP, ICMP, ICMPv6, other IP); in each class every rule with a positive
// content gives one pattern to the class's prefilter (prefilter.go), and
// rules without one are indexed by their destination (or, for "80 -> any"
// rules, source) ports when those name a few ports outright. Per packet the
// matcher lowercases the payload into scratch, runs one automaton pass, and
// evaluates in full only the rules whose pattern was found plus the
// content-less rules of the packet's ports and of any port, so cost follows
// the traffic and the hits, not the rule count. Content rules share one
// automaton per class instead of one per port group as in Suricata: with a
// dense-table automaton, copying the any-port patterns into every port
// group would multiply its memory, and the ports are checked right after a
// hit anyway. Full evaluation checks the header, flow, flags, dsize, ttl,
// itype/icode and then the content/pcre chain of each buffer as
// detect-engine-content-inspection.c does, including when it retries a
// later occurrence of a pattern for a relative match (only for a next
// content with within, or after a pcre whose next item is relative) and
// its recursion limit. Thresholds follow detect-engine-threshold.c.
//
// Semantics decisions, where replaying captures differs from a live
// Suricata:
//
//   - Buffers are per packet: the payload is the TCP segment or datagram.
//     Rules whose contents are all unanchored payload contents (streamable)
//     are also run on the reassembled stream the flow table hands over
//     (Facts.StreamPrefix+StreamData, reordered and with overlaps resolved
//     first-data-wins) and fire on the packet that completes a match none
//     of the pieces made alone; the flow table keeps as much of the stream
//     as the longest such rule reaches (StreamWindow), up to its cap. HTTP
//     buffers come from a request parsed out of one TCP payload that
//     starts with a method token and a space, or, when its headers span
//     segments, out of the reassembled request once they end
//     (httprequest.go); they are raw
//     slices (http.uri is the request target as sent, Suricata's
//     http.uri.raw; http.header is the header lines as sent, Cookie
//     included; http.request_body is the rest of the segment, not
//     de-chunked), except http.host, which is lowercased with the port
//     dropped, as Suricata normalises it.
//   - pcre runs Go's RE2 on the buffer presented one rune per byte, as
//     signatures/rules compiles patterns for (\xff is U+00FF): "." takes
//     one byte and bytes >= 0x80 match as in PCRE. A retry after a failed
//     relative chain searches a slice from the last match's start + 1, so
//     ^ and \A there cannot match (as with PCRE's start_offset), but a \b
//     or multiline ^ at the slice start sees no byte before it.
//   - flow: the analyzer follows TCP connections only. For TCP, to_server
//     and to_client compare with Facts.Dir; established is a packet of a
//     connection seen from its SYN (Dir known) that is neither a SYN or
//     SYN-ACK nor the handshake's bare final ACK (Suricata counts from the
//     packet after it, or from that ACK if it carries data). The flow
//     table does not say whether a handshake completed before later
//     packets, so data or a RST in a connection whose handshake never
//     completed counts as established too. A mid-stream connection (Dir
//     unknown) is neither to_server nor established. For UDP, ICMP and
//     other protocols there is no flow state, so flow: is not checked and
//     the header's addresses and ports carry the direction as written.
//     stateless skips the state test and keeps the direction test when the
//     direction is known.
//   - A rule whose buffer is absent in a packet (empty payload, no HTTP
//     request, no Cookie header) does not match, even if all its contents
//     are negated, as in Suricata.
//   - pass: a matching pass rule silences every other rule on that packet
//     (Suricata's default action order puts pass first); pass rules emit
//     nothing.
//   - Events: Attacker is the matching packet's source and Victim its
//     destination (VictimPort its destination port), for to_client rules
//     too: the rule matched what that host sent. The source MAC is given
//     when the packet had an Ethernet header and the source is a private,
//     link-local or loopback address; beyond a router it is the router's.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/bounded"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// RuleConfig tunes the rule matcher. The zero value is not useful; start
// from DefaultRuleConfig.
type RuleConfig struct {
	// MaxThresholdEntries caps the threshold: and detection_filter: state
	// kept at once: one entry per rule and tracked address (by_src,
	// by_dst), address pair (by_both), connection (by_flow) or rule
	// (by_rule). When full the
	// least recently matched entry is evicted and counted in Evicted; that
	// key's next match starts a fresh count, so a limit rule may alert
	// again early and a detection_filter rule late. Entries expire on
	// packet time once the longest window of any threshold rule has
	// passed. About 200 bytes an entry: the default 65536 is about 13 MB
	// when full, in line with Suricata's 16 MiB threshold memcap. A
	// unique_on detection_filter adds 2 bytes per distinct port it keeps,
	// count+1 at most.
	MaxThresholdEntries int `json:"max_threshold_entries"`

	// InspectionRecursionLimit caps the content and pcre steps one rule may
	// take on one buffer of one packet while it retries later occurrences
	// of a pattern for a relative (within) match. Without it a payload
	// with many occurrences of a pattern makes a chained rule cost time
	// quadratic in the payload. When the cap bites the rule does not match
	// that packet. Lower bounds the worst packet's cost harder and may miss
	// a match in a long repetitive payload. Default 3000, Suricata's
	// detect.inspection-recursion-limit.
	InspectionRecursionLimit int `json:"inspection_recursion_limit"`

	// HTTPRequestBytes is how much of an HTTP request whose header block
	// spans TCP segments is kept, in bytes, so the http buffers see the
	// whole request once its headers end (httprequest.go). A longer header
	// block is inspected as far as it was kept. Higher: larger headers
	// (long cookies) inspected whole, more memory per pending request.
	// Default 8192, the header limit of most web servers.
	HTTPRequestBytes int `json:"http_request_bytes"`

	// MaxHTTPRequests caps the requests kept at once while their headers
	// are incomplete; at the cap the least recently continued one is
	// dropped (its rest is then inspected per segment) and counted in
	// Evicted. Most requests fit one segment, so few are pending at a time;
	// the default 4096 bounds the worst case at 32 MiB with 8 KiB requests.
	MaxHTTPRequests int `json:"max_http_requests"`

	// MaxFlowbitFlows caps the flows whose flowbits are kept at once; at
	// the cap the least recently touched flow's bits are dropped (a later
	// isset on it fails) and counted in Evicted. Bits also go after an
	// hour of packet time untouched. The default 65536 is about 5 MB with
	// up to 64 names, plus 8 bytes a flow per further 64.
	MaxFlowbitFlows int `json:"max_flowbit_flows"`
}

// DefaultRuleConfig returns the documented defaults.
func DefaultRuleConfig() RuleConfig {
	return RuleConfig{
		MaxThresholdEntries:      65536,
		InspectionRecursionLimit: 3000,
		HTTPRequestBytes:         8192,
		MaxHTTPRequests:          4096,
		MaxFlowbitFlows:          65536,
	}
}

// Validate reports every field out of range, naming its json key.
func (c RuleConfig) Validate() error {
	var errs []error
	intIn := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%s: %d out of range [%d, %d]", key, v, lo, hi))
		}
	}
	intIn("max_threshold_entries", c.MaxThresholdEntries, 1, 1<<24)
	intIn("inspection_recursion_limit", c.InspectionRecursionLimit, 10, 1<<20)
	intIn("http_request_bytes", c.HTTPRequestBytes, 256, 1<<20)
	intIn("max_http_requests", c.MaxHTTPRequests, 1, 1<<20)
	intIn("max_flowbit_flows", c.MaxFlowbitFlows, 1, 1<<24)
	return errors.Join(errs...)
}

// Protocol classes: each packet falls in exactly one, and each class has
// its own rule set and prefilter.
const (
	classTCP = iota
	classUDP
	classICMP4
	classICMP6
	classOther // any other IP protocol, or no decoded transport header
	numClasses
)

const (
	ipv4Bit uint8 = 1 << iota
	ipv6Bit
)

// protoSpec is what a rule's protocol name selects.
type protoSpec struct {
	classes uint8 // 1<<class for each class the rule applies to
	ipv     uint8 // ipv4Bit|ipv6Bit
}

const (
	onTCP    = 1 << classTCP
	onUDP    = 1 << classUDP
	onICMP   = 1<<classICMP4 | 1<<classICMP6
	onAllIP  = 1<<numClasses - 1
	bothIPvs = ipv4Bit | ipv6Bit
)

// ruleProtocol maps a rule's protocol to classes. App-layer names stand for
// the transports Suricata runs their parsers on; the rule's ports still
// apply as written (no protocol detection on other ports).
func ruleProtocol(name string) (protoSpec, bool) {
	switch strings.ToLower(name) {
	case "ip":
		return protoSpec{onAllIP, bothIPvs}, true
	case "ipv4", "ip4":
		return protoSpec{onAllIP, ipv4Bit}, true
	case "ipv6", "ip6":
		return protoSpec{onAllIP, ipv6Bit}, true
	case "tcp", "tcp-pkt", "tcp-stream":
		return protoSpec{onTCP, bothIPvs}, true
	case "udp":
		return protoSpec{onUDP, bothIPvs}, true
	case "icmp":
		return protoSpec{onICMP, bothIPvs}, true
	case "icmpv4":
		return protoSpec{1 << classICMP4, ipv4Bit}, true
	case "icmpv6":
		return protoSpec{1 << classICMP6, ipv6Bit}, true
	case "http", "http1", "http2", "ftp", "ftp-data", "smtp", "ssh", "tls",
		"smb", "imap", "pop3", "rdp", "rfb", "mqtt", "modbus", "dnp3",
		"telnet", "pgsql", "websocket", "doh2", "irc":
		return protoSpec{onTCP, bothIPvs}, true
	case "ntp", "tftp", "dhcp", "snmp", "ike", "ikev2", "quic", "bittorrent-dht":
		return protoSpec{onUDP, bothIPvs}, true
	case "dns", "krb5", "nfs", "dcerpc", "enip", "sip", "ldap":
		return protoSpec{onTCP | onUDP, bothIPvs}, true
	}
	return protoSpec{}, false
}

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

// bufID numbers the buffers a content or pcre can look at.
type bufID uint8

const (
	bufPayload bufID = iota
	bufHTTPURI
	bufHTTPMethod
	bufHTTPHeader
	bufHTTPHost
	bufHTTPUserAgent
	bufHTTPCookie
	bufHTTPBody
	numBufs
)

func bufferID(b rules.Buffer) (bufID, bool) {
	switch b {
	case rules.BufferPayload:
		return bufPayload, true
	case rules.BufferHTTPURI:
		return bufHTTPURI, true
	case rules.BufferHTTPMethod:
		return bufHTTPMethod, true
	case rules.BufferHTTPHeader:
		return bufHTTPHeader, true
	case rules.BufferHTTPHost:
		return bufHTTPHost, true
	case rules.BufferHTTPUserAgent:
		return bufHTTPUserAgent, true
	case rules.BufferHTTPCookie:
		return bufHTTPCookie, true
	case rules.BufferHTTPBody:
		return bufHTTPBody, true
	}
	return 0, false
}

// cContent is a compiled content.
type cContent struct {
	pat, lpat  []byte // as written and lowercased
	negated    bool
	nocase     bool
	relative   bool // distance or within
	hasWithin  bool
	distance   int // 0 when not given
	within     int
	offset     int
	depthEnd   int  // offset+depth as Suricata stores it; 0: none
	endsWith   bool // the match must end at the end of the buffer
	withinNext bool // the next item has within: retry later occurrences
}

// cPCRE is a compiled pcre.
type cPCRE struct {
	re       *regexp.Regexp
	negated  bool
	relative bool
	// relativeNext: the next item is relative to this match, so later
	// matches are retried when it fails (DETECT_PCRE_RELATIVE_NEXT).
	relativeNext bool
	// needEnd: a later item uses where this match ended, so the match
	// position is needed (FindIndex, which allocates on a match) rather
	// than a yes/no (Match, which does not).
	needEnd bool
	// anchored: the regexp can only match at the start of its subject
	// (^ or \A), so a retry further on cannot match, as with PCRE's
	// start_offset; Go slicing would otherwise make ^ match there.
	anchored bool
}

// cItem is one content or pcre.
type cItem struct {
	c *cContent
	p *cPCRE
	b *cByte // byte_test, byte_jump, isdataat (bytecheck.go)
}

// relative reports whether the item is placed after the previous match.
func (it cItem) relative() bool {
	return it.c != nil && it.c.relative || it.p != nil && it.p.relative || it.b != nil && it.b.relative
}

// cBuffer is a rule's chain of items in one buffer, in rule order.
type cBuffer struct {
	id    bufID
	items []cItem
}

// Threshold types and tracks.
const (
	thrLimit uint8 = iota
	thrThreshold
	thrBoth
	thrDetection
)

const (
	trackSrc uint8 = iota
	trackDst
	trackRule
	trackBoth
	trackFlow
)

// detection_filter unique_on: count distinct ports instead of matches.
const (
	uniqueNone uint8 = iota
	uniqueSrcPort
	uniqueDstPort
)

type cThreshold struct {
	kind, track uint8
	unique      uint8
	count       uint32
	window      int64 // ns
}

// cRule is a compiled rule.
type cRule struct {
	rule    *rules.Rule
	ipv     uint8
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
	bufs              []cBuffer
	thr               *cThreshold
	detail            string
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
	fbConds []fbCond
	fbActs  []fbAct
	noalert bool
}

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
	if r.Dsize != nil {
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

// ruleSet is one protocol class's share of the rules.
type ruleSet struct {
	all []int32    // every rule of the class, ascending
	pf  *prefilter // rules with a positive content; nil when none
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
	// streamWindow: stream bytes before a segment's new data the class's
	// stream rules need (their longest reach - 1).
	streamWindow int
	// Rules without a prefilter pattern, always evaluated once the
	// packet's ports select them: by a small destination port set, by a
	// small source port set (to_client rules written "80 -> any"), or
	// for every packet of the class.
	always []int32
	byDst  map[uint16][]int32
	bySrc  map[uint16][]int32
}

// ruleEngine is the compiled rule base, read-only after compileRules:
// Suricata's DetectEngineCtx. Per-packet state lives in ruleScratch.
type ruleEngine struct {
	rules     []cRule // pass rules first, then in the order given
	sets      [numClasses]ruleSet
	maxWindow int64 // longest threshold window, ns; 0 without thresholds
	// flowbitWords is the size of a flow's flowbits bitmap in words; 0
	// when no rule uses flowbits.
	flowbitWords int
}

// smallPortSet is how many ports a rule may list and still be indexed by
// port rather than evaluated for every packet of its protocol.
const smallPortSet = 64

// compileRules compiles rs, reporting every bad rule by file:line.
func compileRules(rs []*rules.Rule) (*ruleEngine, error) {
	eng := &ruleEngine{}
	var errs []error
	order := make([]*rules.Rule, 0, len(rs))
	for i, r := range rs {
		if r == nil {
			errs = append(errs, fmt.Errorf("rule %d: nil rule", i))
			continue
		}
		order = append(order, r)
	}
	// pass rules first, so one matching pass rule ends a packet's checks;
	// then rules setting flowbits before those reading them
	slices.SortStableFunc(order, func(a, b *rules.Rule) int {
		if c := cmp.Compare(actionRank(a.Action), actionRank(b.Action)); c != 0 {
			return c
		}
		return cmp.Compare(flowbitsRank(a), flowbitsRank(b))
	})
	names := flowbitNames{}
	var builders [numClasses]prefilterBuilder
	for _, r := range order {
		cr, ps, fp, err := compileRule(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := compileFlowbits(r, &cr, names); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: sid %d: %w", r.File, r.Line, r.SID, err))
			continue
		}
		cr.stream = streamable(r)
		for _, b := range cr.bufs {
			cr.http = cr.http || b.id != bufPayload
		}
		idx := int32(len(eng.rules))
		eng.rules = append(eng.rules, cr)
		if cr.thr != nil && cr.thr.window > eng.maxWindow {
			eng.maxWindow = cr.thr.window
		}
		dst, dstOK := smallPorts(&r.DstPorts)
		src, srcOK := smallPorts(&r.SrcPorts)
		for c := range numClasses {
			if ps.classes&(1<<c) == 0 {
				continue
			}
			set := &eng.sets[c]
			set.all = append(set.all, idx)
			set.hasHTTP = set.hasHTTP || cr.http && c == classTCP
			hasPorts := c == classTCP || c == classUDP
			switch {
			case fp != nil:
				open := !hasPorts || gatePorts(set, r, dst, dstOK, src, srcOK)
				builders[c].add(fp, idx, open)
				set.hasStream = set.hasStream || cr.stream
				if cr.stream {
					set.streamWindow = max(set.streamWindow, streamReach(r)-1)
				}
			case hasPorts && !r.Bidirectional && dstOK:
				set.byDst = addPorts(set.byDst, dst, idx)
			case hasPorts && !r.Bidirectional && srcOK:
				set.bySrc = addPorts(set.bySrc, src, idx)
			default:
				set.always = append(set.always, idx)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	eng.flowbitWords = (len(names) + 63) / 64
	for c := range eng.sets {
		eng.sets[c].pf = builders[c].build()
	}
	return eng, nil
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

func actionRank(a string) int {
	if strings.EqualFold(a, "pass") {
		return 0
	}
	return 1
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

// compileRule checks and compiles one rule. fp is its lowercased prefilter
// pattern, nil when it has no positive content.
func compileRule(r *rules.Rule) (cr cRule, ps protoSpec, fp []byte, err error) {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	ps, ok := ruleProtocol(r.Proto)
	if !ok {
		bad("protocol %q is not supported by the rule matcher", r.Proto)
	}
	switch strings.ToLower(r.Action) {
	case "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth":
	case "pass":
		cr.pass = true
	default:
		bad("action %q is not supported", r.Action)
	}
	cr.rule = r
	cr.ipv = ps.ipv
	cr.bidir = r.Bidirectional
	cr.flow = r.Flow
	cr.hasFlow = r.Flow != (rules.Flow{})
	if r.Flow.Direction > rules.FlowToClient {
		bad("flow direction %d unknown", r.Flow.Direction)
	}
	if r.Flow.Established && r.Flow.NotEstablished {
		bad("flow: established and not_established together never match")
	}
	if f := r.Flags; f != nil {
		switch f.Mode {
		case 0, '+', '*', '!':
		default:
			bad("flags: modifier %q unknown", f.Mode)
		}
		cr.flags = f
	}
	for _, rg := range []struct {
		name string
		r    *rules.Range
		dst  **rules.Range
	}{{"dsize", r.Dsize, &cr.dsize}, {"ttl", r.TTL, &cr.ttl}, {"itype", r.IType, &cr.itype}, {"icode", r.ICode, &cr.icode}} {
		if rg.r == nil {
			continue
		}
		switch rg.r.Op {
		case "=", "!", "<", "<=", ">", ">=", "<>", "-":
		default:
			bad("%s: operator %q unknown", rg.name, rg.r.Op)
		}
		*rg.dst = rg.r
	}
	if d := r.Dsize; d != nil {
		switch d.Op {
		case "!", ">", ">=", "<>", "-":
			cr.dsizeNeedsPayload = true
		case "=":
			cr.dsizeNeedsPayload = d.Min > 0
		}
	}
	if t := r.Threshold; t != nil {
		ct, msg := compileThreshold(t)
		if msg != "" {
			bad("%s", msg)
		}
		cr.thr = ct
	}

	// contents and pcres, grouped by buffer in rule order
	var best *rules.Content
	for i := range r.Matches {
		m := &r.Matches[i]
		id, ok := bufferID(m.Buffer)
		if !ok {
			bad("buffer %q is not supported", m.Buffer)
			continue
		}
		var it cItem
		switch {
		case m.Content != nil && m.PCRE == nil:
			c, msg := compileContent(m.Content, id)
			if msg != "" {
				bad("%s", msg)
				continue
			}
			it.c = c
			if !m.Content.Negated && (best == nil || betterFastPattern(m.Content, best)) {
				best = m.Content
			}
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
			it.p = &cPCRE{re: m.PCRE.Re, negated: m.PCRE.Negated, relative: m.PCRE.Relative,
				anchored: anchoredAtStart(m.PCRE.Re)}
		default:
			bad("match %d: exactly one of content, pcre and a byte check must be set", i+1)
			continue
		}
		cr.bufs = addItem(cr.bufs, id, it)
	}
	if len(errs) > 0 {
		return cr, ps, nil, fmt.Errorf("%s:%d: sid %d: %s", r.File, r.Line, r.SID, strings.Join(errs, "; "))
	}
	for i := range cr.bufs {
		linkItems(cr.bufs[i].items)
	}
	if best != nil {
		fp = lowerASCII(nil, best.Pattern)
	}
	cr.detail = fmt.Sprintf("rule %s:%d matched: %s", r.File, r.Line, r.Msg)
	return cr, ps, fp, nil
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

func addItem(bufs []cBuffer, id bufID, it cItem) []cBuffer {
	for i := range bufs {
		if bufs[i].id == id {
			bufs[i].items = append(bufs[i].items, it)
			return bufs
		}
	}
	return append(bufs, cBuffer{id: id, items: []cItem{it}})
}

// linkItems sets the flags that tie an item to the next one, as Suricata's
// distance/within/pcre R setup sets them on the previous content or pcre.
func linkItems(items []cItem) {
	for i := range items {
		if i+1 < len(items) {
			next := items[i+1]
			nextRel := next.relative()
			if c := items[i].c; c != nil {
				c.withinNext = next.c != nil && next.c.hasWithin
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
					later.b != nil && later.b.op.Kind == "byte_jump" {
					break
				}
			}
		}
	}
}

// compileContent checks a content the way Suricata's loader does.
func compileContent(c *rules.Content, id bufID) (*cContent, string) {
	n := len(c.Pattern)
	switch {
	case n == 0:
		return nil, "empty content"
	case c.HasOffset && c.Offset < 0:
		return nil, fmt.Sprintf("content %q: offset %d is negative", c.Pattern, c.Offset)
	case c.HasDepth && c.Depth < n:
		return nil, fmt.Sprintf("content %q: depth %d is less than the content length %d", c.Pattern, c.Depth, n)
	case c.HasWithin && c.Within < n:
		return nil, fmt.Sprintf("content %q: within %d is less than the content length %d", c.Pattern, c.Within, n)
	case c.StartsWith && (c.HasOffset || c.HasDepth || c.HasDistance || c.HasWithin):
		return nil, fmt.Sprintf("content %q: startswith cannot be combined with offset, depth, distance or within", c.Pattern)
	case id == bufHTTPHost && !c.NoCase && !bytes.Equal(c.Pattern, bytes.ToLower(c.Pattern)):
		return nil, fmt.Sprintf("content %q: http.host is lowercased, so an uppercase pattern never matches: lowercase it or add nocase", c.Pattern)
	}
	cc := &cContent{
		pat:       c.Pattern,
		lpat:      lowerASCII(nil, c.Pattern),
		negated:   c.Negated,
		nocase:    c.NoCase,
		relative:  c.HasDistance || c.HasWithin,
		hasWithin: c.HasWithin,
		within:    c.Within,
		endsWith:  c.EndsWith,
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

func compileThreshold(t *rules.Threshold) (*cThreshold, string) {
	ct := &cThreshold{}
	switch t.Type {
	case "limit":
		ct.kind = thrLimit
	case "threshold":
		ct.kind = thrThreshold
	case "both":
		ct.kind = thrBoth
	case "detection_filter":
		ct.kind = thrDetection
	default:
		return nil, fmt.Sprintf("threshold type %q unknown", t.Type)
	}
	switch t.Track {
	case "by_src":
		ct.track = trackSrc
	case "by_dst":
		ct.track = trackDst
	case "by_rule":
		ct.track = trackRule
	case "by_both":
		ct.track = trackBoth
	case "by_flow":
		ct.track = trackFlow
	default:
		return nil, fmt.Sprintf("threshold track %q unknown", t.Track)
	}
	if t.Count < 1 || t.Count > 1<<30 {
		return nil, fmt.Sprintf("threshold count %d out of range [1, %d]", t.Count, 1<<30)
	}
	if t.Seconds < 0 || t.Seconds > 86400*365 {
		return nil, fmt.Sprintf("threshold seconds %d out of range [0, %d]", t.Seconds, 86400*365)
	}
	switch t.UniqueOn {
	case "src_port":
		ct.unique = uniqueSrcPort
	case "dst_port":
		ct.unique = uniqueDstPort
	}
	// each key keeps up to count+1 distinct ports, and there are no more
	// than 65,536 to see
	if ct.unique != uniqueNone && t.Count > 65535 {
		return nil, fmt.Sprintf("detection_filter count %d with unique_on can never be exceeded (65,536 ports)", t.Count)
	}
	ct.count = uint32(t.Count)
	ct.window = int64(t.Seconds) * int64(time.Second)
	return ct, ""
}

// anchoredAtStart reports whether re can only match at the start of its
// input.
func anchoredAtStart(re *regexp.Regexp) bool {
	sre, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return false
	}
	prog, err := syntax.Compile(sre.Simplify())
	if err != nil {
		return false
	}
	return prog.StartCond()&syntax.EmptyBeginText != 0
}

// thrKey is one threshold counter: a rule (by gid and sid, as Suricata
// keys them) and the tracked address or pair; by_rule leaves both zero.
type thrKey struct {
	gid, sid uint32
	a, b     netip.Addr
	sp, dp   uint16 // by_flow: the flow's ports, in a's and b's order
	proto    uint8  // by_flow
}

type thrState struct {
	start int64 // packet time the current window opened
	count uint32
	// ports are the distinct ports a unique_on detection_filter has seen
	// in the window, kept only up to count+1: beyond that it alerts
	// anyway, as Zeek's capped sets stop just past the threshold.
	ports []uint16
}

// httpSpans are the HTTP request buffers of one payload as offsets into it;
// an empty span is an absent buffer.
type httpSpans struct {
	spans [numBufs]span
}

type span struct{ lo, hi int32 }

// ruleScratch is the per-packet working state, reused so steady-state
// matching does not allocate: Suricata's DetectEngineThreadCtx.
type ruleScratch struct {
	lower    []byte // lowercased payload
	lowered  bool
	http     httpSpans
	httpDone bool
	pf       pfScratch
	cands    []int32
	matched  []int32
	stream   []byte  // a segment's stream prefix + new data
	scands   []int32 // candidates for the stream pass
	latin1   []byte  // a pcre subject presented one rune per byte
	steps    int     // content/pcre steps of the current inspection
	limit    int
}

var _ packet.Detector = (*RuleMatcher)(nil)

// RuleMatcher runs compiled rules on packets: one Event per matching packet
// and rule, subject to each rule's threshold or detection_filter. Build it
// with NewRuleMatcher; it is not safe for concurrent use (give each worker
// its own).
type RuleMatcher struct {
	eng    *ruleEngine
	sc     ruleScratch
	thresh *bounded.Table[thrKey, thrState]
	// http holds requests whose headers span segments (httprequest.go);
	// nil when no rule inspects an http buffer.
	http       *bounded.Table[httpKey, httpPending]
	httpBytes  int
	httpFree   [][]byte                    // buffers of finished requests
	httpJoined httpPending                 // a request joined from reordered segments
	onHTTPEnd  func(httpKey, *httpPending) // recycleHTTP, bound once
	// fbits are the flows' flowbits; nil when no rule uses them.
	fbits   *bounded.Table[fbKey, fbState]
	fbFree  [][]uint64
	onFbEnd func(fbKey, *fbState) // recycleFlowbits, bound once
	// noPrefilter evaluates every rule of the packet's class (tests: the
	// prefilter must never change results).
	noPrefilter bool
}

// NewRuleMatcher checks cfg and compiles rs. A rule the matcher cannot run
// as written (a protocol, buffer, action or modifier it does not know, or
// a combination Suricata's loader rejects) is an error naming file:line;
// all such rules are reported together.
func NewRuleMatcher(rs []*rules.Rule, cfg RuleConfig) (*RuleMatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	eng, err := compileRules(rs)
	if err != nil {
		return nil, err
	}
	m := &RuleMatcher{
		eng:       eng,
		sc:        ruleScratch{limit: cfg.InspectionRecursionLimit},
		thresh:    bounded.New[thrKey, thrState](cfg.MaxThresholdEntries),
		httpBytes: cfg.HTTPRequestBytes,
	}
	if eng.flowbitWords > 0 {
		m.fbits = bounded.New[fbKey, fbState](cfg.MaxFlowbitFlows)
		m.onFbEnd = m.recycleFlowbits
	}
	if eng.sets[classTCP].hasHTTP {
		m.http = bounded.New[httpKey, httpPending](cfg.MaxHTTPRequests)
		m.onHTTPEnd = m.recycleHTTP
	}
	return m, nil
}

// Name implements Detector.
func (m *RuleMatcher) Name() string { return "rules" }

// Evicted implements Detector: threshold entries and pending HTTP requests
// dropped at their caps.
func (m *RuleMatcher) Evicted() uint64 {
	n := m.thresh.Evicted()
	if m.http != nil {
		n += m.http.Evicted()
	}
	if m.fbits != nil {
		n += m.fbits.Evicted()
	}
	return n
}

// StreamWindow implements StreamConsumer: the stream bytes before a TCP
// segment's new data the stream rules need to find a match that ends in it.
func (m *RuleMatcher) StreamWindow() int {
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
func (m *RuleMatcher) Rules() int { return len(m.eng.rules) }

// Expire implements Detector. An entry untouched for the longest window of
// any rule belongs to a window that has ended: its next match would start
// a new one anyway.
func (m *RuleMatcher) Expire(now int64, _ packet.Emit) {
	m.thresh.Expire(now-m.eng.maxWindow, nil)
	if m.http != nil {
		m.http.Expire(now-httpRequestIdle, m.onHTTPEnd)
	}
	if m.fbits != nil {
		m.fbits.Expire(now-flowbitsIdle, m.onFbEnd)
	}
}

// Observe implements Detector.
func (m *RuleMatcher) Observe(f *packet.Facts, emit packet.Emit) {
	if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
		return
	}
	set := &m.eng.sets[packetClass(f)]
	if len(set.all) == 0 {
		return
	}
	s := &m.sc
	s.lowered, s.httpDone = false, false

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
		if len(r.fbActs) > 0 {
			m.flowbitsAct(r, f) // now: a later rule may check the bit
		}
		if r.pass {
			s.matched = matched
			return
		}
		matched = append(matched, ri)
	}
	s.matched = matched
	for _, ri := range matched {
		m.fire(&m.eng.rules[ri], f, emit)
	}
	if len(f.StreamData) > 0 && (len(f.StreamPrefix) > 0 || len(f.StreamPieces) > 1) && f.Proto == packet.ProtoTCP &&
		set.hasStream && !m.noPrefilter && set.scanPorts(f.SrcPort, f.DstPort) {
		m.streamPass(set, f, emit)
	}
	if m.http != nil && set.hasHTTP && len(f.StreamData) > 0 && f.Proto == packet.ProtoTCP && set.scanPorts(f.SrcPort, f.DstPort) {
		m.httpRequest(set, f, emit)
	}
}

// streamPass finds contents that only the reassembled stream holds: a
// stream rule that did not match the payload alone, matches the stream's
// prefix + new data, and matches none of the pieces already inspected on
// their own (the prefix, whose matches were earlier packets'; each held
// segment, matched as its own packet) fires for this packet, the one that
// completed the stream. So the same bytes never alert twice.
func (m *RuleMatcher) streamPass(set *ruleSet, f *packet.Facts, emit packet.Emit) {
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
	slices.Sort(cands)
	cands = slices.Compact(cands)
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
		if len(r.fbActs) > 0 {
			m.flowbitsAct(r, f)
		}
		m.fire(r, f, emit)
	}
	s.lowered, s.httpDone = false, false
}

// matchesAPiece reports whether r matches the stream prefix alone or one
// of the held pieces of f.StreamData alone. piece is scratch facts.
func (m *RuleMatcher) matchesAPiece(r *cRule, f *packet.Facts, piece *packet.Facts) bool {
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

func (m *RuleMatcher) event(r *cRule, f *packet.Facts) packet.Event {
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

func (s *ruleScratch) lowerPayload(p []byte) {
	if !s.lowered {
		s.lower = lowerASCII(s.lower, p)
		s.lowered = true
	}
}

// matchRule evaluates one rule in full, cheapest tests first.
func (m *RuleMatcher) matchRule(r *cRule, f *packet.Facts) bool {
	v := ipv4Bit
	if f.L3 == packet.L3IPv6 {
		v = ipv6Bit
	}
	if r.ipv&v == 0 || !r.headerMatch(f) {
		return false
	}
	if r.hasFlow && !flowMatch(&r.flow, f) {
		return false
	}
	if r.flags != nil && (f.Proto != packet.ProtoTCP || !tcpFlagsMatch(r.flags, f.TCPFlags)) {
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
	for i := range r.bufs {
		b := &r.bufs[i]
		raw, low, ok := m.buffer(b.id, f)
		if !ok {
			return false
		}
		m.sc.steps = 0
		if m.sc.inspect(b.items, 0, raw, low, 0) != 1 {
			return false
		}
	}
	return len(r.fbConds) == 0 || m.flowbitsHold(r, f)
}

// headerMatch checks addresses and ports, both ways round for "<>". Ports
// apply to TCP and UDP packets only, as Suricata ignores them for
// protocols without ports.
func (r *cRule) headerMatch(f *packet.Facts) bool {
	ports := f.Proto == packet.ProtoTCP || f.Proto == packet.ProtoUDP
	if r.oneWay(f.Src, f.Dst, f.SrcPort, f.DstPort, ports) {
		return true
	}
	return r.bidir && r.oneWay(f.Dst, f.Src, f.DstPort, f.SrcPort, ports)
}

func (r *cRule) oneWay(src, dst netip.Addr, sp, dp uint16, ports bool) bool {
	rr := r.rule
	if ports && (!rr.SrcPorts.Match(sp) || !rr.DstPorts.Match(dp)) {
		return false
	}
	return rr.Src.Match(src) && rr.Dst.Match(dst)
}

// flowMatch evaluates flow: (see the file comment for what the analyzer's
// TCP-only flow table can tell).
func flowMatch(fl *rules.Flow, f *packet.Facts) bool {
	if f.Proto != packet.ProtoTCP {
		return true
	}
	known := f.Dir != packet.DirUnknown
	dirOK := true
	switch fl.Direction {
	case rules.FlowToServer:
		dirOK = f.Dir == packet.DirToServer
	case rules.FlowToClient:
		dirOK = f.Dir == packet.DirToClient
	}
	if fl.Stateless {
		return dirOK || !known
	}
	if !dirOK {
		return false
	}
	// Suricata marks the packet after the handshake established, or the
	// handshake's final ACK when it carries data (stream-tcp.c)
	established := known && f.TCPFlags&packet.TCPSyn == 0 &&
		(f.ConnEvent != packet.ConnEstablished || len(f.Payload) > 0)
	if fl.Established && !established || fl.NotEstablished && established {
		return false
	}
	return true
}

// tcpFlagsMatch is Suricata's FlagsMatch: exact by default, '+' all of
// these (others may be set), '*' any of these, '!' not all of these (for a
// single flag: not set). Ignored flags are cleared from the packet's first;
// flags:0 matches only a packet with no flags (or any packet with '!').
func tcpFlagsMatch(fl *rules.Flags, pflags uint8) bool {
	if fl.Mask == 0 && pflags != 0 {
		return fl.Mode == '!'
	}
	flags := pflags &^ fl.Ignore
	switch fl.Mode {
	case '*':
		return flags&fl.Mask != 0
	case '+':
		return flags&fl.Mask == fl.Mask
	case '!':
		return flags&fl.Mask != fl.Mask
	}
	return flags == fl.Mask
}

// buffer returns a buffer of the packet as written and lowercased; ok is
// false when the packet does not have it.
func (m *RuleMatcher) buffer(id bufID, f *packet.Facts) (raw, low []byte, ok bool) {
	p := f.Payload
	if len(p) == 0 {
		return nil, nil, false
	}
	s := &m.sc
	s.lowerPayload(p)
	if id == bufPayload {
		return p, s.lower, true
	}
	if f.Proto != packet.ProtoTCP {
		return nil, nil, false
	}
	if !s.httpDone {
		parseHTTPRequest(p, &s.http)
		s.httpDone = true
	}
	sp := s.http.spans[id]
	if sp.hi <= sp.lo {
		return nil, nil, false
	}
	low = s.lower[sp.lo:sp.hi]
	if id == bufHTTPHost {
		return low, low, true // Suricata's http.host is lowercased
	}
	return p[sp.lo:sp.hi], low, true
}

// inspect runs items[i:] over one buffer, the previous match having ended
// at prevEnd, as Suricata's DetectEngineContentInspection does: 1 match,
// 0 no match, -1 no match and no point retrying earlier items.
func (s *ruleScratch) inspect(items []cItem, i int, raw, low []byte, prevEnd int) int {
	s.steps++
	if s.steps >= s.limit {
		return -1
	}
	switch {
	case items[i].c != nil:
		return s.inspectContent(items, i, raw, low, prevEnd)
	case items[i].b != nil:
		return s.inspectByte(items, i, raw, low, prevEnd)
	}
	return s.inspectPCRE(items, i, raw, low, prevEnd)
}

// next goes on with the item after i, or reports the chain matched.
func (s *ruleScratch) next(items []cItem, i int, raw, low []byte, prevEnd int) int {
	if i+1 == len(items) {
		return 1
	}
	return s.inspect(items, i+1, raw, low, prevEnd)
}

// window is where a content may lie, [start, end) before clamping to the
// buffer, from Suricata's offset/depth/distance/within arithmetic: depth
// and within bound the end of the match, offset and distance its start.
func (c *cContent) window(prevEnd int, n int) (start, end int) {
	end = n
	if !c.relative {
		if c.depthEnd != 0 {
			end = c.depthEnd
		}
		return c.offset, end
	}
	start = prevEnd
	if c.distance < 0 && -c.distance > start {
		start = 0
	} else {
		start += c.distance
	}
	if c.hasWithin && end > prevEnd+c.distance+c.within {
		end = prevEnd + c.distance + c.within
	}
	if c.depthEnd != 0 && prevEnd+c.depthEnd < end {
		end = prevEnd + c.depthEnd
	}
	if c.offset > start {
		start = c.offset
	}
	return start, end
}

// find returns the first occurrence of the content in buf[start:end], as
// an index into buf, or -1.
func (c *cContent) find(raw, low []byte, start, end int) int {
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

func (c *cContent) at(raw, low []byte, pos int) bool {
	if c.nocase {
		return bytes.Equal(low[pos:pos+len(c.lpat)], c.lpat)
	}
	return bytes.Equal(raw[pos:pos+len(c.pat)], c.pat)
}

func (s *ruleScratch) inspectContent(items []cItem, i int, raw, low []byte, prevEnd int) int {
	c := items[i].c
	n, plen := len(raw), len(c.pat)
	retry := 0 // after a failed chain: search again from the last start+1
	for {
		start, end := c.window(prevEnd, n)
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
		if !c.withinNext {
			// a later occurrence only moves the next item's window
			// right, and it has no within to lose: no better chance
			return -1
		}
		retry = found + 1
	}
}

func (s *ruleScratch) inspectPCRE(items []cItem, i int, raw, low []byte, prevEnd int) int {
	p := items[i].p
	retry := 0 // after a failed chain: the last match's start+1
	for {
		base := 0
		if p.relative {
			base = prevEnd
		}
		start := base
		if retry != 0 {
			start = retry
		}
		matched := false
		ms, me := 0, prevEnd
		if start <= len(raw) && !(p.anchored && start > base) {
			subj, wide := s.presentLatin1(raw[start:])
			if p.needEnd && !p.negated {
				if loc := p.re.FindIndex(subj); loc != nil {
					lo, hi := loc[0], loc[1]
					if wide {
						lo, hi = latin1Bytes(subj[:lo]), latin1Bytes(subj[:hi])
					}
					matched, ms, me = true, start+lo, start+hi
				}
			} else {
				matched = p.re.Match(subj)
			}
		}
		if p.negated {
			if matched {
				return 0
			}
			return s.next(items, i, raw, low, prevEnd)
		}
		if !matched {
			return 0
		}
		r := s.next(items, i, raw, low, me)
		if r != 0 || !p.relativeNext {
			return r
		}
		retry = ms + 1
	}
}

// presentLatin1 returns b as the parser's regexps expect it: one rune per
// byte, so \xff in a pattern (U+00FF) finds the byte 0xff and "." takes
// one byte, as PCRE does on raw bytes. ASCII-only input is returned as is;
// otherwise bytes >= 0x80 become their two-byte UTF-8 form in scratch and
// wide is true (offsets then need latin1Bytes).
func (s *ruleScratch) presentLatin1(b []byte) (out []byte, wide bool) {
	high := 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return b, false
	}
	out = s.latin1[:0]
	if cap(out) < len(b)+high {
		out = make([]byte, 0, len(b)+high+len(b)/2)
	}
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		} else {
			out = append(out, 0xc0|c>>6, 0x80|c&0x3f)
		}
	}
	s.latin1 = out
	return out, true
}

// latin1Bytes is how many original bytes the presented prefix w stands
// for: its runes, every byte but UTF-8 continuation bytes.
func latin1Bytes(w []byte) int {
	n := 0
	for _, c := range w {
		if c&0xc0 != 0x80 {
			n++
		}
	}
	return n
}

// thresholdAllows counts a match against the rule's threshold or
// detection_filter and reports whether it may alert, as Suricata's
// ThresholdHandlePacket: a window opens at the first match of a key and
// holds while packet time is at most its start plus seconds.
func (m *RuleMatcher) thresholdAllows(r *cRule, f *packet.Facts) bool {
	t := r.thr
	k := thrKey{gid: r.rule.GID, sid: r.rule.SID}
	switch t.track {
	case trackSrc:
		k.a = f.Src
	case trackDst:
		k.a = f.Dst
	case trackBoth:
		k.a, k.b = f.Src, f.Dst
	case trackFlow:
		// both directions are one flow: order the ends
		k.a, k.b, k.sp, k.dp, k.proto = f.Src, f.Dst, f.SrcPort, f.DstPort, f.Proto
		if k.b.Less(k.a) || k.a == k.b && k.dp < k.sp {
			k.a, k.b, k.sp, k.dp = k.b, k.a, k.dp, k.sp
		}
	}
	now := f.Time
	e, created := m.thresh.Put(k, now, nil)
	if t.unique != uniqueNone {
		port := f.DstPort
		if t.unique == uniqueSrcPort {
			port = f.SrcPort
		}
		if created || now > e.start+t.window {
			e.start, e.ports = now, e.ports[:0]
		}
		if len(e.ports) <= int(t.count) && !slices.Contains(e.ports, port) {
			e.ports = append(e.ports, port)
		}
		return len(e.ports) > int(t.count)
	}
	if created || now > e.start+t.window {
		e.start, e.count = now, 1
		switch t.kind {
		case thrLimit:
			return true
		case thrThreshold:
			if t.count == 1 {
				e.count = 0
				return true
			}
			return false
		case thrBoth:
			return t.count == 1
		}
		return false // detection_filter: never on the first match
	}
	e.count++
	switch t.kind {
	case thrLimit:
		return e.count <= t.count
	case thrThreshold:
		if e.count >= t.count {
			e.count = 0
			return true
		}
		return false
	case thrBoth:
		return e.count == t.count
	}
	return e.count > t.count
}

// httpMethodLen is the length of the request method p starts with, when it
// is one of the methods whose payloads get HTTP buffers and a space
// follows; else 0.
func httpMethodLen(p []byte) int {
	k := bytes.IndexByte(p[:min(len(p), 8)], ' ')
	if k <= 0 {
		return 0
	}
	switch string(p[:k]) {
	case "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE":
		return k
	}
	return 0
}

// parseHTTPRequest finds the buffers of an HTTP request in p: the method,
// the request target, the header block (each header line with its line
// end, up to the blank line or the last complete line), the Host,
// User-Agent and Cookie values (first of each; Host without its port), and
// the body after the blank line. Anything else leaves every span empty.
func parseHTTPRequest(p []byte, h *httpSpans) {
	*h = httpSpans{}
	n := httpMethodLen(p)
	if n == 0 {
		return
	}
	h.spans[bufHTTPMethod] = span{0, int32(n)}
	i := n + 1
	j := i
	for j < len(p) && p[j] != ' ' && p[j] != '\r' && p[j] != '\n' {
		j++
	}
	h.spans[bufHTTPURI] = span{int32(i), int32(j)}
	nl := bytes.IndexByte(p[j:], '\n')
	if nl < 0 {
		return
	}
	hdrStart := j + nl + 1
	pos := hdrStart
	for pos < len(p) {
		e := bytes.IndexByte(p[pos:], '\n')
		if e < 0 {
			break // an unfinished line: not a header yet
		}
		lineEnd := pos + e
		line := p[pos:lineEnd]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			h.spans[bufHTTPBody] = span{int32(lineEnd + 1), int32(len(p))}
			break
		}
		if c := bytes.IndexByte(line, ':'); c > 0 {
			name := line[:c]
			vlo, vhi := pos+c+1, pos+len(line)
			for vlo < vhi && (p[vlo] == ' ' || p[vlo] == '\t') {
				vlo++
			}
			for vhi > vlo && (p[vhi-1] == ' ' || p[vhi-1] == '\t') {
				vhi--
			}
			var id bufID
			switch {
			case asciiEqualFold(name, "host"):
				id = bufHTTPHost
				vhi = hostEnd(p, vlo, vhi)
			case asciiEqualFold(name, "user-agent"):
				id = bufHTTPUserAgent
			case asciiEqualFold(name, "cookie"):
				id = bufHTTPCookie
			}
			if id != 0 && h.spans[id] == (span{}) {
				h.spans[id] = span{int32(vlo), int32(vhi)}
			}
		}
		pos = lineEnd + 1
	}
	h.spans[bufHTTPHeader] = span{int32(hdrStart), int32(pos)}
}

// hostEnd drops a ":port" from the Host value p[lo:hi].
func hostEnd(p []byte, lo, hi int) int {
	v := p[lo:hi]
	if len(v) > 0 && v[0] == '[' {
		if k := bytes.IndexByte(v, ']'); k >= 0 {
			return lo + k + 1
		}
		return hi
	}
	if k := bytes.LastIndexByte(v, ':'); k >= 0 {
		return lo + k
	}
	return hi
}

// asciiEqualFold compares b with the lowercase ASCII s, ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
