package rules

import "testing"

func TestURILenParse(t *testing.T) {
	tests := []struct {
		val     string
		want    *Range
		raw     bool
		wantErr bool
	}{
		{"35", &Range{Op: RangeEq, Min: 35}, false, false},
		{">400", &Range{Op: RangeGt, Min: 400}, false, false},
		{"<100,norm", &Range{Op: RangeLt, Min: 100}, false, false},
		{"5<>10, raw", &Range{Op: RangeExclusive, Min: 5, Max: 10}, true, false},
		{"5,fast", nil, false, true},
		{"70000", nil, false, true},
		{"", nil, false, true},
	}
	for _, tt := range tests {
		text := `alert http any any -> any any (msg:"x"; urilen:` + tt.val + `; sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil {
				t.Errorf("urilen:%s: no error", tt.val)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("urilen:%s: %v %+v", tt.val, err, skipped)
			continue
		}
		if *r.URILen != *tt.want || r.URILenRaw != tt.raw {
			t.Errorf("urilen:%s: %+v raw %v, want %+v raw %v", tt.val, *r.URILen, r.URILenRaw, *tt.want, tt.raw)
		}
	}
}

func TestFragBitsParse(t *testing.T) {
	tests := []struct {
		val     string
		want    *FragBits
		wantErr bool
	}{
		{"M", &FragBits{Mask: 1}, false},
		{" !M", &FragBits{Mask: 1, Mode: '!'}, false},
		{"M+", &FragBits{Mask: 1, Mode: '+'}, false},
		{"*MDR", &FragBits{Mask: 7, Mode: '*'}, false},
		{"+M+", nil, true},
		{"MM", nil, true},
		{"X", nil, true},
		{"", nil, true},
		{"!", nil, true},
	}
	for _, tt := range tests {
		text := `alert ip any any -> any any (msg:"x"; fragbits:` + tt.val + `; sid:1;)`
		r, skipped, err := Parse("t.rules", 1, text, DefaultVars())
		if tt.wantErr {
			if err == nil && skipped == nil {
				t.Errorf("fragbits:%s: no error", tt.val)
			}
			continue
		}
		if err != nil || skipped != nil {
			t.Errorf("fragbits:%s: %v %+v", tt.val, err, skipped)
			continue
		}
		if *r.FragBits != *tt.want {
			t.Errorf("fragbits:%s = %+v, want %+v", tt.val, *r.FragBits, *tt.want)
		}
	}
}
