//go:build !race

package rulematch

// raceEnabled is true under -race, whose instrumentation allocates:
// allocation counts mean something only without it (make test runs the
// Alloc tests a second time, without -race).
const raceEnabled = false
