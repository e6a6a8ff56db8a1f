//go:build cgo

package main

import "github.com/ipsreplay/ipsreplay/analyzer/live"

// liveTx adapts live.Transmitter to what replay uses.
type liveTx struct{ *live.Transmitter }

func (t liveTx) Stats() txStats { return txStats(t.Transmitter.Stats()) }

// openTransmitter opens iface for sending replayed packets.
func openTransmitter(iface string) (transmitter, error) {
	tx, err := live.OpenTransmitter(iface)
	if err != nil {
		return nil, err
	}
	return liveTx{tx}, nil
}
