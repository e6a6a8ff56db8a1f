package pcrebt

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnsupported marks a valid PCRE construct this matcher does not run
// (recursion, conditionals, verbs, callouts, variable-length
// lookbehind...); other compile errors are malformed patterns.
var ErrUnsupported = errors.New("not support")

func unsupported(what string) error {
	return fmt.Errorf("pcre uses %s, which the backtracking matcher does %w", what, ErrUnsupported)
}

// maxCount is PCRE2's largest repetition count.
const maxCount = 65535

// maxDepth bounds group nesting, so parsing recursion stays small
// (PCRE2's default parens_nest_limit is 250).
const maxDepth = 250

// flags are the options in force at a point of the pattern.
type flags struct {
	caseless, dotAll, multiline, extended, ungreedy, dollarEndOnly bool
}

type parser struct {
	src    string
	i      int
	f      flags
	groups int            // capturing groups opened so far
	total  int            // capturing groups in the whole pattern (prescan)
	names  map[string]int // named group → number
	refs   []*node        // back-references to check once all groups are known
	// refNames: for refs by name, resolved after parsing (a reference may
	// come before its group)
	refNames map[*node]string
	// noAutoCapture: plain (...) does not capture, as Suricata first
	// compiles every pattern (PCRE2_NO_AUTO_CAPTURE); named groups still do
	noAutoCapture bool
}

// errNoSuchGroup is a reference to a group the pattern does not have:
// PCRE2's error 115, on which Suricata compiles again with capturing
// parentheses.
var errNoSuchGroup = errors.New("reference to non-existent subpattern")

func parse(src string, f flags, noAutoCapture bool) (*node, *parser, error) {
	p := &parser{src: src, f: f, names: map[string]int{}, refNames: map[*node]string{}, noAutoCapture: noAutoCapture}
	p.total = countGroups(src, noAutoCapture)
	n, err := p.alternation(0)
	if err != nil {
		return nil, nil, err
	}
	if p.i < len(p.src) {
		return nil, nil, fmt.Errorf("unmatched ) at offset %d", p.i)
	}
	for _, r := range p.refs {
		if name, ok := p.refNames[r]; ok {
			g, ok := p.names[name]
			if !ok {
				return nil, nil, fmt.Errorf("%w: no group named %q", errNoSuchGroup, name)
			}
			r.group = g
		}
		if r.group < 1 || r.group > p.groups {
			return nil, nil, fmt.Errorf("%w: \\%d", errNoSuchGroup, r.group)
		}
	}
	return n, p, nil
}

// countGroups counts capturing groups ahead of parsing, to tell \12 (a
// back-reference when there are 12 groups) from an octal escape, as PCRE
// does.
func countGroups(src string, noAuto bool) int {
	n := 0
	inClass := false
	for i := 0; i < len(src); i++ {
		switch ch := src[i]; {
		case ch == '\\':
			i++
		case inClass:
			inClass = ch != ']'
		case ch == '[':
			inClass = true
			if i+1 < len(src) && src[i+1] == '^' {
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				i++
			}
		case ch == '(':
			rest := src[i+1:]
			named := strings.HasPrefix(rest, "?P<") || strings.HasPrefix(rest, "?'") ||
				strings.HasPrefix(rest, "?<") && !strings.HasPrefix(rest, "?<=") && !strings.HasPrefix(rest, "?<!")
			if named || !noAuto && !strings.HasPrefix(rest, "?") && !strings.HasPrefix(rest, "*") {
				n++
			}
		}
	}
	return n
}

func (p *parser) more() bool { return p.i < len(p.src) }

func (p *parser) peek(off int) byte {
	if p.i+off < len(p.src) {
		return p.src[p.i+off]
	}
	return 0
}

