package rulematch

// byte_test, byte_jump, isdataat and byte_extract: checks on the bytes at
// a position of the buffer, absolute or relative to the previous match's
// end, as Suricata's detect-bytetest.c, detect-bytejump.c,
// detect-isdataat.c and detect-byte-extract.c. They sit in a buffer's
// content chain: byte_test and isdataat pass the previous match's end on
// unchanged, byte_jump and byte_extract move it. A failed check does not
// make the content before it try a later occurrence (Suricata retries
// only for a following within). byte_extract stores a value in the
// per-worker scratch (byteValues) that later items of the same rule read
// in place of a number.

import (
	"encoding/binary"
	"math/bits"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// byteCheck is a compiled byte check.
type byteCheck struct {
	op       *rules.ByteOp
	relative bool
	shift    uint // trailing zeros of the bitmask
}

// byteValues holds a rule's byte_extract variables while it is
// evaluated: variable n is at n-1.
type byteValues [rules.MaxByteVars]uint64

// int is variable v as a non-negative offset or length: Suricata reads
// them as 32 bits; a larger value is past any buffer anyway.
func (vs *byteValues) int(v rules.ByteVar) int {
	return int(min(vs[v-1], 1<<31-1))
}

func compileByte(op *rules.ByteOp, nvars int) (*byteCheck, string) {
	if op.Kind < rules.ByteTest || op.Kind > rules.ByteMath {
		return nil, "byte check " + op.Kind.String() + " unknown"
	}
	if op.Kind != rules.IsDataAt && op.BytesVar == 0 && (op.Bytes < 1 || !op.String && op.Bytes > 8 || op.Bytes > 23) {
		return nil, op.Kind.String() + ": number of bytes out of range"
	}
	for _, v := range []rules.ByteVar{op.Var, op.BytesVar, op.OffsetVar, op.ValueVar} {
		if int(v) > nvars {
			return nil, op.Kind.String() + ": byte_extract variable out of range"
		}
	}
	if op.Kind == rules.ByteExtract && (op.Var == 0 || op.Multiplier < 1) {
		return nil, "byte_extract: no variable or multiplier"
	}
	if op.Kind == rules.ByteMath && (op.Var == 0 || op.Math < rules.MathAdd || op.Math > rules.MathShr) {
		return nil, "byte_math: no result variable or operator"
	}
	if op.Kind == rules.ByteTest && (op.Op < rules.CompareEq || op.Op > rules.CompareXor) {
		return nil, "byte_test: operator " + op.Op.String() + " unknown"
	}
	return &byteCheck{op: op, relative: op.Relative, shift: uint(bits.TrailingZeros64(op.Bitmask))}, ""
}

// inspectByte evaluates a byte check at prevEnd and goes on with the chain.
func (s *scratch) inspectByte(items []item, i int, raw []byte, low []byte, prevEnd int) int {
	b := items[i].b
	op := b.op
	nbytes := op.Bytes
	if op.BytesVar != 0 {
		// Suricata checks only the upper bound: 0 bytes read a value of
		// 0 (suricata-verify detect-bytejump-02)
		v := s.vars[op.BytesVar-1]
		if v > 23 || !op.String && v > 8 {
			return 0
		}
		nbytes = int(v)
	}
	base := 0
	if b.relative {
		if prevEnd >= len(raw) && op.Kind != rules.IsDataAt && nbytes != 0 {
			return 0 // no relative base left
		}
		base = prevEnd
	}
	offset := op.Offset
	if op.OffsetVar != 0 {
		v := s.vars[op.OffsetVar-1]
		if op.Kind == rules.IsDataAt && v >= 100000000 {
			// Suricata: a position this large is never data
			if op.Negate {
				return s.next(items, i, raw, low, prevEnd)
			}
			return 0
		}
		offset = int(int32(uint32(v))) // read as a 32-bit signed number
	}
	pos := base + offset
	switch op.Kind {
	case rules.IsDataAt:
		// absolute: a byte at position N; relative: N more bytes after
		// the previous match (Suricata's buffer_offset + N <= length)
		has := pos < len(raw)
		if b.relative {
			has = pos <= len(raw)
		}
		if has == op.Negate {
			return 0
		}
		return s.next(items, i, raw, low, prevEnd)
	case rules.ByteTest:
		v, _, ok := b.value(raw, pos, nbytes)
		if !ok || b.compare(v, s.operand(op)) == op.Negate {
			return 0
		}
		return s.next(items, i, raw, low, prevEnd)
	case rules.ByteExtract:
		// the position moves past the bytes the number took: for a
		// string, up to its last digit, as Suricata's extbytes
		v, n, ok := b.value(raw, pos, nbytes)
		if !ok {
			return 0
		}
		v *= op.Multiplier
		if a := uint64(op.AlignTo); a != 0 && v%a != 0 {
			v += a - v%a
		}
		s.vars[op.Var-1] = v
		return s.next(items, i, raw, low, pos+n)
	case rules.ByteMath:
		v, n, ok := b.value(raw, pos, nbytes)
		if !ok {
			return 0
		}
		if v, ok = byteMath(op.Math, v, s.operand(op)); !ok {
			return 0
		}
		if op.Bitmask != 0 {
			// byte_math masks the result, not the bytes read
			v = v & op.Bitmask >> b.shift
		}
		s.vars[op.Var-1] = v
		return s.next(items, i, raw, low, pos+n)
	}
	// byte_jump
	v, n, ok := b.value(raw, pos, nbytes)
	if !ok || v > 1<<32 {
		return 0 // no jump this far stays in a buffer
	}
	jump := int64(v) * int64(op.Multiplier)
	if op.Align && jump%4 != 0 {
		jump += 4 - jump%4
	}
	jump += int64(op.PostOffset)
	var to int64
	switch {
	case op.FromBeginning:
		to = jump
	case op.FromEnd:
		to = int64(len(raw)) + jump
	default:
		to = int64(pos) + int64(n) + jump
	}
	if to < 0 {
		to = 0 // before the start: Suricata clamps to the buffer start
	}
	if to >= int64(len(raw)) {
		return 0
	}
	return s.next(items, i, raw, low, int(to))
}

// operand is byte_test's value: as written, or a variable's.
func (s *scratch) operand(op *rules.ByteOp) uint64 {
	if op.ValueVar != 0 {
		return s.vars[op.ValueVar-1]
	}
	return op.Value
}

// value reads the check's nbytes bytes at pos: a binary number in its byte order
// or an ASCII number in its base, masked. n is the bytes the number took.
func (b *byteCheck) value(buf []byte, pos, nbytes int) (v uint64, n int, ok bool) {
	op := b.op
	if pos < 0 || pos+nbytes > len(buf) {
		return 0, 0, false
	}
	field := buf[pos : pos+nbytes]
	if op.String {
		v, n, ok = parseASCIINumber(field, op.Base)
		if !ok {
			return 0, 0, false
		}
	} else {
		var w [8]byte
		if op.Little {
			copy(w[:], field)
			v = binary.LittleEndian.Uint64(w[:])
		} else {
			copy(w[8-len(field):], field)
			v = binary.BigEndian.Uint64(w[:])
		}
		n = len(field)
	}
	if op.Bitmask != 0 && op.Kind != rules.ByteMath {
		v = v & op.Bitmask >> b.shift
	}
	return v, n, true
}

// byteMath is v op r in 64 bits, wrapping as Suricata's C does; a
// division by zero, or a shift of 64 or more, gives no value.
func byteMath(op rules.ByteMathOp, v, r uint64) (uint64, bool) {
	switch op {
	case rules.MathAdd:
		return v + r, true
	case rules.MathSub:
		return v - r, true
	case rules.MathMul:
		return v * r, true
	case rules.MathDiv:
		if r == 0 {
			return 0, false
		}
		return v / r, true
	case rules.MathShl:
		return v << r, r < 64
	case rules.MathShr:
		return v >> r, r < 64
	}
	return 0, false
}

func (b *byteCheck) compare(v, x uint64) bool {
	switch b.op.Op {
	case rules.CompareEq:
		return v == x
	case rules.CompareLt:
		return v < x
	case rules.CompareGt:
		return v > x
	case rules.CompareLe:
		return v <= x
	case rules.CompareGe:
		return v >= x
	case rules.CompareAnd:
		return v&x != 0
	case rules.CompareXor:
		return v^x != 0
	}
	return false
}

// parseASCIINumber reads a number the way strtoull does on the field:
// leading blanks, an optional +, an optional 0x in base 16, then digits
// up to the first non-digit. n counts the bytes read; no digit, or a value
// past 64 bits, is no number.
func parseASCIINumber(field []byte, base int) (v uint64, n int, ok bool) {
	i := 0
	for i < len(field) && (field[i] == ' ' || field[i] == '\t') {
		i++
	}
	if i < len(field) && field[i] == '+' {
		i++
	}
	if base == 16 && i+1 < len(field) && field[i] == '0' && field[i+1]|0x20 == 'x' {
		i += 2
	}
	digits := 0
	for ; i < len(field); i++ {
		c := field[i]
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = uint64(c|0x20-'a') + 10
		default:
			d = 99
		}
		if d >= uint64(base) {
			break
		}
		hi, lo := bits.Mul64(v, uint64(base))
		if hi != 0 || lo+d < lo {
			return 0, 0, false
		}
		v = lo + d
		digits++
	}
	return v, i, digits > 0
}
