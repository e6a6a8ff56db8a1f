package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Keywords on the packet and its flow state: flow, flags, and the numeric
// tests dsize, ttl, itype and icode.

func parseFlow(st *ruleState, val string) error {
	if err := st.onlyOnce("flow"); err != nil {
		return err
	}
	f := &st.r.Flow
	seen := map[string]bool{}
	for _, part := range strings.Split(val, ",") {
		opt := strings.ToLower(strings.TrimSpace(part))
		if opt == "" {
			return fmt.Errorf("empty option in %q", clip(val))
		}
		if seen[opt] {
			return fmt.Errorf("%q given twice", opt)
		}
		seen[opt] = true
		dir := FlowAny
		switch opt {
		case "to_server", "from_client":
			dir = FlowToServer
		case "to_client", "from_server":
			dir = FlowToClient
		case "established":
			f.Established = true
		case "not_established":
			f.NotEstablished = true
		case "stateless":
			f.Stateless = true
		case "only_stream":
			f.OnlyStream = true
		case "no_stream":
			f.NoStream = true
		case "only_frag", "no_frag":
			return skipf("flow", "flow option %q is not supported", opt)
		default:
			return fmt.Errorf("unknown option %q (want to_server, to_client, established, not_established, stateless, ...)", opt)
		}
		if dir != FlowAny {
			if f.Direction != FlowAny && f.Direction != dir {
				return fmt.Errorf("to_server and to_client conflict in %q", clip(val))
			}
			f.Direction = dir
		}
	}
	switch {
	case f.Established && f.NotEstablished:
		return fmt.Errorf("established and not_established conflict in %q", clip(val))
	case f.Established && f.Stateless:
		return fmt.Errorf("established and stateless conflict in %q", clip(val))
	}
	return nil
}

// tcpFlag maps a flags: letter to its TCP header bit.
func tcpFlag(c byte) (uint8, bool) {
	switch c {
	case 'F', 'f':
		return 0x01, true
	case 'S', 's':
		return 0x02, true
	case 'R', 'r':
		return 0x04, true
	case 'P', 'p':
		return 0x08, true
	case 'A', 'a':
		return 0x10, true
	case 'U', 'u':
		return 0x20, true
	case 'E', 'e', '2':
		return 0x40, true
	case 'C', 'c', '1':
		return 0x80, true
	}
	return 0, false
}

func parseFlags(st *ruleState, val string) error {
	if err := st.onlyOnce("flags"); err != nil {
		return err
	}
	if !st.r.Proto.carries(TransportTCP) {
		return fmt.Errorf("only tcp has flags, but the protocol is %s", st.r.Proto)
	}
	main, ignore, hasIgnore := strings.Cut(val, ",")
	main = strings.TrimSpace(main)
	f := &Flags{}
	if main != "" && strings.ContainsRune("+*!", rune(main[0])) {
		f.Mode, main = main[0], strings.TrimSpace(main[1:])
	}
	if n := len(main); n > 0 && strings.ContainsRune("+*!", rune(main[n-1])) {
		if f.Mode != 0 {
			return fmt.Errorf("two modifiers in %q", clip(val))
		}
		f.Mode, main = main[n-1], strings.TrimSpace(main[:n-1])
	}
	var err error
	switch {
	case main == "":
		return fmt.Errorf("no flags in %q", clip(val))
	case main == "0":
		if f.Mode != 0 {
			return fmt.Errorf("modifier %c cannot be used with 0 in %q", f.Mode, clip(val))
		}
	default:
		if f.Mask, err = flagBits(main); err != nil {
			return err
		}
	}
	if hasIgnore {
		ignore = strings.TrimSpace(ignore)
		if ignore == "" {
			return fmt.Errorf("no flags after the comma in %q", clip(val))
		}
		if f.Ignore, err = flagBits(ignore); err != nil {
			return err
		}
	}
	st.r.Flags = f
	return nil
}

