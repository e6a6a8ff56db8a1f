package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// streamTimeLayout is the report tables' time: UTC to the millisecond.
const streamTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// eventLine renders one event as the line the streaming modes print, e.g.
//
//	2026-03-02T09:00:24.611Z ALERT 9000002 Attack: Port Scan 203.0.113.66 -> 192.168.1.20 (vertical) 15 distinct ports in 14s
//	2026-03-02T09:00:24.611Z BLOCK 203.0.113.66 until 09:10:24.611Z (9000002)
//	2026-03-02T09:10:24.611Z UNBLOCK 203.0.113.66
//
// Strings that can come from packets are escaped, as in the table report.
func eventLine(ev analyzer.Event) string {
	var b strings.Builder
	b.WriteString(streamTime(ev.Time.Time))
	b.WriteByte(' ')
	switch ev.Type {
	case analyzer.EventAlert:
		b.WriteString("ALERT")
		if ev.Alert != nil {
			alertLine(&b, ev.Alert)
		}
	case analyzer.EventBlock:
		b.WriteString("BLOCK ")
		b.WriteString(printable(ev.Host.String()))
		if ev.Extended {
			b.WriteString(" extended")
		}
		if !ev.Until.IsZero() {
			b.WriteString(" until ")
			b.WriteString(untilTime(ev.Time.Time, ev.Until.Time))
		}
		if ev.SID != 0 {
			fmt.Fprintf(&b, " (%d)", ev.SID)
		}
	case analyzer.EventUnblock:
		b.WriteString("UNBLOCK ")
		b.WriteString(printable(ev.Host.String()))
	default:
		b.WriteString(strings.ToUpper(printable(ev.Type)))
		if ev.Host.IsValid() {
			b.WriteString(" " + printable(ev.Host.String()))
		}
	}
	return b.String()
}

func alertLine(b *strings.Builder, a *analyzer.Alert) {
	fmt.Fprintf(b, " %d %s", a.SID, printable(a.Name))
	attacker := a.Source().String()
	if attacker != "" || a.Victim.IsValid() {
		victim := or(a.Victim.String(), "?")
		if a.VictimPort != 0 && a.Victim.IsValid() {
			victim = hostPort(a.Victim, a.VictimPort)
		}
		b.WriteString(" " + printable(or(attacker, "?")) + " -> " + printable(victim))
	}
	if a.Kind != "" {
		b.WriteString(" (" + printable(a.Kind) + ")")
	}
	if a.Detail != "" {
		b.WriteString(" " + printable(a.Detail))
	}
	if a.Spoofed && a.Attacker.IsValid() {
		b.WriteString(" [spoofed]")
	}
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// hostPort joins a victim and its port, bracketing an IPv6 address.
func hostPort(host analyzer.Host, port uint16) string {
	if a := host.Addr(); a.Is6() && !a.Is4In6() {
		return "[" + host.String() + "]:" + strconv.Itoa(int(port))
	}
	return host.String() + ":" + strconv.Itoa(int(port))
}

func streamTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(streamTimeLayout)
}

// untilTime shows only the time of day when the block ends the day it
// starts, the whole timestamp otherwise.
func untilTime(from, until time.Time) string {
	from, until = from.UTC(), until.UTC()
	if from.Year() == until.Year() && from.YearDay() == until.YearDay() {
		return until.Format("15:04:05.000Z07:00")
	}
	return until.Format(streamTimeLayout)
}

// printable escapes what is not printable ASCII, Go-style (\n, \xNN,
// \uNNNN), as the table report does, so a string from a packet cannot send
// control sequences to a terminal.
func printable(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x7e {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x80:
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b'
			b.WriteString(q[1 : len(q)-1])
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}
