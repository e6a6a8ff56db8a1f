package signatures

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// FuzzLoadPack: a pack whose manifest, signatures.json and rules file
// come from the fuzzer. With right hashes (when the manifest names
// files), it gets past verification to the parsers. It loads, or is
// refused with an error; a loaded pack has a name and version.
func FuzzLoadPack(f *testing.F) {
	f.Add([]byte(`{"name": "p", "version": "1.0", "released": "2026-11-23", "files": {}}`),
		[]byte(`{"signatures": [{"sid": 9000001, "name": "Attack: TCP SYN Flood", "severity": "high", "category": "dos", "description": "d"}]}`),
		[]byte(`alert tcp any any -> any 80 (msg:"x"; content:"a"; sid:1; rev:1;)`), true)
	f.Add([]byte(`{"name": "p", "version": "1.0", "released": "2026-11-23"}`), []byte(`{"signatures": []}`),
		[]byte("alert tcp any any -> any any (msg:\"bad\"; content:; sid:2;)\n"), true)
	f.Add([]byte(`{"name": "p\u001b[31m", "version": "1", "released": "2026-13-40", "files": {"../x": "00"}}`), []byte(`[]`), []byte(``), false)
	f.Fuzz(func(t *testing.T, manifest, sigs, ruleText []byte, rightHashes bool) {
		fsys := fstest.MapFS{
			ManifestFile:    {Data: manifest},
			SignaturesFile:  {Data: sigs},
			"rules/a.rules": {Data: ruleText},
		}
		if rightHashes {
			// the manifest the fuzzer wrote, with the files' true hashes
			// added: a string naming both files in a fixed shape
			fsys[ManifestFile] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
				`{"name": %q, "version": %q, "released": "2026-11-23", "files": {%q: %q, %q: %q}}`,
				string(manifest), "1", SignaturesFile, sum(sigs), "rules/a.rules", sum(ruleText)))}
		}
		p, err := loadFS(fsys, rules.DefaultVars())
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		if p.Manifest.Name == "" || p.Manifest.Version == "" {
			t.Fatalf("a pack without name or version loaded: %+v", p.Manifest)
		}
	})
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
