//go:build cgo

package live

import (
	"errors"
	"fmt"
	"sync"

	"github.com/google/gopacket/pcap"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// keptErrors is how many send errors a Transmitter keeps; the rest are
// only counted (a dead link fails every packet the same way).
const keptErrors = 5

// transmitSnaplen is the snapshot length of a sending handle: it never
// keeps what it receives.
const transmitSnaplen = 64

// errEmptyPacket is a Send of no bytes; libpcap cannot send one.
var errEmptyPacket = errors.New("empty packet")

// TransmitStats counts what a Transmitter sent.
type TransmitStats struct {
	Packets, Bytes, Errors uint64 // sent packets and bytes; failed sends
	First                  error  // the first send error, if any
}

// Transmitter sends packets onto an interface through libpcap
// (pcap_sendpacket): replay --out-iface. Packets go out as given, link
// header included. It is safe for concurrent use.
type Transmitter struct {
	iface  string
	handle *pcap.Handle
	link   analyzer.LinkType

	mu    sync.Mutex
	stats TransmitStats
	errs  []error
}

// OpenTransmitter opens iface for sending. Errors are one line each, as
// Open's.
func OpenTransmitter(iface string) (*Transmitter, error) {
	if iface == "any" {
		return nil, fmt.Errorf("send on any: packets can only be sent on a real interface (available: %s)", available(false))
	}
	if err := checkInterface("send", iface, false); err != nil {
		return nil, err
	}
	h, err := activate(iface, transmitSnaplen, false, 0)
	if err != nil {
		return nil, openError("send", iface, err)
	}
	// A sending handle has no use for the interface's traffic: a filter
	// that accepts nothing ("ret #0") keeps the kernel from copying it.
	// Not fatal: without it the handle's buffer fills and the kernel drops
	// what it would have copied there, which costs only time.
	_ = h.SetBPFInstructionFilter([]pcap.BPFInstruction{{Code: 0x06, K: 0}})
	return &Transmitter{iface: iface, handle: h, link: handleLink(h)}, nil
}

// Interface is the interface sent on.
func (t *Transmitter) Interface() string { return t.iface }

// LinkType is the interface's link type: packets of another link type go
// out as they are, which the receiver will not understand.
func (t *Transmitter) LinkType() analyzer.LinkType { return t.link }

// Send transmits one packet. A failure (too big for the link, the link
// went down) is counted and the first few kept for Errs; it is returned
// too, but never stops the Transmitter: the next Send tries again.
func (t *Transmitter) Send(data []byte) error {
	var err error
	if len(data) == 0 {
		err = errEmptyPacket
	} else {
		err = t.handle.WritePacketData(data)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		t.stats.Packets++
		t.stats.Bytes += uint64(len(data))
		return nil
	}
	t.stats.Errors++
	n := t.stats.Packets + t.stats.Errors
	err = fmt.Errorf("send on %s: packet %d (%d bytes): %s", t.iface, n, len(data), lowerFirst(err.Error()))
	if t.stats.First == nil {
		t.stats.First = err
	}
	if len(t.errs) < keptErrors {
		t.errs = append(t.errs, err)
	}
	return err
}

// Stats returns what was sent so far.
func (t *Transmitter) Stats() TransmitStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Errs returns the first few send errors (up to 5), in order.
func (t *Transmitter) Errs() []error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]error(nil), t.errs...)
}

// Close releases the interface.
func (t *Transmitter) Close() error {
	t.handle.Close()
	return nil
}
