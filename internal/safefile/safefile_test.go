package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingFill writes half a document, then fails, as a full disk would.
func failingFill(w io.Writer) error {
	if _, err := w.Write([]byte(`{"half":`)); err != nil {
		return err
	}
	return errors.New("no space left on device")
}

func TestWriteFunc(t *testing.T) {
	tests := []struct {
		name     string
		old      string      // "" for no file before
		oldMode  fs.FileMode // of the old file
		fill     func(io.Writer) error
		wantErr  string // "" for success
		wantData string
		wantMode fs.FileMode
	}{
		{name: "new file", fill: text("new"), wantData: "new", wantMode: 0o644},
		{name: "replaces", old: "old", oldMode: 0o644, fill: text("new"), wantData: "new", wantMode: 0o644},
		{name: "keeps mode", old: "old", oldMode: 0o600, fill: text("new"), wantData: "new", wantMode: 0o600},
		{name: "keeps group-writable mode", old: "old", oldMode: 0o664, fill: text("new"), wantData: "new", wantMode: 0o664},
		{name: "read-only refused", old: "old", oldMode: 0o444, fill: text("new"),
			wantErr: "read-only", wantData: "old", wantMode: 0o444},
		{name: "failed write keeps old", old: "old", oldMode: 0o644, fill: failingFill,
			wantErr: "no space left", wantData: "old", wantMode: 0o644},
		{name: "failed write leaves nothing new", fill: failingFill, wantErr: "no space left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.json")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), tt.oldMode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.oldMode); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFunc(path, 0o644, tt.fill)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path)):
				t.Fatalf("err %v, want one naming %s and saying %q", err, path, tt.wantErr)
			}
			data, rerr := os.ReadFile(path)
			if tt.wantData == "" {
				if !errors.Is(rerr, fs.ErrNotExist) {
					t.Fatalf("file exists after a failed first write: %q, %v", data, rerr)
				}
			} else {
				if string(data) != tt.wantData {
					t.Fatalf("content %q, want %q", data, tt.wantData)
				}
				st, _ := os.Stat(path)
				if got := st.Mode().Perm(); got != tt.wantMode&^currentUmask(t) && got != tt.wantMode {
					t.Fatalf("mode %v, want %v", got, tt.wantMode)
				}
			}
			left, _ := os.ReadDir(dir)
			if want := min(1, len(tt.wantData)); len(left) != want {
				t.Fatalf("directory holds %d entries, want %d (a temporary file left behind?)", len(left), want)
			}
		})
	}
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// currentUmask is what a new 0777 file loses.
func currentUmask(t *testing.T) fs.FileMode {
	p := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(p, nil, 0o777); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	return 0o777 &^ st.Mode().Perm()
}

// TestWriteThroughSymlink replaces the file a symlink names and keeps the
// link.
func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Skip(err)
	}
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link replaced by a file: %v %v", st, err)
	}
	if data, _ := os.ReadFile(real); string(data) != "new" {
		t.Fatalf("target holds %q", data)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", st.Mode().Perm())
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "day1.pcap")
	other := filepath.Join(dir, "report.json")
	for _, p := range []string{capture, other} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.pcap")
	if err := os.Symlink(capture, link); err != nil {
		t.Skip(err)
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		output string
		inputs []string
		refuse bool
	}{
		{"same path", capture, []string{capture}, true},
		{"relative path", "day1.pcap", []string{capture}, true},
		{"through a symlink output", link, []string{capture}, true},
		{"through a symlink input", capture, []string{link}, true},
		{"another file", other, []string{capture}, false},
		{"new file", filepath.Join(dir, "new.json"), []string{capture}, false},
		{"stdin input", other, []string{"-"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOutput(tt.output, tt.inputs)
			if got := err != nil; got != tt.refuse {
				t.Fatalf("err %v, want refused %v", err, tt.refuse)
			}
			if err != nil && (!errors.Is(err, ErrIsInput) || !strings.HasPrefix(err.Error(), tt.output+":")) {
				t.Fatalf("err %q: want ErrIsInput naming %s", err, tt.output)
			}
		})
	}
}

// TestConcurrentWrites: runs writing the same path at once leave one
// whole file, never a mix (an unsafe write left invalid JSON 3 times in
// 300), and no temporary files.
func TestConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	docs := make([]string, 8)
	for i := range docs {
		docs[i] = strings.Repeat(string(rune('a'+i)), 64<<10)
	}
	done := make(chan error, len(docs))
	for _, d := range docs {
		go func() { done <- Write(path, []byte(d), 0o644) }()
	}
	for range docs {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	got := string(readAll(t, path))
	whole := false
	for _, d := range docs {
		whole = whole || got == d
	}
	if !whole {
		t.Fatalf("file is no one writer's document (%d bytes)", len(got))
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckWritable refuses before a run what Write would refuse after it, and
// leaves nothing behind when it accepts.
func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "ro.json")
	if err := os.WriteFile(readOnly, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string // want: "" for no error, else a part of it
	}{
		{"new file", filepath.Join(dir, "new.json"), ""},
		{"existing file", notDir, ""},
		{"missing directory", filepath.Join(dir, "no", "such", "r.json"), "directory " + filepath.Join(dir, "no", "such") + " does not exist"},
		{"parent is a file", filepath.Join(notDir, "r.json"), "not a directory"},
		{"read-only file", readOnly, "read-only"},
		{"device", os.DevNull, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWritable(tt.path)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckWritable(%s) = %v, want nil", tt.path, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.path+": ")):
				t.Errorf("CheckWritable(%s) = %v, want %q", tt.path, err, tt.want)
			}
		})
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 2 { // ro.json and file; no temporary file
		t.Errorf("left behind: %v", left)
	}
}

// Callers that name the path themselves take the reason alone.
func TestCheckWritableUnwraps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "x.pcap")
	err := CheckWritable(path)
	if err == nil || errors.Unwrap(err) == nil || strings.Contains(errors.Unwrap(err).Error(), path) {
		t.Errorf("CheckWritable(%s) = %v, unwrapped %v: want the reason without the path", path, err, errors.Unwrap(err))
	}
}
