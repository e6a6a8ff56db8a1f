package rules

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/internal/pcrebt"
)

// Patterns RE2 cannot run load for the backtracking matcher, with the
// pcre flags carried over; RE2-compatible ones stay with RE2.
func TestPCREBacktracking(t *testing.T) {
	tests := []struct {
		pcre     string
		bt       bool
		subj     string
		matchEnd int // -1: no match
	}{
		{`/(a)\1/`, true, "xaa", 3},
		{`/(?P<x>a)(?P=x)/`, true, "aa", 2},
		{`/(a)\g{1}/`, true, "aa", 2},
		{`/a(?=b)/`, true, "acab", 3},
		{`/a(?!b)/`, true, "abac", 3},
		{`/(?<=a)b/`, true, "bab", 3},
		{`/(?<!a)b/`, true, "abcb", 4},
		{`/a++b/`, true, "aab", 3},
		{`/a{2}+b/`, true, "aab", 3},
		{`/(?>ab)c/`, true, "abc", 3},
		{`/(?x)a b/`, true, "ab", 2},
		{`/a{0,1001}b/`, true, "aab", 3},
		{`/(a){1001}/`, true, "aaa", -1},
		{`/(?:a{600}){2}/`, true, "a", -1},
		{`/(\w+)=\1/i`, true, "Ab=aB", 5},
		{`/^(\w+) \1$/m`, true, "x\nab ab\ny", 7},
		{`/(a).\1/s`, true, "a\na", 3},
		{`/(a)+?\1/G`, true, "aaaa", 4}, // G makes +? greedy
		{`/(a)+\1/G`, true, "aaaa", 2},
		{`/(a)\1/A`, true, "baa", -1},
		{`/(a)$\1/E`, true, "aa", -1},
		{`/(a) \1/x`, true, "aa", 2},
		{`/a.c/`, false, "abc", 3},
	}
	var m pcrebt.Machine
	for _, tt := range tests {
		r, skip, err := Parse("t.rules", 1, rule(`pcre:"`+tt.pcre+`"; sid:1;`), DefaultVars())
		if err != nil || skip != nil {
			t.Errorf("pcre %s: skip %v, err %v", tt.pcre, skip, err)
			continue
		}
		p := r.Matches[0].PCRE
		if (p.BT != nil) != tt.bt || (p.Re != nil) == tt.bt {
			t.Errorf("pcre %s: Re %v, BT %v; want backtracking %v", tt.pcre, p.Re, p.BT, tt.bt)
			continue
		}
		if p.BT == nil {
			continue
		}
		_, end, res := p.BT.Match(&m, []byte(tt.subj), 0)
		if res != pcrebt.Matched {
			end = -1
		}
		if end != tt.matchEnd {
			t.Errorf("pcre %s on %q: match ends at %d, want %d", tt.pcre, tt.subj, end, tt.matchEnd)
		}
	}
}
