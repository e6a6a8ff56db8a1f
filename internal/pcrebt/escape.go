package pcrebt

// Backslash escapes outside classes: byte values, class escapes,
// assertions and back-references.

import (
	"fmt"
	"strconv"
	"strings"
)

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
