// Package capped reads a run's side inputs (config files, rules files,
// signature packs, exclusion lists, threshold files) with a size cap per
// kind, so that a wrong path (/dev/zero, a multi-gigabyte file, a pipe
// that never ends) is a one-line error instead of gigabytes of memory.
//
// The cap is the only test: a FIFO or a character device is read like a
// file (a rules file from a pipe is legitimate) and refused only once it
// passes its kind's cap. A regular file larger than its cap is refused
// before any of it is read.
package capped

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Caps per kind of side input, in bytes, each far above the real files
// it serves, so that only a wrong or hostile input reaches it.
const (
	// ConfigBytes caps a --config JSON file: every tunable with its
	// default is some 3 KB.
	ConfigBytes = 1 << 20
	// ManifestBytes caps a pack's manifest.json: some 100 bytes a file
	// listed, so room for thousands of files.
	ManifestBytes = 1 << 20
	// SignaturesBytes caps a pack's signatures.json, the metadata of
	// signatures that are not rules (the built-in one is some 20 KB).
	SignaturesBytes = 16 << 20
	// RulesBytes caps one rules file (--rules, or one under a pack's
	// rules/): ET Open's whole ruleset in one file is some 40 MB.
	RulesBytes = 64 << 20
	// PackBytes caps all the files of one signature pack together, which
	// are held in memory while their hashes are checked.
	PackBytes = 256 << 20
	// ListBytes caps an exclusion list (--exclude, --compare-exclude) or a
	// threshold file (--threshold-file).
	ListBytes = 16 << 20
	// ListEntries caps the entries of one exclusion list or threshold file:
	// each costs some 500 bytes held for the whole run, and every alert is
	// checked against them in turn (a 1M-line list took 570 MB).
	ListEntries = 100_000
	// DatasetBytes caps a dataset's load or state file (dataset:,
	// datarep: in rules): the default memcap of 64 MiB fills with some
	// 600,000 host names, 20 MiB of base64 lines.
	DatasetBytes = 64 << 20
	// DatasetEntries caps the lines of one dataset file, skipped ones
	// included, so a file of short bad lines is not parsed line by line
	// for long: about six times the IPv4 addresses the default memcap
	// holds.
	DatasetEntries = 4_000_000
)

// TooLargeError is an input that passed its cap. Callers name the file.
type TooLargeError struct {
	What string // the kind of input, e.g. "config file"
	Cap  int64  // in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %s, the cap for %s", Size(e.Cap), e.What)
}

// Exceeded reports whether err is, or wraps, a *TooLargeError.
func Exceeded(err error) bool {
	var te *TooLargeError
	return errors.As(err, &te)
}

// TooManyError is an input with more entries than its cap.
type TooManyError struct {
	What string // the kind of input, e.g. "exclusion list"
	Cap  int
}

func (e *TooManyError) Error() string {
	return fmt.Sprintf("more than %d entries, the cap for %s", e.Cap, e.What)
}

// Size writes a cap for messages: "16 MiB", "512 KiB" or "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// reader passes at most left more bytes of r through, then fails with a
// *TooLargeError if r has more.
type reader struct {
	r    io.Reader
	left int64
	err  *TooLargeError // set once the cap is passed: every later Read fails
	what string
	cap  int64
}

// NewReader returns r capped at max bytes for an input of kind what
// (e.g. "a rules file"): it yields the first max bytes, then, if r has
// more, fails with a *TooLargeError instead of returning them, on that
// Read and every later one.
func NewReader(r io.Reader, what string, max int64) io.Reader {
	return &reader{r: r, left: max, what: what, cap: max}
}

// maxEmptyReads bounds reads returning nothing and no error while probing
// past the cap, as bufio does, so a broken reader cannot spin forever.
const maxEmptyReads = 100

func (c *reader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.left <= 0 {
		// At the cap: one more byte says whether the input goes on.
		var one [1]byte
		for range maxEmptyReads {
			n, err := c.r.Read(one[:])
			if n > 0 {
				c.err = &TooLargeError{What: c.what, Cap: c.cap}
				return 0, c.err
			}
			if err != nil {
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ReadAll reads r to its end, failing with a *TooLargeError once it passes
// max bytes; sizeHint, when known and within max, sizes the buffer.
func ReadAll(r io.Reader, what string, max, sizeHint int64) ([]byte, error) {
	buf := make([]byte, 0, min(max, sizeHint)+1)
	cr := NewReader(r, what, max)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := cr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// ReadFile reads the file at path, capped at max bytes. A regular file
// larger than max is refused without reading it; anything else (a FIFO,
// /dev/stdin, a character device) is read until it ends or passes max.
// Other errors are os.Open's and the read's as they come; callers name
// the file in theirs.
func ReadFile(path, what string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, what, max)
}

// ReadFS is ReadFile for a file of fsys (a signature pack's directory).
func ReadFS(fsys fs.FS, name, what string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, what, max)
}

func readOpen(f fs.File, what string, max int64) ([]byte, error) {
	hint, err := Check(f, what, max)
	if err != nil {
		return nil, err
	}
	return ReadAll(f, what, max, hint)
}

// Check refuses an open regular file larger than max before a streaming
// parser spends seconds on the part under the cap; it returns the file's
// size (0 when not a regular file or unknown) to size a buffer with.
// Files that are not regular pass: only reading them can tell.
func Check(f fs.File, what string, max int64) (int64, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, nil
	}
	if fi.Size() > max {
		return 0, &TooLargeError{What: what, Cap: max}
	}
	return fi.Size(), nil
}
