package analyzer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// Exclusion is one entry of an exclusion list: a host (an address, a
// prefix, an inclusive address range or a MAC address) whose alerts are
// removed, or a suppress line in Suricata's threshold.config syntax that
// removes one signature's alerts, for everyone or for some addresses.
type Exclusion struct {
	Text   string // the entry as written, without its comment, for reports
	Where  string // file:line
	prefix netip.Prefix
	lo, hi netip.Addr
	mac    [6]byte
	kind   exclusionKind

	// suppress entries
	gid, sid uint32 // 0 is any
	track    suppressTrack
	addrs    addrSet
}

type exclusionKind uint8

const (
	excludePrefix exclusionKind = iota // single addresses are /32 or /128
	excludeRange
	excludeMAC
	excludeSuppress
)

// Exclusion kinds as reports name them.
const (
	ExclusionHost     = "host"
	ExclusionSuppress = "suppress"
)

// Kind is ExclusionHost or ExclusionSuppress.
func (e *Exclusion) Kind() string {
	if e.kind == excludeSuppress {
		return ExclusionSuppress
	}
	return ExclusionHost
}

// suppressTrack says which address of an alert a suppress entry's ip
// applies to, as Suricata's track by_src/by_dst/by_either. Our alerts name
// an attacker and a victim: by_src is the attacker, by_dst the victim.
type suppressTrack uint8

const (
	trackNone suppressTrack = iota // no ip: the signature is suppressed for everyone
	trackSrc
	trackDst
	trackEither
)

// addrSet is a suppress entry's ip: an address, a prefix or a bracketed
// list of them, each possibly negated. An address matches when it is in
// one of the positive items (or there are none) and in no negated one.
type addrSet struct {
	pos, neg []netip.Prefix
}

