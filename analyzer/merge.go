package analyzer

import (
	"container/heap"
	"context"
	"fmt"
	"io"
)

// maxOpenCaptures bounds the capture files a run holds open while merging
// them into one timeline. Each open file costs a file descriptor, its read
// buffer and, for .gz, a decompressor (about 100 KiB in all); a directory
// of 25,000 captures once ran out of descriptors with every file open.
// Higher: fewer reopenings when many files overlap in time; lower: less
// memory. 64 keeps a run far below the usual 1,024-descriptor limit.
// RunOptions.MaxOpenFiles overrides it.
//
// A file closed early is reopened at its next record: an uncompressed pcap
// by seeking, a .gz or pcapng by reading it again from the start, which
// grows with the square of the file when more than this many compressed
// files overlap in time (raise the bound, or decompress them, then).
const maxOpenCaptures = 64

// cursor is one capture file in the merge. While open it reads through
// src; closed, it keeps only where its next record is and the summary so
// far (a few hundred bytes), so thousands of files cost little.
type cursor struct {
	path   string
	index  uint32
	src    *Source // nil while closed
	pinned bool    // standard input, a FIFO: cannot be reopened, so never closed early

	// the head record, the next to merge: its time orders the heap, and
	// num and offset find it again after the file was closed
	time   int64
	num    uint64
	offset int64
	length int // its wire length, taken off the summary if never merged

	sum   FileSummary // while closed: the summary so far
	links map[LinkType]bool
	done  int64 // bytes read, for progress
	err   error // what stopped the file, nil at a clean end
}

// merger yields the records of many captures in timestamp order (ties to
// the file given first), exactly as if all were open, with at most maxOpen
// open: when a closed file's head record is next, the open file whose head
// is furthest in the future is closed (it is needed last), and the file
// reopened at its head, by seeking in an uncompressed pcap and by reading
// up to it otherwise.
type merger struct {
	ctx     context.Context // checked while a file is read again
	maxOpen int
	openFn  func(path string, index uint32) (*Source, error)

	all    []*cursor  // every file that opened, by index
	heap   cursorHeap // files with a head record
	opened []*cursor  // the files open now, at most maxOpen
	// filter, when set, leaves out the packets it refuses (--bpf)
	filter *captureFilter
}

// add opens a file and reads its first record. It returns the open error;
// a read error is the cursor's, reported with the others at the end.
func (m *merger) add(path string, index uint32) error {
	if len(m.opened) >= m.maxOpen {
		m.closeOne()
	}
	s, err := m.openFn(path, index)
	if err != nil {
		return err
	}
	c := &cursor{path: path, index: index, src: s, pinned: s.stream}
	m.all = append(m.all, c)
	m.opened = append(m.opened, c)
	if !m.advance(c) {
		return nil
	}
	heap.Push(&m.heap, c)
	return nil
}

// next returns the source holding the earliest record, reopening its file
// if needed; nil when every file is done.
func (m *merger) next() *Source {
	for len(m.heap) > 0 {
		c := m.heap[0]
		if c.src != nil || m.resume(c) {
			if m.filter != nil && !m.filter.keep(c.src.Link, c.src.Data) {
				m.step()
				continue
			}
			return c.src
		}
		heap.Pop(&m.heap)
	}
	return nil
}

// streaming reports whether an input is read as it arrives (standard
// input, a FIFO): reading ahead would hold its packets back until more
// came.
func (m *merger) streaming() bool {
	for _, c := range m.all {
		if c.pinned {
			return true
		}
	}
	return false
}

// step moves past the record next returned.
func (m *merger) step() {
	c := m.heap[0]
	if m.advance(c) {
		if len(m.heap) > 1 { // one file: nothing to reorder
			heap.Fix(&m.heap, 0)
		}
	} else {
		heap.Pop(&m.heap)
	}
}

// advance reads c's next record; at the end of the file it closes it and
// returns false.
func (m *merger) advance(c *cursor) bool {
	s := c.src
	if s.Next() {
		c.time, c.num, c.offset, c.length = s.Time, s.Num, s.start, s.Length
		return true
	}
	c.err = s.Err()
	m.release(c)
	return false
}

