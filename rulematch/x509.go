package rulematch

// The certificate buffers: a leaf certificate's subject, issuer, serial
// number and SHA-1 fingerprint, in the text Suricata 7 gives them (its
// Rust x509-parser's): a name is its relative distinguished names in the
// order encoded, joined by ", ", each attribute "ABBREV=value" (several
// in one RDN joined by " + "), where ABBREV is CN, C, L, ST, O, OU, DC or
// Email, another attribute's short name (serialNumber, title, ...), or
// "OID(2.5.4.97)" for an attribute without one; string values are their
// bytes (BMPString decoded from UTF-16), other values their bytes in
// uppercase hex. The serial is its INTEGER's bytes in uppercase hex
// joined by ":", the fingerprint the SHA-1 of the DER in lowercase hex
// joined by ":".
//
// The DER is walked in place, with each length checked against what
// encloses it, and the text appended to the side's values, so a
// certificate costs no allocation. Where Suricata's parser would give no
// text the buffer is absent: a certificate that does not decode as far as
// its subject gives none of the four (fingerprint included, unlike
// Suricata, which fingerprints any bytes), and a name holding a NUL byte
// or a string that is not UTF-8 gives no name buffer (Suricata hands the
// name to C as a NUL-terminated string).

import (
	"crypto/sha1"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// DER tags used.
const (
	derInteger   = 0x02
	derOID       = 0x06
	derSequence  = 0x30
	derSet       = 0x31
	derVersion   = 0xa0 // [0] EXPLICIT, the version
	derBMPString = 0x1e
)

// derNext reads one element from b: its tag, its contents and what
// follows it. ok is false when b does not start with a whole element
// (multi-byte tags and indefinite lengths are not DER certificates').
func derNext(b []byte) (tag byte, content, rest []byte, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, nil, nil, false
	}
	l, off := int(b[1]), 2
	if l >= 0x80 {
		n := l & 0x7f
		if n == 0 || n > 3 || len(b) < 2+n {
			return 0, nil, nil, false
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		off += n
	}
	if l > len(b)-off {
		return 0, nil, nil, false
	}
	return b[0], b[off : off+l], b[off+l:], true
}

// certificate sets the certificate buffers from one DER certificate.
func (h *handshakeSide) certificate(der []byte) {
	tag, cert, _, ok := derNext(der)
	if !ok || tag != derSequence {
		return
	}
	tag, tbs, _, ok := derNext(cert)
	if !ok || tag != derSequence {
		return
	}
	var issuer, subject []byte
	tag, el, rest, ok := derNext(tbs)
	if ok && tag == derVersion {
		tag, el, rest, ok = derNext(rest)
	}
	if !ok || tag != derInteger || len(el) == 0 {
		return
	}
	serial := el
	if tag, _, rest, ok = derNext(rest); !ok || tag != derSequence { // signature algorithm
		return
	}
	if tag, issuer, rest, ok = derNext(rest); !ok || tag != derSequence {
		return
	}
	if tag, _, rest, ok = derNext(rest); !ok || tag != derSequence { // validity
		return
	}
	if tag, subject, _, ok = derNext(rest); !ok || tag != derSequence {
		return
	}
	start := len(h.vals)
	if h.vals, ok = appendX509Name(h.vals, subject); ok {
		h.endValue(rules.BufferTLSCertSubject, start)
	} else {
		h.vals = h.vals[:start]
	}
	start = len(h.vals)
	if h.vals, ok = appendX509Name(h.vals, issuer); ok {
		h.endValue(rules.BufferTLSCertIssuer, start)
	} else {
		h.vals = h.vals[:start]
	}
	start = len(h.vals)
	h.vals = appendHexColons(h.vals, serial, hexUpper)
	h.endValue(rules.BufferTLSCertSerial, start)
	sum := sha1.Sum(der)
	start = len(h.vals)
	h.vals = appendHexColons(h.vals, sum[:], hexLower)
	h.endValue(rules.BufferTLSCertFingerprint, start)
}

const (
	hexUpper = "0123456789ABCDEF"
	hexLower = "0123456789abcdef"
)

// appendHexColons appends b as hex digits, two per byte, joined by ":".
func appendHexColons(v, b []byte, digits string) []byte {
	for i, c := range b {
		if i > 0 {
			v = append(v, ':')
		}
		v = append(v, digits[c>>4], digits[c&0x0f])
	}
	return v
}

// appendX509Name appends the text of a Name's contents; ok is false when
// it does not decode or its text could not be a C string.
func appendX509Name(v, name []byte) ([]byte, bool) {
	firstRDN := true
	for len(name) > 0 {
		tag, rdn, rest, ok := derNext(name)
		if !ok || tag != derSet {
			return v, false
		}
		name = rest
		if !firstRDN {
			v = append(v, ", "...)
		}
		firstRDN = false
		firstATV := true
		for len(rdn) > 0 {
			tag, atv, rest, ok := derNext(rdn)
			if !ok || tag != derSequence {
				return v, false
			}
			rdn = rest
			tag, oid, val, ok := derNext(atv)
			if !ok || tag != derOID || len(oid) == 0 {
				return v, false
			}
			vtag, value, _, ok := derNext(val)
			if !ok {
				return v, false
			}
			if !firstATV {
				v = append(v, " + "...)
			}
			firstATV = false
			if v, ok = appendAttrName(v, oid); !ok {
				return v, false
			}
			v = append(v, '=')
			if v, ok = appendAttrValue(v, vtag, value); !ok {
				return v, false
			}
		}
	}
	return v, true
}

// appendAttrValue appends an attribute value as x509-parser renders it.
func appendAttrValue(v []byte, tag byte, value []byte) ([]byte, bool) {
	switch tag {
	case 0x07, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b:
		// ObjectDescriptor, UTF8String, NumericString, PrintableString,
		// T61String, VideotexString, IA5String, GraphicString,
		// VisibleString, GeneralString: the bytes, which must be UTF-8
		if !utf8.Valid(value) || containsNUL(value) {
			return v, false
		}
		return append(v, value...), true
	case derBMPString:
		if len(value)%2 != 0 {
			return v, false
		}
		for i := 0; i < len(value); {
			r := rune(value[i])<<8 | rune(value[i+1])
			i += 2
			if utf16.IsSurrogate(r) {
				if i+1 >= len(value) {
					return v, false
				}
				r = utf16.DecodeRune(r, rune(value[i])<<8|rune(value[i+1]))
				i += 2
			}
			if r == utf8.RuneError || r == 0 {
				return v, false
			}
			v = utf8.AppendRune(v, r)
		}
		return v, true
	}
	for _, c := range value {
		v = append(v, hexUpper[c>>4], hexUpper[c&0x0f])
	}
	return v, true
}

func containsNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// appendAttrName appends an attribute type's abbreviation or short name
// (x509-parser's, then its OID registry's), or OID(dotted) for others.
func appendAttrName(v, oid []byte) ([]byte, bool) {
	if name := attrName(oid); name != "" {
		return append(v, name...), true
	}
	v = append(v, "OID("...)
	v, ok := appendOID(v, oid)
	return append(v, ')'), ok
}

func attrName(oid []byte) string {
	if len(oid) == 3 && oid[0] == 0x55 && oid[1] == 0x04 { // 2.5.4.x
		switch oid[2] {
		case 0:
			return "objectClass"
		case 1:
			return "aliasedEntryName"
		case 2:
			return "knowledgeInformation"
		case 3:
			return "CN"
		case 4:
			return "surname"
		case 5:
			return "serialNumber"
		case 6:
			return "C"
		case 7:
			return "L"
		case 8:
			return "ST"
		case 9:
			return "streetAddress"
		case 10:
			return "O"
		case 11:
			return "OU"
		case 12:
			return "title"
		case 13:
			return "description"
		}
		return ""
	}
	switch string(oid) {
	case "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01": // 1.2.840.113549.1.9.1
		return "Email"
	case "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x02": // 1.2.840.113549.1.9.2
		return "unstructuredName"
	case "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19": // 0.9.2342.19200300.100.1.25
		return "DC"
	}
	return ""
}

// appendOID appends an OID's contents in dotted form; ok is false when an
// arc does not end or overflows.
func appendOID(v, oid []byte) ([]byte, bool) {
	var arc uint64
	first := true
	for i, c := range oid {
		if arc > 1<<56 {
			return v, false
		}
		arc = arc<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(oid)-1 {
				return v, false
			}
			continue
		}
		if first {
			x := min(arc/40, 2)
			v = strconv.AppendUint(v, x, 10)
			v = append(v, '.')
			arc -= x * 40
			first = false
		} else {
			v = append(v, '.')
		}
		v = strconv.AppendUint(v, arc, 10)
		arc = 0
	}
	return v, true
}