func (s *addrSet) contains(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	in := len(s.pos) == 0
	for _, p := range s.pos {
		if p.Contains(a) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range s.neg {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// ExclusionList is the admin's exclusion list. An alert from an excluded
// host or suppressed by an entry is removed from the analysis, as an IPS
// configured with the list would never have raised it.
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
	if _, err := capped.Check(f, exclusionListKind, capped.ListBytes); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseExclusions(path, f)
}

// exclusionListKind names an exclusion list in cap errors.
const exclusionListKind = "an exclusion list"

// maxLine bounds one line of an exclusion list or threshold file: a
// suppress line's ip list of thousands of addresses still fits.
const maxLine = 1 << 20

// ParseExclusions reads one entry a line: IP, CIDR, range "a-b", MAC, or a
// Suricata threshold.config suppress line
// ("suppress gen_id 1, sig_id 9000002, track by_src, ip 192.168.1.250").
// "#" starts a comment, blank lines are skipped; a bad line is an error
// naming name:line, the offending token and what was expected. The list
// is capped at capped.ListBytes and capped.ListEntries: each entry is
// held for the run and checked against every alert.
func ParseExclusions(name string, r io.Reader) (*ExclusionList, error) {
	l := &ExclusionList{}
	sc := bufio.NewScanner(capped.NewReader(r, exclusionListKind, capped.ListBytes))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	line := 0
	for sc.Scan() {
		if sc.Err() != nil {
			break // the line cut short by a read error or the cap
		}
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
		if len(l.Entries) == capped.ListEntries {
			return nil, fmt.Errorf("%s: %w", where, &capped.TooManyError{What: exclusionListKind, Cap: capped.ListEntries})
		}
		e, err := parseExclusion(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		e.Where = where
		l.Entries = append(l.Entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %s", capped.Size(maxLine))
		}
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return l, nil
}

func parseExclusion(text string) (Exclusion, error) {
	e := Exclusion{Text: text}
	word, rest := cutSpace(text)
	switch strings.ToLower(word) {
	case "suppress":
		return parseSuppress(e, rest)
	case "threshold", "event_filter", "rate_filter":
		return e, fmt.Errorf("%s: only suppress is supported in exclusion files; give a Suricata threshold.config to --threshold-file, which takes threshold, event_filter and rate_filter lines", word)
	}
	if strings.ContainsAny(text, " \t") {
		return e, fmt.Errorf("%q: one entry a line (IP, CIDR, range a-b, MAC or a suppress line)", text)
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
	return e, fmt.Errorf("%q: not an IP, CIDR, range a-b, MAC address or suppress line", text)
}

// suppressUsage is the syntax, for errors about a suppress line's shape.
const suppressUsage = "suppress gen_id G, sig_id N[, track by_src|by_dst|by_either, ip ADDR]"

// parseSuppress reads the options of a suppress line, comma-separated
// "key value" pairs as in Suricata's threshold.config. Commas inside an ip
// list's brackets do not separate options.
func parseSuppress(e Exclusion, opts string) (Exclusion, error) {
	e.kind = excludeSuppress
	seen := map[string]bool{}
	var ip string
	var list []string
	if opts != "" {
		list = rules.SplitBracketed(opts)
	}
	for _, opt := range list {
		opt = strings.TrimSpace(opt)
		if opt == "" {
			return e, fmt.Errorf("suppress: empty option (a stray comma?); expected %q", suppressUsage)
		}
		key, val := cutSpace(opt)
		switch key {
		case "gen_id", "sig_id", "track", "ip":
		default:
			return e, fmt.Errorf("suppress: %q: expected gen_id, sig_id, track or ip", key)
		}
		if seen[key] {
			return e, fmt.Errorf("suppress: %s given twice", key)
		}
		seen[key] = true
		if val == "" {
			return e, fmt.Errorf("suppress: %s: missing value", key)
		}
		switch key {
		case "gen_id":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return e, fmt.Errorf("suppress: gen_id %q: expected a generator id (a number: 1 for rules and built-in detections, 0 for any)", val)
			}
			e.gid = uint32(n)
		case "sig_id":
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return e, fmt.Errorf("suppress: sig_id %q: expected a signature id (a number, 0 for every signature)", val)
			}
			e.sid = uint32(n)
		case "track":
			switch val {
			case "by_src":
				e.track = trackSrc
			case "by_dst":
				e.track = trackDst
			case "by_either":
				e.track = trackEither
			default:
				return e, fmt.Errorf("suppress: track %q: expected by_src, by_dst or by_either", val)
			}
		case "ip":
			ip = val
		}
	}
	for _, key := range []string{"gen_id", "sig_id"} {
		if !seen[key] {
			return e, fmt.Errorf("suppress: missing %s; expected %q", key, suppressUsage)
		}
	}
	if seen["track"] != seen["ip"] {
		if seen["track"] {
			return e, fmt.Errorf("suppress: track without ip; expected %q", suppressUsage)
		}
		return e, fmt.Errorf("suppress: ip without track; expected %q", suppressUsage)
	}
	if seen["ip"] {
		set, err := parseAddrSet(ip)
		if err != nil {
			return e, fmt.Errorf("suppress: ip %q: %w", ip, err)
		}
		e.addrs = set
	}
	return e, nil
}

// parseAddrSet reads "10.0.0.5", "10.0.0.0/8", "!10.0.0.5" or a bracketed
// list of those, "[10.0.0.0/8, !10.0.0.5]".
func parseAddrSet(s string) (addrSet, error) {
	var set addrSet
	items := []string{s}
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return set, fmt.Errorf("expected a list closed by ]")
		}
		items = strings.Split(s[1:len(s)-1], ",")
	}
	for _, it := range items {
		it = strings.TrimSpace(it)
		neg := strings.HasPrefix(it, "!")
		if neg {
			it = strings.TrimSpace(it[1:])
		}
		p, err := parseAddrItem(it)
		if err != nil {
			return set, err
		}
		if neg {
			set.neg = append(set.neg, p)
		} else {
			set.pos = append(set.pos, p)
		}
	}
	return set, nil
}

func parseAddrItem(it string) (netip.Prefix, error) {
	switch {
	case it == "":
		return netip.Prefix{}, fmt.Errorf("empty address; expected an address, a CIDR prefix or a list [a, b, !c]")
	case strings.HasPrefix(it, "$"):
		return netip.Prefix{}, fmt.Errorf("%s: address variables are not supported in exclusion files; write the addresses, or give the file to --threshold-file (variables from --address-group)", it)
	case strings.ContainsAny(it, "[]"):
		return netip.Prefix{}, fmt.Errorf("%s: nested lists are not supported; expected an address or a CIDR prefix", it)
	case strings.Contains(it, "/"):
		p, err := netip.ParsePrefix(it)
		if err != nil {
			return p, fmt.Errorf("%s: expected a CIDR prefix like 10.0.0.0/8", it)
		}
		if p.Masked() != p {
			return p, fmt.Errorf("%s: host bits set; did you mean %s?", it, p.Masked())
		}
		return p, nil
	}
	a, err := netip.ParseAddr(it)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%s: expected an IP address or a CIDR prefix", it)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// cutSpace splits s at its first space or tab into a word and the trimmed
// rest.
func cutSpace(s string) (word, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// looksLikeAddr tells an attempted address ("10.0.0.300") from a host name
// ("web-01"), so a range error is only reported for ranges.
func looksLikeAddr(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdefABCDEF.:") == ""
}

// Match returns the host entry that excludes a host with this address and
// MAC (hasMAC false when unknown). Suppress entries are not consulted.
func (l *ExclusionList) Match(a netip.Addr, mac [6]byte, hasMAC bool) (*Exclusion, bool) {
	if l == nil {
		return nil, false
	}
	a = a.Unmap()
	for i := range l.Entries {
		if e := &l.Entries[i]; e.matchHost(a, mac, hasMAC) {
			return e, true
		}
	}
	return nil, false
}

func (e *Exclusion) matchHost(a netip.Addr, mac [6]byte, hasMAC bool) bool {
	switch e.kind {
	case excludePrefix:
		return a.IsValid() && e.prefix.Contains(a)
	case excludeRange:
		return a.IsValid() && a.Is4() == e.lo.Is4() && e.lo.Compare(a) <= 0 && a.Compare(e.hi) <= 0
	case excludeMAC:
		return hasMAC && mac == e.mac
	}
	return false
}

// alertKey is what an exclusion list is checked against: the signature
// and the alert's addresses.
type alertKey struct {
	sid  uint32
	gids []uint32 // generators of rules with this sid; nil means {1}
	// attacker (Suricata's source) and victim (destination)
	src, dst netip.Addr
	mac      [6]byte
	hasMAC   bool
}

// matchAlert returns the index of the first entry, in file order, that
// removes an alert: a host entry matching its attacker, or a suppress entry
// for its signature (and addresses). The first entry is the one credited.
func (l *ExclusionList) matchAlert(k alertKey) (int, bool) {
	if l == nil {
		return 0, false
	}
	src, dst := k.src.Unmap(), k.dst.Unmap()
	for i := range l.Entries {
		e := &l.Entries[i]
		if e.kind != excludeSuppress {
			if e.matchHost(src, k.mac, k.hasMAC) {
				return i, true
			}
			continue
		}
		if e.sid != 0 && e.sid != k.sid || !e.matchGID(k.gids) {
			continue
		}
		switch e.track {
		case trackNone:
			return i, true
		case trackSrc:
			if e.addrs.contains(src) {
				return i, true
			}
		case trackDst:
			if e.addrs.contains(dst) {
				return i, true
			}
		case trackEither:
			if e.addrs.contains(src) || e.addrs.contains(dst) {
				return i, true
			}
		}
	}
	return 0, false
}

// matchGID: alerts carry no generator id of their own. Built-in detections
// are generator 1, as are rules without gid:, and a rule's alert is in its
// rule's generator; gids lists those of the rules with the alert's sid.
func (e *Exclusion) matchGID(gids []uint32) bool {
	if e.gid == 0 {
		return true
	}
	if len(gids) == 0 {
		return e.gid == 1
	}
	for _, g := range gids {
		if g == e.gid {
			return true
		}
	}
	return false
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
