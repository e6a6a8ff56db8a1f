package rulematch

// byte_test, byte_jump and isdataat: checks on the bytes at a position of
// the buffer, absolute or relative to the previous match's end, as
// Suricata's detect-bytetest.c, detect-bytejump.c and detect-isdataat.c.
// They sit in a buffer's content chain: byte_test and isdataat pass the
// previous match's end on unchanged, byte_jump moves it. A failed check
// does not make the content before it try a later occurrence (Suricata
// retries only for a following within).

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

func compileByte(op *rules.ByteOp) (*byteCheck, string) {
	if op.Kind < rules.ByteTest || op.Kind > rules.IsDataAt {
		return nil, "byte check " + op.Kind.String() + " unknown"
	}
	if op.Kind != rules.IsDataAt && (op.Bytes < 1 || !op.String && op.Bytes > 8 || op.Bytes > 23) {
		return nil, op.Kind.String() + ": number of bytes out of range"
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
	base := 0
	if b.relative {
		if prevEnd >= len(raw) && op.Kind != rules.IsDataAt {
			return 0 // no relative base left
		}
		base = prevEnd
	}
	pos := base + op.Offset
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
		v, _, ok := b.value(raw, pos)
		if !ok || b.compare(v) == op.Negate {
			return 0
		}
		return s.next(items, i, raw, low, prevEnd)
	}
	// byte_jump
	v, n, ok := b.value(raw, pos)
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

// value reads the check's bytes at pos: a binary number in its byte order
// or an ASCII number in its base, masked. n is the bytes the number took.
func (b *byteCheck) value(buf []byte, pos int) (v uint64, n int, ok bool) {
	op := b.op
	if pos < 0 || pos+op.Bytes > len(buf) {
		return 0, 0, false
	}
	field := buf[pos : pos+op.Bytes]
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
	if op.Bitmask != 0 {
		v = v & op.Bitmask >> b.shift
	}
	return v, n, true
}

func (b *byteCheck) compare(v uint64) bool {
	x := b.op.Value
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
