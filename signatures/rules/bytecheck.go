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

// byteNumber reads a number argument of a byte keyword within [lo, hi],
// or the name of a byte_extract variable given before (v, n 0).
func byteNumber(st *ruleState, what, s string, lo, hi int64) (n int64, v ByteVar, err error) {
	n, ok := byteInt(s)
	if !ok {
		if isVarName(s) {
			v, err = st.byteVar(s)
			return 0, v, err
		}
		return 0, 0, fmt.Errorf("bad %s %q", what, clip(s))
	}
	if n < lo || n > hi {
		return 0, 0, fmt.Errorf("%s %d out of range [%d, %d]", what, n, lo, hi)
	}
	return n, 0, nil
}

// byteVar looks up a byte_extract variable given earlier in the rule;
// Suricata refuses a rule naming one it has not seen.
func (st *ruleState) byteVar(name string) (ByteVar, error) {
	for i, v := range st.r.ByteVars {
		if v == name {
			return ByteVar(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown byte_extract variable %q (it must be extracted earlier in the rule)", clip(name))
}

func isVarName(s string) bool {
	return s != "" && (s[0] == '_' || 'a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}

// byteCount reads the number of bytes; lo is 0 for byte_jump, which
// Suricata loads with 0 (a jump that never matches, as nothing is read).
func byteCount(st *ruleState, s string, lo int64) (int, ByteVar, error) {
	n, v, err := byteNumber(st, "number of bytes", s, lo, 23)
	return int(n), v, err
}

// byteOffset reads byte_test's and byte_jump's offset, which Suricata 7
// reads as a 32-bit signed number; an offset past the buffer just does
// not match.
func byteOffset(st *ruleState, s string) (int, ByteVar, error) {
	n, v, err := byteNumber(st, "offset", s, math.MinInt32, math.MaxInt32)
	return int(n), v, err
}

func parseByteTest(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 4 {
		return fmt.Errorf("want bytes, operator, value, offset in %q", clip(val))
	}
	op := &ByteOp{Kind: ByteTest}
	if strings.TrimSpace(args[0]) == "0" {
		// Suricata loads it (ET Open's checks of http.content_len), but
		// reading no bytes gives no number, so it never matches
		return skipf("byte_test", "byte_test reads 0 bytes: it never matches")
	}
	var err error
	if op.Bytes, op.BytesVar, err = byteCount(st, args[0], 1); err != nil {
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
	if isVarName(args[2]) {
		if op.ValueVar, err = st.byteVar(args[2]); err != nil {
			return err
		}
	} else if op.Value, err = strconv.ParseUint(args[2], 0, 64); err != nil {
		return fmt.Errorf("bad value %q", clip(args[2]))
	}
	if op.Offset, op.OffsetVar, err = byteOffset(st, args[3]); err != nil {
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
	if op.Bytes, op.BytesVar, err = byteCount(st, args[0], 0); err != nil {
		return err
	}
	if op.Bytes == 0 && op.BytesVar == 0 {
		// Suricata loads it, and it never matches (nothing is read to
		// jump by); the matcher refuses 0 bytes, so the rule is skipped.
		return skipf("byte_jump", "byte_jump of 0 bytes is not supported")
	}
	if op.Offset, op.OffsetVar, err = byteOffset(st, args[1]); err != nil {
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
	pos, v, err := byteNumber(st, "position", n, 0, 65535)
	if err != nil {
		return err
	}
	op.Offset, op.OffsetVar = int(pos), v
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

// parseByteExtract reads byte_extract:N, offset, name[, relative]
// [, multiplier M][, big|little][, string[, hex|dec|oct]][, align 2|4]
// [, bitmask M], as Suricata 7's detect-byte-extract.c: the variable is
// the rule's from here on.
func parseByteExtract(st *ruleState, val string) error {
	args := byteArgs(val)
	if len(args) < 3 {
		return fmt.Errorf("want bytes, offset, variable name in %q", clip(val))
	}
	op := &ByteOp{Kind: ByteExtract, Multiplier: 1}
	n, ok := byteInt(args[0])
	if !ok || n < 1 || n > 23 {
		return fmt.Errorf("bad number of bytes %q (want 1 to 8, or up to 23 with string)", clip(args[0]))
	}
	op.Bytes = int(n)
	off, ok := byteInt(args[1])
	if !ok || off < math.MinInt32 || off > math.MaxInt32 {
		return fmt.Errorf("bad offset %q", clip(args[1]))
	}
	op.Offset = int(off)
	name := args[2]
	if !isVarName(name) || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("bad variable name %q (want a name starting with a letter or _)", clip(name))
	}
	if _, err := st.byteVar(name); err == nil {
		return fmt.Errorf("variable %q extracted twice", clip(name))
	}
	if len(st.r.ByteVars) >= MaxByteVars {
		return skipf("byte_extract", "more than %d byte_extract variables in one rule are not supported", MaxByteVars)
	}
	var rest []string
	for _, a := range args[3:] {
		key, v, _ := strings.Cut(a, " ")
		key, v = strings.ToLower(key), strings.TrimSpace(v)
		switch key {
		case "multiplier":
			m, ok := byteInt(v)
			if !ok || m < 1 || m > 65535 {
				return fmt.Errorf("bad multiplier %q (want 1 to 65535)", clip(v))
			}
			op.Multiplier = uint64(m)
		case "align":
			if v != "2" && v != "4" {
				return fmt.Errorf("bad align %q (want 2 or 4)", clip(v))
			}
			op.AlignTo = int(v[0] - '0')
		default:
			rest = append(rest, a)
		}
	}
	if err := byteOptions("byte_extract", op, rest, false); err != nil {
		return err
	}
	// Suricata's limits for a number written out: more digits than
	// these would not fit 64 bits anyway
	if maxDigits := map[int]int{8: 23, 10: 20, 16: 14}[op.Base]; op.String && op.Bytes > maxDigits {
		return fmt.Errorf("%d bytes is too many for a base %d string (%d at most)", op.Bytes, op.Base, maxDigits)
	}
	st.r.ByteVars = append(st.r.ByteVars, name)
	op.Var = ByteVar(len(st.r.ByteVars))
	st.addByteOp(op)
	return nil
}

// parseByteMath reads byte_math: bytes N, offset O, oper OP, rvalue R,
// result NAME[, relative][, endian big|little][, string hex|dec|oct]
// [, bitmask M], options in any order as Suricata 7 takes them: N bytes
// (or a variable's count) at O, OP R (a number or a variable), then
// masked, go to the variable NAME, which the rule may name from here on.
func parseByteMath(st *ruleState, val string) error {
	op := &ByteOp{Kind: ByteMath}
	seen := map[string]bool{}
	var result string
	for _, a := range byteArgs(val) {
		key, v, _ := strings.Cut(a, " ")
		key, v = strings.ToLower(key), strings.TrimSpace(v)
		if seen[key] {
			return fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "bytes":
			var n int64
			if n, op.BytesVar, err = byteNumber(st, "bytes", v, 1, 10); err != nil {
				return err
			}
			op.Bytes = int(n)
		case "offset":
			n, ok := byteInt(v)
			if !ok || n < -65535 || n > 65535 {
				return fmt.Errorf("bad offset %q (want -65535 to 65535)", clip(v))
			}
			op.Offset = int(n)
		case "oper":
			o, ok := lookup(v, MathAdd, MathShr)
			if !ok {
				return fmt.Errorf("bad oper %q (want + - * / << >>)", clip(v))
			}
			op.Math = o
		case "rvalue":
			if isVarName(v) {
				op.ValueVar, err = st.byteVar(v)
			} else {
				n, ok := byteInt(v)
				if !ok || n < 0 || n > math.MaxUint32 {
					return fmt.Errorf("bad rvalue %q (want 0 to %d or a variable)", clip(v), uint32(math.MaxUint32))
				}
				op.Value = uint64(n)
			}
			if err != nil {
				return err
			}
		case "result":
			result = v
		case "relative":
			if v != "" {
				return fmt.Errorf("unknown option %q", clip(a))
			}
			op.Relative = true
		case "endian":
			switch v {
			case "big", "little":
				op.Little = v == "little"
			default:
				return fmt.Errorf("bad endian %q (want big or little)", clip(v))
			}
		case "string":
			b, ok := map[string]int{"dec": 10, "hex": 16, "oct": 8}[v]
			if !ok {
				return fmt.Errorf("bad string %q (want hex, dec or oct)", clip(v))
			}
			op.String, op.Base = true, b
		case "bitmask":
			m, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(v), "0x"), 16, 32)
			if err != nil || m == 0 {
				return fmt.Errorf("bad bitmask %q (want a non-zero 32-bit hex number)", clip(v))
			}
			op.Bitmask = m
		case "dce":
			return skipf("byte_math", "byte_math dce (DCE/RPC stub data) is not supported")
		default:
			return fmt.Errorf("unknown option %q", clip(a))
		}
	}
	for _, k := range []string{"bytes", "offset", "oper", "rvalue", "result"} {
		if !seen[k] {
			return fmt.Errorf("missing %s in %q", k, clip(val))
		}
	}
	if !op.String && op.BytesVar == 0 && op.Bytes > 8 {
		return fmt.Errorf("%d bytes is too many without string (8 at most)", op.Bytes)
	}
	if (op.Math == MathShl || op.Math == MathShr) && op.BytesVar == 0 && op.Bytes > 4 {
		return fmt.Errorf("%d bytes with %s: 4 at most", op.Bytes, op.Math)
	}
	if !isVarName(result) || strings.ContainsAny(result, " \t") {
		return fmt.Errorf("bad result %q (want a variable name)", clip(result))
	}
	if _, err := st.byteVar(result); err == nil {
		return fmt.Errorf("variable %q set twice", clip(result))
	}
	if len(st.r.ByteVars) >= MaxByteVars {
		return skipf("byte_math", "more than %d byte_extract and byte_math variables in one rule are not supported", MaxByteVars)
	}
	st.r.ByteVars = append(st.r.ByteVars, result)
	op.Var = ByteVar(len(st.r.ByteVars))
	st.addByteOp(op)
	return nil
}