// release closes c's file, keeping its summary and position.
func (m *merger) release(c *cursor) {
	s := c.src
	c.sum, c.links = s.Summary, s.linkSet
	c.done = max(c.done, s.counter.n)
	s.Close()
	c.src = nil
	for i, o := range m.opened {
		if o == c {
			m.opened = append(m.opened[:i], m.opened[i+1:]...)
			break
		}
	}
}

// closeOne closes the open file whose head record comes last, as it is
// needed last; an uncompressed pcap first, since reopening it is a seek
// while a compressed file or a pcapng is read again up to its head.
func (m *merger) closeOne() {
	var last, lastSeekable *cursor
	for _, c := range m.opened {
		if c.pinned {
			continue
		}
		if last == nil || cursorLess(last, c) {
			last = c
		}
		if c.src.seekable() && (lastSeekable == nil || cursorLess(lastSeekable, c)) {
			lastSeekable = c
		}
	}
	if lastSeekable != nil {
		last = lastSeekable
	}
	if last != nil {
		m.release(last)
	}
}

// resume reopens c at its head record. A file that cannot be reopened or
// no longer has that record there (it changed during the run) ends with an
// error naming it.
func (m *merger) resume(c *cursor) bool {
	if len(m.opened) >= m.maxOpen {
		m.closeOne()
	}
	// the head record, read before the file was closed, is not analysed
	c.sum.Packets--
	c.sum.Bytes -= uint64(c.length)
	s, err := m.openFn(c.path, c.index)
	if err != nil {
		c.err = fmt.Errorf("reopening: %w", err)
		c.sum.Error = c.err.Error()
		return false
	}
	if !s.seekRecord(c.offset, c.num-1) {
		for s.Num+1 < c.num && s.Next() {
			// reading a large compressed file again can take a while
			if s.Num%progressEvery == 0 && m.ctx != nil && m.ctx.Err() != nil {
				s.Close()
				return false // the run's own error says it stopped
			}
		}
	}
	if s.Num+1 != c.num || !s.Next() || s.Time != c.time {
		s.Close()
		c.err = fmt.Errorf("%s: packet %d at offset %d: %w: the file changed while the run read it",
			displayPath(c.path), c.num, c.offset, ErrCorruptPacket)
		c.sum.Error, c.sum.Truncated = c.err.Error(), true
		return false
	}
	// the records read again were counted already, the head now again
	c.sum.Packets++
	c.sum.Bytes += uint64(c.length)
	s.restore(c.sum, c.links)
	c.src = s
	m.opened = append(m.opened, c)
	return true
}

// seekRecord positions an uncompressed classic pcap so that the next
// record read is number num+1, found at offset; false where the format
// cannot seek (gzip, pcapng, a pipe), and the caller reads up to it.
func (s *Source) seekRecord(offset int64, num uint64) bool {
	if !s.seekable() {
		return false
	}
	if _, err := s.counter.r.(io.Seeker).Seek(offset, io.SeekStart); err != nil {
		return false
	}
	s.counter.n = offset
	s.buf.Reset(s.counter)
	s.records.Reset()
	s.Num = num
	return true
}

// seekable reports whether seekRecord can reposition s: an uncompressed
// classic pcap in a file (counter.r is the file itself unless compressed).
func (s *Source) seekable() bool {
	_, ok := s.counter.r.(io.Seeker)
	return ok && s.Format == "pcap" && s.ng == nil && !s.stream
}

// bytesRead is how far the files have been read, for progress.
func (m *merger) bytesRead() int64 {
	var n int64
	for _, c := range m.all {
		d := c.done
		if c.src != nil {
			d = max(d, c.src.counter.n)
		}
		n += d
	}
	return n
}

// finish closes what is still open (a run stopped early), so every
// cursor holds its file's summary.
func (m *merger) finish() {
	for len(m.opened) > 0 {
		m.release(m.opened[0])
	}
}

func cursorLess(a, b *cursor) bool {
	if a.time != b.time {
		return a.time < b.time
	}
	return a.index < b.index
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(i, j int) bool { return cursorLess(h[i], h[j]) }
func (h cursorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
