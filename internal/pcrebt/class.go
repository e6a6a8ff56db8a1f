package pcrebt

// Character classes: [...], with ranges, class escapes and POSIX
// [:name:] classes.

import (
	"fmt"
	"strings"
)

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
