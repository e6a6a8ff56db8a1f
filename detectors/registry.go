package detectors

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Registration ties a detector to its signature, its config section and
// what benign hosts can make it fire. A detector registers itself with one
// line in its own file's init, so the analyzer, the false-positive verdicts
// and the what-if warnings learn of it without an edit of their own.
type Registration struct {
	SID uint32
	// Section is the detector's config section (its key in Config's JSON
	// and the prefix of --set), named in its validation errors.
	Section string
	// New builds the detector from the run's configuration.
	New func(Config) packet.Detector
	// Validate checks the detector's own section; nil when it has none.
	Validate func(Config) error
	// Profile says which benign hosts cause which of its alerts.
	Profile Profile
}

var registry struct {
	sync.RWMutex
	regs []Registration // by SID: the order the analyzer runs them in
}

// Register adds a detector. A second registration of the same SID is a
// programming error and panics, as a second http.Handle of a pattern does.
func Register(r Registration) {
	if r.SID == 0 || r.New == nil {
		panic("detectors: Register needs a SID and a constructor")
	}
	registry.Lock()
	defer registry.Unlock()
	i, found := slices.BinarySearchFunc(registry.regs, r.SID, func(x Registration, sid uint32) int {
		return cmp.Compare(x.SID, sid)
	})
	if found {
		panic(fmt.Sprintf("detectors: SID %d registered twice", r.SID))
	}
	registry.regs = slices.Insert(registry.regs, i, r)
}

// Unregister removes the detector of sid, for tests that register one of
// their own.
func Unregister(sid uint32) {
	registry.Lock()
	defer registry.Unlock()
	registry.regs = slices.DeleteFunc(registry.regs, func(r Registration) bool { return r.SID == sid })
}

// Registered returns the registered detectors in SID order.
func Registered() []Registration {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Clone(registry.regs)
}

// ProfileOf returns the false-positive profile of a signature's alerts: the
// registered detector's, or RuleProfile for a signature pack's rules.
func ProfileOf(sid uint32) Profile {
	registry.RLock()
	defer registry.RUnlock()
	for _, r := range registry.regs {
		if r.SID == sid {
			return r.Profile
		}
	}
	return RuleProfile
}
