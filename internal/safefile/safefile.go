// Package safefile replaces files whole: every file ipsreplay writes goes
// through it, so a full disk, a crash or a second run writing the same path
// never leaves a truncated or interleaved file, and a file the user made
// read-only is never replaced.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// ErrReadOnly is returned for an existing file without write permission:
// the user marked it as not to be replaced (chmod 0444), and a rename
// would replace it anyway, so we refuse rather than rewrite it.
var ErrReadOnly = errors.New("file is read-only; not replaced (make it writable to allow this)")

// ErrIsInput is returned by CheckOutput for an output path that is one of
// the run's inputs.
var ErrIsInput = errors.New("output file is also an input; refusing to overwrite it")

// Write replaces path with data. See WriteFunc.
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what fill writes: into a temporary file in
// the same directory (so the rename stays on one file system), synced,
// then renamed over path. Until the rename path keeps its old content, and
// after it readers see the whole new file: rename is atomic, so two runs
// writing the same path leave one of the two files, never a mix. An
// existing file keeps its mode; a new one gets perm (less the umask, as
// os.Create would). An existing file that is not writable is refused with
// ErrReadOnly. Errors name path.
func WriteFunc(path string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	mode, chmod, target := perm, false, path
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			// a device or FIFO (-o /dev/stdout) cannot be renamed over:
			// it is written in place, as it has no old content to lose
			return writeInPlace(path, fill)
		}
		if err := CheckWritable(path); err != nil {
			return err
		}
		// through a symlink, replace the file it names and keep the link
		if real, err := filepath.EvalSymlinks(path); err == nil {
			target = real
		}
		mode, chmod = st.Mode().Perm(), true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	f, err := createTemp(target, mode)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if chmod {
		// the old mode exactly, as the umask may have narrowed it
		if err := f.Chmod(mode); err != nil {
			return fmt.Errorf("%s: %w", path, unwrap(err))
		}
	}
	if err := fill(f); err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	// data on disk before the rename: after a crash the name holds the
	// old file or the whole new one, not an empty one
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	// the rename itself on disk; a failure here loses nothing written
	dir := filepath.Dir(target)
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// writeInPlace writes a file that is not a regular file directly.
func writeInPlace(path string, fill func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	return nil
}

// createTemp makes a new file beside path with mode (less the umask, as
// os.Create would apply it). Beside, so the rename stays on one file
// system; hidden and marked, so a leftover from a crash is recognisable.
func createTemp(path string, mode fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file beside it")
}

// CheckWritable refuses what Write would refuse, so that a command checks
// its outputs before a long run rather than after: an existing regular
// file without write permission (ErrReadOnly; the mode bits, not
// access(2), because root may write anything and the mark is the user's
// all the same), and a directory where the temporary file Write goes
// through cannot be made (missing, not a directory, not writable). A
// device or FIFO is written in place and not checked.
func CheckWritable(path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return nil
	case err == nil && st.Mode().Perm()&0o200 == 0:
		return fmt.Errorf("%s: %w", path, ErrReadOnly)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	f, err := createTemp(path, 0o600)
	if err != nil {
		dir := filepath.Dir(path)
		if _, derr := os.Stat(dir); errors.Is(derr, fs.ErrNotExist) {
			// wrapped, as every error here, so callers that name the path
			// themselves can take the reason alone with errors.Unwrap
			return fmt.Errorf("%s: %w", path, fmt.Errorf("directory %s does not exist", dir))
		}
		return fmt.Errorf("%s: %w", path, unwrap(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// CheckOutput refuses an output path that is one of inputs, compared as
// files (os.SameFile), so a symlink, a relative path or a file found
// inside an input directory is caught too. An output that does not exist
// yet, or an input that cannot be read, is no conflict here.
func CheckOutput(output string, inputs []string) error {
	out, err := os.Stat(output)
	if err != nil {
		return nil
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			continue
		}
		if os.SameFile(out, st) {
			if in == output {
				return fmt.Errorf("%s: %w", output, ErrIsInput)
			}
			return fmt.Errorf("%s: %w (as %s)", output, ErrIsInput, in)
		}
	}
	return nil
}

// unwrap drops the *PathError's repeated path: errors here name path once.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
