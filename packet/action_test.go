package packet

import "testing"

// TestAction: names as rules write them; which actions stop the packet
// and which answer it.
func TestAction(t *testing.T) {
	tests := []struct {
		a       Action
		name    string
		blocks  bool
		rejects bool
	}{
		{ActionAlert, "alert", false, false},
		{ActionDrop, "drop", true, false},
		{ActionReject, "reject", true, true},
		{ActionRejectDst, "rejectdst", true, true},
		{ActionRejectBoth, "rejectboth", true, true},
		{ActionPass, "pass", false, false},
		{Action(9), "Action(9)", false, false},
	}
	for _, tt := range tests {
		if tt.a.String() != tt.name || tt.a.Blocks() != tt.blocks || tt.a.Rejects() != tt.rejects {
			t.Errorf("%d: %s blocks %v rejects %v, want %s %v %v", tt.a, tt.a, tt.a.Blocks(), tt.a.Rejects(), tt.name, tt.blocks, tt.rejects)
		}
	}
}
