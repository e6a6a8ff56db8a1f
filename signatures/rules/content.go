package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Payload keywords: content and its modifiers, the sticky buffers and the
// old-style buffer modifiers, and pcre. They append to Rule.Matches in rule
// order; modifiers change the latest content of the buffer in effect.

// decodeContent decodes a content value: optional "!", quotes, |hex|
// sections and \" \; \\ \: \| \, \# escapes.
func decodeContent(val string) (pattern []byte, negated bool, err error) {
	raw := val
	if strings.HasPrefix(val, "!") {
		negated = true
		val = strings.TrimSpace(val[1:])
	}
	if strings.HasPrefix(val, `"`) {
		if len(val) < 2 || !strings.HasSuffix(val, `"`) || strings.HasSuffix(val, `\"`) && !strings.HasSuffix(val, `\\"`) {
			return nil, false, fmt.Errorf("unterminated string %q", clip(raw))
		}
		val = val[1 : len(val)-1]
	}
	hexStart := -1 // index of the open "|", -1 outside hex
	var hi byte
	half := false
	for i := 0; i < len(val); i++ {
		c := val[i]
		if hexStart >= 0 {
			switch {
			case c == '|':
				if half {
					return nil, false, fmt.Errorf("odd number of hex digits in %q", val[hexStart:i+1])
				}
				hexStart = -1
			case c == ' ' || c == '\t':
			case isHex(c):
				if half {
					pattern = append(pattern, hi<<4|byte(hexVal(c)))
				} else {
					hi = byte(hexVal(c))
				}
				half = !half
			default:
				return nil, false, fmt.Errorf("bad hex character %q in %q", c, clip(val[hexStart:]))
			}
			continue
		}
		switch c {
		case '|':
			hexStart = i
		case '\\':
			i++
			if i >= len(val) {
				return nil, false, fmt.Errorf("trailing backslash in %q", clip(raw))
			}
			switch e := val[i]; e {
			case '"', ';', ':', '\\', '|', ',', '#':
				pattern = append(pattern, e)
			default:
				return nil, false, fmt.Errorf(`bad escape \%c in %q (escape only " ; : \ | , #; write other bytes as |hex|)`, e, clip(raw))
			}
		case '"':
			return nil, false, fmt.Errorf(`unescaped " in %q`, clip(raw))
		default:
			pattern = append(pattern, c)
		}
	}
	if hexStart >= 0 {
		return nil, false, fmt.Errorf("unterminated hex %q", clip(val[hexStart:]))
	}
	if len(pattern) == 0 {
		return nil, false, fmt.Errorf("empty pattern %q", clip(raw))
	}
	return pattern, negated, nil
}

func parseContent(st *ruleState, val string) error {
	return st.addContent(val, st.sticky)
}

func parseURIContent(st *ruleState, val string) error {
	if len(st.pending) > 0 || len(st.xforms) > 0 {
		// a content modifier, which Suricata refuses after a sticky buffer
		return fmt.Errorf("cannot follow the transforms of %s: it is content with http_uri, not a match in the transformed buffer", st.sticky)
	}
	return st.addContent(val, BufferHTTPURI)
}

func (st *ruleState) addContent(val string, buf Buffer) error {
	pattern, negated, err := decodeContent(val)
	if err != nil {
		return err
	}
	xf, err := st.takeTransforms(buf)
	if err != nil {
		return err
	}
	c := &Content{Pattern: pattern, Negated: negated}
	if err := checkTransformContent(xf, c); err != nil {
		return err
	}
	st.r.Matches = append(st.r.Matches, Match{Buffer: buf, Transforms: xf, Content: c})
	st.mods = append(st.mods, contentMods{})
	return nil
}

