package analyzer

// pcapng.go reads pcapng blocks (draft-ietf-opsawg-pcapng) for Source.
//
// It replaces pcapgo's NgReader, whose failures could not be wrapped into
// honest errors: a block length below 12 underflows into a ~4 GiB Discard
// that ends the file with a plain io.EOF; a packet cut short is io.EOF too;
// a block's trailing length is never checked; the captured length a block
// claims is allocated before it is read (0xFFFFFFF0 bytes from a 3.5 KB
// file); link types are cut to 8 bits (276 reads as 20); an if_tsresol of
// 2^-64 divides by zero. Ours has no per-packet cost over it (both about
// 50 ns a packet on BenchmarkPcapngNext's packets) and hands out packets
// straight from the read buffer.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/google/gopacket"
)

// Block types read; every other block (name resolution, statistics,
// decryption secrets, custom, ...) is skipped whole.
const (
	ngBlockSHB = 0x0a0d0d0a // section header: its byte order governs the section
	ngBlockIDB = 1          // interface description
	ngBlockPB  = 2          // obsolete packet block (16-bit interface id)
	ngBlockSPB = 3          // simple packet: interface 0, no timestamp
	ngBlockEPB = 6          // enhanced packet

	ngByteOrderMagic = 0x1a2b3c4d
)

const (
	// ngMinBlock is type, length and trailing length: 12 bytes.
	ngMinBlock = 12
	// ngMaxReadBlock caps a block read into memory (section header,
	// interface description, packet): a packet of maxSnaplen plus the
	// 128 KiB of options libpcap allows beyond the snap length, plus the
	// 32-byte enhanced packet header. A bigger block is an error before
	// anything is allocated.
	ngMaxReadBlock = 32 + maxSnaplen + 128<<10
	// ngMaxSkipBlock caps a block that is skipped unread (libpcap's initial
	// maximum block size). Skipping allocates nothing, but a length beyond
	// this is damage, and saying so beats discarding the rest of the file.
	ngMaxSkipBlock = 16 << 20
	// ngMaxInterfaces caps the interface table of one section (an IDB is
	// 20 bytes; without a cap a file of IDBs grows the table without end).
	ngMaxInterfaces = 1 << 16
)

// ngInterface is what a packet needs from its interface description.
type ngInterface struct {
	link    LinkType
	snaplen uint32
	units   uint64 // timestamp units per second (if_tsresol; 10^6 by default)
	offset  int64  // seconds added to every timestamp (if_tsoffset)
}

// ngReader yields the packets of a pcapng stream. Packet data points into
// the bufio.Reader's buffer (or, for a block bigger than that buffer, into
// scratch) and is valid until the next call to next.
type ngReader struct {
	r       *bufio.Reader
	be      bool          // the current section is big-endian
	ifaces  []ngInterface // the current section's interfaces, by id
	scratch []byte        // for blocks bigger than r's buffer; at most ngMaxReadBlock
	pos     int64         // offset of the next block
	start   int64         // offset of the block last returned or at fault
	link    LinkType      // the link type of the packet last returned
	units   uint64        // its interface's timestamp units per second
}

func (r *ngReader) u16(b []byte) uint16 {
	if r.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *ngReader) u32(b []byte) uint32 {
	if r.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *ngReader) u64(b []byte) uint64 {
	if r.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// ngCorrupt is a structural error in the block at r.start.
func ngCorrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorruptPacket, fmt.Sprintf(format, args...))
}

// newNgReader reads the first section header, which open has seen starts
// the stream.
func newNgReader(br *bufio.Reader, pos int64) (*ngReader, error) {
	r := &ngReader{r: br, pos: pos}
	typ, b, err := r.nextBlock()
	if err == io.EOF {
		err = fmt.Errorf("%w: section header cut short", ErrTruncated)
	}
	if err != nil {
		return nil, err
	}
	if typ != ngBlockSHB {
		return nil, ngCorrupt("first block is of type %#x, not a section header", typ)
	}
	return r, r.section(b)
}

// next returns the next packet, skipping and applying the other blocks;
// io.EOF at a clean end of the stream.
func (r *ngReader) next() ([]byte, gopacket.CaptureInfo, error) {
	for {
		typ, b, err := r.nextBlock()
		if err != nil {
			return nil, gopacket.CaptureInfo{}, err
		}
		switch typ {
		case ngBlockSHB:
			err = r.section(b)
		case ngBlockIDB:
			err = r.iface(b)
		case ngBlockEPB, ngBlockPB, ngBlockSPB:
			return r.packet(typ, b)
		}
		if err != nil {
			return nil, gopacket.CaptureInfo{}, err
		}
	}
}

