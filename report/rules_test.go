package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// The summary counts failed rules beside active and skipped ones and
// shows the commonest reasons, the rest only as a count.
func TestSummaryRuleCounts(t *testing.T) {
	r := &analyzer.Result{}
	s := &r.Summary
	s.Packs = []string{"rules:emerging-dns.rules", "rules:emerging-info.rules"}
	s.RulesActive, s.RulesSkipped, s.RulesFailed = 13359, 4058, 2
	s.RulesFailedReasons = []analyzer.ReasonCount{{Reason: "invalid content", Count: 2}}
	for _, kw := range []string{"file_data", "dns_query", "http_stat_code", "pcre", "urilen", "tls_sni", "asn1"} {
		s.RulesSkippedReasons = append(s.RulesSkippedReasons, analyzer.ReasonCount{Reason: "unsupported keyword " + kw, Count: 10})
	}
	var buf bytes.Buffer
	if err := Write(&buf, r, FormatTable); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"| Signature packs   | rules:emerging-dns.rules ",
		"|                   | rules:emerging-info.rules ",
		"13,359 active, 4,058 skipped, 2 failed",
		"failed: invalid content: 2",
		"skipped: unsupported keyword file_data: 10",
		"skipped: unsupported keyword urilen: 10",
		"skipped: 2 more reasons",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "tls_sni") {
		t.Errorf("table shows more than %d reasons:\n%s", tableReasons, out)
	}

	buf.Reset()
	if err := Write(&buf, r, FormatJSON); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"rules_failed": 2`, `"reason": "unsupported keyword asn1"`, `"rules_failed_reasons": [`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}
