package analyzer

import "github.com/ipsreplay/ipsreplay/packet"

// ReadAndDecode reads and decodes every packet of one capture and does
// nothing else. It is the floor that `make bench` measures analyze against:
// the same reader and decoder, no flow state, detectors or reports.
func ReadAndDecode(path string) (packets, bytes uint64, err error) {
	s, err := OpenSource(path, 0, nil)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	d := newDecoder()
	var f packet.Facts
	for s.Next() {
		f.Time, f.WireLen = s.Time, s.Length
		d.decode(s.Link, s.Data, &f)
		packets++
		bytes += uint64(s.Length)
	}
	return packets, bytes, s.Err()
}
