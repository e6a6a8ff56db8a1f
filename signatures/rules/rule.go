// Package rules parses rules written in the Suricata/Snort rule language
// into Rule values that the rule matcher (rulematch) compiles. It knows the
// language, not packets: matching lives in rulematch.
package rules

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
)

// Rule is one parsed rule. Only keywords the matcher supports are kept; a
// rule using any other keyword is skipped whole (see Skipped), never run
// with a changed meaning.
type Rule struct {
	File string // where it came from, for messages
	Line int
	Raw  string

	Action   Action
	Proto    Protocol
	Src, Dst AddrSpec
	SrcPorts PortSpec
	DstPorts PortSpec
	// Bidirectional is "<>": the header matches either way round.
	Bidirectional bool

	Msg       string
	SID       uint32
	Rev       uint32
	GID       uint32
	Classtype string
	Priority  int // 0 when not given (the classtype's priority applies)
	// References as written ("cve,2021-44228" → {Type: "cve", ID: "2021-44228"}).
	References []Reference
	Metadata   []string // "key value" pairs as written
	Target     Target   // target:, TargetNone when not given

	// Payload conditions, in rule order: contents and pcres are evaluated
	// in sequence because distance/within and relative pcre depend on the
	// previous match.
	Matches []Match

	Flow      Flow
	Flags     *Flags
	Dsize     *Range
	TTL       *Range
	IType     *Range
	ICode     *Range
	Threshold *Threshold // threshold: or detection_filter:
	// ByteVars are the rule's byte_extract variables in rule order; a
	// ByteVar n names ByteVars[n-1].
	ByteVars []string
	// URILen is urilen: the length of the request URI; URILenRaw is its
	// ",raw" (the URI as sent) rather than the default ",norm".
	URILen    *Range
	URILenRaw bool
	FragBits  *FragBits // fragbits:, on IPv4 packets only
	// Exact header fields: seq: and ack: (TCP), window: (TCP, may be
	// negated), id: (IPv4 identification), icmp_id: and icmp_seq: (ICMP
	// echo id and sequence number).
	Seq, Ack, Window, IPID, ICMPID, ICMPSeq *FieldEq
	SameIP                                  bool // sameip: source and destination address are equal
	// BSize are the rule's bsize: tests, at most one per buffer.
	BSize []BufferSize

	// Flowbits are the rule's flowbits: options in order; NoAlert is
	// flowbits:noalert or noalert: the rule only sets state.
	Flowbits []Flowbit
	NoAlert  bool
	// Alert is alert;: a pass rule alerts too when it matches.
	Alert bool

	// Decoder and IP/TCP header keywords (decoder.go): DecodeEvents are
	// decode-event: names, lowercased, all of which the packet must
	// carry; IPOpts is ipopts:; IPProto are the ip_proto: tests, all of
	// which must hold (ET writes ip_proto:!1; ip_proto:!2; ...);
	// FragOffset and TCPMSS are fragoffset: and tcp.mss:.
	DecodeEvents       []string
	IPOpts             IPOpt
	IPProto            []Range
	FragOffset, TCPMSS *Range
}

// Action is what a rule does when it matches: alert; drop, reject,
// rejectsrc, rejectdst, rejectboth (alert and stop the packet, in IPS
// mode); pass (stop inspecting the packet, or its flow, silently). The
// matcher orders rules by it (rulematch Config.ActionOrder).
type Action uint8

// Actions; the zero value is none.
const (
	ActionAlert Action = iota + 1
	ActionDrop
	ActionReject
	ActionRejectSrc
	ActionRejectDst
	ActionRejectBoth
	ActionPass
)

// String returns the action as a rule writes it.
func (a Action) String() string {
	return enumName("Action", uint8(a), "", "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass")
}

// Flowbit is one flowbits: option. Set, unset and toggle act when the rule
// matches; isset and isnotset are conditions on the flow.
type Flowbit struct {
	Cmd   FlowbitCmd
	Names []string // one or more: "a&b" (all) or, for isset/isnotset, "a|b" (any)
	Any   bool     // names were joined with |
}

// FlowbitCmd is a flowbits: command.
type FlowbitCmd uint8

