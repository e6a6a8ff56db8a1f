package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedCorpusIsReproducible regenerates every scenario and compares
// it byte for byte with what is committed in pcaps/: a change to the
// generator must come with `make corpus`, and nobody edits a capture by hand.
func TestCommittedCorpusIsReproducible(t *testing.T) {
	const committed = "../../pcaps"
	dir := t.TempDir()
	if err := run([]string{"-out", dir}, io.Discard); err != nil {
		t.Fatal(err)
	}
	generated := map[string]bool{}
	for _, sc := range scenarios {
		generated[sc.file] = true
		want, err := os.ReadFile(filepath.Join(dir, sc.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(committed, sc.file))
		if err != nil {
			t.Errorf("%s: not committed (run make corpus): %v", sc.file, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("pcaps/%s differs from the generator's output (run make corpus)", sc.file)
		}
	}
	entries, err := os.ReadDir(committed)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if (strings.HasSuffix(name, ".pcap") || strings.HasSuffix(name, ".pcapng")) && !generated[name] {
			t.Errorf("pcaps/%s is not made by the generator", name)
		}
	}
}
