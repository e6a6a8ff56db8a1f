package signatures

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// endlessFS is a pack directory in which one file never ends, as a
// manifest.json that is a link to /dev/zero or a FIFO nobody closes.
type endlessFS struct {
	fstest.MapFS
	endless string
}

func (f endlessFS) Open(name string) (fs.File, error) {
	if name == f.endless {
		return endlessFile{name}, nil
	}
	return f.MapFS.Open(name)
}

type endlessFile struct{ name string }

func (e endlessFile) Stat() (fs.FileInfo, error) { return endlessInfo(e), nil }
func (endlessFile) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
func (endlessFile) Close() error { return nil }

// endlessInfo describes a character device, as /dev/zero: no size to go by.
type endlessInfo struct{ name string }

func (i endlessInfo) Name() string     { return filepath.Base(i.name) }
func (endlessInfo) Size() int64        { return 0 }
func (endlessInfo) Mode() fs.FileMode  { return fs.ModeDevice | fs.ModeCharDevice | 0o444 }
func (endlessInfo) ModTime() time.Time { return time.Time{} }
func (endlessInfo) IsDir() bool        { return false }
func (endlessInfo) Sys() any           { return nil }

// TestLoadFSCaps: every file of a pack is read with its kind's cap, so an
// endless one is an error naming it and the cap (a 1 GB manifest.json was
// accepted at 3.6 GB of memory).
func TestLoadFSCaps(t *testing.T) {
	// rules/web.rules sorts first: its hash must match for signatures.json
	// to be read.
	zeroHash := strings.Repeat("0", 64)
	manifest := `{"name": "web", "version": "1", "released": "2026-10-01", "files": {"signatures.json": "` + zeroHash +
		`", "rules/web.rules": "` + hashHex([]byte("# none\n")) + `"}}`
	for _, tc := range []struct{ endless, want string }{
		{ManifestFile, "manifest.json: larger than 1 MiB, the cap for a pack manifest"},
		{SignaturesFile, "signatures.json: larger than 16 MiB, the cap for a pack's signatures.json"},
		{"rules/web.rules", "rules/web.rules: larger than 64 MiB, the cap for a rules file"},
	} {
		t.Run(tc.endless, func(t *testing.T) {
			fsys := endlessFS{MapFS: fstest.MapFS{
				ManifestFile:      {Data: []byte(manifest)},
				SignaturesFile:    {Data: []byte(`{"signatures": []}`)},
				"rules/web.rules": {Data: []byte("# none\n")},
			}, endless: tc.endless}
			_, err := loadFS(fsys, rules.DefaultVars())
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestReadPackFileTotal: past the pack's cap for all its files together,
// the file that crosses it is refused, saying so.
func TestReadPackFileTotal(t *testing.T) {
	fsys := fstest.MapFS{"rules/a.rules": {Data: make([]byte, 2000)}}
	if _, err := readPackFile(fsys, "rules/a.rules", 2000); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	_, err := readPackFile(fsys, "rules/a.rules", 1999)
	if want := "with the files before it, larger than 256 MiB, the cap for a pack's files together"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestLoadPackTooLarge: a regular file past its cap is refused by its size
// before any of it is read (a sparse 1 TB manifest.json and rules file).
func TestLoadPackTooLarge(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{ManifestFile, "manifest.json: larger than 1 MiB, the cap for a pack manifest"},
		{"rules/web.rules", "rules/web.rules: larger than 64 MiB, the cap for a rules file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			writePack(t, dir, goodPack())
			if err := os.Truncate(filepath.Join(dir, filepath.FromSlash(tc.file)), 1<<40); err != nil {
				t.Skipf("no sparse files: %v", err)
			}
			_, err := LoadPack(dir, rules.DefaultVars())
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("err = %v, want it to name %s and end %q", err, dir, tc.want)
			}
		})
	}
}

// TestLooseRulesTooLarge: --rules FILE past the cap is refused by its
// size; a rules file from /dev/zero is read up to the cap only.
func TestLooseRulesTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "local.rules")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 1<<40); err != nil {
		t.Skipf("no sparse files: %v", err)
	}
	paths := []string{path}
	if _, err := os.Stat("/dev/zero"); err == nil && !testing.Short() {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		_, err := looseRules(p, rules.DefaultVars(), false)
		if want := p + ": larger than 64 MiB, the cap for a rules file"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
