package rules

import (
	"strings"
	"testing"
)

// Rules from real sets that Suricata 7 loads and that were refused here:
// ET Open 2020 (/work/shared/rulesets/et-open-2020), suricata-verify
// test cases, and the constructs an older ET set used (that set is not in
// shared/, so those rules are written after the constructs it reported).
func TestParseRealSets(t *testing.T) {
	tests := []struct {
		name, text string
		check      func(r *Rule) bool
		warning    string // expected load warning, "" for none
		skip       string // the keyword a valid but unsupported rule is skipped for
	}{
		{
			name: "ET Open 2020 emerging-current_events.rules:2283 fast_pattern on a negated content",
			text: `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET CURRENT_EVENTS Cushion Redirection"; flow:established,to_server; content:"/index.php?"; http_uri; content:"="; distance:1; within:1; http_uri; content:!"=aHR0"; http_uri; fast_pattern; pcre:"/\/index\.php\?[a-z]=[A-Za-z0-9\/\+]*?(?:(?:N1cm[kw]|RpbWU)9|(?:zdXJ[ps]|0aW1l)P|c3Vy(?:aT|bD)|dGltZT)[A-Za-z0-9\/\+]+?(?:(?:N1cm[kw]|RpbWU)9|(?:zdXJ[ps]|0aW1l)P|c3Vy(?:aT|bD)|dGltZT)[A-Za-z0-9\/\+]+(?:(?:N1cm[kw]|RpbWU)9|(?:zdXJ[ps]|0aW1l)P|c3Vy(?:aT|bD)|dGltZT)[A-Za-z0-9\/\+]+={0,2}$/U"; reference:url,malwaremustdie.blogspot.co.uk/2013/09/302-redirector-new-cushion-attempt-to.html; classtype:trojan-activity; sid:2017552; rev:6; metadata:created_at 2013_10_01, updated_at 2013_10_01;)`,
			check: func(r *Rule) bool {
				c := r.Matches[2].Content
				return c.Negated && c.FastPattern && string(c.Pattern) == "=aHR0" && r.Matches[2].Buffer == BufferHTTPURI
			},
		},
		{
			// The second http_host takes the content before, still in the
			// payload, as Suricata does.
			name: "ET Open 2020 emerging-info.rules:1017 http_host written twice",
			text: `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET INFO Hiloti Style GET to PHP with invalid terse MSIE headers"; flow:established,to_server; content:"GET"; http_method; content:".php?"; http_uri; content:"Mozilla/4.0|20|(compatible|3b 20|MSIE|20|"; http_user_agent; content:!"8"; within:1; http_user_agent; content:"|3b 20|Windows|20|NT|20|"; http_user_agent; distance:0; content:!".taobao.com"; http_host; content:!".dict.cn"; http_host; content:!".avg.com"; http_host; content:!"SlimBrowser"; http_user_agent; content:!".weather.hao.360.cn"; content:!"es.f.360.cn"; http_host; http_host; http_header_names; content:"|0d 0a|User-Agent|0d 0a|Host|0d 0a|"; depth:20; fast_pattern; metadata: former_category TROJAN; classtype:trojan-activity; sid:2012612; rev:17; metadata:created_at 2011_03_31, updated_at 2019_08_05;)`,
			check: func(r *Rule) bool {
				var host bool
				for _, m := range r.Matches {
					if m.Content != nil && string(m.Content.Pattern) == ".weather.hao.360.cn" {
						host = m.Buffer == BufferHTTPHost
					}
				}
				last := r.Matches[len(r.Matches)-1]
				return host && last.Buffer == BufferHTTPHeaderNames && string(last.Content.Pattern) == "\r\nUser-Agent\r\nHost\r\n"
			},
		},
		{
			name: "suricata-verify detect-http-uri__UriTestSig14: unquoted pcre",
			text: `alert tcp any any -> any any (msg:"Test uricontent option"; content:"one"; http_uri; pcre:/one(self)?/U;sid:1;)`,
			check: func(r *Rule) bool {
				return r.Matches[1].PCRE != nil && r.Matches[1].Buffer == BufferHTTPURI
			},
		},
		{
			name: "older ET: unquoted pcre with flags /Vi",
			text: `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"old ET style"; flow:established,to_server; content:"Mozilla"; http_user_agent; pcre:/^Mozilla\/4\.0 \(compatible\; MSIE [0-9]\.0\)$/Vi; sid:2000001; rev:1;)`,
			check: func(r *Rule) bool {
				return r.Matches[1].PCRE != nil && r.Matches[1].Buffer == BufferHTTPUserAgent
			},
		},
		{
			name: "older ET: negated port list without brackets",
			text: `alert tcp $HOME_NET any -> $EXTERNAL_NET !5800,!445 (msg:"old ET style"; flow:established,to_server; content:"x"; sid:2000002; rev:1;)`,
			check: func(r *Rule) bool {
				return !r.DstPorts.Match(5800) && !r.DstPorts.Match(445) && r.DstPorts.Match(80) && r.DstPorts.Match(5801)
			},
		},
		{
			name: "port list without brackets, not negated",
			text: `alert tcp any any -> any 80,8080:8081 (content:"x"; sid:2000003;)`,
			check: func(r *Rule) bool {
				return r.DstPorts.Match(80) && r.DstPorts.Match(8081) && !r.DstPorts.Match(81)
			},
		},
		{
			name:    "older ET: unknown classtype Bitcoin-event",
			text:    `alert tcp $HOME_NET any -> $EXTERNAL_NET any (msg:"old ET style"; content:"x"; classtype:Bitcoin-event; sid:2000004; rev:1;)`,
			check:   func(r *Rule) bool { return r.Classtype == "bitcoin-event" && r.Priority == 0 },
			warning: `rule sid 2000004: unknown classtype "Bitcoin-event": priority 3`,
		},
		{
			name:  "suricata-verify eve-metadata: flowbit names with /",
			text:  `alert http any any -> any any (content:"curl"; http_user_agent; flowbits:set,traffic/label/cli-http; flowbits:set,traffic/id/curl; flowbits:set,junkbit; sid:1; rev:1;)`,
			check: func(r *Rule) bool { return len(r.Flowbits) == 3 && r.Flowbits[1].Names[0] == "traffic/id/curl" },
		},
		{
			name:  "suricata-verify detect-bytetest-02: offset past 65535",
			text:  `alert tcp any any -> any any (msg:"content + byte_test"; byte_test:1,=,65,214748364; sid:3; rev:1;)`,
			check: func(r *Rule) bool { return r.Matches[0].Byte.Offset == 214748364 },
		},
		{
			// Suricata loads it and it never matches; the matcher
			// refuses 0 bytes, so it is skipped rather than failed.
			name: "suricata-verify detect-bytejump-01: byte_jump of 0 bytes",
			text: `alert tcp any any -> any any (msg:"Byte-jump test 2";content:"Question?"; byte_jump:0,0,relative,string,from_end,post_offset -3; content:"pandemic";distance:0; sid:2;)`,
			skip: "byte_jump",
		},
		{
			name: "suricata-verify eve-metadata: pcre capturing into variables",
			text: `alert http any any -> any any (pcre:"/uid=(\d+)\(([^)]+)\)/, pkt:uid, pkt:username"; noalert; sid:2; rev:1;)`,
			skip: "pcre",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadFile("real.rules", strings.NewReader(tt.text+"\n"), DefaultVars())
			if err != nil || len(f.Failed) != 0 {
				t.Fatalf("failed: %v %v", err, f.Failed)
			}
			if tt.skip != "" {
				if len(f.Skipped) != 1 || f.Skipped[0].Keyword != tt.skip {
					t.Fatalf("want skipped for %s, got rules %d skipped %+v", tt.skip, len(f.Rules), f.Skipped)
				}
				return
			}
			if len(f.Rules) != 1 {
				t.Fatalf("not loaded: skipped %+v", f.Skipped)
			}
			if !tt.check(f.Rules[0]) {
				t.Errorf("parsed wrongly: %+v", f.Rules[0])
			}
			switch {
			case tt.warning == "" && len(f.Warnings) != 0:
				t.Errorf("warnings %q, want none", f.Warnings)
			case tt.warning != "" && (len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one containing %q", f.Warnings, tt.warning)
			}
		})
	}
}

