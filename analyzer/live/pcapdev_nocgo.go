//go:build !cgo

package live

// pcapDevice is false without libpcap: its pseudo-devices ("any") can be
// neither listed nor opened.
func pcapDevice(string) bool { return false }
