package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// thresholdKeyword makes threshold: or detection_filter:, whose options
// come in any order, each once, all required.
func thresholdKeyword(name string) func(*ruleState, string) error {
	return func(st *ruleState, val string) error {
		if st.r.Threshold != nil {
			return fmt.Errorf("a rule can have one threshold or detection_filter")
		}
		t := &Threshold{}
		if name == "detection_filter" {
			t.Type = DetectionFilter
		}
		seen := map[string]bool{}
		var skip error
		for _, part := range strings.Split(val, ",") {
			f := strings.Fields(part)
			if len(f) != 2 {
				return fmt.Errorf("bad option %q (want key value) in %q", strings.TrimSpace(part), clip(val))
			}
			key, v := strings.ToLower(f[0]), strings.ToLower(f[1])
			if seen[key] {
				return fmt.Errorf("%s given twice in %q", key, clip(val))
			}
			seen[key] = true
			switch key {
			case "type":
				if name == "detection_filter" {
					return fmt.Errorf("detection_filter has no type (it is always a detection filter)")
				}
				typ, ok := lookup(v, ThresholdLimit, ThresholdBoth)
				switch {
				case ok:
					t.Type = typ
				case v == "backoff":
					skip = skipf(name, "threshold type backoff is not supported")
				default:
					return fmt.Errorf("unknown type %q (want limit, threshold or both)", v)
				}
			case "track":
				track, ok := lookup(v, TrackBySrc, TrackByFlow)
				if !ok {
					return fmt.Errorf("unknown track %q (want by_src, by_dst, by_rule, by_both or by_flow)", v)
				}
				t.Track = track
			case "count", "seconds":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || v[0] == '+' {
					return fmt.Errorf("bad %s %q (want a number above 0)", key, v)
				}
				if key == "count" {
					t.Count = n
				} else {
					t.Seconds = n
				}
			case "unique_on":
				if name != "detection_filter" {
					return fmt.Errorf("unique_on belongs to detection_filter, not %s", name)
				}
				u, ok := lookup(v, UniqueSrcPort, UniqueDstPort)
				if !ok {
					return fmt.Errorf("bad unique_on %q (want src_port or dst_port)", v)
				}
				t.UniqueOn = u
			case "multiplier":
				skip = skipf(name, "%s %s is not supported", name, key)
			default:
				return fmt.Errorf("unknown option %q in %q", key, clip(val))
			}
		}
		if skip != nil {
			return skip
		}
		want := []string{"type", "track", "count", "seconds"}
		if name == "detection_filter" {
			want = want[1:]
		}
		for _, k := range want {
			if !seen[k] {
				return fmt.Errorf("missing %s in %q", k, clip(val))
			}
		}
		st.r.Threshold = t
		return nil
	}
}
