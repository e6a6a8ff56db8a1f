package report

import (
	"bytes"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/pktsel"
)

// Every format names the packets behind each alert: a Wireshark display
// filter and a BPF expression that select them (pktsel), and the pcap
// --extract wrote of them, if any. The filters follow from the alert
// alone, so they are filled in here, as it is rendered.

// withFilters returns a with its filters filled in; a is not changed.
func withFilters(a *analyzer.Alert) *analyzer.Alert {
	c := *a
	if c.Filters == nil {
		c.Filters = pktsel.Filters(&c)
	}
	return &c
}

// alertsWithFilters returns a copy of alerts, never nil, with filters.
func alertsWithFilters(alerts []analyzer.Alert) []analyzer.Alert {
	return eachNonNil(alerts, func(a *analyzer.Alert) { *a = *withFilters(a) })
}

// eventsWithFilters returns a copy of events, never nil, whose alerts
// are copies with filters.
func eventsWithFilters(events []analyzer.Event) []analyzer.Event {
	return eachNonNil(events, func(ev *analyzer.Event) {
		if ev.Alert != nil {
			ev.Alert = withFilters(ev.Alert)
		}
	})
}

// alertPacketLines lists, under the Alerts table, each shown alert's
// filters and pcap, numbered as the table's rows.
func alertPacketLines(b *bytes.Buffer, shown []analyzer.Alert) {
	any := false
	for i := range shown {
		a := withFilters(&shown[i])
		if a.Filters == nil && a.Extract == "" {
			continue
		}
		if !any {
			line(b, "")
			line(b, "Packets behind the alerts, numbered as the rows above:")
			any = true
		}
		line(b, "%d. %s sid %d %s -> %s", i+1, tableTime(a.Time), a.SID,
			or(analyzer.AddrHost(a.Attacker).String()), endpoint(a.Victim, a.VictimPort, a.Proto))
		if f := a.Filters; f != nil {
			line(b, "   wireshark: %s", clean(f.Wireshark))
			line(b, "   bpf:       %s", clean(f.BPF))
		}
		if a.Extract != "" {
			line(b, "   pcap:      %s", clean(a.Extract))
		}
	}
}
