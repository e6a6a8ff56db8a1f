package rules

import "testing"

// The pcre conversion: RE2 patterns that mean what the PCRE meant.
func TestParsePCRE(t *testing.T) {
	tests := []struct {
		pcre    string
		in, out []string
	}{
		{`/abc/`, []string{"xabcx"}, []string{"ABC"}},
		{`/abc/i`, []string{"ABC"}, []string{"ab"}},
		{`/a.c/`, []string{"abc"}, []string{"a\nc"}},
		{`/a.c/s`, []string{"a\nc"}, nil},
		{`/^b$/m`, []string{"a\nb\nc"}, []string{"ab"}},
		{`/^b$/`, []string{"b", "b\n"}, []string{"a\nb\nc", "b\n\n"}},
		{`/^b$/E`, []string{"b"}, []string{"b\n"}},
		{`/b\Z/`, []string{"ab", "ab\n"}, []string{"ab\nc"}},
		{`/a b # comment
		  c/x`, []string{"abc"}, []string{"a b c"}},
		{`/a[ ]b/x`, []string{"a b"}, []string{"ab"}},
		{`/abc/A`, []string{"abcd"}, []string{"xabc"}},
		{`/a|b/A`, []string{"bx"}, []string{"xb"}},
		{`/a.+c/G`, []string{"abc"}, nil},
		{`/\x41\x{42}\103\0/`, []string{"ABC\x00"}, []string{"ABC"}},
		{`/a\h+b/`, []string{"a \tb"}, []string{"a\nb"}},
		{`/a\vb/`, []string{"a\nb", "a\rb"}, []string{"a\x00b", "a b"}},
		{`/a\Rb/`, []string{"a\r\nb", "a\nb"}, []string{"ab"}},
		{`/a\H\Vb/`, []string{"axyb"}, []string{"a b", "a\nb"}},
		{`/[\h\d]+x/`, []string{" 1\tx"}, []string{"ax"}},
		{`/\e\cA/`, []string{"\x1b\x01"}, nil},
		{`/\Qa.b\E+/`, []string{"a.b", "a.bb"}, []string{"axb"}},
		{`/a(?#comment)b/`, []string{"ab"}, nil},
		{`/(?i)ab(?-i)c/`, []string{"ABc"}, []string{"ABC"}},
		{`/(?<name>a)(?P<n2>b)(?'n3'c)/`, []string{"abc"}, nil},
		{`/[]a]+/`, []string{"]a]"}, []string{"b"}},
		{`/[^]a]/`, []string{"b"}, []string{"]"}},
		{`/[[:digit:][]+/`, []string{"1["}, []string{"a"}},
		{`/x{2,3}y{,2}/`, []string{"xxy{,2}"}, []string{"xy"}},
		{`/a{/`, []string{"a{"}, nil},
		{`/\/admin\.php\?id=\d+/`, []string{"/admin.php?id=12"}, nil},
		{`/foo\;bar\"/`, []string{`foo;bar"`}, nil},
		{`/a+?b*?c??/`, []string{"aab"}, nil},
		{`/\12\101/`, []string{"\nA"}, nil}, // octal: no such groups
		{`/[\b]/`, []string{"\x08"}, []string{"b"}},
	}
	for _, tt := range tests {
		r := mustParse(t, rule(`pcre:"`+tt.pcre+`"; sid:1;`))
		re := r.Matches[0].PCRE.Regexp()
		for _, s := range tt.in {
			if !re.MatchString(s) {
				t.Errorf("pcre %s as %s: %q not matched", tt.pcre, re, s)
			}
		}
		for _, s := range tt.out {
			if re.MatchString(s) {
				t.Errorf("pcre %s as %s: %q matched", tt.pcre, re, s)
			}
		}
	}
	// Bytes >= 0x80 become runes of the same number (Latin-1 semantics).
	r := mustParse(t, rule(`pcre:"/\xff\x{90}[\x80-\xfe]/"; sid:1;`))
	if re := r.Matches[0].PCRE.Regexp(); !re.MatchString("\u00ff\u0090\u00c0") {
		t.Errorf("pcre with high bytes as %s does not match their runes", re)
	}
}
