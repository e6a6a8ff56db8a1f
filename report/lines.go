package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// FormatLines is one human line per event, as replay and capture print
// them while they run.
const FormatLines Format = "lines"

// WriteLine writes ev as one line of the lines format.
func WriteLine(w io.Writer, ev analyzer.Event) error {
	_, err := io.WriteString(w, EventLine(ev)+"\n")
	return err
}

// EventLine renders one event as the line the streaming modes print, e.g.
//
//	2026-03-02T09:00:24.611Z ALERT 9000002 Attack: Port Scan 203.0.113.66 -> 192.168.1.20 (vertical) 15 distinct ports in 14s
//	2026-03-02T09:00:24.611Z BLOCK 203.0.113.66 until 09:10:24.611Z (9000002)
//	2026-03-02T09:10:24.611Z UNBLOCK 203.0.113.66
//
// Strings that can come from packets are escaped, as in the table report.
func EventLine(ev analyzer.Event) string {
	var b strings.Builder
	b.WriteString(tableTime(ev.Time))
	b.WriteByte(' ')
	switch ev.Type {
	case analyzer.EventAlert:
		b.WriteString("ALERT")
		if ev.Alert != nil {
			alertLine(&b, ev.Alert)
		}
	case analyzer.EventBlock:
		b.WriteString("BLOCK ")
		b.WriteString(ev.Host.String())
		if ev.Extended {
			b.WriteString(" extended")
		}
		if !ev.Until.IsZero() {
			b.WriteString(" until ")
			b.WriteString(untilTime(ev.Time, ev.Until))
		}
		if ev.SID != 0 {
			fmt.Fprintf(&b, " (%d)", ev.SID)
		}
	case analyzer.EventUnblock:
		b.WriteString("UNBLOCK ")
		b.WriteString(ev.Host.String())
	default:
		b.WriteString(strings.ToUpper(escape(ev.Type, escapeLine)))
		if ev.Host.IsValid() {
			b.WriteString(" " + ev.Host.String())
		}
	}
	return b.String()
}

func alertLine(b *strings.Builder, a *analyzer.Alert) {
	fmt.Fprintf(b, " %d %s", a.SID, escape(a.Name, escapeLine))
	if attacker := a.Source(); attacker.IsValid() || a.Victim.IsValid() {
		from, to := "?", "?"
		if attacker.IsValid() {
			from = attacker.String()
		}
		if a.Victim.IsValid() {
			to = victimPort(a.Victim, a.VictimPort)
		}
		b.WriteString(" " + from + " -> " + to)
	}
	if a.Kind != "" {
		b.WriteString(" (" + escape(a.Kind, escapeLine) + ")")
	}
	if a.Detail != "" {
		b.WriteString(" " + escape(a.Detail, escapeLine))
	}
	if a.Spoofed && a.Attacker.IsValid() {
		b.WriteString(" [spoofed]")
	}
}

// victimPort joins a victim and its port when there is one, bracketing an
// IPv6 address.
func victimPort(host analyzer.Host, port uint16) string {
	switch a := host.Addr(); {
	case port == 0:
		return host.String()
	case a.Is6() && !a.Is4In6():
		return "[" + host.String() + "]:" + strconv.Itoa(int(port))
	}
	return host.String() + ":" + strconv.Itoa(int(port))
}

// untilTime shows only the time of day when the block ends the day it
// starts, the whole timestamp otherwise.
func untilTime(from, until analyzer.Time) string {
	f, u := from.UTC(), until.UTC()
	if f.Year() == u.Year() && f.YearDay() == u.YearDay() {
		return u.Format("15:04:05.000Z07:00")
	}
	return tableTime(until)
}
