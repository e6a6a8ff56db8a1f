package rules

import (
	"strings"
	"testing"
)

// TestTargetAndAlert: target: takes src_ip or dest_ip once; alert; makes
// a pass rule alert and is skipped on other actions.
func TestTargetAndAlert(t *testing.T) {
	tests := []struct {
		text   string
		target Target
		alert  bool
		skip   string // a skip reason's start; "" for a loaded rule
		err    string // an error's text; "" for none
	}{
		{rule(`target:src_ip; sid:1;`), TargetSrc, false, "", ""},
		{rule(`target: dest_ip; sid:1;`), TargetDst, false, "", ""},
		{rule(`sid:1;`), TargetNone, false, "", ""},
		{rule(`target:both; sid:1;`), 0, false, "", `bad value "both"`},
		{rule(`target:src_ip; target:dest_ip; sid:1;`), 0, false, "", "target"},
		{`pass tcp any any -> any any (alert; sid:1;)`, TargetNone, true, "", ""},
		{rule(`alert; sid:1;`), 0, false, "alert; is not supported on alert rules", ""},
		{`drop tcp any any -> any any (alert; sid:1;)`, 0, false, "alert; is not supported on drop rules", ""},
	}
	for _, tt := range tests {
		r, skip, err := Parse("t.rules", 1, tt.text, DefaultVars())
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one with %q", tt.text, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.text, err)
		case tt.skip != "":
			if skip == nil || !strings.HasPrefix(skip.Reason, tt.skip) {
				t.Errorf("%s: skipped %+v, want %q", tt.text, skip, tt.skip)
			}
		case skip != nil:
			t.Errorf("%s: skipped: %s", tt.text, skip.Reason)
		case r.Target != tt.target || r.Alert != tt.alert:
			t.Errorf("%s: target %v alert %v, want %v %v", tt.text, r.Target, r.Alert, tt.target, tt.alert)
		}
	}
}
