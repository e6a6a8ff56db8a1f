package rulematch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func TestRuleCompileErrors(t *testing.T) {
	bad := []*rules.Rule{
		newRule(1, "tcp"), // fine
		newRule(2, "tcp", func(r *rules.Rule) { r.Proto = 0 }), // built without a protocol
		newRule(3, "tcp", withAction("log")),
		newRule(4, "tcp", withFlags("S"), func(r *rules.Rule) { r.Flags.Mode = '?' }),
		newRule(5, "tcp", func(r *rules.Rule) { r.Dsize = &rules.Range{Op: 0} }),
		newRule(6, "tcp", withThreshold("sometimes", "by_src", 1, 1)),
		newRule(7, "tcp", withThreshold("limit", "by_port", 1, 1)),
		newRule(8, "tcp", withThreshold("limit", "by_src", 0, 1)),
		newRule(9, "tcp", withMatches(contentMatch("abc", "depth:2"))),
		newRule(10, "tcp", withMatches(contentMatch("abc", ""), contentMatch("d", "within:0"))),
		newRule(11, "tcp", withMatches(contentMatch("abc", "startswith; offset:1"))),
		newRule(12, "tcp", withMatches(contentMatch("Host", "buffer:http.host"))),
		newRule(13, "tcp", withMatches(contentMatch("a", "buffer:http.host.raw"))),
		newRule(14, "tcp", withMatches(rules.Match{})),
		newRule(15, "tcp", withMatches(rules.Match{PCRE: &rules.PCRE{Source: "/x/"}})),
		newRule(16, "tcp", withMatches(rules.Match{Content: &rules.Content{}})),
		newRule(17, "tcp", withFlow(rules.FlowAny, true, true, false)),
		newRule(18, "tcp", withMatches(rules.Match{Byte: &rules.ByteOp{Kind: rules.ByteTest, Bytes: 1}})),
		nil,
	}
	_, err := New(bad, DefaultConfig())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for line := 2; line <= 18; line++ {
		if !strings.Contains(msg, fmt.Sprintf("test.rules:%d: sid %d: ", line, line)) {
			t.Errorf("error does not name test.rules:%d:\n%s", line, msg)
		}
	}
	for _, want := range []string{`protocol "Protocol(0)" is not supported`, "nil rule", "depth 2 is less than", fmt.Sprintf("buffer %q is not supported", rules.NumBuffers.String()),
		"byte_test: operator ByteCompare(0) unknown"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "test.rules:1:") {
		t.Errorf("good rule reported:\n%s", msg)
	}
	if _, err := New(nil, Config{}); err == nil || !strings.Contains(err.Error(), "max_threshold_entries") {
		t.Errorf("zero config accepted: %v", err)
	}
}
