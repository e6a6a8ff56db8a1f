package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestWrapLine(t *testing.T) {
	tests := []struct {
		s      string
		width  int
		indent string
		want   []string
	}{
		{"short", 10, "", []string{"short"}},
		{"one two three four", 9, "", []string{"one two", "three", "four"}},
		{"abcdefghijkl", 5, "", []string{"abcde", "fghij", "kl"}},
		{"see 2026-03-02T09:00:01.000Z here", 10, "", []string{"see", "2026-03-02", "T09:00:01.", "000Z here"}},
		{"- a warning that is long", 12, "  ", []string{"- a warning", "  that is", "  long"}},
	}
	for _, tt := range tests {
		if got := wrapLine(tt.s, tt.width, tt.indent); !slices.Equal(got, tt.want) {
			t.Errorf("wrapLine(%q, %d, %q) = %q, want %q", tt.s, tt.width, tt.indent, got, tt.want)
		}
	}
}

func TestCapColumns(t *testing.T) {
	tests := []struct {
		name           string
		natural, floor []int
		budget         int
		want           []int
	}{
		{"text gives way, words stay whole", []int{24, 7, 60}, []int{24, 7, 12}, 60, []int{24, 7, 29}},
		{"the widest text first", []int{40, 30, 5}, []int{10, 10, 5}, 45, []int{20, 20, 5}},
		{"words break at minColumn", []int{24, 30}, []int{24, 30}, 20, []int{10, 10}},
		{"narrow columns are never widened", []int{3, 50}, []int{3, 50}, 16, []int{3, 13}},
	}
	for _, tt := range tests {
		got := capColumns(tt.natural, tt.floor, tt.budget)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: capColumns(%v, %v, %d) = %v, want %v", tt.name, tt.natural, tt.floor, tt.budget, got, tt.want)
		}
	}
}

// Every line of a fitted table is within the width, and no text is lost:
// the words of each cell come back in order.
func TestFitTableWidth(t *testing.T) {
	header := []string{"Time", "SID", "Attacker -> Victim", "Detail"}
	rows := [][]string{
		{"2026-03-02T09:00:43.128Z", "9000004", "192.168.1.77 (3c:fd:fe:9a:41:77) -> 192.168.1.22:22/TCP", "8 failed-looking SSH connections in 42s (each under 30s, at most 4 KB from the server)"},
		{"2026-03-02T09:01:52.269Z", "1", "10.0.0.1 -> 10.0.0.2", "x"},
	}
	for _, width := range []int{0, 40, 60, 80, 100, 200} {
		var b bytes.Buffer
		if err := fitTable(&b, width, header, rows, false); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if width > 0 && len(l) > width {
				t.Errorf("width %d: line of %d: %q", width, len(l), l)
			}
		}
		fh, fr, _ := fitColumns(header, rows, width)
		for i, r := range fr {
			for j, c := range r {
				if strings.Join(strings.Fields(c), "") != strings.Join(strings.Fields(rows[i][j]), "") {
					t.Errorf("width %d: cell %q became %q", width, rows[i][j], c)
				}
			}
		}
		if len(fh) != len(header) {
			t.Errorf("width %d: header %q", width, fh)
		}
	}
}

func TestFitLines(t *testing.T) {
	doc := "Warnings\n========\n- " + strings.Repeat("word ", 30) + "\n+---+\n| " + strings.Repeat("x", 40) + " |\n"
	got := string(fitLines([]byte(doc), 30))
	for _, l := range strings.Split(got, "\n") {
		if len(l) > 30 && !strings.HasPrefix(l, "|") {
			t.Errorf("line of %d: %q", len(l), l)
		}
	}
	if !strings.Contains(got, "\n  word") || !strings.HasSuffix(got, "|\n") {
		t.Errorf("got %q: want continuation lines indented and tables left alone", got)
	}
}
