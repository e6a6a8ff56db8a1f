// Package termsafe makes text from inputs (file names, a signature pack's
// name and version, lines of a file quoted in an error) safe to print on a
// terminal: a name holding an escape sequence could otherwise recolour,
// retitle or clear the terminal of whoever reads the message, and one
// holding a newline could forge a second "ipsreplay:" line.
package termsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL, C1), every
// bidirectional formatting character (which reorders what the terminal
// shows) and every byte that is not UTF-8 written as Go escapes them in a
// quoted string (\x1b, \n, \u202e); the rest, printable text in any
// script, is left as it is. A string needing none is returned unchanged.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&15, 16))
		case unsafeRune(r, size):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune, size int) bool {
	if r == utf8.RuneError && size == 1 {
		return true
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
