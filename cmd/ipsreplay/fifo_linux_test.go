package main

import (
	"os"
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
