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
	kws := []keyword{
		// Meta keywords.
		{name: "msg", doc: `msg:"text"; the alert message (\" \; \\ escapes).`, parse: parseMsg},
		{name: "sid", doc: "sid:N; the rule id, required, unique per gid.", parse: parseNothing},
		{name: "gid", doc: "gid:N; the generator id (default 1).", parse: parseNothing},
		{name: "rev", doc: "rev:N; the rule revision.", parse: parseRev},
		{name: "classtype", doc: "classtype:name; a classification from the default classification.config (sets the default priority).", parse: parseClasstype},
		{name: "priority", doc: "priority:N; 1 (highest) to 255, overriding the classtype's.", parse: parsePriority},
		{name: "reference", doc: "reference:type,id; e.g. cve,2021-44228 (type lowercased).", parse: parseReference},
		{name: "metadata", doc: "metadata:key value, key value; kept as written.", parse: parseMetadata},
		// Keywords that change how Suricata works or logs, never what a
		// rule matches: accepted, checked, no effect here.
		{name: "tag", doc: "tag:session|host[, N, packets|seconds|bytes[, src|dst]]; accepted: Suricata logs the packets after the alert, which ipsreplay does not; no effect on alerts.", parse: parseTag},
		{name: "prefilter", doc: "prefilter; accepted: picks the keyword Suricata's prefilter uses; no effect on what matches.", value: valueNone, parse: parseNothing},
		{name: "target", doc: "target:src_ip|dest_ip; which end of the packet is attacked: the other end is the attacker the autoblock blocks.", parse: parseTarget},

		// Payload: content and its modifiers.
		{name: "content", doc: `content:"text|41 42|"; bytes to find (! negates); escapes \" \; \\ \: \|.`, parse: parseContent},
		{name: "uricontent", doc: `uricontent:"text"; old form of content in http.uri.`, parse: parseURIContent},
		{name: "nocase", doc: "nocase; the preceding content ignores ASCII case.", value: valueNone, parse: parseNocase},
		{name: "offset", doc: "offset:N; the preceding content starts at or after byte N of the buffer.", parse: position("offset")},
		{name: "depth", doc: "depth:N; the preceding content ends within the first N bytes (from offset).", parse: position("depth")},
		{name: "distance", doc: "distance:N; the preceding content starts N bytes after the previous match (may be negative).", parse: position("distance")},
		{name: "within", doc: "within:N; the preceding content ends within N bytes of the previous match.", parse: position("within")},
		{name: "fast_pattern", doc: "fast_pattern; (or :only, :N,M) prefer the preceding content for the prefilter.", value: valueOptional, parse: parseFastPattern},
		{name: "startswith", doc: "startswith; the preceding content is at the start of the buffer.", value: valueNone, parse: parseStartsWith},
		{name: "endswith", doc: "endswith; the preceding content is at the end of the buffer.", value: valueNone, parse: parseEndsWith},
		{name: "rawbytes", doc: "rawbytes; accepted, no effect (there is no normalized payload).", value: valueNone, parse: parseRawbytes},
		{name: "pcre", doc: `pcre:"/re/flags"; a regular expression, run as RE2, or by a bounded backtracking matcher when it needs back-references, lookaround, atomic groups or possessive quantifiers (flags i s m x A E G R, HTTP flags U H M C P V W).`, parse: parsePCREKeyword},

		// Byte checks, in the content chain.
		{name: "byte_test", doc: "byte_test:N, [!]op, value, offset[, relative][, big|little][, string, dec|hex|oct][, bitmask M]; compare N bytes (op = < > <= >= & ^); N, value and offset may be byte_extract variables. dce is not supported.", parse: parseByteTest},
		{name: "byte_jump", doc: "byte_jump:N, offset[, relative][, multiplier M][, big|little][, string, dec|hex|oct][, align][, from_beginning|from_end][, post_offset P][, bitmask M]; move the match position by the value of N bytes.", parse: parseByteJump},
		{name: "byte_extract", doc: "byte_extract:N, offset, name[, relative][, multiplier M][, big|little][, string, dec|hex|oct][, align 2|4][, bitmask M]; read N bytes into a variable later byte_test, byte_jump, isdataat, offset, depth, distance and within may name; moves the match position past them. dce is not supported.", parse: parseByteExtract},
		{name: "byte_math", doc: "byte_math:bytes N, offset O, oper + - * / << >>, rvalue R, result name[, relative][, endian big|little][, string hex|dec|oct][, bitmask M]; N bytes OP R into a variable, as byte_extract. dce is not supported.", parse: parseByteMath},
		{name: "isdataat", doc: "isdataat:[!]N[, relative]; there is (not) a byte at position N (after the previous match with relative).", parse: parseIsDataAt},

		// Sticky buffers: the following contents and pcres look here.
		{name: "http.uri", doc: "http.uri; sticky buffer: the normalized request URI.", value: valueNone, parse: sticky(BufferHTTPURI)},
		{name: "http.method", doc: "http.method; sticky buffer: the request method.", value: valueNone, parse: sticky(BufferHTTPMethod)},
		{name: "http.header", doc: "http.header; sticky buffer: the request headers.", value: valueNone, parse: sticky(BufferHTTPHeader)},
		{name: "http.host", doc: "http.host; sticky buffer: the Host header, lowercased.", value: valueNone, parse: sticky(BufferHTTPHost)},
		{name: "http.user_agent", doc: "http.user_agent; sticky buffer: the User-Agent header.", value: valueNone, parse: sticky(BufferHTTPUserAgent)},
		{name: "http.cookie", doc: "http.cookie; sticky buffer: the Cookie header.", value: valueNone, parse: sticky(BufferHTTPCookie)},
		{name: "http.request_body", doc: "http.request_body; sticky buffer: the request body.", value: valueNone, parse: sticky(BufferHTTPBody)},
		{name: "http.header_names", doc: `http.header_names; sticky buffer: the request's header names, "\r\nHost\r\nAccept\r\n\r\n".`, value: valueNone, parse: sticky(BufferHTTPHeaderNames)},
		{name: "http.uri.raw", doc: "http.uri.raw; sticky buffer: the request URI as sent.", value: valueNone, parse: sticky(BufferHTTPRawURI)},
		{name: "http.request_line", doc: "http.request_line; sticky buffer: the request line without its line end.", value: valueNone, parse: sticky(BufferHTTPRequestLine)},
		{name: "http.content_type", doc: "http.content_type; sticky buffer: the request's Content-Type header.", value: valueNone, parse: sticky(BufferHTTPContentType)},
		{name: "http.accept", doc: "http.accept; sticky buffer: the Accept header.", value: valueNone, parse: sticky(BufferHTTPAccept)},
		{name: "http.accept_lang", doc: "http.accept_lang; sticky buffer: the Accept-Language header.", value: valueNone, parse: sticky(BufferHTTPAcceptLang)},
		{name: "http.accept_enc", doc: "http.accept_enc; sticky buffer: the Accept-Encoding header.", value: valueNone, parse: sticky(BufferHTTPAcceptEnc)},
		{name: "http.connection", doc: "http.connection; sticky buffer: the request's Connection header.", value: valueNone, parse: sticky(BufferHTTPConnection)},
		{name: "http.referer", doc: "http.referer; sticky buffer: the Referer header.", value: valueNone, parse: sticky(BufferHTTPReferer)},
		{name: "http.header.raw", doc: "http.header.raw; sticky buffer: the request headers as sent (what http.header holds too).", value: valueNone, parse: sticky(BufferHTTPRawHeader)},
		{name: "http.protocol", doc: "http.protocol; sticky buffer: the request line's protocol, e.g. HTTP/1.1.", value: valueNone, parse: sticky(BufferHTTPProtocol)},
		// Old names of sticky buffers: Suricata 5 and later register them
		// as aliases, and ET Open writes them before their contents.
		{name: "http_header_names", doc: "http_header_names; the same as http.header_names.", value: valueNone, parse: sticky(BufferHTTPHeaderNames)},
		{name: "http.start", doc: "http.start; sticky buffer: the request line and headers as sent, through the blank line.", value: valueNone, parse: sticky(BufferHTTPStart)},
		{name: "http_start", doc: "http_start; the same as http.start (a sticky buffer in Suricata too, unlike http_uri and the like).", value: valueNone, parse: sticky(BufferHTTPStart)},
		{name: "http_request_line", doc: "http_request_line; the same as http.request_line.", value: valueNone, parse: sticky(BufferHTTPRequestLine)},
		{name: "http_content_type", doc: "http_content_type; the same as http.content_type.", value: valueNone, parse: sticky(BufferHTTPContentType)},
		{name: "http_accept", doc: "http_accept; the same as http.accept.", value: valueNone, parse: sticky(BufferHTTPAccept)},
		{name: "http_accept_lang", doc: "http_accept_lang; the same as http.accept_lang.", value: valueNone, parse: sticky(BufferHTTPAcceptLang)},
		{name: "http_accept_enc", doc: "http_accept_enc; the same as http.accept_enc.", value: valueNone, parse: sticky(BufferHTTPAcceptEnc)},
		{name: "http_connection", doc: "http_connection; the same as http.connection.", value: valueNone, parse: sticky(BufferHTTPConnection)},
		{name: "http_protocol", doc: "http_protocol; the same as http.protocol.", value: valueNone, parse: sticky(BufferHTTPProtocol)},
		{name: "http_referer", doc: "http_referer; the same as http.referer.", value: valueNone, parse: sticky(BufferHTTPReferer)},
		{name: "pkt_data", doc: "pkt_data; back to the packet payload.", value: valueNone, parse: sticky(BufferPayload)},
		{name: "file_data", doc: "file_data; sticky buffer: an HTTP transaction's body, de-chunked and decompressed: the response's on to_client, the request's on to_server.", value: valueOptional, parse: parseFileData},
		{name: "file.data", doc: "file.data; the same as file_data.", value: valueOptional, parse: parseFileData},
		{name: "http.stat_code", doc: "http.stat_code; sticky buffer: the response's status code, e.g. 200.", value: valueNone, parse: sticky(BufferHTTPStatCode)},
		{name: "http.stat_msg", doc: "http.stat_msg; sticky buffer: the response's reason phrase, e.g. OK.", value: valueNone, parse: sticky(BufferHTTPStatMsg)},
		{name: "http.response_line", doc: "http.response_line; sticky buffer: the status line without its line end.", value: valueNone, parse: sticky(BufferHTTPResponseLine)},
		{name: "http_response_line", doc: "http_response_line; the same as http.response_line.", value: valueNone, parse: sticky(BufferHTTPResponseLine)},
		{name: "http.response_body", doc: "http.response_body; the same as file_data (Suricata 7 inspects one buffer for both).", value: valueNone, parse: sticky(BufferFileData)},
		{name: "http.server", doc: "http.server; sticky buffer: the response's Server header.", value: valueNone, parse: sticky(BufferHTTPServer)},
		{name: "http_server", doc: "http_server; the same as http.server.", value: valueNone, parse: sticky(BufferHTTPServer)},
		{name: "http.location", doc: "http.location; sticky buffer: the response's Location header.", value: valueNone, parse: sticky(BufferHTTPLocation)},
		{name: "http_location", doc: "http_location; the same as http.location.", value: valueNone, parse: sticky(BufferHTTPLocation)},
		{name: "http.content_len", doc: "http.content_len; sticky buffer: the Content-Length header (request or response).", value: valueNone, parse: sticky(BufferHTTPContentLen)},
		{name: "http_content_len", doc: "http_content_len; the same as http.content_len.", value: valueNone, parse: sticky(BufferHTTPContentLen)},

		// Transforms (transform.go): right after a sticky buffer, they change
		// it, in rule order, before the matches that follow look at it.
		{name: "to_lowercase", doc: "to_lowercase; transform: ASCII letters to lowercase (a content with uppercase letters after it is refused).", value: valueNone, parse: simpleTransform(TransformToLowercase)},
		{name: "to_uppercase", doc: "to_uppercase; transform: ASCII letters to uppercase (a content with lowercase letters after it is refused).", value: valueNone, parse: simpleTransform(TransformToUppercase)},
		{name: "strip_whitespace", doc: "strip_whitespace; transform: drop every whitespace byte (space, \\t, \\n, \\v, \\f, \\r).", value: valueNone, parse: simpleTransform(TransformStripWhitespace)},
		{name: "compress_whitespace", doc: "compress_whitespace; transform: each run of whitespace becomes its first byte.", value: valueNone, parse: simpleTransform(TransformCompressWhitespace)},
		{name: "url_decode", doc: "url_decode; transform: %HH becomes the byte, + a space; bad or cut-off escapes stay as they are.", value: valueNone, parse: simpleTransform(TransformURLDecode)},
		{name: "dotprefix", doc: `dotprefix; transform: a "." before the buffer (when not empty), so content:".example.com" matches the domain and its subdomains.`, value: valueNone, parse: simpleTransform(TransformDotPrefix)},
		{name: "to_md5", doc: "to_md5; transform: the buffer's MD5 hash, 16 raw bytes.", value: valueNone, parse: simpleTransform(TransformToMD5)},
		{name: "to_sha1", doc: "to_sha1; transform: the buffer's SHA-1 hash, 20 raw bytes.", value: valueNone, parse: simpleTransform(TransformToSHA1)},
		{name: "to_sha256", doc: "to_sha256; transform: the buffer's SHA-256 hash, 32 raw bytes.", value: valueNone, parse: simpleTransform(TransformToSHA256)},
		{name: "xor", doc: `xor:"hexkey"; transform: each byte xor the key (1 to 255 bytes), repeated.`, parse: parseXor},
		{name: "header_lowercase", doc: "header_lowercase; transform: each line's header name (up to its first ':') to lowercase.", value: valueNone, parse: simpleTransform(TransformHeaderLowercase)},
		{name: "strip_pseudo_headers", doc: "strip_pseudo_headers; transform: drop the lines that start with ':' (HTTP/2 pseudo-headers).", value: valueNone, parse: simpleTransform(TransformStripPseudoHeaders)},
		{name: "pcrexform", doc: `pcrexform:"regex"; transform: the buffer becomes the one capturing group of the regex's first match (PCRE without delimiters or flags, run as RE2; no match leaves the buffer as it is).`, parse: parsePCREXform},
		{name: "from_base64", doc: "from_base64; not supported: a Suricata 8 transform that Suricata 7 does not load.", value: valueOptional, parse: unsupportedKeyword("from_base64", "from_base64 is a Suricata 8 transform; Suricata 7 does not load the rule")},

		// Content modifiers (old style): the preceding content looks in a buffer.
		{name: "http_uri", doc: "http_uri; the preceding content looks in http.uri.", value: valueNone, parse: modBuffer("http_uri", BufferHTTPURI)},
		{name: "http_method", doc: "http_method; the preceding content looks in http.method.", value: valueNone, parse: modBuffer("http_method", BufferHTTPMethod)},
		{name: "http_header", doc: "http_header; the preceding content looks in http.header.", value: valueNone, parse: modBuffer("http_header", BufferHTTPHeader)},
		{name: "http_host", doc: "http_host; the preceding content looks in http.host.", value: valueNone, parse: modBuffer("http_host", BufferHTTPHost)},
		{name: "http_user_agent", doc: "http_user_agent; the preceding content looks in http.user_agent.", value: valueNone, parse: modBuffer("http_user_agent", BufferHTTPUserAgent)},
		{name: "http_cookie", doc: "http_cookie; the preceding content looks in http.cookie.", value: valueNone, parse: modBuffer("http_cookie", BufferHTTPCookie)},
		{name: "http_client_body", doc: "http_client_body; the preceding content looks in http.request_body.", value: valueNone, parse: modBuffer("http_client_body", BufferHTTPBody)},
		{name: "http_raw_header", doc: "http_raw_header; the preceding content looks in http.header.raw.", value: valueNone, parse: modBuffer("http_raw_header", BufferHTTPRawHeader)},
		{name: "http_stat_code", doc: "http_stat_code; the preceding content looks in http.stat_code.", value: valueNone, parse: modBuffer("http_stat_code", BufferHTTPStatCode)},
		{name: "http_stat_msg", doc: "http_stat_msg; the preceding content looks in http.stat_msg.", value: valueNone, parse: modBuffer("http_stat_msg", BufferHTTPStatMsg)},
		{name: "http_server_body", doc: "http_server_body; the preceding content looks in file_data (http.response_body).", value: valueNone, parse: modBuffer("http_server_body", BufferFileData)},
		{name: "http_raw_uri", doc: "http_raw_uri; the preceding content looks in http.uri.raw.", value: valueNone, parse: modBuffer("http_raw_uri", BufferHTTPRawURI)},
		{name: "http_raw_host", doc: "http_raw_host; not supported (no raw host buffer): the rule is skipped.", value: valueOptional, parse: unsupportedKeyword("http_raw_host", "http_raw_host is not supported: there is no raw host buffer")},
		// Suricata's dns_query is the legacy name of the dns.query sticky
		// buffer (ET Open writes "dns_query; content:..."), not a modifier.
		{name: "dns.query", doc: "dns.query; sticky buffer: each question's name of a DNS request, dotted (www.example.com).", value: valueNone, parse: sticky(BufferDNSQuery)},
		// tls_sni is likewise sticky ("tls_sni; content:...").
		{name: "tls.sni", doc: "tls.sni; sticky buffer: the server_name host name of a TLS ClientHello.", value: valueNone, parse: sticky(BufferTLSSNI)},
		{name: "tls_sni", doc: "tls_sni; the same as tls.sni (a sticky buffer).", value: valueNone, parse: sticky(BufferTLSSNI)},
		{name: "dns_query", doc: "dns_query; the same as dns.query (a sticky buffer).", value: valueNone, parse: sticky(BufferDNSQuery)},

		// Flow and packet header keywords.
		{name: "flow", doc: "flow:to_server|to_client|from_client|from_server, established|not_established|stateless, only_stream (the reassembled stream only), no_stream (the packet only). only_frag, no_frag are not supported.", parse: parseFlow},
		{name: "flags", doc: "flags:[+*!]SAFRPUCE[,ignored]; TCP flags (1 = C, 2 = E, 0 = none).", parse: parseFlags},
		{name: "tcp.flags", doc: "tcp.flags; the same as flags.", parse: parseFlags},
		{name: "bsize", doc: "bsize:N|<N|>N|<=N|>=N|!N|N<>M; length of the sticky buffer (ranges exclusive).", parse: parseBSize},
		{name: "seq", doc: "seq:N; TCP sequence number.", parse: fieldEq("seq", 1<<32-1, false, func(r *Rule) **FieldEq { return &r.Seq })},
		{name: "ack", doc: "ack:N; TCP acknowledgement number.", parse: fieldEq("ack", 1<<32-1, false, func(r *Rule) **FieldEq { return &r.Ack })},
		{name: "window", doc: "window:[!]N; TCP window as sent (unscaled).", parse: fieldEq("window", 65535, true, func(r *Rule) **FieldEq { return &r.Window })},
		{name: "id", doc: "id:N; IPv4 identification.", parse: fieldEq("id", 65535, false, func(r *Rule) **FieldEq { return &r.IPID })},
		{name: "icmp_id", doc: "icmp_id:N; ICMP or ICMPv6 echo request/reply identifier.", parse: fieldEq("icmp_id", 65535, false, func(r *Rule) **FieldEq { return &r.ICMPID })},
		{name: "icmp_seq", doc: "icmp_seq:N; ICMP or ICMPv6 echo request/reply sequence number.", parse: fieldEq("icmp_seq", 65535, false, func(r *Rule) **FieldEq { return &r.ICMPSeq })},
		{name: "sameip", doc: "sameip; the source and destination addresses are the same.", value: valueNone, parse: func(st *ruleState, _ string) error { st.r.SameIP = true; return nil }},
		{name: "fragbits", doc: "fragbits:[+*!]MDR; IPv4 flags (M more fragments, D don't fragment, R reserved); the modifier may also follow.", parse: parseFragBits},
		{name: "dsize", doc: "dsize:N|<N|>N|<=N|>=N|!N|N<>M|N-M; payload size (ranges are exclusive, as in Suricata).", parse: rangeKeyword("dsize", 65535, func(r *Rule) **Range { return &r.Dsize })},
		{name: "urilen", doc: "urilen:N|<N|>N|<=N|>=N|!N|N<>M[, raw|norm]; length of the request URI (norm, the default, is the http.uri buffer; ranges exclusive).", parse: parseURILen},
		{name: "ttl", doc: "ttl:N|<N|>N|<=N|>=N|!N|N<>M|N-M; IP time to live (ranges exclusive).", parse: rangeKeyword("ttl", 255, func(r *Rule) **Range { return &r.TTL })},
		{name: "itype", doc: "itype:N|<N|>N|N<>M|...; ICMP type.", parse: rangeKeyword("itype", 255, func(r *Rule) **Range { return &r.IType })},
		{name: "icode", doc: "icode:N|<N|>N|N<>M|...; ICMP code.", parse: rangeKeyword("icode", 255, func(r *Rule) **Range { return &r.ICode })},

		// Rate keywords.
		{name: "threshold", doc: "threshold:type limit|threshold|both, track by_src|by_dst|by_rule|by_both|by_flow, count N, seconds N.", parse: thresholdKeyword("threshold")},
		{name: "detection_filter", doc: "detection_filter:track by_src|by_dst|by_rule|by_both|by_flow, count N, seconds N[, unique_on src_port|dst_port]; alert only after count matches (or distinct ports) in seconds.", parse: thresholdKeyword("detection_filter")},

		// Flow state.
		{name: "flowbits", doc: "flowbits:set|unset|toggle|isset|isnotset,name (a&b all; a|b any, for isset/isnotset) or flowbits:noalert; named bits kept per flow.", parse: parseFlowbits},
		{name: "noalert", doc: "noalert; the rule sets state (flowbits) but never alerts.", value: valueNone, parse: parseNoAlert},
		{name: "alert", doc: "alert; a pass rule also alerts when it matches (other actions alert anyway).", value: valueNone, parse: parseAlert},

		// Datasets (dataset.go): sets shared by all rules, looked up with
		// the sticky buffer before the keyword.
		{name: "ip.src", doc: "ip.src; sticky buffer: the source address, 4 bytes (IPv4) or 16 (IPv6), what ipv4, ipv6 and ip datasets hold.", value: valueNone, parse: sticky(BufferIPSrc)},
		{name: "ip.dst", doc: "ip.dst; sticky buffer: the destination address, as ip.src.", value: valueNone, parse: sticky(BufferIPDst)},
		{name: "dataset", doc: "dataset:set|unset|isset|isnotset,NAME[, type string|md5|sha256|ipv4|ipv6|ip][, load FILE][, state FILE][, save FILE][, memcap N][, hashsize N]; the sticky buffer in a set shared by all rules. set matches when it adds the buffer, unset when it removes it. load and state files are read (relative to the rule file) but never written: save and state do not save.", parse: parseDataset},
		{name: "datarep", doc: "datarep:NAME, >|<|==, VALUE[, type ...][, load FILE][, memcap N][, hashsize N]; the sticky buffer's reputation value in a set (\"key,value\" lines) compared with VALUE.", parse: parseDatarep},
	}
	kws = append(kws, handshakeKeywords()...)
	return append(kws, decoderKeywords()...)
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
		// Suricata loads the rule with priority 3 (RuleSignature's
		// default) and says so; real sets carry vendor classtypes such
		// as Bitcoin-event.
		st.warnings = append(st.warnings, fmt.Sprintf("unknown classtype %q: priority 3 unless priority: says otherwise", clip(val)))
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

// parseTag checks tag's form (Suricata's detect-tag): the type first,
// then an optional count, metric and, for host, direction.
func parseTag(_ *ruleState, val string) error {
	parts := strings.Split(val, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch parts[0] {
	case "session", "host":
	default:
		return fmt.Errorf("tag type %q: want session or host", parts[0])
	}
	if len(parts) > 4 || len(parts) == 2 {
		return fmt.Errorf("tag:%s: want type[, count, metric[, direction]]", val)
	}
	if len(parts) >= 3 {
		if n, err := strconv.ParseUint(parts[1], 10, 32); err != nil || n == 0 {
			return fmt.Errorf("tag count %q: want a positive number", parts[1])
		}
		switch parts[2] {
		case "packets", "seconds", "bytes":
		default:
			return fmt.Errorf("tag metric %q: want packets, seconds or bytes", parts[2])
		}
	}
	if len(parts) == 4 && parts[3] != "src" && parts[3] != "dst" {
		return fmt.Errorf("tag direction %q: want src or dst", parts[3])
	}
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
