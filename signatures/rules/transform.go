package rules

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Buffer transforms (Suricata 7's "Transformations"): keywords written
// right after a sticky buffer that change the buffer before the matches
// after them look at it, applied in rule order. They are parsed here, the
// way detect-parse.c sets them up (DetectSignatureAddTransform,
// DetectBufferGetActiveList), and applied by the matcher.
//
// Suricata keeps a transformed buffer as a buffer of its own: the
// transforms pending after a sticky buffer are taken up by the first
// content, pcre, byte check or bsize that follows, which with every later
// match up to the next sticky buffer looks in the transformed buffer. So
// "http.uri; content:"a"; http.uri; to_lowercase; content:"b";" has two
// chains, one per buffer. Suricata refuses, and so does this parser:
//
//   - a transform that does not directly follow a sticky buffer (no
//     sticky buffer, pkt_data, or transforms already taken up by a match);
//   - a sticky buffer, pkt_data, or the end of the rule, while transforms
//     are pending ("no matches following transform(s)");
//   - a content incompatible with the transforms of its buffer (each
//     transform's TransformValidate): uppercase letters after to_lowercase,
//     lowercase ones after to_uppercase, whitespace after strip_whitespace,
//     two whitespace bytes in a row after compress_whitespace. Negated
//     contents are not checked, as in Suricata;
//   - more than 16 transforms on one buffer (DETECT_TRANSFORMS_MAX).
//
// from_base64 is a Suricata 8 transform: Suricata 7 does not know it, so a
// rule using it is skipped, not parsed.

// Transform is one transform keyword with its option.
type Transform struct {
	Kind TransformKind
	// Key is xor's key, decoded from hex.
	Key []byte
	// Re is pcrexform's regular expression, compiled as pcre: patterns
	// are (for a buffer presented one rune per byte); its only capture is
	// what the buffer becomes. Source is the pattern as written.
	Re     *regexp.Regexp
	Source string
}

// TransformKind is a transform keyword.
type TransformKind uint8

// Transform keywords; the zero value is none.
const (
	TransformToLowercase        TransformKind = iota + 1 // ASCII letters to lowercase
	TransformToUppercase                                 // ASCII letters to uppercase
	TransformStripWhitespace                             // drop every isspace() byte
	TransformCompressWhitespace                          // keep the first isspace() byte of each run
	TransformURLDecode                                   // %HH to the byte, + to space
	TransformDotPrefix                                   // a "." before a non-empty buffer
	TransformToMD5                                       // the buffer's MD5, 16 raw bytes
	TransformToSHA1                                      // its SHA-1, 20 raw bytes
	TransformToSHA256                                    // its SHA-256, 32 raw bytes
	TransformXor                                         // each byte xor the key, cycled
	TransformHeaderLowercase                             // header names (up to each line's ':') to lowercase
	TransformStripPseudoHeaders                          // drop lines starting with ':' (HTTP/2 pseudo-headers)
	TransformPCREXform                                   // the regexp's first capture of its first match
)

// String returns the keyword.
func (k TransformKind) String() string {
	return enumName("TransformKind", uint8(k), "", "to_lowercase", "to_uppercase", "strip_whitespace",
		"compress_whitespace", "url_decode", "dotprefix", "to_md5", "to_sha1", "to_sha256", "xor",
		"header_lowercase", "strip_pseudo_headers", "pcrexform")
}

// String returns the transform as a rule writes it.
func (t Transform) String() string {
	switch t.Kind {
	case TransformXor:
		return fmt.Sprintf(`xor:"%x"`, t.Key)
	case TransformPCREXform:
		return fmt.Sprintf("pcrexform:%q", t.Source)
	}
	return t.Kind.String()
}

// SameTransforms reports whether a and b are the same transforms in the
// same order, so they make the same buffer (Suricata reuses one buffer
// per base buffer and transform list, options included).
func SameTransforms(a, b []Transform) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || !bytes.Equal(a[i].Key, b[i].Key) || a[i].Source != b[i].Source {
			return false
		}
	}
	return true
}

// maxTransforms is how many transforms one buffer may have
// (DETECT_TRANSFORMS_MAX).
const maxTransforms = 16

// simpleTransform makes the parser of a transform without an option.
func simpleTransform(k TransformKind) func(*ruleState, string) error {
	return func(st *ruleState, _ string) error {
		return st.addTransform(Transform{Kind: k})
	}
}

// addTransform records a transform for the sticky buffer just named.
func (st *ruleState) addTransform(t Transform) error {
	switch {
	case !st.hasSticky || st.sticky == BufferPayload:
		return fmt.Errorf("transforms must directly follow a sticky buffer")
	case !st.listSet:
		return fmt.Errorf("transforms must directly follow a sticky buffer, but a match already took up the transforms of %s", st.sticky)
	case len(st.pending) >= maxTransforms:
		return fmt.Errorf("more than %d transforms on one buffer", maxTransforms)
	}
	st.pending = append(st.pending, t)
	return nil
}

