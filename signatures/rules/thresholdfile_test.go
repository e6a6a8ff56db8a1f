package rules

import (
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseThresholdFile(t *testing.T) {
	vars := DefaultVars()
	vars.Addr["SUPPRESS"] = "[10.0.0.0/8,145.0.0.0/8]"
	cases := []struct {
		name string
		text string
		want []GlobalEntry // Where and IP left out
		warn string        // a substring of the one warning
		err  string        // a substring of the error
	}{
		{name: "threshold", text: "threshold gen_id 1, sig_id 10, type limit, track by_rule, count 3, seconds 1000",
			want: []GlobalEntry{{Kind: GlobalThreshold, GID: 1, SID: 10, Threshold: Threshold{Type: ThresholdLimit, Track: TrackByRule, Count: 3, Seconds: 1000}}}},
		{name: "event_filter", text: "event_filter gen_id 1, sig_id 0, type both, track by_both, count 1, seconds 0",
			want: []GlobalEntry{{Kind: GlobalThreshold, GID: 1, Threshold: Threshold{Type: ThresholdBoth, Track: TrackByBoth, Count: 1}}}},
		{name: "rate_filter", text: "rate_filter gen_id 1, sig_id 7, track by_dst, count 1, seconds 60, new_action reject, timeout 1000",
			want: []GlobalEntry{{Kind: GlobalRateFilter, GID: 1, SID: 7, Threshold: Threshold{Type: RateFilter, Track: TrackByDst, Count: 1, Seconds: 60}, NewAction: ActionReject, Timeout: 1000}}},
		{name: "rate_filter sdrop parses", text: "rate_filter gen_id 1, sig_id 7, track by_src, count 1, seconds 60, new_action sdrop, timeout 1",
			want: []GlobalEntry{{Kind: GlobalRateFilter, GID: 1, SID: 7, Threshold: Threshold{Type: RateFilter, Track: TrackBySrc, Count: 1, Seconds: 60}, Timeout: 1}}},
		{name: "suppress", text: "# comment\n\nsuppress gen_id 1, sig_id 2",
			want: []GlobalEntry{{Kind: GlobalSuppress, GID: 1, SID: 2}}},
		{name: "suppress ip list", text: "suppress gen_id 0, sig_id 0, track by_either, ip [1.2.3.0/24, 5.6.7.8]",
			want: []GlobalEntry{{Kind: GlobalSuppress, Track: SuppressByEither}}},
		{name: "continued line", text: "rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n  new_action alert, timeout 30",
			want: []GlobalEntry{{Kind: GlobalRateFilter, GID: 1, SID: 1000, Threshold: Threshold{Type: RateFilter, Track: TrackByRule, Count: 100, Seconds: 60}, NewAction: ActionAlert, Timeout: 30}}},
		{name: "by_flow ignored as Suricata 7 does", text: "threshold gen_id 1, sig_id 1, type limit, track by_flow, count 1, seconds 60",
			warn: "t.config:1: threshold: track by_flow"},
		{name: "unknown kind", text: "\nlimit gen_id 1, sig_id 1", err: `t.config:2: "limit": expected threshold`},
		{name: "sid without gid", text: "suppress gen_id 0, sig_id 5", err: "gen_id 0 with sig_id 5"},
		{name: "wrong order", text: "threshold gen_id 1, sig_id 1, track by_src, type limit, count 1, seconds 60", err: "(in that order)"},
		{name: "missing option", text: "threshold gen_id 1, sig_id 1, type limit, track by_src, count 1", err: "options type, track, count: expected"},
		{name: "count 0", text: "threshold gen_id 1, sig_id 1, type limit, track by_src, count 0, seconds 60", err: `count "0": expected a number above 0`},
		{name: "bad type", text: "threshold gen_id 1, sig_id 1, type backoff, track by_src, count 1, seconds 60", err: `type "backoff"`},
		{name: "bad track", text: "rate_filter gen_id 1, sig_id 1, track by_either, count 1, seconds 60, new_action drop, timeout 1", err: `track "by_either"`},
		{name: "bad action", text: "rate_filter gen_id 1, sig_id 1, track by_src, count 1, seconds 60, new_action block, timeout 1", err: `new_action "block"`},
		{name: "suppress track without ip", text: "suppress gen_id 1, sig_id 1, track by_src", err: "expected"},
		{name: "suppress bad ip", text: "suppress gen_id 1, sig_id 1, track by_src, ip $NOPE", err: `ip "$NOPE"`},
		{name: "gid not a number", text: "suppress gen_id x, sig_id 1", err: `gen_id "x"`},
		{name: "dangling continuation", text: "suppress gen_id 1, \\", err: "ends in \\"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tf, err := ParseThresholdFile("t.config", strings.NewReader(c.text), vars)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range tf.Entries {
				tf.Entries[i].Where, tf.Entries[i].IP = "", AddrSpec{}
			}
			if !reflect.DeepEqual(tf.Entries, c.want) {
				t.Errorf("entries %+v, want %+v", tf.Entries, c.want)
			}
			if c.warn == "" && len(tf.Warnings) > 0 || c.warn != "" && (len(tf.Warnings) != 1 || !strings.Contains(tf.Warnings[0], c.warn)) {
				t.Errorf("warnings %q, want one containing %q", tf.Warnings, c.warn)
			}
		})
	}
}

