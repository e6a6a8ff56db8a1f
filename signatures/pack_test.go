package signatures

import (
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/internal/jsonfile"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

var updateManifest = flag.Bool("update-manifest", false, "rewrite default/manifest.json's hashes from the files in default/")

// TestDefaultPackManifest keeps default/manifest.json's hashes in step
// with the files: edit a rule, then run
// go test ./signatures -run Manifest -update-manifest (or go generate).
func TestDefaultPackManifest(t *testing.T) {
	const path = "default/" + ManifestFile
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := jsonfile.Decode(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got, err := ManifestHashes(os.DirFS("default"))
	if err != nil {
		t.Fatal(err)
	}
	if maps.Equal(got, m.Files) {
		return
	}
	if !*updateManifest {
		t.Fatalf("%s is out of date:\n  listed %v\n  files  %v\nrun: go test ./signatures -run Manifest -update-manifest", path, m.Files, got)
	}
	m.Files = got
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %s; rebuild so the binary embeds it", path)
}

func TestEmbeddedDefaultPack(t *testing.T) {
	p, err := EmbeddedDefault()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "default" || p.Dir != "" || p.FellBack {
		t.Errorf("pack = %s dir %q fellback %v", p.Name, p.Dir, p.FellBack)
	}
	if len(p.Skipped) != 0 {
		t.Errorf("default rules skipped: %+v", p.Skipped)
	}
	if len(p.Rules) != 12 || len(p.Signatures) != 16 {
		t.Fatalf("%d rules, %d signatures; want 12 and 16", len(p.Rules), len(p.Signatures))
	}
	want := map[uint32]struct {
		sev Severity
		cve string
	}{
		9100001: {SeverityHigh, "CVE-2021-44228"},
		9100002: {SeverityHigh, "CVE-2014-6271"},
		9100003: {SeverityMedium, ""},
		9100004: {SeverityMedium, ""},
		9100005: {SeverityHigh, ""},
		9100006: {SeverityMedium, ""},
		9100007: {SeverityMedium, ""},
		9100008: {SeverityMedium, ""},
		9100009: {SeverityMedium, ""},
		9100010: {SeverityMedium, ""},
		9100011: {SeverityMedium, ""},
		9100012: {SeverityMedium, ""},
	}
	for sid, w := range want {
		s, r, ok := p.Lookup(sid)
		if !ok || r == nil {
			t.Errorf("sid %d: not a rule of the default pack", sid)
			continue
		}
		if s.Severity != w.sev || strings.Join(s.CVEs, ",") != w.cve || s.Name != r.Msg || s.Category == "" {
			t.Errorf("sid %d: %+v; want severity %s cve %q", sid, s, w.sev, w.cve)
		}
	}
	released, _ := p.ReleaseDate()
	if p.Stale(released.Add(StaleAfter)) || !p.Stale(released.Add(StaleAfter+24*time.Hour)) {
		t.Error("Stale does not turn at 90 days")
	}
}

// The default pack's signatures.json repeats builtin.json's signatures,
// which Builtin still serves; they must not drift apart.
func TestDefaultPackMatchesBuiltin(t *testing.T) {
	p, err := EmbeddedDefault()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParsePack("builtin.json", builtinPack)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range b.Signatures {
		got, r, ok := p.Lookup(want.SID)
		if !ok || r != nil || !slices.Equal(got.CVEs, want.CVEs) {
			t.Errorf("sid %d: default pack has %+v (rule %v), builtin.json %+v", want.SID, got, r != nil, want)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sid %d: default pack has %+v, builtin.json %+v", want.SID, got, want)
		}
	}
	if _, err := NewCatalogFromPacks(p); err != nil {
		t.Fatal(err)
	}
}

// testPack is a pack written to a temporary directory by writePack.
type testPack struct {
	name, version, released string
	files                   map[string]string // path → content
}

func goodPack() testPack {
	return testPack{
		name: "web", version: "2.0.0", released: "2026-10-01",
		files: map[string]string{
			SignaturesFile: `{"signatures": [{"sid": 9200001, "name": "Attack: Odd Thing", "severity": "low", "category": "misc", "description": "x"}]}`,
			"rules/web.rules": "# web\n" +
				`alert http any any -> any any (msg:"Attack: Struts OGNL CVE-2017-5638"; content:"%{"; reference:cve,2017-5638; classtype:attempted-admin; sid:9200002; rev:1;)` + "\n" +
				`alert http any any -> any any (msg:"Audit: Probe"; content:"probe"; classtype:attempted-recon; priority:4; sid:9200003; rev:1;)` + "\n",
		},
	}
}

// writePack writes tp into dir with a manifest whose hashes match.
func writePack(t *testing.T, dir string, tp testPack) {
	t.Helper()
	for name, content := range tp.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hashes, err := ManifestHashes(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	writeManifest(t, dir, Manifest{Name: tp.name, Version: tp.version, Released: tp.released, Files: hashes})
}

func writeManifest(t *testing.T, dir string, m Manifest) {
	t.Helper()
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPack(t *testing.T) {
	older := goodPack()
	older.version = "1.9.0"
	tests := []struct {
		name string
		pack testPack
		// after runs once the pack (and manifest) is written: tampering.
		after    func(t *testing.T, dir string)
		previous *testPack // written to DIR.previous
		// wantErr: every part must be in the error; "" means it loads.
		wantErr     []string
		wantCorrupt bool
		// for loads: what came out
		wantVersion  string
		wantFellBack []string // parts of FallbackReason
		wantSigs     int
		wantRules    int
		wantSkipped  int
	}{
		{name: "good", pack: goodPack(), wantVersion: "2.0.0", wantSigs: 3, wantRules: 2},
		{
			name: "tampered rule file", pack: goodPack(),
			after:       func(t *testing.T, dir string) { appendFile(t, dir, "rules/web.rules", "# harmless?\n") },
			wantErr:     []string{"rules/web.rules: sha256 mismatch: manifest says ", ", file is "},
			wantCorrupt: true,
		},
		{
			name: "tampered rule file, previous pack kept", pack: goodPack(),
			after:        func(t *testing.T, dir string) { appendFile(t, dir, "rules/web.rules", "# harmless?\n") },
			previous:     &older,
			wantVersion:  "1.9.0",
			wantFellBack: []string{"rules/web.rules: sha256 mismatch"},
			wantSigs:     3, wantRules: 2,
		},
		{
			name: "corrupt, previous corrupt too", pack: goodPack(),
			after:    func(t *testing.T, dir string) { appendFile(t, dir, SignaturesFile, " ") },
			previous: &testPack{name: "web", version: "1.0.0", released: "2026-01-01", files: map[string]string{SignaturesFile: `{"signatures": []}`}},
			wantErr:  []string{"signatures.json: sha256 mismatch", "previous pack is unusable too", ".previous: the pack defines no signatures"},
		},
		{
			name:    "bad JSON in signatures.json",
			pack:    withFile(goodPack(), SignaturesFile, "{\n  \"signatures\": [\n    {\"sid\": 9200001,, \"name\": \"x\"}\n  ]\n}\n"),
			wantErr: []string{"signatures.json: line 3 col 21"}, wantCorrupt: true,
		},
		{
			name:     "bad JSON falls back",
			pack:     withFile(goodPack(), SignaturesFile, "{\n  \"signatures\": [\n    {\"sid\": 9200001,, \"name\": \"x\"}\n  ]\n}\n"),
			previous: &older, wantVersion: "1.9.0", wantSigs: 3, wantRules: 2,
			wantFellBack: []string{"signatures.json: line 3 col 21"},
		},
		{
			name:    "bad severity placed at its signature",
			pack:    withFile(goodPack(), SignaturesFile, "{\"signatures\": [\n  {\"sid\": 1, \"name\": \"a\", \"severity\": \"low\"},\n  {\"sid\": 2, \"name\": \"b\", \"severity\": \"urgent\"}\n]}"),
			wantErr: []string{`signatures.json: line 3 col 3: signature 2 (sid 2): severity "urgent"`},
		},
		{
			name:    "terminal escape in the name",
			pack:    testPack{name: "web\x1b]0;x\x07", version: "2.0.0", released: "2026-01-01", files: goodPack().files},
			wantErr: []string{`name "web\x1b]0;x\a": control characters are not allowed`}, wantCorrupt: true,
		},
		{
			name:    "terminal escape in the version",
			pack:    testPack{name: "web", version: "2.0.0\x1b[2J", released: "2026-01-01", files: goodPack().files},
			wantErr: []string{`version "2.0.0\x1b[2J": control characters are not allowed`}, wantCorrupt: true,
		},
		{
			name:    "bad rule",
			pack:    withFile(goodPack(), "rules/web.rules", "# web\n"+`alert tcp any any -> (msg:"header too short"; sid:9200009;)`+"\n"),
			wantErr: []string{"rules/web.rules:2:"}, wantCorrupt: true,
		},
		{
			name: "extra rule file", pack: goodPack(),
			after: func(t *testing.T, dir string) {
				writeFile(t, dir, "rules/extra.rules", `alert tcp any any -> any any (msg:"sneaky"; content:"x"; sid:9200010;)`+"\n")
			},
			wantErr: []string{"rules/extra.rules: not listed in manifest.json"}, wantCorrupt: true,
		},
		{
			name: "missing file", pack: goodPack(),
			after: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "rules", "web.rules")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"rules/web.rules: listed in manifest.json but missing"}, wantCorrupt: true,
		},
		{
			name: "no manifest", pack: goodPack(),
			after: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, ManifestFile)); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"manifest.json: missing"}, wantCorrupt: true,
		},
		{
			name: "bad hash in manifest", pack: goodPack(),
			after: func(t *testing.T, dir string) {
				writeManifest(t, dir, Manifest{Name: "web", Version: "1", Released: "2026-01-01", Files: map[string]string{"rules/web.rules": "AB12"}})
			},
			wantErr: []string{"manifest.json: line 6 col 5: file \"rules/web.rules\": sha256 \"AB12\""}, wantCorrupt: true,
		},
		{
			name: "bad release date", pack: testPack{name: "web", version: "1", released: "1 Oct 2026", files: goodPack().files},
			wantErr: []string{"manifest.json: line 4 col 3: released \"1 Oct 2026\": want YYYY-MM-DD"}, wantCorrupt: true,
		},
		{
			name: "rules file outside rules/", pack: withFile(goodPack(), "web.rules", "x"),
			after: func(t *testing.T, dir string) {
				writeManifest(t, dir, Manifest{Name: "web", Version: "1", Released: "2026-01-01", Files: map[string]string{"web.rules": strings.Repeat("0", 64)}})
			},
			wantErr: []string{`file "web.rules": rules files belong under rules/`},
		},
		{
			name:    "no signatures",
			pack:    testPack{name: "web", version: "1", released: "2026-01-01", files: map[string]string{SignaturesFile: `{"signatures": []}`}},
			wantErr: []string{"the pack defines no signatures"}, wantCorrupt: true,
		},
		{
			name: "every rule skipped",
			pack: testPack{name: "web", version: "1", released: "2026-01-01", files: map[string]string{
				"rules/lua.rules": `alert tcp any any -> any any (msg:"lua"; lua:check.lua; sid:9200011; rev:1;)` + "\n",
			}},
			wantErr: []string{"no usable signatures: all 1 rules were skipped (first: rules/lua.rules:1:"},
		},
		{
			name:     "some rules skipped",
			pack:     withFile(goodPack(), "rules/lua.rules", `alert tcp any any -> any any (msg:"lua"; lua:check.lua; sid:9200011; rev:1;)`+"\n"),
			wantSigs: 3, wantRules: 2, wantSkipped: 1, wantVersion: "2.0.0",
		},
		{
			name:    "sid in signatures.json and a rule",
			pack:    withFile(goodPack(), "rules/dup.rules", `alert tcp any any -> any any (msg:"dup"; content:"x"; sid:9200001; rev:1;)`+"\n"),
			wantErr: []string{"rules/dup.rules:1: sid 9200001 is already defined at signatures.json", "duplicate signature id"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "web")
			writePack(t, dir, tc.pack)
			if tc.after != nil {
				tc.after(t, dir)
			}
			if tc.previous != nil {
				writePack(t, PreviousDir(dir), *tc.previous)
			}
			p, err := LoadPack(dir, rules.DefaultVars())
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("loaded %s %s; want an error with %q", p.Name, p.Version, tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v\nwant it to contain %q", err, w)
					}
				}
				if !strings.HasPrefix(err.Error(), dir+": ") || strings.Contains(err.Error(), "\n") {
					t.Errorf("err = %q; want one line starting with the pack directory", err)
				}
				var ce *CorruptError
				if tc.wantCorrupt && !errors.As(err, &ce) {
					t.Errorf("err %T is not a *CorruptError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Version != tc.wantVersion || len(p.Signatures) != tc.wantSigs || len(p.Rules) != tc.wantRules || len(p.Skipped) != tc.wantSkipped {
				t.Errorf("loaded %s %s: %d signatures, %d rules, %d skipped; want %s, %d, %d, %d",
					p.Name, p.Version, len(p.Signatures), len(p.Rules), len(p.Skipped), tc.wantVersion, tc.wantSigs, tc.wantRules, tc.wantSkipped)
			}
			if p.FellBack != (tc.wantFellBack != nil) {
				t.Errorf("FellBack = %v (%s)", p.FellBack, p.FallbackReason)
			}
			if p.FellBack && p.Dir != PreviousDir(dir) {
				t.Errorf("Dir = %s after a fallback; want %s", p.Dir, PreviousDir(dir))
			}
			for _, w := range tc.wantFellBack {
				if !strings.Contains(p.FallbackReason, w) || !strings.HasPrefix(p.FallbackReason, dir+": ") {
					t.Errorf("FallbackReason = %q; want the pack directory and %q", p.FallbackReason, w)
				}
			}
		})
	}
}