// Flowbits commands; the zero value is none.
const (
	FlowbitSet FlowbitCmd = iota + 1
	FlowbitUnset
	FlowbitToggle
	FlowbitIsSet
	FlowbitIsNotSet
)

// String returns the command as a rule writes it.
func (c FlowbitCmd) String() string {
	return enumName("FlowbitCmd", uint8(c), "", "set", "unset", "toggle", "isset", "isnotset")
}

// Condition reports whether the command is a condition on the flow (isset,
// isnotset) rather than an action.
func (c FlowbitCmd) Condition() bool { return c == FlowbitIsSet || c == FlowbitIsNotSet }

// Reference is one reference: keyword.
type Reference struct {
	Type string // cve, url, bugtraq, ...
	ID   string
}

// CVE returns the rule's CVE references as "CVE-YYYY-NNNN".
func (r *Rule) CVE() []string {
	var out []string
	for _, ref := range r.References {
		if ref.Type == "cve" {
			out = append(out, "CVE-"+ref.ID)
		}
	}
	return out
}

// Buffer names where a content or pcre looks. The matcher indexes its
// buffers by it.
type Buffer uint8

// Buffers the matcher knows. The zero value is the packet payload (or the
// reassembled stream for TCP).
const (
	BufferPayload Buffer = iota
	BufferHTTPURI
	BufferHTTPMethod
	BufferHTTPHeader
	BufferHTTPHost
	BufferHTTPUserAgent
	BufferHTTPCookie
	BufferHTTPBody
	BufferDNSQuery        // a DNS request's query name, dotted, one per question
	BufferHTTPHeaderNames // built, not a span: "\r\nName\r\n...\r\n\r\n"
	BufferHTTPRawURI
	BufferHTTPRequestLine
	BufferHTTPContentType
	BufferHTTPAccept
	BufferHTTPAcceptLang
	BufferHTTPAcceptEnc
	BufferHTTPConnection
	BufferHTTPReferer
	BufferHTTPRawHeader
	BufferHTTPProtocol
	BufferTLSSNI    // a TLS ClientHello's server_name host name
	BufferHTTPStart // the request line and headers through the blank line

	// TLS handshake and SSH buffers, one side of a flow each (tlsflow.go
	// in rulematch): the certificate fields of the leaf certificate the
	// side sent, its hello's JA3 or JA3S, its SSH banner's parts.
	BufferTLSCertSubject     // "C=US, O=..., CN=..." as Suricata prints it
	BufferTLSCertIssuer      // likewise, the issuer
	BufferTLSCertSerial      // "0A:1B:..."
	BufferTLSCertFingerprint // SHA-1 of the DER, "aa:bb:..."
	BufferJA3Hash            // MD5 of BufferJA3String, lowercase hex
	BufferJA3String          // "771,4865-4866,0-23,29-23,0"
	BufferJA3SHash
	BufferJA3SString
	BufferTLSRandom      // the side's hello's 32 random bytes
	BufferTLSRandomTime  // their first 4
	BufferTLSRandomBytes // their last 28
	BufferSSHProto       // the banner's protocol version, "2.0"
	BufferSSHSoftware    // the banner's software version, "OpenSSH_8.4p1"
	// hassh: the client's KEXINIT algorithms (kex;enc;mac;compression,
	// client to server) and their MD5; hassh.server the server's (server
	// to client lists)
	BufferSSHHassh
	BufferSSHHasshString
	BufferSSHHasshServer
	BufferSSHHasshServerString

	// The response buffers, and file.data, a transaction's body: the
	// response's on to_client, the request's on to_server (Suricata 7's
	// http.response_body is the same buffer).
	BufferHTTPStatCode
	BufferHTTPStatMsg
	BufferHTTPResponseLine
	BufferFileData
	BufferHTTPServer
	BufferHTTPLocation
	BufferHTTPContentLen

	// Header buffers (decoder.go): raw headers of the packet.
	BufferIPv4Hdr
	BufferIPv6Hdr
	BufferTCPHdr
	BufferUDPHdr
	BufferICMPv4Hdr
	BufferICMPv6Hdr

	BufferIPSrc // the source address's bytes: 4 for IPv4, 16 for IPv6
	BufferIPDst // the destination address's bytes
	NumBuffers  // how many there are
)

