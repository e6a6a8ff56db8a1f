package rulematch

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// parseRules parses rule lines (sids from their text) for the flowbits tests.
func parseRules(t *testing.T, lines ...string) []*rules.Rule {
	t.Helper()
	var out []*rules.Rule
	for i, l := range lines {
		r, skipped, err := rules.Parse("fb.rules", i+1, l, rules.DefaultVars())
		if err != nil || skipped != nil {
			t.Fatalf("line %d: %v %+v", i+1, err, skipped)
		}
		out = append(out, r)
	}
	return out
}

// TestFlowbits runs rule sets over packets of two flows (A: client port
// 40000, B: 40001; "<" marks a server-to-client packet of flow A) and
// checks which packets alert with which sids.
func TestFlowbits(t *testing.T) {
	const (
		setAdmin = `alert tcp any any -> any any (msg:"login"; content:"USER admin"; flowbits:set,admin; flowbits:noalert; sid:1;)`
		isAdmin  = `alert tcp any any -> any any (msg:"pass"; content:"PASS"; flowbits:isset,admin; sid:2;)`
	)
	tests := []struct {
		name  string
		rules []string
		pkts  []string // "A:payload", "B:payload", "<:payload"
		want  []string // "packet:sid"
	}{
		{"set then isset on the same flow", []string{setAdmin, isAdmin},
			[]string{"A:USER admin", "A:PASS x", "B:PASS y"}, []string{"1:2"}},
		{"isset before any set", []string{setAdmin, isAdmin},
			[]string{"A:PASS x", "A:USER admin"}, nil},
		{"both directions are one flow", []string{setAdmin,
			`alert tcp any any -> any any (msg:"reply"; content:"230"; flowbits:isset,admin; sid:3;)`},
			[]string{"A:USER admin", "<:230 logged in"}, []string{"1:3"}},
		{"isnotset", []string{setAdmin,
			`alert tcp any any -> any any (msg:"anon"; content:"PASS"; flowbits:isnotset,admin; sid:4;)`},
			[]string{"A:USER admin", "A:PASS x", "B:PASS y"}, []string{"2:4"}},
		{"unset", []string{setAdmin, isAdmin,
			`alert tcp any any -> any any (content:"QUIT"; flowbits:unset,admin; noalert; sid:5;)`},
			[]string{"A:USER admin", "A:QUIT", "A:PASS x"}, nil},
		{"toggle", []string{
			`alert tcp any any -> any any (content:"FLIP"; flowbits:toggle,x; noalert; sid:6;)`,
			`alert tcp any any -> any any (content:"CHECK"; flowbits:isset,x; sid:7;)`},
			[]string{"A:FLIP", "A:CHECK", "A:FLIP", "A:CHECK"}, []string{"1:7"}},
		{"any of (|) and all of (&)", []string{
			`alert tcp any any -> any any (content:"SETA"; flowbits:set,a; noalert; sid:8;)`,
			`alert tcp any any -> any any (content:"SETB"; flowbits:set,b; noalert; sid:9;)`,
			`alert tcp any any -> any any (content:"ANY"; flowbits:isset,a|b; sid:10;)`,
			`alert tcp any any -> any any (content:"ALL"; flowbits:isset,a&b; sid:11;)`},
			[]string{"A:SETA", "A:ANY ALL", "A:SETB", "A:ANY ALL"}, []string{"1:10", "3:10", "3:11"}},
		{"a setter runs before a checker on the same packet, whatever the file order", []string{
			`alert tcp any any -> any any (msg:"check"; content:"GO"; flowbits:isset,go; sid:12;)`,
			`alert tcp any any -> any any (msg:"set"; content:"GO"; flowbits:set,go; sid:13;)`},
			[]string{"A:GO"}, []string{"0:13", "0:12"}},
		{"a set bit does not alert without the rest of the rule", []string{setAdmin, isAdmin},
			[]string{"A:USER admin", "A:nothing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(parseRules(t, tt.rules...), DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, p := range tt.pkts {
				who, payload, _ := strings.Cut(p, ":")
				var f packet.Facts
				switch who {
				case "A":
					f = tcpPacket(payload, fromAddr("10.0.0.1", 40000))
				case "B":
					f = tcpPacket(payload, fromAddr("10.0.0.1", 40001))
				case "<":
					f = tcpPacket(payload, fromAddr("10.0.0.2", 80), toAddr("10.0.0.1", 40000), withDir(packet.DirToClient))
				}
				f.Time += int64(i) * int64(time.Millisecond)
				m.Observe(&f, func(ev packet.Event) { got = append(got, fmt.Sprintf("%d:%d", i, ev.SID)) })
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("alerts %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFlowbitsBounds: flows' bits are capped (the evicted flow loses its
// bits, counted) and expire on packet time; steady state allocates nothing.
func TestFlowbitsBounds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFlowbitFlows = 1
	m, err := New(parseRules(t,
		`alert tcp any any -> any any (content:"SET"; flowbits:set,x; noalert; sid:1;)`,
		`alert tcp any any -> any any (content:"CHECK"; flowbits:isset,x; sid:2;)`), cfg)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	emit := func(packet.Event) { alerts++ }
	a, b := tcpPacket("SET", fromAddr("10.0.0.1", 40000)), tcpPacket("SET", fromAddr("10.0.0.1", 40001))
	m.Observe(&a, emit)
	m.Observe(&b, emit) // evicts flow a's bits
	check := tcpPacket("CHECK", fromAddr("10.0.0.1", 40000))
	m.Observe(&check, emit)
	if alerts != 0 || m.Evicted() != 1 {
		t.Errorf("%d alerts, %d evicted; want 0 and 1", alerts, m.Evicted())
	}
	checkB := tcpPacket("CHECK", fromAddr("10.0.0.1", 40001))
	m.Observe(&checkB, emit)
	if alerts != 1 {
		t.Fatalf("flow b's bit lost: %d alerts", alerts)
	}
	if n := testing.AllocsPerRun(100, func() { m.Observe(&b, emit); m.Observe(&checkB, emit) }); n != 0 {
		t.Errorf("%v allocations per set+check, want 0", n)
	}
	m.Expire(b.Time+flowbitsIdle+1, nil)
	if m.flowbits.Len() != 0 {
		t.Errorf("%d flows' bits left after an idle hour", m.flowbits.Len())
	}
	alerts = 0
	m.Observe(&checkB, emit)
	if alerts != 0 {
		t.Error("expired bit still set")
	}
}
