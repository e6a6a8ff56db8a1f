package analyzer

import (
	"context"
	"os"
	"testing"
)

// TestReread reads captures again in the analysis' order: every packet
// once, merged by time across files, numbered as the analysis numbered
// them, with the files' timestamp resolution.
func TestReread(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		nano  bool
	}{
		{"two files merged", []string{"../pcaps/scan-part1.pcap", "../pcaps/scan-part2.pcap"}, false},
		{"pcapng in nanoseconds", []string{"../pcaps/mixed.pcapng"}, true},
		{"nanosecond pcap", []string{"../../shared/corpus/formats/tcpdump/tcp-handshake-nano.pcap"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range tc.files {
				if _, err := os.Stat(f); err != nil {
					t.Skipf("%s missing (the shared corpus, see /work/shared/corpus/SOURCES.md): %v", f, err)
				}
			}
			cfg, err := DefaultConfig()
			if err != nil {
				t.Fatal(err)
			}
			res, err := Analyze(context.Background(), tc.files, cfg, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var n uint64
			var last int64
			perFile := map[uint32]uint64{}
			err = Reread(context.Background(), tc.files, nil, 0, "", func(p *RereadPacket) {
				n++
				if p.Time < last {
					t.Fatalf("packet %d at %d, before the one read before it (%d)", n, p.Time, last)
				}
				last = p.Time
				perFile[p.Facts.Packet.File]++
				if p.Facts.Packet.Num != perFile[p.Facts.Packet.File] {
					t.Fatalf("packet %d numbered %d in file %d, want %d", n, p.Facts.Packet.Num, p.Facts.Packet.File, perFile[p.Facts.Packet.File])
				}
				if p.Nano != tc.nano {
					t.Fatalf("packet %d: nano %v, want %v", n, p.Nano, tc.nano)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != res.Summary.Packets {
				t.Errorf("read %d packets again, the analysis %d", n, res.Summary.Packets)
			}
		})
	}
}
