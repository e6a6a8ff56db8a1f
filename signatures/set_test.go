package signatures

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestLoadSetFailedRules(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mixed.rules")
	src := "alert tcp any any -> any any (msg:\"ok\"; content:\"a\"; sid:1;)\n" +
		"alert tcp any any -> any any (msg:\"bad\"; depth:4; sid:2;)\n" +
		"alert tcp any any -> any any (msg:\"bad too\"; content:\"|4\"; sid:3;)\n" +
		"alert tcp any any -> any any (msg:\"unsupported\"; content:\"x\"; http_raw_host; sid:4;)\n" +
		"alert tcp any any -> any any (msg:\"vendor class\"; content:\"b\"; classtype:Bitcoin-event; sid:5;)\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := SetOptions{NoDefault: true, RuleFiles: []string{file}, Vars: rules.DefaultVars()}

	s, err := LoadSet(opts)
	if err != nil {
		t.Fatalf("LoadSet: %v", err)
	}
	active, skipped := s.RuleCounts()
	if active != 2 || skipped != 1 || s.RulesFailed() != 2 {
		t.Errorf("active %d, skipped %d, failed %d; want 2, 1, 2", active, skipped, s.RulesFailed())
	}
	if got, want := s.FailedReasons(), []ReasonCount{{"invalid content", 1}, {"invalid depth", 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("FailedReasons = %+v, want %+v", got, want)
	}
	if got, want := s.SkippedReasons(), []ReasonCount{{"unsupported keyword http_raw_host", 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("SkippedReasons = %+v, want %+v", got, want)
	}
	all := strings.Join(s.Warnings, "\n")
	for _, w := range []string{
		file + ":2: rule sid 2 failed: depth: needs a preceding content",
		file + ":4: rule sid 4 skipped: ",
		file + `:5: rule sid 5: unknown classtype "Bitcoin-event"`,
	} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
	if sig, ok := s.Catalog.Lookup(5); !ok || sig.Severity != SeverityLow {
		t.Errorf("unknown classtype: signature %+v, want severity low (priority 3)", sig)
	}

	// --strict-rules: the file is refused with ParseFile's error.
	opts.Strict = true
	_, err = LoadSet(opts)
	f, _ := os.Open(file)
	defer f.Close()
	_, _, perr := rules.ParseFile(file, f, rules.DefaultVars())
	if err == nil || perr == nil || err.Error() != perr.Error() {
		t.Errorf("strict LoadSet error = %v, want ParseFile's %v", err, perr)
	}
}

func TestLoadSetAllFailed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.rules")
	if err := os.WriteFile(file, []byte("alert tcp any any -> any any (depth:4; sid:2;)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSet(SetOptions{NoDefault: true, RuleFiles: []string{file}, Vars: rules.DefaultVars()})
	if err == nil || !strings.Contains(err.Error(), "no rule loads: all 1 failed") {
		t.Errorf("err = %v", err)
	}
}

// A pack stays strict whatever SetOptions.Strict says: a rule that does not
// parse makes it corrupt (so an update falls back). An unknown classtype
// is only a warning there too.
func TestLoadSetPackRules(t *testing.T) {
	tp := goodPack()
	tp.files["rules/web.rules"] += `alert http any any -> any any (msg:"Vendor"; content:"v"; classtype:Bitcoin-event; sid:9200004; rev:1;)` + "\n"
	dir := t.TempDir()
	writePack(t, dir, tp)
	s, err := LoadSet(SetOptions{NoDefault: true, Dirs: []string{dir}, Vars: rules.DefaultVars()})
	if err != nil {
		t.Fatalf("LoadSet: %v", err)
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), `rules/web.rules:4: rule sid 9200004: unknown classtype "Bitcoin-event"`) {
		t.Errorf("warnings %q lack the unknown classtype", s.Warnings)
	}

	tp.files["rules/web.rules"] += `alert http any any -> any any (msg:"Bad"; depth:3; sid:9200005; rev:1;)` + "\n"
	dir = t.TempDir()
	writePack(t, dir, tp)
	_, err = LoadSet(SetOptions{NoDefault: true, Dirs: []string{dir}, Vars: rules.DefaultVars()})
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "rules/web.rules:5: depth: needs a preceding content") {
		t.Errorf("pack with a malformed rule: err = %v, want a CorruptError naming it", err)
	}
}

// Two rule files of the same name both load.
func TestLoadSetSameFileName(t *testing.T) {
	var files []string
	for _, sid := range []string{"1", "2"} {
		f := filepath.Join(t.TempDir(), "test.rules")
		if err := os.WriteFile(f, []byte(`alert tcp any any -> any any (content:"a"; sid:`+sid+`;)`+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	s, err := LoadSet(SetOptions{NoDefault: true, RuleFiles: files, Vars: rules.DefaultVars()})
	if err != nil {
		t.Fatal(err)
	}
	if active, _ := s.RuleCounts(); active != 2 {
		t.Errorf("%d rules active, want 2 (packs %q)", active, s.PackNames())
	}
}

// The rules of all packs and rule files together are capped: loading
// stops at the file that passes the cap, naming the first rule over it.
func TestLoadSetMaxRules(t *testing.T) {
	dir := t.TempDir()
	rulesText := func(first, n int) string {
		var b strings.Builder
		b.WriteString("# comment\n")
		for sid := first; sid < first+n; sid++ {
			fmt.Fprintf(&b, "alert tcp any any -> any any (msg:\"r%d\"; sid:%d;)\n", sid, sid)
		}
		return b.String()
	}
	a, b := filepath.Join(dir, "a.rules"), filepath.Join(dir, "b.rules")
	if err := os.WriteFile(a, []byte(rulesText(1, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(rulesText(10, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		max  int
		err  string // "" for none
	}{
		{"all six", 6, ""},
		{"the default", 0, ""},
		{"five", 5, b + ":4: more than 5 rules in all signature packs and rule files together, the cap (rules.max_rules)"},
		{"two", 2, a + ":4: more than 2 rules"},
	}
	for _, tt := range tests {
		for _, threads := range []int{1, 4} { // files parsed at once, taken in order
			t.Run(fmt.Sprintf("%s/threads=%d", tt.name, threads), func(t *testing.T) {
				s, err := LoadSet(SetOptions{NoDefault: true, RuleFiles: []string{a, b}, Vars: rules.DefaultVars(), MaxRules: tt.max, Threads: threads})
				if tt.err == "" {
					if err != nil || len(s.Rules) != 6 {
						t.Fatalf("err %v; want the six rules", err)
					}
					return
				}
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("error %v, want one starting %q", err, tt.err)
				}
			})
		}
	}
}

// TestLoadSetThreadsSameSet: rule files parsed at once give the set read
// one by one, and the first bad file's error, not a later one's.
func TestLoadSetThreadsSameSet(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 6 {
		f := filepath.Join(dir, fmt.Sprintf("f%d.rules", i))
		body := fmt.Sprintf("alert tcp any any -> any any (msg:\"r%d\"; content:\"x%d\"; sid:%d;)\n", i, i, 100+i)
		if i == 2 || i == 4 {
			body += fmt.Sprintf("alert tcp any any -> any any (msg:\"bad\"; depth:4; sid:%d;)\n", 200+i)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	load := func(threads int, strict bool) (*Set, error) {
		return LoadSet(SetOptions{NoDefault: true, RuleFiles: files, Vars: rules.DefaultVars(), Strict: strict, Threads: threads})
	}
	one, err := load(1, false)
	if err != nil {
		t.Fatal(err)
	}
	many, err := load(4, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Rules, many.Rules) || !reflect.DeepEqual(one.Warnings, many.Warnings) || len(one.Rules) != 6 {
		t.Errorf("4 threads: %d rules, warnings %q; one thread: %d rules, warnings %q", len(many.Rules), many.Warnings, len(one.Rules), one.Warnings)
	}
	_, err1 := load(1, true)
	_, err4 := load(4, true)
	if err1 == nil || err4 == nil || err1.Error() != err4.Error() || !strings.Contains(err1.Error(), "f2.rules") {
		t.Errorf("strict: one thread %v; four %v; want the same error, naming f2.rules", err1, err4)
	}
}
