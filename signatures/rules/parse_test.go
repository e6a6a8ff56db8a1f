package rules

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, text string) *Rule {
	t.Helper()
	r, skip, err := Parse("t.rules", 1, text, DefaultVars())
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	if skip != nil {
		t.Fatalf("Parse(%s): skipped: %s", text, skip.Reason)
	}
	return r
}

// rule wraps options in a header.
func rule(opts string) string { return "alert tcp any any -> any any (" + opts + ")" }

func TestParseHeader(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		text  string
		check func(*Rule) bool
	}{
		{"alert tcp any any -> any any (sid:1;)", func(r *Rule) bool {
			return r.Action.String() == "alert" && r.Proto.String() == "tcp" && r.Src.Any && r.Dst.Any && r.SrcPorts.Any && r.DstPorts.Any && !r.Bidirectional
		}},
		{"drop udp $HOME_NET any -> $EXTERNAL_NET 53 (sid:1;)", func(r *Rule) bool {
			return r.Action.String() == "drop" && r.Proto.String() == "udp" && r.Src.Match(a("10.1.2.3")) && !r.Src.Match(a("8.8.8.8")) &&
				r.Dst.Match(a("8.8.8.8")) && !r.Dst.Match(a("10.1.2.3")) && r.DstPorts.Match(53) && !r.DstPorts.Match(54)
		}},
		{"REJECT TCP any any -> any any (sid:1;)", func(r *Rule) bool { return r.Action.String() == "reject" && r.Proto.String() == "tcp" }},
		{"pass ip any any -> any any (sid:1;)", func(r *Rule) bool { return r.Action.String() == "pass" && r.Proto.String() == "ip" }},
		{"rejectboth tcp-pkt any any -> any any (sid:1;)", func(r *Rule) bool { return r.Action.String() == "rejectboth" && r.Proto.String() == "tcp-pkt" }},
		{"alert dnp3 any any -> any $DNP3_PORTS (content:\"x\"; sid:1;)", func(r *Rule) bool { return r.Proto.String() == "dnp3" && r.DstPorts.Match(20000) }},
		{"alert icmp any any -> any any (sid:1;)", func(r *Rule) bool { return r.Proto.String() == "icmp" }},
		{"alert icmpv6 any any -> any any (sid:1;)", func(r *Rule) bool { return r.Proto.String() == "icmpv6" }},
		{"alert http $HOME_NET any -> $HTTP_SERVERS $HTTP_PORTS (sid:1;)", func(r *Rule) bool {
			return r.Proto.String() == "http" && r.DstPorts.Match(8080) && !r.DstPorts.Match(443)
		}},
		{"alert tcp 1.2.3.4 any <> 5.6.7.8 80 (sid:1;)", func(r *Rule) bool {
			return r.Bidirectional && r.Src.Match(a("1.2.3.4")) && r.Dst.Match(a("5.6.7.8"))
		}},
		{"alert tcp ![10.0.0.0/8,!10.1.0.0/16] !80 -> [2001:db8::/32, ::1] [1024:,!8080] (sid:1;)", func(r *Rule) bool {
			return r.Src.Match(a("10.1.0.1")) && !r.Src.Match(a("10.2.0.1")) && r.Src.Match(a("8.8.8.8")) &&
				!r.SrcPorts.Match(80) && r.SrcPorts.Match(81) &&
				r.Dst.Match(a("2001:db8::5")) && r.Dst.Match(a("::1")) && !r.Dst.Match(a("1.1.1.1")) &&
				r.DstPorts.Match(1024) && !r.DstPorts.Match(8080) && !r.DstPorts.Match(80)
		}},
		{"alert udp $EXTERNAL_NET :1024 <> $HOME_NET 0 (sid:1;)", func(r *Rule) bool {
			return r.SrcPorts.Match(0) && r.SrcPorts.Match(1024) && !r.SrcPorts.Match(1025) && r.DstPorts.Match(0) && r.Bidirectional
		}},
		{"  alert\ttcp  any   any ->  any any  ( sid:1 ; msg : \"x\" )  ", func(r *Rule) bool { return r.Msg == "x" && r.SID == 1 }},
	}
	for _, tt := range tests {
		r := mustParse(t, tt.text)
		if !tt.check(r) {
			t.Errorf("Parse(%s) = %+v: check failed", tt.text, r)
		}
	}
}

