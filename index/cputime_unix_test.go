//go:build unix

package index

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time that the process
// has used so far, over all its threads, and true.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
