//go:build !unix

package analyzer

import (
	"os"
	"path/filepath"
)

// fileID names a directory by its path with every symlink resolved, where
// the system gives no device and inode.
type fileID struct{ path string }

func idOf(path string, _ os.FileInfo) (fileID, bool) {
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileID{}, false
	}
	return fileID{path: p}, true
}
