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

// Validate checks every section, naming the section in errors.
func (c Config) Validate() error {
	checks := []struct {
		section string
		err     error
	}{
		{"syn_flood", c.SynFlood.Validate()},
		{"port_scan", c.PortScan.Validate()},
		{"arp_poisoning", c.ARP.Validate()},
		{"brute_force", c.BruteForce.Validate()},
	}
	for _, ch := range checks {
		if ch.err != nil {
			// errors.Join puts one problem a line; a config error is one line
			return fmt.Errorf("%s: %s", ch.section, strings.ReplaceAll(ch.err.Error(), "\n", "; "))
		}
	}
	return nil
}

// Build returns the detectors in the fixed order the analyzer runs them.
func (c Config) Build() []packet.Detector {
	return []packet.Detector{
		NewSynFlood(c.SynFlood),
		NewPortScan(c.PortScan),
		NewARPSpoof(c.ARP),
		NewBruteForce(c.BruteForce),
	}
}
