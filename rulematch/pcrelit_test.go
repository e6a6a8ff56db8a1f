package rulematch

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPCRELiterals(t *testing.T) {
	tests := []struct {
		re   string
		want []string // nil: no set
	}{
		{`abc`, []string{"abc"}},
		{`(?i)AbC`, []string{"abc"}},
		{`a`, nil}, // one byte: not worth a pattern
		{`foo|bar`, []string{"bar", "foo"}},
		{`(?i)(URL|SRC|HREF|LOWSRC)\s*=`, []string{"href", "src", "url"}}, // lowsrc holds src
		{`(((URL|SRC|HREF|LOWSRC)[\s]*=)|(url[\s]*[\(]))[\s]*['"]*j[\x09-\x0d]*a`, []string{"href", "src", "url"}},
		{`ab[cd]e`, []string{"abce", "abde"}},
		{`(?i)x[k]y`, []string{"xky"}}, // U+212A from the fold is never in a subject
		{`ab[c-z]e`, []string{"ab"}},   // the class is too wide: the best piece
		{`ab.cde`, []string{"cde"}},
		{`(?s)ab.cde`, []string{"cde"}},
		{`ab[^x]cde`, []string{"cde"}},
		{`^abc$`, []string{"abc"}},
		{`\babc\b`, []string{"abc"}},
		{`\Aab\z`, []string{"ab"}},
		{`(ab)?cd`, []string{"cd"}}, // "abcd" holds "cd"
		{`(ab)?c`, nil},             // may be "c" alone
		{`(ab)*cd`, []string{"cd"}},
		{`(ab)+`, []string{"ab"}},
		{`(ab){2}`, []string{"abab"}},
		{`(ab){2,5}x`, []string{"abab"}},
		{`(ab){0,5}x`, nil},
		{`x{3}y`, []string{"xxxy"}},
		{`ab|c`, nil}, // a match may be just "c"
		{`ab|cd*`, nil},
		{`ab|(cd)+`, []string{"ab", "cd"}},
		{`.*`, nil},
		{`(ab|)cd`, []string{"cd"}},
		{`[ab][cd][ef][gh][ij]`, []string{"aceg", "aceh", "acfg", "acfh", "adeg", "adeh", "adfg", "adfh",
			"bceg", "bceh", "bcfg", "bcfh", "bdeg", "bdeh", "bdfg", "bdfh"}}, // 32 strings are too many: the first 16
		{`\xffab`, []string{"ab"}}, // past ASCII: only the ASCII piece
		{`a\xffb`, nil},
		{`ab[\x80-\xff]cd`, []string{"ab"}}, // as good as "cd": the first
		{`(?i)\x{e9}t\x{e9}`, nil},
		{`(?i)000(2(042[1-5]|1401)|6F071)-0000`, []string{"00020421-0000", "00020422-0000", "00020423-0000", "00020424-0000", "00020425-0000", "00021401-0000", "0006f071-0000"}},
		{` (6011|5[1-5]\d{2}|4\d{3}) \d{4}`, nil}, // "4": one byte
		{`[[:alpha:]]+abc`, []string{"abc"}},
		{`a(?:)b`, []string{"ab"}},
		{`aaa|bbb|ccc|ddd|eee|fff|ggg|hhh|iii|jjj|kkk|lll|mmm|nnn|ooo|ppp|qqq|rrr|sss|ttt|uuu|vvv|www|xxx|yyy|zzz|000|111|222|333|444|555|666`, nil}, // 33: too many
		{`aaa|bbb|ccc|ddd|eee|fff|ggg|hhh|iii|jjj|kkk|lll|mmm|nnn|ooo|ppp|qqq|rrr|sss|ttt|uuu|vvv|www|xxx|yyy|zzz|000|111|222|333|444|555|aaa1`, []string{
			"000", "111", "222", "333", "444", "555", "aaa", "bbb", "ccc", "ddd", "eee", "fff", "ggg", "hhh", "iii", "jjj", "kkk", "lll", "mmm", "nnn",
			"ooo", "ppp", "qqq", "rrr", "sss", "ttt", "uuu", "vvv", "www", "xxx", "yyy", "zzz"}}, // aaa1 holds aaa: 32
		{`[^\x00-\xff]ab`, []string{"ab"}},
	}
	for _, tt := range tests {
		got := pcreLiterals(tt.re)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.re, got, tt.want)
		}
	}
}