// takeTransforms is called by each keyword that adds a match (or bsize) in
// buf: the pending transforms, if any, now make buf's transformed buffer,
// which the following matches look in too. It returns the transforms of
// the buffer the match looks in.
func (st *ruleState) takeTransforms(buf Buffer) ([]Transform, error) {
	sticky := st.hasSticky && buf == st.sticky && buf != BufferPayload
	if len(st.pending) > 0 {
		if !sticky {
			return nil, fmt.Errorf("the transforms after %s must be followed by a match in that buffer", st.sticky)
		}
		st.xforms, st.pending, st.listSet = st.pending, nil, false
	}
	if !sticky {
		return nil, nil
	}
	return st.xforms, nil
}

// checkTransformContent refuses a content its buffer's transforms make
// impossible, as Suricata's TransformValidate callbacks do (bytes are
// tested as C's isupper, islower and isspace do in the C locale).
func checkTransformContent(xf []Transform, c *Content) error {
	if c.Negated {
		return nil
	}
	p := c.Pattern
	for _, t := range xf {
		bad := false
		switch t.Kind {
		case TransformToLowercase:
			bad = bytes.IndexFunc(p, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
		case TransformToUppercase:
			bad = bytes.IndexFunc(p, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0
		case TransformStripWhitespace:
			bad = bytes.IndexFunc(p, func(r rune) bool { return r < 0x80 && IsSpace(byte(r)) }) >= 0
		case TransformCompressWhitespace:
			for i := 0; i+1 < len(p); i++ {
				if IsSpace(p[i]) && IsSpace(p[i+1]) {
					bad = true
					break
				}
			}
		}
		if bad {
			return fmt.Errorf("content %q is incompatible with the %s transform: it can never match", clip(string(p)), t.Kind)
		}
	}
	return nil
}

// IsSpace reports whether C's isspace() (C locale) is true for b: space,
// \t, \n, \v, \f or \r.
func IsSpace(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' }

// quotedOption returns the text between the quotes of a transform option
// that must be quoted (Suricata's SIGMATCH_QUOTES_MANDATORY).
func quotedOption(val string) (string, error) {
	if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
		return "", fmt.Errorf("value must be quoted: %q", clip(val))
	}
	return val[1 : len(val)-1], nil
}

// parseXor parses xor:"hexkey": a key of 1 to 255 bytes written as hex.
func parseXor(st *ruleState, val string) error {
	s, err := quotedOption(val)
	if err != nil {
		return err
	}
	switch {
	case s == "":
		return fmt.Errorf("empty key")
	case len(s)%2 == 1:
		return fmt.Errorf("key %q has an odd number of hex digits", clip(s))
	case len(s)/2 > 255:
		return fmt.Errorf("key of %d bytes is too long (at most 255)", len(s)/2)
	}
	key := make([]byte, len(s)/2)
	for i := range key {
		hi, lo := s[2*i], s[2*i+1]
		if !isHex(hi) || !isHex(lo) {
			return fmt.Errorf("key %q must be hex digits only", clip(s))
		}
		key[i] = byte(hexVal(hi)<<4 | hexVal(lo))
	}
	return st.addTransform(Transform{Kind: TransformXor, Key: key})
}

// parsePCREXform parses pcrexform:"regex": a PCRE pattern without
// delimiters or flags (Suricata compiles it with none), with exactly one
// capturing group.
func parsePCREXform(st *ruleState, val string) error {
	src, err := quotedOption(val)
	if err != nil {
		return err
	}
	if src == "" {
		return fmt.Errorf("empty regular expression")
	}
	conv, err := convertPCRE(src, pcreOpts{})
	if err != nil {
		var se *skipError
		if errors.As(err, &se) {
			se.keyword = "pcrexform"
			se.reason = strings.Replace(se.reason, "pcre uses", "pcrexform uses", 1)
		}
		return err
	}
	re, err := regexp.Compile(conv)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			switch se.Code {
			case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
				syntax.ErrMissingRepeatArgument, syntax.ErrInvalidCharRange, syntax.ErrTrailingBackslash:
				return fmt.Errorf("bad regular expression %q: %s", clip(src), se.Code)
			}
		}
		return skipf("pcrexform", "pcrexform %q cannot be compiled as RE2: %v", clip(src), err)
	}
	if n := re.NumSubexp(); n != 1 {
		return fmt.Errorf("needs exactly one capturing group, %q has %d", clip(src), n)
	}
	return st.addTransform(Transform{Kind: TransformPCREXform, Re: re, Source: src})
}
