package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// The keyword table: one entry per keyword with its name, what it does and
// the function that parses its value into the Rule (Suricata registers
// keywords the same way, in sigmatch_table). A keyword that is not in the
// table makes the rule skipped; entries whose parse returns a skip name
// keywords with a specific reason.

// valueRule says whether a keyword takes a value.
type valueRule uint8

const (
	valueRequired valueRule = iota // keyword:value;
	valueNone                      // keyword;
	valueOptional                  // either
)

type keyword struct {
	name  string
	doc   string
	value valueRule
	parse func(st *ruleState, val string) error
}

// KeywordDoc is one keyword ipsreplay knows, for help text.
type KeywordDoc struct {
	Name string
	Doc  string
}

// Keywords lists the keywords the parser knows, with what each does or
// why it is not supported, in table order.
func Keywords() []KeywordDoc {
	var out []KeywordDoc
	for _, kw := range keywordTable() {
		out = append(out, KeywordDoc{Name: kw.name, Doc: kw.doc})
	}
	return out
}

func keywordTable() []keyword {
	return []keyword{
		// Meta keywords.
		{name: "msg", doc: `msg:"text"; the alert message (\" \; \\ escapes).`, parse: parseMsg},
		{name: "sid", doc: "sid:N; the rule id, required, unique per gid.", parse: parseNothing},
		{name: "gid", doc: "gid:N; the generator id (default 1).", parse: parseNothing},
		{name: "rev", doc: "rev:N; the rule revision.", parse: parseRev},
		{name: "classtype", doc: "classtype:name; a classification from the default classification.config (sets the default priority).", parse: parseClasstype},
		{name: "priority", doc: "priority:N; 1 (highest) to 255, overriding the classtype's.", parse: parsePriority},
		{name: "reference", doc: "reference:type,id; e.g. cve,2021-44228 (type lowercased).", parse: parseReference},
		{name: "metadata", doc: "metadata:key value, key value; kept as written.", parse: parseMetadata},

		// Payload: content and its modifiers.
		{name: "content", doc: `content:"text|41 42|"; bytes to find (! negates); escapes \" \; \\ \: \|.`, parse: parseContent},
		{name: "uricontent", doc: `uricontent:"text"; old form of content in http.uri.`, parse: parseURIContent},
		{name: "nocase", doc: "nocase; the preceding content ignores ASCII case.", value: valueNone, parse: parseNocase},
		{name: "offset", doc: "offset:N; the preceding content starts at or after byte N of the buffer.", parse: modOffset},
		{name: "depth", doc: "depth:N; the preceding content ends within the first N bytes (from offset).", parse: modDepth},
		{name: "distance", doc: "distance:N; the preceding content starts N bytes after the previous match (may be negative).", parse: modDistance},
		{name: "within", doc: "within:N; the preceding content ends within N bytes of the previous match.", parse: modWithin},
		{name: "fast_pattern", doc: "fast_pattern; (or :only, :N,M) prefer the preceding content for the prefilter.", value: valueOptional, parse: parseFastPattern},
		{name: "startswith", doc: "startswith; the preceding content is at the start of the buffer.", value: valueNone, parse: parseStartsWith},
		{name: "endswith", doc: "endswith; the preceding content is at the end of the buffer.", value: valueNone, parse: parseEndsWith},
		{name: "rawbytes", doc: "rawbytes; accepted, no effect (there is no normalized payload).", value: valueNone, parse: parseRawbytes},
		{name: "pcre", doc: `pcre:"/re/flags"; a regular expression, run as RE2 (flags i s m x A E G R, HTTP flags U H M C P V W).`, parse: parsePCREKeyword},

		// Byte checks, in the content chain.
		{name: "byte_test", doc: "byte_test:N, [!]op, value, offset[, relative][, big|little][, string, dec|hex|oct][, bitmask M]; compare N bytes (op = < > <= >= & ^). dce and byte_extract variables are not supported.", parse: parseByteTest},
		{name: "byte_jump", doc: "byte_jump:N, offset[, relative][, multiplier M][, big|little][, string, dec|hex|oct][, align][, from_beginning|from_end][, post_offset P][, bitmask M]; move the match position by the value of N bytes.", parse: parseByteJump},
		{name: "isdataat", doc: "isdataat:[!]N[, relative]; there is (not) a byte at position N (after the previous match with relative).", parse: parseIsDataAt},

		// Sticky buffers: the following contents and pcres look here.
		{name: "http.uri", doc: "http.uri; sticky buffer: the normalized request URI.", value: valueNone, parse: sticky(BufferHTTPURI)},
		{name: "http.method", doc: "http.method; sticky buffer: the request method.", value: valueNone, parse: sticky(BufferHTTPMethod)},
		{name: "http.header", doc: "http.header; sticky buffer: the request headers.", value: valueNone, parse: sticky(BufferHTTPHeader)},
		{name: "http.host", doc: "http.host; sticky buffer: the Host header, lowercased.", value: valueNone, parse: sticky(BufferHTTPHost)},
		{name: "http.user_agent", doc: "http.user_agent; sticky buffer: the User-Agent header.", value: valueNone, parse: sticky(BufferHTTPUserAgent)},
		{name: "http.cookie", doc: "http.cookie; sticky buffer: the Cookie header.", value: valueNone, parse: sticky(BufferHTTPCookie)},
		{name: "http.request_body", doc: "http.request_body; sticky buffer: the request body.", value: valueNone, parse: sticky(BufferHTTPBody)},
		{name: "pkt_data", doc: "pkt_data; back to the packet payload.", value: valueNone, parse: sticky(BufferPayload)},
		{name: "file_data", doc: "file_data; not supported (no file extraction): the rule is skipped.", value: valueOptional, parse: unsupportedKeyword("file_data", "file_data is not supported: there is no file extraction")},
		{name: "file.data", doc: "file.data; not supported (no file extraction): the rule is skipped.", value: valueOptional, parse: unsupportedKeyword("file.data", "file.data is not supported: there is no file extraction")},

		// Content modifiers (old style): the preceding content looks in a buffer.
		{name: "http_uri", doc: "http_uri; the preceding content looks in http.uri.", value: valueNone, parse: modBuffer("http_uri", BufferHTTPURI)},
		{name: "http_method", doc: "http_method; the preceding content looks in http.method.", value: valueNone, parse: modBuffer("http_method", BufferHTTPMethod)},
		{name: "http_header", doc: "http_header; the preceding content looks in http.header.", value: valueNone, parse: modBuffer("http_header", BufferHTTPHeader)},
		{name: "http_host", doc: "http_host; the preceding content looks in http.host.", value: valueNone, parse: modBuffer("http_host", BufferHTTPHost)},
		{name: "http_user_agent", doc: "http_user_agent; the preceding content looks in http.user_agent.", value: valueNone, parse: modBuffer("http_user_agent", BufferHTTPUserAgent)},
		{name: "http_cookie", doc: "http_cookie; the preceding content looks in http.cookie.", value: valueNone, parse: modBuffer("http_cookie", BufferHTTPCookie)},
		{name: "http_client_body", doc: "http_client_body; the preceding content looks in http.request_body.", value: valueNone, parse: modBuffer("http_client_body", BufferHTTPBody)},
		{name: "http_raw_host", doc: "http_raw_host; not supported (no raw host buffer): the rule is skipped.", value: valueOptional, parse: unsupportedKeyword("http_raw_host", "http_raw_host is not supported: there is no raw host buffer")},

		// Flow and packet header keywords.
		{name: "flow", doc: "flow:to_server|to_client|from_client|from_server, established|not_established|stateless, only_stream (accepted: TCP payload is the stream). no_stream, only_frag, no_frag are not supported.", parse: parseFlow},
		{name: "flags", doc: "flags:[+*!]SAFRPUCE[,ignored]; TCP flags (1 = C, 2 = E, 0 = none).", parse: parseFlags},
		{name: "tcp.flags", doc: "tcp.flags; the same as flags.", parse: parseFlags},
		{name: "dsize", doc: "dsize:N|<N|>N|<=N|>=N|!N|N<>M|N-M; payload size (ranges are exclusive, as in Suricata).", parse: rangeKeyword("dsize", 65535, func(r *Rule) **Range { return &r.Dsize })},
		{name: "ttl", doc: "ttl:N|<N|>N|<=N|>=N|!N|N<>M|N-M; IP time to live (ranges exclusive).", parse: rangeKeyword("ttl", 255, func(r *Rule) **Range { return &r.TTL })},
		{name: "itype", doc: "itype:N|<N|>N|N<>M|...; ICMP type.", parse: rangeKeyword("itype", 255, func(r *Rule) **Range { return &r.IType })},
		{name: "icode", doc: "icode:N|<N|>N|N<>M|...; ICMP code.", parse: rangeKeyword("icode", 255, func(r *Rule) **Range { return &r.ICode })},

		// Rate keywords.
		{name: "threshold", doc: "threshold:type limit|threshold|both, track by_src|by_dst|by_rule|by_both|by_flow, count N, seconds N.", parse: thresholdKeyword("threshold")},
		{name: "detection_filter", doc: "detection_filter:track by_src|by_dst|by_rule|by_both|by_flow, count N, seconds N[, unique_on src_port|dst_port]; alert only after count matches (or distinct ports) in seconds.", parse: thresholdKeyword("detection_filter")},

		// Flow state.
		{name: "flowbits", doc: "flowbits:set|unset|toggle|isset|isnotset,name (a&b all; a|b any, for isset/isnotset) or flowbits:noalert; named bits kept per flow.", parse: parseFlowbits},
		{name: "noalert", doc: "noalert; the rule sets state (flowbits) but never alerts.", value: valueNone, parse: parseNoAlert},
	}
}