func appendFile(t *testing.T, dir, name, s string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(name)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func withFile(tp testPack, name, content string) testPack {
	tp.files = maps.Clone(tp.files)
	tp.files[name] = content
	return tp
}

func TestLoadPackRuleMetadata(t *testing.T) {
	dir := t.TempDir()
	writePack(t, dir, goodPack())
	p, err := LoadPack(dir, rules.DefaultVars())
	if err != nil {
		t.Fatal(err)
	}
	s, r, ok := p.Lookup(9200002)
	if !ok || r == nil || r.Line != 2 {
		t.Fatalf("sid 9200002: %+v rule %+v", s, r)
	}
	want := Signature{SID: 9200002, Name: "Attack: Struts OGNL CVE-2017-5638", Severity: SeverityHigh, Category: "attempted-admin"}
	if !slices.Equal(s.CVEs, []string{"CVE-2017-5638"}) {
		t.Errorf("CVEs = %v", s.CVEs)
	}
	s.CVEs = nil
	if !reflect.DeepEqual(s, want) {
		t.Errorf("metadata = %+v\nwant %+v", s, want)
	}
	// priority: overrides the classtype's
	if s, _, _ := p.Lookup(9200003); s.Severity != SeverityInfo {
		t.Errorf("priority 4: severity %s, want info", s.Severity)
	}
}

func TestLoadPackMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	writePack(t, PreviousDir(dir), goodPack())
	_, err := LoadPack(dir, rules.DefaultVars())
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v; want not-exist and no fallback", err)
	}
}

