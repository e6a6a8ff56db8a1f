package detectors

import (
	"fmt"
	"strings"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Config holds every built-in detector's parameters; the JSON keys are the
// sections of a config file and the prefixes of --set.
type Config struct {
	SynFlood   SynFloodConfig   `json:"syn_flood"`
	PortScan   PortScanConfig   `json:"port_scan"`
	ARP        ARPConfig        `json:"arp_poisoning"`
	BruteForce BruteForceConfig `json:"brute_force"`
}

// DefaultConfig returns each detector's documented defaults.
func DefaultConfig() Config {
	return Config{
		SynFlood:   DefaultSynFloodConfig(),
		PortScan:   DefaultPortScanConfig(),
		ARP:        DefaultARPConfig(),
		BruteForce: DefaultBruteForceConfig(),
	}
}

// Validate checks every registered detector's section, naming the section
// in errors.
func (c Config) Validate() error {
	for _, r := range Registered() {
		if r.Validate == nil {
			continue
		}
		if err := r.Validate(c); err != nil {
			// errors.Join puts one problem a line; a config error is one line
			return fmt.Errorf("%s: %s", r.Section, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	return nil
}

// Build returns the registered detectors in the order the analyzer runs
// them: by SID, so a detector's place never depends on file names.
func (c Config) Build() []packet.Detector {
	regs := Registered()
	out := make([]packet.Detector, len(regs))
	for i, r := range regs {
		out[i] = r.New(c)
	}
	return out
}
