package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/report"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// sigPack is a pack for writeSigPack: manifest fields and files.
type sigPack struct {
	name, version, released string
	files                   map[string]string
}

func webSigPack() sigPack {
	return sigPack{
		name: "web", version: "2.0.0", released: "2026-10-01",
		files: map[string]string{
			"signatures.json": `{"signatures": [{"sid": 9200001, "name": "Attack: Odd Thing", "severity": "low", "category": "misc", "description": "Something odd."}]}`,
			"rules/web.rules": "# web rules\n" +
				`alert http any any -> any any (msg:"Attack: Struts OGNL CVE-2017-5638"; content:"%{"; reference:cve,2017-5638; classtype:attempted-admin; sid:9200002; rev:1;)` + "\n",
		},
	}
}

// writeSigPack writes p into dir with a manifest whose hashes match, and
// returns dir.
func writeSigPack(t *testing.T, dir string, p sigPack) string {
	t.Helper()
	for name, content := range p.files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hashes, err := signatures.ManifestHashes(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	m, err := json.MarshalIndent(signatures.Manifest{Name: p.name, Version: p.version, Released: p.released, Files: hashes}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, signatures.ManifestFile), m, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tamper appends to a file of a written pack, so its hash no longer matches.
func tamper(t *testing.T, dir, name string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(name)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("# edited\n"); err != nil {
		t.Fatal(err)
	}
}

func TestSignaturesCommand(t *testing.T) {
	root := t.TempDir()
	web := writeSigPack(t, filepath.Join(root, "web"), webSigPack())

	tampered := writeSigPack(t, filepath.Join(root, "tampered"), webSigPack())
	tamper(t, tampered, "rules/web.rules")

	withPrev := writeSigPack(t, filepath.Join(root, "withprev"), webSigPack())
	tamper(t, withPrev, "rules/web.rules")
	old := webSigPack()
	old.version = "1.9.0"
	writeSigPack(t, signatures.PreviousDir(withPrev), old)

	badRule := webSigPack()
	badRule.files["rules/web.rules"] = "# web rules\n" + `alert tcp any any -> (msg:"header too short"; sid:9200009;)` + "\n"
	badRuleDir := writeSigPack(t, filepath.Join(root, "badrule"), badRule)

	dup := webSigPack()
	dup.files["signatures.json"] = `{"signatures": [{"sid": 9000001, "name": "Attack: Mine", "severity": "low"}]}`
	dupDir := writeSigPack(t, filepath.Join(root, "dup"), dup)

	replace := webSigPack()
	replace.name = "default"
	replaceDir := writeSigPack(t, filepath.Join(root, "mydefault"), replace)

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // each must appear
		noStdout []string // none may appear
		stderr   []string // parts of the one error line; nil: stderr empty
	}{
		{
			name: "list built-in", args: []string{"signatures", "list"},
			stdout: []string{
				"Signature packs", "| default | 1.0.0   | 2026-11-23 |", "| 12           | 0             | built-in |",
				"| 9000001 | Attack: TCP SYN Flood", "| 9100001 | Attack: Log4j2 JNDI Lookup RCE CVE-2021-44228 | high     | attempted-admin        | CVE-2021-44228 | default |",
				"| 9100003 | Audit: Nmap Scripting Engine User-Agent", "medium",
			},
		},
		{
			name: "list adds a pack", args: []string{"signatures", "list", "--signatures", web},
			stdout: []string{"| web     | 2.0.0   | 2026-10-01 |", "| 9200002 | Attack: Struts OGNL CVE-2017-5638", "CVE-2017-5638", "| 9000004 |"},
		},
		{
			name: "list replaces the default pack by name", args: []string{"signatures", "list", "--signatures", replaceDir},
			stdout: []string{"| default | 2.0.0", replaceDir, "| 9200002 |"}, noStdout: []string{"9000001", "built-in"},
		},
		{
			name: "list falls back", args: []string{"signatures", "list", "--signatures", withPrev},
			stdout: []string{"| web     | 1.9.0", "Warnings", "pack web: using the previous pack " + withPrev + ".previous (version 1.9.0) because " + withPrev + ": rules/web.rules: sha256 mismatch"},
		},
		{
			name: "list corrupt pack", args: []string{"signatures", "list", "--signatures", tampered}, code: exitInput,
			stderr: []string{tampered + ": rules/web.rules: sha256 mismatch: manifest says "},
		},
		{
			name: "list duplicate sid", args: []string{"signatures", "list", "--signatures", dupDir}, code: exitInput,
			stderr: []string{"sid 9000001 is in pack default (built-in) and in pack web (" + dupDir + ")"},
		},
		{
			name: "list missing pack", args: []string{"signatures", "list", "--signatures", filepath.Join(root, "nope")}, code: exitInput,
			stderr: []string{"nope: no such file or directory"},
		},
		{name: "list bad format", args: []string{"signatures", "list", "--format", "xml"}, code: exitInput, stderr: []string{`--format "xml"`}},
		{
			name: "show rule with CVE", args: []string{"signatures", "show", "9100001"},
			stdout: []string{
				"sid:         9100001\n", "severity:    high\n", "category:    attempted-admin\n",
				"cve:         CVE-2021-44228\n", "advice:      " + signatures.PatchAdvice + "\n",
				"rule:        built-in rules/default.rules:", `  alert http any any -> $HOME_NET $HTTP_PORTS (msg:"Attack: Log4j2 JNDI Lookup RCE CVE-2021-44228";`,
			},
		},
		{
			name: "show built-in detector", args: []string{"signatures", "show", "9000002"},
			stdout: []string{"name:        Attack: Port Scan\n", "description: One source probing"}, noStdout: []string{"rule:", "advice:"},
		},
		{
			name: "show from a pack", args: []string{"signatures", "show", "--signatures", web, "9200002"},
			stdout: []string{"pack:        web 2.0.0, released 2026-10-01 (" + web + ")", "rule:        " + filepath.Join(web, "rules", "web.rules") + ":2\n", "cve:         CVE-2017-5638"},
		},
		{name: "show unknown sid", args: []string{"signatures", "show", "12345"}, code: exitInput, stderr: []string{"sid 12345: no such signature in pack default"}},
		{name: "show not a number", args: []string{"signatures", "show", "log4j"}, code: exitInput, stderr: []string{`signatures show "log4j": want a signature id`}},
		{name: "show no sid", args: []string{"signatures", "show"}, code: exitInput, stderr: []string{"needs one signature id"}},
		{
			name: "verify built-in", args: []string{"signatures", "verify"},
			stdout: []string{"built-in: OK: pack default 1.0.0, released 2026-11-23", "2 files verified, 16 signatures (12 rules, 4 metadata only), 0 rules skipped"},
		},
		{
			name: "verify dir", args: []string{"signatures", "verify", web},
			stdout: []string{web + ": OK: pack web 2.0.0, released 2026-10-01", "2 files verified, 2 signatures (1 rules, 1 metadata only), 0 rules skipped"},
		},
		{
			name: "verify tampered", args: []string{"signatures", "verify", tampered}, code: exitInput,
			stdout: []string{"there is no previous pack"}, stderr: []string{tampered + ": rules/web.rules: sha256 mismatch"},
		},
		{
			name: "verify tampered with previous", args: []string{"signatures", "verify", withPrev}, code: exitInput,
			stdout: []string{"the previous pack " + withPrev + ".previous (web 1.9.0, released 2026-10-01) would be used instead"},
			stderr: []string{withPrev + ": rules/web.rules: sha256 mismatch"},
		},
		{
			name: "verify bad rule", args: []string{"signatures", "verify", badRuleDir}, code: exitInput,
			stdout: []string{"corrupt"}, stderr: []string{badRuleDir + ": rules/web.rules:2:"},
		},
		{name: "verify clashing pack", args: []string{"signatures", "verify", dupDir}, code: exitInput, stderr: []string{"sid 9000001 is in pack default"}},
		{name: "verify missing", args: []string{"signatures", "verify", filepath.Join(root, "nope")}, code: exitInput, stderr: []string{"no such file or directory"}},
		{name: "verify two dirs", args: []string{"signatures", "verify", web, web}, code: exitInput, stderr: []string{"at most one pack directory"}},
		{name: "unknown subcommand", args: []string{"signatures", "lsit"}, code: exitInput, stderr: []string{`unknown signatures command "lsit"`}},
		{name: "help", args: []string{"signatures"}, stdout: []string{"list", "show", "verify"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			r.wantCode(t, tc.code)
			if tc.stderr == nil {
				r.wantNoStderr(t)
			} else {
				r.wantOneErrorLine(t, tc.stderr...)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.noStdout {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout contains %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestSignaturesListJSON(t *testing.T) {
	lua := webSigPack()
	lua.files["rules/lua.rules"] = `alert tcp any any -> any any (msg:"lua"; lua:check.lua; sid:9200011; rev:1;)` + "\n"
	dir := writeSigPack(t, filepath.Join(t.TempDir(), "web"), lua)
	r := runArgs(t, "signatures", "list", "--format", "json", "--signatures", dir)
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	var doc struct {
		Schema string `json:"schema"`
		Packs  []struct {
			Name         string `json:"name"`
			Source       string `json:"source"`
			ActiveRules  int    `json:"active_rules"`
			SkippedRules int    `json:"skipped_rules"`
			FellBack     bool   `json:"fell_back"`
		} `json:"packs"`
		Signatures []struct {
			SID  uint32   `json:"sid"`
			CVE  []string `json:"cve"`
			Pack string   `json:"pack"`
			Rule string   `json:"rule"`
		} `json:"signatures"`
		Skipped []struct {
			File string `json:"file"`
			Line int    `json:"line"`
			SID  uint32 `json:"sid"`
		} `json:"skipped"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != report.SignaturesListSchema || len(doc.Packs) != 2 || doc.Packs[1].Name != "web" || doc.Packs[1].Source != dir ||
		doc.Packs[0].ActiveRules != 12 || doc.Packs[1].ActiveRules != 1 || doc.Packs[1].SkippedRules != 1 {
		t.Errorf("packs: %+v", doc.Packs)
	}
	if len(doc.Signatures) != 18 {
		t.Fatalf("%d signatures, want 18", len(doc.Signatures))
	}
	for i, s := range doc.Signatures {
		if i > 0 && s.SID <= doc.Signatures[i-1].SID {
			t.Errorf("signatures not sorted by sid: %d after %d", s.SID, doc.Signatures[i-1].SID)
		}
		if s.CVE == nil {
			t.Errorf("sid %d: cve is null, want []", s.SID)
		}
		metadataOnly := s.SID < 9100000 || s.SID == 9200001
		if (s.Rule != "") == metadataOnly {
			t.Errorf("sid %d: rule %q", s.SID, s.Rule)
		}
	}
	if len(doc.Skipped) != 1 || doc.Skipped[0].File != "rules/lua.rules" || doc.Skipped[0].Line != 1 || doc.Skipped[0].SID != 9200011 {
		t.Errorf("skipped: %+v", doc.Skipped)
	}
	if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0], "skipped "+filepath.Join(dir, "rules", "lua.rules")+":1: sid 9200011: ") {
		t.Errorf("warnings: %q", doc.Warnings)
	}
}

// The staleness warning depends on the clock, so it is tested through the
// run functions with a fixed Now.
func TestSignaturesStalePack(t *testing.T) {
	p := webSigPack()
	p.released = "2026-01-10"
	dir := writeSigPack(t, filepath.Join(t.TempDir(), "web"), p)
	released := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		now   time.Time
		stale bool
		age   string
	}{
		{"fresh", released.AddDate(0, 0, 30), false, "30 days ago"},
		{"100 days", released.AddDate(0, 0, 100), true, "100 days ago"},
		{"clock before the release", released.AddDate(0, 0, -2), false, "in the future"},
	}
	const warn = "warning: pack web 2.0.0 was released 2026-01-10, 100 days ago: more than 90 days old; update it\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := runSignaturesVerify(SignaturesOptions{VerifyDir: dir, Now: tc.now}, &b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "("+tc.age+")") {
				t.Errorf("verify output lacks the age %q:\n%s", tc.age, b.String())
			}
			if got := strings.Contains(b.String(), warn); got != tc.stale {
				t.Errorf("stale warning shown = %v, want %v:\n%s", got, tc.stale, b.String())
			}
			b.Reset()
			if err := runSignaturesList(SignaturesOptions{Dirs: []string{dir}, Format: "table", Now: tc.now}, &b); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(b.String(), strings.TrimPrefix(warn, "warning: ")); got != tc.stale {
				t.Errorf("list: stale warning shown = %v, want %v:\n%s", got, tc.stale, b.String())
			}
		})
	}
}
