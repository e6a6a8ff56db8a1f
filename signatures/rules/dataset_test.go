package rules

import (
	"strings"
	"testing"
)

func TestParseDataset(t *testing.T) {
	const head = `alert dns any any -> any any (`
	for _, tt := range []struct {
		opts string
		want *Dataset // nil: refused
		buf  Buffer
		warn string // a warning the rule loads with
	}{
		{`dns.query; dataset:isset,dns-bl,type string,load bl.lst; sid:1;`,
			&Dataset{Cmd: DatasetIsSet, Name: "dns-bl", Type: DatasetString, Load: "bl.lst"}, BufferDNSQuery, ""},
		{`dns.query; dataset: isnotset , seen; sid:1;`, &Dataset{Cmd: DatasetIsNotSet, Name: "seen"}, BufferDNSQuery, ""},
		{`ip.src; dataset:set,c, type ip, state state.csv, memcap 10mb, hashsize 1024; sid:1;`,
			&Dataset{Cmd: DatasetSet, Name: "c", Type: DatasetIPv6, Load: "state.csv", Save: "state.csv", State: true, Memcap: 10 << 20, Hashsize: 1024}, BufferIPSrc, ""},
		{`ip.dst; dataset:unset,c,type ipv4,save out.csv; sid:1;`,
			&Dataset{Cmd: DatasetUnset, Name: "c", Type: DatasetIPv4, Save: "out.csv"}, BufferIPDst, ""},
		{`dns.query; dataset:isset,h,type sha256,memcap lots; sid:1;`,
			&Dataset{Cmd: DatasetIsSet, Name: "h", Type: DatasetSHA256}, BufferDNSQuery, `invalid memcap "lots"`},
		// Suricata 7 ignores options it does not know, and stops at an
		// option with no value, loading the rule (datajson-06)
		{`dns.query; dataset:isset,h,type string,load h.lst,format json,remove_key, value_key host; sid:1;`,
			&Dataset{Cmd: DatasetIsSet, Name: "h", Type: DatasetString, Load: "h.lst"}, BufferDNSQuery, `option "remove_key" has no value`},
		{`dns.query; dataset:isset,h,type bogus,load h.lst; sid:1;`,
			&Dataset{Cmd: DatasetIsSet, Name: "h"}, BufferDNSQuery, `bad type "bogus"`},
		{`dns.query; datarep:rep, >, 200, load r.lst, type md5; sid:1;`,
			&Dataset{Rep: true, RepOp: RepGt, RepValue: 200, Name: "rep", Type: DatasetMD5, Load: "r.lst"}, BufferDNSQuery, ""},
		{`dns.query; datarep:rep, ==, 0; sid:1;`, &Dataset{Rep: true, RepOp: RepEq, Name: "rep"}, BufferDNSQuery, ""},

		{`dataset:isset,x,type string; sid:1;`, nil, 0, ""},                            // no sticky buffer
		{`content:"a"; dataset:isset,x,type string; sid:1;`, nil, 0, ""},               // the payload is not one
		{`dns.query; dataset:check,x,type string; sid:1;`, nil, 0, ""},                 // unknown command
		{`dns.query; dataset:isset; sid:1;`, nil, 0, ""},                               // no name
		{`dns.query; dataset:isset,a b c; sid:1;`, nil, 0, ""},                         // "a" with a value: stops, then no name
		{`dns.query; dataset:set,x,state s,load l; sid:1;`, nil, 0, ""},                // state with load
		{`dns.query; dataset:set,x,state /tmp/s.csv; sid:1;`, nil, 0, ""},              // absolute state path
		{`dns.query; dataset:set,x,save ../s.csv; sid:1;`, nil, 0, ""},                 // traversal
		{`dns.query; dataset:set,` + strings.Repeat("n", 64) + `; sid:1;`, nil, 0, ""}, // name too long
		{`dns.query; datarep:rep, >; sid:1;`, nil, 0, ""},                              // no value
		{`dns.query; datarep:rep, =, 1; sid:1;`, nil, 0, ""},                           // Suricata's equality is ==
		{`dns.query; datarep:rep, >, 65536; sid:1;`, nil, 0, ""},                       // stops at the value, then it is missing
		{`dns.query; datarep:rep, >, 1, load r.lst; sid:1;`, nil, 0, ""},               // load without type
	} {
		text := head + tt.opts + ")"
		f, err := ReadFile("t.rules", strings.NewReader(text), DefaultVars())
		if err != nil {
			t.Fatal(err)
		}
		if tt.want == nil {
			if len(f.Rules) != 0 {
				t.Errorf("%s: accepted", tt.opts)
			}
			continue
		}
		if len(f.Rules) != 1 {
			t.Errorf("%s: refused: %v %v", tt.opts, f.Failed, f.Skipped)
			continue
		}
		r := f.Rules[0]
		var got *Match
		for i := range r.Matches {
			if r.Matches[i].Dataset != nil {
				got = &r.Matches[i]
			}
		}
		switch {
		case got == nil:
			t.Errorf("%s: no dataset match", tt.opts)
		case *got.Dataset != *tt.want:
			t.Errorf("%s: got %+v, want %+v", tt.opts, *got.Dataset, *tt.want)
		case got.Buffer != tt.buf:
			t.Errorf("%s: on %v, want %v", tt.opts, got.Buffer, tt.buf)
		}
		warned := false
		for _, w := range f.Warnings {
			warned = warned || tt.warn != "" && strings.Contains(w, tt.warn)
		}
		if warned != (tt.warn != "") || tt.warn == "" && len(f.Warnings) > 0 {
			t.Errorf("%s: warnings %q, want one with %q", tt.opts, f.Warnings, tt.warn)
		}
	}
}

// ip.src and ip.dst go with any protocol: every IP packet has addresses.
func TestParseIPBuffers(t *testing.T) {
	for _, proto := range []string{"ip", "tcp", "udp", "icmp", "dns", "http", "tls"} {
		text := `alert ` + proto + ` any any -> any any (ip.src; content:"|0a|"; ip.dst; dataset:isset,x,type ipv4; sid:1;)`
		r, sk, err := Parse("t.rules", 1, text, DefaultVars())
		if err != nil || sk != nil {
			t.Errorf("%s: err %v, skipped %+v", proto, err, sk)
			continue
		}
		if r.Matches[0].Buffer != BufferIPSrc || r.Matches[1].Buffer != BufferIPDst {
			t.Errorf("%s: buffers %v, %v", proto, r.Matches[0].Buffer, r.Matches[1].Buffer)
		}
	}
	if BufferIPSrc.String() != "ip.src" || BufferIPDst.String() != "ip.dst" {
		t.Errorf("names %q, %q", BufferIPSrc, BufferIPDst)
	}
}
