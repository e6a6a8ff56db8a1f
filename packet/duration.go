package packet

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration that configuration files and reports write as
// "90s" or "10m0s". Config sections and report fields share this one type so
// a value reads back exactly as it was written.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Nanos returns the value in nanoseconds, the unit of packet times.
func (d Duration) Nanos() int64 { return int64(d) }

// String renders like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText renders "10m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "5m", "90s", "1h30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON reads a JSON string through UnmarshalText; anything else
// gets an error that shows the expected form, which encoding/json's own
// message for a text-unmarshaled type would not.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"90s\" or \"5m\", got %s", b)
	}
	return d.UnmarshalText([]byte(s))
}
