// Package rules parses rules written in the Suricata/Snort rule language
// into Rule values that the rule matcher (rulematch) compiles. It knows the
// language, not packets: matching lives in rulematch.
package rules

import (
	"net/netip"
	"regexp"
)

// Rule is one parsed rule. Only keywords the matcher supports are kept; a
// rule using any other keyword is skipped whole (see Skipped), never run
// with a changed meaning.
type Rule struct {
	File string // where it came from, for messages
	Line int
	Raw  string

	Action   string // alert, drop, reject, pass
	Proto    string // ip, tcp, udp, icmp, or an app-layer name (http, ftp, ...)
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

	// Flowbits are the rule's flowbits: options in order; NoAlert is
	// flowbits:noalert or noalert: the rule only sets state.
	Flowbits []Flowbit
	NoAlert  bool
}

// Flowbit is one flowbits: option. Set, unset and toggle act when the rule
// matches; isset and isnotset are conditions on the flow.
type Flowbit struct {
	Cmd   string   // set, unset, toggle, isset, isnotset
	Names []string // one or more: "a&b" (all) or, for isset/isnotset, "a|b" (any)
	Any   bool     // names were joined with |
}

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

// Buffer names where a content or pcre looks.
type Buffer string

// Buffers the matcher knows. The empty buffer is the packet payload (or the
// reassembled stream for TCP).
const (
	BufferPayload       Buffer = ""
	BufferHTTPURI       Buffer = "http.uri"
	BufferHTTPMethod    Buffer = "http.method"
	BufferHTTPHeader    Buffer = "http.header"
	BufferHTTPHost      Buffer = "http.host"
	BufferHTTPUserAgent Buffer = "http.user_agent"
	BufferHTTPCookie    Buffer = "http.cookie"
	BufferHTTPBody      Buffer = "http.request_body"
)

// Match is one content or pcre condition.
type Match struct {
	Buffer Buffer
	// Content is set for content:, PCRE for pcre:, Byte for byte_test:,
	// byte_jump: and isdataat:.
	Content *Content
	PCRE    *PCRE
	Byte    *ByteOp
}

// ByteOp is a byte_test, byte_jump or isdataat: a check on the bytes at a
// position, absolute or relative to the previous match's end.
type ByteOp struct {
	Kind     string // "byte_test", "byte_jump" or "isdataat"
	Bytes    int    // bytes read (byte_test, byte_jump)
	Offset   int    // from the buffer start, or from the previous match with Relative
	Relative bool
	Little   bool   // little endian (binary)
	String   bool   // the bytes are an ASCII number in Base
	Base     int    // 10, 16 or 8 with String
	Bitmask  uint64 // 0 for none: the value is masked, then shifted right past the mask's trailing zeros

	// byte_test: Value Op (negated) the bytes' value; isdataat: Negate.
	Op     string // "=", "<", ">", "<=", ">=", "&", "^"
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
}

// Content is a content: keyword with its modifiers.
type Content struct {
	Pattern []byte // decoded: |41 42| hex bytes already turned into bytes
	Negated bool   // content:!"..."
	NoCase  bool
	// Offset and Depth are absolute (from the buffer start); Distance and
	// Within are relative to the end of the previous match. HasX says the
	// modifier was given (0 is a valid value).
	Offset, Depth        int
	Distance, Within     int
	HasOffset            bool
	HasDepth             bool
	HasDistance          bool
	HasWithin            bool
	FastPattern          bool // fast_pattern: prefer this content for the prefilter
	StartsWith, EndsWith bool
}

// Relative reports whether the content is anchored to the previous match.
func (c *Content) Relative() bool { return c.HasDistance || c.HasWithin }

// PCRE is a pcre: keyword compiled as RE2. Rules using backreferences or
// lookaround are skipped at parse time with a message.
type PCRE struct {
	Source   string // as written, e.g. "/foo\d+/i"
	Re       *regexp.Regexp
	Negated  bool
	Relative bool // R flag: search from the end of the previous match
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
}

// Flags is the flags: keyword.
type Flags struct {
	Mask   uint8 // the flags named (bit values as in the TCP header)
	Ignore uint8 // flags after "," that are ignored
	Mode   byte  // 0 exact, '+' all of these and any others, '*' any of these, '!' none of these
}

// Range is a numeric test as dsize/ttl/itype/icode write them: "N",
// "<N", ">N", "N<>M" (exclusive), "N-M" (inclusive).
type Range struct {
	Op       string // "=", "<", ">", "<>", "-", "<=", ">=", "!"
	Min, Max int
}

// Match reports whether v satisfies the range.
func (r *Range) Match(v int) bool {
	switch r.Op {
	case "=":
		return v == r.Min
	case "!":
		return v != r.Min
	case "<":
		return v < r.Min
	case "<=":
		return v <= r.Min
	case ">":
		return v > r.Min
	case ">=":
		return v >= r.Min
	case "<>":
		return v > r.Min && v < r.Max
	case "-":
		return v >= r.Min && v <= r.Max
	}
	return false
}

// Threshold is threshold: (type limit|threshold|both) or detection_filter:
// (Type "detection_filter"): track by_src|by_dst|by_rule|by_both, count,
// seconds.
type Threshold struct {
	Type    string // limit, threshold, both, detection_filter
	Track   string // by_src, by_dst, by_rule, by_both, by_flow
	Count   int
	Seconds int
	// UniqueOn (detection_filter only): "src_port" or "dst_port" makes
	// Count a number of distinct ports rather than of matches.
	UniqueOn string
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
