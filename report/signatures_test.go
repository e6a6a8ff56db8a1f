package report

import (
	"testing"
	"time"
)

func TestPackAges(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		d         time.Duration
		days      int
		age, when string
	}{
		{0, 0, "0 days", "0 days ago"},
		{day + time.Hour, 1, "1 day", "1 day ago"},
		{91 * day, 91, "91 days", "91 days ago"},
		{-time.Hour, -1, "future", "in the future"},
		{-day, -1, "future", "in the future"},
	}
	for _, tt := range tests {
		if got := ageDays(tt.d); got != tt.days {
			t.Errorf("ageDays(%v) = %d, want %d", tt.d, got, tt.days)
		}
		if got := packAge(tt.d); got != tt.age {
			t.Errorf("packAge(%v) = %q, want %q", tt.d, got, tt.age)
		}
		if got := ago(tt.d); got != tt.when {
			t.Errorf("ago(%v) = %q, want %q", tt.d, got, tt.when)
		}
	}
}

// Pack text is escaped as a Go string literal's body once anything in it
// is not printable, so quotes stay unambiguous around escapes.
func TestPackText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain "msg" \ ok`, `plain "msg" \ ok`},
		{"bad \"msg\"\x1b[2J\a", `bad \"msg\"\x1b[2J\a`},
		{"caf\xc3\xa9 \xff", `caf\u00e9 \xff`},
	}
	for _, tt := range tests {
		if got := packText(tt.in); got != tt.want {
			t.Errorf("packText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
