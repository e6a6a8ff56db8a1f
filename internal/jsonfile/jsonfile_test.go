package jsonfile

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type doc struct {
		A inner `json:"a"`
	}
	tests := []struct{ name, data, want string }{
		{"ok", `{"a": {"n": 3}}`, ""},
		{"empty", "  \n", "file is empty"},
		{"syntax", "{\n  \"a\" {}\n}", "line 2 col 7: invalid character"},
		{"type", "{\n  \"a\": {\"n\": \"x\"}\n}", "line 2 col 17: a.n: want a whole number, got a string"},
		{"unknown key", "{\n  \"a\": {\n    \"bogus\": 1\n  }\n}", `line 3 col 5: unknown field "bogus"`},
		{"cut short", "{\n  \"a\": {\n    \"n\": 1\n", "line 4 col 1: the file ends inside the JSON object"},
		{"trailing", "{\"a\": {}}\n{\"a\": {}}", "line 2 col 1: more data after the JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Decode([]byte(tc.data), &d)
			if tc.want == "" {
				if err != nil || d.A.N != 3 {
					t.Fatalf("err %v, doc %+v", err, d)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// An unknown key is placed where it is wrong, even when the same key is
// valid elsewhere in the file.
func TestUnknownKeyPlacedWhereItIsWrong(t *testing.T) {
	type sig struct {
		SID    int `json:"sid"`
		Alerts int `json:"alerts"`
	}
	type fp struct {
		Host string `json:"host"`
	}
	type doc struct {
		Signatures []sig `json:"signatures"`
		FPs        []fp  `json:"false_positives"`
	}
	data := "{\n  \"signatures\": [{\"sid\": 1, \"alerts\": 2}],\n  \"false_positives\": [\n    {\"host\": \"a\"},\n    {\"host\": \"b\", \"alerts\": 7}\n  ]\n}"
	var d doc
	err := Decode([]byte(data), &d)
	if err == nil || !strings.Contains(err.Error(), `line 5 col 19: unknown field "alerts"`) {
		t.Fatalf("err = %v", err)
	}
	if off := KeyOffset([]byte(data), "host", 1); off < 0 || !strings.HasPrefix(data[off:], `"host": "b"`) {
		t.Errorf("KeyOffset = %d", off)
	}
}
