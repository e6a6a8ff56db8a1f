package rulematch

import (
	"strings"
	"testing"
)

func TestRuleConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	c := DefaultConfig()
	c.MaxThresholdEntries = 0
	c.InspectionRecursionLimit = 1 << 21
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_threshold_entries: 0") ||
		!strings.Contains(err.Error(), "inspection_recursion_limit") {
		t.Errorf("got %v", err)
	}
}