func parseNothing(*ruleState, string) error { return nil }

func unsupportedKeyword(name, reason string) func(*ruleState, string) error {
	return func(*ruleState, string) error { return skipf(name, "%s", reason) }
}

// onlyOnce refuses a keyword given twice.
func (st *ruleState) onlyOnce(name string) error {
	if st.once[name] {
		return fmt.Errorf("given twice")
	}
	st.once[name] = true
	return nil
}

// ruleID parses sid and gid, before the other options.
func (st *ruleState) ruleID(o option) error {
	if err := st.onlyOnce(o.name); err != nil {
		return kwErrorf(o.name, "%v", err)
	}
	n, err := strconv.ParseUint(o.value, 10, 32)
	if err != nil || o.value == "" || o.value[0] == '+' {
		return kwErrorf(o.name, "bad value %q (want a number up to %d)", clip(o.value), uint32(1<<32-1))
	}
	if o.name == "gid" {
		st.r.GID = uint32(n)
		return nil
	}
	if n == 0 {
		return kwErrorf("sid", "0 is not a valid sid")
	}
	st.r.SID = uint32(n)
	return nil
}

func parseMsg(st *ruleState, val string) error {
	if err := st.onlyOnce("msg"); err != nil {
		return err
	}
	if !strings.HasPrefix(val, `"`) {
		st.r.Msg = val
		return nil
	}
	var b strings.Builder
	for i := 1; i < len(val); i++ {
		switch c := val[i]; c {
		case '\\':
			i++
			if i < len(val) {
				b.WriteByte(val[i])
			}
		case '"':
			if rest := strings.TrimSpace(val[i+1:]); rest != "" {
				return fmt.Errorf("text after the closing quote: %q", clip(rest))
			}
			st.r.Msg = b.String()
			return nil
		default:
			b.WriteByte(c)
		}
	}
	return fmt.Errorf("unterminated string %q", clip(val))
}

