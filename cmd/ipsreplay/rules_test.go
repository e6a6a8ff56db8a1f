package main

import (
	"strings"
	"testing"
)

// A rule file in Suricata syntax fires on a corpus capture with the right
// sid, msg and count, and the report says how many rules ran and were
// skipped.
func TestRuleFileFiresOnCorpus(t *testing.T) {
	rulesFile := writeFile(t, "local.rules", []byte(`# the FTP server refuses logins: one alert per refusal
alert tcp $HOME_NET 21 -> any any (msg:"FTP login refused"; flow:established,to_client; content:"530 "; depth:4; classtype:attempted-user; sid:1000001; rev:1;)
# a keyword we do not support: skipped and reported, never run changed
alert tcp any any -> any any (msg:"uses lua"; content:"USER"; lua:check.lua; sid:1000002;)
`))
	r := runArgs(t, "analyze", "-f", "json", "--no-builtins", "--rules", rulesFile, "--autoblock", "0", capture("bruteforce-ftp.pcap"))
	r.wantCode(t, exitOK)
	rep := decodeReport(t, r.stdout)
	var got struct{ count uint64 }
	for _, s := range rep.Signatures {
		if s.SID == 1000001 && s.Name == "FTP login refused" {
			got.count = s.Count
		}
	}
	// bruteforce-ftp.pcap: 25 attempts, each answered "530 Login incorrect."
	if got.count != 25 {
		t.Errorf("sid 1000001 \"FTP login refused\" fired %d times, want 25; signatures %+v", got.count, rep.Signatures)
	}
	if !strings.Contains(r.stdout, `"rules_active": 1`) || !strings.Contains(r.stdout, `"rules_skipped": 1`) {
		t.Errorf("summary does not count 1 active and 1 skipped rule")
	}
	if !strings.Contains(r.stdout, "local.rules:4: rule sid 1000002 skipped") {
		t.Errorf("the skipped rule is not reported with file and line")
	}
}