func TestParseKeywords(t *testing.T) {
	tests := []struct {
		opts  string
		check func(*Rule) bool
	}{
		{`msg:"a \"quoted\" \; semi \\ back"; sid:7; rev:3; gid:2;`, func(r *Rule) bool {
			return r.Msg == `a "quoted" ; semi \ back` && r.SID == 7 && r.Rev == 3 && r.GID == 2
		}},
		{`sid:1;`, func(r *Rule) bool { return r.GID == 1 && r.Rev == 0 && r.Priority == 0 && r.Raw == rule(`sid:1;`) }},
		{`classtype:Attempted-Admin; sid:1;`, func(r *Rule) bool { return r.Classtype == "attempted-admin" && r.Priority == 0 }},
		{`classtype:trojan-activity; priority:3; sid:1;`, func(r *Rule) bool { return r.Classtype == "trojan-activity" && r.Priority == 3 }},
		{`reference:CVE, 2021-44228; reference:url,example.com/a,b; sid:1;`, func(r *Rule) bool {
			return reflect.DeepEqual(r.References, []Reference{{"cve", "2021-44228"}, {"url", "example.com/a,b"}}) &&
				reflect.DeepEqual(r.CVE(), []string{"CVE-2021-44228"})
		}},
		{`metadata:created_at 2020_01_01, former_category MALWARE,; metadata: signature_severity Major; sid:1;`, func(r *Rule) bool {
			return reflect.DeepEqual(r.Metadata, []string{"created_at 2020_01_01", "former_category MALWARE", "signature_severity Major"})
		}},
		{`content:"GET "; depth:4; offset:0; nocase; fast_pattern; sid:1;`, func(r *Rule) bool {
			c := r.Matches[0].Content
			return string(c.Pattern) == "GET " && c.HasDepth && c.Depth == 4 && c.HasOffset && c.Offset == 0 && c.NoCase && c.FastPattern &&
				!c.Relative() && r.Matches[0].Buffer == BufferPayload
		}},
		{`content:"a"; content:"bc"; distance:-1; within:5; sid:1;`, func(r *Rule) bool {
			c := r.Matches[1].Content
			return len(r.Matches) == 2 && c.HasDistance && c.Distance == -1 && c.HasWithin && c.Within == 5 && c.Relative()
		}},
		{`content:"a"; distance:0; sid:1;`, func(r *Rule) bool { c := r.Matches[0].Content; return c.HasDistance && c.Distance == 0 }},
		{`content:"abc"; fast_pattern:only; sid:1;`, func(r *Rule) bool { return r.Matches[0].Content.FastPattern }},
		{`content:"abcdef"; fast_pattern:1,3; sid:1;`, func(r *Rule) bool { return r.Matches[0].Content.FastPattern }},
		{`content:"abc"; startswith; content:"xyz"; endswith; rawbytes; sid:1;`, func(r *Rule) bool {
			return r.Matches[0].Content.StartsWith && r.Matches[1].Content.EndsWith
		}},
		{`content:!"evil"; sid:1;`, func(r *Rule) bool { return r.Matches[0].Content.Negated }},
		{`content: ! "evil"; sid:1;`, func(r *Rule) bool { return r.Matches[0].Content.Negated }},
		{`content:"A|42 43|D|0d0a|"; sid:1;`, func(r *Rule) bool { return string(r.Matches[0].Content.Pattern) == "ABCD\r\n" }},
		{`content:"|00 00 00 bc|"; sid:1;`, func(r *Rule) bool { return string(r.Matches[0].Content.Pattern) == "\x00\x00\x00\xbc" }},
		{`content:"a\"b\;c\\d\:e\|f"; sid:1;`, func(r *Rule) bool { return string(r.Matches[0].Content.Pattern) == `a"b;c\d:e|f` }},
		{`content:"WWW-Authenticate\: "; nocase; sid:1;`, func(r *Rule) bool {
			return string(r.Matches[0].Content.Pattern) == "WWW-Authenticate: " && r.Matches[0].Content.NoCase
		}},
		{`content:unquoted; sid:1;`, func(r *Rule) bool { return string(r.Matches[0].Content.Pattern) == "unquoted" }},
		{`pcre:"/fo+\d/i"; sid:1;`, func(r *Rule) bool {
			p := r.Matches[0].PCRE
			return p.Source == `/fo+\d/i` && p.Regexp().MatchString("xFOO1") && !p.Negated && !p.Relative
		}},
		{`content:"a"; pcre:!"/b/R"; sid:1;`, func(r *Rule) bool { p := r.Matches[1].PCRE; return p.Negated && p.Relative }},
		{`pcre:"/^\/admin/U"; sid:1;`, func(r *Rule) bool { return r.Matches[0].Buffer == BufferHTTPURI }},
		{`pcre:"/x/H"; pcre:"/x/M"; pcre:"/x/C"; pcre:"/x/P"; pcre:"/x/V"; pcre:"/x/W"; pcre:"/x/BO"; sid:1;`, func(r *Rule) bool {
			want := []Buffer{BufferHTTPHeader, BufferHTTPMethod, BufferHTTPCookie, BufferHTTPBody, BufferHTTPUserAgent, BufferHTTPHost, BufferPayload}
			for i, b := range want {
				if r.Matches[i].Buffer != b {
					return false
				}
			}
			return true
		}},
		{`http.uri; content:"/a"; content:"b"; http.method; content:"POST"; pkt_data; content:"c"; sid:1;`, func(r *Rule) bool {
			return r.Matches[0].Buffer == BufferHTTPURI && r.Matches[1].Buffer == BufferHTTPURI &&
				r.Matches[2].Buffer == BufferHTTPMethod && r.Matches[3].Buffer == BufferPayload
		}},
		{`http.header; pcre:"/x/"; http.host; content:"example.com"; http.user_agent; content:"curl"; http.cookie; content:"s="; http.request_body; content:"pw"; sid:1;`, func(r *Rule) bool {
			want := []Buffer{BufferHTTPHeader, BufferHTTPHost, BufferHTTPUserAgent, BufferHTTPCookie, BufferHTTPBody}
			for i, b := range want {
				if r.Matches[i].Buffer != b {
					return false
				}
			}
			return true
		}},
		{`content:"GET"; http_method; content:"/x"; http_uri; nocase; content:"h"; http_header; content:"ex.com"; http_host; content:"ua"; http_user_agent; content:"c"; http_cookie; content:"b"; http_client_body; sid:1;`, func(r *Rule) bool {
			want := []Buffer{BufferHTTPMethod, BufferHTTPURI, BufferHTTPHeader, BufferHTTPHost, BufferHTTPUserAgent, BufferHTTPCookie, BufferHTTPBody}
			for i, b := range want {
				if r.Matches[i].Buffer != b {
					return false
				}
			}
			return r.Matches[1].Content.NoCase
		}},
		{`uricontent:"/cgi-bin/"; sid:1;`, func(r *Rule) bool { return r.Matches[0].Buffer == BufferHTTPURI }},
		{`http.host; content:"EXAMPLE"; nocase; sid:1;`, func(r *Rule) bool { return r.Matches[0].Content.NoCase }},
		{`flow:to_server,established; sid:1;`, func(r *Rule) bool { return r.Flow == Flow{Direction: FlowToServer, Established: true} }},
		{`flow:from_server, not_established; sid:1;`, func(r *Rule) bool {
			return r.Flow == Flow{Direction: FlowToClient, NotEstablished: true}
		}},
		{`flow:stateless; sid:1;`, func(r *Rule) bool { return r.Flow == Flow{Stateless: true} }},
		// accepted, no effect on the rule
		{`flags:S; tag:session; prefilter; sid:1;`, func(r *Rule) bool { return r.Flags != nil }},
		{`tag:host,9,packets,dst; sid:1;`, func(r *Rule) bool { return r.SID == 1 }},
		{`flow:from_client,only_stream; sid:1;`, func(r *Rule) bool { return r.Flow == Flow{Direction: FlowToServer, OnlyStream: true} }},
		{`flow:to_server,no_stream; sid:1;`, func(r *Rule) bool { return r.Flow == Flow{Direction: FlowToServer, NoStream: true} }},
		{`flags:S; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x02} }},
		{`flags:SA+; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x12, Mode: '+'} }},
		{`flags:*FPU; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x29, Mode: '*'} }},
		{`flags:!R; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x04, Mode: '!'} }},
		{`flags:S,12; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x02, Ignore: 0xC0} }},
		{`flags:SCE,CE; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0xC2, Ignore: 0xC0} }},
		{`flags:0; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{} }},
		{`tcp.flags:S; sid:1;`, func(r *Rule) bool { return *r.Flags == Flags{Mask: 0x02} }},
		{`dsize:10; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeEq, Min: 10} }},
		{`dsize:<10; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeLt, Min: 10} }},
		{`dsize:<=10; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeLe, Min: 10} }},
		{`dsize:>8; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeGt, Min: 8} }},
		{`dsize:>=10; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeGe, Min: 10} }},
		{`dsize:8<>20; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeExclusive, Min: 8, Max: 20} }},
		{`dsize: 8 <> 20; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeExclusive, Min: 8, Max: 20} }},
		{`dsize:8-20; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeExclusive, Min: 8, Max: 20} }},
		{`dsize:!9; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeNot, Min: 9} }},
		{`dsize:!=9; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeNot, Min: 9} }},
		{`dsize:=0x10; sid:1;`, func(r *Rule) bool { return *r.Dsize == Range{Op: RangeEq, Min: 16} }},
		{`ttl:<5; sid:1;`, func(r *Rule) bool { return *r.TTL == Range{Op: RangeLt, Min: 5} }},
		{`ttl:64; dsize:0; sid:1;`, func(r *Rule) bool {
			return *r.TTL == Range{Op: RangeEq, Min: 64} && *r.Dsize == Range{Op: RangeEq, Min: 0}
		}},
		{`threshold: type limit, track by_rule, count 5, seconds 300; sid:1;`, func(r *Rule) bool {
			return *r.Threshold == Threshold{Type: ThresholdLimit, Track: TrackByRule, Count: 5, Seconds: 300}
		}},
		{`threshold:seconds 60,count 10,track by_src,type both; sid:1;`, func(r *Rule) bool {
			return *r.Threshold == Threshold{Type: ThresholdBoth, Track: TrackBySrc, Count: 10, Seconds: 60}
		}},
		{`threshold:type threshold, track by_both, count 2, seconds 1; sid:1;`, func(r *Rule) bool { return r.Threshold.Type == ThresholdThreshold }},
		{`detection_filter:track by_dst, count 3, seconds 60; sid:1;`, func(r *Rule) bool {
			return *r.Threshold == Threshold{Type: DetectionFilter, Track: TrackByDst, Count: 3, Seconds: 60}
		}},
		{`detection_filter:track by_src, count 3, seconds 60, unique_on dst_port; sid:1;`, func(r *Rule) bool {
			return *r.Threshold == Threshold{Type: DetectionFilter, Track: TrackBySrc, Count: 3, Seconds: 60, UniqueOn: UniqueDstPort}
		}},
		{`flowbits:set,login.ok; flowbits:noalert; sid:1;`, func(r *Rule) bool {
			return r.NoAlert && len(r.Flowbits) == 1 && r.Flowbits[0].Cmd == FlowbitSet && r.Flowbits[0].Names[0] == "login.ok"
		}},
		{`flowbits: isset, a | b; flowbits:isnotset,c&d; noalert; sid:1;`, func(r *Rule) bool {
			return r.NoAlert && len(r.Flowbits) == 2 && r.Flowbits[0].Any && reflect.DeepEqual(r.Flowbits[0].Names, []string{"a", "b"}) &&
				!r.Flowbits[1].Any && reflect.DeepEqual(r.Flowbits[1].Names, []string{"c", "d"})
		}},
		{`content:"ab"; byte_test: 2, !>=, 0x10, -1, relative, little, bitmask 0x0ff0; sid:1;`, func(r *Rule) bool {
			b := r.Matches[1].Byte
			return b != nil && *b == ByteOp{Kind: ByteTest, Bytes: 2, Op: CompareGe, Negate: true, Value: 16, Offset: -1,
				Relative: true, Little: true, Bitmask: 0xff0}
		}},
		{`byte_test:3,!,100,2,string,dec; sid:1;`, func(r *Rule) bool {
			b := r.Matches[0].Byte
			return *b == ByteOp{Kind: ByteTest, Bytes: 3, Op: CompareEq, Negate: true, Value: 100, Offset: 2, String: true, Base: 10}
		}},
		{`content:"x"; http_uri; byte_jump:4,0,relative,multiplier 2,align,post_offset -2,from_end; sid:1;`, func(r *Rule) bool {
			b := r.Matches[1]
			return b.Buffer == BufferHTTPURI && *b.Byte == ByteOp{Kind: ByteJump, Bytes: 4, Relative: true, Multiplier: 2,
				Align: true, PostOffset: -2, FromEnd: true}
		}},
		{`isdataat:!10, relative; sid:1;`, func(r *Rule) bool {
			return *r.Matches[0].Byte == ByteOp{Kind: IsDataAt, Offset: 10, Negate: true, Relative: true}
		}},
		{`threshold:type limit, track by_flow, count 1, seconds 60; sid:1;`, func(r *Rule) bool {
			return *r.Threshold == Threshold{Type: ThresholdLimit, Track: TrackByFlow, Count: 1, Seconds: 60}
		}},
	}
	for _, tt := range tests {
		r := mustParse(t, rule(tt.opts))
		if !tt.check(r) {
			t.Errorf("Parse(%s) = %+v: check failed", tt.opts, r)
		}
	}
}

func TestParseICMP(t *testing.T) {
	r := mustParse(t, `alert icmp any any -> any any (itype:8; icode:0; sid:1;)`)
	if *r.IType != (Range{Op: RangeEq, Min: 8}) || *r.ICode != (Range{Op: RangeEq, Min: 0}) {
		t.Errorf("itype/icode = %+v %+v", r.IType, r.ICode)
	}
	r = mustParse(t, `alert ip any any -> any any (itype:>30; icode:0<>3; sid:1;)`)
	if !r.IType.Match(31) || r.IType.Match(30) || !r.ICode.Match(1) || r.ICode.Match(3) {
		t.Errorf("itype/icode = %+v %+v", r.IType, r.ICode)
	}
}

func TestParseSkipped(t *testing.T) {
	tests := []struct {
		text, keyword, reason string
	}{
		{rule(`content:"a"; byte_test:1,>,2,0,relative,dce; sid:5;`), "byte_test", `byte_test dce (DCE/RPC stub data) is not supported`},
		{rule(`content:"a"; byte_jump:1,0,dce; sid:5;`), "byte_jump", `byte_jump dce (DCE/RPC stub data) is not supported`},
		{rule(`content:"a"; http_raw_host; sid:5;`), "http_raw_host", "http_raw_host is not supported"},
		{rule(`http.cookie.raw; content:"a"; sid:5;`), "http.cookie.raw", `keyword "http.cookie.raw" is not supported`},
		{rule(`flow:only_frag; sid:5;`), "flow", `flow option "only_frag" is not supported`},
		{rule(`pcre:"/(a|(?R))/"; sid:5;`), "pcre", `pcre uses recursion`},
		{rule(`pcre:"/(?(1)a|b)/"; sid:5;`), "pcre", `pcre uses a conditional group`},
		{rule(`pcre:"/(*UTF8)a/"; sid:5;`), "pcre", `backtracking control verb`},
		{rule(`pcre:"/a\Kb/"; sid:5;`), "pcre", `pcre uses \K, which the backtracking matcher does not support`},
		{rule(`pcre:"/(?<=a+)b/"; sid:5;`), "pcre", `pcre uses a lookbehind that is not fixed length`},
		{rule(`pcre:"/(a)(?1)/"; sid:5;`), "pcre", `pcre uses recursion or a subroutine call`},
		{rule(`pcre:"/a{2}{3}/"; sid:5;`), "pcre", `cannot be compiled as RE2`},
		{rule(`pcre:"/x/K"; sid:5;`), "pcre", `pcre flag K (the http.cookie.raw buffer) is not supported`},
		{rule(`pcre:"/x/Z"; sid:5;`), "pcre", `pcre flag Z (the http.host.raw buffer) is not supported`},
		{rule(`threshold:type backoff, track by_flow, count 1, multiplier 10; sid:5;`), "threshold", "not supported"},
		{rule(`dsize:!5-10; sid:5;`), "dsize", `negated range "!5-10" is not supported`},
		{rule(`dsize:&0xc0=0x80; sid:5;`), "dsize", "dsize bitmask"},
		{`alert arp any any -> any any (sid:5;)`, "arp", `protocol "arp" is not supported`},
		{`alert sctp any any -> any any (content:"x"; sid:5;)`, "sctp", `protocol "sctp" is not supported`},
		{`alert dnp3 any any -> any any (dnp3_func:1; sid:5;)`, "dnp3_func", `keyword "dnp3_func" is not supported`},
		{`config tcp any any -> any any (sid:5;)`, "config", `action "config" is not supported`},
		{`alert http any any => any any (sid:5;)`, "=>", `direction "=>"`},
		// Keywords after an unsupported one are not checked.
		{rule(`lua:x.lua; content:"a"; distance:var; sid:5;`), "lua", `keyword "lua" is not supported`},
	}
	for _, tt := range tests {
		r, skip, err := Parse("t.rules", 3, tt.text, DefaultVars())
		if err != nil || r != nil || skip == nil {
			t.Errorf("Parse(%s) = %v, %v, %v; want skipped", tt.text, r, skip, err)
			continue
		}
		want := Skipped{File: "t.rules", Line: 3, SID: 5, Keyword: tt.keyword}
		got := *skip
		got.Reason = ""
		if got != want || !strings.Contains(skip.Reason, tt.reason) {
			t.Errorf("Parse(%s) skipped %+v (reason %q), want %+v with reason containing %q", tt.text, got, skip.Reason, want, tt.reason)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text, keyword, want string
	}{
		{`alert tcp any any -> any any sid:1;`, "rule", "missing ( before the options"},
		{`alert tcp any any -> any any (sid:1;`, "rule", "missing ) after the options"},
		{`alert tcp any any -> any any (sid:1;) trailing`, "rule", `text after the closing ): "trailing"`},
		{`alert tcp any any -> any (sid:1;)`, "header", "got 6 fields"},
		{`alrt tcp any any -> any any (sid:1;)`, "action", `unknown action "alrt"`},
		{`alert tcp any any <- any any (sid:1;)`, "direction", `"<-" is not valid`},
		{`alert tcp any any >> any any (sid:1;)`, "direction", `bad direction ">>"`},
		{`alert tcp 10.0.0.256 any -> any any (sid:1;)`, "source", `source: bad address "10.0.0.256"`},
		{`alert tcp any 70000 -> any any (sid:1;)`, "source port", `source port: bad port "70000"`},
		{`alert tcp any any -> !any any (sid:1;)`, "destination", "matches no address"},
		{`alert tcp any any -> any [80,!80] (sid:1;)`, "destination port", "matches no port"},
		{`alert tcp $NOPE any -> any any (sid:1;)`, "source", "unknown address variable $NOPE"},
		{rule(`tag:packet; sid:1;`), "tag", `tag type "packet"`},
		{rule(`tag:host,10; sid:1;`), "tag", "want type[, count, metric[, direction]]"},
		{rule(`tag:host,0,packets; sid:1;`), "tag", `tag count "0"`},
		{rule(`tag:host,5,frames; sid:1;`), "tag", `tag metric "frames"`},
		{rule(`tag:host,5,packets,both; sid:1;`), "tag", `tag direction "both"`},
		{rule(`msg:"x";`), "sid", "sid: missing sid"},
		{rule(`sid:0;`), "sid", "sid: 0 is not a valid sid"},
		{rule(`sid:abc;`), "sid", `sid: bad value "abc"`},
		{rule(`sid:1; sid:2;`), "sid", "sid: given twice"},
		{rule(`sid:1; gid:x;`), "gid", `gid: bad value "x"`},
		{rule(`sid:1; rev:-1;`), "rev", `rev: bad value "-1"`},
		{rule(`msg:"unterminated; sid:1;`), "msg", `msg: unterminated string "\"unterminated"`},
		{rule(`msg:"a"b"; sid:1;`), "msg", `msg: text after the closing quote: "b\""`},
		{rule(`msg:"a"; msg:"b"; sid:1;`), "msg", "msg: given twice"},
		{rule(`msg; sid:1;`), "msg", "msg: needs a value"},
		{rule(`nocase:1; sid:1;`), "nocase", `nocase: takes no value, got "1"`},
		{rule(`content:"|41 4"; sid:1;`), "content", `content: unterminated hex "|41 4"`},
		{rule(`content:"|41 4|"; sid:1;`), "content", `content: odd number of hex digits in "|41 4|"`},
		{rule(`content:"|4g|"; sid:1;`), "content", `content: bad hex character 'g'`},
		{rule(`content:"abc; sid:1;`), "content", `content: unterminated string "\"abc"`},
		{rule(`content:"a"b"; sid:1;`), "content", `content: unescaped " in`},
		{rule(`content:"a\nb"; sid:1;`), "content", `content: bad escape \n`},
		{rule(`content:""; sid:1;`), "content", "content: empty pattern"},
		{rule(`depth:50; sid:1;`), "depth", "depth: needs a preceding content"},
		{rule(`nocase; sid:1;`), "nocase", "nocase: needs a preceding content"},
		{rule(`http.uri; within:5; sid:1;`), "within", "within: needs a preceding content in the http.uri buffer"},
		{rule(`content:"abc"; http.uri; nocase; sid:1;`), "nocase", "needs a preceding content in the http.uri buffer"},
		{rule(`content:"abc"; depth:0; sid:1;`), "depth", "depth: 0 is not allowed"},
		{rule(`content:"abc"; depth:2; sid:1;`), "depth", "depth: 2 is less than the content length 3"},
		{rule(`content:"a"; content:"abc"; within:2; sid:1;`), "within", "within: 2 is less than the content length 3"},
		{rule(`content:"AA"; offset:20; offset:20; sid:1;`), "offset", "offset: given twice for the same content"},
		{rule(`content:"AA"; depth:20; depth:20; sid:1;`), "depth", "depth: given twice for the same content"},
		{rule(`content:"AA"; distance:1; distance:2; sid:1;`), "distance", "distance: given twice"},
		{rule(`content:"AA"; within:3; within:2; sid:1;`), "within", "within: given twice"},
		{rule(`content:"AA"; nocase; nocase; sid:1;`), "nocase", "nocase: given twice for the same content"},
		{rule(`content:"a"; content:"AA"; distance:0; depth:5; sid:1;`), "depth", "depth: cannot be combined with distance/within"},
		{rule(`content:"a"; content:"AA"; offset:1; within:5; sid:1;`), "within", "within: cannot be combined with offset/depth"},
		{rule(`content:"AA"; offset:-1; sid:1;`), "offset", `offset: bad value "-1"`},
		{rule(`content:"AA"; offset:x; sid:1;`), "offset", `offset: unknown byte_extract variable "x"`},
		{rule(`content:"AA"; offset:1x; sid:1;`), "offset", `offset: bad value "1x"`},
		{rule(`content:"a"; byte_test:1,>,len,0; sid:1;`), "byte_test", `byte_test: unknown byte_extract variable "len"`},
		{rule(`content:"a"; byte_jump:off,0; sid:1;`), "byte_jump", `byte_jump: unknown byte_extract variable "off"`},
		{rule(`byte_extract:1,0,v; byte_extract:1,1,v; sid:1;`), "byte_extract", `variable "v" extracted twice`},
		{rule(`byte_extract:9,0,v; sid:1;`), "byte_extract", `9 bytes is too many without string`},
		{rule(`byte_extract:15,0,v,string,hex; sid:1;`), "byte_extract", `too many for a base 16 string`},
		{rule(`byte_extract:1,0,v,align 3; sid:1;`), "byte_extract", `bad align "3"`},
		{rule(`byte_extract:1,0,2v; sid:1;`), "byte_extract", `bad variable name "2v"`},
		{rule(`byte_extract:1,0; sid:1;`), "byte_extract", `want bytes, offset, variable name`},
		{rule(`byte_math:bytes 1, offset 0, oper %, rvalue 1, result r; sid:1;`), "byte_math", `bad oper "%"`},
		{rule(`byte_math:bytes 1, offset 0, oper +, rvalue 1; sid:1;`), "byte_math", `missing result`},
		{rule(`byte_math:bytes 5, offset 0, oper <<, rvalue 1, result r; sid:1;`), "byte_math", `5 bytes with <<: 4 at most`},
		{rule(`byte_math:bytes 1, offset 0, oper +, rvalue q, result r; sid:1;`), "byte_math", `unknown byte_extract variable "q"`},
		{rule(`byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, string bin; sid:1;`), "byte_math", `bad string "bin"`},
		{rule(`content:!"AA"; fast_pattern:only; sid:1;`), "fast_pattern", "fast_pattern: only cannot be used on a negated content"},
		{rule(`content:!"AA"; fast_pattern; within:4; sid:1;`), "fast_pattern", "fast_pattern: cannot be used on a negated content with offset"},
		{rule(`content:"AA"; fast_pattern; content:"BB"; fast_pattern; sid:1;`), "fast_pattern", "only one content in a rule"},
		{rule(`content:"AA"; fast_pattern:1,5; sid:1;`), "fast_pattern", "reaches past the end"},
		{rule(`content:"AA"; fast_pattern:x; sid:1;`), "fast_pattern", `bad value "x"`},
		{rule(`content:"AA"; startswith; offset:2; sid:1;`), "startswith", "startswith: cannot be combined with offset"},
		{rule(`content:"AA"; startswith; startswith; sid:1;`), "startswith", "given twice"},
		{rule(`content:"AA"; http_uri; http_header; sid:1;`), "http_header", "already in the http.uri buffer"},
		{rule(`http.uri; content:"AA"; http_uri; sid:1;`), "http_uri", "already in the http.uri buffer"},
		{rule(`content:"AA"; rawbytes; http_uri; sid:1;`), "http_uri", "cannot be combined with rawbytes"},
		{rule(`http_uri; sid:1;`), "http_uri", "http_uri: needs a preceding content"},
		{rule(`http.host; content:"Example.com"; sid:1;`), "http.host", "has uppercase letters"},
		{rule(`content:"Example.com"; http_host; sid:1;`), "http.host", "has uppercase letters"},
		{`alert udp any any -> any any (http.uri; content:"a"; sid:1;)`, "http.uri", "an http buffer needs an http, tcp or ip rule, but the protocol is udp"},
		{`alert dns any any -> any any (content:"a"; http_uri; sid:1;)`, "http.uri", "the protocol is dns"},
		{`alert icmp any any -> any any (http.uri; content:"a"; sid:1;)`, "http.uri", "the protocol is icmp"},
		{`alert ntp any any -> any any (flags:S; sid:1;)`, "flags", "the protocol is ntp"},
		{`alert tls any any -> any any (itype:0; sid:1;)`, "itype", "the protocol is tls"},
		{rule(`classtype:bad-unknown; classtype:bad-unknown; sid:1;`), "classtype", "given twice"},
		{rule(`priority:0; sid:1;`), "priority", `priority: bad value "0"`},
		{rule(`reference:cve; sid:1;`), "reference", `reference: bad value "cve" (want type,id)`},
		{rule(`pcre:abc; sid:1;`), "pcre", `pcre: value must be quoted`},
		{rule(`pcre:"abc/"; sid:1;`), "pcre", "must start with /"},
		{rule(`pcre:"/abc"; sid:1;`), "pcre", "missing closing /"},
		{rule(`pcre:"/abc/q"; sid:1;`), "pcre", `unknown flag 'q'`},
		{rule(`pcre:"/abc/UH"; sid:1;`), "pcre", "flags U and H name different buffers"},
		{rule(`pcre:"/(abc/"; sid:1;`), "pcre", "bad regular expression"},
		{rule(`pcre:"/[abc/"; sid:1;`), "pcre", "missing ]"},
		{rule(`pcre:"/*a/"; sid:1;`), "pcre", "bad regular expression"},
		{rule(`pcre:"/a\/"; sid:1;`), "pcre", "ends with a backslash"},
		{rule(`http.uri; pcre:"/a/H"; sid:1;`), "pcre", "flag H names the http.header buffer, but the sticky buffer is http.uri"},
		{rule(`flow:to_server,to_client; sid:1;`), "flow", "to_server and to_client conflict"},
		{rule(`flow:established,not_established; sid:1;`), "flow", "conflict"},
		{rule(`flow:established,stateless; sid:1;`), "flow", "conflict"},
		{rule(`flow:established,established; sid:1;`), "flow", `"established" given twice`},
		{rule(`flow:sideways; sid:1;`), "flow", `unknown option "sideways"`},
		{rule(`flow:to_server; flow:established; sid:1;`), "flow", "flow: given twice"},
		{rule(`flags:SX; sid:1;`), "flags", `unknown flag 'X'`},
		{rule(`flags:SS; sid:1;`), "flags", "flag S given twice"},
		{rule(`flags:+S+; sid:1;`), "flags", "two modifiers"},
		{rule(`flags:+; sid:1;`), "flags", "no flags"},
		{rule(`flags:S,; sid:1;`), "flags", "no flags after the comma"},
		{rule(`flags:S; tcp.flags:A; sid:1;`), "tcp.flags", "given twice"},
		{`alert udp any any -> any any (flags:S; sid:1;)`, "flags", "only tcp has flags, but the protocol is udp"},
		{rule(`itype:8; sid:1;`), "itype", "needs an icmp or ip rule, but the protocol is tcp"},
		{rule(`dsize:x; sid:1;`), "dsize", `dsize: bad value "x"`},
		{rule(`dsize:70000; sid:1;`), "dsize", "above 65535"},
		{`alert icmp any any -> any any (itype:256; sid:1;)`, "itype", "above 255"},
		{rule(`ttl:<0; sid:1;`), "ttl", "can never match"},
		{rule(`ttl:>255; sid:1;`), "ttl", "can never match"},
		{rule(`dsize:20<>8; sid:1;`), "dsize", "is empty"},
		{rule(`dsize:5<>6; sid:1;`), "dsize", "is empty"},
		{rule(`dsize:1; dsize:2; sid:1;`), "dsize", "given twice"},
		{rule(`threshold:type limit, track by_src, count 1; sid:1;`), "threshold", "missing seconds"},
		{rule(`threshold:type limit, track by_src, count 0, seconds 1; sid:1;`), "threshold", `bad count "0"`},
		{rule(`threshold:type sometimes, track by_src, count 1, seconds 1; sid:1;`), "threshold", `unknown type "sometimes"`},
		{rule(`threshold:type limit, track by_nobody, count 1, seconds 1; sid:1;`), "threshold", `unknown track "by_nobody"`},
		{rule(`flowbits:sett,a; sid:1;`), "flowbits", `unknown command "sett"`},
		{rule(`byte_test:1,>,2; sid:1;`), "byte_test", `want bytes, operator, value, offset`},
		{rule(`byte_test:9,>,2,0; sid:1;`), "byte_test", `9 bytes is too many without string`},
		{rule(`byte_test:1,~,2,0; sid:1;`), "byte_test", `unknown operator "~"`},
		{rule(`byte_test:1,=,2,0,hex; sid:1;`), "byte_test", `dec, hex and oct need string`},
		{rule(`byte_test:1,=,2,0,bitmask 0; sid:1;`), "byte_test", `bad bitmask "0"`},
		{rule(`byte_jump:2,0,from_beginning,from_end; sid:1;`), "byte_jump", `from_beginning and from_end together`},
		{rule(`byte_jump:2,0,multiplier 0; sid:1;`), "byte_jump", `bad multiplier "0"`},
		{rule(`isdataat:5,sideways; sid:1;`), "isdataat", `unknown option "sideways"`},
		{rule(`flowbits:set; sid:1;`), "flowbits", `set needs a name`},
		{rule(`flowbits:set,a|b; sid:1;`), "flowbits", `set takes names joined with &`},
		{rule(`flowbits:isset,a|b&c; sid:1;`), "flowbits", `mixes & and |`},
		{rule(`flowbits:isset,a b; sid:1;`), "flowbits", `bad flowbit name "a b"`},
		{rule(`flowbits:noalert,x; sid:1;`), "flowbits", `noalert takes no name`},
		{rule(`threshold:type limit, track by_src, count 1, seconds 1, unique_on dst_port; sid:1;`), "threshold", `unique_on belongs to detection_filter`},
		{rule(`detection_filter:track by_src, count 1, seconds 1, unique_on dst_ip; sid:1;`), "detection_filter", `bad unique_on "dst_ip"`},
		{rule(`threshold:type limit, track by_src, count 1, count 2, seconds 1; sid:1;`), "threshold", "count given twice"},
		{rule(`threshold:type limit, track by_src, count 1, seconds 1, color red; sid:1;`), "threshold", `unknown option "color"`},
		{rule(`threshold:type limit track by_src; sid:1;`), "threshold", "want key value"},
		{rule(`detection_filter:type limit, track by_src, count 1, seconds 1; sid:1;`), "detection_filter", "has no type"},
		{rule(`detection_filter:track by_src, count 1, seconds 1; threshold:type limit, track by_src, count 1, seconds 1; sid:1;`), "threshold", "one threshold or detection_filter"},
		{rule(`foo bar:1; sid:1;`), "rule", `bad option "foo bar:1"`},
	}
	for _, tt := range tests {
		_, skip, err := Parse("local.rules", 12, tt.text, DefaultVars())
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%s) = skip %v, error %v; want an *Error", tt.text, skip, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "local.rules:12: ") || !strings.Contains(err.Error(), tt.want) || e.Keyword != tt.keyword {
			t.Errorf("Parse(%s) error = %q (keyword %q), want local.rules:12: ... %q (keyword %q)", tt.text, err, e.Keyword, tt.want, tt.keyword)
		}
		if strings.ToLower(err.Error()[:20]) != err.Error()[:20] {
			t.Errorf("error %q does not start lowercase", err)
		}
	}
}

func TestParseFile(t *testing.T) {
	src := "\uFEFF# a comment\n" +
		"\n" +
		"alert tcp any any -> any any (msg:\"one\"; sid:1;)\n" +
		"   # indented comment\n" +
		"alert tcp any any -> any any (msg:\"two\"; \\\n" +
		"    content:\"x\"; \\\n" +
		"    sid:2;)\r\n" +
		"alert tcp any any -> any any (msg:\"bad\"; depth:4; sid:3;)\n" +
		"alert tcp any any -> any any (msg:\"skipped\"; lua:x.lua; sid:4;)\n" +
		"alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n" +
		"alert tcp any any -> any any (msg:\"other gid\"; sid:1; gid:3;)\n" +
		"alert tcp any any -> any any (msg:\"dup of skipped\"; sid:4; rev:2;)\n" +
		"alert tcp any any -> any any (msg:\"no sid\";)\n" +
		"alert tcp any any -> any any (msg:\"last\"; sid:9;) "
	rules, skipped, err := ParseFile("my.rules", strings.NewReader(src), DefaultVars())
	var got []string
	for _, r := range rules {
		got = append(got, r.Msg)
	}
	if want := []string{"one", "two", "other gid", "last"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules = %q, want %q", got, want)
	}
	if len(rules) == 4 {
		if rules[1].Line != 5 || rules[1].Raw != `alert tcp any any -> any any (msg:"two";     content:"x";     sid:2;)` {
			t.Errorf("multi-line rule: line %d, raw %q", rules[1].Line, rules[1].Raw)
		}
		if rules[2].GID != 3 || rules[3].Line != 14 {
			t.Errorf("rules[2].GID = %d, rules[3].Line = %d", rules[2].GID, rules[3].Line)
		}
	}
	if len(skipped) != 1 || skipped[0].Line != 9 || skipped[0].SID != 4 || skipped[0].File != "my.rules" {
		t.Errorf("skipped = %+v", skipped)
	}
	if err == nil {
		t.Fatal("no error for the malformed rules")
	}
	msgs := strings.Split(err.Error(), "\n")
	want := []string{
		"my.rules:8: depth: needs a preceding content",
		"my.rules:10: sid: duplicate sid 1 (gid 1), first used at my.rules:3",
		"my.rules:12: sid: duplicate sid 4 (gid 1), first used at my.rules:9",
		"my.rules:13: sid: missing sid",
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 8 || e.Keyword != "depth" || e.SID != 3 {
		t.Errorf("errors.As(*Error) = %+v", e)
	}

	// A continuation at the end of the file still parses.
	rules, _, err = ParseFile("x.rules", strings.NewReader("alert tcp any any -> any any (sid:1; \\\n msg:\"m\";) \\\n"), DefaultVars())
	if err != nil || len(rules) != 1 || rules[0].Msg != "m" {
		t.Errorf("continued last line: %v, %v", rules, err)
	}

	// Long lines are fine.
	long := rule(`content:"` + strings.Repeat("A", 200000) + `"; sid:1;`)
	rules, _, err = ParseFile("x.rules", strings.NewReader(long), DefaultVars())
	if err != nil || len(rules) != 1 || len(rules[0].Matches[0].Content.Pattern) != 200000 {
		t.Errorf("long rule: %v", err)
	}
	// A long comment, then a long line continued by a short one and one
	// more rule: the lines past the reader's buffer are read whole.
	src = "# " + strings.Repeat("c", 10000) + "\n" +
		`alert tcp any any -> any any (content:"` + strings.Repeat("B", 9000) + "\"; \\\n" +
		" sid:2;)\n" +
		"alert tcp any any -> any any (sid:3;)\n"
	rules, _, err = ParseFile("x.rules", strings.NewReader(src), DefaultVars())
	if err != nil || len(rules) != 2 || len(rules[0].Matches[0].Content.Pattern) != 9000 ||
		rules[0].Line != 2 || rules[0].SID != 2 || rules[1].Line != 4 || rules[1].SID != 3 {
		t.Errorf("long lines continued: %v, %+v", err, rules)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseFileReadError(t *testing.T) {
	_, _, err := ParseFile("x.rules", failingReader{}, DefaultVars())
	if err == nil || err.Error() != "x.rules: disk on fire" {
		t.Errorf("err = %v", err)
	}
}

func TestKeywordTable(t *testing.T) {
	seen := map[string]bool{}
	for _, kw := range Keywords() {
		if kw.Doc == "" || seen[kw.Name] || !validKeywordName(kw.Name) {
			t.Errorf("keyword %+v: missing doc, duplicate or bad name", kw)
		}
		seen[kw.Name] = true
	}
}
