//go:build cgo

package live

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcap"
	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/packet"
)

// Capture is an open capture on one interface.
type Capture struct {
	iface  string
	name   string // "live:IFACE"
	opts   CaptureOptions
	handle *pcap.Handle
	link   analyzer.LinkType

	file *os.File
	buf  *bufio.Writer
	w    *pcapgo.Writer

	num, bytes  uint64
	first, last time.Time
	ran         bool
}

// Open starts capturing on iface. Packets are buffered by the kernel from
// here on; Run reads them. Errors are one line each and say what to do:
// a missing interface lists the ones there are, missing privileges say
// which are needed, a bad filter quotes it with libpcap's complaint.
func Open(iface string, opts CaptureOptions) (*Capture, error) {
	if opts.Snaplen <= 0 {
		opts.Snaplen = DefaultSnaplen
	}
	if opts.BufferSize <= 0 {
		opts.BufferSize = DefaultBufferSize
	}
	if opts.Duration < 0 {
		return nil, fmt.Errorf("capture on %s: duration %s must not be negative", iface, opts.Duration)
	}
	if err := checkInterface("capture", iface, true); err != nil {
		return nil, err
	}
	promisc := opts.Promisc && iface != "any"
	h, err := activate(iface, opts.Snaplen, promisc, opts.BufferSize)
	if err != nil && promisc && err.Error() == "Cannot set as promisc" {
		h, err = activate(iface, opts.Snaplen, false, opts.BufferSize)
	}
	if err != nil {
		return nil, openError("capture", iface, err)
	}
	c := &Capture{iface: iface, name: "live:" + iface, opts: opts, handle: h}
	if opts.BPF != "" {
		if err := h.SetBPFFilter(opts.BPF); err != nil {
			h.Close()
			return nil, &FilterError{Expr: opts.BPF, Msg: lowerFirst(err.Error())}
		}
	}
	c.link = handleLink(h)
	if !c.link.Supported() {
		h.Close()
		return nil, fmt.Errorf("capture on %s: %w %s", iface, analyzer.ErrUnsupportedLink, c.link)
	}
	if opts.Write != "" {
		if err := c.create(opts.Write); err != nil {
			h.Close()
			return nil, fmt.Errorf("--write %s: %w", opts.Write, unwrapPathError(err))
		}
	}
	return c, nil
}

// activate opens and activates a handle; bufSize 0 keeps libpcap's.
//
// Not immediate mode: on Linux it makes libpcap use TPACKET_V2, whose ring
// has one fixed slot per packet sized by the snaplen (offloads keep it
// from using the MTU), so 8 MiB hold about 32 packets. Replaying
// portscan.pcap (2065 packets) at full speed over a veth pair lost half
// of them that way, and none with TPACKET_V3, which packs packets into
// blocks and hands a block over when it fills or the read timeout
// passes: events are then at most readTimeout late.
func activate(iface string, snaplen int, promisc bool, bufSize int) (*pcap.Handle, error) {
	in, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, err
	}
	defer in.CleanUp()
	if err := in.SetSnapLen(snaplen); err != nil {
		return nil, err
	}
	if err := in.SetPromisc(promisc); err != nil {
		return nil, err
	}
	if err := in.SetTimeout(readTimeout); err != nil {
		return nil, err
	}
	if bufSize > 0 {
		if err := in.SetBufferSize(bufSize); err != nil {
			return nil, err
		}
	}
	return in.Activate()
}

