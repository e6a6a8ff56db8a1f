package analyzer

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
)

// Exclusion is one entry of an excluded-hosts list: an address, a prefix, an
// inclusive address range or a MAC address.
type Exclusion struct {
	Text   string // the entry as written, for reports
	Where  string // file:line
	prefix netip.Prefix
	lo, hi netip.Addr
	mac    [6]byte
	kind   exclusionKind
}

type exclusionKind uint8

const (
	excludePrefix exclusionKind = iota // single addresses are /32 or /128
	excludeRange
	excludeMAC
)

// ExclusionList is the admin's excluded-hosts list. Excluded hosts are
// never blocked; their alerts are still reported, marked excluded.
type ExclusionList struct {
	Entries []Exclusion
}

// LoadExclusions reads an exclusion file.
func LoadExclusions(path string) (*ExclusionList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	return ParseExclusions(path, f)
}

// ParseExclusions reads one entry a line: IP, CIDR, range "a-b" or MAC.
// "#" starts a comment, blank lines are skipped; a bad line is an error
// naming name:line.
func ParseExclusions(name string, r io.Reader) (*ExclusionList, error) {
	l := &ExclusionList{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		e, err := parseExclusion(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		e.Where = where
		l.Entries = append(l.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return l, nil
}

func parseExclusion(text string) (Exclusion, error) {
	e := Exclusion{Text: text}
	if strings.ContainsAny(text, " \t") {
		return e, fmt.Errorf("%q: one entry a line (IP, CIDR, range a-b or MAC)", text)
	}
	if strings.Contains(text, "/") {
		p, err := netip.ParsePrefix(text)
		if err != nil {
			return e, fmt.Errorf("%q: not a CIDR prefix like 10.0.0.0/8", text)
		}
		if p.Masked() != p {
			return e, fmt.Errorf("%q: host bits set; did you mean %s?", text, p.Masked())
		}
		e.prefix = p
		return e, nil
	}
	if a, err := netip.ParseAddr(text); err == nil {
		a = a.Unmap()
		e.prefix = netip.PrefixFrom(a, a.BitLen())
		return e, nil
	}
	if lo, hi, ok := strings.Cut(text, "-"); ok && looksLikeAddr(lo) && looksLikeAddr(hi) {
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil {
			return e, fmt.Errorf("%q: not an address range like 10.0.0.5-10.0.0.9", text)
		}
		a, b = a.Unmap(), b.Unmap()
		if a.Is4() != b.Is4() {
			return e, fmt.Errorf("%q: range mixes IPv4 and IPv6", text)
		}
		if b.Less(a) {
			return e, fmt.Errorf("%q: range ends before it starts", text)
		}
		e.kind, e.lo, e.hi = excludeRange, a, b
		return e, nil
	}
	if hw, err := net.ParseMAC(text); err == nil && len(hw) == 6 {
		e.kind = excludeMAC
		copy(e.mac[:], hw)
		return e, nil
	}
	return e, fmt.Errorf("%q: not an IP, CIDR, range a-b or MAC address", text)
}

// looksLikeAddr tells an attempted address ("10.0.0.300") from a host name
// ("web-01"), so a range error is only reported for ranges.
func looksLikeAddr(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdefABCDEF.:") == ""
}

// Match returns the entry that excludes a host with this address and MAC
// (hasMAC false when unknown).
func (l *ExclusionList) Match(a netip.Addr, mac [6]byte, hasMAC bool) (*Exclusion, bool) {
	if l == nil {
		return nil, false
	}
	a = a.Unmap()
	for i := range l.Entries {
		e := &l.Entries[i]
		switch e.kind {
		case excludePrefix:
			if a.IsValid() && e.prefix.Contains(a) {
				return e, true
			}
		case excludeRange:
			if a.IsValid() && a.Is4() == e.lo.Is4() && e.lo.Compare(a) <= 0 && a.Compare(e.hi) <= 0 {
				return e, true
			}
		case excludeMAC:
			if hasMAC && mac == e.mac {
				return e, true
			}
		}
	}
	return nil, false
}

// Texts lists the entries as written.
func (l *ExclusionList) Texts() []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l.Entries))
	for i, e := range l.Entries {
		out[i] = e.Text
	}
	return out
}
