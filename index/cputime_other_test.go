//go:build !unix

package index

import "time"

// processCPUTime reports false: CPU time is measured on Unix only.
func processCPUTime() (time.Duration, bool) { return 0, false }