func parseRev(st *ruleState, val string) error {
	if err := st.onlyOnce("rev"); err != nil {
		return err
	}
	n, err := strconv.ParseUint(val, 10, 32)
	if err != nil || val[0] == '+' {
		return fmt.Errorf("bad value %q (want a number)", clip(val))
	}
	st.r.Rev = uint32(n)
	return nil
}

func parseClasstype(st *ruleState, val string) error {
	if err := st.onlyOnce("classtype"); err != nil {
		return err
	}
	if _, _, ok := classtype(val); !ok {
		return fmt.Errorf("unknown classtype %q", clip(val))
	}
	st.r.Classtype = strings.ToLower(val)
	return nil
}

func parsePriority(st *ruleState, val string) error {
	if err := st.onlyOnce("priority"); err != nil {
		return err
	}
	n, err := strconv.Atoi(val)
	if err != nil || n < 1 || n > 255 || val[0] == '+' {
		return fmt.Errorf("bad value %q (want 1 to 255)", clip(val))
	}
	st.r.Priority = n
	return nil
}

func parseReference(st *ruleState, val string) error {
	typ, id, ok := strings.Cut(val, ",")
	typ, id = strings.ToLower(strings.TrimSpace(typ)), strings.TrimSpace(id)
	if !ok || typ == "" || id == "" {
		return fmt.Errorf("bad value %q (want type,id)", clip(val))
	}
	st.r.References = append(st.r.References, Reference{Type: typ, ID: id})
	return nil
}

func parseMetadata(st *ruleState, val string) error {
	for _, part := range strings.Split(val, ",") {
		if part = strings.TrimSpace(part); part != "" {
			st.r.Metadata = append(st.r.Metadata, part)
		}
	}
	return nil
}

// decodeContent decodes a content value: optional "!", quotes, |hex|
// sections and \" \; \\ \: \| \, \# escapes.
func decodeContent(val string) (pattern []byte, negated bool, err error) {
	raw := val
	if strings.HasPrefix(val, "!") {
		negated = true
		val = strings.TrimSpace(val[1:])
	}
	if strings.HasPrefix(val, `"`) {
		if len(val) < 2 || !strings.HasSuffix(val, `"`) || strings.HasSuffix(val, `\"`) && !strings.HasSuffix(val, `\\"`) {
			return nil, false, fmt.Errorf("unterminated string %q", clip(raw))
		}
		val = val[1 : len(val)-1]
	}
	hexStart := -1 // index of the open "|", -1 outside hex
	var hi byte
	half := false
	for i := 0; i < len(val); i++ {
		c := val[i]
		if hexStart >= 0 {
			switch {
			case c == '|':
				if half {
					return nil, false, fmt.Errorf("odd number of hex digits in %q", val[hexStart:i+1])
				}
				hexStart = -1
			case c == ' ' || c == '\t':
			case isHex(c):
				if half {
					pattern = append(pattern, hi<<4|byte(hexVal(c)))
				} else {
					hi = byte(hexVal(c))
				}
				half = !half
			default:
				return nil, false, fmt.Errorf("bad hex character %q in %q", c, clip(val[hexStart:]))
			}
			continue
		}
		switch c {
		case '|':
			hexStart = i
		case '\\':
			i++
			if i >= len(val) {
				return nil, false, fmt.Errorf("trailing backslash in %q", clip(raw))
			}
			switch e := val[i]; e {
			case '"', ';', ':', '\\', '|', ',', '#':
				pattern = append(pattern, e)
			default:
				return nil, false, fmt.Errorf(`bad escape \%c in %q (escape only " ; : \ | , #; write other bytes as |hex|)`, e, clip(raw))
			}
		case '"':
			return nil, false, fmt.Errorf(`unescaped " in %q`, clip(raw))
		default:
			pattern = append(pattern, c)
		}
	}
	if hexStart >= 0 {
		return nil, false, fmt.Errorf("unterminated hex %q", clip(val[hexStart:]))
	}
	if len(pattern) == 0 {
		return nil, false, fmt.Errorf("empty pattern %q", clip(raw))
	}
	return pattern, negated, nil
}