// String returns the sticky buffer keyword that selects b.
func (b Buffer) String() string {
	return enumName("Buffer", uint8(b), "pkt_data", "http.uri", "http.method", "http.header", "http.host",
		"http.user_agent", "http.cookie", "http.request_body", "dns.query", "http.header_names", "http.uri.raw", "http.request_line",
		"http.content_type", "http.accept", "http.accept_lang", "http.accept_enc", "http.connection", "http.referer",
		"http.header.raw", "http.protocol", "tls.sni", "http.start",
		"tls.cert_subject", "tls.cert_issuer", "tls.cert_serial", "tls.cert_fingerprint",
		"ja3.hash", "ja3.string", "ja3s.hash", "ja3s.string",
		"tls.random", "tls.random_time", "tls.random_bytes", "ssh.proto", "ssh.software",
		"ssh.hassh", "ssh.hassh.string", "ssh.hassh.server", "ssh.hassh.server.string",
		"http.stat_code", "http.stat_msg", "http.response_line", "file.data", "http.server", "http.location", "http.content_len",
		"ipv4.hdr", "ipv6.hdr", "tcp.hdr", "udp.hdr", "icmpv4.hdr", "icmpv6.hdr", "ip.src", "ip.dst")
}

// Match is one content or pcre condition.
type Match struct {
	Buffer Buffer
	// Transforms change the buffer before this match looks at it
	// (transform.go); nil for none. The matches of one transformed
	// buffer share the slice.
	Transforms []Transform
	// Content is set for content:, PCRE for pcre:, Byte for byte_test:,
	// byte_jump: and isdataat:, Dataset for dataset: and datarep:
	// (dataset.go).
	Content *Content
	PCRE    *PCRE
	Byte    *ByteOp
	Dataset *Dataset
}

// IPBuffer reports whether b is an address buffer (ip.src, ip.dst): there
// in every IP packet, whatever the protocol.
func (b Buffer) IPBuffer() bool { return b == BufferIPSrc || b == BufferIPDst }

// ByteOp is a byte_test, byte_jump or isdataat: a check on the bytes at a
// position, absolute or relative to the previous match's end.
type ByteOp struct {
	Kind     ByteKind
	Bytes    int // bytes read (byte_test, byte_jump)
	Offset   int // from the buffer start, or from the previous match with Relative
	Relative bool
	Little   bool   // little endian (binary)
	String   bool   // the bytes are an ASCII number in Base
	Base     int    // 10, 16 or 8 with String
	Bitmask  uint64 // 0 for none: the value is masked, then shifted right past the mask's trailing zeros

	// byte_test: Value Op (negated) the bytes' value; isdataat: Negate.
	Op     ByteCompare
	Negate bool
	Value  uint64

	// byte_jump: the match position moves to after the bytes read plus
	// value*Multiplier (rounded up to 4 with Align) plus PostOffset, or
	// from the buffer's beginning or end.
	Multiplier    uint64
	Align         bool
	FromBeginning bool
	FromEnd       bool
	PostOffset    int

	// byte_extract: the value (masked, times Multiplier, rounded up to a
	// multiple of AlignTo when not 0) goes to Var, and the match position
	// moves to after the bytes read. byte_math: the value Math Value (or
	// ValueVar), then masked, goes to Var; the position moves as well.
	Var     ByteVar
	AlignTo int
	Math    ByteMathOp

	// Operands taken from byte_extract variables instead of Bytes,
	// Offset (isdataat's position too) and Value; 0 for none.
	BytesVar, OffsetVar, ValueVar ByteVar
}

// ByteMathOp is byte_math's operator.
type ByteMathOp uint8

// byte_math operators; the zero value is none.
const (
	MathAdd ByteMathOp = iota + 1 // +
	MathSub                       // -
	MathMul                       // *
	MathDiv                       // /
	MathShl                       // <<
	MathShr                       // >>
)

// String returns the operator as a rule writes it.
func (o ByteMathOp) String() string {
	return enumName("ByteMathOp", uint8(o), "", "+", "-", "*", "/", "<<", ">>")
}

// ByteVar names a byte_extract variable of a rule: 0 is none, n is the
// rule's ByteVars[n-1].
type ByteVar uint8

