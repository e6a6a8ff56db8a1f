package signatures

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ipsreplay/ipsreplay/internal/capped"
	"github.com/ipsreplay/ipsreplay/internal/jsonfile"
	"github.com/ipsreplay/ipsreplay/internal/termsafe"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// loadFS verifies and loads the pack at the root of fsys. Errors name the
// file inside the pack ("rules/web.rules: ...", "signatures.json: line 3
// col 5: ...", "rules/web.rules:12: ...") but not the pack itself.
func loadFS(fsys fs.FS, vars rules.Vars) (*LoadedPack, error) {
	m, err := readManifest(fsys)
	if err != nil {
		return nil, err
	}
	contents, err := verifyFiles(fsys, m)
	if err != nil {
		return nil, err
	}
	p := &LoadedPack{Manifest: *m}
	where := map[uint32]string{} // sid → where it is defined, for duplicates
	if data, ok := contents[SignaturesFile]; ok {
		sigs, err := parseSignatures(data)
		if err != nil {
			return nil, err
		}
		for _, s := range sigs {
			where[s.SID] = SignaturesFile
		}
		p.Signatures = sigs
	}
	for _, name := range sortedKeys(m.Files) {
		if !isRuleFile(name) {
			continue
		}
		rf, err := rules.ReadFile(name, bytes.NewReader(contents[name]), vars)
		if len(rf.Failed) > 0 {
			// a pack is a release: a rule in it that does not parse makes
			// it corrupt, so that LoadPack falls back to the previous one
			errs := make([]error, 0, len(rf.Failed)+1)
			for _, e := range rf.Failed {
				errs = append(errs, e)
			}
			err = errors.Join(append(errs, err)...)
		}
		rs, skipped := rf.Rules, rf.Skipped
		p.Warnings = append(p.Warnings, rf.Warnings...)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name) {
				err = fmt.Errorf("%s: %w", name, err)
			}
			return nil, err
		}
		for _, r := range rs {
			at := fmt.Sprintf("%s:%d", name, r.Line)
			if prev, dup := where[r.SID]; dup {
				return nil, fmt.Errorf("%s: sid %d is already defined at %s: %w", at, r.SID, prev, ErrDuplicateSID)
			}
			where[r.SID] = at
			p.Signatures = append(p.Signatures, RuleSignature(r))
		}
		p.Rules = append(p.Rules, rs...)
		p.Skipped = append(p.Skipped, skipped...)
	}
	if len(p.Signatures) == 0 {
		return nil, noSignatures(p)
	}
	return p, nil
}

// noSignatures explains an empty pack, which is never loaded silently.
func noSignatures(p *LoadedPack) error {
	if len(p.Skipped) == 0 {
		return errors.New("the pack defines no signatures")
	}
	s := p.Skipped[0]
	return fmt.Errorf("the pack defines no usable signatures: all %d rules were skipped (first: %s:%d: %s: %s)",
		len(p.Skipped), s.File, s.Line, s.Keyword, s.Reason)
}