func parseContent(st *ruleState, val string) error {
	return st.addContent(val, st.sticky)
}

func parseURIContent(st *ruleState, val string) error {
	return st.addContent(val, BufferHTTPURI)
}

func (st *ruleState) addContent(val string, buf Buffer) error {
	pattern, negated, err := decodeContent(val)
	if err != nil {
		return err
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, Content: &Content{Pattern: pattern, Negated: negated}})
	st.mods = append(st.mods, contentMods{})
	return nil
}

// lastContent is the content a modifier applies to: the latest one in the
// sticky buffer when one is in effect, else the latest one.
func (st *ruleState) lastContent(kw string) (*Content, int, error) {
	for i := len(st.r.Matches) - 1; i >= 0; i-- {
		m := &st.r.Matches[i]
		if m.Content == nil || st.hasSticky && m.Buffer != st.sticky {
			continue
		}
		return m.Content, i, nil
	}
	where := ""
	if st.hasSticky && st.sticky != BufferPayload {
		where = " in the " + st.sticky.String() + " buffer"
	}
	return nil, 0, kwErrorf(kw, "needs a preceding content%s", where)
}

func parseNocase(st *ruleState, _ string) error {
	return contentFlag(st, "nocase", func(c *Content) *bool { return &c.NoCase })
}

// contentFlag sets a bare modifier (nocase, startswith, endswith) on the
// preceding content, once.
func contentFlag(st *ruleState, kw string, flag func(*Content) *bool) error {
	c, _, err := st.lastContent(kw)
	if err != nil {
		return err
	}
	f := flag(c)
	if *f {
		return fmt.Errorf("given twice for the same content")
	}
	*f = true
	return nil
}

func parseRawbytes(st *ruleState, _ string) error {
	_, i, err := st.lastContent("rawbytes")
	if err != nil {
		return err
	}
	if b := st.r.Matches[i].Buffer; b != BufferPayload {
		return fmt.Errorf("cannot be used with a content in the %s buffer", b)
	}
	st.mods[i].rawbytes = true
	return nil
}

// modValue parses a content modifier's number.
func modValue(val string, min int) (int, error) {
	n, err := strconv.Atoi(val)
	if err != nil || n < min || n > 65535 || n < -65535 || val[0] == '+' {
		if min == 0 {
			return 0, fmt.Errorf("bad value %q (want 0 to 65535)", clip(val))
		}
		return 0, fmt.Errorf("bad value %q (want -65535 to 65535)", clip(val))
	}
	return n, nil
}

const errAbsRel = "cannot be combined with %s on the same content: offset/depth are absolute, distance/within relative"

func modOffset(st *ruleState, val string) error {
	c, _, err := st.lastContent("offset")
	if err != nil {
		return err
	}
	n, err := modValue(val, 0)
	switch {
	case err != nil:
		return err
	case c.HasOffset:
		return fmt.Errorf("given twice for the same content")
	case c.Relative():
		return fmt.Errorf(errAbsRel, "distance/within")
	}
	c.Offset, c.HasOffset = n, true
	return nil
}

// modDepth: depth is kept as written. As in Suricata it counts from the
// content's offset: offset:4; depth:20; searches bytes 4 to 23.
func modDepth(st *ruleState, val string) error {
	c, _, err := st.lastContent("depth")
	if err != nil {
		return err
	}
	n, err := modValue(val, 0)
	switch {
	case err != nil:
		return err
	case n == 0:
		return fmt.Errorf("0 is not allowed: no content fits in 0 bytes")
	case c.HasDepth:
		return fmt.Errorf("given twice for the same content")
	case c.Relative():
		return fmt.Errorf(errAbsRel, "distance/within")
	}
	c.Depth, c.HasDepth = n, true
	return nil
}

func modDistance(st *ruleState, val string) error {
	return modRelative(st, "distance", val, func(c *Content) (*int, *bool) { return &c.Distance, &c.HasDistance })
}

func modWithin(st *ruleState, val string) error {
	return modRelative(st, "within", val, func(c *Content) (*int, *bool) { return &c.Within, &c.HasWithin })
}

// modRelative sets distance or within: relative to the previous match, so
// never together with the absolute offset/depth.
func modRelative(st *ruleState, name, val string, field func(*Content) (*int, *bool)) error {
	c, _, err := st.lastContent(name)
	if err != nil {
		return err
	}
	n, err := modValue(val, -65535)
	v, has := field(c)
	switch {
	case err != nil:
		return err
	case *has:
		return fmt.Errorf("given twice for the same content")
	case c.HasOffset || c.HasDepth:
		return fmt.Errorf(errAbsRel, "offset/depth")
	}
	*v, *has = n, true
	return nil
}

