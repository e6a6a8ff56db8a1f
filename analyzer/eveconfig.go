package analyzer

import (
	"fmt"
	"strings"
)

// EVEConfig is what `--format eve` writes besides alerts, as Suricata's
// eve-log output is configured (suricata.yaml outputs.eve-log). The
// engine does not read it; the EVE writer does.
type EVEConfig struct {
	// Types are the record types written, separated by commas or spaces
	// (--set splits its values at commas: --set "eve.types=alert flow"), of "alert"
	// (alerts and ipsreplay's own block, false-positive and investigate
	// records), "flow" (one record per TCP and UDP flow as it ends) and
	// "stats" (one record at the end of the run): Suricata's eve-log
	// types of the same names. Default "alert", as before; flow records
	// add a line per flow (a capture of many short flows grows several
	// times over).
	Types string `json:"types"`
	// CommunityID adds the Community ID flow hash (community_id) to alert
	// and flow records of TCP and UDP flows, as Suricata's
	// community-id: yes. Default false, as there.
	CommunityID bool `json:"community_id"`
	// CommunityIDSeed seeds the hash, 0 to 65535; tools comparing IDs
	// must use the same. Suricata's community-id-seed, default 0.
	CommunityIDSeed int `json:"community_id_seed"`
}

// eveTypes are the record types EVEConfig.Types may name.
var eveTypes = []string{"alert", "flow", "stats"}

// DefaultEVEConfig returns the defaults documented on EVEConfig.
func DefaultEVEConfig() EVEConfig { return EVEConfig{Types: "alert"} }

// Has reports whether Types names typ.
func (c EVEConfig) Has(typ string) bool {
	for _, t := range c.types() {
		if t == typ {
			return true
		}
	}
	return false
}

// types splits Types at commas and spaces.
func (c EVEConfig) types() []string {
	return strings.FieldsFunc(c.Types, func(r rune) bool { return r == ',' || r == ' ' })
}

// Validate checks the types and the seed.
func (c EVEConfig) Validate() error {
	if len(c.types()) == 0 {
		return fmt.Errorf("types %q: name at least one of %s", c.Types, strings.Join(eveTypes, ", "))
	}
	for _, t := range c.types() {
		known := false
		for _, k := range eveTypes {
			known = known || t == k
		}
		if !known {
			return fmt.Errorf("types %q: unknown type %q; known: %s", c.Types, t, strings.Join(eveTypes, ", "))
		}
	}
	if c.CommunityIDSeed < 0 || c.CommunityIDSeed > 65535 {
		return fmt.Errorf("community_id_seed %d: want 0 to 65535", c.CommunityIDSeed)
	}
	return nil
}