func (p *parser) alternation(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, unsupported("groups nested too deep")
	}
	saved := p.f
	defer func() { p.f = saved }()
	var alts []*node
	for {
		n, err := p.concat(depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
		if p.more() && p.src[p.i] == '|' {
			p.i++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &node{kind: nAlt, subs: alts}, nil
}

func (p *parser) skipExtended() {
	for p.more() {
		ch := p.src[p.i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v':
			p.i++
		case ch == '#':
			for p.more() && p.src[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *parser) concat(depth int) (*node, error) {
	var items []*node
	for {
		if p.f.extended {
			p.skipExtended()
		}
		if !p.more() || p.src[p.i] == '|' || p.src[p.i] == ')' {
			break
		}
		atom, err := p.atom(depth)
		if err != nil {
			return nil, err
		}
		if atom == nil { // an option setting or comment: nothing to quantify
			continue
		}
		if atom, err = p.quantifier(atom); err != nil {
			return nil, err
		}
		items = append(items, atom...)
	}
	switch len(items) {
	case 0:
		return &node{kind: nEmpty}, nil
	case 1:
		return items[0], nil
	}
	return &node{kind: nConcat, subs: items}, nil
}

// quantifier applies a quantifier after atom (the last of a \Q...\E
// run); it returns the items to append. A second quantifier straight
// after the first (a**, a{2}{3}) is an error, as in PCRE ("quantifier
// does not follow a repeatable item"); an assertion may take several.
func (p *parser) quantifier(atoms []*node) ([]*node, error) {
	quantified := false
	for {
		if p.f.extended {
			p.skipExtended()
		}
		if !p.more() {
			return atoms, nil
		}
		lo, hi := 0, 0
		switch p.src[p.i] {
		case '*':
			lo, hi = 0, -1
			p.i++
		case '+':
			lo, hi = 1, -1
			p.i++
		case '?':
			lo, hi = 0, 1
			p.i++
		case '{':
			n, l, h, ok := p.countSpec()
			if !ok {
				return atoms, nil
			}
			if l > maxCount || h > maxCount {
				return nil, fmt.Errorf("number too big in {} quantifier at offset %d", p.i)
			}
			if h >= 0 && h < l {
				return nil, fmt.Errorf("numbers out of order in {} quantifier at offset %d", p.i)
			}
			lo, hi = l, h
			p.i += n
		default:
			return atoms, nil
		}
		if quantified {
			return nil, fmt.Errorf("quantifier does not follow a repeatable item at offset %d", p.i-1)
		}
		last := atoms[len(atoms)-1]
		if last.kind == nAssert || last.kind == nLook {
			// PCRE2 allows a quantifier on an assertion; {0,...} makes it
			// optional, anything else is the assertion once.
			if lo == 0 {
				last = &node{kind: nEmpty}
			}
			atoms[len(atoms)-1] = last
			p.lazyOrPossessive()
			continue
		}
		mode := greedy
		if p.f.ungreedy {
			mode = lazy
		}
		switch p.peek(0) {
		case '?':
			p.i++
			if mode == lazy {
				mode = greedy
			} else {
				mode = lazy
			}
		case '+':
			p.i++
			mode = possessive
		}
		atoms[len(atoms)-1] = &node{kind: nRepeat, subs: []*node{last}, min: lo, max: hi, mode: mode}
		quantified = true
	}
}

func (p *parser) lazyOrPossessive() {
	if c := p.peek(0); c == '?' || c == '+' {
		p.i++
	}
}

// countSpec reads {n}, {n,} or {n,m} at p.i; anything else is a literal
// "{" in PCRE2 before 10.43.
func (p *parser) countSpec() (n, lo, hi int, ok bool) {
	end := strings.IndexByte(p.src[p.i:], '}')
	if end < 0 {
		return 0, 0, 0, false
	}
	inner := p.src[p.i+1 : p.i+end]
	a, b, comma := strings.Cut(inner, ",")
	if a == "" || !allDigits(a) || comma && b != "" && !allDigits(b) {
		return 0, 0, 0, false
	}
	lo = atoiCap(a)
	hi = lo
	if comma {
		hi = -1
		if b != "" {
			hi = atoiCap(b)
		}
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

func (p *parser) char(c byte) *node {
	n := &node{kind: nChar}
	n.set.add(c)
	if p.f.caseless {
		n.set.foldASCII()
	}
	return n
}

func (p *parser) setNode(s byteSet) *node {
	if p.f.caseless {
		s.foldASCII()
	}
	return &node{kind: nChar, set: s}
}

// atom parses one item; nil (no error) for something that matches
// nothing and takes no quantifier (an option setting, a comment).
func (p *parser) atom(depth int) ([]*node, error) {
	ch := p.src[p.i]
	switch ch {
	case '\\':
		return p.escape()
	case '[':
		s, err := p.class()
		if err != nil {
			return nil, err
		}
		return []*node{p.setNode(s)}, nil
	case '(':
		n, err := p.group(depth)
		if err != nil || n == nil {
			return nil, err
		}
		return []*node{n}, nil
	case '.':
		p.i++
		var s byteSet
		s.invert()
		if !p.f.dotAll {
			s[0] &^= 1 << '\n'
		}
		return []*node{{kind: nChar, set: s}}, nil
	case '^':
		p.i++
		if p.f.multiline {
			return []*node{{kind: nAssert, assert: aLineStart}}, nil
		}
		return []*node{{kind: nAssert, assert: aStart}}, nil
	case '$':
		p.i++
		switch {
		case p.f.multiline:
			return []*node{{kind: nAssert, assert: aLineEnd}}, nil
		case p.f.dollarEndOnly:
			return []*node{{kind: nAssert, assert: aEnd}}, nil
		}
		return []*node{{kind: nAssert, assert: aEndOrFinalNL}}, nil
	case '*', '+', '?':
		return nil, fmt.Errorf("quantifier does not follow a repeatable item at offset %d", p.i)
	case '{':
		if _, _, _, ok := p.countSpec(); ok {
			return nil, fmt.Errorf("quantifier does not follow a repeatable item at offset %d", p.i)
		}
	}
	p.i++
	return []*node{p.char(ch)}, nil
}

func (p *parser) group(depth int) (*node, error) {
	start := p.i
	p.i++ // (
	rest := p.src[p.i:]
	has := func(s string) bool { return strings.HasPrefix(rest, s) }
	capture, name := false, ""
	switch {
	case has("*"):
		return nil, unsupported("a backtracking control verb (*...)")
	case !has("?"):
		capture = !p.noAutoCapture
	case has("?#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, fmt.Errorf("missing ) after (?# comment at offset %d", start)
		}
		p.i += end + 1
		return nil, nil
	case has("?:"):
		p.i += 2
	case has("?="), has("?!"):
		p.i += 2
		return p.look(depth, false, rest[1] == '!')
	case has("?<="), has("?<!"):
		p.i += 3
		return p.look(depth, true, rest[2] == '!')
	case has("?>"):
		p.i += 2
		sub, err := p.groupBody(depth)
		if err != nil {
			return nil, err
		}
		return &node{kind: nAtomic, subs: []*node{sub}}, nil
	case has("?P<"), has("?<"), has("?'"):
		skip, term := 2, byte('>')
		if has("?P<") {
			skip = 3
		} else if has("?'") {
			term = '\''
		}
		end := strings.IndexByte(rest[skip:], term)
		if end <= 0 {
			return nil, fmt.Errorf("bad group name at offset %d", start)
		}
		name = rest[skip : skip+end]
		if _, dup := p.names[name]; dup {
			return nil, unsupported("a duplicate group name")
		}
		p.i += skip + end + 1
		capture = true
	case has("?P="):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, fmt.Errorf("missing ) after (?P= at offset %d", start)
		}
		r := &node{kind: nRef, fold: p.f.caseless}
		p.refNames[r] = rest[3:end]
		p.refs = append(p.refs, r)
		p.i += end + 1
		return r, nil
	case has("?|"):
		return nil, unsupported("a branch reset group (?|...)")
	case has("?("):
		return nil, unsupported("a conditional group (?(...)...)")
	case has("?C"):
		return nil, unsupported("a callout (?C...)")
	case has("?P>"), has("?&"), has("?R"), len(rest) > 1 && (rest[1] >= '0' && rest[1] <= '9' || rest[1] == '+' || rest[1] == '-' && len(rest) > 2 && rest[2] >= '0' && rest[2] <= '9'):
		return nil, unsupported("recursion or a subroutine call")
	default:
		return p.optionGroup(depth, start)
	}
	if capture {
		p.groups++
		g := p.groups
		if name != "" {
			p.names[name] = g
		}
		sub, err := p.groupBody(depth)
		if err != nil {
			return nil, err
		}
		return &node{kind: nCapture, group: g, subs: []*node{sub}}, nil
	}
	return p.groupBody(depth)
}

// groupBody parses up to and past the group's ")".
func (p *parser) groupBody(depth int) (*node, error) {
	sub, err := p.alternation(depth + 1)
	if err != nil {
		return nil, err
	}
	if !p.more() || p.src[p.i] != ')' {
		return nil, fmt.Errorf("missing closing parenthesis in %q", p.src)
	}
	p.i++
	return sub, nil
}

// optionGroup handles (?imsxU-imsxU) and (?imsxU-imsxU:...).
func (p *parser) optionGroup(depth, start int) (*node, error) {
	p.i++ // ?
	f := p.f
	on := true
	for p.more() {
		c := p.src[p.i]
		p.i++
		switch c {
		case '-':
			on = false
		case 'i':
			f.caseless = on
		case 'm':
			f.multiline = on
		case 's':
			f.dotAll = on
		case 'x':
			f.extended = on
		case 'U':
			f.ungreedy = on
		case ')':
			// Until the end of the enclosing group (alternation restores).
			p.f = f
			return nil, nil
		case ':':
			saved := p.f
			p.f = f
			sub, err := p.groupBody(depth)
			p.f = saved
			return sub, err
		default:
			return nil, unsupported(fmt.Sprintf("the inline option (?%c)", c))
		}
	}
	return nil, fmt.Errorf("missing ) after (? at offset %d", start)
}

func (p *parser) look(depth int, behind, neg bool) (*node, error) {
	sub, err := p.groupBody(depth)
	if err != nil {
		return nil, err
	}
	if !behind {
		return &node{kind: nLook, neg: neg, subs: []*node{sub}}, nil
	}
	// PCRE requires each top-level branch of a lookbehind to have a fixed
	// length (they may differ); a lookbehind of several lengths is one
	// lookbehind per branch: any of them (positive) or none (negative).
	branches := []*node{sub}
	if sub.kind == nAlt {
		branches = sub.subs
	}
	var looks []*node
	for _, b := range branches {
		lo, hi := b.width()
		if lo != hi {
			return nil, unsupported("a lookbehind that is not fixed length")
		}
		looks = append(looks, &node{kind: nLook, behind: true, neg: neg, min: lo, subs: []*node{b}})
	}
	if len(looks) == 1 {
		return looks[0], nil
	}
	if neg {
		return &node{kind: nConcat, subs: looks}, nil
	}
	return &node{kind: nAlt, subs: looks}, nil
}

// escape handles a backslash outside a class.
func (p *parser) escape() ([]*node, error) {
	p.i++
	if !p.more() {
		return nil, fmt.Errorf("\\ at end of pattern")
	}
	e := p.src[p.i]
	p.i++
	switch e {
	case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V', 'N':
		s := escapeClass(e)
		return []*node{p.setNode(s)}, nil
	case 'b':
		return []*node{{kind: nAssert, assert: aWordBoundary}}, nil
	case 'B':
		return []*node{{kind: nAssert, assert: aNotWordBoundary}}, nil
	case 'A':
		return []*node{{kind: nAssert, assert: aStart}}, nil
	case 'z':
		return []*node{{kind: nAssert, assert: aEnd}}, nil
	case 'Z':
		return []*node{{kind: nAssert, assert: aEndOrFinalNL}}, nil
	case 'G':
		return []*node{{kind: nAssert, assert: aStartOffset}}, nil
	case 'R':
		// (?>\r\n|\n|\x0b|\f|\r|\x85)
		crlf := &node{kind: nConcat, subs: []*node{p.rawChar('\r'), p.rawChar('\n')}}
		return []*node{{kind: nAtomic, subs: []*node{{kind: nAlt, subs: []*node{crlf, {kind: nChar, set: vspaceSet()}}}}}}, nil
	case 'Q':
		end := strings.Index(p.src[p.i:], `\E`)
		lit := p.src[p.i:]
		if end >= 0 {
			lit = p.src[p.i : p.i+end]
			p.i += end + 2
		} else {
			p.i = len(p.src)
		}
		if lit == "" {
			return nil, nil
		}
		out := make([]*node, 0, len(lit))
		for k := 0; k < len(lit); k++ {
			out = append(out, p.char(lit[k]))
		}
		return out, nil
	case 'E':
		return nil, nil
	case 'K':
		return nil, unsupported(`\K`)
	case 'X', 'C', 'p', 'P':
		return nil, unsupported(fmt.Sprintf(`\%c`, e))
	case 'g':
		return p.gRef()
	case 'k':
		return p.kRef()
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		start := p.i - 1
		for p.more() && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
			p.i++
		}
		digits := p.src[start:p.i]
		if n := atoiCap(digits); len(digits) == 1 || n <= p.total {
			return []*node{p.ref(n)}, nil
		}
		p.i = start
		v, ok := p.octal(3)
		if !ok {
			// \8 or \9 with too few groups: PCRE2 takes the digit itself.
			p.i = start + 1
			return []*node{p.char(p.src[start])}, nil
		}
		return []*node{p.char(v)}, nil
	}
	p.i -= 2 // back to the backslash
	v, err := p.escapeValue()
	if err != nil {
		return nil, err
	}
	return []*node{p.char(v)}, nil
}

func (p *parser) rawChar(c byte) *node {
	n := &node{kind: nChar}
	n.set.add(c)
	return n
}

func (p *parser) ref(n int) *node {
	r := &node{kind: nRef, group: n, fold: p.f.caseless}
	p.refs = append(p.refs, r)
	return r
}

// gRef: \gN, \g{N}, \g{-N}, \g{name}.
func (p *parser) gRef() ([]*node, error) {
	arg := ""
	if p.peek(0) == '{' {
		end := strings.IndexByte(p.src[p.i:], '}')
		if end < 0 {
			return nil, fmt.Errorf(`bad \g escape`)
		}
		arg = p.src[p.i+1 : p.i+end]
		p.i += end + 1
	} else {
		j := p.i
		if j < len(p.src) && (p.src[j] == '-' || p.src[j] == '+') {
			j++
		}
		for j < len(p.src) && p.src[j] >= '0' && p.src[j] <= '9' {
			j++
		}
		arg = p.src[p.i:j]
		p.i = j
	}
	if arg == "" {
		return nil, fmt.Errorf(`bad \g escape`)
	}
	if n, err := strconv.Atoi(arg); err == nil {
		if strings.HasPrefix(arg, "+") {
			return nil, unsupported(`a forward relative reference \g+N`)
		}
		if n < 0 {
			n = p.groups + 1 + n
		}
		if n <= 0 {
			return nil, fmt.Errorf("%w: \\g%s", errNoSuchGroup, arg)
		}
		return []*node{p.ref(n)}, nil
	}
	r := p.ref(0)
	p.refNames[r] = arg
	return []*node{r}, nil
}

// kRef: \k<name>, \k'name', \k{name}.
func (p *parser) kRef() ([]*node, error) {
	open := p.peek(0)
	closeCh := map[byte]byte{'<': '>', '\'': '\'', '{': '}'}[open]
	if closeCh == 0 {
		return nil, fmt.Errorf(`bad \k escape`)
	}
	end := strings.IndexByte(p.src[p.i+1:], closeCh)
	if end <= 0 {
		return nil, fmt.Errorf(`bad \k escape`)
	}
	name := p.src[p.i+1 : p.i+1+end]
	p.i += end + 2
	r := p.ref(0)
	p.refNames[r] = name
	return []*node{r}, nil
}

// octal reads up to n octal digits at p.i.
func (p *parser) octal(n int) (byte, bool) {
	v, k := 0, 0
	for k < n && p.more() && p.src[p.i] >= '0' && p.src[p.i] <= '7' {
		v = v*8 + int(p.src[p.i]-'0')
		p.i++
		k++
	}
	return byte(v), k > 0
}

func escapeClass(e byte) byteSet {
	var s byteSet
	switch e {
	case 'd', 'D':
		s = digitSet()
	case 'w', 'W':
		s = wordSet()
	case 's', 'S':
		s = spaceSet()
	case 'h', 'H':
		s = hspaceSet()
	case 'v', 'V':
		s = vspaceSet()
	case 'N':
		s.add('\n')
		s.invert()
		return s
	}
	if e >= 'A' && e <= 'Z' {
		s.invert()
	}
	return s
}

// escapeValue reads an escape standing for one byte (p.i at the
// backslash), as in or out of a class.
func (p *parser) escapeValue() (byte, error) {
	p.i++
	if !p.more() {
		return 0, fmt.Errorf("\\ at end of pattern")
	}
	e := p.src[p.i]
	p.i++
	switch e {
	case 'a':
		return 7, nil
	case 'e':
		return 0x1b, nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case '0':
		v, _ := p.octal(2)
		return v, nil
	case 'o':
		if p.peek(0) != '{' {
			return 0, fmt.Errorf(`bad \o escape`)
		}
		end := strings.IndexByte(p.src[p.i:], '}')
		if end < 0 {
			return 0, fmt.Errorf(`bad \o escape`)
		}
		v, err := strconv.ParseUint(p.src[p.i+1:p.i+end], 8, 32)
		if err != nil || v > 0xff {
			return 0, fmt.Errorf(`bad \o escape`)
		}
		p.i += end + 1
		return byte(v), nil
	case 'x':
		if p.peek(0) == '{' {
			end := strings.IndexByte(p.src[p.i:], '}')
			if end < 0 {
				return 0, fmt.Errorf(`bad \x{...} escape`)
			}
			v, err := strconv.ParseUint(p.src[p.i+1:p.i+end], 16, 32)
			if err != nil || v > 0xff {
				return 0, fmt.Errorf(`bad \x{...} escape (above 0xff without UTF)`)
			}
			p.i += end + 1
			return byte(v), nil
		}
		v := 0
		for k := 0; k < 2 && p.more() && isHex(p.src[p.i]); k++ {
			v = v*16 + hexVal(p.src[p.i])
			p.i++
		}
		return byte(v), nil
	case 'c':
		if !p.more() || p.src[p.i] >= 0x80 {
			return 0, fmt.Errorf(`bad \c escape`)
		}
		x := p.src[p.i]
		p.i++
		if x >= 'a' && x <= 'z' {
			x -= 'a' - 'A'
		}
		return x ^ 0x40, nil
	}
	if e >= '0' && e <= '9' || e >= 'a' && e <= 'z' || e >= 'A' && e <= 'Z' {
		return 0, fmt.Errorf("unrecognized escape \\%c", e)
	}
	return e, nil
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

// class parses [...] at p.i.
func (p *parser) class() (byteSet, error) {
	var s byteSet
	start := p.i
	p.i++
	neg := false
	if p.peek(0) == '^' {
		neg = true
		p.i++
	}
	first := true
	for {
		if !p.more() {
			return s, fmt.Errorf("missing terminating ] for character class at offset %d", start)
		}
		ch := p.src[p.i]
		if ch == ']' && !first {
			p.i++
			break
		}
		first = false
		if ch == '[' && p.peek(1) == ':' {
			if end := strings.Index(p.src[p.i+2:], ":]"); end >= 0 {
				name := p.src[p.i+2 : p.i+2+end]
				inv := strings.HasPrefix(name, "^")
				ps, ok := posixClass(strings.TrimPrefix(name, "^"))
				if !ok {
					return s, fmt.Errorf("unknown POSIX class name %q", name)
				}
				if inv {
					ps.invert()
				}
				s.union(&ps)
				p.i += end + 4
				continue
			}
		}
		lo, isSet, set, err := p.classAtom()
		if err != nil {
			return s, err
		}
		if isSet {
			s.union(&set)
			continue
		}
		// A range lo-hi, unless "-" is last or follows a class escape.
		if p.peek(0) == '-' && p.peek(1) != ']' && p.i+1 < len(p.src) {
			save := p.i
			p.i++
			if p.peek(0) == '[' && p.peek(1) == ':' {
				p.i = save
				s.add(lo)
				continue
			}
			hi, hiSet, _, err := p.classAtom()
			if err != nil {
				return s, err
			}
			if hiSet {
				return s, fmt.Errorf("invalid range in character class at offset %d", save)
			}
			if hi < lo {
				return s, fmt.Errorf("range out of order in character class at offset %d", save)
			}
			s.addRange(lo, hi)
			continue
		}
		s.add(lo)
	}
	if p.f.caseless {
		s.foldASCII()
	}
	if neg {
		s.invert()
	}
	return s, nil
}

// classAtom reads one class member: a byte, or a class escape (isSet).
func (p *parser) classAtom() (b byte, isSet bool, s byteSet, err error) {
	ch := p.src[p.i]
	if ch != '\\' {
		p.i++
		return ch, false, s, nil
	}
	e := p.peek(1)
	switch e {
	case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V':
		p.i += 2
		return 0, true, escapeClass(e), nil
	case 'b':
		p.i += 2
		return 8, false, s, nil
	case 'Q', 'E':
		// \Q...\E inside a class is rare in rules; \E alone is nothing.
		if e == 'E' {
			p.i += 2
			return 0, true, s, nil
		}
		return 0, false, s, unsupported(`\Q inside a character class`)
	case '1', '2', '3', '4', '5', '6', '7':
		p.i++
		v, _ := p.octal(3)
		return v, false, s, nil
	case '8', '9':
		p.i += 2
		return e, false, s, nil
	case 'N', 'R', 'X', 'B', 'A', 'z', 'Z', 'G', 'g', 'k', 'p', 'P', 'K':
		return 0, false, s, fmt.Errorf(`\%c is not allowed in a character class`, e)
	}
	v, err := p.escapeValue()
	return v, false, s, err
}
