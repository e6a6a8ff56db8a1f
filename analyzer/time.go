package analyzer

import (
	"fmt"
	"time"
)

// jsonTimeLayout is RFC 3339 in UTC with exactly nine fractional digits.
// Fixed width, unlike time.RFC3339Nano, so timestamps sort as strings
// (jq's sort_by, a shell sort) in the same order as in time.
const jsonTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Time is a time in a Result. It is a time.Time in every way but how the
// JSON report writes it: in UTC with fixed nanoseconds, or null when zero
// (unknown, e.g. no packets). It reads back with time.Time's
// UnmarshalJSON, where null leaves it zero.
type Time struct{ time.Time }

// TimeOf wraps t.
func TimeOf(t time.Time) Time { return Time{t} }

// MarshalJSON implements json.Marshaler. A time outside years 0-9999
// cannot be written as RFC 3339 and is an error, as it is for time.Time.
func (t Time) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(nil, jsonTimeLayout, "RFC 3339")
}

// AppendJSON appends t, in UTC in layout, as a JSON string, or null when t
// is zero. Other formats (EVE) share it with their own layout; what names
// the format in the error for a year outside 0-9999, which no four-digit
// layout can hold.
func (t Time) AppendJSON(b []byte, layout, what string) ([]byte, error) {
	if t.IsZero() {
		return append(b, "null"...), nil
	}
	tt := t.UTC()
	if y := tt.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %s: year outside 0-9999 cannot be written as %s", tt.Format(time.RFC3339Nano), what)
	}
	b = append(b, '"')
	b = tt.AppendFormat(b, layout)
	return append(b, '"'), nil
}
