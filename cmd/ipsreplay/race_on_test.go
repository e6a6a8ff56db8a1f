//go:build race

package main

// raceEnabled is true under -race, which makes a run some ten times slower.
const raceEnabled = true
