package analyzer

import (
	"reflect"
	"strings"
	"testing"

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