// MaxByteVars caps the byte_extract variables of one rule: the matcher
// keeps their values in a fixed array. Rules use one to three.
const MaxByteVars = 16

// ByteKind is the keyword of a ByteOp.
type ByteKind uint8

// Byte keywords; the zero value is none.
const (
	ByteTest ByteKind = iota + 1
	ByteJump
	IsDataAt
	ByteExtract
	ByteMath
)

// String returns the keyword.
func (k ByteKind) String() string {
	return enumName("ByteKind", uint8(k), "", "byte_test", "byte_jump", "isdataat", "byte_extract", "byte_math")
}

// ByteCompare is byte_test's operator.
type ByteCompare uint8

// Operators; the zero value is none.
const (
	CompareEq  ByteCompare = iota + 1 // =
	CompareLt                         // <
	CompareGt                         // >
	CompareLe                         // <=
	CompareGe                         // >=
	CompareAnd                        // &: some bit of value is set
	CompareXor                        // ^: not equal, bitwise
)

// String returns the operator as a rule writes it.
func (c ByteCompare) String() string {
	return enumName("ByteCompare", uint8(c), "", "=", "<", ">", "<=", ">=", "&", "^")
}

// Content is a content: keyword with its modifiers.
type Content struct {
	Pattern []byte // decoded: |41 42| hex bytes already turned into bytes
	Negated bool   // content:!"..."
	NoCase  bool
	// Offset and Depth are absolute (from the buffer start); Distance and
	// Within are relative to the end of the previous match. HasX says the
	// modifier was given (0 is a valid value).
	Offset, Depth    int
	Distance, Within int
	HasOffset        bool
	HasDepth         bool
	HasDistance      bool
	HasWithin        bool
	// OffsetVar, DepthVar, DistanceVar and WithinVar take the modifier's
	// value from a byte_extract variable (its HasX is set, X is 0).
	OffsetVar, DepthVar, DistanceVar, WithinVar ByteVar
	FastPattern                                 bool // fast_pattern: prefer this content for the prefilter
	StartsWith, EndsWith                        bool
}

// Relative reports whether the content is anchored to the previous match.
func (c *Content) Relative() bool { return c.HasDistance || c.HasWithin }

// PCRE is a pcre: keyword: for RE2 (Expr) when the pattern has an RE2
// spelling, which runs in linear time, or else (back-references,
// lookaround, atomic groups, possessive quantifiers) compiled for the
// bounded backtracking matcher (BT). Exactly one of Expr and BT is set.
//
// Expr is parsed when the rule is read, so a bad one is reported then, and
// compiled on first use (Regexp): the prefilter rules most of a large
// set's pcres out on a given capture, and compiling all of ET Open's 7,886
// up front held 25 MB and a tenth of its load time.
type PCRE struct {
	Source   string // as written, e.g. "/foo\d+/i"
	Expr     string // the RE2 expression; "" with BT
	BT       *pcrebt.Regexp
	Negated  bool
	Relative bool // R flag: search from the end of the previous match

	once sync.Once
	re   *regexp.Regexp
}

// Regexp is Expr compiled, nil without Expr; safe from several threads.
func (p *PCRE) Regexp() *regexp.Regexp {
	if p.Expr == "" {
		return nil
	}
	p.once.Do(func() {
		var err error
		if p.re, err = regexp.Compile(p.Expr); err != nil {
			// cannot happen: Expr parsed when the rule was read, and
			// parsing is where regexp.Compile fails; a regexp that
			// matches nothing keeps it from stopping a run all the same
			p.re = regexp.MustCompile(`[^\x00-\x{10FFFF}]`)
		}
	})
	return p.re
}

// FlowDirection is the flow: direction.
type FlowDirection uint8

// Flow directions.
const (
	FlowAny FlowDirection = iota
	FlowToServer
	FlowToClient
)

// Flow is the flow: keyword.
type Flow struct {
	Direction      FlowDirection
	Established    bool // established
	Stateless      bool // stateless: matches without flow state
	NotEstablished bool
	// OnlyStream and NoStream: TCP payload from the reassembled stream
	// only, or from the packet only (as the tcp-stream and tcp-pkt
	// protocols).
	OnlyStream, NoStream bool
}

