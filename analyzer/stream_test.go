package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/signatures"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// A content split across two TCP segments matches once, on the segment
// that completes it; a retransmitted or out-of-order segment does not make
// bytes adjacent that never were.
func TestRuleMatchesAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "split.rules")
	os.WriteFile(rulesFile, []byte(`alert tcp any any -> any 80 (msg:"split marker"; flow:established,to_server; content:"ATTACK-MARKER-1234"; sid:1; rev:1;)
`), 0o644)
	set, err := signatures.LoadSet(signatures.SetOptions{NoDefault: true, RuleFiles: []string{rulesFile}, Vars: rules.DefaultVars()})
	if err != nil {
		t.Fatal(err)
	}
	web := e2eNewHost("a0:36:9f:22:16:80", "192.168.1.80")
	cli := e2eNewHost("3c:97:0e:11:22:33", "192.168.1.50")
	c := &e2eCapture{tb: t}
	conn, _ := c.open(time.Second, cli, web, 40000, 80)
	conn.send(2*time.Second, true, []byte("GET / HTTP/1.1\r\nX-Data: ATTACK-MAR"))
	want := conn.send(3*time.Second, true, []byte("KER-1234\r\n\r\n"))
	// a second connection where the halves never meet: a lost segment
	other, _ := c.open(4*time.Second, cli, web, 40001, 80)
	other.send(5*time.Second, true, []byte("GET / HTTP/1.1\r\nX-Data: ATTACK-MAR"))
	other.cseq += 100 // 100 bytes lost
	other.send(6*time.Second, true, []byte("KER-1234\r\n\r\n"))
	path := filepath.Join(dir, "split.pcap")
	c.write(path)

	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Signatures, cfg.NoBuiltins, cfg.Autoblock = set, true, 0
	res, err := Analyze(context.Background(), []string{path}, cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 1 {
		t.Fatalf("%d alerts, want 1 (the split content, not across the gap): %+v", len(res.Alerts), res.Alerts)
	}
	if a := res.Alerts[0]; a.SID != 1 || a.FirstPacket.Packet != want {
		t.Errorf("alert sid %d at packet %d, want sid 1 at packet %d", a.SID, a.FirstPacket.Packet, want)
	}
}
