package rulematch

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestThresholdFile(t *testing.T) {
	const A, B, S = "10.0.0.1", "10.0.0.3", "10.0.0.2"
	type hit struct {
		at       time.Duration
		src, dst string
	}
	series := func(src, dst string, from time.Duration, n int) []hit {
		var out []hit
		for i := range n {
			out = append(out, hit{from + time.Duration(i)*time.Second, src, dst})
		}
		return out
	}
	cases := []struct {
		name string
		rule []ruleOpt // of sid 5, gid 1
		file string
		hits []hit
		// want is each alerting hit's index, with ":action" when a
		// rate_filter changed its action
		want []string
	}{
		{"threshold for a sid", nil, "threshold gen_id 1, sig_id 5, type limit, track by_rule, count 2, seconds 60",
			series(A, S, 0, 4), []string{"0", "1"}},
		{"event_filter is threshold", nil, "event_filter gen_id 1, sig_id 5, type threshold, track by_src, count 2, seconds 60",
			series(A, S, 0, 4), []string{"1", "3"}},
		{"another sid untouched", nil, "threshold gen_id 1, sig_id 6, type limit, track by_rule, count 1, seconds 60",
			series(A, S, 0, 2), []string{"0", "1"}},
		{"another gid untouched", nil, "threshold gen_id 2, sig_id 5, type limit, track by_rule, count 1, seconds 60",
			series(A, S, 0, 2), []string{"0", "1"}},
		{"sid overrides the rule's threshold", []ruleOpt{withThreshold("limit", "by_src", 1, 60)},
			"threshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60",
			series(A, S, 0, 4), []string{"0", "1", "2"}},
		{"the last sid line wins", nil,
			"threshold gen_id 1, sig_id 5, type limit, track by_src, count 3, seconds 60\nthreshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60",
			series(A, S, 0, 3), []string{"0"}},
		{"sid 0 leaves the rule's threshold", []ruleOpt{withThreshold("limit", "by_src", 1, 60)},
			"threshold gen_id 0, sig_id 0, type limit, track by_src, count 3, seconds 60",
			series(A, S, 0, 4), []string{"0"}},
		{"sid 0 for rules without", nil, "threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60",
			series(A, S, 0, 2), []string{"0"}},
		{"rate_filter changes the action", nil,
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 2, seconds 60, new_action drop, timeout 10",
			series(A, S, 0, 4), []string{"0", "1", "2:drop", "3:drop"}},
		{"rate_filter by_src", nil,
			"rate_filter gen_id 1, sig_id 5, track by_src, count 1, seconds 60, new_action reject, timeout 10",
			append(series(A, S, 0, 2), series(B, S, 2*time.Second, 2)...), []string{"0", "1:reject", "2", "3:reject"}},
		{"rate_filter by_both is one pair both ways", nil,
			"rate_filter gen_id 1, sig_id 5, track by_both, count 1, seconds 60, new_action drop, timeout 10",
			[]hit{{0, A, S}, {time.Second, S, A}}, []string{"0", "1:drop"}},
		// the timeout ends on the match after it; counting goes on in
		// the window as it stands
		{"rate_filter timeout", nil,
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action drop, timeout 5",
			[]hit{{0, A, S}, {time.Second, A, S}, {6 * time.Second, A, S}, {7 * time.Second, A, S}, {8 * time.Second, A, S}},
			[]string{"0", "1:drop", "2:drop", "3", "4:drop"}},
		{"rate_filter after the window", nil,
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 10, new_action drop, timeout 5",
			[]hit{{0, A, S}, {20 * time.Second, A, S}, {21 * time.Second, A, S}}, []string{"0", "1", "2:drop"}},
		{"rate_filter pass silences", nil,
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action pass, timeout 10",
			series(A, S, 0, 3), []string{"0"}},
		{"rate_filter log changes nothing", nil,
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action log, timeout 10",
			series(A, S, 0, 2), []string{"0", "1"}},
		{"rate_filter yields to the rule's threshold", []ruleOpt{withThreshold("limit", "by_src", 1, 60)},
			"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action drop, timeout 10",
			series(A, S, 0, 3), []string{"0"}},
		{"suppress the sid", nil, "suppress gen_id 1, sig_id 5", series(A, S, 0, 2), nil},
		{"suppress every rule", nil, "suppress gen_id 0, sig_id 0", series(A, S, 0, 2), nil},
		{"suppress by_src", nil, "suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.1",
			append(series(A, S, 0, 1), series(B, S, time.Second, 1)...), []string{"1"}},
		{"suppress by_dst list", nil, "suppress gen_id 1, sig_id 5, track by_dst, ip [10.0.0.0/24, !10.0.0.2]",
			[]hit{{0, A, S}, {time.Second, A, B}}, []string{"0"}},
		{"suppress by_either", nil, "suppress gen_id 1, sig_id 0, track by_either, ip 10.0.0.1",
			[]hit{{0, S, A}, {time.Second, A, S}, {2 * time.Second, B, S}}, []string{"2"}},
		// Suricata checks suppress before the threshold: suppressed
		// matches do not count towards it
		{"suppressed matches do not count", nil,
			"suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.1\nthreshold gen_id 1, sig_id 5, type limit, track by_rule, count 1, seconds 60",
			append(series(A, S, 0, 2), series(B, S, 2*time.Second, 2)...), []string{"2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tf, err := rules.ParseThresholdFile("threshold.config", strings.NewReader(c.file), rules.DefaultVars())
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.ThresholdFile = tf.Entries
			m, err := New([]*rules.Rule{newRule(5, "tcp", append([]ruleOpt{withMatches(contentMatch("x", ""))}, c.rule...)...)}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range c.hits {
				// a connection each: a drop or reject from a rate_filter
				// drops its flow (TestThresholdFileRateDropDropsTheFlow)
				f := tcpPacket("x", atTime(h.at), fromAddr(h.src, uint16(1000+i)), toAddr(h.dst, 80))
				m.Observe(&f, func(ev packet.Event) {
					s := fmt.Sprint(i)
					if ev.RateAction != "" {
						s += ":" + ev.RateAction
					}
					got = append(got, s)
				})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("alerts %v, want %v", got, c.want)
			}
		})
	}
}

// A rate_filter pass ends the packet's alerts as a pass rule would.
func TestThresholdFileRatePassStopsLaterRules(t *testing.T) {
	tf, err := rules.ParseThresholdFile("t", strings.NewReader(
		"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action pass, timeout 60"), rules.DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.ThresholdFile = tf.Entries
	m, err := New([]*rules.Rule{
		newRule(5, "tcp", withMatches(contentMatch("x", ""))),
		newRule(6, "tcp", withMatches(contentMatch("x", ""))),
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for i := range 2 {
		f := tcpPacket("x", atTime(time.Duration(i)*time.Second))
		m.Observe(&f, func(ev packet.Event) { got = append(got, ev.SID) })
	}
	if want := []uint32{5, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("alerts %v, want %v (the second packet's pass silences sid 6)", got, want)
	}
}

// A rate_filter whose new action is drop drops the flow once the rate is
// passed, even with no drop rule loaded: later packets of the flow are not
// inspected (threshold-config-rate-filter-drop-*).
func TestThresholdFileRateDropDropsTheFlow(t *testing.T) {
	tf, err := rules.ParseThresholdFile("t", strings.NewReader(
		"rate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 60, new_action drop, timeout 60"), rules.DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.ThresholdFile = tf.Entries
	m, err := New([]*rules.Rule{newRule(5, "tcp", withMatches(contentMatch("x", "")))}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var verdicts []packet.Action
	for i := range 4 {
		f := tcpPacket("x", atTime(time.Duration(i)*time.Second))
		m.Observe(&f, func(ev packet.Event) { got = append(got, ev.RateAction) })
		verdicts = append(verdicts, f.Verdict)
	}
	if want := []string{"", "drop"}; !reflect.DeepEqual(got, want) {
		t.Errorf("alerts' rate actions %q, want %q (then the flow is dropped)", got, want)
	}
	if want := []packet.Action{packet.ActionAlert, packet.ActionDrop, packet.ActionDrop, packet.ActionDrop}; !reflect.DeepEqual(verdicts, want) {
		t.Errorf("verdicts %v, want %v", verdicts, want)
	}
}