func flagBits(s string) (uint8, error) {
	var mask uint8
	for i := 0; i < len(s); i++ {
		bit, ok := tcpFlag(s[i])
		if !ok {
			return 0, fmt.Errorf("unknown flag %q in %q (want F S R P A U C E, 1 2 or 0)", s[i], clip(s))
		}
		if mask&bit != 0 {
			return 0, fmt.Errorf("flag %c given twice in %q", s[i], clip(s))
		}
		mask |= bit
	}
	return mask, nil
}

// rangeKeyword makes a numeric keyword (dsize, ttl, itype, icode) that
// fills the field field picks; max is the largest value the field holds.
func rangeKeyword(name string, max int, field func(*Rule) **Range) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		if err := st.onlyOnce(name); err != nil {
			return err
		}
		if (name == "itype" || name == "icode") && !st.r.Proto.carries(transportICMP) {
			return fmt.Errorf("needs an icmp or ip rule, but the protocol is %s", st.r.Proto)
		}
		r, err := parseRange(name, val, max)
		if err != nil {
			return err
		}
		*field(st.r) = r
		return nil
	}
}

// parseRange parses N, =N, !N, !=N, <N, <=N, >N, >=N, N<>M and N-M. Both
// range forms are exclusive, as Suricata defines them ("ranges are thus
// exclusive": 1-4 matches 2 and 3), so N-M is stored as "<>".
func parseRange(name, val string, max int) (*Range, error) {
	s := strings.Join(strings.Fields(val), "")
	num := func(t string) (int, error) {
		var n uint64
		var err error
		if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
			n, err = strconv.ParseUint(t[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(t, 10, 32)
		}
		if err != nil || t == "" || t[0] == '+' {
			return 0, fmt.Errorf("bad value %q", clip(val))
		}
		if n > uint64(max) {
			return 0, fmt.Errorf("%d in %q is above %d", n, clip(val), max)
		}
		return int(n), nil
	}
	if strings.HasPrefix(s, "&") {
		return nil, skipf(name, "%s bitmask %q is not supported", name, clip(val))
	}
	if a, b, ok := strings.Cut(s, "<>"); ok {
		return rangeOf(name, val, a, b, num)
	}
	for _, op := range []string{"<=", ">=", "!=", "<", ">", "!", "="} {
		rest, ok := strings.CutPrefix(s, op)
		if !ok {
			continue
		}
		if strings.Contains(rest, "-") {
			if op == "!" {
				return nil, skipf(name, "negated range %q is not supported", clip(val))
			}
			return nil, fmt.Errorf("bad value %q", clip(val))
		}
		n, err := num(rest)
		if err != nil {
			return nil, err
		}
		o, _ := lookup(op, RangeEq, RangeGe)
		switch op {
		case "!=":
			o = RangeNot
		case "<":
			if n == 0 {
				return nil, fmt.Errorf("%q can never match", clip(val))
			}
		case ">":
			if n == max {
				return nil, fmt.Errorf("%q can never match", clip(val))
			}
		}
		return &Range{Op: o, Min: n}, nil
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		return rangeOf(name, val, a, b, num)
	}
	n, err := num(s)
	if err != nil {
		return nil, err
	}
	return &Range{Op: RangeEq, Min: n}, nil
}

func rangeOf(name, val, a, b string, num func(string) (int, error)) (*Range, error) {
	lo, err := num(a)
	if err != nil {
		return nil, err
	}
	hi, err := num(b)
	if err != nil {
		return nil, err
	}
	if hi-lo < 2 {
		return nil, fmt.Errorf("range %q is empty: ranges are exclusive, %d and %d themselves do not match", clip(val), lo, hi)
	}
	return &Range{Op: RangeExclusive, Min: lo, Max: hi}, nil
}

// parseURILen parses urilen: a range as dsize writes it (Suricata parses
// both as unsigned 16-bit ranges), then an optional ",raw" or ",norm".
func parseURILen(st *ruleState, val string) error {
	if err := st.onlyOnce("urilen"); err != nil {
		return err
	}
	raw := false
	if v, mode, ok := strings.Cut(val, ","); ok {
		switch strings.TrimSpace(mode) {
		case "raw":
			raw = true
		case "norm":
		default:
			return fmt.Errorf("bad value %q (want a range, then raw or norm)", clip(val))
		}
		val = v
	}
	r, err := parseRange("urilen", val, 65535)
	if err != nil {
		return err
	}
	st.r.URILen, st.r.URILenRaw = r, raw
	return nil
}

// parseFragBits parses fragbits: one modifier (+ * !) before or after the
// letters M, D and R, as ET writes both "!D" and "M+". Suricata tests the
// bits on IPv4 packets only; a rule for another protocol simply never
// matches one, so the protocol is not checked here.
func parseFragBits(st *ruleState, val string) error {
	if err := st.onlyOnce("fragbits"); err != nil {
		return err
	}
	v := strings.TrimSpace(val)
	fb := &FragBits{}
	if v != "" && strings.ContainsRune("+*!", rune(v[0])) {
		fb.Mode, v = v[0], strings.TrimSpace(v[1:])
	}
	if n := len(v); n > 0 && strings.ContainsRune("+*!", rune(v[n-1])) {
		if fb.Mode != 0 {
			return fmt.Errorf("two modifiers in %q", clip(val))
		}
		fb.Mode, v = v[n-1], strings.TrimSpace(v[:n-1])
	}
	if v == "" {
		return fmt.Errorf("no bits in %q (want M, D or R)", clip(val))
	}
	for i := 0; i < len(v); i++ {
		var bit uint8
		switch v[i] {
		case 'M', 'm':
			bit = 1
		case 'D', 'd':
			bit = 2
		case 'R', 'r':
			bit = 4
		default:
			return fmt.Errorf("unknown bit %q in %q (want M, D or R)", v[i], clip(val))
		}
		if fb.Mask&bit != 0 {
			return fmt.Errorf("bit %c given twice in %q", v[i], clip(val))
		}
		fb.Mask |= bit
	}
	st.r.FragBits = fb
	return nil
}

// parseBSize parses bsize: a range on the length of the buffer in effect:
// the sticky buffer, else the buffer of the content before it (content
// modifiers such as http_uri). Suricata refuses bsize on the packet
// payload and a second bsize on one buffer, and so does this.
func parseBSize(st *ruleState, val string) error {
	var b Buffer
	switch {
	case st.hasSticky:
		b = st.sticky
	case len(st.r.Matches) > 0:
		b = st.r.Matches[len(st.r.Matches)-1].Buffer
	default:
		return fmt.Errorf("no sticky buffer before it")
	}
	if b == BufferPayload {
		return fmt.Errorf("needs a sticky buffer, not the packet payload")
	}
	// bsize takes up pending transforms, as a content does: it measures
	// the transformed buffer
	xf, err := st.takeTransforms(b)
	if err != nil {
		return err
	}
	for _, bs := range st.r.BSize {
		if bs.Buffer == b && SameTransforms(bs.Transforms, xf) {
			return fmt.Errorf("a second bsize for the %s buffer", b)
		}
	}
	// Suricata reads the sizes as unsigned 64-bit; no buffer is longer
	// than an int, so that bound is as good here
	r, err := parseRange("bsize", val, 1<<31-1)
	if err != nil {
		return err
	}
	st.r.BSize = append(st.r.BSize, BufferSize{Buffer: b, Transforms: xf, Size: r})
	return nil
}

// fieldEq makes an exact header field keyword (seq, ack, window, id,
// icmp_id): a decimal number up to max, optionally quoted as Suricata
// allows, with a leading '!' where neg is allowed (window only).
func fieldEq(name string, max uint64, neg bool, field func(*Rule) **FieldEq) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		if err := st.onlyOnce(name); err != nil {
			return err
		}
		v := strings.TrimSpace(val)
		f := &FieldEq{}
		if neg && strings.HasPrefix(v, "!") {
			f.Negated, v = true, strings.TrimSpace(v[1:])
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.TrimSpace(v[1 : len(v)-1])
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > max {
			return fmt.Errorf("bad value %q (want a number from 0 to %d)", clip(val), max)
		}
		f.Value = uint32(n)
		*field(st.r) = f
		return nil
	}
}
