package analyzer

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"
)

// readBufferSize is the buffered reader under pcapgo and the pcapng reader:
// well above the 64 KiB floor so a read syscall serves hundreds of packets.
const readBufferSize = 256 << 10

// maxSnaplen is tcpdump's MAXIMUM_SNAPLEN. A header claiming more (or 0) is
// clamped, as libpcap does, so a corrupt header cannot make the reader
// allocate gigabytes.
const maxSnaplen = 262144

// StdinPath names standard input on the command line.
const StdinPath = "-"

// Errors a source can end with.
var (
	ErrNotCapture        = errors.New("not a pcap or pcapng capture")
	ErrUnsupportedLink   = errors.New("unsupported link type")
	ErrTruncated         = errors.New("capture ends in the middle of a packet")
	ErrCorruptPacket     = errors.New("corrupt packet record")
	errStdinInDirListing = errors.New("standard input can only be given once")
)

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// countingReader counts bytes handed to the buffered reader above it, so the
// position a packet record starts at is count minus what is still buffered.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Source reads packets from one capture file in file order.
type Source struct {
	Path   string
	Index  uint32 // position in the run's file list
	Format string

	closer   io.Closer
	inflater io.Closer // a .gz or .zst capture's decompressor
	counter  *countingReader
	buf      *bufio.Reader
	records  *pcapRecords // pcap: its records, read from buf and then straight from counter
	ng       *ngReader    // pcapng; nil for pcap
	link     LinkType     // pcap: the file's link type
	nano     bool         // pcap: nanosecond timestamps (the magic says)

	// The current packet, valid until the next call to Next.
	Data   []byte
	Length int   // on the wire
	Time   int64 // unix ns
	Num    uint64
	Link   LinkType
	start  int64 // offset of the current record

	Summary FileSummary
	// a classic pcap's first and last times, as Summary's in unix ns
	firstTime, lastTime int64
	linkSet             map[LinkType]bool
	err                 error
	stream              bool // no regular file: cannot be reopened, reads may wait
}

// OpenSource opens path ("-" for stdin, which must then be given as r) and
// reads the capture header. index is the file's position in the run.
func OpenSource(path string, index uint32, stdin io.Reader) (*Source, error) {
	return openSource(context.Background(), path, index, stdin, readBufferSize)
}

// openSource is OpenSource for a run: a source that is no regular file
// (standard input, a FIFO) is opened and read so that cancelling ctx ends
// a wait on it (see openInput).
func openSource(ctx context.Context, path string, index uint32, stdin io.Reader, bufSize int) (*Source, error) {
	s := &Source{Path: path, Index: index, linkSet: map[LinkType]bool{}}
	s.Summary.Path = displayPath(path)
	var raw io.Reader
	if path == StdinPath {
		if stdin == nil {
			stdin = os.Stdin
		}
		raw, s.stream = stdin, true
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				s.stream = false // redirected from a file: the fast path
			}
		}
		if s.stream && ctx.Done() != nil {
			r := interruptible(ctx, stdin, false)
			s.closer, raw = r, r
		}
	} else {
		r, stream, err := openInput(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.closer, s.stream, raw = r, stream, r
	}
	if err := s.open(raw, bufSize); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %w", displayPath(path), err)
	}
	return s, nil
}

func displayPath(p string) string {
	if p == StdinPath {
		return "<stdin>"
	}
	return p
}

func (s *Source) open(raw io.Reader, bufSize int) error {
	s.counter = &countingReader{r: raw}
	s.buf = bufio.NewReaderSize(s.counter, bufSize)
	magic, err := s.buf.Peek(4)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			return err // a read error, or an interruption, is no empty file
		}
		if len(magic) == 0 {
			return fmt.Errorf("%w: file is empty", ErrNotCapture)
		}
		return fmt.Errorf("%w: only %d bytes", ErrNotCapture, len(magic))
	}
	suffix := ""
	var zr io.ReadCloser
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
		if zr, err = newInflater(s.buf); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		suffix = ".gz"
	case binary.LittleEndian.Uint32(magic) == zstdMagic:
		if zr, err = newZstdReader(s.buf); err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		suffix = ".zst"
	}
	if zr != nil {
		s.inflater = zr
		// offsets count decompressed bytes from here on
		s.counter = &countingReader{r: zr}
		s.buf = bufio.NewReaderSize(s.counter, bufSize)
	}
	head, err := s.buf.Peek(24)
	if errors.Is(err, ErrInterrupted) {
		return err
	}
	if len(head) < 4 {
		if zr != nil && err != nil && !errors.Is(err, io.EOF) {
			// the decompressor failed before the capture header
			return fmt.Errorf("%w: %s: %v", ErrTruncated, strings.TrimPrefix(suffix, "."), err)
		}
		return fmt.Errorf("%w: only %d bytes", ErrNotCapture, len(head))
	}
	switch binary.LittleEndian.Uint32(head[0:4]) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		if err != nil {
			return fmt.Errorf("%w: pcap header cut short at %d bytes", ErrTruncated, len(head))
		}
		return s.openPcap(head, suffix)
	case 0x0a0d0d0a:
		return s.openPcapng(suffix)
	}
	return fmt.Errorf("%w (starts with %s)", ErrNotCapture, hexPrefix(head))
}