// parseFastPattern accepts fast_pattern, fast_pattern:only and
// fast_pattern:offset,length (chop); all mean "prefer this content".
func parseFastPattern(st *ruleState, val string) error {
	c, _, err := st.lastContent("fast_pattern")
	if err != nil {
		return err
	}
	if c.FastPattern {
		return fmt.Errorf("given twice for the same content")
	}
	if st.fastPat {
		return fmt.Errorf("only one content in a rule can be the fast pattern")
	}
	switch {
	case val == "", val == "only":
	default:
		off, length, ok := strings.Cut(val, ",")
		o, err1 := strconv.Atoi(strings.TrimSpace(off))
		l, err2 := strconv.Atoi(strings.TrimSpace(length))
		if !ok || err1 != nil || err2 != nil || o < 0 || l < 1 {
			return fmt.Errorf("bad value %q (want only or offset,length)", clip(val))
		}
		if o+l > len(c.Pattern) {
			return fmt.Errorf("%d,%d reaches past the end of the %d-byte content", o, l, len(c.Pattern))
		}
	}
	c.FastPattern, st.fastPat = true, true
	return nil
}

func parseStartsWith(st *ruleState, _ string) error {
	return contentFlag(st, "startswith", func(c *Content) *bool { return &c.StartsWith })
}

func parseEndsWith(st *ruleState, _ string) error {
	return contentFlag(st, "endswith", func(c *Content) *bool { return &c.EndsWith })
}

func parsePCREKeyword(st *ruleState, val string) error {
	pv, err := parsePCRE(val)
	if err != nil {
		return err
	}
	buf := st.sticky
	if pv.hasBuffer {
		if st.hasSticky && st.sticky != pv.buffer {
			return fmt.Errorf("flag %c names the %s buffer, but the sticky buffer is %s", pv.bufFlag, pv.buffer, st.sticky)
		}
		buf = pv.buffer
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, PCRE: pv.pcre})
	st.mods = append(st.mods, contentMods{})
	return nil
}

// sticky makes a sticky buffer keyword: following contents look in b.
func sticky(b Buffer) func(*ruleState, string) error {
	return func(st *ruleState, _ string) error {
		st.sticky, st.hasSticky = b, true
		return nil
	}
}

// modBuffer makes an old-style modifier: the preceding content looks in b.
func modBuffer(name string, b Buffer) func(*ruleState, string) error {
	return func(st *ruleState, _ string) error {
		_, i, err := st.lastContent(name)
		if err != nil {
			return err
		}
		m := &st.r.Matches[i]
		switch {
		case m.Buffer != BufferPayload:
			return fmt.Errorf("the preceding content is already in the %s buffer", m.Buffer)
		case st.mods[i].rawbytes:
			return fmt.Errorf("cannot be combined with rawbytes")
		}
		m.Buffer = b
		return nil
	}
}

func parseFlow(st *ruleState, val string) error {
	if err := st.onlyOnce("flow"); err != nil {
		return err
	}
	f := &st.r.Flow
	seen := map[string]bool{}
	for _, part := range strings.Split(val, ",") {
		opt := strings.ToLower(strings.TrimSpace(part))
		if opt == "" {
			return fmt.Errorf("empty option in %q", clip(val))
		}
		if seen[opt] {
			return fmt.Errorf("%q given twice", opt)
		}
		seen[opt] = true
		dir := FlowAny
		switch opt {
		case "to_server", "from_client":
			dir = FlowToServer
		case "to_client", "from_server":
			dir = FlowToClient
		case "established":
			f.Established = true
		case "not_established":
			f.NotEstablished = true
		case "stateless":
			f.Stateless = true
		case "only_stream":
			// TCP payload is matched on the reassembled stream already.
		case "no_stream", "only_frag", "no_frag":
			return skipf("flow", "flow option %q is not supported", opt)
		default:
			return fmt.Errorf("unknown option %q (want to_server, to_client, established, not_established, stateless, ...)", opt)
		}
		if dir != FlowAny {
			if f.Direction != FlowAny && f.Direction != dir {
				return fmt.Errorf("to_server and to_client conflict in %q", clip(val))
			}
			f.Direction = dir
		}
	}
	switch {
	case f.Established && f.NotEstablished:
		return fmt.Errorf("established and not_established conflict in %q", clip(val))
	case f.Established && f.Stateless:
		return fmt.Errorf("established and stateless conflict in %q", clip(val))
	}
	return nil
}

// tcpFlag maps a flags: letter to its TCP header bit.
func tcpFlag(c byte) (uint8, bool) {
	switch c {
	case 'F', 'f':
		return 0x01, true
	case 'S', 's':
		return 0x02, true
	case 'R', 'r':
		return 0x04, true
	case 'P', 'p':
		return 0x08, true
	case 'A', 'a':
		return 0x10, true
	case 'U', 'u':
		return 0x20, true
	case 'E', 'e', '2':
		return 0x40, true
	case 'C', 'c', '1':
		return 0x80, true
	}
	return 0, false
}

