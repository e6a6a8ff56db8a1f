package rules

import (
	"regexp"
	"strings"
	"testing"
)

// Repetition counts above RE2's 1000, written as a sequence of repeats RE2
// accepts. The patterns are the ET Open 2020 rules' own (sid given); each
// is tried at the count's boundary (n-1, n, n+1) and where a match ends,
// which a relative (/R) item after it depends on. The expected values are
// PCRE's: greedy X{n,} ends at the run's end, X{n} after exactly n.
func TestPCRELargeRepeat(t *testing.T) {
	r := strings.Repeat
	type probe struct {
		in  string
		end int // where the match ends; -1: no match
	}
	tests := []struct {
		sid    string
		pcre   string
		probes []probe
	}{
		{"2102608", `/\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})/si`, []probe{
			{"('" + r("x", 1023), -1},
			{"('" + r("x", 1024), 2 + 1024},
			{"('" + r("x", 1025) + "'z", 2 + 1025},
			{"( \"" + r("y", 1024), 3 + 1024},
			{"('" + r("x", 1023) + "'", -1},
			{"('" + r("x", 600) + "'" + r("x", 600), -1}, // the quote breaks the run
			{"'" + r("x", 2000), -1},                     // no "("
			{"(\"" + r("x", 1023) + "\"" + r("x", 10), -1},
		}},
		{"2102927", `/^X?PAT\s+[^\n]{1024}/smi`, []probe{
			{"PAT " + r("a", 1023), -1},
			{"PAT " + r("a", 1024), 4 + 1024},
			{"PAT " + r("a", 1025), 4 + 1024}, // a fixed count: exactly n
			{"xpat\t" + r("a", 1024), 5 + 1024},
			{"foo\nPAT " + r("a", 1024), 8 + 1024}, // m: ^ after a newline
			{" PAT " + r("a", 1024), -1},
			{"PAT " + r("a", 1000) + "\n" + r("a", 1024), -1},
		}},
		{"2016364", `/^[^\r\n]+#[^\x22\r\n]{2049}/R`, []probe{
			{"a#" + r("b", 2048), -1},
			{"a#" + r("b", 2049), 2 + 2049},
			{"a#" + r("b", 2050), 2 + 2049},
			{"a#" + r("b", 2048) + `"`, -1},
			{"a#" + r("b", 1000) + "#" + r("b", 2049), 2 + 1000 + 1 + 2049}, // backtracks to the second #
			{"\na#" + r("b", 2049), -1},                                     // no m: ^ only at the start
			{"A#" + r("B", 1024) + "\r" + r("B", 1024), -1},
		}},
		{"2028981", `/^[0-9_,{AbZwP&-]{2000}/R`, []probe{
			{r("A{", 999) + "A", -1},
			{r("A{", 1000), 2000},
			{r("A{", 1000) + "-", 2000},
			{r("A{", 500) + "a" + r("A{", 500), -1}, // no i: "a" is not in the class
		}},
		{"2008128", `/[\w\W]{2500,}/i`, []probe{
			{r("\n", 2499), -1},
			{r("\n", 2500), 2500},
			{r(" x\n", 1000), 3000},
		}},
		{"2001988", `/(GET).\/%.{1586,}/i`, []probe{
			{"get /%" + r("z", 1585), -1},
			{"get /%" + r("z", 1586), 6 + 1586},
			{"GET /%" + r("z", 1587) + "\nzz", 6 + 1587}, // no s: "." stops at \n
			{"GET /%" + r("z", 1000) + "\n" + r("z", 1000), -1},
		}},
		{"2102849", `/(\(\s*(\x27[^\x27]*\x27|\x22[^\x22]+\x22)\s*,\s*(\x27[^\x27]{1075,}|\x22[^\x22]{1075,})|\(\s*(\x27[^\x27]{1075,}|\x22[^\x22]{1075,})|\(\s*((\x27[^\x27]*\x27|\x22[^\x22]+\x22)\s*,\s*){2}(\x27[^\x27]{1075,}|\x22[^\x22]{1075,}))/si`, []probe{
			{"('a', '" + r("q", 1074), -1},
			{"('a', '" + r("q", 1075), 7 + 1075},
			{`("a","b",'` + r("q", 1076) + "'", 10 + 1076},
			{"(" + r("q", 2000), -1},
		}},
		{"2102107", `/\sCREATE\s[^\n]{1024}/smi`, []probe{
			{" create " + r("t", 1023) + "\n", -1},
			{" create " + r("t", 1024) + "\n", 8 + 1024},
		}},
		// Shapes the ET set does not have, for the rewrite's other paths.
		{"lazy open", `/a{1500,}?/`, []probe{{r("a", 1499), -1}, {r("a", 1600), 1500}}},
		{"greedy range", `/a{1200,1500}/`, []probe{{r("a", 1199), -1}, {r("a", 1200), 1200}, {r("a", 1600), 1500}}},
		{"lazy range", `/a{1200,1500}?/`, []probe{{r("a", 1600), 1200}}},
		{"range from below 1000", `/a{600,1100}b/`, []probe{{r("a", 599) + "b", -1}, {r("a", 600) + "b", 601}, {r("a", 1200) + "b", 1201}}},
		{"group", `/(?:ab){1001}c/`, []probe{{r("ab", 1000) + "c", -1}, {r("ab", 1001) + "c", 2003}}},
		{"quoted", `/\Qab\E{1001}/`, []probe{{"a" + r("b", 1000), -1}, {"a" + r("b", 1001), 1002}}},
		{"extended", `/a {1001} # comment/x`, []probe{{r("a", 1000), -1}, {r("a", 1001), 1001}}},
		{"caseless", `/k{1001}/i`, []probe{{r("K", 1000) + "k", 1001}, {r("K", 1000), -1}}},
		{"anchored flag", `/b{1001}/A`, []probe{{r("b", 1001), 1001}, {"x" + r("b", 1001), -1}}},
		{"dotall", `/.{1001}/s`, []probe{{r("\n", 1001), 1001}}},
		{"multiline dollar", `/^c{1001}$/m`, []probe{{"x\n" + r("c", 1001) + "\ny", 2 + 1001}, {"x\n" + r("c", 1002) + "\ny", -1}}},
		{"inside plus", `/(?:d{1001})+/`, []probe{{r("d", 1000), -1}, {r("d", 2002), 2002}}},
	}
	for _, tt := range tests {
		ru, skip, err := Parse("t.rules", 1, rule(`pcre:"`+tt.pcre+`"; sid:1;`), DefaultVars())
		if err != nil || skip != nil || ru == nil {
			t.Errorf("sid %s: pcre %s: %v, %v; want it loaded", tt.sid, tt.pcre, skip, err)
			continue
		}
		re := ru.Matches[0].PCRE.Regexp()
		for _, p := range tt.probes {
			loc := re.FindStringIndex(p.in)
			end := -1
			if loc != nil {
				end = loc[1]
			}
			if end != p.end {
				t.Errorf("sid %s: pcre %s on %d bytes %.20q...: match ends at %d, want %d", tt.sid, tt.pcre, len(p.in), p.in, end, p.end)
			}
		}
	}
}

