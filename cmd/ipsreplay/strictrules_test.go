package main

import (
	"strings"
	"testing"
)

const mixedRules = `alert tcp $HOME_NET 21 -> any any (msg:"FTP login refused"; flow:established,to_client; content:"530 "; depth:4; sid:1000001; rev:1;)
alert tcp any any -> any any (msg:"bad hex"; content:"|4"; sid:1000002;)
alert tcp any any -> any any (msg:"uses lua"; content:"USER"; lua:check.lua; sid:1000003;)
`

// A rule that does not parse is left out and counted; the others run.
// --strict-rules refuses the file as before, with the same exit code and
// message.
func TestStrictRules(t *testing.T) {
	rulesFile := writeFile(t, "mixed.rules", []byte(mixedRules))
	args := []string{"analyze", "-f", "json", "--no-builtins", "--rules", rulesFile, "--autoblock", "0"}

	r := runArgs(t, append(args, capture("bruteforce-ftp.pcap"))...)
	r.wantCode(t, exitOK)
	rep := decodeReport(t, r.stdout)
	fired := false
	for _, s := range rep.Signatures {
		fired = fired || s.SID == 1000001 && s.Count == 25
	}
	if !fired {
		t.Errorf("the good rule did not fire 25 times: %+v", rep.Signatures)
	}
	for _, want := range []string{
		`"rules_active": 1`, `"rules_skipped": 1`, `"rules_failed": 1`,
		`"reason": "invalid content"`, `"reason": "unsupported keyword lua"`,
		"mixed.rules:2: rule sid 1000002 failed: content: unterminated hex",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %s", want)
		}
	}

	r = runArgs(t, append(append(args, "--strict-rules"), capture("bruteforce-ftp.pcap"))...)
	r.wantCode(t, exitInput)
	if !strings.Contains(r.stderr, "mixed.rules:2: content: unterminated hex") || r.stdout != "" {
		t.Errorf("strict: stderr %q, stdout %q", r.stderr, r.stdout)
	}
}

func TestVerifyRules(t *testing.T) {
	rulesFile := writeFile(t, "mixed.rules", []byte(mixedRules))
	r := runArgs(t, "signatures", "verify", "--rules", rulesFile)
	r.wantCode(t, exitOK)
	for _, want := range []string{
		"OK: 3 rules read: 1 loaded, 1 skipped, 1 failed",
		"1  invalid content",
		"1  unsupported keyword lua",
		"failed " + rulesFile + ":2: content: unterminated hex",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runArgs(t, "signatures", "verify", "--strict-rules", "--rules", rulesFile)
	r.wantCode(t, exitInput)
	if !strings.Contains(r.stderr, "mixed.rules:2: content: unterminated hex") {
		t.Errorf("strict verify stderr %q", r.stderr)
	}
	r = runArgs(t, "signatures", "verify", "--rules", rulesFile, "somedir")
	r.wantCode(t, exitInput)
}
