package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// jobEnv is the environment variable that carries a Job, as JSON, to a
// child process.
const jobEnv = "MINE_BENCH_JOB"

// RunChild runs the Job that the parent process put in the environment and
// writes its Outcome as JSON to standard output. It returns false, doing
// nothing, when the process is not such a child. A test binary calls it
// first thing in TestMain and exits with the returned code.
func RunChild(ctx context.Context) (handled bool, code int) {
	raw, ok := os.LookupEnv(jobEnv)
	if !ok {
		return false, 0
	}
	var j Job
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		fmt.Fprintf(os.Stderr, "bench: read job: %v\n", err)
		return true, 1
	}
	out, err := j.Run(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return true, 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "bench: write outcome: %v\n", err)
		return true, 1
	}
	return true, 0
}

// Measurement is a job's outcome with what the kernel counted for it.
type Measurement struct {
	Job
	Outcome
	// WallSeconds is the child process's whole run.
	WallSeconds float64
	// CPUSeconds is user plus system time, and PeakKiB the peak resident
	// memory; for FTS5 both are the sqlite3 processes' when the outcome
	// reports them.
	CPUSeconds float64
	PeakKiB    int64
	// IndexBytes is the size of the index folder after a build.
	IndexBytes int64
	// Load1 is the one-minute load average when the job started: other
	// work on the machine slows a measurement down.
	Load1 float64
}

// Measure runs job in a child process of this executable, which must call
// RunChild at start, and returns what it reported and used.
func Measure(ctx context.Context, job Job) (Measurement, error) {
	m := Measurement{Job: job, Load1: loadAverage()}
	raw, err := json.Marshal(job)
	if err != nil {
		return m, err
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), jobEnv+"="+string(raw))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &tail{}
	start := time.Now()
	if err := run(cmd); err != nil {
		return m, fmt.Errorf("bench: %s %s of %s: %w", job.System, job.Stage, job.Data, err)
	}
	m.WallSeconds = time.Since(start).Seconds()
	if err := json.Unmarshal(stdout.Bytes(), &m.Outcome); err != nil {
		return m, fmt.Errorf("bench: read outcome of %s %s: %w", job.System, job.Stage, err)
	}
	m.CPUSeconds, m.PeakKiB = usage(cmd)
	if m.ToolPeakKiB > 0 && job.Stage == StageMine {
		m.CPUSeconds, m.PeakKiB = m.ToolCPUSeconds, m.ToolPeakKiB
	}
	if job.Stage == StageBuild {
		if m.IndexBytes, err = dirSize(job.Index); err != nil {
			return m, err
		}
	}
	return m, nil
}

// dirSize returns the total size of the files under dir.
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bench: size of %s: %w", dir, err)
	}
	return total, nil
}

// loadAverage returns the one-minute load average, or -1 where the system
// does not show it.
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(raw))
	if len(fields) == 0 {
		return -1
	}
	load, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return -1
	}
	return load
}

// errNoSQLite reports that the sqlite3 command is missing.
var errNoSQLite = errors.New("bench: no sqlite3 command on PATH")

// HaveSQLite reports whether the FTS5 peer can run: sqlite3 is on PATH and
// its build has FTS5.
func HaveSQLite() error {
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		return errNoSQLite
	}
	cmd := exec.Command(path, ":memory:", "CREATE VIRTUAL TABLE t USING fts5(x);")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: %s has no FTS5: %v: %s", path, err, bytes.TrimSpace(out))
	}
	return nil
}