// nextBlock reads one block: whole (b) when it is one next parses, else
// skipped (b nil). Its length is checked against the caps before anything
// is read or allocated, and against its trailing copy after.
func (r *ngReader) nextBlock() (typ uint32, b []byte, err error) {
	r.start = r.pos
	hdr, err := r.r.Peek(8)
	if len(hdr) < 8 {
		if len(hdr) == 0 && err == io.EOF {
			return 0, nil, io.EOF
		}
		return 0, nil, ngCutShort(err, "block header", 8, len(hdr))
	}
	// an SHB's type reads the same in both byte orders; any other block is
	// in its section's order
	if typ = r.u32(hdr); typ == ngBlockSHB {
		// the section's byte order is declared after the length
		hdr, err = r.r.Peek(12)
		if len(hdr) < 12 {
			return 0, nil, ngCutShort(err, "section header", 12, len(hdr))
		}
		switch {
		case binary.LittleEndian.Uint32(hdr[8:]) == ngByteOrderMagic:
			r.be = false
		case binary.BigEndian.Uint32(hdr[8:]) == ngByteOrderMagic:
			r.be = true
		default:
			return 0, nil, ngCorrupt("section header byte-order magic is % x", hdr[8:12])
		}
	}
	length := r.u32(hdr[4:8])
	parsed := typ == ngBlockSHB || typ == ngBlockIDB || typ == ngBlockEPB || typ == ngBlockPB || typ == ngBlockSPB
	limit := uint32(ngMaxSkipBlock)
	if parsed {
		limit = ngMaxReadBlock
	}
	switch {
	case length < ngMinBlock:
		return 0, nil, ngCorrupt("block length %d is less than %d", length, ngMinBlock)
	case length%4 != 0:
		return 0, nil, ngCorrupt("block length %d is not a multiple of 4", length)
	case length > limit:
		return 0, nil, ngCorrupt("block length %d exceeds %d", length, limit)
	}
	n := int(length)
	if !parsed {
		if d, err := r.r.Discard(n - 4); d < n-4 {
			return 0, nil, ngCutShort(err, "block", n, 8+d)
		}
		tail, err := r.r.Peek(4)
		if len(tail) < 4 {
			return 0, nil, ngCutShort(err, "block", n, n-4+len(tail))
		}
		if t := r.u32(tail); t != length {
			return 0, nil, ngCorrupt("block length %d at its start, %d at its end", length, t)
		}
		r.r.Discard(4)
		r.pos += int64(n)
		return typ, nil, nil
	}
	if n <= r.r.Size() {
		// zero copy: the bytes stay in the buffer until the next read
		b, err = r.r.Peek(n)
		if len(b) < n {
			return 0, nil, ngCutShort(err, ngBlockName(typ), n, len(b))
		}
		r.r.Discard(n)
	} else {
		if cap(r.scratch) < n {
			r.scratch = make([]byte, n)
		}
		b = r.scratch[:n]
		if got, err := io.ReadFull(r.r, b); got < n {
			return 0, nil, ngCutShort(err, ngBlockName(typ), n, got)
		}
	}
	if t := r.u32(b[n-4:]); t != length {
		return 0, nil, ngCorrupt("%s length %d at its start, %d at its end", ngBlockName(typ), length, t)
	}
	r.pos += int64(n)
	return typ, b, nil
}

// ngCutShort is the error for a stream that ended, or failed, inside a block.
func ngCutShort(err error, what string, want, got int) error {
	if err == nil || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s of %d bytes has only %d", ErrTruncated, what, want, got)
	}
	return err // a read error (gzip checksum, I/O), not the file's structure
}

func ngBlockName(typ uint32) string {
	switch typ {
	case ngBlockSHB:
		return "section header"
	case ngBlockIDB:
		return "interface description"
	case ngBlockEPB:
		return "enhanced packet block"
	case ngBlockSPB:
		return "simple packet block"
	case ngBlockPB:
		return "packet block"
	}
	return "block"
}

// section starts a new section: its interfaces replace the last one's.
func (r *ngReader) section(b []byte) error {
	if len(b) < 28 {
		return ngCorrupt("section header of %d bytes, want at least 28", len(b))
	}
	if major, minor := r.u16(b[12:]), r.u16(b[14:]); major != 1 {
		return ngCorrupt("pcapng version %d.%d is not supported (want 1.x)", major, minor)
	}
	r.ifaces = r.ifaces[:0]
	return nil
}

