package pcrebt

import (
	"errors"
	"testing"
)

// The expectations are PCRE2's, worked out from its documented
// semantics (pcre2pattern(3)) for a non-UTF pattern.
func TestMatch(t *testing.T) {
	tests := []struct {
		pat    string
		opt    Options
		subj   string
		start  int
		want   bool
		ms, me int
	}{
		// leftmost, first alternative wins (not longest)
		{pat: `a|ab`, subj: "xab", want: true, ms: 1, me: 2},
		{pat: `ab|a`, subj: "xab", want: true, ms: 1, me: 3},
		{pat: `a+?b`, subj: "aaab", want: true, ms: 0, me: 4},
		{pat: `a+?`, subj: "aaa", want: true, ms: 0, me: 1},
		{pat: `a{2,3}`, subj: "aaaa", want: true, ms: 0, me: 3},
		{pat: `a{2,3}?`, subj: "aaaa", want: true, ms: 0, me: 2},
		{pat: `a{2,}`, subj: "a", want: false},
		{pat: `x{2}`, subj: "x{2}xx", want: true, ms: 4, me: 6},
		{pat: `a{,2}`, subj: "a{,2}", want: true, ms: 0, me: 5}, // literal before PCRE2 10.43
		// back-references
		{pat: `(a+)b\1`, subj: "aabaa", want: true, ms: 0, me: 5},
		{pat: `(a+)b\1`, subj: "aaba", want: true, ms: 1, me: 4},
		{pat: `(\w+)\s+\1`, subj: "hello hello", want: true, ms: 0, me: 11},
		{pat: `(\w+)\s+\1\b`, subj: "the then", want: false},
		{pat: `(["'])x\1`, subj: `"x' 'x'`, want: true, ms: 4, me: 7},
		{pat: `(a)|\1b`, subj: "b", want: false}, // unset group: no match
		{pat: `(?i)(ab)\1`, subj: "abAB", want: true, ms: 0, me: 4},
		{pat: `(ab)\1`, subj: "abAB", want: false},
		{pat: `(?P<q>['"]).*?(?P=q)`, subj: `a'bc'd`, want: true, ms: 1, me: 5},
		{pat: `(?<q>x)\k<q>`, subj: "axx", want: true, ms: 1, me: 3},
		{pat: `(?'q'x)\k{q}`, subj: "axx", want: true, ms: 1, me: 3},
		{pat: `(x)\g{1}\g1\g{-1}`, subj: "xxxx", want: true, ms: 0, me: 4},
		// Suricata compiles without auto capture first: no group 10
		// then, so \10 is octal (a backspace) and the pattern compiles.
		{pat: `(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10`, subj: "abcdefghijj", want: false},
		{pat: `(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10`, subj: "abcdefghij\x08", want: true, ms: 0, me: 11},
		{pat: `(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\1\10`, subj: "abcdefghijaj", want: true, ms: 0, me: 12},
		{pat: `a\101`, subj: "aA", want: true, ms: 0, me: 2},       // octal: fewer than 101 groups
		{pat: `((a)|b)+\2`, subj: "aba", want: true, ms: 0, me: 3}, // last iteration b keeps a's capture
		// lookahead and lookbehind
		{pat: `foo(?=bar)`, subj: "foobaz foobar", want: true, ms: 7, me: 10},
		{pat: `foo(?!bar)`, subj: "foobar foobaz", want: true, ms: 7, me: 10},
		{pat: `(?<=\$)\d+`, subj: "a1 $42", want: true, ms: 4, me: 6},
		{pat: `(?<!\$)\b\d+`, subj: "$42 17", want: true, ms: 4, me: 6},
		{pat: `(?<=ab|c)x`, subj: "zcx", want: true, ms: 2, me: 3},
		{pat: `(?<!ab|c)x`, subj: "abx cx dx", want: true, ms: 8, me: 9},
		{pat: `(?<=a)b`, subj: "ab", start: 1, want: true, ms: 1, me: 2}, // lookbehind sees before start
		{pat: `^(?!.*passwd).*etc`, subj: "/etc/passwd", want: false},
		{pat: `^(?!.*passwd).*etc`, subj: "/etc/hosts", want: true, ms: 0, me: 4},
		{pat: `(?=(a+))a*b\1`, subj: "baaabac", want: true, ms: 3, me: 6},
		{pat: `pasa=(?!&).`, subj: "pasa=&pasa=x", want: true, ms: 6, me: 12},
		// atomic and possessive
		{pat: `(?>a+)b`, subj: "aaab", want: true, ms: 0, me: 4},
		{pat: `(?>a+)ab`, subj: "aaab", want: false},
		{pat: `a++ab`, subj: "aaab", want: false},
		{pat: `a*+a`, subj: "aaa", want: false},
		{pat: `(?:ab)++ab`, subj: "ababab", want: false},
		{pat: `a{1,2}+a`, subj: "aaa", want: true, ms: 0, me: 3},
		// anchors
		{pat: `^a`, subj: "ba", want: false},
		{pat: `^a`, subj: "aa", start: 1, want: false},
		{pat: `(?m)^a`, subj: "b\na", want: true, ms: 2, me: 3},
		{pat: `(?m)^`, subj: "b\n", start: 1, want: false}, // not after a final newline
		{pat: `a$`, subj: "a\n", want: true, ms: 0, me: 1},
		{pat: `a$`, opt: Options{DollarEndOnly: true}, subj: "a\n", want: false},
		{pat: `a$`, subj: "a\nb", want: false},
		{pat: `(?m)a$`, subj: "a\nb", want: true, ms: 0, me: 1},
		{pat: `a\Z`, subj: "a\n", want: true, ms: 0, me: 1},
		{pat: `a\z`, subj: "a\n", want: false},
		{pat: `\Aa`, subj: "ba", want: false},
		{pat: `\bfoo\b`, subj: "afoo foo", want: true, ms: 5, me: 8},
		{pat: `\Boo`, subj: "oo foo", want: true, ms: 4, me: 6},
		{pat: `b`, opt: Options{Anchored: true}, subj: "ab", want: false},
		{pat: `b`, opt: Options{Anchored: true}, subj: "ab", start: 1, want: true, ms: 1, me: 2},
		{pat: `\Gb`, subj: "abb", start: 1, want: true, ms: 1, me: 2},
		// classes, bytes, options
		{pat: `"[^"]*?"`, subj: `x"ab"c"`, want: true, ms: 1, me: 5},
		{pat: `[^"]{0,2}?"`, subj: `abc"`, want: true, ms: 1, me: 4},
		{pat: `[^\x27]{3,}\x27`, subj: "ab'cdef'", want: true, ms: 3, me: 8},
		{pat: `\xff\x00`, subj: "a\xff\x00", want: true, ms: 1, me: 3},
		{pat: `.`, subj: "\n\x80", want: true, ms: 1, me: 2},
		{pat: `.`, opt: Options{DotAll: true}, subj: "\n", want: true, ms: 0, me: 1},
		{pat: `\s`, subj: "a\x0b", want: true, ms: 1, me: 2}, // \s has VT in PCRE2
		{pat: `[[:alpha:]]+`, subj: "12ab3", want: true, ms: 2, me: 4},
		{pat: `[[:^digit:]]`, subj: "12a", want: true, ms: 2, me: 3},
		{pat: `[a\-z]+`, subj: "b-az", want: true, ms: 1, me: 4},
		{pat: `[]a]+`, subj: "x]a]", want: true, ms: 1, me: 4},
		{pat: `[\d.]+`, subj: "v1.2", want: true, ms: 1, me: 4},
		{pat: `ABC`, opt: Options{Caseless: true}, subj: "xaBc", want: true, ms: 1, me: 4},
		{pat: `[a-c]+`, opt: Options{Caseless: true}, subj: "xAbC", want: true, ms: 1, me: 4},
		{pat: `\xe9`, opt: Options{Caseless: true}, subj: "\xc9", want: false}, // no case beyond ASCII
		{pat: `a(?i)b|c`, subj: "C", want: true, ms: 0, me: 1},                 // options carry into later branches
		{pat: `(a(?i)b)c`, subj: "aBC", want: false},                           // ...but end with the group
		{pat: `(?i:a)b`, subj: "Ab", want: true, ms: 0, me: 2},
		{pat: `a b # comment`, opt: Options{Extended: true}, subj: "ab", want: true, ms: 0, me: 2},
		{pat: `(?x) a [ ] b`, subj: "a b", want: true, ms: 0, me: 3}, // space in a class stays
		{pat: `a+`, opt: Options{Ungreedy: true}, subj: "aaa", want: true, ms: 0, me: 1},
		{pat: `a+?`, opt: Options{Ungreedy: true}, subj: "aaa", want: true, ms: 0, me: 3},
		{pat: `\Qa.b\E+`, subj: "a.bb", want: true, ms: 0, me: 4},
		{pat: `a(?#note)b`, subj: "ab", want: true, ms: 0, me: 2},
		{pat: `\R`, subj: "a\r\n", want: true, ms: 1, me: 3},
		{pat: `(a|)*b`, subj: "aab", want: true, ms: 0, me: 3}, // empty iteration ends the loop
		{pat: `(?:a*)*b`, subj: "c", want: false},
		{pat: `x*`, subj: "", want: true, ms: 0, me: 0},
		// a reference inside its own group sees the last complete capture
		{pat: `(a|b\1)+`, subj: "abab", want: true, ms: 0, me: 3}, // 3rd: b then "ba" runs out
		{pat: `^(a\1?){3}$`, subj: "aaaaaa", want: true, ms: 0, me: 6},
		{pat: `(?<=\d{3})x`, subj: "12x123x", want: true, ms: 6, me: 7},
	}
	var m Machine
	for _, tt := range tests {
		re, err := Compile(tt.pat, tt.opt)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.pat, err)
			continue
		}
		ms, me, res := re.Match(&m, []byte(tt.subj), tt.start)
		if (res == Matched) != tt.want || tt.want && (ms != tt.ms || me != tt.me) {
			t.Errorf("%q on %q from %d: got %v [%d,%d], want %v [%d,%d]", tt.pat, tt.subj, tt.start, res, ms, me, tt.want, tt.ms, tt.me)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		pat         string
		unsupported bool
	}{
		{`(a`, false},
		{`a)`, false},
		{`[a`, false},
		{`*a`, false},
		{`a{3,2}`, false},
		{`a**`, false},
		{`a{2}{3}`, false},
		{`a+?+`, false},
		{`a{70000}`, false},
		{`\1(a)x\2`, false}, // no group 2 either way
		{`(?<=a+)b`, true},
		{`(?<=a|bc*)b`, true},
		{`(?<=(a)\1)b`, true},
		{`(?R)`, true},
		{`(?1)(a)`, true},
		{`(?(1)a|b)`, true},
		{`(*FAIL)`, true},
		{`(?|a)`, true},
		{`a\Kb`, true},
		{`(?C1)`, true},
		{`\p{L}`, true},
		{`\q`, false},
		{`[z-a]`, false},
		{`(?<n>a)(?<n>b)`, true},
		{`(?:(?:(?:ab){40}){40}){40}`, true}, // program too large
	}
	for _, tt := range tests {
		_, err := Compile(tt.pat, Options{})
		if err == nil {
			t.Errorf("Compile(%q): no error", tt.pat)
			continue
		}
		if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
			t.Errorf("Compile(%q): %v, unsupported %v, want %v", tt.pat, err, got, tt.unsupported)
		}
	}
}

