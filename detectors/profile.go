package detectors

// Evidence is what an alert shows about the host that caused it, in the
// terms the false-positive verdicts weigh: a scanner sweeps and probes, a
// guest VM moves ARP bindings, a monitor fails logins on a schedule, and
// nothing benign floods or keeps a session it guessed its way into.
type Evidence uint8

// What alerts show.
const (
	// EvidenceProbe: a rule matched its traffic (an exploit attempt, a
	// scanner's user agent, ...).
	EvidenceProbe Evidence = iota
	// EvidenceVerticalScan: many ports of one host.
	EvidenceVerticalScan
	// EvidenceSweep: one port, or host discovery, across many hosts.
	EvidenceSweep
	// EvidenceFlood: more connection attempts than a service can take.
	EvidenceFlood
	// EvidenceFailedLogins: repeated failed logins to one service.
	EvidenceFailedLogins
	// EvidenceLogin: a session kept after guessing was reported.
	EvidenceLogin
	// EvidenceARP: an address's ARP binding claimed or changed.
	EvidenceARP
)

// Cause is a benign explanation the false-positive verdicts know, as a bit
// set: an alert kind may have several.
type Cause uint8

// Benign explanations.
const (
	// CauseScanner: an internal vulnerability scanner.
	CauseScanner Cause = 1 << iota
	// CauseGuestVM: a guest VM re-created, migrated or bridged on the LAN.
	CauseGuestVM
	// CauseMonitoring: a monitoring system's scheduled health checks.
	CauseMonitoring
)

// Behaviour is what alerts of one kind show and which benign hosts cause
// them.
type Behaviour struct {
	Evidence Evidence
	Benign   Cause // zero: nothing benign causes it
}

// Profile is a detector's false-positive profile: the behaviour of each of
// its alert kinds.
type Profile struct {
	Default Behaviour            // kinds Kinds does not name
	Kinds   map[string]Behaviour // by packet.Event.Kind
}

// Of returns the behaviour of alerts of kind.
func (p Profile) Of(kind string) Behaviour {
	if b, ok := p.Kinds[kind]; ok {
		return b
	}
	return p.Default
}

// Benign is every cause of any of the detector's alerts: what a verdict
// can explain of a signature when only its id is known.
func (p Profile) Benign() Cause {
	c := p.Default.Benign
	for _, b := range p.Kinds {
		c |= b.Benign
	}
	return c
}

// RuleProfile is the profile of signature-pack rules: probes that
// vulnerability scanners send as a matter of course.
var RuleProfile = Profile{Default: Behaviour{Evidence: EvidenceProbe, Benign: CauseScanner}}
