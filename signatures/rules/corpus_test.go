package rules

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// svDir holds Suricata's own test cases (suricata-verify), in the shared
// test corpus beside the repository.
const svDir = "../../../shared/corpus/suricata-verify"

// svRuleFiles lists the suricata-verify test.rules files, at any depth.
func svRuleFiles(t testing.TB) []string {
	if _, err := os.Stat(svDir); err != nil {
		t.Skipf("needs the suricata-verify cases ../shared/corpus/suricata-verify (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it): %v", err)
	}
	var files []string
	filepath.WalkDir(svDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "test.rules" {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// Every rule of Suricata's own tests parses, is skipped, or is refused
// without a panic; the test-bad-* cases are the ones Suricata refuses.
func TestSuricataVerifyRules(t *testing.T) {
	var nRules, nSkipped, nErrors int
	for _, f := range svRuleFiles(t) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(svDir, f)
		rules, skipped, err := ParseFile(rel, fh, DefaultVars())
		fh.Close()
		nRules += len(rules)
		nSkipped += len(skipped)
		for _, s := range skipped {
			t.Logf("skipped %s:%d sid %d: %s", s.File, s.Line, s.SID, s.Reason)
		}
		bad := strings.HasPrefix(filepath.Base(filepath.Dir(f)), "test-bad-")
		if err != nil {
			nErrors += len(strings.Split(err.Error(), "\n"))
			t.Logf("error %v", err)
			if !bad {
				t.Errorf("%s: %v", rel, err)
			}
		} else if bad {
			t.Errorf("%s: Suricata refuses this rule, the parser accepted it", rel)
		}
	}
	t.Logf("suricata-verify rules: %d parsed, %d skipped, %d errors", nRules, nSkipped, nErrors)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		rule(`msg:"x"; content:"|41 42|abc"; nocase; depth:10; pcre:"/a(b)c\d+/Ri"; flow:to_server,established; sid:1;`),
		`alert tcp ![10.0.0.0/8,!10.1.0.0/16] [80,!81:90] <> [2001:db8::/32,::1] $HTTP_PORTS (flags:SA+,12; dsize:1<>9; sid:2;)`,
		rule(`http.uri; content:"/a"; http.host; content:"b"; threshold:type both, track by_src, count 2, seconds 9; sid:3;`),
		rule(`pcre:"/(?<=a)\1\h\v\R\x{41}[\]\h]{2,3}+$/xmsAEG"; sid:4;`),
		`alert tcp any any -> any !5800,!445 (content:!"a"; fast_pattern; pcre:/b/Vi; flowbits:set,x/y; classtype:Bitcoin-event; sid:5;)`,
		rule(`content:!"a"; content:!"b"; http_host; http_host; byte_test:1,=,65,-214748364; byte_jump:0,0,string; sid:6;`),
		rule(`byte_extract:2,0,n,relative,multiplier 2,align 4,string,hex; content:"a"; distance:n; within:n; byte_math:bytes n, offset 1, oper <<, rvalue n, result m; isdataat:m; byte_test:n,=,m,n; sid:7;`),
	} {
		f.Add(s)
	}
	if _, err := os.Stat(svDir); err == nil {
		for _, file := range svRuleFiles(f) {
			fh, err := os.Open(file)
			if err != nil {
				continue
			}
			sc := bufio.NewScanner(fh)
			for sc.Scan() {
				if line := strings.TrimSpace(sc.Text()); line != "" && line[0] != '#' {
					f.Add(line)
				}
			}
			fh.Close()
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, skip, err := Parse("fuzz.rules", 1, text, DefaultVars())
		n := 0
		for _, x := range []bool{r != nil, skip != nil, err != nil} {
			if x {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("Parse(%q) = %v, %v, %v: want exactly one result", text, r, skip, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "fuzz.rules:1: ") {
				t.Fatalf("Parse(%q) error %q is not a positioned *Error", text, err)
			}
			return
		}
		if skip != nil {
			if skip.SID == 0 || skip.Reason == "" || skip.Keyword == "" {
				t.Fatalf("Parse(%q) skipped without sid, reason or keyword: %+v", text, skip)
			}
			return
		}
		if r.SID == 0 || r.Action == 0 || r.Proto == 0 {
			t.Fatalf("Parse(%q) = %+v: missing sid, action or protocol", text, r)
		}
		for _, m := range r.Matches {
			if n := btoi(m.Content != nil) + btoi(m.PCRE != nil) + btoi(m.Byte != nil); n != 1 {
				t.Fatalf("Parse(%q): match %+v is not exactly one of content, pcre and a byte check", text, m)
			}
			if b := m.Byte; b != nil && int(max(b.Var, b.BytesVar, b.OffsetVar, b.ValueVar)) > len(r.ByteVars) {
				t.Fatalf("Parse(%q): byte check %+v names a variable the rule does not have", text, *b)
			}
			if m.Content != nil && len(m.Content.Pattern) == 0 {
				t.Fatalf("Parse(%q): empty content", text)
			}
			if m.PCRE != nil && (m.PCRE.Expr == "") == (m.PCRE.BT == nil) {
				t.Fatalf("Parse(%q): pcre without exactly one of Re and BT", text)
			}
		}
		// A parsed rule parses again the same from its Raw text.
		again, _, err := Parse("fuzz.rules", 1, r.Raw, DefaultVars())
		if err != nil || again == nil || again.SID != r.SID || len(again.Matches) != len(r.Matches) {
			t.Fatalf("Parse(%q) again = %v, %v", r.Raw, again, err)
		}
	})
}

// BenchmarkParseFile parses a file shaped like a community rule set:
// variables, flow, http buffers, pcre, metadata.
func BenchmarkParseFile(b *testing.B) {
	var src strings.Builder
	for i := 1; i <= 1000; i++ {
		src.WriteString(`alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:"ET TROJAN Example Checkin"; flow:established,to_server; ` +
			`http.method; content:"POST"; http.uri; content:"/gate.php"; fast_pattern; startswith; pcre:"/^\/gate\.php\?id=[a-f0-9]{16}$/U"; ` +
			`http.user_agent; content:"Mozilla/4.0"; reference:url,example.com; classtype:trojan-activity; ` +
			`sid:` + strconv.Itoa(i) + `; rev:2; metadata:created_at 2024_01_01, updated_at 2024_02_01;)` + "\n")
	}
	text := src.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		rules, _, err := ParseFile("bench.rules", strings.NewReader(text), DefaultVars())
		if err != nil || len(rules) != 1000 {
			b.Fatal(len(rules), err)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