func hexPrefix(b []byte) string {
	if len(b) > 8 {
		b = b[:8]
	}
	return fmt.Sprintf("% x", b)
}

func (s *Source) openPcap(head []byte, suffix string) error {
	var order binary.ByteOrder = binary.LittleEndian
	if m := binary.LittleEndian.Uint32(head[0:4]); m == 0xd4c3b2a1 || m == 0x4d3cb2a1 {
		order = binary.BigEndian
	}
	// pcapgo truncates the link type to 8 bits; read it whole. The upper
	// 16 bits may carry FCS flags (pcap-linktype(7)).
	s.link = LinkType(order.Uint32(head[20:24]) & 0xffff)
	m := binary.LittleEndian.Uint32(head[0:4])
	s.nano = m == 0xa1b23c4d || m == 0x4d3cb2a1
	// pcapgo checks the file header; the records are read by our own
	// reader, which hands out packets without copying them again
	if _, err := pcapgo.NewReader(s.buf); err != nil {
		return fmt.Errorf("%w: %v", ErrNotCapture, lowerFirst(err.Error()))
	}
	// the file's own snap length is not a limit: some writers put whole
	// frames after a smaller one, and libpcap (so Suricata) reads on
	s.records = newPcapRecords(drained{s.buf, s.counter}, pcapRecordBufferSize, order == binary.BigEndian, s.nano, maxSnaplen)
	s.Format = "pcap" + suffix
	s.Summary.Format = s.Format
	if !s.link.Supported() {
		return fmt.Errorf("%w %s", ErrUnsupportedLink, s.link)
	}
	return nil
}

// drained reads what buf holds and then from r, buf's own source, with no
// copy through buf: pcapRecords buffers for itself.
type drained struct {
	buf *bufio.Reader
	r   io.Reader
}

func (d drained) Read(p []byte) (int, error) {
	if d.buf.Buffered() > 0 {
		return d.buf.Read(p)
	}
	return d.r.Read(p)
}

func (s *Source) openPcapng(suffix string) error {
	r, err := newNgReader(s.buf, s.offset())
	if err != nil {
		if errors.Is(err, ErrTruncated) {
			return err
		}
		return fmt.Errorf("%w: pcapng: %s", ErrNotCapture, strings.TrimPrefix(err.Error(), ErrCorruptPacket.Error()+": "))
	}
	s.ng = r
	s.Format = "pcapng" + suffix
	s.Summary.Format = s.Format
	return nil
}

// offset is how far into the (decompressed) capture the reader has consumed.
func (s *Source) offset() int64 {
	n := s.counter.n - int64(s.buf.Buffered())
	if s.records != nil {
		n -= int64(s.records.Buffered())
	}
	return n
}

// Next reads the next packet into s.Data/s.Info. It returns false at the end
// of the file or on an error, which Err then returns.
func (s *Source) Next() bool {
	if s.err != nil || (s.records == nil && s.ng == nil) {
		return false
	}
	s.start = s.offset()
	if s.ng != nil {
		return s.nextNG()
	}
	data, ts, wireLen, err := s.readRecord()
	if err != nil {
		s.fail(err)
		return false
	}
	s.Data, s.Time, s.Length = data, ts, wireLen
	s.Num++
	s.Link = s.link
	sum := &s.Summary
	sum.Packets++
	sum.Bytes += uint64(wireLen)
	// times compared as nanoseconds; a time.Time is made only for a new
	// first or last one (a classic pcap's times fit an int64)
	if sum.Packets == 1 || ts < s.firstTime {
		s.firstTime, sum.First = ts, TimeOf(time.Unix(0, ts).UTC())
	}
	if sum.Packets == 1 || ts > s.lastTime {
		s.lastTime, sum.Last = ts, TimeOf(time.Unix(0, ts).UTC())
	}
	if sum.Packets == 1 {
		s.linkSet[s.Link] = true
		sum.LinkTypes = append(sum.LinkTypes, s.Link.String())
	}
	return true
}

