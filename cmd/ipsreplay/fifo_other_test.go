//go:build unix && !linux

package main

import "os"

// unreadBytes cannot tell here; the caller waits a while instead.
func unreadBytes(*os.File) (int, bool) { return 0, false }

// waitingForWriter cannot tell here; the caller waits a while instead.
func waitingForWriter(int) (waiting, ok bool) { return false, false }