func TestPackStale(t *testing.T) {
	p := &LoadedPack{Manifest: Manifest{Released: "2026-01-10"}}
	released := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		at    time.Time
		stale bool
		age   time.Duration
	}{
		{"capture before the release", released.Add(-48 * time.Hour), false, -48 * time.Hour},
		{"on release day", released.Add(12 * time.Hour), false, 12 * time.Hour},
		{"89 days", released.AddDate(0, 0, 89), false, 89 * 24 * time.Hour},
		{"exactly 90 days", released.AddDate(0, 0, 90), false, 90 * 24 * time.Hour},
		{"100 days", released.AddDate(0, 0, 100), true, 100 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Age(tc.at); got != tc.age {
				t.Errorf("Age = %s, want %s", got, tc.age)
			}
			if got := p.Stale(tc.at); got != tc.stale {
				t.Errorf("Stale = %v, want %v", got, tc.stale)
			}
		})
	}
}

func TestNewCatalogFromPacks(t *testing.T) {
	pack := func(name, dir string, sids ...uint32) *LoadedPack {
		p := &LoadedPack{Manifest: Manifest{Name: name, Version: "1"}, Dir: dir}
		for _, sid := range sids {
			p.Signatures = append(p.Signatures, Signature{SID: sid, Name: name})
		}
		return p
	}
	def := pack("default", "", 1, 2)
	tests := []struct {
		name      string
		packs     []*LoadedPack
		wantPacks string
		want      map[uint32]string // sid → pack name; absent when ""
		wantErr   []string
	}{
		{name: "one", packs: []*LoadedPack{def}, wantPacks: "default", want: map[uint32]string{1: "default", 2: "default", 3: ""}},
		{name: "add", packs: []*LoadedPack{def, pack("web", "packs/web", 3)}, wantPacks: "default,web", want: map[uint32]string{1: "default", 3: "web"}},
		{
			name: "replace by name", packs: []*LoadedPack{def, pack("web", "a", 3), pack("default", "packs/default", 2, 4)},
			wantPacks: "default,web", want: map[uint32]string{1: "", 2: "default", 3: "web", 4: "default"},
		},
		{
			name:    "duplicate across packs",
			packs:   []*LoadedPack{def, pack("web", "packs/web", 3, 2)},
			wantErr: []string{"sid 2 is in pack default (built-in) and in pack web (packs/web)", "duplicate signature id"},
		},
		{
			name:    "duplicate within a pack",
			packs:   []*LoadedPack{pack("web", "packs/web", 3, 3)},
			wantErr: []string{"pack web (packs/web): sid 3: duplicate signature id"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCatalogFromPacks(tc.packs...)
			if tc.wantErr != nil {
				for _, w := range tc.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v, want %q", err, w)
					}
				}
				if !errors.Is(err, ErrDuplicateSID) {
					t.Errorf("err = %v is not ErrDuplicateSID", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range c.Packs {
				names = append(names, p.Name)
			}
			if got := strings.Join(names, ","); got != tc.wantPacks {
				t.Errorf("packs = %s, want %s", got, tc.wantPacks)
			}
			for sid, want := range tc.want {
				s, ok := c.Lookup(sid)
				if ok != (want != "") || s.Name != want {
					t.Errorf("sid %d: %+v %v, want pack %q", sid, s, ok, want)
				}
			}
		})
	}
}

func TestSeverityFromPriority(t *testing.T) {
	for prio, want := range map[int]Severity{1: SeverityHigh, 2: SeverityMedium, 3: SeverityLow, 4: SeverityInfo, 255: SeverityInfo} {
		if got := SeverityFromPriority(prio); got != want {
			t.Errorf("priority %d: %s, want %s", prio, got, want)
		}
	}
}