// restore takes up the summary of a file read up to here before it was
// closed (the merger reopens files).
func (s *Source) restore(sum FileSummary, links map[LinkType]bool) {
	s.Summary, s.linkSet = sum, links
	s.firstTime, s.lastTime = UnixNano(sum.First.Time), UnixNano(sum.Last.Time)
}

// readRecord reads a classic pcap's next record, turning a panic inside the
// reader (it parses untrusted bytes) into an error.
func (s *Source) readRecord() (data []byte, ts int64, wireLen int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: reader failed: %v", ErrCorruptPacket, r)
		}
	}()
	// the records' snap length is maxSnaplen: a longer one is refused there
	return s.records.next()
}

// nextNG is Next for a pcapng, whose packets each name their interface
// (and link type) and whose times may lie outside an int64 of nanoseconds.
func (s *Source) nextNG() bool {
	data, ci, err := s.readNG()
	if err != nil {
		s.fail(err)
		return false
	}
	s.Data, s.Length = data, ci.Length
	s.Time = UnixNano(ci.Timestamp) // saturated, where UnixNano wraps
	s.Num++
	s.Link = s.ng.link
	sum := &s.Summary
	sum.Packets++
	sum.Bytes += uint64(ci.Length)
	if sum.Packets == 1 || ci.Timestamp.Before(sum.First.Time) {
		sum.First = TimeOf(ci.Timestamp)
	}
	if ci.Timestamp.After(sum.Last.Time) {
		sum.Last = TimeOf(ci.Timestamp)
	}
	if !s.linkSet[s.Link] {
		s.linkSet[s.Link] = true
		sum.LinkTypes = append(sum.LinkTypes, s.Link.String())
		sort.Strings(sum.LinkTypes)
	}
	return true
}

// readNG calls the pcapng reader, turning a panic inside it (it parses
// untrusted bytes) into an error.
func (s *Source) readNG() (data []byte, ci gopacket.CaptureInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: reader failed: %v", ErrCorruptPacket, r)
		}
	}()
	data, ci, err = s.ng.next()
	// the packet, or the block at fault, and not where the read began:
	// blocks before it may have been skipped
	s.start = s.ng.start
	if err == nil && ci.CaptureLength > maxSnaplen {
		err = fmt.Errorf("%w: capture length %d exceeds %d", ErrCorruptPacket, ci.CaptureLength, maxSnaplen)
	}
	if err == nil && ci.Timestamp.IsZero() {
		// pcapng simple packet blocks carry no time; keep order by
		// reusing the last one
		ci.Timestamp = s.Summary.Last.Time
		if ci.Timestamp.IsZero() {
			ci.Timestamp = time.Unix(0, 0).UTC()
		}
	}
	return data, ci, err
}

func (s *Source) fail(err error) {
	if errors.Is(err, ErrInterrupted) {
		// not the capture's fault: no truncation, and the run says it stopped
		s.err = fmt.Errorf("%s: packet %d at offset %d: %w", displayPath(s.Path), s.Num+1, s.start, err)
		s.Summary.Error = s.err.Error()
		return
	}
	if errors.Is(err, io.EOF) {
		s.err = io.EOF
		if s.ng != nil && s.Summary.Packets > 0 && !s.anySupportedLink() {
			s.err = fmt.Errorf("%s: %w %s", displayPath(s.Path), ErrUnsupportedLink, strings.Join(s.Summary.LinkTypes, ", "))
			s.Summary.Error = s.err.Error()
		}
		return
	}
	where := fmt.Sprintf("packet %d at offset %d", s.Num+1, s.start)
	if strings.HasSuffix(s.Format, ".gz") || strings.HasSuffix(s.Format, ".zst") {
		where += " (decompressed)"
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%s: %w", where, ErrTruncated)
		s.Summary.Truncated = true
	case errors.Is(err, ErrCorruptPacket), errors.Is(err, ErrTruncated):
		err = fmt.Errorf("%s: %w", where, err)
		s.Summary.Truncated = true
	default:
		err = fmt.Errorf("%s: %w: %s", where, ErrCorruptPacket, lowerFirst(err.Error()))
		s.Summary.Truncated = true
	}
	s.err = fmt.Errorf("%s: %w", displayPath(s.Path), err)
	s.Summary.Error = s.err.Error()
}

func (s *Source) anySupportedLink() bool {
	for lt := range s.linkSet {
		if lt.Supported() {
			return true
		}
	}
	return false
}

// Err returns the error that stopped reading, nil at a clean end of file.
func (s *Source) Err() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// Close releases the file.
func (s *Source) Close() error {
	if s.inflater != nil {
		s.inflater.Close()
		s.inflater = nil
	}
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s // an acronym
	}
	return string(s[0]+'a'-'A') + s[1:]
}
