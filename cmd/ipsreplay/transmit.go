package main

import "fmt"

// transmitter sends replayed packets onto an interface (replay --out-iface).
type transmitter interface {
	Send(data []byte) error
	Stats() txStats
	Close() error
}

// txStats counts what a transmitter sent.
type txStats struct {
	Packets, Bytes, Errors uint64
	First                  error // the first send error, if any
}

// String is the one-line summary replay prints.
func (s txStats) String(iface string) string {
	out := fmt.Sprintf("sent %d packets, %d bytes on %s", s.Packets, s.Bytes, iface)
	if s.Errors > 0 {
		out += fmt.Sprintf("; %d send errors, first: %v", s.Errors, s.First)
	}
	return out
}
