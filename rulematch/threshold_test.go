package rulematch

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestRuleThreshold(t *testing.T) {
	const A, B = "10.0.0.1", "10.0.0.3"
	type hit struct {
		at       time.Duration
		src, dst string
	}
	series := func(src string, from time.Duration, n int) []hit {
		var out []hit
		for i := range n {
			out = append(out, hit{from + time.Duration(i)*time.Second, src, "10.0.0.2"})
		}
		return out
	}
	cat := func(hs ...[]hit) []hit { return slices.Concat(hs...) }
	cases := []struct {
		name                 string
		typ, track           string
		count, seconds       int
		hits                 []hit
		want                 []int // indexes of hits that alert
		wantEvicted, maxKeys int
	}{
		{"limit first N", "limit", "by_src", 2, 60, series(A, 0, 5), []int{0, 1}, 0, 0},
		{"limit per source", "limit", "by_src", 2, 60, cat(series(A, 0, 3), series(B, 3*time.Second, 3)), []int{0, 1, 3, 4}, 0, 0},
		{"limit window end inclusive", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {60 * time.Second, A, "10.0.0.2"}}, []int{0}, 0, 0},
		{"limit next window", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {30 * time.Second, A, "10.0.0.2"}, {61 * time.Second, A, "10.0.0.2"}}, []int{0, 2}, 0, 0},
		{"limit by_dst", "limit", "by_dst", 1, 60, cat(series(A, 0, 2), series(B, 2*time.Second, 2)), []int{0}, 0, 0},
		{"limit by_rule", "limit", "by_rule", 1, 60, []hit{{0, A, "10.0.0.2"}, {time.Second, B, "10.0.0.4"}}, []int{0}, 0, 0},
		{"limit by_both", "limit", "by_both", 1, 60, []hit{{0, A, "10.0.0.2"}, {1, A, "10.0.0.4"}, {2, A, "10.0.0.2"}}, []int{0, 1}, 0, 0},
		{"threshold every Nth", "threshold", "by_src", 3, 60, series(A, 0, 7), []int{2, 5}, 0, 0},
		{"threshold window restarts count", "threshold", "by_src", 2, 10, []hit{{0, A, "10.0.0.2"}, {11 * time.Second, A, "10.0.0.2"}, {12 * time.Second, A, "10.0.0.2"}}, []int{2}, 0, 0},
		{"threshold 1 is every match", "threshold", "by_src", 1, 60, series(A, 0, 3), []int{0, 1, 2}, 0, 0},
		{"both once per window", "both", "by_src", 3, 60, series(A, 0, 7), []int{2}, 0, 0},
		{"both next window", "both", "by_src", 2, 5, cat(series(A, 0, 4), series(A, 10*time.Second, 3)), []int{1, 5}, 0, 0},
		{"both 1", "both", "by_src", 1, 60, cat(series(A, 0, 2), series(A, 61*time.Second, 1)), []int{0, 2}, 0, 0},
		{"detection_filter after count", "detection_filter", "by_src", 3, 60, series(A, 0, 6), []int{3, 4, 5}, 0, 0},
		{"detection_filter resets", "detection_filter", "by_src", 1, 10, cat(series(A, 0, 3), series(A, 20*time.Second, 2)), []int{1, 2, 4}, 0, 0},
		// one entry only: B's match evicts A's count, so A alerts again
		{"limit evicted", "limit", "by_src", 1, 60, []hit{{0, A, "10.0.0.2"}, {1, B, "10.0.0.2"}, {2, A, "10.0.0.2"}}, []int{0, 1, 2}, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.maxKeys > 0 {
				cfg.MaxThresholdEntries = c.maxKeys
			}
			r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold(c.typ, c.track, c.count, c.seconds))
			m, err := New([]*rules.Rule{r}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, h := range c.hits {
				f := tcpPacket("x", atTime(h.at), fromAddr(h.src, 1000), toAddr(h.dst, 80))
				m.Observe(&f, func(packet.Event) { got = append(got, i) })
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("alerts on hits %v, want %v", got, c.want)
			}
			if m.Evicted() != uint64(c.wantEvicted) {
				t.Errorf("evicted %d, want %d", m.Evicted(), c.wantEvicted)
			}
		})
	}
}

