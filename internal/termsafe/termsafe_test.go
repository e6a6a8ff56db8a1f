package termsafe

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain/path.pcap", "plain/path.pcap"},
		{"café résumé 日本.pcap", "café résumé 日本.pcap"},
		{"\x1b]0;owned\x07x.pcap", `\x1b]0;owned\ax.pcap`},
		{"a\nipsreplay: forged", `a\nipsreplay: forged`},
		{"tab\there\r", `tab\there\r`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"bidi\u202egnp.exe", `bidi\u202egnp.exe`},
		{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
