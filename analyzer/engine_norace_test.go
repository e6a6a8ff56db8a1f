//go:build !race

package analyzer

// e2eRaceEnabled is true under -race, whose instrumentation allocates.
const e2eRaceEnabled = false
