package rules

// Suricata's threshold.config (threshold-file in suricata.yaml), as
// util-threshold-config.c reads it: threshold/event_filter, rate_filter
// and suppress lines naming a rule by gen_id and sig_id, 0 for any.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/capped"
)

// GlobalKind is what a threshold.config line does.
type GlobalKind uint8

// Global threshold kinds; the zero value is none.
const (
	// GlobalThreshold is a threshold or event_filter line: the rule's
	// threshold: for a sid (replacing the rule's own), or for every rule
	// without one when sig_id is 0.
	GlobalThreshold GlobalKind = iota + 1
	// GlobalRateFilter changes a rule's action once it matched more than
	// count times in seconds, for timeout seconds.
	GlobalRateFilter
	// GlobalSuppress removes a rule's alerts: all of them, or those whose
	// source, destination or either address is in IP.
	GlobalSuppress
)

// String returns the kind as the file writes it (event_filter reads as
// threshold).
func (k GlobalKind) String() string {
	return enumName("GlobalKind", uint8(k), "", "threshold", "rate_filter", "suppress")
}

// SuppressTrack is which address of a match a suppress line's ip applies to.
type SuppressTrack uint8

// Suppress tracks; the zero value is a suppress line without ip: every
// alert of the rule.
const (
	SuppressBySrc SuppressTrack = iota + 1
	SuppressByDst
	SuppressByEither
)

// String returns the track as the file writes it.
func (t SuppressTrack) String() string {
	return enumName("SuppressTrack", uint8(t), "", "by_src", "by_dst", "by_either")
}

// GlobalEntry is one line of a threshold file.
type GlobalEntry struct {
	Where    string // file:line, for messages
	Kind     GlobalKind
	GID, SID uint32 // 0 is any: sig_id 0 is every rule of gen_id (or of every generator with gen_id 0)
	// Threshold (GlobalThreshold, GlobalRateFilter): type, track, count
	// and seconds; a rate filter's Type is RateFilter.
	Threshold Threshold
	// NewAction and Timeout (GlobalRateFilter): the action matches get
	// once the rate is exceeded, for Timeout seconds. NewAction is 0 for
	// log and sdrop, which Suricata 7 parses but does not apply.
	NewAction Action
	Timeout   int
	// Track and IP (GlobalSuppress): which address must be in IP; Track 0
	// suppresses the rule for every address.
	Track SuppressTrack
	IP    AddrSpec
}

// ThresholdFile is a parsed threshold file.
type ThresholdFile struct {
	Entries []GlobalEntry
	// Warnings name the lines Suricata 7 logs as errors and then ignores
	// although they are well formed (track by_flow, which Suricata 8
	// added): they are left out too.
	Warnings []string
}

