package pcrebt

import (
	"strings"
	"testing"
)

// Typical rule shapes on a 1,400-byte HTTP-like payload: a
// back-reference that finds its match, a lookaround that does not, and
// nested repeats that run into the match limit.
func BenchmarkMatch(b *testing.B) {
	payload := []byte("GET /login?user=admin&password=secret HTTP/1.1\r\nHost: example.com\r\n" +
		strings.Repeat("X-Pad: abcdefghijklmnopqrstuvwxyz0123456789\r\n", 30) + "Cookie: a=b; a=b\r\n\r\n")
	cases := []struct{ name, pat string }{
		{"backreference", `(\w+)=(\w+); \1=\2`},
		{"lookaround", `(?<=(\?|&))passwd=(?!&)`},
		{"limit", `(?:[a-z0-9]+)+\x00`},
	}
	for _, c := range cases {
		re, err := Compile(c.pat, Options{Caseless: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			var m Machine
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				re.Match(&m, payload, 0)
			}
		})
	}
}