// readManifest reads and checks manifest.json.
func readManifest(fsys fs.FS) (*Manifest, error) {
	data, err := capped.ReadFS(fsys, ManifestFile, "a pack manifest", capped.ManifestBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: missing; a pack directory needs one listing its files and their sha256", ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	var m Manifest
	if err := jsonfile.Decode(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	at := func(key string, err error) error {
		return fmt.Errorf("%s: %w", ManifestFile, jsonfile.Position(data, jsonfile.KeyOffset(data, key, 0), err))
	}
	switch {
	case m.Name == "":
		return nil, at("name", errors.New("name is required"))
	case strings.ContainsAny(m.Name, " \t/\\"):
		return nil, at("name", fmt.Errorf("name %q: want one word (no spaces or slashes)", m.Name))
	case termsafe.Escape(m.Name) != m.Name:
		// printed in reports and on terminals: an escape sequence there
		// would act on the reader's terminal
		return nil, at("name", fmt.Errorf("name %q: control characters are not allowed", m.Name))
	case m.Version == "":
		return nil, at("version", errors.New("version is required"))
	case termsafe.Escape(m.Version) != m.Version:
		return nil, at("version", fmt.Errorf("version %q: control characters are not allowed", m.Version))
	case len(m.Files) == 0:
		return nil, at("files", errors.New("files is empty; list every file of the pack with its sha256"))
	}
	if _, err := m.ReleaseDate(); err != nil {
		return nil, at("released", fmt.Errorf("released %q: want YYYY-MM-DD", m.Released))
	}
	for _, name := range sortedKeys(m.Files) {
		h := m.Files[name]
		switch {
		case !fs.ValidPath(name) || name == "." || name == ManifestFile:
			return nil, at(name, fmt.Errorf("file %q: want a path inside the pack, like rules/web.rules", name))
		case isRuleFile(name) && !strings.HasPrefix(name, "rules/"):
			return nil, at(name, fmt.Errorf("file %q: rules files belong under rules/", name))
		case !isSHA256(h):
			return nil, at(name, fmt.Errorf("file %q: sha256 %q: want 64 lower-case hex digits", name, h))
		}
	}
	return &m, nil
}

func isSHA256(h string) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// verifyFiles checks every file the manifest lists against its hash and
// that every file the pack would load is listed. It returns the contents
// read, so what is parsed is exactly what was hashed. Each file has its
// kind's cap and all of them together capped.PackBytes, as all are held
// at once.
func verifyFiles(fsys fs.FS, m *Manifest) (map[string][]byte, error) {
	contents := make(map[string][]byte, len(m.Files))
	var total int64
	for _, name := range sortedKeys(m.Files) {
		data, err := readPackFile(fsys, name, capped.PackBytes-total)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%s: listed in %s but missing", name, ManifestFile)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
		}
		total += int64(len(data))
		if got := hashHex(data); got != m.Files[name] {
			return nil, fmt.Errorf("%s: sha256 mismatch: manifest says %s, file is %s", name, short(m.Files[name]), short(got))
		}
		contents[name] = data
	}
	loaded, err := loadableFiles(fsys)
	if err != nil {
		return nil, err
	}
	for _, name := range loaded {
		if _, ok := m.Files[name]; !ok {
			return nil, fmt.Errorf("%s: not listed in %s; add its sha256 or remove it", name, ManifestFile)
		}
	}
	return contents, nil
}

// loadableFiles lists the files of the pack at the root of fsys that a
// load would read: signatures.json and every *.rules under rules/, sorted.
func loadableFiles(fsys fs.FS) ([]string, error) {
	var out []string
	if fi, err := fs.Stat(fsys, SignaturesFile); err == nil && !fi.IsDir() {
		out = append(out, SignaturesFile)
	}
	err := fs.WalkDir(fsys, "rules", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "rules" && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir
			}
			return fmt.Errorf("%s: %w", name, unwrapPath(err))
		}
		if !d.IsDir() && isRuleFile(name) {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ManifestHashes computes the manifest "files" entries for the pack at the
// root of fsys: the sha256 of signatures.json and of every rules file. Use
// it to write or refresh a manifest after editing a pack.
func ManifestHashes(fsys fs.FS) (map[string]string, error) {
	names, err := loadableFiles(fsys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, name := range names {
		data, err := readPackFile(fsys, name, capped.PackBytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPath(err))
		}
		out[name] = hashHex(data)
	}
	return out, nil
}

// readPackFile reads one file of a pack with its kind's cap (signatures.json
// or a rules file; any other listed file as a rules file), or with left,
// what remains of the pack's cap, when that is less.
func readPackFile(fsys fs.FS, name string, left int64) ([]byte, error) {
	what, limit := "a rules file", int64(capped.RulesBytes)
	if name == SignaturesFile {
		what, limit = "a pack's "+SignaturesFile, capped.SignaturesBytes
	}
	if left >= limit {
		return capped.ReadFS(fsys, name, what, limit)
	}
	data, err := capped.ReadFS(fsys, name, what, max(left, 0))
	if capped.Exceeded(err) {
		return nil, fmt.Errorf("with the files before it, larger than %s, the cap for a pack's files together", capped.Size(capped.PackBytes))
	}
	return data, err
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// short abbreviates a hash for messages: enough to tell two apart.
func short(h string) string {
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "..."
}

// unwrapPath drops *fs.PathError's op and path, which the caller already
// names in pack-relative form.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// signaturesFile is signatures.json.
type signaturesFile struct {
	Signatures []Signature `json:"signatures"`
}

// parseSignatures decodes and checks signatures.json; errors carry the
// line and column of the offending signature.
func parseSignatures(data []byte) ([]Signature, error) {
	var f signaturesFile
	if err := jsonfile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", SignaturesFile, err)
	}
	offsets := elementOffsets(data, "signatures")
	seen := map[uint32]int{}
	for i, s := range f.Signatures {
		off := int64(-1)
		if i < len(offsets) {
			off = offsets[i]
		}
		if err := checkSignature(s); err != nil {
			err = fmt.Errorf("signature %d (sid %d): %w", i+1, s.SID, err)
			return nil, fmt.Errorf("%s: %w", SignaturesFile, jsonfile.Position(data, off, err))
		}
		if j, dup := seen[s.SID]; dup {
			err := fmt.Errorf("signature %d: sid %d is also signature %d: %w", i+1, s.SID, j+1, ErrDuplicateSID)
			return nil, fmt.Errorf("%s: %w", SignaturesFile, jsonfile.Position(data, off, err))
		}
		seen[s.SID] = i
	}
	return f.Signatures, nil
}

// checkSignature applies ParsePack's rules to one signature.
func checkSignature(s Signature) error {
	switch {
	case s.SID == 0:
		return errors.New("sid is required")
	case s.Name == "":
		return errors.New("name is required")
	}
	switch s.Severity {
	case SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo:
	default:
		return fmt.Errorf("severity %q: want high, medium, low or info", s.Severity)
	}
	for _, c := range s.CVEs {
		if !cvePattern.MatchString(c) {
			return fmt.Errorf("cve %q: want CVE-YYYY-NNNN", c)
		}
	}
	return nil
}

// elementOffsets returns where each element of the top-level array key
// starts in data, for placing errors found after decoding. It returns what
// it found so far if data is not as expected.
func elementOffsets(data []byte, key string) []int64 {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil
		}
		if k != key {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil
		}
		var out []int64
		for dec.More() {
			start := dec.InputOffset()
			start += int64(len(data[start:]) - len(bytes.TrimLeft(data[start:], " \t\r\n,")))
			out = append(out, start)
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return out
			}
		}
		return out
	}
	return nil
}