// Counts the rewrite cannot write exactly go to the backtracking
// matcher (TestPCREBacktracking); counts PCRE rejects are errors.
func TestPCRELargeRepeatSkipped(t *testing.T) {
	tests := []struct{ pcre, want string }{
		{`/a{70000}/`, `above PCRE's limit`},
		{`/a{1100,1050}/`, `out of order`},
	}
	for _, tt := range tests {
		_, skip, err := Parse("t.rules", 1, rule(`pcre:"`+tt.pcre+`"; sid:1;`), DefaultVars())
		msg := ""
		if skip != nil {
			msg = skip.Reason
		} else if err != nil {
			msg = err.Error()
		}
		if !strings.Contains(msg, tt.want) {
			t.Errorf("pcre %s: %q; want %q", tt.pcre, msg, tt.want)
		}
	}
}

// The rewritten pattern: how X{n} is spelled, so a regression in the
// rewrite shows as text and not only as a failed match.
func TestPCRELargeRepeatText(t *testing.T) {
	tests := []struct{ pcre, want string }{
		{`/[^\x27]{1075,}/`, `[^\']{1000}[^\']{75}[^\']*`},
		{`/a{2500}/`, `a{1000}a{1000}a{500}`},
		{`/a{1200,1500}?/`, `a{1000}a{200}a{0,300}?`},
		{`/(?:ab){2000}/`, `(?:ab){1000}(?:ab){1000}`},
	}
	for _, tt := range tests {
		got, err := convertPCRE(tt.pcre[1:strings.LastIndexByte(tt.pcre, '/')], pcreOpts{})
		if err != nil || got != tt.want {
			t.Errorf("convertPCRE(%s) = %q, %v; want %q", tt.pcre, got, err, tt.want)
		}
	}
}

// The conversion never panics, and what it returns for a large count
// compiles or is refused with an error, never a panic in regexp.
func FuzzConvertLargeRepeat(f *testing.F) {
	for _, s := range []string{
		`\(\s*(\x27[^\x27]{1024,}|\x22[^\x22]{1024,})`, `a{1001}`, `(?:ab){2000,2500}?`,
		`\Qab\E{1001}`, `(a){1001}`, `a{0,1001}`, `){1001}`, `(?i){1001}`, `[x]{65536}`, `a\E{1500}`,
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, extended bool) {
		re, err := convertPCRE(src, pcreOpts{extended: extended})
		if err == nil && len(re) < 1<<16 {
			_, _ = regexp.Compile(re)
		}
	})
}