func TestParseThresholdFileIP(t *testing.T) {
	vars := DefaultVars()
	vars.Addr["SUPPRESS"] = "[10.0.0.0/8,145.0.0.0/8]"
	tf, err := ParseThresholdFile("t", strings.NewReader("suppress gen_id 1, sig_id 1, track by_dst, ip $SUPPRESS\nsuppress gen_id 1, sig_id 1, track by_src, ip [1.2.3.0/24,!1.2.3.4]"), vars)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		entry int
		addr  string
		want  bool
	}{
		{0, "10.1.2.3", true}, {0, "145.254.160.237", true}, {0, "20.0.0.1", false},
		{1, "1.2.3.5", true}, {1, "1.2.3.4", false},
	}
	for _, c := range cases {
		if got := tf.Entries[c.entry].IP.Match(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("entry %d: %s in ip is %v, want %v", c.entry, c.addr, got, c.want)
		}
	}
	if tf.Entries[0].Where != "t:1" || tf.Entries[1].Where != "t:2" {
		t.Errorf("where %q, %q", tf.Entries[0].Where, tf.Entries[1].Where)
	}
}

func FuzzParseThresholdFile(f *testing.F) {
	for _, s := range []string{
		"threshold gen_id 1, sig_id 10, type limit, track by_rule, count 3, seconds 1000\n",
		"rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n new_action alert, timeout 30",
		"# c\nsuppress gen_id 0, sig_id 0, track by_either, ip [1.2.3.0/24,!1.2.3.4,$HOME_NET]\nsuppress gen_id 1, sig_id 2",
		"event_filter gen_id 1, sig_id 1, type both, track by_flow, count 1, seconds 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tf, err := ParseThresholdFile("fuzz", strings.NewReader(text), DefaultVars())
		if err != nil {
			if tf != nil {
				t.Fatal("a file and an error")
			}
			return
		}
		for _, e := range tf.Entries {
			if e.Kind < GlobalThreshold || e.Kind > GlobalSuppress || e.GID == 0 && e.SID != 0 {
				t.Fatalf("bad entry %+v", e)
			}
			if e.Kind != GlobalSuppress && e.Threshold.Count < 1 {
				t.Fatalf("count %d", e.Threshold.Count)
			}
		}
	})
}

// TestParseThresholdFileCaps: an endless or oversized threshold file is an
// error naming the file, the line and the cap.
func TestParseThresholdFileCaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"NUL bytes (/dev/zero)", &endless{line: "\x00"}, "t.config:1: line longer than 1 MiB"},
		{"endless entries", &endless{line: "suppress gen_id 1, sig_id 9\n"}, "t.config:100001: more than 100000 entries, the cap for a threshold file"},
		// 15-byte lines: 1,118,481 whole ones in 16 MiB, the cap falls in the next
		{"endless comments", &endless{line: "# nothing here\n"}, "t.config:1118482: larger than 16 MiB, the cap for a threshold file"},
		{"endless continuation", &endless{line: "suppress \\\n"}, "t.config:1525202: larger than 16 MiB, the cap for a threshold file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseThresholdFile("t.config", tc.r, DefaultVars())
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
