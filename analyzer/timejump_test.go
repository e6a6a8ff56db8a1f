package analyzer

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// scanThenMore is a vertical port scan (a block) and, two minutes on,
// more SYNs from the attacker that the block drops; extra records are
// inserted by index (0-based, before the record there) at the given time.
func scanThenMore(t *testing.T, extra map[int]time.Duration) string {
	t.Helper()
	c := &e2eCapture{tb: t}
	att := e2eNewHost("02:00:00:00:00:66", "203.0.113.66")
	for i := range 30 {
		c.tcp(time.Second+time.Duration(i)*e2eMs, att, e2eSSH, 40000, uint16(1000+i), "S", 1, 0, nil)
	}
	for i := range 5 {
		c.tcp(2*time.Minute+time.Duration(i)*time.Second, att, e2eSSH, 40001, 22, "S", 1, 0, nil)
	}
	idx := slices.Sorted(maps.Keys(extra))
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		p := c.pkts[min(i, len(c.pkts)-1)]
		p.at = extra[i]
		c.pkts = slices.Insert(c.pkts, i, p)
	}
	path := filepath.Join(t.TempDir(), "jump.pcap")
	c.write(path)
	return path
}

// TestTimeJumps: one far-future (or far-past) record does not move the
// clock: blocks keep their times and drop what they dropped without it,
// the summary's span is the capture's, and a warning names the record by
// file and packet. A jump the next record confirms moves the clock.
func TestTimeJumps(t *testing.T) {
	far := time.Date(2106, 2, 7, 6, 28, 15, 0, time.UTC).Sub(testEpoch) // 32-bit seconds all ones
	cleanPath := scanThenMore(t, nil)
	clean, _ := e2eAnalyzeFile(t, cleanPath, nil)
	if len(clean.Blocks) != 1 || clean.Blocks[0].DroppedPackets == 0 {
		t.Fatalf("the scan without jumps: blocks %+v, want one dropping the later SYNs", clean.Blocks)
	}
	tests := []struct {
		name       string
		extra      map[int]time.Duration
		warnPacket string // "" for no warning
		sameBlocks bool
	}{
		{"far-future second record", map[int]time.Duration{1: far}, "packet 2:", true},
		{"far-future first record", map[int]time.Duration{0: far}, "packet 1:", true},
		{"far-past record", map[int]time.Duration{3: -40 * 365 * 24 * time.Hour}, "packet 4:", true},
		{"far-future last record", map[int]time.Duration{35: far}, "packet 36:", false},
		{"two days early, one record", map[int]time.Duration{10: -48 * time.Hour}, "packet 11:", true},
		{"within the bound", map[int]time.Duration{10: 23 * time.Hour}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := scanThenMore(t, tt.extra)
			res, _ := e2eAnalyzeFile(t, path, nil)
			var warns []string
			for _, w := range res.Warnings {
				if strings.Contains(w, "max_time_jump") {
					warns = append(warns, w)
				}
			}
			if tt.warnPacket == "" {
				if len(warns) != 0 {
					t.Fatalf("warnings %q, want none", warns)
				}
				return
			}
			if len(warns) != 1 || !strings.Contains(warns[0], "jump.pcap: "+tt.warnPacket) {
				t.Fatalf("warnings %q, want one naming jump.pcap: %s", res.Warnings, tt.warnPacket)
			}
			if res.Summary.LastTime.Year() != testEpoch.Year() || res.Summary.FirstTime.Year() != testEpoch.Year() {
				t.Errorf("summary %s to %s: the record moved the clock", res.Summary.FirstTime, res.Summary.LastTime)
			}
			if tt.sameBlocks {
				if len(res.Blocks) != 1 || res.Blocks[0].DroppedPackets != clean.Blocks[0].DroppedPackets ||
					!res.Blocks[0].FirstBlock.Equal(clean.Blocks[0].FirstBlock.Time) {
					t.Errorf("blocks %+v, want %+v as without the record", res.Blocks, clean.Blocks)
				}
			}
		})
	}
}
