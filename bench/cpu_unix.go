//go:build unix

package bench

import "syscall"

// processCPU is the CPU time, user and system, the whole process has used
// so far, in seconds.
func processCPU() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
