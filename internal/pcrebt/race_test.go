//go:build race

package pcrebt

// raceEnabled is true under -race, whose instrumentation allocates:
// allocation counts mean something only without it.
const raceEnabled = true
