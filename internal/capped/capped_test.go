package capped

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// zeros is an endless input, as /dev/zero or a pipe that never closes.
type zeros struct{ read int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.read += int64(len(p))
	return len(p), nil
}

func TestReadAll(t *testing.T) {
	const max = 1000
	for _, tc := range []struct {
		name    string
		r       io.Reader
		hint    int64
		wantLen int
		tooBig  bool
	}{
		{"empty", strings.NewReader(""), 0, 0, false},
		{"under the cap", strings.NewReader(strings.Repeat("x", 999)), 0, 999, false},
		{"at the cap", strings.NewReader(strings.Repeat("x", max)), max, max, false},
		{"one byte over", strings.NewReader(strings.Repeat("x", max+1)), 0, max, true},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader(strings.Repeat("x", max+1))), 0, max, true},
		{"endless", &zeros{}, 0, max, true},
		{"endless with a wrong hint", &zeros{}, 1 << 40, max, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadAll(tc.r, "a test input", max, tc.hint)
			if len(got) != tc.wantLen {
				t.Errorf("read %d bytes, want %d", len(got), tc.wantLen)
			}
			if Exceeded(err) != tc.tooBig || (!tc.tooBig && err != nil) {
				t.Fatalf("err = %v, want too large %v", err, tc.tooBig)
			}
			if tc.tooBig {
				if want := "larger than 1000 bytes, the cap for a test input"; err.Error() != want {
					t.Errorf("err = %q, want %q", err, want)
				}
			}
			if z, ok := tc.r.(*zeros); ok && z.read > 2*max {
				t.Errorf("read %d bytes of an endless input for a cap of %d", z.read, max)
			}
		})
	}
}

// TestReaderSticky: once past the cap every Read fails, so a caller that
// retries (bufio.Scanner, a loop ignoring one error) cannot read on.
func TestReaderSticky(t *testing.T) {
	r := NewReader(&zeros{}, "a rules file", 10)
	buf := make([]byte, 64)
	if n, err := r.Read(buf); n != 10 || err != nil {
		t.Fatalf("first read = %d, %v; want 10, nil", n, err)
	}
	for range 3 {
		if n, err := r.Read(buf); n != 0 || !Exceeded(err) {
			t.Fatalf("read past the cap = %d, %v", n, err)
		}
	}
}

// TestReaderNoProgress: a reader returning nothing forever at the cap is
// an error, not a spin.
func TestReaderNoProgress(t *testing.T) {
	r := NewReader(io.MultiReader(strings.NewReader("abc"), emptyReader{}), "x", 3)
	got, err := io.ReadAll(r)
	if string(got) != "abc" || !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("got %q, %v", got, err)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file far past the cap: refused by its size, never read.
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	if got, err := ReadFile(small, "a config file", ConfigBytes); err != nil || !bytes.Equal(got, []byte(`{"a":1}`)) {
		t.Errorf("small: %q, %v", got, err)
	}
	if _, err := ReadFile(huge, "a config file", ConfigBytes); err == nil || err.Error() != "larger than 1 MiB, the cap for a config file" {
		t.Errorf("huge: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), "a config file", ConfigBytes); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	// A character device that never ends is read up to the cap.
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFile("/dev/zero", "a config file", ConfigBytes); !Exceeded(err) {
			t.Errorf("/dev/zero: %v", err)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 20: "64 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
