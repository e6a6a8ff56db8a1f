package rulematch

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// A pattern that can consume only ASCII runs on the raw bytes; one that
// can consume more needs the Latin-1 presentation.
func TestMatchesASCIIOnly(t *testing.T) {
	for _, tt := range []struct {
		re    string
		ascii bool
	}{
		{`\d\d-\d{7}`, true},
		{`(6011|5[1-5]\d{2}) \d{4}`, true},
		{`^GET /[a-z]+\b`, true},
		{`(?i)user-agent: curl`, false}, // (?i)s also matches U+017F
		{`(?i)GET`, true},
		{`(?i)[a-j]+`, true},
		{`(?i)[a-z]+`, false}, // k and s fold past ASCII
		{`a.b`, false},
		{`[^a]`, false},
		{`\W`, false},
		{`\xff`, false},
		{`(?s)x.*y`, false},
		{`\bfoo\b|bar$`, true},
		{`x*`, false}, // matches empty, maybe inside a raw rune
		{`\B`, false},
		{`a|(b)?`, false},
		{`(ab){0,2}c`, true},
	} {
		if got := matchesASCIIOnly(regexp.MustCompile(tt.re)); got != tt.ascii {
			t.Errorf("%s: ascii only %v, want %v", tt.re, got, tt.ascii)
		}
	}
}

// Where a pattern is ASCII-only, the raw bytes and the Latin-1
// presentation give the same matches at the same offsets, whatever high
// bytes (valid UTF-8 or not) surround them.
func TestASCIIOnlyMatchesLikeLatin1(t *testing.T) {
	patterns := []string{`\d\d-\d{7}`, `\bfoo\b`, `(?i)GET /[0-9]+`, `^ab|cd$`, `x+\B`, `\Bo`, `(?m)^line$`}
	alphabet := []byte("ab cdfoGET/0123456789-\nlinex\xc3\xa9\xe2\x84\xaa\xff\x80")
	r := rand.New(rand.NewPCG(1, 2))
	var s scratch
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		if !matchesASCIIOnly(re) {
			t.Fatalf("%s is not ASCII-only", p)
		}
		for range 3000 {
			b := make([]byte, r.IntN(24))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			raw := re.FindIndex(b)
			subj, wide := s.presentLatin1(b)
			lat := re.FindIndex(subj)
			if lat != nil && wide {
				lat = []int{latin1Bytes(subj[:lat[0]]), latin1Bytes(subj[:lat[1]])}
			}
			if (raw == nil) != (lat == nil) || raw != nil && (raw[0] != lat[0] || raw[1] != lat[1]) {
				t.Fatalf("%s on %q: raw %v, latin-1 %v", p, b, raw, lat)
			}
		}
	}
}

// A pattern case-insensitive throughout runs in lower case on the
// lowercased subject, with the matches and offsets it has on the Latin-1
// presentation; one that tells cases apart anywhere is left as it is.
func TestFoldedRegexp(t *testing.T) {
	for _, tt := range []struct {
		re     string
		folded bool
	}{
		{`(?i)user-agent: curl`, true},
		{`(?i)000(2(042[1-5]|1401|000D)|6F071)-0000-0000-C000-000000000046`, true},
		{`(?i)(((URL|SRC|HREF|LOWSRC)[\s]*=)|(url[\s]*[\(]))[\s]*['"]*[\x09\x0a\x0b\x0c\x0d]*j`, true},
		{`(?i)[a-z]+\d`, true},
		{`(?i)get|post`, true},
		{`(?i:abc)DEF`, false}, // DEF is case-sensitive
		{`(?i)abc[A-Z]`, true}, // (?i) folds the class too
		{`(?i:abc)[A-Z]`, false},
		{`abc`, false},         // nothing to fold
		{`(?i)caf\xe9`, false}, // a Latin-1 letter
		{`(?i)a.b`, false},
	} {
		if got := foldedRegexp(regexp.MustCompile(tt.re)) != nil; got != tt.folded {
			t.Errorf("%s: folded %v, want %v", tt.re, got, tt.folded)
		}
	}
	alphabet := []byte("aAbBcCdDeEfFgGkKsSlLrRuUtT0123456789-: =(\t'\"\xc5\xbf\xe2\x84\xaa\xc3\xa9\xff")
	r := rand.New(rand.NewPCG(3, 4))
	var s scratch
	for _, p := range []string{`(?i)ks`, `(?i)[a-z]+\d`, `(?i)(get|post)[ ]+`, `(?i)url[\s]*=[\s]*['"]*j`, `(?i)\bdead\b-?beef`, `(?i)c[^x]` /* not folded */} {
		re := regexp.MustCompile(p)
		low := foldedRegexp(re)
		if low == nil {
			if p != `(?i)c[^x]` {
				t.Fatalf("%s is not folded", p)
			}
			continue
		}
		for range 3000 {
			b := make([]byte, r.IntN(24))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			subj, wide := s.presentLatin1(b)
			want := re.FindIndex(subj)
			if want != nil && wide {
				want = []int{latin1Bytes(subj[:want[0]]), latin1Bytes(subj[:want[1]])}
			}
			got := low.FindIndex(lowerASCII(nil, b))
			if (got == nil) != (want == nil) || got != nil && (got[0] != want[0] || got[1] != want[1]) {
				t.Fatalf("%s on %q: folded %v, Latin-1 %v", p, b, got, want)
			}
		}
	}
}
