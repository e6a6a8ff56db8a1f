package analyzer

import (
	"math"
	"testing"
	"time"
)

func TestTimeJSON(t *testing.T) {
	zone := time.FixedZone("X", -5*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Time{}, `null`},
		{time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC), `"2024-03-05T10:00:00.000000000Z"`},
		{time.Date(2024, 3, 5, 5, 0, 0, 1500, zone), `"2024-03-05T10:00:00.000001500Z"`},
		{time.Unix(0, 0), `"1970-01-01T00:00:00.000000000Z"`},
		// any 64-bit capture time: ISO 8601 expanded years, never an error
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), `"9999-12-31T23:59:59.999999999Z"`},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `"+10000-01-01T00:00:00.000000000Z"`},
		{time.Date(10000, 2, 29, 1, 2, 3, 4, time.UTC), `"+10000-02-29T01:02:03.000000004Z"`},
		{time.Date(-1, 3, 1, 0, 0, 0, 0, time.UTC), `"-0001-03-01T00:00:00.000000000Z"`},
		{time.Unix(1<<62, 5).UTC(), `"+146138514283-06-19T07:45:04.000000005Z"`},
	}
	for _, tt := range tests {
		got, err := TimeOf(tt.in).MarshalJSON()
		if err != nil || string(got) != tt.want {
			t.Errorf("%v: got %s, %v; want %s", tt.in, got, err, tt.want)
		}
		var back Time
		if err := back.UnmarshalJSON(got); err != nil || !back.Equal(tt.in) {
			t.Errorf("%s read back as %v, %v; want %v", got, back, err, tt.in)
		}
	}
}

func TestUnixNanoSaturates(t *testing.T) {
	tests := []struct {
		in   time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(1700000000, 5), 1700000000*int64(time.Second) + 5},
		{time.Unix(0, math.MaxInt64), math.MaxInt64},
		{time.Unix(0, math.MinInt64), math.MinInt64},
		{time.Unix(0, math.MaxInt64).Add(1), math.MaxInt64},
		{time.Unix(0, math.MinInt64).Add(-1), math.MinInt64},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), math.MinInt64},
		{time.Unix(1<<62, 0), math.MaxInt64},
	}
	for _, tt := range tests {
		if got := UnixNano(tt.in); got != tt.want {
			t.Errorf("UnixNano(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