func parseFlags(st *ruleState, val string) error {
	if err := st.onlyOnce("flags"); err != nil {
		return err
	}
	if !st.r.Proto.carries(TransportTCP) {
		return fmt.Errorf("only tcp has flags, but the protocol is %s", st.r.Proto)
	}
	main, ignore, hasIgnore := strings.Cut(val, ",")
	main = strings.TrimSpace(main)
	f := &Flags{}
	if main != "" && strings.ContainsRune("+*!", rune(main[0])) {
		f.Mode, main = main[0], strings.TrimSpace(main[1:])
	}
	if n := len(main); n > 0 && strings.ContainsRune("+*!", rune(main[n-1])) {
		if f.Mode != 0 {
			return fmt.Errorf("two modifiers in %q", clip(val))
		}
		f.Mode, main = main[n-1], strings.TrimSpace(main[:n-1])
	}
	var err error
	switch {
	case main == "":
		return fmt.Errorf("no flags in %q", clip(val))
	case main == "0":
		if f.Mode != 0 {
			return fmt.Errorf("modifier %c cannot be used with 0 in %q", f.Mode, clip(val))
		}
	default:
		if f.Mask, err = flagBits(main); err != nil {
			return err
		}
	}
	if hasIgnore {
		ignore = strings.TrimSpace(ignore)
		if ignore == "" {
			return fmt.Errorf("no flags after the comma in %q", clip(val))
		}
		if f.Ignore, err = flagBits(ignore); err != nil {
			return err
		}
	}
	st.r.Flags = f
	return nil
}

func flagBits(s string) (uint8, error) {
	var mask uint8
	for i := 0; i < len(s); i++ {
		bit, ok := tcpFlag(s[i])
		if !ok {
			return 0, fmt.Errorf("unknown flag %q in %q (want F S R P A U C E, 1 2 or 0)", s[i], clip(s))
		}
		if mask&bit != 0 {
			return 0, fmt.Errorf("flag %c given twice in %q", s[i], clip(s))
		}
		mask |= bit
	}
	return mask, nil
}

// rangeKeyword makes a numeric keyword (dsize, ttl, itype, icode) that
// fills the field field picks; max is the largest value the field holds.
func rangeKeyword(name string, max int, field func(*Rule) **Range) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		if err := st.onlyOnce(name); err != nil {
			return err
		}
		if (name == "itype" || name == "icode") && !st.r.Proto.carries(transportICMP) {
			return fmt.Errorf("needs an icmp or ip rule, but the protocol is %s", st.r.Proto)
		}
		r, err := parseRange(name, val, max)
		if err != nil {
			return err
		}
		*field(st.r) = r
		return nil
	}
}

// parseRange parses N, =N, !N, !=N, <N, <=N, >N, >=N, N<>M and N-M. Both
// range forms are exclusive, as Suricata defines them ("ranges are thus
// exclusive": 1-4 matches 2 and 3), so N-M is stored as "<>".
func parseRange(name, val string, max int) (*Range, error) {
	s := strings.Join(strings.Fields(val), "")
	num := func(t string) (int, error) {
		var n uint64
		var err error
		if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
			n, err = strconv.ParseUint(t[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(t, 10, 32)
		}
		if err != nil || t == "" || t[0] == '+' {
			return 0, fmt.Errorf("bad value %q", clip(val))
		}
		if n > uint64(max) {
			return 0, fmt.Errorf("%d in %q is above %d", n, clip(val), max)
		}
		return int(n), nil
	}
	if strings.HasPrefix(s, "&") {
		return nil, skipf(name, "%s bitmask %q is not supported", name, clip(val))
	}
	if a, b, ok := strings.Cut(s, "<>"); ok {
		return rangeOf(name, val, a, b, num)
	}
	for _, op := range []string{"<=", ">=", "!=", "<", ">", "!", "="} {
		rest, ok := strings.CutPrefix(s, op)
		if !ok {
			continue
		}
		if strings.Contains(rest, "-") {
			if op == "!" {
				return nil, skipf(name, "negated range %q is not supported", clip(val))
			}
			return nil, fmt.Errorf("bad value %q", clip(val))
		}
		n, err := num(rest)
		if err != nil {
			return nil, err
		}
		switch op {
		case "!=":
			op = "!"
		case "<":
			if n == 0 {
				return nil, fmt.Errorf("%q can never match", clip(val))
			}
		case ">":
			if n == max {
				return nil, fmt.Errorf("%q can never match", clip(val))
			}
		}
		return &Range{Op: op, Min: n}, nil
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		return rangeOf(name, val, a, b, num)
	}
	n, err := num(s)
	if err != nil {
		return nil, err
	}
	return &Range{Op: "=", Min: n}, nil
}

func rangeOf(name, val, a, b string, num func(string) (int, error)) (*Range, error) {
	lo, err := num(a)
	if err != nil {
		return nil, err
	}
	hi, err := num(b)
	if err != nil {
		return nil, err
	}
	if hi-lo < 2 {
		return nil, fmt.Errorf("range %q is empty: ranges are exclusive, %d and %d themselves do not match", clip(val), lo, hi)
	}
	return &Range{Op: "<>", Min: lo, Max: hi}, nil
}

// thresholdKeyword makes threshold: or detection_filter:, whose options
// come in any order, each once, all required.
func thresholdKeyword(name string) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		if st.r.Threshold != nil {
			return fmt.Errorf("a rule can have one threshold or detection_filter")
		}
		t := &Threshold{}
		if name == "detection_filter" {
			t.Type = DetectionFilter
		}
		seen := map[string]bool{}
		var skip error
		for _, part := range strings.Split(val, ",") {
			f := strings.Fields(part)
			if len(f) != 2 {
				return fmt.Errorf("bad option %q (want key value) in %q", strings.TrimSpace(part), clip(val))
			}
			key, v := strings.ToLower(f[0]), strings.ToLower(f[1])
			if seen[key] {
				return fmt.Errorf("%s given twice in %q", key, clip(val))
			}
			seen[key] = true
			switch key {
			case "type":
				if name == "detection_filter" {
					return fmt.Errorf("detection_filter has no type (it is always a detection filter)")
				}
				typ, ok := lookup(v, ThresholdLimit, ThresholdBoth)
				switch {
				case ok:
					t.Type = typ
				case v == "backoff":
					skip = skipf(name, "threshold type backoff is not supported")
				default:
					return fmt.Errorf("unknown type %q (want limit, threshold or both)", v)
				}
			case "track":
				track, ok := lookup(v, TrackBySrc, TrackByFlow)
				if !ok {
					return fmt.Errorf("unknown track %q (want by_src, by_dst, by_rule, by_both or by_flow)", v)
				}
				t.Track = track
			case "count", "seconds":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || v[0] == '+' {
					return fmt.Errorf("bad %s %q (want a number above 0)", key, v)
				}
				if key == "count" {
					t.Count = n
				} else {
					t.Seconds = n
				}
			case "unique_on":
				if name != "detection_filter" {
					return fmt.Errorf("unique_on belongs to detection_filter, not %s", name)
				}
				u, ok := lookup(v, UniqueSrcPort, UniqueDstPort)
				if !ok {
					return fmt.Errorf("bad unique_on %q (want src_port or dst_port)", v)
				}
				t.UniqueOn = u
			case "multiplier":
				skip = skipf(name, "%s %s is not supported", name, key)
			default:
				return fmt.Errorf("unknown option %q in %q", key, clip(val))
			}
		}
		if skip != nil {
			return skip
		}
		want := []string{"type", "track", "count", "seconds"}
		if name == "detection_filter" {
			want = want[1:]
		}
		for _, k := range want {
			if !seen[k] {
				return fmt.Errorf("missing %s in %q", k, clip(val))
			}
		}
		st.r.Threshold = t
		return nil
	}
}

