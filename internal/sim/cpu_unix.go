//go:build unix

package sim

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used, user and system.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return time.Duration(t.Nano()).Seconds() }
	return tv(ru.Utime) + tv(ru.Stime)
}
