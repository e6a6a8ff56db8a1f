package analyzer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// ErrInterrupted marks a source whose open or read was cut short by the
// run's context (Ctrl-C, SIGTERM): the run's own error says it stopped, so
// the source's is no input error.
var ErrInterrupted = errors.New("interrupted")

func interrupted(ctx context.Context, err error) error {
	return fmt.Errorf("%w: %w", ErrInterrupted, err)
}

// openInput opens path for reading. A regular file is opened as is: reads
// from it never block for long, and the per-packet path stays as fast as
// it was. Anything else (a FIFO, a character device, a socket) can block
// without end, in open(2) itself for a FIFO with no writer yet, and in
// read(2) on a silent writer; such a file is opened on another goroutine
// and read through interruptible, so that cancelling ctx ends the wait.
// stream is true for those.
func openInput(ctx context.Context, path string) (r io.ReadCloser, stream bool, err error) {
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		// os.Open would succeed and the first read fail with EISDIR,
		// reported as an empty or unreadable capture
		return nil, false, errors.New("is a directory, not a capture file")
	}
	if err != nil || st.Mode().IsRegular() || ctx.Done() == nil {
		f, err := os.Open(path)
		if err != nil {
			return nil, false, unwrapPathError(err)
		}
		return f, st != nil && !st.Mode().IsRegular(), nil
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return nil, true, unwrapPathError(o.err)
		}
		return interruptible(ctx, o.f, true), true, nil
	case <-ctx.Done():
		// the open goes on until a writer comes, if ever; the file it
		// then gives is closed at once
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, true, interrupted(ctx, fmt.Errorf("waiting for a writer: %w", ctx.Err()))
	}
}

// interruptible returns r read so that cancelling ctx ends a read that
// waits, with an error wrapping ErrInterrupted. A file the runtime polls
// (a FIFO or socket on Linux and the BSDs) is unblocked by a read
// deadline; any other reader (standard input, mostly) is read on a
// goroutine of its own, whose read may outlive the run: that goroutine is
// left blocked, and the process exits anyway. Closing the result closes
// r only when owned (standard input is not the source's to close).
func interruptible(ctx context.Context, r io.Reader, owned bool) io.ReadCloser {
	if f, ok := r.(*os.File); ok && f.SetReadDeadline(time.Time{}) == nil {
		stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
		return &deadlineReader{ctx: ctx, f: f, stop: stop, owned: owned}
	}
	a := newAsyncReader(ctx, r)
	if c, ok := r.(io.Closer); ok && owned {
		a.closer = c
	}
	return a
}

type deadlineReader struct {
	ctx   context.Context
	f     *os.File
	stop  func() bool
	owned bool
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	n, err := d.f.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && d.ctx.Err() != nil {
		err = interrupted(d.ctx, d.ctx.Err())
	}
	return n, err
}

func (d *deadlineReader) Close() error {
	d.stop()
	if !d.owned {
		// a later source must not find standard input timed out
		return d.f.SetReadDeadline(time.Time{})
	}
	return d.f.Close()
}

// asyncChunk is what one read on the reading goroutine returned.
type asyncChunk struct {
	buf []byte // the whole buffer, given back through free once used
	n   int
	err error
}

// asyncReader reads r on a goroutine into two buffers taken in turn, so
// a read waiting there does not hold up the run once ctx is cancelled.
type asyncReader struct {
	ctx    context.Context
	chunks chan asyncChunk
	free   chan []byte
	done   chan struct{}
	held   []byte // the buffer cur is in
	cur    []byte
	err    error
	closer io.Closer
}

const asyncBufferSize = 64 << 10

func newAsyncReader(ctx context.Context, r io.Reader) *asyncReader {
	a := &asyncReader{
		ctx:    ctx,
		chunks: make(chan asyncChunk),
		free:   make(chan []byte, 2),
		done:   make(chan struct{}),
	}
	a.free <- make([]byte, asyncBufferSize)
	a.free <- make([]byte, asyncBufferSize)
	go a.loop(r)
	return a
}

func (a *asyncReader) loop(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		case <-a.ctx.Done():
			return
		}
		n, err := r.Read(buf)
		select {
		case a.chunks <- asyncChunk{buf: buf, n: n, err: err}:
		case <-a.done:
			return
		case <-a.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.held != nil {
			a.free <- a.held // never blocks: at most two buffers exist
			a.held = nil
		}
		select {
		case c := <-a.chunks:
			a.held, a.cur, a.err = c.buf, c.buf[:c.n], c.err
		case <-a.ctx.Done():
			a.err = interrupted(a.ctx, a.ctx.Err())
			return 0, a.err
		}
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the reading goroutine once its read returns, and closes the
// underlying reader when it is one to close (a file opened here; standard
// input is not given as one).
func (a *asyncReader) Close() error {
	select {
	case <-a.done:
		return nil
	default:
	}
	close(a.done)
	if a.closer != nil {
		return a.closer.Close()
	}
	return nil
}