// Suricata compiles without auto capture first: with a named group, \1
// is that group even when plain groups come before it.
func TestNoAutoCapture(t *testing.T) {
	var m Machine
	re, err := Compile(`(x)(?<n>y)\1`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, res := re.Match(&m, []byte("xyy"), 0); res != Matched {
		t.Errorf(`(x)(?<n>y)\1 on xyy: %v, want a match (\1 is the named group)`, res)
	}
	if _, _, res := re.Match(&m, []byte("xyx"), 0); res == Matched {
		t.Errorf(`(x)(?<n>y)\1 on xyx: matched`)
	}
}

// The match limit ends exponential backtracking as PCRE2's does.
func TestLimit(t *testing.T) {
	var m Machine
	re, err := Compile(`(a+)+b`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	subj := []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac")
	if _, _, res := re.Match(&m, subj, 0); res != LimitHit {
		t.Errorf("(a+)+b on a^32c: %v, want LimitHit", res)
	}
	// Within the limit it answers.
	if _, _, res := re.Match(&m, []byte("aaab"), 0); res != Matched {
		t.Errorf("(a+)+b on aaab: %v", res)
	}
	m.MatchLimit = 1 << 30
	if _, _, res := re.Match(&m, subj, 0); res != LimitHit {
		t.Errorf("(a+)+b with a huge match limit: %v, want LimitHit from the step cap", res)
	}
}

func TestMatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are only meaningful without -race")
	}
	re, err := Compile(`(\w+)\s*=\s*(?!x)\1(?<=\w)`, Options{Caseless: true})
	if err != nil {
		t.Fatal(err)
	}
	var m Machine
	subj := []byte("some text and then abc = ABC here")
	re.Match(&m, subj, 0) // warm up
	if n := testing.AllocsPerRun(100, func() { re.Match(&m, subj, 0) }); n != 0 {
		t.Errorf("Match allocates %v times per call", n)
	}
}
