package rules

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/internal/capped"
)

// ReadFile keeps what ParseFile refuses the file for, but per rule.
func TestReadFileLeavesOutFailed(t *testing.T) {
	src := "alert tcp any any -> any any (msg:\"one\"; sid:1;)\n" +
		"alert tcp any any -> any any (msg:\"bad\"; depth:4; sid:3;)\n" +
		"alert tcp any any -> any any (msg:\"skipped\"; lua:x.lua; sid:4;)\n" +
		"alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n" +
		"alert tcp any any -> any any (msg:\"no sid\";)\n" +
		"alrt tcp any any -> any any (sid:7;)\n" +
		"alert tcp any any -> any any (msg:\"last\"; sid:9;)\n"
	f, err := ReadFile("my.rules", strings.NewReader(src), DefaultVars())
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	var got []string
	for _, r := range f.Rules {
		got = append(got, r.Msg)
	}
	if want := []string{"one", "last"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules = %q, want %q", got, want)
	}
	if len(f.Skipped) != 1 || f.Skipped[0].SID != 4 {
		t.Errorf("skipped = %+v", f.Skipped)
	}
	type failed struct {
		line  int
		sid   uint32
		group string
	}
	var fails []failed
	for _, e := range f.Failed {
		fails = append(fails, failed{e.Line, e.SID, e.Group()})
	}
	want := []failed{{2, 3, "invalid depth"}, {4, 1, "duplicate sid"}, {5, 0, "invalid sid"}, {6, 7, "invalid action"}}
	if !reflect.DeepEqual(fails, want) {
		t.Errorf("failed = %+v, want %+v", fails, want)
	}
	if f.Read() != 7 {
		t.Errorf("Read() = %d, want 7", f.Read())
	}

	// ParseFile refuses the same file with the same messages.
	_, _, perr := ParseFile("my.rules", strings.NewReader(src), DefaultVars())
	if perr == nil || len(strings.Split(perr.Error(), "\n")) != len(f.Failed) || !strings.HasPrefix(perr.Error(), f.Failed[0].Error()) {
		t.Errorf("ParseFile error = %v", perr)
	}
}

func TestSkippedGroup(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{rule(`content:"x"; http_raw_host; sid:1;`), "unsupported keyword http_raw_host"},
		{rule(`byte_test:0,=,65,0; sid:1;`), "unsupported keyword byte_test"},
		{`alert bogus any any -> any any (sid:1;)`, `unsupported protocol bogus`},
		{rule(`byte_test:1,=,1,0,dce; sid:1;`), "unsupported keyword byte_test"},
		{rule(`pcre:"/(?<=a|b+)c/"; sid:1;`), "pcre uses a lookbehind that is not fixed length"},
		{rule(`pcre:"/(?(1)a|b)/"; sid:1;`), "pcre uses a conditional group"},
		{rule(`pcre:"/a(?<=\q)/"; sid:1;`), "pcre the backtracking matcher cannot compile"},
		{rule(`pcre:"/a/K"; sid:1;`), "unsupported pcre flag K"},
		{rule(`pcre:"/gid=(\d+)/, flow:gid"; sid:1;`), "pcre capture into variables"},
	}
	for _, tt := range tests {
		_, skip, err := Parse("t.rules", 1, tt.text, DefaultVars())
		if err != nil || skip == nil {
			t.Errorf("Parse(%s) = %v, %v; want skipped", tt.text, skip, err)
			continue
		}
		if got := skip.Group(); got != tt.want {
			t.Errorf("Parse(%s) group = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// endless repeats line forever, as /dev/zero or a pipe that never closes
// does with its bytes.
type endless struct {
	line string
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.line[e.off]
		e.off = (e.off + 1) % len(e.line)
	}
	return len(p), nil
}

// TestReadFileCap: a rules file past its cap (--rules /dev/zero reached
// GBs) is an error naming the file and the cap; the rules before it are
// kept, and the line the cap cut is not parsed as a rule.
func TestReadFileCap(t *testing.T) {
	good := "alert tcp any any -> any any (msg:\"one\"; sid:1;)\n"
	for _, tc := range []struct {
		name  string
		r     io.Reader
		max   int64
		rules int
	}{
		{"NUL bytes", &endless{line: "\x00"}, 1 << 20, 0},
		{"rules then NULs", io.MultiReader(strings.NewReader(good), &endless{line: "\x00"}), 1 << 20, 1},
		{"endless comments, real cap", &endless{line: "# nothing here\n"}, capped.RulesBytes, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f *File
			var err error
			if tc.max == capped.RulesBytes {
				f, err = ReadFile("local.rules", tc.r, DefaultVars())
			} else {
				f, err = readFile("local.rules", tc.r, DefaultVars(), tc.max)
			}
			want := "local.rules: larger than " + capped.Size(tc.max) + ", the cap for a rules file"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
			if len(f.Rules) != tc.rules || len(f.Failed) != 0 {
				t.Errorf("%d rules, %d failed; want %d and 0", len(f.Rules), len(f.Failed), tc.rules)
			}
		})
	}
}