// The double http_host moves the content before into http.host; without
// the unsupported keyword after it the whole rule shows it.
func TestModifierTwiceTakesEarlierContent(t *testing.T) {
	r := mustParse(t, `alert http any any -> any any (content:!".weather.hao.360.cn"; content:!"es.f.360.cn"; http_host; http_host; sid:1;)`)
	for i, m := range r.Matches {
		if m.Buffer != BufferHTTPHost {
			t.Errorf("match %d (%q) in %s, want http.host", i, m.Content.Pattern, m.Buffer)
		}
	}
	// A modifier after a sticky buffer's content is still refused, as
	// Suricata refuses it ("sticky buffer still set").
	_, _, err := Parse("t.rules", 1, `alert http any any -> any any (http.host; content:"x"; http_host; sid:1;)`, DefaultVars())
	if err == nil {
		t.Error("http.host; content; http_host; loaded")
	}
}

// The limits that stay: what Suricata refuses too.
func TestRealSetLimits(t *testing.T) {
	for _, text := range []string{
		rule(`byte_test:1,=,65,2147483648; sid:1;`), // past int32
		rule(`file_data; file_data; content:"a"; sid:1;`),
		rule(`byte_jump:9,0; sid:1;`), // 8 at most without string
		rule(`isdataat:65536; sid:1;`),
		rule(`flowbits:set,a b; sid:1;`),
		`alert tcp any any -> any !5800,!445, (sid:1;)`,
		rule(`pcre:/abc; sid:1;`),
	} {
		if _, _, err := Parse("t.rules", 1, text, DefaultVars()); err == nil {
			t.Errorf("Parse(%s) loaded, want an error", text)
		}
	}
}
