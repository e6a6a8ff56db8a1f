package analyzer

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"time"
)

// jsonTimeLayout is RFC 3339 in UTC with exactly nine fractional digits.
// Fixed width, unlike time.RFC3339Nano, so timestamps sort as strings
// (jq's sort_by, a shell sort) in the same order as in time.
const jsonTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Time is a time in a Result. It is a time.Time in every way but how the
// reports write it: in UTC with fixed nanoseconds, or null when zero
// (unknown, e.g. no packets), and any year a capture can hold (see
// AppendTime). It reads back with UnmarshalJSON, where null leaves it
// zero.
type Time struct{ time.Time }

// TimeOf wraps t.
func TimeOf(t time.Time) Time { return Time{t} }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(nil, jsonTimeLayout), nil
}

// UnmarshalJSON implements json.Unmarshaler: RFC 3339, with the extended
// years AppendTime writes; null leaves t unchanged, as for time.Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return errors.New("time: want an RFC 3339 string or null")
	}
	tt, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = tt
	return nil
}

// AppendJSON appends t, in UTC in layout (which starts with the year,
// "2006"), as a JSON string, or null when t is zero. Other formats (EVE)
// share it with their own layout. Any year is written (AppendTime).
func (t Time) AppendJSON(b []byte, layout string) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = AppendTime(b, t.Time, layout)
	return append(b, '"')
}

// AppendTime appends t in UTC in layout, which must start with the
// four-digit year ("2006"). A capture can hold any 64-bit time (pcapng
// counts 2^64 ticks of its resolution), so years past 9999 are written as
// ISO 8601's expanded years do, "+10000-01-01T…", and years before 0 with
// their minus sign, "-0001-…", rather than failing as time.Time's
// MarshalJSON does or dropping the report: one bad record must not cost
// the report of the rest. Within 0-9999 the output is exactly layout's.
func AppendTime(b []byte, t time.Time, layout string) []byte {
	t = t.UTC()
	if t.Year() > 9999 {
		b = append(b, '+')
	}
	return t.AppendFormat(b, layout)
}

// ParseTime reads an RFC 3339 time, with the extended years AppendTime
// writes ("+10000-…", "-0001-…").
func ParseTime(s string) (time.Time, error) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return time.Parse(time.RFC3339Nano, s)
	}
	i := bytes.IndexByte([]byte(s[1:]), '-')
	if i < 4 {
		return time.Time{}, errors.New("time " + strconv.Quote(s) + ": want [+-]YYYY… before the month")
	}
	year, err := strconv.Atoi(s[1 : 1+i])
	if err != nil {
		return time.Time{}, errors.New("time " + strconv.Quote(s) + ": bad year")
	}
	if s[0] == '-' {
		year = -year
	}
	// parse the rest in a year of the same kind (leap or not), then move
	base := 2001
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		base = 2000
	}
	t, err := time.Parse(time.RFC3339Nano, strconv.Itoa(base)+s[1+i:])
	if err != nil {
		return time.Time{}, err
	}
	return t.AddDate(year-base, 0, 0), nil
}

// UnixNano is t as nanoseconds since 1970, the analysis clock's unit,
// saturated at the ends of int64 (years 1678 and 2262) where
// time.Time.UnixNano wraps: a far-future record must land at the end of
// the clock, not in 1969.
func UnixNano(t time.Time) int64 {
	const maxSec = math.MaxInt64 / int64(time.Second)
	switch sec := t.Unix(); {
	case sec > maxSec || (sec == maxSec && int64(t.Nanosecond()) > math.MaxInt64%int64(time.Second)):
		return math.MaxInt64
	case sec < -maxSec-1 || (sec == -maxSec-1 && int64(t.Nanosecond()) < int64(time.Second)+math.MinInt64%int64(time.Second)):
		return math.MinInt64
	}
	return t.UnixNano()
}
