package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mine-tools/mine/pipeline"
)

// Systems that a Job can run.
const (
	SystemMine  = "mine"
	SystemBleve = "plain-bleve"
	SystemFTS5  = "fts5"
)

// Stages of a Job.
const (
	StageBuild = "build"
	StageMine  = "mine"
)

// Job is one measured step: building a system's index from a BEIR folder,
// or mining with an index built before.
type Job struct {
	System string
	Stage  string
	// Data is the BEIR folder and Split its qrels split.
	Data, Split string
	// Index is the index folder; for FTS5, its work folder.
	Index string
	// Output is the file the mining step writes.
	Output                    string
	Workers, Depth, Negatives int
}

// Outcome is the report a job writes about itself.
type Outcome struct {
	Passages, Queries int
	// Mined counts the hard negatives written.
	Mined int
	// Seconds is the time of the stage itself. A build counts from reading
	// the input to a searchable index. Mining counts from an open index to
	// the written output.
	Seconds float64
	// ToolCPUSeconds and ToolPeakKiB, when ToolPeakKiB is above 0, are the
	// CPU time and the summed peak resident memory of the sqlite3
	// processes, which stand for the FTS5 peer instead of the Go process
	// that drives them.
	ToolCPUSeconds float64
	ToolPeakKiB    int64
}

// Run executes the job in this process.
func (j Job) Run(ctx context.Context) (Outcome, error) {
	switch j.System + "/" + j.Stage {
	case SystemMine + "/" + StageBuild, SystemMine + "/" + StageMine:
		return j.runMine(ctx)
	case SystemBleve + "/" + StageBuild:
		start := time.Now()
		n, err := BuildPlainBleve(ctx, j.Data, j.Index)
		return Outcome{Passages: n, Seconds: time.Since(start).Seconds()}, err
	case SystemBleve + "/" + StageMine:
		queries, err := LoadQueries(j.Data, j.Split)
		if err != nil {
			return Outcome{}, err
		}
		secs, err := MinePlainBleve(ctx, j.Index, queries, j.Depth, j.Negatives, j.Workers, j.Output)
		if err != nil {
			return Outcome{}, err
		}
		return j.countOutput(Outcome{Seconds: secs})
	case SystemFTS5 + "/" + StageBuild:
		return j.buildFTS5(ctx)
	case SystemFTS5 + "/" + StageMine:
		return j.mineFTS5(ctx)
	}
	return Outcome{}, fmt.Errorf("bench: unknown job %s/%s", j.System, j.Stage)
}

// runMine runs mine's pipeline. With an empty index folder it builds the
// index and reports the build time. With a built one it reuses the index
// and reports the mining time.
func (j Job) runMine(ctx context.Context) (Outcome, error) {
	cfg := pipeline.DefaultConfig()
	cfg.Input, cfg.Split, cfg.Output = j.Data, j.Split, j.Output
	cfg.IndexDir, cfg.Workers = j.Index, j.Workers
	cfg.Depth, cfg.Negatives = j.Depth, j.Negatives
	sum, err := pipeline.Run(ctx, cfg)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Passages: sum.Passages, Queries: sum.Written, Mined: sum.Mined, Seconds: sum.MineSeconds}
	if j.Stage == StageBuild {
		if sum.IndexReused {
			return out, fmt.Errorf("bench: index in %s was reused; a build needs an empty folder", j.Index)
		}
		out.Seconds = sum.ReadSeconds + sum.IndexSeconds
	} else if !sum.IndexReused {
		return out, fmt.Errorf("bench: index in %s was rebuilt; mining needs the built index", j.Index)
	}
	return out, nil
}

func (j Job) buildFTS5(ctx context.Context) (Outcome, error) {
	start := time.Now()
	if err := os.MkdirAll(j.Index, 0o755); err != nil {
		return Outcome{}, fmt.Errorf("bench: %w", err)
	}
	n, err := PrepareFTS5(j.Data, j.Index)
	if err != nil {
		return Outcome{}, err
	}
	cmd, err := sqlite3(ctx, FTS5Path(j.Index), FTS5BuildScript(j.Index), io.Discard)
	if err != nil {
		return Outcome{}, err
	}
	if err := run(cmd); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Passages: n, Seconds: time.Since(start).Seconds()}
	out.ToolCPUSeconds, out.ToolPeakKiB = usage(cmd)
	// The import copy is not part of the index.
	return out, os.Remove(filepath.Join(j.Index, fts5Passages))
}

