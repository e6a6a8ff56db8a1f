package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"
)

// unreadBytes is how much written on the pipe w is still unread (FIONREAD).
func unreadBytes(w *os.File) (int, bool) {
	var n int32
	const fionread = 0x541B
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, w.Fd(), fionread, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0, false
	}
	return int(n), true
}

// waitingForWriter reports whether a thread of process pid waits in
// open(2) of a FIFO for a writer (its wchan); ok is false where /proc
// cannot tell.
func waitingForWriter(pid int) (waiting, ok bool) {
	chans, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
	if err != nil || len(chans) == 0 {
		return false, false
	}
	for _, c := range chans {
		if b, err := os.ReadFile(c); err == nil && strings.Contains(string(b), "wait_for_partner") {
			return true, true
		}
	}
	return false, true
}
