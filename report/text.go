package report

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/packet"
)

// tableTimeLayout is RFC 3339 in UTC to the millisecond: fixed width so
// columns line up; the JSON report keeps nanoseconds.
const tableTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// none is what a table shows for an unknown or empty value.
const none = "-"

// escapeStyle is how escape spells what it escapes. All styles turn
// invalid UTF-8 into \xNN, runes outside ASCII into \uNNNN or \UNNNNNNNN
// and the control bytes they do not name into \xNN; they differ only in
// which control bytes get a name and in quoting.
type escapeStyle uint8

const (
	// escapeTable names \n, \r and \t: the report tables.
	escapeTable escapeStyle = iota
	// escapeLine names every C escape (\a \b \f \n \r \t \v): the event
	// lines of the streaming modes.
	escapeLine
	// escapeQuoted is the body of strconv.QuoteToASCII: C escapes named,
	// and quotes and backslashes escaped too: text from signature packs.
	escapeQuoted
)

// clean makes s safe and unambiguous in plain-ASCII output. Printable ASCII
// passes through; anything else is escaped Go-style. Strings in a Result
// can come straight from packets (a URI, a user name), and an escape
// sequence there must not reach a responder's terminal.
func clean(s string) string { return escape(s, escapeTable) }

// escape returns s unchanged when it is all printable ASCII, else escaped
// in style.
func escape(s string, style escapeStyle) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x7e {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	for i = 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case style != escapeTable && strings.ContainsRune("\a\b\f\v", r):
			q := strconv.QuoteRuneToASCII(r) // '\a'
			b.WriteString(q[1 : len(q)-1])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case style == escapeQuoted && (r == '"' || r == '\\'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// or returns clean(s), or none when s is empty.
func or(s string) string {
	if s == "" {
		return none
	}
	return clean(s)
}

// truncate cleans s and shortens it to at most n bytes, ending in "...".
func truncate(s string, n int) string {
	s = clean(s)
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// commas renders n with thousands separators: 1234567 -> "1,234,567".
func commas(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// humanBytes renders a byte count in SI units with one decimal, as
// capinfos does: 999 B, 1.0 kB, 31.5 MB.
func humanBytes(n uint64) string {
	if n < 1000 {
		return strconv.FormatUint(n, 10) + " B"
	}
	units := [...]string{"kB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n) / 1000
	i := 0
	// 999.95 would print as "1000.0"; move up a unit instead.
	for v >= 999.95 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
}

// bytesExact renders "31.5 MB (31,457,893 bytes)", or "512 B" when the
// human form is already exact.
func bytesExact(n uint64) string {
	if n < 1000 {
		return humanBytes(n)
	}
	return humanBytes(n) + " (" + commas(n) + " bytes)"
}

// tableTime renders t in UTC to the millisecond, or none when zero: the
// time of every plain-text format.
func tableTime(t analyzer.Time) string {
	if t.IsZero() {
		return none
	}
	// any year a capture can hold: analyzer.AppendTime writes +10000-…
	return string(analyzer.AppendTime(nil, t.Time, tableTimeLayout))
}

// plural is one or many as n asks.
func plural[N ~int | ~uint64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// duration renders d like time.Duration, rounded to the millisecond when it
// is a second or more, since a span of "43m16.376543211s" helps nobody, and
// with "us" for the non-ASCII "µs".
func duration(d packet.Duration) string {
	v := time.Duration(d)
	if v >= time.Second || v <= -time.Second {
		v = v.Round(time.Millisecond)
	}
	return strings.Replace(v.String(), "µs", "us", 1)
}

// location renders a packet location as "file#num".
func location(l analyzer.PacketLocation) string {
	if l.File == "" && l.Packet == 0 {
		return none
	}
	return clean(l.File) + "#" + strconv.FormatUint(l.Packet, 10)
}

// packetRange renders "file#first..#last", naming the second file only when
// it differs, or just "file#first" for a single packet.
func packetRange(first, last analyzer.PacketLocation) string {
	switch {
	case last == first || (last.File == "" && last.Packet == 0):
		return location(first)
	case first.File == "" && first.Packet == 0:
		return location(last)
	case last.File == first.File:
		return location(first) + "..#" + strconv.FormatUint(last.Packet, 10)
	default:
		return location(first) + ".." + location(last)
	}
}

// hostList renders at most max hosts, then "+N more" for the rest of the
// list and "and others" when the analyzer capped the list itself.
func hostList[H fmt.Stringer](hosts []H, max int, capped bool) string {
	if len(hosts) == 0 && !capped {
		return none
	}
	shown := hosts
	if len(shown) > max {
		shown = shown[:max]
	}
	parts := make([]string, len(shown))
	for i, h := range shown {
		parts[i] = clean(h.String())
	}
	s := strings.Join(parts, ", ")
	if n := len(hosts) - len(shown); n > 0 {
		s += fmt.Sprintf(" +%d more", n)
	}
	if capped {
		if s == "" {
			return "others"
		}
		s += " and others"
	}
	return s
}

// endpoint renders host[:port] with IPv6 hosts bracketed when a port
// follows, and the protocol after a slash ("10.0.0.1:80/tcp") or, with no
// port, in parentheses ("10.0.0.1 (icmp)").
func endpoint(host analyzer.Host, port uint16, proto string) string {
	s := or(host.String())
	if port != 0 {
		s = net.JoinHostPort(s, strconv.FormatUint(uint64(port), 10))
		if proto != "" {
			s += "/" + clean(proto)
		}
	} else if proto != "" {
		s += " (" + clean(proto) + ")"
	}
	return s
}
