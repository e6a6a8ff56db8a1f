package rulematch

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// transformsOf parses the transforms written in opts (after http.uri).
func transformsOf(t *testing.T, opts string) []rules.Transform {
	t.Helper()
	r, sk, err := rules.Parse("t.rules", 1, `alert http any any -> any any (http.uri; `+opts+` content:"1"; sid:1;)`, rules.DefaultVars())
	if err != nil || sk != nil {
		t.Fatalf("%s: err %v, skipped %+v", opts, err, sk)
	}
	return r.Matches[0].Transforms
}

// Each transform as Suricata 7's code does it (its unit tests' inputs
// where it has them), and chains in order.
func TestApplyTransforms(t *testing.T) {
	hexOf := func(s string) string { b, _ := hex.DecodeString(s); return string(b) }
	for _, tt := range []struct {
		opts, in, want string
	}{
		{"to_lowercase;", "GET /Index.HTML\xc9", "get /index.html\xc9"},
		{"to_uppercase;", "get /index.html\xe9", "GET /INDEX.HTML\xe9"},
		{"strip_whitespace;", " A B\tC\r\nD\v\fE ", "ABCDE"},
		// a run keeps its first byte, which need not be a space
		{"compress_whitespace;", " A  B\t\t C\r\n", " A B\tC\r"},
		{"compress_whitespace;", "", ""},
		{"url_decode;", "Suricata%20is+%27%61wesome%21%27%25%30%30%ZZ%4", "Suricata is 'awesome!'%00%ZZ%4"},
		{"url_decode;", "%41%4a%4A%", "AJJ%"},
		{"url_decode;", "%u0041%%41", "%u0041%A"},
		{"dotprefix;", "example.com", ".example.com"},
		{"dotprefix;", "", ""},
		{"to_md5;", "", hexOf("d41d8cd98f00b204e9800998ecf8427e")},
		{"to_md5;", "abc", hexOf("900150983cd24fb0d6963f7d28e17f72")},
		{"to_sha1;", "abc", hexOf("a9993e364706816aba3e25717850c26c9cd0d89d")},
		{"to_sha256;", "abc", hexOf("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
		{`xor:"0d0ac8ff";`, "\x7dk\xbb\x8c\x7de", "pass\x70o"},
		{`xor:"01";`, "", ""},
		{"header_lowercase;", "Host: Example.COM\r\nAccept-Ranges: Bytes\r\nX", "host: Example.COM\r\naccept-ranges: Bytes\r\nx"},
		{"strip_pseudo_headers;", ":method: GET\r\nHost: a\r\n:path: /\r\nAccept: b\r\n", "Host: a\r\nAccept: b\r\n"},
		{"strip_pseudo_headers;", "\r\n:x\nA", "\r\nA"},
		{`pcrexform:"[a-zA-Z]+\s+(.*)\s+HTTP";`, "GET /z4d4kWk.jpg HTTP/1.1", "/z4d4kWk.jpg"},
		// no match, or a capture that took no part: the buffer as it was
		{`pcrexform:"x(y)";`, "abc", "abc"},
		{`pcrexform:"a|(b)";`, "abc", "abc"},
		// bytes >= 0x80 are one byte each, in the pattern and the buffer
		{`pcrexform:"\xe9(.)";`, "z\xe9q\xff", "q"},
		{`pcrexform:"(\xff+)";`, "a\xe9\xff\xffb", "\xff\xff"},
		// in rule order, each on the one before's output
		{"url_decode; to_lowercase;", "%41+B", "a b"},
		{"to_lowercase; url_decode;", "%41+B", "A b"},
		{`pcrexform:"data=(.*)"; xor:"0d0ac8ff";`, "/get?data=\x7dk\xbb\x8c", "pass"},
		{"dotprefix; dotprefix; to_uppercase;", "a.b", "..A.B"},
	} {
		xf := transformsOf(t, tt.opts)
		var s scratch
		got, low := s.transform(xf, []byte(tt.in))
		if string(got) != tt.want {
			t.Errorf("%s on %q = %q, want %q", tt.opts, tt.in, got, tt.want)
		}
		if string(low) != string(lowerASCII(nil, got)) {
			t.Errorf("%s on %q: lowercased %q", tt.opts, tt.in, low)
		}
	}
}

// Transformed buffers in whole rules, with and without the prefilter (a
// content of a transformed buffer the payload does not hold as written
// must not keep the rule from running).
func TestTransformRules(t *testing.T) {
	const req = "GET /a%20b/Admin?q=%2Fetc%2Fpasswd HTTP/1.1\r\nHost: WWW.Example.com\r\nUser-Agent: Mozilla  /5.0\r\n\r\n"
	runKwCases(t, []kwCase{
		{"url_decode", `alert http any any -> any any (http.uri; url_decode; content:"/etc/passwd"; sid:1;)`, req, true},
		{"url_decode plus", `alert http any any -> any any (http.uri; url_decode; content:"/a b/"; startswith; sid:1;)`, req, true},
		{"url_decode absent", `alert http any any -> any any (http.uri; url_decode; content:"/etc/shadow"; sid:1;)`, req, false},
		{"lowercase", `alert http any any -> any any (http.uri; to_lowercase; content:"/admin?"; sid:1;)`, req, true},
		{"no transform", `alert http any any -> any any (http.uri; content:"/admin?"; sid:1;)`, req, false},
		{"uppercase", `alert http any any -> any any (http.user_agent; to_uppercase; content:"MOZILLA"; startswith; sid:1;)`, req, true},
		{"strip_whitespace", `alert http any any -> any any (http.user_agent; strip_whitespace; content:"Mozilla/5.0"; endswith; sid:1;)`, req, true},
		{"compress_whitespace", `alert http any any -> any any (http.user_agent; compress_whitespace; content:"Mozilla /5.0"; bsize:12; sid:1;)`, req, true},
		{"header_lowercase", `alert http any any -> any any (http.header; header_lowercase; content:"user-agent: Mozilla"; sid:1;)`, req, true},
		{"dotprefix", `alert http any any -> any any (http.host; dotprefix; content:".example.com"; endswith; sid:1;)`, req, true},
		{"dotprefix whole name", `alert http any any -> any any (http.host; dotprefix; content:".www.example.com"; startswith; sid:1;)`, req, true},
		{"dotprefix other domain", `alert http any any -> any any (http.host; dotprefix; content:".ample.com"; endswith; sid:1;)`, req, false},
		{"md5 bsize", `alert http any any -> any any (http.method; to_md5; bsize:16; sid:1;)`, req, true},
		{"md5", `alert http any any -> any any (http.method; to_md5; content:"|75 28 03 5a 93 ee 69 ce db 1d bd db 2f 0b fc c8|"; startswith; sid:1;)`, req, true},
		{"md5 of another", `alert http any any -> any any (http.method; to_md5; content:"|d4 1d 8c d9 8f 00 b2 04 e9 80 09 98 ec f8 42 7e|"; sid:1;)`, req, false},
		// two chains on one buffer: as written, and transformed
		{"two chains", `alert http any any -> any any (http.uri; content:"%20"; http.uri; url_decode; content:"a b"; sid:1;)`, req, true},
		{"two chains one fails", `alert http any any -> any any (http.uri; content:"a b"; http.uri; url_decode; content:"a b"; sid:1;)`, req, false},
		{"pcrexform", `alert http any any -> any any (http.request_line; pcrexform:"^[A-Z]+ (\S+)"; content:"/a%20b"; startswith; content:"passwd"; endswith; sid:1;)`, req, true},
	})
}

// dns.query with dotprefix: the domain and its subdomains, not names that
// merely end the same way (suricata-verify detect-dotprefix-02).
func TestDotprefixDNS(t *testing.T) {
	r1 := dnsRule(t, `alert dns any any -> any any (dns.query; dotprefix; content:".google.co.uk"; sid:1;)`)
	r2 := dnsRule(t, `alert dns any any -> any any (dns.query; dotprefix; content:".co.uk"; endswith; sid:2;)`)
	for _, tt := range []struct {
		name string
		want []uint32
	}{
		{"google.co.uk", []uint32{1, 2}},
		{"www.google.co.uk", []uint32{1, 2}},
		{"notgoogle.co.uk", []uint32{2}},
		{"google.co.uk.example", []uint32{1}},
		{"example.com", nil},
	} {
		for _, noPF := range []bool{false, true} {
			m := newMatcher(t, r1, r2)
			m.noPrefilter = noPF
			f := dnsPacket(dnsQuery(tt.name))
			var got []uint32
			m.Observe(&f, func(e packet.Event) { got = append(got, e.SID) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s (noPrefilter=%v): sids %v, want %v", tt.name, noPF, got, tt.want)
			}
		}
	}
}

// What the prefilter may look for in the untransformed payload.
func TestTransformedPrefilter(t *testing.T) {
	for _, tt := range []struct {
		opts, pattern, want string
		ok                  bool
	}{
		{"to_lowercase;", "admin", "admin", true},
		{"to_uppercase; header_lowercase;", "ADMIN", "ADMIN", true},
		{"dotprefix;", ".example.com", "example.com", true},
		{"dotprefix; to_lowercase; dotprefix;", "..a.b", "a.b", true},
		{"dotprefix;", ".", "", false},
		{"url_decode;", "a b", "", false},
		{"to_lowercase; to_md5;", "|00|", "", false},
		{"strip_whitespace;", "ab", "", false},
		{`xor:"01";`, "ab", "", false},
	} {
		got, ok := transformedPrefilter(transformsOf(t, tt.opts), decodePattern(tt.pattern))
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("%s %q: %q, %v; want %q, %v", tt.opts, tt.pattern, got, ok, tt.want, tt.ok)
		}
	}
}

// A transformed buffer is built in scratch: after the first packets,
// matching allocates nothing (pcrexform aside: Go's regexp returns its
// capture positions in a new slice).
func TestTransformNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	m := newMatcher(t, parseRules(t,
		`alert http any any -> any any (http.uri; url_decode; content:"/etc/passwd"; sid:1;)`,
		`alert http any any -> any any (http.host; dotprefix; to_uppercase; content:".EXAMPLE.COM"; endswith; sid:2;)`,
		`alert http any any -> any any (http.user_agent; strip_whitespace; to_sha256; bsize:32; sid:3;)`,
		`alert http any any -> any any (http.header; header_lowercase; compress_whitespace; content:"host: "; sid:4;)`,
		`alert http any any -> any any (http.uri; xor:"0d0a"; to_md5; to_sha1; content:!"abc"; sid:5;)`,
	)...)
	pkts := []packet.Facts{
		tcpPacket("GET /x?f=%2Fetc%2Fpasswd HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: a b c\r\n\r\n", toAddr("203.0.113.5", 80)),
		tcpPacket("GET /short HTTP/1.1\r\nHost: other.org\r\n\r\n", toAddr("203.0.113.5", 80)),
	}
	fired := 0
	emit := func(packet.Event) { fired++ }
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if fired != 7 {
		t.Fatalf("%d alerts on the requests, want 7 (5 and 2)", fired)
	}
	if n := testing.AllocsPerRun(200, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// No input makes a transform panic, and each keeps its length promise.
func FuzzTransforms(f *testing.F) {
	for _, s := range []string{"", "%", "%4", "%41+", " \t\r\n", ":a\r\n:b\nc: D\n", "\xff\xe9", "GET /x HTTP/1.1"} {
		f.Add([]byte(s))
	}
	var all []rules.Transform
	for k := rules.TransformToLowercase; k <= rules.TransformPCREXform; k++ {
		t := rules.Transform{Kind: k}
		switch k {
		case rules.TransformXor:
			t.Key = []byte{0x0d, 0x0a, 0xc8}
		case rules.TransformPCREXform:
			r, _, err := rules.Parse("t.rules", 1, `alert http any any -> any any (http.uri; pcrexform:"\x2f(.[\x80-\xff]?)"; content:"1"; sid:1;)`, rules.DefaultVars())
			if err != nil {
				f.Fatal(err)
			}
			t = r.Matches[0].Transforms[0]
		}
		all = append(all, t)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var s scratch
		for _, x := range all {
			out, low := s.transform([]rules.Transform{x}, in)
			n := len(in)
			ok := len(low) == len(out)
			switch x.Kind {
			case rules.TransformToLowercase, rules.TransformToUppercase, rules.TransformXor, rules.TransformHeaderLowercase:
				ok = ok && len(out) == n
			case rules.TransformDotPrefix:
				ok = ok && (n == 0 && len(out) == 0 || len(out) == n+1)
			case rules.TransformToMD5:
				ok = ok && len(out) == 16
			case rules.TransformToSHA1:
				ok = ok && len(out) == 20
			case rules.TransformToSHA256:
				ok = ok && len(out) == 32
			default:
				ok = ok && len(out) <= n
			}
			if !ok {
				t.Errorf("%s on %q: %d bytes out (%d lowercased)", x, in, len(out), len(low))
			}
		}
		// and all of them in a row, each on the one before's output
		s.transform(all, in)
	})
}
