package rulematch

// Buffer transforms (parsed in signatures/rules transform.go), applied
// when a chain runs on its buffer, in rule order, each reading the one
// before's output, as Suricata's InspectionBufferApplyTransforms does.
// The result lives in scratch, so once the buffers have grown to the
// largest input seen a transform allocates nothing; pcrexform is the
// exception, as Go's regexp returns capture positions in a new slice.

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// transform applies xf to raw and returns the result as written and
// lowercased, both in scratch: valid until the next transform call.
func (s *scratch) transform(xf []rules.Transform, raw []byte) (out, low []byte) {
	in := raw
	for i := range xf {
		// two buffers in turn, so a transform never writes over its input
		dst := s.xfOut[i&1][:0]
		dst = s.applyTransform(&xf[i], in, dst)
		s.xfOut[i&1] = dst
		in = dst
	}
	s.xfLow = lowerASCII(s.xfLow, in)
	return in, s.xfLow
}

// applyTransform appends t applied to in to dst (which never shares
// memory with in) and returns it.
func (s *scratch) applyTransform(t *rules.Transform, in, dst []byte) []byte {
	switch t.Kind {
	case rules.TransformToLowercase:
		return lowerASCII(dst, in)
	case rules.TransformToUppercase:
		for _, c := range in {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
		}
	case rules.TransformStripWhitespace:
		for _, c := range in {
			if !rules.IsSpace(c) {
				dst = append(dst, c)
			}
		}
	case rules.TransformCompressWhitespace:
		// a run of whitespace keeps its first byte, whatever it is
		// (Suricata's code, though its docs say "a single space")
		for i, c := range in {
			if !rules.IsSpace(c) || i == 0 || !rules.IsSpace(in[i-1]) {
				dst = append(dst, c)
			}
		}
	case rules.TransformURLDecode:
		dst = urlDecode(dst, in)
	case rules.TransformDotPrefix:
		if len(in) > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, in...)
	case rules.TransformToMD5:
		sum := md5.Sum(in)
		dst = append(dst, sum[:]...)
	case rules.TransformToSHA1:
		sum := sha1.Sum(in)
		dst = append(dst, sum[:]...)
	case rules.TransformToSHA256:
		sum := sha256.Sum256(in)
		dst = append(dst, sum[:]...)
	case rules.TransformXor:
		for i, c := range in {
			dst = append(dst, c^t.Key[i%len(t.Key)])
		}
	case rules.TransformHeaderLowercase:
		dst = headerLowercase(dst, in)
	case rules.TransformStripPseudoHeaders:
		dst = stripPseudoHeaders(dst, in)
	case rules.TransformPCREXform:
		dst = s.pcrexform(t, in, dst)
	default:
		// the parser makes no other kind; leaving the buffer as it is
		// beats a panic on a hand-built rule
		dst = append(dst, in...)
	}
	return dst
}

// urlDecode decodes %HH escapes (either case of hex digit) and turns + into
// a space; a % not followed by two hex digits, including one cut off by
// the end, stays as it is, as does %u (Suricata's BufferUrlDecode).
func urlDecode(dst, in []byte) []byte {
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '%' && i+2 < len(in) && isHexDigit(in[i+1]) && isHexDigit(in[i+2]):
			dst = append(dst, hexDigit(in[i+1])<<4|hexDigit(in[i+2]))
			i += 2
		case c == '+':
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexDigit(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// headerLowercase lowercases each line's header name: the bytes from a
// line's start to its first ':' (a line with none is lowercased whole);
// values keep their case up to and including the '\n' that ends them.
func headerLowercase(dst, in []byte) []byte {
	value := false
	for _, c := range in {
		switch {
		case !value && c == ':':
			value = true
		case !value && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case value && c == '\n':
			value = false
		}
		dst = append(dst, c)
	}
	return dst
}

// stripPseudoHeaders drops each line whose first byte after the line
// breaks is ':' (an HTTP/2 pseudo-header such as ":method: GET"),
// its '\n' included; other lines, and the CR/LF bytes that open a line,
// are kept (Suricata's DetectTransformStripPseudoHeaders).
func stripPseudoHeaders(dst, in []byte) []byte {
	newLine, pseudo := true, false
	for _, c := range in {
		if newLine {
			if c == ':' {
				pseudo = true
			}
			if c != '\r' && c != '\n' {
				newLine = false
			}
		} else if c == '\n' {
			newLine = true
			if !pseudo {
				dst = append(dst, c)
			}
			pseudo = false
			continue
		}
		if !pseudo {
			dst = append(dst, c)
		}
	}
	return dst
}

// pcrexform appends the first capture of the regexp's first match in in;
// with no match, or a capture that took no part in it, the buffer stays
// as it is (Suricata 7 leaves it unchanged; 8 fails the inspection).
func (s *scratch) pcrexform(t *rules.Transform, in, dst []byte) []byte {
	subj, wide := s.presentLatin1(in)
	loc := t.Re.FindSubmatchIndex(subj)
	if len(loc) < 4 || loc[2] < 0 {
		return append(dst, in...)
	}
	lo, hi := loc[2], loc[3]
	if wide {
		lo, hi = latin1Bytes(subj[:lo]), latin1Bytes(subj[:hi])
	}
	return append(dst, in[lo:hi]...)
}

// transformedPrefilter returns the part of pattern, a content of a chain
// with transforms xf, that the untransformed buffer must hold, for the
// prefilter's search of the payload; ok is false when there is none.
// The prefilter folds case, so what a case transform (to_lowercase,
// to_uppercase, header_lowercase) turned into the pattern is found in the
// payload as it was; a dotprefix match holds at most the added dot
// before bytes of the buffer, so the pattern less its first byte is
// there. Any other transform makes bytes the payload need not hold.
func transformedPrefilter(xf []rules.Transform, pattern []byte) (piece []byte, ok bool) {
	piece = pattern
	for _, t := range xf {
		switch t.Kind {
		case rules.TransformToLowercase, rules.TransformToUppercase, rules.TransformHeaderLowercase:
		case rules.TransformDotPrefix:
			if len(piece) < 2 {
				return nil, false
			}
			piece = piece[1:]
		default:
			return nil, false
		}
	}
	return piece, true
}
