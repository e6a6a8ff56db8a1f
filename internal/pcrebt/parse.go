package pcrebt

import (
	"errors"
	"fmt"
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
