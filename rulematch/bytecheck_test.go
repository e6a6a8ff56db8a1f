package rulematch

import (
	"testing"

	"github.com/ipsreplay/ipsreplay/packet"
)

// TestByteChecks runs byte_test, byte_jump and isdataat rules over
// payloads: each case is one rule and whether it fires on each payload.
func TestByteChecks(t *testing.T) {
	tests := []struct {
		name string
		rule string
		pays map[string]bool
	}{
		{"byte_test absolute big endian", `byte_test:2,=,0x0102,1; sid:1;`, map[string]bool{
			"\x00\x01\x02": true, "\x00\x02\x01": false, "\x00\x01": false}},
		{"byte_test little endian", `byte_test:2,=,0x0102,0,little; sid:1;`, map[string]bool{
			"\x02\x01": true, "\x01\x02": false}},
		{"byte_test relative to a content", `content:"LEN"; byte_test:1,>,100,0,relative; sid:1;`, map[string]bool{
			"xxLEN\xc8": true, "LEN\x05": false, "LEN": false}},
		{"byte_test negative relative offset", `content:"AB"; byte_test:1,=,0x41,-2,relative; sid:1;`, map[string]bool{
			"zABc": true, "zAB": false}}, // no byte after the match: no relative base (Suricata)
		{"byte_test negated", `byte_test:1,!=,7,0; sid:1;`, map[string]bool{
			"\x07": false, "\x08": true}},
		{"byte_test <= and >=", `byte_test:1,<=,5,0; byte_test:1,>=,3,0; sid:1;`, map[string]bool{
			"\x02": false, "\x03": true, "\x05": true, "\x06": false}},
		{"byte_test & and ^", `byte_test:1,&,0x80,0; byte_test:1,^,0xff,0; sid:1;`, map[string]bool{
			"\x81": true, "\x01": false, "\xff": false}},
		{"byte_test bitmask shifts past trailing zeros", `byte_test:2,=,0x3,0,bitmask 0x0ff0; sid:1;`, map[string]bool{
			"\x00\x30": true, "\x00\x3f": true, "\x01\x30": false}},
		{"byte_test string dec", `content:"Content-Length: "; byte_test:5,>,1000,0,relative,string,dec; sid:1;`, map[string]bool{
			"Content-Length: 20000\r\n": true, "Content-Length: 12\r\n\r\nabc": false, "Content-Length: abcde": false}},
		{"byte_test string hex", `byte_test:4,=,255,0,string,hex; sid:1;`, map[string]bool{
			"00ff": true, "0xff": true, "ff  ": true, "zzzz": false}},
		{"byte_jump then content at the new position", `content:"|00|"; byte_jump:1,0,relative; content:"END"; within:3; sid:1;`, map[string]bool{
			"\x00\x02xxEND": true, "\x00\x03xxEND": false, "\x00\x09END": false}},
		{"byte_jump multiplier, align, post_offset", `byte_jump:1,0,multiplier 2,align,post_offset 1; content:"X"; within:1; sid:1;`, map[string]bool{
			// value 1 * 2 = 2, aligned to 4, +1: from after the byte (1) to 6
			"\x01.....X": true, "\x01....X.": false}},
		{"byte_jump from_beginning", `byte_jump:1,0,from_beginning; content:"X"; within:1; sid:1;`, map[string]bool{
			"\x03..X": true, "\x03.X.": false}},
		{"byte_jump from_end", `byte_jump:1,0,from_end,post_offset -2; content:"X"; within:1; sid:1;`, map[string]bool{
			"\x00...X.": true, "\x00..X..": false}},
		{"byte_jump past the end fails", `byte_jump:1,0; sid:1;`, map[string]bool{
			"\x01.": false, "\x01..": true}},
		{"byte_jump string", `byte_jump:2,0,string,dec; content:"X"; within:1; sid:1;`, map[string]bool{
			"03...X": true, "3 ..X": true, "xx...X": false}},
		{"isdataat absolute", `isdataat:3; sid:1;`, map[string]bool{
			"abcd": true, "abc": false}},
		{"isdataat negated relative", `content:"END"; isdataat:!1,relative; sid:1;`, map[string]bool{
			"xxEND": true, "xxENDy": false}},
		{"isdataat relative", `content:"HDR"; isdataat:4,relative; sid:1;`, map[string]bool{
			"HDR1234": true, "HDR123": false}}, // 4 more bytes after the match

		// byte_extract: a value later items read, and a new position
		{"byte_extract depth", `byte_extract:1,0,n,string,dec; content:"AB"; offset:1; depth:n; sid:1;`, map[string]bool{
			"3xAB": true, "2xAB": false, "2AB": true}},
		{"byte_extract offset", `byte_extract:1,0,n; content:"X"; offset:n; depth:1; sid:1;`, map[string]bool{
			"\x02.X": true, "\x01.X": false, "\x03.X": false}},
		{"byte_extract distance and within", `byte_extract:1,0,d; byte_extract:1,1,w; content:"|00|"; content:"X"; distance:d; within:w; sid:1;`, map[string]bool{
			// the |00| is at 2: X must start at 3+d and end by 3+d+w
			"\x01\x01\x00.X": true, "\x01\x01\x00X": false, "\x01\x02\x00..X": true, "\x01\x02\x00...X": false}},
		{"byte_extract moves the position", `byte_extract:2,0,n; content:"X"; within:1; sid:1;`, map[string]bool{
			"\x00\x00X": true, "\x00\x00.X": false}},
		{"byte_extract relative", `content:"LEN"; byte_extract:1,1,n,relative; byte_test:1,=,n,0,relative; sid:1;`, map[string]bool{
			"LEN.\x07\x07": true, "LEN.\x07\x08": false, "LEN.": false}},
		{"byte_extract multiplier and align", `byte_extract:1,0,n,multiplier 3,align 4; isdataat:n; sid:1;`, map[string]bool{
			// 1*3 = 3, aligned up to 4: a byte at position 4
			"\x01...x": true, "\x01..x": false}},
		{"byte_extract little endian bitmask", `byte_extract:2,0,n,little,bitmask 0xff00; byte_test:1,=,n,2; sid:1;`, map[string]bool{
			"\x00\x05\x05": true, "\x05\x00\x05": false}},
		{"byte_extract out of the buffer", `byte_extract:4,0,n; sid:1;`, map[string]bool{
			"abc": false, "abcd": true}},
		{"byte_test with variable bytes, value and offset", `byte_extract:1,0,b; byte_extract:1,1,o; byte_extract:1,2,v; byte_test:b,=,v,o; sid:1;`, map[string]bool{
			"\x02\x03\x09\x00\x09": true, "\x01\x03\x09\x09": true, "\x01\x03\x09\x08": false, "\x09\x03\x09\x09": false}},
		{"byte_jump with a variable number of bytes", `content:"|00|"; byte_extract:1,0,n,relative; byte_jump:n,0,relative; content:"X"; within:1; sid:1;`, map[string]bool{
			// 0 bytes read jump by 0 (suricata-verify detect-bytejump-02)
			"\x00\x00X": true, "\x00\x01\x01X": false, "\x00\x01\x01.X": true}},
		{"isdataat with a variable", `byte_extract:1,0,n; isdataat:!n; sid:1;`, map[string]bool{
			"\x05abc": true, "\x02abc": false}},
		{"byte_extract string moves past its digits", `byte_extract:4,0,n,string,dec; content:"X"; within:1; sid:1;`, map[string]bool{
			"12X4": true, "1234X": true, "12.X": false}},

		// byte_math: the bytes OP rvalue, then masked, into a variable
		{"byte_math add", `byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1,=,r,1; sid:1;`, map[string]bool{
			"\x03\x05": true, "\x03\x03": false}},
		{"byte_math with a variable rvalue", `byte_extract:1,0,x; byte_math:bytes 1, offset 1, oper -, rvalue x, result r; byte_test:1,=,r,2; sid:1;`, map[string]bool{
			"\x02\x07\x05": true, "\x02\x07\x07": false}},
		{"byte_math shift then bitmask", `byte_math:bytes 1, offset 0, oper <<, rvalue 4, result r, bitmask 0xf00; byte_test:1,=,r,1; sid:1;`, map[string]bool{
			// 0x35 << 4 = 0x350, & 0xf00 = 0x300, >> 8 = 3
			"\x35\x03": true, "\x35\x05": false}},
		{"byte_math division by zero", `byte_math:bytes 1, offset 0, oper /, rvalue 0, result r; sid:1;`, map[string]bool{
			"\x05": false}},
		{"byte_math relative string", `content:"N="; byte_math:bytes 2, offset 0, oper *, rvalue 2, result r, relative, string dec; content:"X"; distance:r; within:1; sid:1;`, map[string]bool{
			"N=02....X": true, "N=02...X": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(parseRules(t, `alert tcp any any -> any any (`+tt.rule+`)`), DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range tt.pays {
				f := tcpPacket(p)
				fired := false
				m.Observe(&f, func(packet.Event) { fired = true })
				if fired != want {
					t.Errorf("%q: fired %v, want %v", p, fired, want)
				}
			}
		})
	}
}

func TestParseASCIINumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		base int
		v    uint64
		n    int
		ok   bool
	}{
		{"123", 10, 123, 3, true},
		{"12x", 10, 12, 2, true},
		{" 7", 10, 7, 2, true},
		{"+9", 10, 9, 2, true},
		{"0x1F", 16, 31, 4, true},
		{"777", 8, 511, 3, true},
		{"8", 8, 0, 0, false},
		{"", 10, 0, 0, false},
		{"99999999999999999999999", 10, 0, 0, false}, // past 64 bits
	} {
		v, n, ok := parseASCIINumber([]byte(tc.in), tc.base)
		if v != tc.v || n != tc.n || ok != tc.ok {
			t.Errorf("%q base %d: %d %d %v, want %d %d %v", tc.in, tc.base, v, n, ok, tc.v, tc.n, tc.ok)
		}
	}
}

// byte_extract keeps its values in the scratch: matching allocates nothing.
func TestByteExtractAllocs(t *testing.T) {
	m, err := New(parseRules(t, `alert tcp any any -> any any (content:"LEN"; byte_extract:1,0,n,relative; content:"X"; distance:n; within:1; sid:1;)`), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	f := tcpPacket("LEN\x02..X")
	fired := 0
	emit := func(packet.Event) { fired++ }
	if n := testing.AllocsPerRun(200, func() { m.Observe(&f, emit) }); n != 0 || fired == 0 {
		t.Errorf("%v allocations per packet (fired %d), want 0 and a match", n, fired)
	}
}