// lastContent is the content a modifier applies to: the latest one in the
// sticky buffer (with the transforms in effect) when one is in effect,
// else the latest one.
func (st *ruleState) lastContent(kw string) (*Content, int, error) {
	for i := len(st.r.Matches) - 1; i >= 0; i-- {
		m := &st.r.Matches[i]
		if m.Content == nil || st.hasSticky && (m.Buffer != st.sticky || !SameTransforms(m.Transforms, st.xforms)) {
			continue
		}
		return m.Content, i, nil
	}
	where := ""
	if st.hasSticky && st.sticky != BufferPayload {
		where = " in the " + st.sticky.String() + " buffer"
	}
	return nil, 0, kwErrorf(kw, "needs a preceding content%s", where)
}

func parseNocase(st *ruleState, _ string) error {
	return contentFlag(st, "nocase", func(c *Content) *bool { return &c.NoCase })
}

// contentFlag sets a bare modifier (nocase, startswith, endswith) on the
// preceding content, once.
func contentFlag(st *ruleState, kw string, flag func(*Content) *bool) error {
	c, _, err := st.lastContent(kw)
	if err != nil {
		return err
	}
	f := flag(c)
	if *f {
		return fmt.Errorf("given twice for the same content")
	}
	*f = true
	return nil
}

func parseRawbytes(st *ruleState, _ string) error {
	_, i, err := st.lastContent("rawbytes")
	if err != nil {
		return err
	}
	if b := st.r.Matches[i].Buffer; b != BufferPayload {
		return fmt.Errorf("cannot be used with a content in the %s buffer", b)
	}
	st.mods[i].rawbytes = true
	return nil
}

// modValue parses a content modifier's number.
func modValue(val string, min int) (int, error) {
	n, err := strconv.Atoi(val)
	if err != nil || n < min || n > 65535 || n < -65535 || val[0] == '+' {
		if min == 0 {
			return 0, fmt.Errorf("bad value %q (want 0 to 65535)", clip(val))
		}
		return 0, fmt.Errorf("bad value %q (want -65535 to 65535)", clip(val))
	}
	return n, nil
}

const errAbsRel = "cannot be combined with %s on the same content: offset/depth are absolute, distance/within relative"

// position makes offset, depth, distance or within: a number on the
// preceding content. offset/depth count from the buffer start,
// distance/within from the previous match, so the two kinds never go
// together. depth is kept as written: as in Suricata it counts from the
// content's offset (offset:4; depth:20; searches bytes 4 to 23).
func position(name string) func(*ruleState, string) error {
	relative := name == "distance" || name == "within"
	lowest := 0
	if relative {
		lowest = -65535
	}
	return func(st *ruleState, val string) error {
		c, _, err := st.lastContent(name)
		if err != nil {
			return err
		}
		v, has, bv := &c.Offset, &c.HasOffset, &c.OffsetVar
		switch name {
		case "depth":
			v, has, bv = &c.Depth, &c.HasDepth, &c.DepthVar
		case "distance":
			v, has, bv = &c.Distance, &c.HasDistance, &c.DistanceVar
		case "within":
			v, has, bv = &c.Within, &c.HasWithin, &c.WithinVar
		}
		var n int
		if isVarName(val) {
			// a byte_extract variable's value, read when matching
			*bv, err = st.byteVar(val)
		} else {
			n, err = modValue(val, lowest)
		}
		switch {
		case err != nil:
			return err
		case name == "depth" && n == 0 && *bv == 0:
			return fmt.Errorf("0 is not allowed: no content fits in 0 bytes")
		case *has:
			return fmt.Errorf("given twice for the same content")
		case relative && (c.HasOffset || c.HasDepth):
			return fmt.Errorf(errAbsRel, "offset/depth")
		case !relative && c.Relative():
			return fmt.Errorf(errAbsRel, "distance/within")
		}
		*v, *has = n, true
		return nil
	}
}

