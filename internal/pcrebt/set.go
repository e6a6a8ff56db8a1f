package pcrebt

// byteSet is a set of byte values, one bit each: what one subject byte
// may be at a point of the pattern.
type byteSet [4]uint64

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s *byteSet) add(b byte) { s[b>>6] |= 1 << (b & 63) }

func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

func (s *byteSet) union(o *byteSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

func (s *byteSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}

func (s *byteSet) intersects(o *byteSet) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// single returns the set's only member when it has exactly one.
func (s *byteSet) single() (byte, bool) {
	n, v := 0, byte(0)
	for c := 0; c < 256; c++ {
		if s.has(byte(c)) {
			n++
			v = byte(c)
			if n > 1 {
				return 0, false
			}
		}
	}
	return v, n == 1
}

// foldASCII adds the other case of every ASCII letter in s: PCRE's
// caseless matching without UTF uses the C locale's tables, where only
// A-Z and a-z have another case.
func (s *byteSet) foldASCII() {
	for c := byte('A'); c <= 'Z'; c++ {
		if s.has(c) || s.has(c+'a'-'A') {
			s.add(c)
			s.add(c + 'a' - 'A')
		}
	}
}

// The escapes' classes in PCRE2's default (C locale, non-UTF) tables.
func digitSet() byteSet {
	var s byteSet
	s.addRange('0', '9')
	return s
}

func wordSet() byteSet {
	var s byteSet
	s.addRange('0', '9')
	s.addRange('A', 'Z')
	s.addRange('a', 'z')
	s.add('_')
	return s
}

// spaceSet is \s: since PCRE2 (and PCRE 8.34) it includes VT (0x0b).
func spaceSet() byteSet {
	var s byteSet
	s.addRange('\t', '\r')
	s.add(' ')
	return s
}

// hspaceSet is \h without UTF: tab, space and NBSP (0xa0).
func hspaceSet() byteSet {
	var s byteSet
	s.add('\t')
	s.add(' ')
	s.add(0xa0)
	return s
}

// vspaceSet is \v without UTF: LF, VT, FF, CR and NEL (0x85).
func vspaceSet() byteSet {
	var s byteSet
	s.addRange('\n', '\r')
	s.add(0x85)
	return s
}

func isWord(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// posixClass returns the set a [:name:] class names, in the C locale.
func posixClass(name string) (byteSet, bool) {
	var s byteSet
	switch name {
	case "alpha":
		s.addRange('a', 'z')
		s.addRange('A', 'Z')
	case "digit":
		s.addRange('0', '9')
	case "alnum":
		s.addRange('a', 'z')
		s.addRange('A', 'Z')
		s.addRange('0', '9')
	case "word":
		s = wordSet()
	case "space":
		s = spaceSet()
	case "blank":
		s.add(' ')
		s.add('\t')
	case "upper":
		s.addRange('A', 'Z')
	case "lower":
		s.addRange('a', 'z')
	case "xdigit":
		s.addRange('0', '9')
		s.addRange('a', 'f')
		s.addRange('A', 'F')
	case "punct":
		for c := byte('!'); c <= '~'; c++ {
			if !isWord(c) || c == '_' {
				s.add(c)
			}
		}
	case "print":
		s.addRange(' ', '~')
	case "graph":
		s.addRange('!', '~')
	case "cntrl":
		s.addRange(0, 0x1f)
		s.add(0x7f)
	case "ascii":
		s.addRange(0, 0x7f)
	default:
		return s, false
	}
	return s, true
}