// iface adds an interface description to the section's table.
func (r *ngReader) iface(b []byte) error {
	if len(b) < 20 {
		return ngCorrupt("interface description of %d bytes, want at least 20", len(b))
	}
	if len(r.ifaces) >= ngMaxInterfaces {
		return ngCorrupt("more than %d interfaces in one section", ngMaxInterfaces)
	}
	in := ngInterface{
		link:    LinkType(r.u16(b[8:])),
		snaplen: r.u32(b[12:]),
		units:   1e6,
	}
	opts := b[16 : len(b)-4]
	for len(opts) >= 4 {
		code, n := r.u16(opts), int(r.u16(opts[2:]))
		if code == 0 { // opt_endofopt
			break
		}
		padded := 4 + (n+3)&^3
		if padded > len(opts) {
			return ngCorrupt("interface option %d of %d bytes runs past its block", code, n)
		}
		v := opts[4 : 4+n]
		switch code {
		case 9: // if_tsresol
			if n != 1 {
				return ngCorrupt("if_tsresol of %d bytes, want 1", n)
			}
			units, ok := ngTSUnits(v[0])
			if !ok {
				return ngCorrupt("if_tsresol %#x is finer than 64 bits can count", v[0])
			}
			in.units = units
		case 14: // if_tsoffset
			if n != 8 {
				return ngCorrupt("if_tsoffset of %d bytes, want 8", n)
			}
			in.offset = int64(r.u64(v))
		}
		opts = opts[padded:]
	}
	r.ifaces = append(r.ifaces, in)
	return nil
}

// ngTSUnits turns if_tsresol into units per second: the high bit picks a
// negative power of 2, otherwise of 10.
func ngTSUnits(res byte) (uint64, bool) {
	if res&0x80 != 0 {
		e := res & 0x7f
		return 1 << e, e < 64
	}
	if res > 19 { // 10^20 overflows uint64
		return 0, false
	}
	u := uint64(1)
	for range res {
		u *= 10
	}
	return u, true
}

// packet decodes a packet block (b is the whole block).
func (r *ngReader) packet(typ uint32, b []byte) ([]byte, gopacket.CaptureInfo, error) {
	var ci gopacket.CaptureInfo
	var id, capLen, area uint32
	var ts uint64
	data := b
	if typ == ngBlockSPB {
		if len(b) < 16 {
			return nil, ci, ngCorrupt("simple packet block of %d bytes, want at least 16", len(b))
		}
		orig := r.u32(b[8:])
		ci.Length = int(orig)
		capLen, area, data = orig, uint32(len(b)-16), b[12:]
		if len(r.ifaces) > 0 && r.ifaces[0].snaplen != 0 && capLen > r.ifaces[0].snaplen {
			capLen = r.ifaces[0].snaplen
		}
	} else {
		if len(b) < 32 {
			return nil, ci, ngCorrupt("%s of %d bytes, want at least 32", ngBlockName(typ), len(b))
		}
		if typ == ngBlockEPB {
			id = r.u32(b[8:])
		} else {
			id = uint32(r.u16(b[8:]))
		}
		ts = uint64(r.u32(b[12:]))<<32 | uint64(r.u32(b[16:]))
		capLen = r.u32(b[20:])
		ci.Length = int(r.u32(b[24:]))
		area, data = uint32(len(b)-32), b[28:]
	}
	if int(id) >= len(r.ifaces) {
		return nil, ci, ngCorrupt("packet on interface %d, but the section describes %d", id, len(r.ifaces))
	}
	if capLen > maxSnaplen {
		return nil, ci, ngCorrupt("capture length %d exceeds %d", capLen, maxSnaplen)
	}
	if capLen > area {
		return nil, ci, ngCorrupt("capture length %d does not fit its %d-byte %s", capLen, len(b), ngBlockName(typ))
	}
	in := &r.ifaces[id]
	if typ != ngBlockSPB {
		ci.Timestamp = in.time(ts)
	}
	ci.CaptureLength = int(capLen)
	ci.InterfaceIndex = int(id)
	r.link, r.units = in.link, in.units
	return data[:capLen:capLen], ci, nil
}

// time converts a timestamp in the interface's units, without overflow for
// any resolution: seconds saturate at ±2^62, far beyond any real date.
func (in *ngInterface) time(ts uint64) time.Time {
	sec, frac := ts/in.units, ts%in.units
	var nsec uint64
	switch {
	case in.units == 1e6:
		nsec = frac * 1e3
	case in.units == 1e9:
		nsec = frac
	default:
		hi, lo := bits.Mul64(frac, 1e9)
		nsec, _ = bits.Div64(hi, lo, in.units) // frac < units, so hi < units
	}
	const limit = 1 << 62
	s := int64(limit)
	if sec < limit {
		s = int64(sec)
	}
	switch {
	case in.offset > 0 && s > limit-in.offset:
		s = limit
	case in.offset < 0 && s < -limit-in.offset:
		s = -limit
	default:
		s += in.offset
	}
	return time.Unix(s, int64(nsec)).UTC()
}
