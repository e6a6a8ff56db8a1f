package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// PCRE to RE2. Suricata runs pcre: with libpcre2 on raw bytes; Go's regexp
// is RE2, which guarantees linear time and so has no backreferences,
// lookaround, atomic groups, possessive quantifiers, recursion or
// backtracking verbs. A rule using one is skipped with the construct named.
// Everything else is rewritten to the RE2 spelling of the same thing:
//
//   - \h \v \R \e \cX \Z, octal escapes and bytes >= 0x80 become explicit
//     characters or classes (RE2 lacks them or, for \v, means something
//     else);
//   - "$" without the m flag matches at the end or before a final newline
//     in PCRE, only at the end in RE2, so it becomes (?:\n?\z) (the match
//     then includes that newline, which moves a following relative match
//     by at most one byte);
//   - the x flag's whitespace and # comments, and (?#...) comments, are
//     removed; A (anchored) wraps the pattern in \A(?:...); G is (?U).
//
// Byte semantics: PCRE sees bytes, RE2 sees UTF-8 runes. Every byte value
// in a converted pattern is written as the rune of the same number
// (\xff is U+00FF), so the compiled Re is exact on a buffer whose bytes
// are presented one rune per byte (Latin-1 → UTF-8). On the raw buffer it
// is exact for ASCII-only patterns; a pattern naming bytes >= 0x80 will
// not find them there.

// maxRepeat is RE2's largest repetition count; PCRE allows 65535.
const maxRepeat = 1000

type pcreOpts struct {
	extended, multiline, anchored, dollarEndOnly bool
}

// convertPCRE rewrites a PCRE pattern in RE2 syntax, or says why it
// cannot (a *skipError) or that it is malformed.
func convertPCRE(src string, o pcreOpts) (string, error) {
	c := pcreConv{src: src, opts: o, atom: -1}
	c.countGroups()
	if inlineMultiline(src) {
		c.opts.multiline = true
	}
	for c.i < len(c.src) {
		if err := c.next(); err != nil {
			return "", err
		}
	}
	return c.out.String(), nil
}

type pcreConv struct {
	src    string
	i      int
	out    strings.Builder
	opts   pcreOpts
	groups int // capturing groups, to tell \12 (backreference) from octal
	// atom is where the last quantifiable item starts in out (-1: none),
	// so a count above RE2's limit can repeat it (splitRepeat); opens
	// holds the out offsets of the groups still open.
	atom  int
	opens []int
}

func unsupported(what string) error {
	return skipf("pcre", "pcre uses %s, which RE2 does not support", what)
}

// countGroups counts capturing groups (roughly: unescaped "(" not followed
// by "?" outside classes, and named groups).
func (c *pcreConv) countGroups() {
	inClass := false
	for i := 0; i < len(c.src); i++ {
		switch ch := c.src[i]; {
		case ch == '\\':
			i++
		case inClass:
			inClass = ch != ']'
		case ch == '[':
			inClass = true
			if i+1 < len(c.src) && c.src[i+1] == ']' {
				i++
			}
		case ch == '(':
			rest := c.src[i+1:]
			if !strings.HasPrefix(rest, "?") || strings.HasPrefix(rest, "?<") && !strings.HasPrefix(rest, "?<=") && !strings.HasPrefix(rest, "?<!") ||
				strings.HasPrefix(rest, "?P<") || strings.HasPrefix(rest, "?'") {
				c.groups++
			}
		}
	}
}

// inlineMultiline reports an inline (?m...) flag group; "$" is then left
// alone everywhere, as (?m)$ means the same in both.
func inlineMultiline(src string) bool {
	for i := 0; i+2 < len(src); i++ {
		if src[i] == '\\' {
			i++
			continue
		}
		if src[i] != '(' || src[i+1] != '?' {
			continue
		}
		for j := i + 2; j < len(src); j++ {
			ch := src[j]
			if ch == 'm' {
				return true
			}
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '-') {
				break
			}
		}
	}
	return false
}

func (c *pcreConv) peek(off int) byte {
	if c.i+off < len(c.src) {
		return c.src[c.i+off]
	}
	return 0
}

