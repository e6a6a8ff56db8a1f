package analyzer

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// A rule's alert carries what Suricata's EVE writes of it: generator,
// revision, classtype description, priority (the rule's, else its
// classtype's, else 3) and metadata by key.
func TestRuleInfos(t *testing.T) {
	text := `alert tcp any any -> any any (msg:"a"; content:"x"; classtype:attempted-recon; sid:1; rev:7; metadata:created_at 2010_09_23, former_category POLICY, created_at 2011_01_01;)
alert tcp any any -> any any (msg:"b"; content:"x"; classtype:attempted-recon; priority:1; sid:2; gid:3;)
alert tcp any any -> any any (msg:"c"; content:"x"; sid:3;)
alert tcp any any -> any any (msg:"d"; content:"y"; sid:3; gid:5; rev:9;)
`
	rs, _, err := rules.ParseFile("t.rules", strings.NewReader(text), rules.DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	got := ruleInfos(rs)
	want := map[uint32]*RuleInfo{
		1: {GID: 1, Rev: 7, Classtype: "attempted-recon", ClassDescription: "Attempted Information Leak", Priority: 2,
			Metadata: map[string][]string{"created_at": {"2010_09_23", "2011_01_01"}, "former_category": {"POLICY"}}},
		2: {GID: 3, Rev: 0, Classtype: "attempted-recon", ClassDescription: "Attempted Information Leak", Priority: 1},
		3: {GID: 1, Rev: 0, Priority: 3}, // the first rule of a SID two generators share
	}
	if len(got) != len(want) {
		t.Fatalf("%d infos, want %d", len(got), len(want))
	}
	for sid, w := range want {
		if !reflect.DeepEqual(got[sid], w) {
			t.Errorf("sid %d: %+v, want %+v", sid, got[sid], w)
		}
	}
}

// A flow's id is the same whichever way its packet went, and differs for
// another flow on the same ends (a later start); no flow, no id.
func TestFlowID(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	out := packet.Event{Attacker: a, AttackerPort: 40000, Victim: b, VictimPort: 80, Proto: 6, FlowStart: 1e18}
	back := packet.Event{Attacker: b, AttackerPort: 80, Victim: a, VictimPort: 40000, Proto: 6, FlowStart: 1e18}
	later := out
	later.FlowStart++
	udp := out
	udp.Proto = 17
	id := flowID(out)
	if id == 0 || id >= 1<<53 || flowID(back) != id {
		t.Errorf("ids %d and %d for the two ways of one flow", id, flowID(back))
	}
	if flowID(later) == id || flowID(udp) == id {
		t.Errorf("another flow has the same id %d", id)
	}
	if none := (packet.Event{Attacker: a, Victim: b}); flowID(none) != 0 {
		t.Errorf("an alert without a flow has id %d", flowID(none))
	}
	if directionName(packet.DirToServer) != "to_server" || directionName(packet.DirToClient) != "to_client" || directionName(packet.DirUnknown) != "" {
		t.Error("direction names")
	}
}

// A rate_filter's new action is what happened to the packet: an alert
// rule made to drop stops it, a drop rule made to alert does not.
func TestEffectiveAction(t *testing.T) {
	for _, tt := range []struct {
		rule packet.Action
		rate string
		want packet.Action
	}{
		{packet.ActionAlert, "", packet.ActionAlert},
		{packet.ActionDrop, "", packet.ActionDrop},
		{packet.ActionAlert, "drop", packet.ActionDrop},
		{packet.ActionDrop, "alert", packet.ActionAlert},
		{packet.ActionAlert, "rejectsrc", packet.ActionReject},
		{packet.ActionAlert, "rejectboth", packet.ActionRejectBoth},
		{packet.ActionAlert, "pass", packet.ActionPass},
	} {
		if got := effectiveAction(packet.Event{Action: tt.rule, RateAction: tt.rate}); got != tt.want {
			t.Errorf("rule %s, rate_filter %q: %s, want %s", tt.rule, tt.rate, got, tt.want)
		}
	}
}
