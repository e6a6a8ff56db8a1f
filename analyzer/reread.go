package analyzer

import (
	"context"
	"errors"
	"io"

	"github.com/ipsreplay/ipsreplay/packet"
)

// RereadPacket is one packet of a second reading of the captures, valid
// only during the visit: Data and the slices of Facts point into the
// reader's buffer.
type RereadPacket struct {
	Facts *packet.Facts // decoded as the analysis decoded it
	Data  []byte
	Time  int64 // capture time, unix ns
	// Length is the packet's length on the wire (Data may be shorter).
	Length int
	Link   LinkType
	// Nano says the packet's file keeps nanosecond timestamps (a pcap
	// with the nanosecond magic, a pcapng interface finer than 1 µs).
	Nano bool
}

// Reread reads the captures again in the order Analyze read them, the
// same files merged by time, and hands each packet to visit, decoded.
// It is for work after an analysis (extracting the packets behind its
// alerts) that must not slow the analysis down. Standard input can be
// read again only when stdin is a fresh reader of the same bytes.
// Decoding and read errors are the analysis' to report: a file that
// fails here ends where it fails, silently.
// filter is the analysis' --bpf expression ("" for none): the packets it
// left out are left out here too.
func Reread(ctx context.Context, files []string, stdin io.Reader, maxOpen int, filter string, visit func(*RereadPacket)) error {
	if maxOpen == 0 {
		maxOpen = maxOpenCaptures
	}
	files, _ = dropRepeats(files)
	m := &merger{ctx: ctx, maxOpen: max(maxOpen, 2), openFn: func(path string, index uint32) (*Source, error) {
		return openSource(ctx, path, index, stdin, readBufferSize)
	}}
	if filter != "" {
		var err error
		if m.filter, err = newCaptureFilter(filter); err != nil {
			return err
		}
	}
	for i, path := range files {
		if err := m.add(path, uint32(i)); errors.Is(err, ErrInterrupted) {
			m.finish()
			return ctx.Err()
		}
	}
	defer m.finish()
	d := newDecoder()
	var f packet.Facts
	p := RereadPacket{Facts: &f}
	var n uint64
	for s := m.next(); s != nil; s = m.next() {
		f.Time, f.WireLen = s.Time, s.Length
		f.Packet = packet.PacketRef{File: s.Index, Num: s.Num}
		d.decode(s.Link, s.Data, &f)
		p.Data, p.Time, p.Length, p.Link, p.Nano = s.Data, s.Time, s.Length, s.Link, s.nanoResolution()
		visit(&p)
		m.step()
		if n++; n%progressEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return ctx.Err()
}

// nanoResolution reports whether the current packet's timestamps are
// finer than microseconds in the file.
func (s *Source) nanoResolution() bool {
	if s.ng != nil {
		return s.ng.units > 1_000_000
	}
	return s.nano
}