// lit writes one character value as a literal.
func (c *pcreConv) lit(v int) {
	switch {
	case v < 0x80 && (v >= '0' && v <= '9' || v >= 'a' && v <= 'z' || v >= 'A' && v <= 'Z'):
		c.out.WriteByte(byte(v))
		return
	case v > ' ' && v < 0x7F:
		// ASCII punctuation: a backslash makes it literal in RE2.
		c.out.WriteByte('\\')
		c.out.WriteByte(byte(v))
		return
	}
	fmt.Fprintf(&c.out, `\x{%X}`, v)
}

func (c *pcreConv) next() error {
	ch := c.src[c.i]
	// Whitespace and comments under x leave the last atom as it is; a
	// quantifier may follow them.
	if c.opts.extended && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v' || ch == '#') {
		return c.skipExtended()
	}
	start := c.out.Len()
	switch {
	case ch == '\\':
		c.atom = start
		return c.escape(false)
	case ch == '[':
		c.atom = start
		return c.class()
	case ch == '(':
		c.atom = -1
		return c.group()
	case ch == ')':
		c.atom = -1
		if n := len(c.opens); n > 0 {
			c.atom = c.opens[n-1]
			c.opens = c.opens[:n-1]
		}
		c.out.WriteByte(ch)
		c.i++
	case ch == '|':
		c.atom = -1
		c.out.WriteByte(ch)
		c.i++
	case ch == '*' || ch == '+' || ch == '?':
		c.atom = -1
		c.out.WriteByte(ch)
		c.i++
		return c.afterQuantifier()
	case ch == '{':
		if n, lo, hi, ok := c.repeat(); ok {
			spec := c.src[c.i : c.i+n]
			c.i += n
			if lo > maxRepeat || hi > maxRepeat {
				if err := c.splitRepeat(spec, lo, hi, strings.HasSuffix(spec, ",}")); err != nil {
					return err
				}
			} else {
				c.out.WriteString(spec)
			}
			c.atom = -1
			return c.afterQuantifier()
		}
		c.atom = start
		c.out.WriteString(`\{`)
		c.i++
	case ch == '$':
		c.atom = start
		if c.opts.multiline || c.opts.dollarEndOnly {
			c.out.WriteByte('$')
		} else {
			c.out.WriteString(`(?:\n?\z)`)
		}
		c.i++
	case ch >= 0x80:
		c.atom = start
		c.lit(int(ch))
		c.i++
	case ch == '^':
		c.atom = -1
		c.out.WriteByte(ch)
		c.i++
	default:
		c.atom = start
		c.out.WriteByte(ch)
		c.i++
	}
	return nil
}

// skipExtended drops x-flag whitespace or a # comment up to the newline.
func (c *pcreConv) skipExtended() error {
	if c.src[c.i] != '#' {
		c.i++
		return nil
	}
	for c.i < len(c.src) && c.src[c.i] != '\n' {
		c.i++
	}
	return nil
}

// maxPCRERepeat is PCRE2's largest repetition count; a larger one is a
// compile error there, so Suricata rejects the rule.
const maxPCRERepeat = 65535

// splitRepeat writes X{lo,hi} (hi < 0: X{lo,}), where a count is above
// RE2's 1000, as a sequence of repeats RE2 accepts. Counted repetition of
// any X is the same as writing it out, so X{2500} is X{1000}X{1000}X{500}
// and X{n,} is X{n}X*: the same language, and for X{n}X* and X{n}X{0,m-n}
// the same greedy (or lazy) preference, hence the same match as PCRE's,
// end included. Nesting X{1000} inside another repeat would not do: RE2
// limits the product of nested counts to 1000 as well. The sequence costs
// one program instruction per copy of X, as the repeat it stands for; RE2
// still runs it in linear time.
//
// Not split: X{lo,hi} whose optional part hi-lo is itself above 1000
// (X{0,k} split in two would prefer a different length than PCRE's
// greedy X{0,k}), an X that holds a capturing group (the copies would
// renumber groups) or nothing to repeat.
func (c *pcreConv) splitRepeat(spec string, lo, hi int, open bool) error {
	if lo > maxPCRERepeat || hi > maxPCRERepeat {
		return fmt.Errorf("repetition count in %s is above PCRE's limit of %d", spec, maxPCRERepeat)
	}
	if open {
		hi = -1
	}
	if hi >= 0 && hi < lo {
		return fmt.Errorf("repetition %s has its numbers out of order", spec)
	}
	if hi >= 0 && hi-lo > maxRepeat {
		return unsupported(fmt.Sprintf("a repetition count above %d (%s) with more than %d optional copies", maxRepeat, spec, maxRepeat))
	}
	if c.atom < 0 || c.atom >= c.out.Len() {
		return unsupported(fmt.Sprintf("a repetition count above %d (%s) on something that is not an atom", maxRepeat, spec))
	}
	x := c.out.String()[c.atom:]
	if hasCapture(x) {
		return unsupported(fmt.Sprintf("a repetition count above %d (%s) on a capturing group", maxRepeat, spec))
	}
	// X is already written once; make it X{1000} and append the rest.
	// A lazy "?" after the spec is copied by the caller after the last
	// quantifier written: the optional tail, the only part with a choice.
	for left, first := lo, true; left > 0; first = false {
		k := min(left, maxRepeat)
		if !first {
			c.out.WriteString(x)
		}
		fmt.Fprintf(&c.out, "{%d}", k)
		left -= k
	}
	tail := ""
	switch {
	case hi < 0:
		tail = "*"
	case hi > lo:
		tail = fmt.Sprintf("{0,%d}", hi-lo)
	}
	if tail != "" {
		if lo > 0 {
			c.out.WriteString(x)
		}
		c.out.WriteString(tail)
	}
	return nil
}