// parseFlowbits reads one flowbits: option; a rule may have several.
func parseFlowbits(st *ruleState, val string) error {
	cmd, names, hasNames := strings.Cut(val, ",")
	cmd = strings.ToLower(strings.TrimSpace(cmd))
	if cmd == "noalert" {
		if hasNames {
			return fmt.Errorf("noalert takes no name in %q", clip(val))
		}
		st.r.NoAlert = true
		return nil
	}
	c, ok := lookup(cmd, FlowbitSet, FlowbitIsNotSet)
	if !ok {
		return fmt.Errorf("unknown command %q (want set, unset, toggle, isset, isnotset or noalert)", cmd)
	}
	names = strings.TrimSpace(names)
	if !hasNames || names == "" {
		return fmt.Errorf("%s needs a name", cmd)
	}
	fb := Flowbit{Cmd: c}
	sep := "&"
	if strings.Contains(names, "|") {
		if strings.Contains(names, "&") {
			return fmt.Errorf("%q mixes & and |", clip(names))
		}
		if !c.Condition() {
			return fmt.Errorf("%s takes names joined with &, not |", cmd)
		}
		sep, fb.Any = "|", true
	}
	for _, n := range strings.Split(names, sep) {
		n = strings.TrimSpace(n)
		if n == "" || strings.IndexFunc(n, func(r rune) bool {
			return !(r == '_' || r == '.' || r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
		}) >= 0 {
			return fmt.Errorf("bad flowbit name %q (letters, digits, _ . -)", clip(n))
		}
		fb.Names = append(fb.Names, n)
	}
	st.r.Flowbits = append(st.r.Flowbits, fb)
	return nil
}

func parseNoAlert(st *ruleState, _ string) error {
	st.r.NoAlert = true
	return nil
}

// byteArgs splits a byte keyword's comma-separated arguments, trimmed.
func byteArgs(val string) []string {
	parts := strings.Split(val, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// byteInt parses a number as Suricata does: decimal, or hex with 0x.
func byteInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil && !strings.HasPrefix(s, "+") && !(len(s) > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X')
}

// addByteOp puts a byte check in the chain: in the buffer of the match it
// is relative to, else the sticky buffer.
func (st *ruleState) addByteOp(op *ByteOp) {
	buf := st.sticky
	if op.Relative && len(st.r.Matches) > 0 && !st.hasSticky {
		buf = st.r.Matches[len(st.r.Matches)-1].Buffer
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, Byte: op})
	st.mods = append(st.mods, contentMods{})
}

// byteOptions reads the optional flags byte_test and byte_jump share,
// and the ones only jump has when jump is true.
func byteOptions(name string, op *ByteOp, args []string, jump bool) error {
	for _, a := range args {
		key, v, _ := strings.Cut(a, " ")
		key, v = strings.ToLower(key), strings.TrimSpace(v)
		switch {
		case key == "relative" && v == "":
			op.Relative = true
		case key == "big" && v == "":
			op.Little = false
		case key == "little" && v == "":
			op.Little = true
		case key == "string" && v == "":
			op.String = true
		case (key == "dec" || key == "hex" || key == "oct") && v == "":
			op.Base = map[string]int{"dec": 10, "hex": 16, "oct": 8}[key]
		case key == "bitmask":
			m, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(v), "0x"), 16, 64)
			if err != nil || m == 0 {
				return fmt.Errorf("bad bitmask %q (want a non-zero hex number)", clip(v))
			}
			op.Bitmask = m
		case key == "dce":
			return skipf(name, "%s dce (DCE/RPC stub data) is not supported", name)
		case jump && key == "align" && v == "":
			op.Align = true
		case jump && key == "from_beginning" && v == "":
			op.FromBeginning = true
		case jump && key == "from_end" && v == "":
			op.FromEnd = true
		case jump && key == "multiplier":
			m, ok := byteInt(v)
			if !ok || m < 1 || m > 65535 {
				return fmt.Errorf("bad multiplier %q (want 1 to 65535)", clip(v))
			}
			op.Multiplier = uint64(m)
		case jump && key == "post_offset":
			n, ok := byteInt(v)
			if !ok || n < -65535 || n > 65535 {
				return fmt.Errorf("bad post_offset %q (want -65535 to 65535)", clip(v))
			}
			op.PostOffset = int(n)
		default:
			return fmt.Errorf("unknown option %q", clip(a))
		}
	}
	if op.FromBeginning && op.FromEnd {
		return fmt.Errorf("from_beginning and from_end together")
	}
	if op.String {
		if op.Base == 0 {
			op.Base = 10
		}
		if op.Bytes > 23 {
			return fmt.Errorf("%d bytes is too many for a string number (23 at most)", op.Bytes)
		}
	} else {
		if op.Base != 0 {
			return fmt.Errorf("dec, hex and oct need string")
		}
		if op.Bytes > 8 {
			return fmt.Errorf("%d bytes is too many without string (8 at most)", op.Bytes)
		}
	}
	return nil
}