// ParseThresholdFile reads a threshold file: one entry a line, a line
// ending in "\" continued on the next, "#" lines and blank lines skipped.
// ip values are address expressions ($VARIABLES resolved with vars). A
// malformed line is an error naming name:line, the offending option and
// what was expected; where Suricata 7 would log the line and go on, so a
// run never silently differs from the file, except for the lines listed
// in Warnings.
func ParseThresholdFile(name string, r io.Reader, vars Vars) (*ThresholdFile, error) {
	tf := &ThresholdFile{}
	res := newResolver(vars)
	sc := bufio.NewScanner(capped.NewReader(r, thresholdFileKind, capped.ListBytes))
	sc.Buffer(make([]byte, 0, 4096), maxThresholdLine)
	line, start := 0, 0
	var text strings.Builder
	for sc.Scan() {
		if sc.Err() != nil {
			break // the line cut short by a read error or the cap
		}
		line++
		s := strings.TrimSpace(sc.Text())
		if text.Len() == 0 {
			if s == "" || s[0] == '#' {
				continue
			}
			start = line
		}
		if rest, ok := strings.CutSuffix(s, `\`); ok {
			text.WriteString(rest)
			text.WriteByte(' ')
			continue
		}
		text.WriteString(s)
		where := fmt.Sprintf("%s:%d", name, start)
		if len(tf.Entries)+len(tf.Warnings) == capped.ListEntries {
			return nil, fmt.Errorf("%s: %w", where, &capped.TooManyError{What: thresholdFileKind, Cap: capped.ListEntries})
		}
		e, warn, err := parseGlobalEntry(text.String(), res)
		text.Reset()
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %w", where, err)
		case warn != "":
			tf.Warnings = append(tf.Warnings, where+": "+warn)
			continue
		}
		e.Where = where
		tf.Entries = append(tf.Entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %s", capped.Size(maxThresholdLine))
		}
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if text.Len() > 0 {
		return nil, fmt.Errorf("%s:%d: the last line ends in \\ with nothing after it", name, start)
	}
	return tf, nil
}

// thresholdFileKind names a threshold file in cap errors.
const thresholdFileKind = "a threshold file"

// maxThresholdLine bounds one physical line; a suppress line's ip list of
// tens of thousands of addresses still fits, and "\" continues a line.
const maxThresholdLine = 1 << 20

// globalOptions are the options each kind takes, in the order Suricata
// 7's expressions require them.
var globalOptions = map[GlobalKind][]string{
	GlobalThreshold:  {"type", "track", "count", "seconds"},
	GlobalRateFilter: {"track", "count", "seconds", "new_action", "timeout"},
	GlobalSuppress:   {"track", "ip"},
}

// parseGlobalEntry parses one logical line. warn, when set, says why
// Suricata 7 ignores a well-formed line.
func parseGlobalEntry(text string, res *resolver) (e GlobalEntry, warn string, err error) {
	word, rest := cutWord(text)
	switch strings.ToLower(word) {
	case "threshold", "event_filter":
		e.Kind = GlobalThreshold
	case "rate_filter":
		e.Kind = GlobalRateFilter
	case "suppress":
		e.Kind = GlobalSuppress
	default:
		return e, "", fmt.Errorf("%q: expected threshold, event_filter, rate_filter or suppress", clip(word))
	}
	opts := SplitBracketed(rest)
	usage := globalUsage(e.Kind)
	if len(opts) < 2 {
		return e, "", fmt.Errorf("%s: expected %q", word, usage)
	}
	var keys []string
	vals := map[string]string{}
	for i, opt := range opts {
		key, val := cutWord(opt)
		key = strings.ToLower(key)
		if key == "" {
			return e, "", fmt.Errorf("%s: empty option (a stray comma?); expected %q", word, usage)
		}
		if val == "" {
			return e, "", fmt.Errorf("%s: %s: missing value", word, key)
		}
		if i < 2 {
			want := [2]string{"gen_id", "sig_id"}[i]
			if key != want {
				return e, "", fmt.Errorf("%s: %q where %s belongs; expected %q", word, key, want, usage)
			}
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return e, "", fmt.Errorf("%s: %s %q: expected a number (0 for any)", word, key, val)
			}
			if i == 0 {
				e.GID = uint32(n)
			} else {
				e.SID = uint32(n)
			}
			continue
		}
		keys = append(keys, key)
		vals[key] = val
	}
	want := globalOptions[e.Kind]
	if !(e.Kind == GlobalSuppress && len(keys) == 0) && !slices.Equal(keys, want) {
		return e, "", fmt.Errorf("%s: options %s: expected %q (in that order)", word, strings.Join(keys, ", "), usage)
	}
	if e.GID == 0 && e.SID != 0 {
		return e, "", fmt.Errorf("%s: gen_id 0 with sig_id %d: Suricata refuses a sid without its generator; write gen_id 1", word, e.SID)
	}
	count := func() (int, error) {
		n, err := strconv.ParseUint(vals["count"], 10, 32)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("%s: count %q: expected a number above 0", word, vals["count"])
		}
		return int(n), nil
	}
	number := func(key string) (int, error) {
		n, err := strconv.ParseUint(vals[key], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%s: %s %q: expected a number of seconds", word, key, vals[key])
		}
		return int(n), nil
	}
	switch e.Kind {
	case GlobalThreshold, GlobalRateFilter:
		t := &e.Threshold
		if e.Kind == GlobalThreshold {
			typ, ok := lookup(strings.ToLower(vals["type"]), ThresholdLimit, ThresholdBoth)
			if !ok {
				return e, "", fmt.Errorf("%s: type %q: expected limit, threshold or both", word, vals["type"])
			}
			t.Type = typ
		} else {
			t.Type = RateFilter
		}
		track, ok := lookup(strings.ToLower(vals["track"]), TrackBySrc, TrackByBoth)
		if !ok {
			if strings.EqualFold(vals["track"], "by_flow") {
				return e, fmt.Sprintf("%s: track by_flow is not accepted by Suricata 7's threshold file (Suricata 8 added it); line ignored, as Suricata 7 does", word), nil
			}
			return e, "", fmt.Errorf("%s: track %q: expected by_src, by_dst, by_both or by_rule", word, vals["track"])
		}
		t.Track = track
		if t.Count, err = count(); err != nil {
			return e, "", err
		}
		if t.Seconds, err = number("seconds"); err != nil {
			return e, "", err
		}
		if e.Kind == GlobalRateFilter {
			switch a := strings.ToLower(vals["new_action"]); a {
			case "alert", "drop", "reject", "pass":
				e.NewAction, _ = lookup(a, ActionAlert, ActionPass)
			case "log", "sdrop":
				// parsed by Suricata 7, then left without effect
			default:
				return e, "", fmt.Errorf("%s: new_action %q: expected alert, drop, reject or pass", word, vals["new_action"])
			}
			if e.Timeout, err = number("timeout"); err != nil {
				return e, "", err
			}
		}
	case GlobalSuppress:
		if len(keys) == 0 {
			break
		}
		track, ok := lookup(strings.ToLower(vals["track"]), SuppressBySrc, SuppressByEither)
		if !ok {
			return e, "", fmt.Errorf("%s: track %q: expected by_src, by_dst or by_either", word, vals["track"])
		}
		e.Track = track
		ip, err := res.addrSpec(vals["ip"])
		if err != nil {
			return e, "", fmt.Errorf("%s: ip %q: %w", word, vals["ip"], err)
		}
		e.IP = ip
	}
	return e, "", nil
}

// globalUsage is the syntax of a kind, for errors.
func globalUsage(k GlobalKind) string {
	switch k {
	case GlobalThreshold:
		return "threshold gen_id G, sig_id N, type limit|threshold|both, track by_src|by_dst|by_both|by_rule, count C, seconds S"
	case GlobalRateFilter:
		return "rate_filter gen_id G, sig_id N, track by_src|by_dst|by_both|by_rule, count C, seconds S, new_action alert|drop|reject|pass, timeout T"
	}
	return "suppress gen_id G, sig_id N[, track by_src|by_dst|by_either, ip ADDR]"
}

// SplitBracketed splits at commas outside brackets, so an ip list's
// commas stay in its value (threshold files, exclusion lists).
func SplitBracketed(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// cutWord splits s at its first space or tab into a word and the trimmed
// rest.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}