// hasCapture reports whether RE2 text x holds a capturing group.
func hasCapture(x string) bool {
	inClass := false
	for i := 0; i < len(x); i++ {
		switch ch := x[i]; {
		case ch == '\\':
			i++
		case inClass:
			inClass = ch != ']'
		case ch == '[':
			inClass = true
			if i+1 < len(x) && x[i+1] == '^' {
				i++
			}
			if i+1 < len(x) && x[i+1] == ']' {
				i++
			}
		case ch == '(':
			if i+1 >= len(x) || x[i+1] != '?' || strings.HasPrefix(x[i+1:], "?P<") {
				return true
			}
		}
	}
	return false
}

// afterQuantifier handles what may follow a quantifier: "?" (lazy, RE2
// has it) or "+" (possessive, RE2 has not).
func (c *pcreConv) afterQuantifier() error {
	switch c.peek(0) {
	case '+':
		return unsupported("a possessive quantifier (" + string(c.src[c.i-1]) + "+)")
	case '?':
		c.out.WriteByte('?')
		c.i++
	}
	return nil
}

// repeat reads {n}, {n,} or {n,m} at c.i; anything else is a literal "{"
// in PCRE.
func (c *pcreConv) repeat() (n, lo, hi int, ok bool) {
	end := strings.IndexByte(c.src[c.i:], '}')
	if end < 0 {
		return 0, 0, 0, false
	}
	inner := c.src[c.i+1 : c.i+end]
	a, b, comma := strings.Cut(inner, ",")
	if !allDigits(a) || a == "" || comma && b != "" && !allDigits(b) {
		return 0, 0, 0, false
	}
	lo = atoiCap(a)
	hi = lo
	if comma && b != "" {
		hi = atoiCap(b)
	}
	return end + 1, lo, hi, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoiCap parses digits, capping at a value above every limit.
func atoiCap(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<20 {
			return 1 << 20
		}
	}
	return n
}

func (c *pcreConv) class() error {
	c.out.WriteByte('[')
	c.i++
	if c.peek(0) == '^' {
		c.out.WriteByte('^')
		c.i++
	}
	if c.peek(0) == ']' {
		c.out.WriteString(`\]`)
		c.i++
	}
	for c.i < len(c.src) {
		ch := c.src[c.i]
		switch {
		case ch == ']':
			c.out.WriteByte(']')
			c.i++
			return nil
		case ch == '\\':
			if err := c.escape(true); err != nil {
				return err
			}
		case ch == '[':
			if strings.HasPrefix(c.src[c.i:], "[:") {
				if end := strings.Index(c.src[c.i+2:], ":]"); end >= 0 {
					c.out.WriteString(c.src[c.i : c.i+end+4])
					c.i += end + 4
					continue
				}
			}
			c.out.WriteString(`\[`)
			c.i++
		case ch >= 0x80:
			c.lit(int(ch))
			c.i++
		default:
			c.out.WriteByte(ch)
			c.i++
		}
	}
	return fmt.Errorf("missing ] in regular expression %q", c.src)
}

