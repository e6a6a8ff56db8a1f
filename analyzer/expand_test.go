package analyzer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/gopacket/layers"
)

func TestIsCaptureName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.pcap": true, "a.pcapng": true, "a.cap": true, "a.dmp": true,
		"a.pcap.gz": true, "a.pcapng.gz": true, "a.cap.gz": true, "a.dmp.gz": true,
		"A.DMP.GZ": true, "z.CAP": true,
		"a.gz": false, "a.txt": false, "a.expect.json": false, "pcap": false, "a.pcap.gz.txt": false,
	} {
		if got := isCaptureName(name); got != want {
			t.Errorf("isCaptureName(%q) = %v, want %v", name, got, want)
		}
	}
}

// tree makes files (empty, or a directory when the name ends in /) and
// symlinks ("link -> target", target relative to the link) under a new
// directory.
func tree(t *testing.T, entries ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range entries {
		if link, target, ok := strings.Cut(e, " -> "); ok {
			p := filepath.Join(dir, link)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.Symlink(target, p); err != nil {
				t.Skipf("no symlinks here: %v", err)
			}
			continue
		}
		p := filepath.Join(dir, e)
		if strings.HasSuffix(e, "/") {
			os.MkdirAll(p, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExpandPathsTrees(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		args    []string // relative to the tree; "." is the tree
		want    []string // relative to the tree
	}{
		{
			name:    "every suffix with .gz",
			entries: []string{"a.dmp.gz", "b.cap.gz", "c.dmp", "d.pcapng.gz", "e.gz", "f.txt"},
			args:    []string{"."},
			want:    []string{"a.dmp.gz", "b.cap.gz", "c.dmp", "d.pcapng.gz"},
		},
		{
			name:    "symlinked directory argument",
			entries: []string{"real/x.pcap", "real/sub/y.pcap", "link -> real"},
			args:    []string{"link"},
			want:    []string{"link/sub/y.pcap", "link/x.pcap"},
		},
		{
			name:    "symlinked capture and directory inside",
			entries: []string{"store/day1.pcap", "in/latest.pcap -> ../store/day1.pcap", "in/more -> ../store", "in/notes -> ../store/day1.pcap"},
			args:    []string{"in"},
			want:    []string{"in/latest.pcap", "in/more/day1.pcap"},
		},
		{
			name:    "symlink loop kept once, to be reported",
			entries: []string{"d/a.pcap", "d/sub/b.pcap", "d/sub/up -> .."},
			args:    []string{"d"},
			want:    []string{"d/a.pcap", "d/sub/b.pcap", "d/sub/up"},
		},
		{
			name:    "self loop",
			entries: []string{"d/a.pcap", "d/me -> ."},
			args:    []string{"d"},
			want:    []string{"d/a.pcap", "d/me"},
		},
		{
			name:    "link before the directory it names: the directory is not searched again",
			entries: []string{"d/a -> sub", "d/sub/x.pcap"},
			args:    []string{"d"},
			want:    []string{"d/a/x.pcap"},
		},
		{
			name:    "an argument inside another: searched again, Analyze reads each capture once",
			entries: []string{"real/sub/x.pcap", "link -> real"},
			args:    []string{"link", "real"},
			want:    []string{"link/sub/x.pcap", "real/sub/x.pcap"},
		},
		{
			name:    "dangling capture link kept, other dangling links ignored",
			entries: []string{"d/a.pcap", "d/gone.pcap -> nowhere.pcap", "d/gone -> nowhere"},
			args:    []string{"d"},
			want:    []string{"d/a.pcap", "d/gone.pcap"},
		},
		{
			name:    "one directory under two arguments: listed under both, Analyze reads it once",
			entries: []string{"d/a.pcap", "e -> d"},
			args:    []string{"d", "e"},
			want:    []string{"d/a.pcap", "e/a.pcap"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, tc.entries...)
			var args []string
			for _, a := range tc.args {
				args = append(args, filepath.Join(dir, a))
			}
			got, err := ExpandPaths(args)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i], _ = filepath.Rel(dir, got[i])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAnalyzeDirectoryProblems: a directory that cannot be searched is an
// input error naming it while the captures beside it are analysed; a
// symlink loop is a warning only.
func TestAnalyzeDirectoryProblems(t *testing.T) {
	pkt := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("removed between listing and reading", func(t *testing.T) {
		dir := tree(t, "b/", "c/")
		writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		writePcap(t, filepath.Join(dir, "c/d.pcap"), layers.LinkTypeEthernet, pkt, 3, testEpoch)
		bad := filepath.Join(dir, "b")
		w := walker{stat: os.Stat, readDir: func(p string) ([]os.DirEntry, error) {
			if p == bad {
				os.Remove(p)
			}
			return os.ReadDir(p)
		}}
		files, err := w.expand([]string{dir})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(files, bad) {
			t.Fatalf("%s not kept for the run to report: %q", bad, files)
		}
		res, err := Analyze(context.Background(), files, cfg, RunOptions{})
		var ie *InputError
		if !errors.As(err, &ie) || len(ie.Errs) != 1 || !strings.Contains(ie.Errs[0].Error(), bad+": ") {
			t.Fatalf("err = %v, want one input error naming %s", err, bad)
		}
		if res == nil || res.Summary.Packets != 5 {
			t.Fatalf("result %+v: want the 5 packets beside the directory", res)
		}
	})

	t.Run("no permission", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads a directory whatever its mode; the removed-directory case covers the path")
		}
		dir := tree(t, "locked/")
		writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		writePcap(t, filepath.Join(dir, "locked/x.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		locked := filepath.Join(dir, "locked")
		os.Chmod(locked, 0)
		defer os.Chmod(locked, 0o755)
		files, _ := ExpandPaths([]string{dir})
		res, err := Analyze(context.Background(), files, cfg, RunOptions{})
		if !IsInputError(err) || !strings.Contains(err.Error(), locked+": directory could not be searched") {
			t.Fatalf("err = %v", err)
		}
		if res.Summary.Packets != 2 || !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, locked) }) {
			t.Fatalf("packets %d, warnings %q", res.Summary.Packets, res.Warnings)
		}
	})

	t.Run("symlink loop", func(t *testing.T) {
		dir := tree(t, "sub/up -> ..")
		writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		files, _ := ExpandPaths([]string{dir})
		res, err := Analyze(context.Background(), files, cfg, RunOptions{})
		if err != nil {
			t.Fatalf("a loop is no input error: %v", err)
		}
		loop := filepath.Join(dir, "sub/up")
		if res.Summary.Packets != 2 || len(res.Files) != 1 ||
			!slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, loop+": directory already searched") }) {
			t.Fatalf("packets %d, files %d, warnings %q", res.Summary.Packets, len(res.Files), res.Warnings)
		}
	})

	t.Run("capture reached twice", func(t *testing.T) {
		dir := tree(t, "sub/alias.pcap -> ../a.pcap")
		writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		files, _ := ExpandPaths([]string{dir, filepath.Join(dir, "sub/alias.pcap")})
		if len(files) != 3 {
			t.Fatalf("files %q: want the capture, its link and the argument", files)
		}
		res, err := Analyze(context.Background(), files, cfg, RunOptions{})
		if err != nil {
			t.Fatalf("a repeat is no input error: %v", err)
		}
		if res.Summary.Packets != 2 || len(res.Files) != 1 || len(res.Warnings) != 2 ||
			!strings.Contains(res.Warnings[0], "alias.pcap: the same file as "+filepath.Join(dir, "a.pcap")) {
			t.Fatalf("packets %d, files %d, warnings %q", res.Summary.Packets, len(res.Files), res.Warnings)
		}
	})

	t.Run("directory not expanded", func(t *testing.T) {
		dir := tree(t, "d/")
		writePcap(t, filepath.Join(dir, "a.pcap"), layers.LinkTypeEthernet, pkt, 2, testEpoch)
		res, err := Analyze(context.Background(), []string{filepath.Join(dir, "a.pcap"), filepath.Join(dir, "d")}, cfg, RunOptions{})
		if !errors.Is(err, ErrDirectoryTwice) || res.Summary.Packets != 2 {
			t.Fatalf("err %v, %d packets: want ErrDirectoryTwice and the capture beside it", err, res.Summary.Packets)
		}
	})
}
