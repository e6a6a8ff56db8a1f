package rules

import (
	"reflect"
	"testing"
)

// TestParseByteExtract: byte_extract makes a variable the rest of the
// rule may name in place of a number.
func TestParseByteExtract(t *testing.T) {
	r, skip, err := Parse("t.rules", 1, rule(`content:"LEN"; byte_extract:2,1,len,relative,little,multiplier 4,align 2,bitmask 0x0ff0; `+
		`byte_extract:3,0,off,string,hex; content:"X"; distance:len; within:off; byte_test:len,>,off,off,relative; `+
		`byte_jump:len,off; isdataat:!len,relative; content:"Y"; offset:off; depth:len; sid:1;`), DefaultVars())
	if err != nil || skip != nil {
		t.Fatalf("Parse: %v, %v", skip, err)
	}
	if want := []string{"len", "off"}; !reflect.DeepEqual(r.ByteVars, want) {
		t.Errorf("ByteVars %q, want %q", r.ByteVars, want)
	}
	ops := []*ByteOp{}
	var contents []*Content
	for _, m := range r.Matches {
		if m.Byte != nil {
			ops = append(ops, m.Byte)
		}
		if m.Content != nil {
			contents = append(contents, m.Content)
		}
	}
	want := []ByteOp{
		{Kind: ByteExtract, Bytes: 2, Offset: 1, Relative: true, Little: true, Multiplier: 4, AlignTo: 2, Bitmask: 0x0ff0, Var: 1},
		{Kind: ByteExtract, Bytes: 3, String: true, Base: 16, Multiplier: 1, Var: 2},
		{Kind: ByteTest, Op: CompareGt, Relative: true, BytesVar: 1, ValueVar: 2, OffsetVar: 2},
		{Kind: ByteJump, Multiplier: 1, BytesVar: 1, OffsetVar: 2},
		{Kind: IsDataAt, Negate: true, Relative: true, OffsetVar: 1},
	}
	if len(ops) != len(want) {
		t.Fatalf("%d byte ops, want %d", len(ops), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(*ops[i], want[i]) {
			t.Errorf("op %d = %+v, want %+v", i, *ops[i], want[i])
		}
	}
	if c := contents[1]; !c.HasDistance || !c.HasWithin || c.DistanceVar != 1 || c.WithinVar != 2 {
		t.Errorf("X: %+v, want distance len, within off", *c)
	}
	if c := contents[2]; !c.HasOffset || !c.HasDepth || c.OffsetVar != 2 || c.DepthVar != 1 {
		t.Errorf("Y: %+v, want offset off, depth len", *c)
	}
}

func TestParseByteMath(t *testing.T) {
	r, skip, err := Parse("t.rules", 1, rule(`byte_extract:1,0,x; content:"A"; byte_math:result r, bytes 2, offset -1, oper >>, rvalue x, relative, endian little, string hex, bitmask 0x0ff0; byte_test:1,=,r,0; sid:1;`), DefaultVars())
	if err != nil || skip != nil {
		t.Fatalf("Parse: %v, %v", skip, err)
	}
	if want := []string{"x", "r"}; !reflect.DeepEqual(r.ByteVars, want) {
		t.Errorf("ByteVars %q, want %q", r.ByteVars, want)
	}
	want := ByteOp{Kind: ByteMath, Bytes: 2, Offset: -1, Math: MathShr, ValueVar: 1, Relative: true, Little: true, String: true, Base: 16, Bitmask: 0xff0, Var: 2}
	if got := *r.Matches[2].Byte; !reflect.DeepEqual(got, want) {
		t.Errorf("byte_math = %+v, want %+v", got, want)
	}
}