func (j Job) mineFTS5(ctx context.Context) (Outcome, error) {
	queries, err := LoadQueries(j.Data, j.Split)
	if err != nil {
		return Outcome{}, err
	}
	scripts, err := WriteFTS5Queries(j.Index, queries, j.Depth, j.Negatives, j.Workers)
	if err != nil {
		return Outcome{}, err
	}
	var cmds []*exec.Cmd
	var outputs []string
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, script := range scripts {
		f, err := os.Create(script + ".out")
		if err != nil {
			return Outcome{}, fmt.Errorf("bench: %w", err)
		}
		files, outputs = append(files, f), append(outputs, f.Name())
		raw, err := os.ReadFile(script)
		if err != nil {
			return Outcome{}, fmt.Errorf("bench: %w", err)
		}
		cmd, err := sqlite3(ctx, FTS5Path(j.Index), ".mode list\n"+string(raw), f, "-readonly")
		if err != nil {
			return Outcome{}, err
		}
		cmds = append(cmds, cmd)
	}
	start := time.Now()
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			return Outcome{}, fmt.Errorf("bench: start sqlite3: %w", err)
		}
	}
	var out Outcome
	for _, cmd := range cmds {
		if err := wait(cmd); err != nil {
			return Outcome{}, err
		}
		cpu, peak := usage(cmd)
		out.ToolCPUSeconds += cpu
		out.ToolPeakKiB += peak
	}
	out.Seconds = time.Since(start).Seconds()
	mined, err := ReadFTS5Output(j.Index, outputs)
	if err != nil {
		return Outcome{}, err
	}
	if err := writeMined(j.Output, mined); err != nil {
		return Outcome{}, err
	}
	return j.countOutput(out)
}

// sqlite3 prepares the sqlite3 command on db with script as its standard
// input.
func sqlite3(ctx context.Context, db, script string, stdout io.Writer, args ...string) (*exec.Cmd, error) {
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		return nil, fmt.Errorf("bench: the FTS5 peer needs the sqlite3 command: %w", err)
	}
	cmd := exec.CommandContext(ctx, path, append(append(args, "-bail"), db)...)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stdout = stdout
	cmd.Stderr = &tail{}
	return cmd, nil
}

// run runs cmd and returns its standard error with a failure.
func run(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("bench: start %s: %w", cmd.Path, err)
	}
	return wait(cmd)
}

func wait(cmd *exec.Cmd) error {
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("bench: %s: %w: %s", cmd.Path, err, cmd.Stderr.(*tail).String())
	}
	if msg := cmd.Stderr.(*tail).String(); msg != "" {
		return fmt.Errorf("bench: %s reported: %s", cmd.Path, msg)
	}
	return nil
}

// usage returns a finished command's CPU seconds and peak resident memory
// in KiB.
func usage(cmd *exec.Cmd) (float64, int64) {
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu.Seconds(), ru.Maxrss
}

// countOutput counts the queries and negatives of a peer's output file.
func (j Job) countOutput(out Outcome) (Outcome, error) {
	mined, err := ReadMined(j.Output)
	if err != nil {
		return out, err
	}
	out.Queries = len(mined)
	for _, m := range mined {
		out.Mined += len(m.HardNegatives)
	}
	return out, nil
}

// ReadMined reads a peer's output file.
func ReadMined(path string) ([]MinedQuery, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var mined []MinedQuery
	dec := json.NewDecoder(bytes.NewReader(raw))
	for dec.More() {
		var m MinedQuery
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", path, err)
		}
		mined = append(mined, m)
	}
	return mined, nil
}

// tail keeps the last tailSize bytes written to it, enough to show why a
// command failed.
type tail struct{ buf []byte }

const tailSize = 4096

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = t.buf[len(t.buf)-tailSize:]
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.TrimSpace(string(t.buf)) }
