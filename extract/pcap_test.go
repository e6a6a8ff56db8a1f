package extract

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// TestPcapWriter writes each resolution and a link type above 255,
// which pcapgo's header writer cannot take, and reads them back.
func TestPcapWriter(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 15, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		link analyzer.LinkType
		nano bool
		want time.Time
	}{
		{"ethernet microseconds", analyzer.LinkEthernet, false, at.Truncate(time.Microsecond)},
		{"ethernet nanoseconds", analyzer.LinkEthernet, true, at},
		{"sll2 nanoseconds", analyzer.LinkLinuxSLL2, true, at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := newPcapWriter(&buf, tc.link, tc.nano)
			data := []byte{1, 2, 3, 4}
			if err := w.write(record{t: at.UnixNano(), length: 60, data: data}); err != nil {
				t.Fatal(err)
			}
			if got := analyzer.LinkType(binary.LittleEndian.Uint32(buf.Bytes()[20:24])); got != tc.link {
				t.Errorf("header link type %d, want %d", got, tc.link)
			}
			r, err := pcapgo.NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got, ci, err := r.ReadPacketData()
			if err != nil {
				t.Fatal(err)
			}
			if !ci.Timestamp.Equal(tc.want) || ci.Length != 60 || !bytes.Equal(got, data) {
				t.Errorf("read back %v, length %d, % x; want %v, 60, % x", ci.Timestamp, ci.Length, got, tc.want, data)
			}
		})
	}
}
