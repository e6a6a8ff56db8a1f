// Package live connects the analyzer to network interfaces through libpcap:
// Capture feeds an interface's packets into an analyzer.Engine as they
// arrive, and Transmitter sends packets onto an interface (replay
// --out-iface). Both need cgo; a build without it (CGO_ENABLED=0) has only
// the options, errors and interface listing, so that the command line can
// say ErrNoLibpcap instead of failing to build.
package live

import (
	"errors"
	"fmt"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// DefaultSnaplen is tcpdump's default snapshot length: whole packets.
const DefaultSnaplen = 262144

// DefaultBufferSize is the kernel buffer a capture asks for: four times
// libpcap's 2 MiB, room for tens of thousands of small packets while the
// analysis catches up with a burst.
const DefaultBufferSize = 8 << 20

// readTimeout bounds how long a read waits for a packet, so a cancelled
// context or an elapsed --duration is noticed within this on an idle link;
// it is also the most a packet waits in the kernel buffer (see activate).
const readTimeout = 100 * time.Millisecond

// checkEvery is how many packets pass between context checks and progress
// reports on a busy link (an idle one checks at every read timeout).
const checkEvery = 1024

// writeBufferSize buffers --write: pcapgo makes two writes per packet.
const writeBufferSize = 256 << 10

// CaptureOptions are what a capture is asked to do. The zero value
// captures whole packets, not promiscuously, until cancelled;
// DefaultCaptureOptions turns promiscuous mode on, as tcpdump does.
type CaptureOptions struct {
	// BPF is a libpcap filter expression (tcpdump syntax); "" takes all.
	BPF string
	// Snaplen is the most bytes kept of each packet; 0 means
	// DefaultSnaplen. Longer packets are analysed as far as they are kept
	// and counted as truncated.
	Snaplen int
	// Promisc also captures traffic not addressed to this host. It is
	// turned off for the "any" pseudo-device, which cannot do it.
	Promisc bool
	// BufferSize is the kernel's capture buffer in bytes; 0 means
	// DefaultBufferSize. Packets arriving while it is full are dropped
	// and counted in Summary.Dropped.
	BufferSize int
	// Count stops the capture after this many packets; 0 is no limit.
	Count uint64
	// Duration stops the capture after this much wall-clock time; 0 is no
	// limit.
	Duration time.Duration
	// Write, when set, also saves the captured packets to this pcap file
	// (nanosecond timestamps, the interface's link type).
	Write string
	// Progress, when set, is told the packets and bytes captured so far,
	// at most every read timeout on an idle link.
	Progress func(packets, bytes uint64)
}

// DefaultCaptureOptions returns the options the capture command starts
// from: whole packets, promiscuous.
func DefaultCaptureOptions() CaptureOptions {
	return CaptureOptions{Snaplen: DefaultSnaplen, Promisc: true}
}

// StopReason says why a capture ended.
type StopReason string

// Why a capture ends. All but StopError are the normal ends of a capture.
const (
	StopCount     StopReason = "count"       // CaptureOptions.Count packets were captured
	StopDuration  StopReason = "duration"    // CaptureOptions.Duration elapsed
	StopCancelled StopReason = "interrupted" // the context was cancelled (Ctrl-C)
	StopClosed    StopReason = "closed"      // the handle was closed
	StopError     StopReason = "error"       // reading or saving failed
)

// Summary is what a capture saw.
type Summary struct {
	// File describes the capture as the report's files do: Path
	// "live:IFACE", Format "live".
	File analyzer.FileSummary
	// libpcap's counters (pcap_stats): packets that passed the filter,
	// packets dropped because the capture buffer was full, and packets the
	// interface or driver dropped.
	Received, Dropped, IfDropped uint64
	Stop                         StopReason
	// Warnings are for the report: drops, a statistics failure.
	Warnings []string
}

// dropWarning says what was lost, or "" when nothing was.
func dropWarning(name string, received, dropped, ifDropped uint64) string {
	if dropped == 0 && ifDropped == 0 {
		return ""
	}
	w := fmt.Sprintf("%s: %d packets dropped by the kernel (capture buffer full)", name, dropped)
	if ifDropped > 0 {
		w += fmt.Sprintf(" and %d by the interface", ifDropped)
	}
	return w + fmt.Sprintf(" of %d received; detections may be undercounted", received)
}

// ErrNoLibpcap: this binary was built without cgo (CGO_ENABLED=0), and
// capturing and sending go through libpcap, which needs it. Batch analysis
// of files does not.
var ErrNoLibpcap = errors.New("built without libpcap (CGO_ENABLED=0): live capture and replay --out-iface need a build with cgo and libpcap-dev")