// byteNumber reads a number argument of a byte keyword within [lo, hi];
// a name instead is a byte_extract variable, which skips the rule.
func byteNumber(name, what, s string, lo, hi int64) (int64, error) {
	n, ok := byteInt(s)
	if !ok {
		if isVarName(s) {
			return 0, skipf(name, "%s with a byte_extract variable (%s) is not supported", name, s)
		}
		return 0, fmt.Errorf("bad %s %q", what, clip(s))
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s %d out of range [%d, %d]", what, n, lo, hi)
	}
	return n, nil
}

func isVarName(s string) bool {
	return s != "" && (s[0] == '_' || 'a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}

func byteCount(name, s string) (int, error) {
	n, err := byteNumber(name, "number of bytes", s, 1, 23)
	return int(n), err
}

func byteOffset(name, s string) (int, error) {
	n, err := byteNumber(name, "offset", s, -65535, 65535)
	return int(n), err
}

func parseByteTest(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 4 {
		return fmt.Errorf("want bytes, operator, value, offset in %q", clip(val))
	}
	op := &ByteOp{Kind: "byte_test"}
	var err error
	if op.Bytes, err = byteCount("byte_test", args[0]); err != nil {
		return err
	}
	o := strings.ReplaceAll(args[1], " ", "")
	if strings.HasPrefix(o, "!") {
		op.Negate, o = true, o[1:]
		if o == "" {
			o = "="
		}
	}
	switch o {
	case "=", "<", ">", "<=", ">=", "&", "^":
		op.Op = o
	default:
		return fmt.Errorf("unknown operator %q (want = < > <= >= & ^, ! to negate)", clip(args[1]))
	}
	v, err := strconv.ParseUint(args[2], 0, 64)
	if err != nil {
		if isVarName(args[2]) {
			return skipf("byte_test", "byte_test with a byte_extract variable (%s) is not supported", args[2])
		}
		return fmt.Errorf("bad value %q", clip(args[2]))
	}
	op.Value = v
	if op.Offset, err = byteOffset("byte_test", args[3]); err != nil {
		return err
	}
	if err := byteOptions("byte_test", op, args[4:], false); err != nil {
		return err
	}
	st.addByteOp(op)
	return nil
}

func parseByteJump(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 2 {
		return fmt.Errorf("want bytes, offset in %q", clip(val))
	}
	op := &ByteOp{Kind: "byte_jump", Multiplier: 1}
	var err error
	if op.Bytes, err = byteCount("byte_jump", args[0]); err != nil {
		return err
	}
	if op.Offset, err = byteOffset("byte_jump", args[1]); err != nil {
		return err
	}
	if err := byteOptions("byte_jump", op, args[2:], true); err != nil {
		return err
	}
	st.addByteOp(op)
	return nil
}

func parseIsDataAt(st *ruleState, val string) error {
	args := byteArgs(val)
	op := &ByteOp{Kind: "isdataat"}
	n := args[0]
	if strings.HasPrefix(n, "!") {
		op.Negate, n = true, strings.TrimSpace(n[1:])
	}
	var err error
	if op.Offset, err = byteOffset("isdataat", n); err != nil {
		return err
	}
	if op.Offset < 0 {
		return fmt.Errorf("negative position %d", op.Offset)
	}
	for _, a := range args[1:] {
		switch strings.ToLower(a) {
		case "relative":
			op.Relative = true
		case "rawbytes":
		default:
			return fmt.Errorf("unknown option %q (want relative or rawbytes)", clip(a))
		}
	}
	st.addByteOp(op)
	return nil
}
