package live

import (
	"encoding/binary"
	"io"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// resolveLink picks the link type whose low 8 bits are truncated: an exact
// match first, then one of candidates (the handle's link types), then, as
// Source does for pcapng, LINUX_SLL2 for 20, a number no link type has.
func resolveLink(truncated uint8, candidates []int) analyzer.LinkType {
	match := -1
	for _, v := range candidates {
		if v == int(truncated) {
			return analyzer.LinkType(v)
		}
		if v&0xff == int(truncated) && match < 0 {
			match = v
		}
	}
	if match >= 0 {
		return analyzer.LinkType(match)
	}
	if analyzer.LinkType(truncated) == analyzer.LinkLinuxSLL2&0xff {
		return analyzer.LinkLinuxSLL2
	}
	return analyzer.LinkType(truncated)
}

// fileLinkType maps a DLT_ number to the LINKTYPE_ number a file carries.
// They differ only for raw IP, which Linux and some BSDs number 12 or 14.
func fileLinkType(dlt analyzer.LinkType) analyzer.LinkType {
	switch dlt {
	case analyzer.LinkRaw12, analyzer.LinkRaw14:
		return analyzer.LinkRaw
	}
	return dlt
}

// nanoMagic starts a pcap file with nanosecond timestamps.
const nanoMagic = 0xa1b23c4d

// writeFileHeader writes a pcap file header for records written with
// pcapgo.NewWriterNanos. It is written here, not by pcapgo, because
// pcapgo's WriteFileHeader takes an 8-bit link type and would record
// LINUX_SLL2 (276) as 20.
func writeFileHeader(w io.Writer, snaplen uint32, link analyzer.LinkType) error {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:4], nanoMagic)
	binary.LittleEndian.PutUint16(h[4:6], 2) // version 2.4
	binary.LittleEndian.PutUint16(h[6:8], 4)
	// bytes 8:16: time zone and accuracy, both 0
	binary.LittleEndian.PutUint32(h[16:20], snaplen)
	binary.LittleEndian.PutUint32(h[20:24], uint32(fileLinkType(link)))
	_, err := w.Write(h[:])
	return err
}