// TestPCRELiteralsDepth: a pattern nested past maxDepth gets no set rather
// than a deep recursion.
func TestPCRELiteralsDepth(t *testing.T) {
	re := strings.Repeat("(a", maxDepth+10) + "bc" + strings.Repeat(")", maxDepth+10)
	sre, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	if got := requiredLiterals(sre); got != nil {
		t.Errorf("%q", got)
	}
	if got := requiredLiterals(sre.Sub[0].Sub[0]); got != nil && !slices.Equal(got, []string{"abc"}) {
		t.Errorf("%q", got)
	}
}

// TestPCRELiteralsSound: for random patterns and random strings each
// matches, the string holds one of the pattern's literals in some case:
// the promise the prefilter relies on.
func TestPCRELiteralsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	withSet, checked := 0, 0
	for range 3000 {
		src := randomRegexp(rng, 0)
		re, err := regexp.Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		lits := pcreLiterals(src)
		if lits == nil {
			continue
		}
		withSet++
		sre, err := syntax.Parse(re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			var b strings.Builder
			genMatch(rng, sre, &b)
			s := b.String()
			// assertions are not generated for: keep the strings that
			// the pattern matches whole
			if loc := re.FindStringIndex(s); loc == nil || loc[0] != 0 || loc[1] != len(s) {
				continue
			}
			checked++
			low := string(lowerASCII(nil, []byte(s)))
			if !slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(low, l) }) {
				t.Fatalf("%s matches %q, which holds none of %q", src, s, lits)
			}
		}
	}
	if withSet < 1000 || checked < 10000 {
		t.Errorf("only %d patterns with a set, %d strings checked: the generator no longer exercises the analysis", withSet, checked)
	}
}

// randomRegexp makes a pattern over a small alphabet from every construct
// the analysis handles.
func randomRegexp(rng *rand.Rand, depth int) string {
	const alpha = "abAB=/"
	atom := func() string {
		switch rng.IntN(10) {
		case 0:
			return "[aA]"
		case 1:
			return "[ab=]"
		case 2:
			return "[^a]"
		case 3:
			return "."
		case 4:
			return `\s`
		case 5:
			return `\xe9`
		default:
			return regexp.QuoteMeta(string(alpha[rng.IntN(len(alpha))]))
		}
	}
	if depth > 3 {
		return atom()
	}
	var b strings.Builder
	if depth == 0 && rng.IntN(3) == 0 {
		b.WriteString("(?i)")
	}
	for range 1 + rng.IntN(5) {
		switch rng.IntN(12) {
		case 0:
			b.WriteString("(" + randomRegexp(rng, depth+1) + "|" + randomRegexp(rng, depth+1) + ")")
		case 1:
			b.WriteString("(" + randomRegexp(rng, depth+1) + ")" + []string{"?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}"}[rng.IntN(7)])
		case 2:
			b.WriteString([]string{"^", "$", `\b`, `\B`, `\A`, `\z`}[rng.IntN(6)])
		case 3:
			b.WriteString(atom() + []string{"?", "*", "+"}[rng.IntN(3)])
		case 4:
			b.WriteString("(?:" + randomRegexp(rng, depth+1) + ")")
		default:
			for range 1 + rng.IntN(3) {
				b.WriteString(atom())
			}
		}
	}
	return b.String()
}

// genMatch writes a random string of re's language, one rune per byte
// (U+0000-U+00FF as the matcher presents a buffer), ignoring assertions.
func genMatch(rng *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	rep := func(lo, hi int) {
		if hi < 0 {
			hi = lo + 3
		}
		for range lo + rng.IntN(hi-lo+1) {
			genMatch(rng, re.Sub[0], b)
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r < utf8.RuneSelf && rng.IntN(2) == 0 {
				r = rune(strings.ToUpper(string(r))[0])
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		var rs []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= min(re.Rune[i+1], 0xff); r++ {
				rs = append(rs, r)
			}
		}
		if len(rs) > 0 {
			b.WriteRune(rs[rng.IntN(len(rs))])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune(rune(rng.IntN(0x100)))
	case syntax.OpCapture:
		genMatch(rng, re.Sub[0], b)
	case syntax.OpStar:
		rep(0, 3)
	case syntax.OpPlus:
		rep(1, 3)
	case syntax.OpQuest:
		rep(0, 1)
	case syntax.OpRepeat:
		rep(re.Min, re.Max)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			genMatch(rng, sub, b)
		}
	case syntax.OpAlternate:
		genMatch(rng, re.Sub[rng.IntN(len(re.Sub))], b)
	}
}
