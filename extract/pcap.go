package extract

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// snaplen is the file header's snap length: libpcap's largest, as the
// records are copied whole from captures that may hold frames that long.
const snaplen = 262144

// pcapWriter writes one classic pcap: in nanoseconds when its source
// kept them, else in microseconds, as the source did.
type pcapWriter struct {
	w      *pcapgo.Writer
	out    io.Writer
	link   analyzer.LinkType
	nano   bool
	header bool
}

func newPcapWriter(out io.Writer, link analyzer.LinkType, nano bool) *pcapWriter {
	w := pcapgo.NewWriter(out)
	if nano {
		w = pcapgo.NewWriterNanos(out)
	}
	return &pcapWriter{w: w, out: out, link: link, nano: nano}
}

// writeHeader writes the file header. pcapgo takes the link type as a
// byte (gopacket's layers.LinkType), so a larger one (LINUX_SLL2, 276)
// gets the same 24 bytes written here.
func (p *pcapWriter) writeHeader() error {
	if p.link <= 0xff {
		return p.w.WriteFileHeader(snaplen, layers.LinkType(p.link))
	}
	var h [24]byte
	magic := uint32(0xa1b2c3d4)
	if p.nano {
		magic = 0xa1b23c4d
	}
	binary.LittleEndian.PutUint32(h[0:4], magic)
	binary.LittleEndian.PutUint16(h[4:6], 2)
	binary.LittleEndian.PutUint16(h[6:8], 4)
	binary.LittleEndian.PutUint32(h[16:20], snaplen)
	binary.LittleEndian.PutUint32(h[20:24], uint32(p.link))
	_, err := p.out.Write(h[:])
	return err
}

func (p *pcapWriter) write(r record) error {
	if !p.header {
		if err := p.writeHeader(); err != nil {
			return err
		}
		p.header = true
	}
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, r.t).UTC(), CaptureLength: len(r.data), Length: r.length}
	return p.w.WritePacket(ci, r.data)
}