// Flags is the flags: keyword.
type Flags struct {
	Mask   uint8 // the flags named (bit values as in the TCP header)
	Ignore uint8 // flags after "," that are ignored
	Mode   byte  // 0 exact, '+' all of these and any others, '*' any of these, '!' none of these
}

// BufferSize is bsize: the length of a sticky buffer (or of the buffer of
// the content before it) must pass Size. The buffer must be there: bsize
// on a buffer the packet lacks does not match.
type BufferSize struct {
	Buffer     Buffer
	Transforms []Transform // of the buffer measured: its length after them
	Size       *Range
}

// FieldEq is a header field test: equal to Value, or with Negated
// (window:!N) not equal.
type FieldEq struct {
	Value   uint32
	Negated bool
}

// FragBits is the fragbits: keyword: a test on the IPv4 flag bits.
type FragBits struct {
	Mask uint8 // 1 M (more fragments), 2 D (don't fragment), 4 R (reserved)
	// Mode is 0 exact, '+' all of these and at least one other, '*' any
	// of these, '!' not all of these (Suricata's FragBitsMatch).
	Mode byte
}

// Range is a numeric test as dsize/ttl/itype/icode write them: "N",
// "<N", ">N", "N<>M" (exclusive), "N-M" (inclusive).
type Range struct {
	Op       RangeOp
	Min, Max int
}

// RangeOp is the test a Range makes.
type RangeOp uint8

// Range tests; the zero value is none. The parser stores "N-M" as
// RangeExclusive, since Suricata's ranges are exclusive either way;
// RangeInclusive is for rules built otherwise.
const (
	RangeEq        RangeOp = iota + 1 // = Min
	RangeNot                          // != Min
	RangeLt                           // < Min
	RangeLe                           // <= Min
	RangeGt                           // > Min
	RangeGe                           // >= Min
	RangeExclusive                    // Min <> Max: strictly between
	RangeInclusive                    // Min - Max: between or equal
)

// String returns the operator as a rule writes it.
func (o RangeOp) String() string {
	return enumName("RangeOp", uint8(o), "", "=", "!", "<", "<=", ">", ">=", "<>", "-")
}

// Match reports whether v satisfies the range.
func (r *Range) Match(v int) bool {
	switch r.Op {
	case RangeEq:
		return v == r.Min
	case RangeNot:
		return v != r.Min
	case RangeLt:
		return v < r.Min
	case RangeLe:
		return v <= r.Min
	case RangeGt:
		return v > r.Min
	case RangeGe:
		return v >= r.Min
	case RangeExclusive:
		return v > r.Min && v < r.Max
	case RangeInclusive:
		return v >= r.Min && v <= r.Max
	}
	return false
}

// Threshold is threshold: (type limit|threshold|both) or detection_filter:
// (Type DetectionFilter): track by_src|by_dst|by_rule|by_both|by_flow,
// count, seconds.
type Threshold struct {
	Type    ThresholdType
	Track   Track
	Count   int
	Seconds int
	// UniqueOn (detection_filter only): src_port or dst_port makes Count a
	// number of distinct ports rather than of matches.
	UniqueOn UniqueOn
}

// ThresholdType is what a threshold does with its count.
type ThresholdType uint8

// Threshold types; the zero value is none.
const (
	ThresholdLimit     ThresholdType = iota + 1 // alert on the first count matches of a window
	ThresholdThreshold                          // alert on every count-th match
	ThresholdBoth                               // alert once, at the count-th match
	DetectionFilter                             // alert on every match past count
	// RateFilter (threshold files only) alerts on every match and
	// changes its action once more than count matched in the window.
	RateFilter
)

// String returns the type as a rule writes it.
func (t ThresholdType) String() string {
	return enumName("ThresholdType", uint8(t), "", "limit", "threshold", "both", "detection_filter", "rate_filter")
}

// Track is what a threshold counts by.
type Track uint8

// Tracks; the zero value is none.
const (
	TrackBySrc Track = iota + 1
	TrackByDst
	TrackByRule
	TrackByBoth // the source and destination pair
	TrackByFlow // the connection, both directions alike
)

// String returns the track as a rule writes it.
func (t Track) String() string {
	return enumName("Track", uint8(t), "", "by_src", "by_dst", "by_rule", "by_both", "by_flow")
}

