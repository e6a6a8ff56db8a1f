package settings

import "testing"

func TestCheck(t *testing.T) {
	var c Check
	c.Int("inside", 5, 1, 10)
	c.Int("edge", 10, 1, 10)
	if c.Err() != nil {
		t.Fatalf("in range: %v", c.Err())
	}
	c.Int("threshold", 0, 1, 100)
	c.Fail("window: %s out of range [1ms, 1h]", "2h")
	want := "threshold: 0 out of range [1, 100]\nwindow: 2h out of range [1ms, 1h]"
	if got := c.Err(); got == nil || got.Error() != want {
		t.Errorf("Err() = %v, want %q", got, want)
	}
}
