package rules

import (
	"strings"
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
		if (p.BT != nil) != tt.bt || (p.Expr != "") == tt.bt {
			t.Errorf("pcre %s: Expr %q, BT %v; want backtracking %v", tt.pcre, p.Expr, p.BT, tt.bt)
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

// ET Open 2020 patterns that were skipped for RE2 and now load, with
// subjects worked out by hand from PCRE's semantics.
func TestETOpenBacktrackingPatterns(t *testing.T) {
	long := strings.Repeat("A", 1100)
	tests := []struct {
		pcre, subj string
		want       bool
	}{
		{`/(?<=(\?|&))password=(?!&)/Ui`, "/login?user=a&Password=x", true},
		{`/(?<=(\?|&))password=(?!&)/Ui`, "/login?password=&x", false},
		{`/(?<=(\?|&))password=(?!&)/Ui`, "/login/password=x", false},
		{`/pasa=(?!&)./Pi`, "pasa=&", false},
		{`/(?!^User-Agent\x3a)\bwget\s[^\r\n]+(?:\x3b|&&)/Hm`, "Referer: x\r\nX: wget http://e/x;\r\n", true},
		{`/(?!^User-Agent\x3a)\bwget\s[^\r\n]+(?:\x3b|&&)/Hm`, "User-Agent: Wget x;\r\n", false},
		{`/Date\x3a\x20(?P<dstring>[^\r\n]+)\r\n.*?Last-Modified\x3a\x20(?P=dstring)\r\n/Hs`, "Date: Mon, 1\r\nServer: x\r\nLast-Modified: Mon, 1\r\n", true},
		{`/Date\x3a\x20(?P<dstring>[^\r\n]+)\r\n.*?Last-Modified\x3a\x20(?P=dstring)\r\n/Hs`, "Date: Mon, 1\r\nLast-Modified: Mon, 2\r\n", false},
		{`/IHDR(?!.*?PLTE).*?tRNS/s`, "IHDR....tRNS", true},
		{`/IHDR(?!.*?PLTE).*?tRNS/s`, "IHDR..PLTE..tRNS", false},
		{`/\/(?![a-z]{26}|[0-9]{26})[a-z0-9]{26}\.html$/Ui`, "/abcdefghijklm0123456789abc.html", true},
		{`/\/(?![a-z]{26}|[0-9]{26})[a-z0-9]{26}\.html$/Ui`, "/abcdefghijklmnopqrstuvwxyz.html", false},
		{`/\/(?=[a-z0-9]{0,10}[A-Z])(?=[A-Z0-9]{0,10}[a-z])[A-Z-a-z0-9]{5,11}$/U`, "/aB3cD", true},
		{`/\/(?=[a-z0-9]{0,10}[A-Z])(?=[A-Z0-9]{0,10}[a-z])[A-Z-a-z0-9]{5,11}$/U`, "/abcde", false},
		{`/AUTH\s+\S+\s+(?:[a-zA-Z0-9\+\/=]{4})*+[a-zA-Z0-9\+\/=]{3}\s/`, "AUTH PLAIN abcdefg \r\n", true},
		{`/AUTH\s+\S+\s+(?:[a-zA-Z0-9\+\/=]{4})*+[a-zA-Z0-9\+\/=]{3}\s/`, "AUTH PLAIN abcdefgh \r\n", false},
		{`/<(?P<tname>[^\s]+)[^>]*?\stype\s*=\s*(?P<q>[\x22\x27])yaml(?P=q)((?!<\/(?P=tname)).+?)!ruby/si`, `<script type="yaml">--- !ruby/object`, true},
		{`/<(?P<tname>[^\s]+)[^>]*?\stype\s*=\s*(?P<q>[\x22\x27])yaml(?P=q)((?!<\/(?P=tname)).+?)!ruby/si`, `<script type="yaml'>--- !ruby/object`, false},
		{`/<(?P<tname>[^\s]+)[^>]*?\stype\s*=\s*(?P<q>[\x22\x27])yaml(?P=q)((?!<\/(?P=tname)).+?)!ruby/si`, `<script type='yaml'></script> !ruby`, true}, // the lookahead is tried once, after the quote
		{`/<(?P<tname>[^\s]+)[^>]*?\stype\s*=\s*(?P<q>[\x22\x27])yaml(?P=q)((?!<\/(?P=tname)).+?)!ruby/si`, `<script type='yaml'</script> !ruby`, false},
		{`/((\w+)[\r\n\s]*\x3a=[\r\n\s]*(\x27[^\x27]{1024,}\x27|\x22[^\x22]{1024,}\x22)[\r\n\s]*\x3b.*gname[\r\n\s]*=>[\r\n\s]*\2|gname\s*=>\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})|\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,}))/si`,
			"v := '" + long + "'; x(GNAME => v)", true},
		{`/((\w+)[\r\n\s]*\x3a=[\r\n\s]*(\x27[^\x27]{1024,}\x27|\x22[^\x22]{1024,}\x22)[\r\n\s]*\x3b.*gname[\r\n\s]*=>[\r\n\s]*\2|gname\s*=>\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})|\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,}))/si`,
			"v := '" + long + "'; x gname => w", false},
	}
	var m pcrebt.Machine
	for _, tt := range tests {
		r, skip, err := Parse("t.rules", 1, `alert http any any -> any any (pcre:"`+tt.pcre+`"; sid:1;)`, DefaultVars())
		if err != nil || skip != nil {
			t.Errorf("pcre %s: skip %v, err %v", tt.pcre, skip, err)
			continue
		}
		p := r.Matches[0].PCRE
		if p.BT == nil {
			t.Errorf("pcre %s: not for the backtracking matcher", tt.pcre)
			continue
		}
		if _, _, res := p.BT.Match(&m, []byte(tt.subj), 0); (res == pcrebt.Matched) != tt.want {
			t.Errorf("pcre %s on %.60q: %v, want match %v", tt.pcre, tt.subj, res, tt.want)
		}
	}
}
