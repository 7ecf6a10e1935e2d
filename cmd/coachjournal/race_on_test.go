//go:build race

package main

// raceEnabled: the tests run under the race detector, whose shadow memory
// and slowdown make heap measurements measure the detector.
const raceEnabled = true