// parseFastPattern accepts fast_pattern, fast_pattern:only and
// fast_pattern:offset,length (chop); all mean "prefer this content".
func parseFastPattern(st *ruleState, val string) error {
	c, _, err := st.lastContent("fast_pattern")
	if err != nil {
		return err
	}
	if c.FastPattern {
		return fmt.Errorf("given twice for the same content")
	}
	if st.fastPat {
		return fmt.Errorf("only one content in a rule can be the fast pattern")
	}
	// Suricata takes fast_pattern on a negated content: the prefilter
	// then passes the rule on when the pattern is absent, so which rules
	// alert does not change. Our prefilter never uses a negated content
	// (rulematch), so there it is only a hint. "only" would leave nothing
	// to check the absence with, and a position would be checked by no
	// one, so Suricata refuses those, as here (positions in validate, as
	// they may come after fast_pattern).
	if c.Negated && val == "only" {
		return fmt.Errorf("only cannot be used on a negated content (%q)", clip(string(c.Pattern)))
	}
	switch {
	case val == "", val == "only":
	default:
		off, length, ok := strings.Cut(val, ",")
		o, err1 := strconv.Atoi(strings.TrimSpace(off))
		l, err2 := strconv.Atoi(strings.TrimSpace(length))
		if !ok || err1 != nil || err2 != nil || o < 0 || l < 1 {
			return fmt.Errorf("bad value %q (want only or offset,length)", clip(val))
		}
		if o+l > len(c.Pattern) {
			return fmt.Errorf("%d,%d reaches past the end of the %d-byte content", o, l, len(c.Pattern))
		}
	}
	c.FastPattern, st.fastPat = true, true
	return nil
}

func parseStartsWith(st *ruleState, _ string) error {
	return contentFlag(st, "startswith", func(c *Content) *bool { return &c.StartsWith })
}

func parseEndsWith(st *ruleState, _ string) error {
	return contentFlag(st, "endswith", func(c *Content) *bool { return &c.EndsWith })
}

// sticky makes a sticky buffer keyword: following contents look in b.
// Transforms may follow it (transform.go), but not pkt_data, and none may
// be left pending from the buffer before.
func sticky(b Buffer) func(*ruleState, string) error {
	return func(st *ruleState, _ string) error {
		if len(st.pending) > 0 {
			return fmt.Errorf("no match follows the transforms of %s", st.sticky)
		}
		st.sticky, st.hasSticky = b, true
		st.listSet, st.xforms = b != BufferPayload, nil
		return nil
	}
}

// modBuffer makes an old-style modifier: the preceding content looks in b.
func modBuffer(name string, b Buffer) func(*ruleState, string) error {
	return func(st *ruleState, _ string) error {
		_, i, err := st.lastContent(name)
		if err != nil {
			return err
		}
		if !st.hasSticky || st.sticky == BufferPayload {
			// Suricata moves the last content still in the payload, so
			// a modifier written twice (ET's `content:!"a"; content:!"b";
			// http_host; http_host;`) takes the content before.
			for j := i; j >= 0; j-- {
				if c := st.r.Matches[j].Content; c != nil && st.r.Matches[j].Buffer == BufferPayload {
					i = j
					break
				}
			}
		}
		m := &st.r.Matches[i]
		switch {
		case m.Buffer != BufferPayload:
			return fmt.Errorf("the preceding content is already in the %s buffer", m.Buffer)
		case st.mods[i].rawbytes:
			return fmt.Errorf("cannot be combined with rawbytes")
		}
		m.Buffer = b
		return nil
	}
}

// parseFileData is file_data (file.data): a sticky buffer that Suricata
// refuses when it is given again with nothing matched in it yet
// (ET Open sid 2025232: "file_data; file_data;").
func parseFileData(st *ruleState, _ string) error {
	if st.hasSticky && st.sticky == BufferFileData &&
		(len(st.r.Matches) == 0 || st.r.Matches[len(st.r.Matches)-1].Buffer != BufferFileData) {
		return fmt.Errorf("given twice with no match in between")
	}
	// otherwise a sticky buffer like the others, transforms included
	return sticky(BufferFileData)(st, "")
}