// UniqueOn is the port a unique_on detection_filter counts distinct values
// of.
type UniqueOn uint8

// Unique ports; the zero value counts matches.
const (
	UniqueNone UniqueOn = iota
	UniqueSrcPort
	UniqueDstPort
)

// String returns the option as a rule writes it ("" for none).
func (u UniqueOn) String() string {
	if u == UniqueNone {
		return ""
	}
	return enumName("UniqueOn", uint8(u), "", "src_port", "dst_port")
}

// enumName returns the name of value v, names being in value order, or
// typ(v) for a value without one.
func enumName(typ string, v uint8, names ...string) string {
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// lookup returns the value of an enum whose String is name, trying first
// through last.
func lookup[T interface {
	~uint8
	String() string
}](name string, first, last T) (T, bool) {
	for v := first; v <= last; v++ {
		if v.String() == name {
			return v, true
		}
	}
	return 0, false
}

// AddrSpec is a compiled address expression: any, a list of prefixes, and
// negations ("[10.0.0.0/8,!10.1.0.0/16]", "!$HOME_NET").
type AddrSpec struct {
	Any     bool
	Include []netip.Prefix // empty with Any
	Exclude []netip.Prefix
	Negated bool // the whole expression is negated
}

// Match reports whether a is in the set.
func (s *AddrSpec) Match(a netip.Addr) bool {
	in := s.Any
	if !in {
		for _, p := range s.Include {
			if p.Contains(a) {
				in = true
				break
			}
		}
	}
	if in {
		for _, p := range s.Exclude {
			if p.Contains(a) {
				in = false
				break
			}
		}
	}
	return in != s.Negated
}

// PortSpec is a compiled port expression: any, ports and ranges, negations
// ("[80,443,8000:8080,!8081]", "!$HTTP_PORTS").
type PortSpec struct {
	Any     bool
	Include []PortRange
	Exclude []PortRange
	Negated bool
}

// PortRange is an inclusive range of ports.
type PortRange struct{ Lo, Hi uint16 }

// Match reports whether p is in the set.
func (s *PortSpec) Match(p uint16) bool {
	in := s.Any
	if !in {
		for _, r := range s.Include {
			if p >= r.Lo && p <= r.Hi {
				in = true
				break
			}
		}
	}
	if in {
		for _, r := range s.Exclude {
			if p >= r.Lo && p <= r.Hi {
				in = false
				break
			}
		}
	}
	return in != s.Negated
}

// Skipped is a rule left out, with why: an unsupported keyword or a
// construct RE2 cannot run. Skipped rules are reported, never silently
// dropped.
type Skipped struct {
	File    string
	Line    int
	SID     uint32 // 0 when the rule did not get that far
	Keyword string
	Reason  string
}

// Group is what a skipped rule is counted under in summaries: the
// unsupported thing without the rule's own values, so that 1,700 rules
// using file_data make one line, "unsupported keyword file_data".
func (s Skipped) Group() string {
	for _, what := range []string{"protocol", "action"} {
		if strings.HasPrefix(s.Reason, what+" ") {
			return "unsupported " + what + " " + s.Keyword
		}
	}
	if s.Keyword == "pcre" {
		// pcre is supported: what is not is a construct or a flag, and
		// that is worth telling apart ("uses backreferences").
		if what, ok := strings.CutPrefix(s.Reason, "pcre uses "); ok {
			what, _, _ = strings.Cut(what, ", which")
			what, _, _ = strings.Cut(what, " (") // the rule's own text: "({1075,})"
			return "pcre uses " + what
		}
		if strings.HasPrefix(s.Reason, "pcre flag ") && len(s.Reason) > len("pcre flag X") {
			return "unsupported pcre flag " + s.Reason[len("pcre flag "):len("pcre flag X")]
		}
		switch {
		case strings.HasPrefix(s.Reason, "pcre capture into variables"):
			return "pcre capture into variables"
		case strings.Contains(s.Reason, "cannot be compiled as RE2"):
			return "pcre not compilable as RE2"
		case strings.Contains(s.Reason, "does not compile"):
			return "pcre the backtracking matcher cannot compile"
		}
	}
	if s.Keyword == "" {
		return "unsupported"
	}
	return "unsupported keyword " + s.Keyword
}