// create opens the --write file and writes its header. The file is
// written as packets come, as tcpdump -w does, not replaced whole; but a
// file made read-only is refused (root could truncate it anyway).
func (c *Capture) create(path string) error {
	if err := safefile.CheckWritable(path); err != nil {
		return errors.Unwrap(err) // the caller names the path
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	c.file = f
	c.buf = bufio.NewWriterSize(f, writeBufferSize)
	if err := writeFileHeader(c.buf, uint32(c.handle.SnapLen()), c.link); err != nil {
		f.Close()
		c.file = nil
		return err
	}
	c.w = pcapgo.NewWriterNanos(c.buf)
	return nil
}

// Interface is the interface captured on.
func (c *Capture) Interface() string { return c.iface }

// LinkType is the interface's link type, whole (gopacket's is 8 bits).
func (c *Capture) LinkType() analyzer.LinkType { return c.link }

// Snaplen is the snapshot length libpcap applies.
func (c *Capture) Snaplen() int { return c.handle.SnapLen() }

// Run feeds captured packets into e, with their kernel timestamps as
// capture time, until Count packets, Duration, ctx is cancelled, or a read
// fails. It registers the capture with e.AddFile as "live:IFACE" so alerts
// point at packet numbers (which are also those of the --write file). It
// does not call e.Finish. The summary is filled in whatever the error;
// err is nil for the normal ends (StopCount, StopDuration, StopCancelled).
// Run may be called once.
func (c *Capture) Run(ctx context.Context, e *analyzer.Engine) (Summary, error) {
	if c.ran {
		return c.summary(StopError), fmt.Errorf("%s: capture already run", c.name)
	}
	c.ran = true
	idx := e.AddFile(c.name)
	var deadline time.Time
	if c.opts.Duration > 0 {
		deadline = time.Now().Add(c.opts.Duration)
	}
	// stopped checks the clock and the context: at every read timeout, and
	// every checkEvery packets on a busy link.
	stopped := func() StopReason {
		if c.opts.Progress != nil {
			c.opts.Progress(c.num, c.bytes)
		}
		if ctx.Err() != nil {
			return StopCancelled
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return StopDuration
		}
		return ""
	}
	if stop := stopped(); stop != "" {
		return c.finish(stop, nil)
	}
	for {
		data, ci, err := c.handle.ZeroCopyReadPacketData()
		switch {
		case err == nil:
		case errors.Is(err, pcap.NextErrorTimeoutExpired):
			// a quiet link: capture time is wall time, so the clock moves on
			e.Advance(time.Now().UnixNano())
			if err := c.flush(); err != nil {
				return c.finish(StopError, err)
			}
			if stop := stopped(); stop != "" {
				return c.finish(stop, nil)
			}
			continue
		case errors.Is(err, io.EOF):
			return c.finish(StopClosed, nil)
		default:
			return c.finish(StopError, c.readError(err))
		}
		// The kernel stamped the packet when it arrived: one that came in
		// after the deadline is not part of this capture.
		if !deadline.IsZero() && !ci.Timestamp.Before(deadline) {
			return c.finish(StopDuration, nil)
		}
		c.num++
		if c.w != nil {
			if err := c.w.WritePacket(ci, data); err != nil {
				c.num--
				return c.finish(StopError, fmt.Errorf("--write %s: packet %d: %w", c.opts.Write, c.num+1, err))
			}
		}
		e.Packet(c.link, data, analyzer.UnixNano(ci.Timestamp), ci.Length, packet.PacketRef{File: idx, Num: c.num})
		c.count(ci)
		if c.opts.Count > 0 && c.num >= c.opts.Count {
			return c.finish(StopCount, nil)
		}
		if c.num%checkEvery == 0 {
			if stop := stopped(); stop != "" {
				return c.finish(stop, nil)
			}
		}
	}
}

func (c *Capture) count(ci gopacket.CaptureInfo) {
	c.bytes += uint64(ci.Length)
	if c.num == 1 || ci.Timestamp.Before(c.first) {
		c.first = ci.Timestamp
	}
	if ci.Timestamp.After(c.last) {
		c.last = ci.Timestamp
	}
}

func (c *Capture) readError(err error) error {
	msg := err.Error()
	if ne, ok := err.(pcap.NextError); ok && ne == pcap.NextErrorReadError {
		if herr := c.handle.Error(); herr != nil && herr.Error() != "" {
			msg = herr.Error()
		}
	}
	return fmt.Errorf("%s: after packet %d: %s", c.name, c.num, lowerFirst(msg))
}

func (c *Capture) flush() error {
	if c.buf == nil {
		return nil
	}
	if err := c.buf.Flush(); err != nil {
		return fmt.Errorf("--write %s: %w", c.opts.Write, err)
	}
	return nil
}

// finish flushes the --write file, reads libpcap's counters and builds the
// summary.
func (c *Capture) finish(stop StopReason, err error) (Summary, error) {
	if ferr := c.flush(); ferr != nil && err == nil {
		stop, err = StopError, ferr
	}
	if c.opts.Progress != nil {
		c.opts.Progress(c.num, c.bytes)
	}
	s := c.summary(stop)
	if st, serr := c.handle.Stats(); serr != nil {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: no capture statistics: %s", c.name, lowerFirst(serr.Error())))
	} else {
		s.Received, s.Dropped, s.IfDropped = uint64(st.PacketsReceived), uint64(st.PacketsDropped), uint64(st.PacketsIfDropped)
		if w := dropWarning(c.name, s.Received, s.Dropped, s.IfDropped); w != "" {
			s.Warnings = append(s.Warnings, w)
		}
	}
	if err != nil {
		s.File.Error = err.Error()
		s.Warnings = append(s.Warnings, err.Error()+"; packets before it were analysed")
	}
	return s, err
}

func (c *Capture) summary(stop StopReason) Summary {
	s := Summary{Stop: stop}
	s.File = analyzer.FileSummary{
		Path:      c.name,
		Format:    "live",
		LinkTypes: []string{c.link.String()},
		Packets:   c.num,
		Bytes:     c.bytes,
	}
	if c.num > 0 {
		s.File.First, s.File.Last = analyzer.TimeOf(c.first.UTC()), analyzer.TimeOf(c.last.UTC())
	}
	return s
}

// Close stops the capture and closes the --write file. It returns the
// file's error, if any.
func (c *Capture) Close() error {
	c.handle.Close()
	if c.file == nil {
		return nil
	}
	err := c.buf.Flush()
	if cerr := c.file.Close(); err == nil {
		err = cerr
	}
	c.file = nil
	if err != nil {
		return fmt.Errorf("--write %s: %w", c.opts.Write, unwrapPathError(err))
	}
	return nil
}

// handleLink is the handle's link type, whole. gopacket v1.1.19 returns
// pcap_datalink as an 8-bit layers.LinkType, so DLT_LINUX_SLL2 (276)
// arrives as 20; the handle's list of link types has the full numbers.
func handleLink(h *pcap.Handle) analyzer.LinkType {
	var candidates []int
	if dls, err := h.ListDataLinks(); err == nil {
		for _, dl := range dls {
			if v := pcap.DatalinkNameToVal(dl.Name); v >= 0 {
				candidates = append(candidates, v)
			}
		}
	}
	return resolveLink(uint8(h.LinkType()), candidates)
}
