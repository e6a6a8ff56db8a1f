package rules

import (
	"errors"
	"strings"
	"testing"
)

// xfNames writes a match's buffer and transforms as "http.uri+to_lowercase".
func xfNames(b Buffer, xf []Transform) string {
	s := b.String()
	for _, t := range xf {
		s += "+" + t.String()
	}
	return s
}

// Transforms follow their sticky buffer and are taken up by the first
// match after them; every later match in that buffer shares them, and a
// new sticky buffer (even the same one) starts without.
func TestParseTransforms(t *testing.T) {
	for _, tt := range []struct {
		opts  string
		want  []string // each match's buffer and transforms
		bsize []string // each bsize's buffer and transforms
	}{
		{`http.uri; to_lowercase; content:"a"; sid:1;`, []string{"http.uri+to_lowercase"}, nil},
		{`http.request_body; url_decode; content:"/etc/passwd"; nocase; sid:1;`, []string{"http.request_body+url_decode"}, nil},
		{`dns.query; dotprefix; content:".co.uk"; endswith; sid:1;`, []string{"dns.query+dotprefix"}, nil},
		{`http.request_line; compress_whitespace; to_sha256; content:"|54 A9|"; sid:1;`, []string{"http.request_line+compress_whitespace+to_sha256"}, nil},
		// later matches share the transforms; pkt_data leaves them
		{`http.header; header_lowercase; content:"accept"; content:"x"; distance:0; pkt_data; content:"y"; sid:1;`,
			[]string{"http.header+header_lowercase", "http.header+header_lowercase", "pkt_data"}, nil},
		// the same buffer named again: a chain of its own (detect-xor)
		{`http.uri; content:"/get?data="; startswith; http.uri; pcrexform:"/get\?data=(.*)"; xor:"0d0ac8ff"; content:"password="; sid:1;`,
			[]string{"http.uri", `http.uri+pcrexform:"/get\\?data=(.*)"+xor:"0d0ac8ff"`}, nil},
		// a transform after a match that took up none is still the
		// sticky buffer's: the matches after it look in a new buffer
		{`http.uri; content:"a"; to_lowercase; content:"b"; sid:1;`, []string{"http.uri", "http.uri+to_lowercase"}, nil},
		{`file_data; to_lowercase; content:"at patpoopy"; sid:1;`, []string{"file.data+to_lowercase"}, nil},
		// a dataset lookup takes them up as a content does (the set
		// holds the transformed buffer: datasets-match-subdomain)
		{`dns.query; dotprefix; dataset:isset,names,type string,load names.lst; sid:1;`, []string{"dns.query+dotprefix"}, nil},
		{`http.host; to_md5; datarep:hosts, >, 3, type md5, load hosts.csv; sid:1;`, []string{"http.host+to_md5"}, nil},
		// pcre, byte checks and bsize take up transforms too
		{`http.uri; strip_whitespace; pcre:"/a b/"; sid:1;`, []string{"http.uri+strip_whitespace"}, nil},
		{`http.uri; to_md5; isdataat:15; sid:1;`, []string{"http.uri+to_md5"}, nil},
		{`http.uri; bsize:3; http.uri; to_sha1; bsize:20; sid:1;`, nil, []string{"http.uri", "http.uri+to_sha1"}},
		{`tls.sni; to_uppercase; content:"EXAMPLE.COM"; sid:1;`, []string{"tls.sni+to_uppercase"}, nil},
		// a negated content is not checked against the transforms
		{`http.uri; to_lowercase; content:!"ABC"; sid:1;`, []string{"http.uri+to_lowercase"}, nil},
		// http.host's lowercase check is for the untransformed buffer
		{`http.host; to_uppercase; content:"EXAMPLE"; sid:1;`, []string{"http.host+to_uppercase"}, nil},
		{`http.uri; strip_pseudo_headers; content:"a"; sid:1;`, []string{"http.uri+strip_pseudo_headers"}, nil},
		{`http.uri; compress_whitespace; content:"a b"; sid:1;`, []string{"http.uri+compress_whitespace"}, nil},
	} {
		text := "alert ip any any -> any any (" + tt.opts + ")"
		r, sk, err := Parse("t.rules", 1, text, DefaultVars())
		if err != nil || sk != nil {
			t.Errorf("%s: err %v, skipped %+v", tt.opts, err, sk)
			continue
		}
		var got, gotSize []string
		for _, m := range r.Matches {
			got = append(got, xfNames(m.Buffer, m.Transforms))
		}
		for _, bs := range r.BSize {
			gotSize = append(gotSize, xfNames(bs.Buffer, bs.Transforms))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || strings.Join(gotSize, " ") != strings.Join(tt.bsize, " ") {
			t.Errorf("%s:\n got %q, bsize %q\nwant %q, bsize %q", tt.opts, got, gotSize, tt.want, tt.bsize)
		}
	}
}

// What Suricata 7 refuses is an error naming the keyword and the line;
// what it loads but the matcher cannot run is a skip.
func TestParseTransformErrors(t *testing.T) {
	for _, tt := range []struct {
		opts    string
		keyword string
		msg     string // part of the message; "" with skip
		skip    bool
	}{
		{`to_lowercase; content:"a"; sid:1;`, "to_lowercase", "must directly follow a sticky buffer", false},
		{`pkt_data; to_lowercase; content:"a"; sid:1;`, "to_lowercase", "must directly follow a sticky buffer", false},
		{`content:"a"; http_uri; to_lowercase; content:"b"; sid:1;`, "to_lowercase", "must directly follow a sticky buffer", false},
		{`http.uri; to_lowercase; content:"a"; url_decode; content:"b"; sid:1;`, "url_decode", "already took up", false},
		{`http.uri; to_lowercase; http.host; content:"a"; sid:1;`, "http.host", "no match follows", false},
		{`http.uri; to_lowercase; pkt_data; content:"a"; sid:1;`, "pkt_data", "no match follows", false},
		{`http.uri; url_decode; sid:1;`, "url_decode", "no match follows", false},
		{`http.uri; to_lowercase; content:"ABC"; sid:1;`, "content", "incompatible with the to_lowercase transform", false},
		{`http.uri; to_lowercase; content:"ABC"; nocase; sid:1;`, "content", "incompatible with the to_lowercase transform", false},
		{`http.uri; to_uppercase; content:"abc"; sid:1;`, "content", "incompatible with the to_uppercase transform", false},
		{`http.uri; strip_whitespace; content:"a b"; sid:1;`, "content", "incompatible with the strip_whitespace transform", false},
		{`http.uri; strip_whitespace; content:"a|0b|b"; sid:1;`, "content", "incompatible with the strip_whitespace transform", false},
		{`http.uri; compress_whitespace; content:"a |0d|b"; sid:1;`, "content", "incompatible with the compress_whitespace transform", false},
		// the first transform's check applies whatever follows it
		{`http.uri; to_lowercase; to_md5; content:"|41 42|"; sid:1;`, "content", "incompatible with the to_lowercase transform", false},
		{`http.uri; to_lowercase; uricontent:"a"; sid:1;`, "uricontent", "cannot follow the transforms", false},
		{`http.uri; to_lowercase; pcre:"/a/U"; sid:1;`, "pcre", "transformed http.uri buffer", false},
		{`http.uri; xor:0d0a; content:"a"; sid:1;`, "xor", "must be quoted", false},
		{`http.uri; xor:"0d0"; content:"a"; sid:1;`, "xor", "odd number of hex digits", false},
		{`http.uri; xor:"0g"; content:"a"; sid:1;`, "xor", "hex digits only", false},
		{`http.uri; xor:""; content:"a"; sid:1;`, "xor", "empty key", false},
		{`http.uri; xor:"` + strings.Repeat("ab", 256) + `"; content:"a"; sid:1;`, "xor", "too long", false},
		{`http.uri; pcrexform:"a(b)(c)"; content:"a"; sid:1;`, "pcrexform", "exactly one capturing group", false},
		{`http.uri; pcrexform:"abc"; content:"a"; sid:1;`, "pcrexform", "exactly one capturing group", false},
		{`http.uri; pcrexform:"a(b"; content:"a"; sid:1;`, "pcrexform", "bad regular expression", false},
		{`http.uri; pcrexform:a(b); content:"a"; sid:1;`, "pcrexform", "must be quoted", false},
		{`http.uri; to_lowercase:1; content:"a"; sid:1;`, "to_lowercase", "takes no value", false},
		{`http.uri; ` + strings.Repeat("to_lowercase; ", 17) + `content:"a"; sid:1;`, "to_lowercase", "more than 16 transforms", false},
		{`http.uri; pcrexform:"(?=a)(b)"; content:"a"; sid:1;`, "pcrexform", "", true},
		{`http.uri; from_base64; content:"a"; sid:1;`, "from_base64", "", true},
	} {
		text := "alert http any any -> any any (" + tt.opts + ")"
		_, sk, err := Parse("t.rules", 7, text, DefaultVars())
		if tt.skip {
			if err != nil || sk == nil || sk.Keyword != tt.keyword {
				t.Errorf("%s: err %v, skipped %+v; want skipped by %s", tt.opts, err, sk, tt.keyword)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: err %v, skipped %+v; want an error", tt.opts, err, sk)
			continue
		}
		if e.Keyword != tt.keyword || e.Line != 7 || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%s: error %q (keyword %q, line %d); want keyword %q with %q", tt.opts, e.Msg, e.Keyword, e.Line, tt.keyword, tt.msg)
		}
	}
}

func TestTransformKindNames(t *testing.T) {
	for k := TransformToLowercase; k <= TransformPCREXform; k++ {
		name := k.String()
		if strings.HasPrefix(name, "TransformKind(") {
			t.Errorf("kind %d has no name", k)
			continue
		}
		text := "alert http any any -> any any (http.uri; " + name
		switch k {
		case TransformXor:
			text += `:"01"`
		case TransformPCREXform:
			text += `:"(a)"`
		}
		text += `; content:"1"; sid:1;)`
		r, sk, err := Parse("t.rules", 1, text, DefaultVars())
		if err != nil || sk != nil {
			t.Errorf("%s: err %v, skipped %+v", name, err, sk)
			continue
		}
		if xf := r.Matches[0].Transforms; len(xf) != 1 || xf[0].Kind != k {
			t.Errorf("%s: transforms %v", name, xf)
		}
	}
	if !SameTransforms([]Transform{{Kind: TransformXor, Key: []byte{1}}}, []Transform{{Kind: TransformXor, Key: []byte{1}}}) ||
		SameTransforms([]Transform{{Kind: TransformXor, Key: []byte{1}}}, []Transform{{Kind: TransformXor, Key: []byte{2}}}) ||
		SameTransforms(nil, []Transform{{Kind: TransformDotPrefix}}) {
		t.Error("SameTransforms compares kinds and options")
	}
}
