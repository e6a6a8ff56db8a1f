// Package settings checks the values of config-file sections, so every
// section words an out-of-range value the same way and reports all of
// them at once.
package settings

import (
	"errors"
	"fmt"
)

// Check collects the problems of one section; its zero value is ready.
type Check struct {
	errs []error
}

// Int notes an integer outside [lo, hi], naming its json key.
func (c *Check) Int(key string, v, lo, hi int) {
	if v < lo || v > hi {
		c.errs = append(c.errs, fmt.Errorf("%s: %d out of range [%d, %d]", key, v, lo, hi))
	}
}

// Fail notes a problem the other checks do not word.
func (c *Check) Fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// Err joins the problems, one a line; nil when there are none.
func (c *Check) Err() error { return errors.Join(c.errs...) }
