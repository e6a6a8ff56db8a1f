package analyzer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// captureFileSuffixes are the names a directory search takes as captures;
// each may also end in .gz or .zst (the reader detects gzip and zstd by
// their magic, so a compressed capture reads like a plain one).
var captureFileSuffixes = [...]string{".pcap", ".pcapng", ".cap", ".dmp"}

// ErrDirectoryListed marks a directory path kept in ExpandPaths's output
// because it was reached a second time through a symlink (a loop, or two
// links to one directory): its captures are analysed once.
var ErrDirectoryListed = errors.New("directory already searched (reached again through a symlink); its captures are analysed once")

// ErrDirectoryTwice is a directory in Analyze's file list that is no
// symlink: a path not expanded with ExpandPaths.
var ErrDirectoryTwice = errors.New("a directory, not a capture (not searched)")

// ExpandPaths turns command-line paths into capture files: directories are
// searched recursively for capture files (by name, sorted), files are taken
// as given whatever their name, "-" is standard input. Symlinks, to files
// or directories, are followed; under each argument a directory is
// searched once however many links lead to it (device and inode tell), so
// a loop ends.
//
// A path that cannot be read is kept, so opening it reports the error and
// the other files are still analysed: a missing file, a directory that
// cannot be listed (Analyze reports it as an input error naming it), and a
// directory reached again through a symlink (Analyze reports it as a
// warning, ErrDirectoryListed). A capture reached again through a link is
// listed each time; Analyze reads it once. The error is for misuse only
// ("-" twice).
func ExpandPaths(paths []string) ([]string, error) {
	w := walker{readDir: os.ReadDir, stat: os.Stat}
	return w.expand(paths)
}

func (w *walker) expand(paths []string) ([]string, error) {
	w.seen = map[fileID]bool{}
	stdin := false
	for _, p := range paths {
		if p == StdinPath {
			if stdin {
				return nil, errStdinInDirListing
			}
			stdin = true
			w.out = append(w.out, p)
			continue
		}
		st, err := w.stat(p) // follows a symlinked argument
		if err != nil || !st.IsDir() {
			w.out = append(w.out, p)
			continue
		}
		start := len(w.out)
		w.dir(p, st, true)
		// sorted by whole path, as before symlinks were followed
		sort.Strings(w.out[start:])
	}
	return w.out, nil
}

// walker searches directories; readDir and stat are os.ReadDir and os.Stat
// except in tests, which make a directory fail between listing and reading.
type walker struct {
	readDir func(string) ([]os.DirEntry, error)
	stat    func(string) (os.FileInfo, error)
	seen    map[fileID]bool // directories searched, by device and inode
	out     []string
}

// dir appends the captures under path, a directory whose (followed) stat
// is st. Each argument is searched afresh (top), as a repeated argument
// always was; Analyze reads a capture reached under two paths once.
// Below it a directory met again is a symlink loop or a second link to it,
// kept for Analyze to report, or, reached without a symlink (a bind mount,
// or the directory itself after a link to it), skipped: its captures are
// listed under the other path.
func (w *walker) dir(path string, st os.FileInfo, top bool) {
	if top {
		clear(w.seen)
	}
	if id, ok := idOf(path, st); ok {
		if w.seen[id] {
			if lst, err := os.Lstat(path); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
				w.out = append(w.out, path)
			}
			return
		}
		w.seen[id] = true
	}
	entries, err := w.readDir(path)
	if err != nil {
		// kept: opening it reports why, and the run goes on without it
		w.out = append(w.out, path)
		return
	}
	for _, d := range entries {
		p := filepath.Join(path, d.Name())
		switch t := d.Type(); {
		case t.IsDir():
			st, err := w.stat(p)
			if err != nil {
				w.out = append(w.out, p) // removed since the listing
				continue
			}
			w.dir(p, st, false)
		case t&fs.ModeSymlink != 0:
			st, err := w.stat(p)
			switch {
			case err != nil:
				// a dangling link named as a capture is reported; other
				// broken links (to anything) are not ours to judge
				if isCaptureName(d.Name()) {
					w.out = append(w.out, p)
				}
			case st.IsDir():
				w.dir(p, st, false)
			case st.Mode().IsRegular() && isCaptureName(d.Name()):
				w.out = append(w.out, p)
			}
		case t.IsRegular() && isCaptureName(d.Name()):
			w.out = append(w.out, p)
		}
	}
}

// isCaptureName reports whether a file found in a directory is taken as a
// capture: one of captureFileSuffixes, alone or followed by .gz or .zst,
// in any case.
func isCaptureName(name string) bool {
	name = strings.ToLower(name)
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".zst")
	for _, s := range captureFileSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// directoryError explains a directory path in the file list (ExpandPaths
// keeps one it could not search): why it cannot be listed now, or, when it
// can, ErrDirectoryListed for a symlink, which ExpandPaths keeps when it
// leads to a directory searched already, and ErrDirectoryTwice otherwise.
func directoryError(path string) error {
	f, err := os.Open(path)
	if err == nil {
		_, err = f.ReadDir(1)
		f.Close()
		if err == nil || err == io.EOF {
			if lst, lerr := os.Lstat(path); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
				return fmt.Errorf("%s: %w", path, ErrDirectoryListed)
			}
			return fmt.Errorf("%s: %w", path, ErrDirectoryTwice)
		}
	}
	return fmt.Errorf("%s: directory could not be searched: %w; the captures under it were not analysed", path, unwrapPathError(err))
}
