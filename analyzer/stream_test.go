package analyzer

import (
	"path/filepath"
	"testing"
	"time"
)

// A content split across two TCP segments matches once, on the segment
// that completes it; a retransmitted or out-of-order segment does not make
// bytes adjacent that never were.
func TestRuleMatchesAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	rulesFile, c, conn := rsWeb(t, dir, `alert tcp any any -> any 80 (msg:"split marker"; flow:established,to_server; content:"ATTACK-MARKER-1234"; sid:1; rev:1;)
`)
	conn.send(2*time.Second, true, []byte("GET / HTTP/1.1\r\nX-Data: ATTACK-MAR"))
	want := conn.send(3*time.Second, true, []byte("KER-1234\r\n\r\n"))
	// a second connection where the halves never meet: a lost segment
	other, _ := c.open(4*time.Second, rsClient, rsServer, 40001, 80)
	other.send(5*time.Second, true, []byte("GET / HTTP/1.1\r\nX-Data: ATTACK-MAR"))
	other.cseq += 100 // 100 bytes lost
	other.send(6*time.Second, true, []byte("KER-1234\r\n\r\n"))
	path := filepath.Join(dir, "split.pcap")
	c.write(path)

	res := rsAnalyze(t, rulesFile, path)
	if len(res.Alerts) != 1 {
		t.Fatalf("%d alerts, want 1 (the split content, not across the gap): %+v", len(res.Alerts), res.Alerts)
	}
	if a := res.Alerts[0]; a.SID != 1 || a.FirstPacket.Packet != want {
		t.Errorf("alert sid %d at packet %d, want sid 1 at packet %d", a.SID, a.FirstPacket.Packet, want)
	}
}