// TestRuleThresholdUniqueAndFlow covers detection_filter unique_on (count
// distinct ports, not matches) and track by_flow (one count per
// connection, both directions together).
func TestRuleThresholdUniqueAndFlow(t *testing.T) {
	type hit struct {
		at    time.Duration
		src   string
		sport uint16
		dst   string
		dport uint16
	}
	const A, B, V = "10.0.0.1", "10.0.0.3", "10.0.0.2"
	cases := []struct {
		name           string
		typ, track     string
		unique         string
		count, seconds int
		hits           []hit
		want           []int
	}{
		{"distinct dst ports above count", "detection_filter", "by_src", "dst_port", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, A, 1000, V, 80}, {2, A, 1000, V, 81}, {3, A, 1000, V, 82}, {4, A, 1000, V, 80}},
			[]int{3, 4}},
		{"duplicates do not count", "detection_filter", "by_dst", "dst_port", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, B, 1001, V, 80}, {2, A, 1002, V, 81}, {3, A, 1003, V, 81}},
			nil},
		{"distinct src ports", "detection_filter", "by_src", "src_port", 1, 60,
			[]hit{{0, A, 2000, V, 80}, {1, A, 2000, V, 80}, {2, A, 2001, V, 80}},
			[]int{2}},
		{"unique window restarts", "detection_filter", "by_src", "dst_port", 1, 10,
			[]hit{{0, A, 1000, V, 80}, {time.Second, A, 1000, V, 81}, {20 * time.Second, A, 1000, V, 82}, {21 * time.Second, A, 1000, V, 82}},
			[]int{1}},
		{"by_flow: both directions one flow", "limit", "by_flow", "", 2, 60,
			[]hit{{0, A, 1000, V, 80}, {1, V, 80, A, 1000}, {2, A, 1000, V, 80}},
			[]int{0, 1}},
		{"by_flow: another port is another flow", "limit", "by_flow", "", 1, 60,
			[]hit{{0, A, 1000, V, 80}, {1, A, 1001, V, 80}, {2, A, 1000, V, 80}},
			[]int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold(c.typ, c.track, c.count, c.seconds))
			r.Threshold.UniqueOn = named(c.unique, rules.UniqueNone, rules.UniqueDstPort, rules.UniqueDstPort+1)
			m, err := New([]*rules.Rule{r}, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, h := range c.hits {
				f := tcpPacket("x", atTime(h.at), fromAddr(h.src, h.sport), toAddr(h.dst, h.dport))
				m.Observe(&f, func(packet.Event) { got = append(got, i) })
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("alerts on hits %v, want %v", got, c.want)
			}
		})
	}
	r := newRule(5, "tcp", withMatches(contentMatch("x", "")), withThreshold("detection_filter", "by_src", 70000, 60))
	r.Threshold.UniqueOn = rules.UniqueDstPort
	if _, err := New([]*rules.Rule{r}, DefaultConfig()); err == nil || !strings.Contains(err.Error(), "never be exceeded") {
		t.Errorf("unique_on count 70000: err %v, want never be exceeded", err)
	}
}

func TestRuleThresholdExpire(t *testing.T) {
	m := newMatcher(t,
		newRule(1, "tcp", withMatches(contentMatch("x", "")), withThreshold("limit", "by_src", 1, 30)),
		newRule(2, "tcp", withMatches(contentMatch("y", "")), withThreshold("limit", "by_src", 1, 60)))
	for i, p := range []string{"x", "y"} {
		f := tcpPacket(p, fromAddr(fmt.Sprintf("10.0.1.%d", i), 1))
		m.Observe(&f, func(packet.Event) {})
	}
	if m.thresh.Len() != 2 {
		t.Fatalf("%d entries, want 2", m.thresh.Len())
	}
	m.Expire(t0+int64(60*time.Second), nil)
	if m.thresh.Len() != 2 {
		t.Errorf("expired at the longest window: %d entries left, want 2", m.thresh.Len())
	}
	m.Expire(t0+int64(61*time.Second), nil)
	if m.thresh.Len() != 0 {
		t.Errorf("%d entries after the longest window, want 0", m.thresh.Len())
	}
}
