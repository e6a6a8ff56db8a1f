package analyzer

import (
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
	if _, err := TimeOf(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)).MarshalJSON(); err == nil {
		t.Error("year 10000: want an error")
	}
}