func (c *pcreConv) group() error {
	rest := c.src[c.i+1:]
	if strings.HasPrefix(rest, "*") {
		return unsupported("a backtracking control verb (*...)")
	}
	// Every group that writes "(" here is closed by a ")" in next, which
	// makes the group the atom a quantifier applies to.
	if !strings.HasPrefix(rest, "?") {
		c.opens = append(c.opens, c.out.Len())
		c.out.WriteByte('(')
		c.i++
		return nil
	}
	rest = rest[1:]
	has := func(p string) bool { return strings.HasPrefix(rest, p) }
	switch {
	case has("="), has("!"):
		return unsupported("lookahead (?" + rest[:1] + "...)")
	case has("<="), has("<!"):
		return unsupported("lookbehind (?" + rest[:2] + "...)")
	case has(">"):
		return unsupported("an atomic group (?>...)")
	case has("|"):
		return unsupported("a branch reset group (?|...)")
	case has("("):
		return unsupported("a conditional group (?(...)...)")
	case has("C"):
		return unsupported("a callout (?C...)")
	case has("P="), has("P>"), has("&"):
		return unsupported("a named backreference or subroutine call (?" + rest[:min(2, len(rest))] + "...)")
	case has("R"), len(rest) > 0 && (rest[0] >= '0' && rest[0] <= '9' || rest[0] == '+'),
		len(rest) > 1 && rest[0] == '-' && rest[1] >= '0' && rest[1] <= '9':
		return unsupported("recursion or a subroutine call (?" + rest[:1] + "...)")
	case has("#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return fmt.Errorf("unterminated comment (?# in %q", c.src)
		}
		c.i += 2 + end + 1
		return nil
	case has("'"):
		end := strings.IndexByte(rest[1:], '\'')
		if end < 0 {
			return fmt.Errorf("unterminated group name in %q", c.src)
		}
		c.opens = append(c.opens, c.out.Len())
		c.out.WriteString("(?P<" + rest[1:1+end] + ">")
		c.i += 2 + 1 + end + 1
		return nil
	case has("P<"), has("<"), has(":"):
		c.opens = append(c.opens, c.out.Len())
		c.out.WriteString("(?")
		c.i += 2
		return nil
	}
	// Inline flags: (?imsU-imsU) or (?imsU-imsU:...).
	j := 0
	for j < len(rest) && rest[j] != ')' && rest[j] != ':' {
		switch f := rest[j]; f {
		case 'i', 'm', 's', 'U', '-':
		case 'x':
			return unsupported("the inline flag (?x)")
		default:
			return unsupported(fmt.Sprintf("the inline flag (?%c)", f))
		}
		j++
	}
	c.opens = append(c.opens, c.out.Len())
	c.out.WriteString("(?")
	c.i += 2
	return nil
}

// escape handles a backslash sequence, inside a class or not.
func (c *pcreConv) escape(inClass bool) error {
	c.i++ // the backslash
	if c.i >= len(c.src) {
		return fmt.Errorf("regular expression %q ends with a backslash", c.src)
	}
	e := c.src[c.i]
	c.i++
	switch e {
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		start := c.i - 1
		for c.i < len(c.src) && c.src[c.i] >= '0' && c.src[c.i] <= '9' {
			c.i++
		}
		digits := c.src[start:c.i]
		n := atoiCap(digits)
		if !inClass && (len(digits) == 1 || n <= c.groups) {
			return unsupported("a backreference (\\" + digits + ")")
		}
		// Octal: up to three octal digits; more digits are literals.
		j := 0
		v := 0
		for j < len(digits) && j < 3 && digits[j] <= '7' {
			v = v*8 + int(digits[j]-'0')
			j++
		}
		if j == 0 {
			return unsupported("a backreference (\\" + digits + ")")
		}
		c.i = start + j
		c.lit(v & 0xFF)
	case '0':
		v := 0
		for k := 0; k < 2 && c.i < len(c.src) && c.src[c.i] >= '0' && c.src[c.i] <= '7'; k++ {
			v = v*8 + int(c.src[c.i]-'0')
			c.i++
		}
		c.lit(v)
	case 'o':
		if c.peek(0) != '{' {
			return fmt.Errorf("bad \\o escape in %q", c.src)
		}
		end := strings.IndexByte(c.src[c.i:], '}')
		v, err := strconv.ParseUint(c.src[c.i+1:c.i+max(end, 1)], 8, 32)
		if end < 0 || err != nil || v > 0xFF {
			return fmt.Errorf("bad \\o escape in %q", c.src)
		}
		c.i += end + 1
		c.lit(int(v))
	case 'x':
		if c.peek(0) == '{' {
			end := strings.IndexByte(c.src[c.i:], '}')
			if end < 0 {
				return fmt.Errorf("bad \\x{...} escape in %q", c.src)
			}
			v, err := strconv.ParseUint(c.src[c.i+1:c.i+end], 16, 32)
			if err != nil {
				return fmt.Errorf("bad \\x{...} escape in %q", c.src)
			}
			if v > 0xFF {
				return fmt.Errorf("\\x{%s} is above 0xff, which PCRE rejects outside UTF mode", c.src[c.i+1:c.i+end])
			}
			c.i += end + 1
			c.lit(int(v))
			return nil
		}
		v := 0
		for k := 0; k < 2 && c.i < len(c.src) && isHex(c.src[c.i]); k++ {
			v = v*16 + hexVal(c.src[c.i])
			c.i++
		}
		c.lit(v)
	case 'c':
		if c.i >= len(c.src) || c.src[c.i] >= 0x80 {
			return fmt.Errorf("bad \\c escape in %q", c.src)
		}
		x := c.src[c.i]
		if x >= 'a' && x <= 'z' {
			x -= 'a' - 'A'
		}
		c.i++
		c.lit(int(x ^ 0x40))
	case 'e':
		c.lit(0x1B)
	case 'a', 'f', 'n', 'r', 't', 'd', 'D', 'w', 'W', 's', 'S':
		c.out.WriteByte('\\')
		c.out.WriteByte(e)
	case 'b':
		if inClass {
			c.lit(0x08)
		} else {
			c.out.WriteString(`\b`)
		}
	case 'B', 'A', 'z':
		if inClass {
			return fmt.Errorf("\\%c is not allowed in a character class in %q", e, c.src)
		}
		c.out.WriteByte('\\')
		c.out.WriteByte(e)
	case 'Z':
		if inClass {
			return fmt.Errorf("\\Z is not allowed in a character class in %q", c.src)
		}
		c.out.WriteString(`(?:\n?\z)`)
	case 'h', 'v':
		members := `\t \x{A0}`
		if e == 'v' {
			members = `\n\x{B}\f\r\x{85}`
		}
		if inClass {
			c.out.WriteString(members)
		} else {
			c.out.WriteString("[" + members + "]")
		}
	case 'H', 'V':
		if inClass {
			return unsupported(fmt.Sprintf("\\%c inside a character class", e))
		}
		members := `\t \x{A0}`
		if e == 'V' {
			members = `\n\x{B}\f\r\x{85}`
		}
		c.out.WriteString("[^" + members + "]")
	case 'R':
		if inClass {
			return fmt.Errorf("\\R is not allowed in a character class in %q", c.src)
		}
		c.out.WriteString(`(?:\r\n|[\n\x{B}\f\r\x{85}])`)
	case 'g', 'k':
		return unsupported("a backreference (\\" + string(e) + "...)")
	case 'Q':
		end := strings.Index(c.src[c.i:], `\E`)
		lit := c.src[c.i:]
		if end >= 0 {
			lit = c.src[c.i : c.i+end]
			c.i += end + 2
		} else {
			c.i = len(c.src)
		}
		for k := 0; k < len(lit); k++ {
			c.atom = c.out.Len() // a quantifier after \E takes the last one
			c.lit(int(lit[k]))
		}
	case 'E':
		// \E without \Q: ignored, as in PCRE.
	case 'p', 'P':
		c.out.WriteByte('\\')
		c.out.WriteByte(e)
		if c.peek(0) == '{' {
			end := strings.IndexByte(c.src[c.i:], '}')
			if end < 0 {
				return fmt.Errorf("bad \\%c{...} escape in %q", e, c.src)
			}
			c.out.WriteString(c.src[c.i : c.i+end+1])
			c.i += end + 1
		} else if c.i < len(c.src) {
			c.out.WriteByte(c.src[c.i])
			c.i++
		}
	default:
		if e < 0x80 && (e >= 'a' && e <= 'z' || e >= 'A' && e <= 'Z') {
			return unsupported(fmt.Sprintf("the escape \\%c", e))
		}
		c.lit(int(e))
	}
	return nil
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

func hexVal(b byte) int {
	switch {
	case b >= '0' && b <= '9':
		return int(b - '0')
	case b >= 'a' && b <= 'f':
		return int(b-'a') + 10
	}
	return int(b-'A') + 10
}
