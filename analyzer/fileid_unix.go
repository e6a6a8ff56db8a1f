//go:build unix

package analyzer

import (
	"os"
	"syscall"
)

// fileID names a directory by device and inode, so a symlink loop is seen
// whatever path leads into it.
type fileID struct{ dev, ino uint64 }

func idOf(_ string, st os.FileInfo) (fileID, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(sys.Dev), ino: uint64(sys.Ino)}, true // Dev and Ino differ in width across systems
}
