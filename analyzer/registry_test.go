package analyzer

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
)

// toyKnockSID is a signature no pack has: the engine names it itself.
const toyKnockSID uint32 = 9000099

// toyKnock is the toy detector docs/adding-a-detector.md walks through:
// it fires on every SYN to port 31337, a backdoor's classic "knock".
type toyKnock struct{}

func (toyKnock) Name() string              { return "knock" }
func (toyKnock) Evicted() uint64           { return 0 }
func (toyKnock) Expire(int64, packet.Emit) {}
func (toyKnock) Observe(f *packet.Facts, emit packet.Emit) {
	if f.IsTCP() && f.DstPort == 31337 && f.ConnEvent == packet.ConnOpened {
		emit(packet.Event{SID: toyKnockSID, Time: f.Time, Attacker: f.Src, Victim: f.Dst, VictimPort: f.DstPort,
			Proto: f.Proto, FirstTime: f.Time, LastTime: f.Time, First: f.Packet, Last: f.Packet, Count: 1,
			Kind: "knock", Detail: "SYN to the backdoor port"})
	}
}

// registerToy registers the toy the way a built-in detector registers
// itself, with the given profile, until the test ends.
func registerToy(t *testing.T, p detectors.Profile) {
	detectors.Register(detectors.Registration{SID: toyKnockSID, Section: "knock", Profile: p,
		New: func(detectors.Config) packet.Detector { return toyKnock{} }})
	t.Cleanup(func() { detectors.Unregister(toyKnockSID) })
}

// A detector registered with one line runs in the engine, blocks its
// attacker, and the false-positive verdicts and what-if warnings follow
// its profile, with no edit anywhere else.
func TestRegisteredDetectorRunsEverywhere(t *testing.T) {
	registerToy(t, detectors.Profile{Kinds: map[string]detectors.Behaviour{
		"knock": {Evidence: detectors.EvidenceFlood}, // as alarming as a flood: never benign
	}})
	if !slices.ContainsFunc(detectors.DefaultConfig().Build(), func(d packet.Detector) bool { return d.Name() == "knock" }) {
		t.Fatal("Build does not include the registered detector")
	}
	c := &e2eCapture{tb: t}
	knocker := e2eNewHost("02:00:00:00:00:31", "192.168.7.31")
	c.open(time.Second, knocker, e2eSSH, 40000, 31337)
	path := filepath.Join(t.TempDir(), "knock.pcap")
	c.write(path)
	res, _ := e2eAnalyzeFile(t, path, nil)

	if len(res.Alerts) != 1 || res.Alerts[0].SID != toyKnockSID || res.Alerts[0].Kind != "knock" {
		t.Fatalf("alerts %+v, want the toy's one knock", res.Alerts)
	}
	if a := res.Alerts[0]; a.Name != fmt.Sprintf("signature %d", toyKnockSID) || !a.Blocked {
		t.Errorf("alert %+v: want the engine's name for an unknown signature, and a block", a)
	}
	if len(res.Blocks) != 1 || fmt.Sprint(res.Blocks[0].Host) != knocker.ip.String() {
		t.Errorf("blocks %+v, want %s blocked", res.Blocks, knocker.ip)
	}
	// the profile says a knock is flood evidence: never excused
	if len(res.FalsePositives) != 0 || len(res.Investigate) != 1 || !strings.Contains(res.Investigate[0].Reason, "floods") {
		t.Errorf("verdicts %+v / %+v, want the knocker to investigate as a host that floods", res.FalsePositives, res.Investigate)
	}
	if bad, _ := outsideProfile(VerdictScanner, []uint32{toyKnockSID}); len(bad) != 1 {
		t.Errorf("what-if: a scanner verdict explains the toy's alerts, its profile says nothing benign does")
	}
}

// The same detector declared as something scanners cause is excused for a
// scanner and explained by its verdict in what-if.
func TestRegisteredDetectorProfileDecides(t *testing.T) {
	registerToy(t, detectors.Profile{Default: detectors.Behaviour{Evidence: detectors.EvidenceSweep, Benign: detectors.CauseScanner}})
	if bad, _ := outsideProfile(VerdictScanner, []uint32{toyKnockSID, detectors.SIDSynFlood}); !slices.Equal(bad, []uint32{detectors.SIDSynFlood}) {
		t.Errorf("outside a scanner's profile: %v, want only the SYN flood", bad)
	}
	if bad, _ := outsideProfile(VerdictGuestVM, []uint32{toyKnockSID}); len(bad) != 1 {
		t.Errorf("a guest VM explains the toy's sweeps: %v", bad)
	}
	p := gatherProfile(&hostFacts{evs: []*packet.Event{{SID: toyKnockSID, Kind: "knock", Count: 40}}, sids: map[uint32]uint64{}}, nil)
	if p.sweeps["knock"] != 1 || p.maxSweep != 40 || len(p.rules) != 0 {
		t.Errorf("profile %+v: the toy's alert should count as a 40-host sweep", p)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a second registration of a built-in SID did not panic")
		}
	}()
	detectors.Register(detectors.Registration{SID: detectors.SIDPortScan, New: func(detectors.Config) packet.Detector { return toyKnock{} }})
}
