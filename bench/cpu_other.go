//go:build !unix

package bench

// processCPU: elsewhere the bench does not report the process's CPU.
func processCPU() float64 { return 0 }
