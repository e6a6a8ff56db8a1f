package rulematch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestActions runs rule sets with drop, reject and pass rules over the
// packets of one TCP flow and checks, per packet, the sids that alerted
// and the packet's verdict (A alert, D drop, R a reject, P pass), as
// Suricata's PacketAlertFinalize and flow actions give them. The shapes
// are suricata-verify's util-action tests.
func TestActions(t *testing.T) {
	// "Hi all" in every packet, as util-action's pcap
	pkts := []string{"S>Hi all", "<Hi all", ">Hi all", ">bye"}
	tests := []struct {
		name  string
		rules string
		order string // action_order; "" for the default
		max   int    // packet_alert_max; 0 for the default
		want  string // per packet "sids/verdict", space-separated
	}{
		{"alert only", `alert tcp any any -> any any (content:"Hi"; sid:1;)`, "", 0,
			"1/A 1/A 1/A /A"},
		{"a packet pass silences the alerts after it",
			"alert tcp any any -> any any (content:\"Hi\"; sid:1;)\npass tcp any any -> any any (content:\"Hi all\"; sid:2;)", "", 0,
			"/P /P /P /A"},
		{"alert before pass in the action order",
			"alert tcp any any -> any any (content:\"Hi\"; sid:1;)\npass tcp any any -> any any (content:\"Hi all\"; sid:2;)", "alert pass drop reject", 0,
			"1/P 1/P 1/P /A"},
		// util-action-06: drop first, then pass: the drop alerts, the
		// alert after the pass does not; a payload drop is the packet's
		{"util-action-06: drop, pass, alert on the packet",
			"alert tcp any any -> any any (content:\"Hi all\"; sid:1;)\npass tcp any any -> any any (content:\"Hi all\"; sid:2;)\ndrop tcp any any -> any any (content:\"Hi all\"; sid:3;)",
			"drop pass reject alert", 0, "3/D 3/D 3/D /A"},
		// util-action-12: an IP-only drop drops the flow: nothing after
		// it is inspected, in either direction
		{"util-action-12: IP-only drop drops the flow",
			"drop tcp any any -> any any (sid:1;)\nalert tcp any any -> any any (content:\"Hi all\"; sid:2;)\npass tcp any any -> any any (sid:3;)",
			"drop pass reject alert", 0, "1/D /D /D /D"},
		// util-action-13: an IP-only pass passes the flow; the packet's
		// drop alerted before it
		{"util-action-13: IP-only pass passes the flow",
			"pass tcp any any -> any any (sid:1;)\ndrop tcp any any -> any any (content:\"Hi all\"; sid:2;)\nalert tcp any any -> any any (sid:3;)",
			"drop pass reject alert", 0, "2/D /P /P /P"},
		{"reject on an application protocol rejects the flow",
			`rejectboth http any any -> any any (sid:1;)`, "", 0, "/A /A /A /A"},
		{"IP-only rejectdst",
			`rejectdst tcp any any -> any any (sid:1;)`, "", 0, "1/R /D /D /D"},
		{"pass with alert; alerts",
			"pass tcp any any -> any any (content:\"Hi all\"; alert; sid:1;)\nalert tcp any any -> any any (content:\"Hi\"; sid:2;)", "", 0,
			"1/P 1/P 1/P /A"},
		{"noalert drop still drops",
			`drop tcp any any -> any any (content:"Hi all"; noalert; sid:1;)`, "", 0, "/D /D /D /A"},
		// packet-alert-max keeps the first alerts in rule order: by
		// priority within an action
		{"packet-alert-max by priority",
			"alert tcp any any -> any any (content:\"Hi\"; priority:3; sid:1;)\nalert tcp any any -> any any (content:\"Hi\"; priority:1; sid:2;)\nalert tcp any any -> any any (content:\"Hi\"; priority:2; sid:3;)", "", 2,
			"2,3/A 2,3/A 2,3/A /A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.order != "" {
				cfg.ActionOrder = strings.Fields(tt.order)
			}
			if tt.max > 0 {
				cfg.PacketAlertMax = tt.max
			}
			m, err := New(parseRules(t, strings.Split(tt.rules, "\n")...), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, spec := range pkts {
				f := flowPkt(spec, 0)
				f.Packet.Num = uint64(i + 1)
				var sids []string
				m.Observe(&f, func(ev packet.Event) { sids = append(sids, fmt.Sprint(ev.SID)) })
				got = append(got, strings.Join(sids, ",")+"/"+verdictLetter(f.Verdict))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}

func verdictLetter(a packet.Action) string {
	switch {
	case a == packet.ActionPass:
		return "P"
	case a == packet.ActionDrop:
		return "D"
	case a.Rejects():
		return "R"
	}
	return "A"
}

// TestActionOrderConfig: action_order takes each class once.
func TestActionOrderConfig(t *testing.T) {
	tests := []struct {
		order []string
		ok    bool
	}{
		{[]string{"pass", "drop", "reject", "alert"}, true},
		{[]string{"alert", "pass", "drop", "reject"}, true},
		{[]string{"Alert", "PASS", "drop", "reject"}, true},
		{[]string{"pass", "drop", "alert"}, false},
		{[]string{"pass", "drop", "drop", "alert"}, false},
		{[]string{"pass", "drop", "rejectsrc", "alert"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		c.ActionOrder = tt.order
		if err := c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%q: Validate() = %v, want ok %v", tt.order, err, tt.ok)
		}
	}
	var o ActionOrder
	if err := o.UnmarshalJSON([]byte(`"alert pass  drop reject"`)); err != nil || strings.Join(o, ",") != "alert,pass,drop,reject" {
		t.Errorf("string form: %q, %v", o, err)
	}
	if err := o.UnmarshalJSON([]byte(`["drop","pass","reject","alert"]`)); err != nil || strings.Join(o, ",") != "drop,pass,reject,alert" {
		t.Errorf("list form: %q, %v", o, err)
	}
}

// TestTarget: target: names the attacked end, so the attacker is the
// other; a to_client rule without it names none to block.
func TestTarget(t *testing.T) {
	tests := []struct {
		rule         string
		attacker     string
		victim       string
		unattributed bool
	}{
		{`alert tcp any any -> any any (content:"x"; sid:1;)`, "10.0.0.1", "10.0.0.2", false},
		{`alert tcp any any -> any any (content:"x"; target:dest_ip; sid:1;)`, "10.0.0.1", "10.0.0.2", false},
		{`alert tcp any any -> any any (content:"x"; target:src_ip; sid:1;)`, "10.0.0.2", "10.0.0.1", false},
		{`alert tcp any any -> any any (flow:to_client; content:"x"; sid:1;)`, "10.0.0.2", "10.0.0.1", true},
		{`alert tcp any any -> any any (flow:to_client; content:"x"; target:dest_ip; sid:1;)`, "10.0.0.2", "10.0.0.1", false},
	}
	for _, tt := range tests {
		m, err := New(parseRules(t, tt.rule), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		f := flowPkt("<x", 0)
		if !strings.Contains(tt.rule, "to_client") {
			f = flowPkt(">x", 0)
		}
		var evs []packet.Event
		m.Observe(&f, func(ev packet.Event) { evs = append(evs, ev) })
		if len(evs) != 1 {
			t.Fatalf("%s: %d events", tt.rule, len(evs))
		}
		ev := evs[0]
		if ev.Attacker.String() != tt.attacker || ev.Victim.String() != tt.victim || ev.Unattributed != tt.unattributed {
			t.Errorf("%s: attacker %s victim %s unattributed %v, want %s %s %v",
				tt.rule, ev.Attacker, ev.Victim, ev.Unattributed, tt.attacker, tt.victim, tt.unattributed)
		}
	}
}

// TestActionsNoAllocs: packet drops and passes, and the flows' verdicts,
// allocate nothing once the flows are known.
func TestActionsNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("-race allocates")
	}
	m, err := New(parseRules(t,
		`drop tcp any any -> any any (content:"Hi"; sid:1;)`,
		`pass tcp any any -> any any (content:"bye"; sid:2;)`,
		`alert tcp any any -> any any (content:"all"; sid:3;)`,
		`drop udp any any -> any any (sid:4;)`), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	pkts := []packet.Facts{flowPkt(">Hi all", 0), flowPkt("<bye all", 1), flowPkt("u>x", 2), flowPkt("u<y", 3)}
	emit := func(packet.Event) {}
	for i := range pkts {
		m.Observe(&pkts[i], emit)
	}
	if n := testing.AllocsPerRun(100, func() {
		for i := range pkts {
			m.Observe(&pkts[i], emit)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}
