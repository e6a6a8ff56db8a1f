package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Byte keywords: byte_test, byte_jump and isdataat, checks in the content
// chain on the bytes at a position.

// byteArgs splits a byte keyword's comma-separated arguments, trimmed.
func byteArgs(val string) []string {
	parts := strings.Split(val, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// byteInt parses a number as Suricata does: decimal, or hex with 0x.
func byteInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil && !strings.HasPrefix(s, "+") && !(len(s) > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X')
}

// addByteOp puts a byte check in the chain: in the buffer of the match it
// is relative to, else the sticky buffer.
func (st *ruleState) addByteOp(op *ByteOp) error {
	buf := st.sticky
	if op.Relative && len(st.r.Matches) > 0 && !st.hasSticky {
		buf = st.r.Matches[len(st.r.Matches)-1].Buffer
	}
	xf, err := st.takeTransforms(buf)
	if err != nil {
		return err
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, Transforms: xf, Byte: op})
	st.mods = append(st.mods, contentMods{})
	return nil
}

// byteOptions reads the optional flags byte_test and byte_jump share,
// and the ones only jump has when jump is true.
func byteOptions(name string, op *ByteOp, args []string, jump bool) error {
	for _, a := range args {
		key, v, _ := strings.Cut(a, " ")
		key, v = strings.ToLower(key), strings.TrimSpace(v)
		switch {
		case key == "relative" && v == "":
			op.Relative = true
		case key == "big" && v == "":
			op.Little = false
		case key == "little" && v == "":
			op.Little = true
		case key == "string" && v == "":
			op.String = true
		case (key == "dec" || key == "hex" || key == "oct") && v == "":
			op.Base = map[string]int{"dec": 10, "hex": 16, "oct": 8}[key]
		case key == "bitmask":
			m, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(v), "0x"), 16, 64)
			if err != nil || m == 0 {
				return fmt.Errorf("bad bitmask %q (want a non-zero hex number)", clip(v))
			}
			op.Bitmask = m
		case key == "dce":
			return skipf(name, "%s dce (DCE/RPC stub data) is not supported", name)
		case jump && key == "align" && v == "":
			op.Align = true
		case jump && key == "from_beginning" && v == "":
			op.FromBeginning = true
		case jump && key == "from_end" && v == "":
			op.FromEnd = true
		case jump && key == "multiplier":
			m, ok := byteInt(v)
			if !ok || m < 1 || m > 65535 {
				return fmt.Errorf("bad multiplier %q (want 1 to 65535)", clip(v))
			}
			op.Multiplier = uint64(m)
		case jump && key == "post_offset":
			n, ok := byteInt(v)
			if !ok || n < -65535 || n > 65535 {
				return fmt.Errorf("bad post_offset %q (want -65535 to 65535)", clip(v))
			}
			op.PostOffset = int(n)
		default:
			return fmt.Errorf("unknown option %q", clip(a))
		}
	}
	if op.FromBeginning && op.FromEnd {
		return fmt.Errorf("from_beginning and from_end together")
	}
	if op.String {
		if op.Base == 0 {
			op.Base = 10
		}
		if op.Bytes > 23 {
			return fmt.Errorf("%d bytes is too many for a string number (23 at most)", op.Bytes)
		}
	} else {
		if op.Base != 0 {
			return fmt.Errorf("dec, hex and oct need string")
		}
		if op.Bytes > 8 {
			return fmt.Errorf("%d bytes is too many without string (8 at most)", op.Bytes)
		}
	}
	return nil
}

// byteNumber reads a number argument of a byte keyword within [lo, hi];
// a name instead is a byte_extract variable, which skips the rule.
func byteNumber(name, what, s string, lo, hi int64) (int64, error) {
	n, ok := byteInt(s)
	if !ok {
		if isVarName(s) {
			return 0, skipf(name, "%s with a byte_extract variable (%s) is not supported", name, s)
		}
		return 0, fmt.Errorf("bad %s %q", what, clip(s))
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s %d out of range [%d, %d]", what, n, lo, hi)
	}
	return n, nil
}

func isVarName(s string) bool {
	return s != "" && (s[0] == '_' || 'a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}

// byteCount reads the number of bytes; lo is 0 for byte_jump, which
// Suricata loads with 0 (a jump that never matches, as nothing is read).
func byteCount(name, s string, lo int64) (int, error) {
	n, err := byteNumber(name, "number of bytes", s, lo, 23)
	return int(n), err
}

// byteOffset reads byte_test's and byte_jump's offset, which Suricata 7
// reads as a 32-bit signed number; an offset past the buffer just does
// not match.
func byteOffset(name, s string) (int, error) {
	n, err := byteNumber(name, "offset", s, math.MinInt32, math.MaxInt32)
	return int(n), err
}

func parseByteTest(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 4 {
		return fmt.Errorf("want bytes, operator, value, offset in %q", clip(val))
	}
	op := &ByteOp{Kind: ByteTest}
	var err error
	if op.Bytes, err = byteCount("byte_test", args[0], 1); err != nil {
		return err
	}
	o := strings.ReplaceAll(args[1], " ", "")
	if strings.HasPrefix(o, "!") {
		op.Negate, o = true, o[1:]
		if o == "" {
			o = "="
		}
	}
	var ok bool
	if op.Op, ok = lookup(o, CompareEq, CompareXor); !ok {
		return fmt.Errorf("unknown operator %q (want = < > <= >= & ^, ! to negate)", clip(args[1]))
	}
	v, err := strconv.ParseUint(args[2], 0, 64)
	if err != nil {
		if isVarName(args[2]) {
			return skipf("byte_test", "byte_test with a byte_extract variable (%s) is not supported", args[2])
		}
		return fmt.Errorf("bad value %q", clip(args[2]))
	}
	op.Value = v
	if op.Offset, err = byteOffset("byte_test", args[3]); err != nil {
		return err
	}
	if err := byteOptions("byte_test", op, args[4:], false); err != nil {
		return err
	}
	return st.addByteOp(op)
}

func parseByteJump(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 2 {
		return fmt.Errorf("want bytes, offset in %q", clip(val))
	}
	op := &ByteOp{Kind: ByteJump, Multiplier: 1}
	var err error
	if op.Bytes, err = byteCount("byte_jump", args[0], 0); err != nil {
		return err
	}
	if op.Bytes == 0 {
		// Suricata loads it, and it never matches (nothing is read to
		// jump by); the matcher refuses 0 bytes, so the rule is skipped.
		return skipf("byte_jump", "byte_jump of 0 bytes is not supported")
	}
	if op.Offset, err = byteOffset("byte_jump", args[1]); err != nil {
		return err
	}
	if err := byteOptions("byte_jump", op, args[2:], true); err != nil {
		return err
	}
	return st.addByteOp(op)
}

func parseIsDataAt(st *ruleState, val string) error {
	args := byteArgs(val)
	op := &ByteOp{Kind: IsDataAt}
	n := args[0]
	if strings.HasPrefix(n, "!") {
		op.Negate, n = true, strings.TrimSpace(n[1:])
	}
	// Suricata reads isdataat's position as 16 bits unsigned.
	pos, err := byteNumber("isdataat", "position", n, 0, 65535)
	if err != nil {
		return err
	}
	op.Offset = int(pos)
	for _, a := range args[1:] {
		switch strings.ToLower(a) {
		case "relative":
			op.Relative = true
		case "rawbytes":
		default:
			return fmt.Errorf("unknown option %q (want relative or rawbytes)", clip(a))
		}
	}
	return st.addByteOp(op)
}
