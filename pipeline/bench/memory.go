package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MemoryPlan sets what QueryMemory measures: mine mining two qrels splits
// of one BEIR folder, a small and a large one, against one index built
// once, so that only the number of queries differs.
type MemoryPlan struct {
	Data         string
	Small, Large string
	// WorkDir receives the index folder and the outputs.
	WorkDir string
	// Runs is how often each split is mined; runs alternate between the
	// splits and reports give medians.
	Runs                      int
	Workers, Depth, Negatives int
	// Log, when not nil, receives one line per finished step.
	Log io.Writer
}

// MemoryResult holds QueryMemory's mining runs of each split.
type MemoryResult struct {
	Small, Large []Measurement
}

// QueryMemory builds mine's index of p.Data once, then mines the small and
// the large split in turn, each in its own process, p.Runs times.
func QueryMemory(ctx context.Context, p MemoryPlan) (MemoryResult, error) {
	var r MemoryResult
	idx := filepath.Join(p.WorkDir, "mine-index")
	if err := os.RemoveAll(idx); err != nil {
		return r, err
	}
	if err := os.MkdirAll(p.WorkDir, 0o755); err != nil {
		return r, err
	}
	job := Job{System: SystemMine, Stage: StageBuild, Data: p.Data, Split: p.Small, Index: idx,
		Output: filepath.Join(p.WorkDir, "build.jsonl"), Workers: p.Workers, Depth: p.Depth, Negatives: p.Negatives}
	m, err := Measure(ctx, job)
	if err != nil {
		return r, err
	}
	p.log("built the index of %d passages in %.1f s", m.Passages, m.Seconds)
	for run := 1; run <= p.Runs; run++ {
		for _, split := range []string{p.Small, p.Large} {
			job.Stage, job.Split = StageMine, split
			job.Output = filepath.Join(p.WorkDir, "mine-"+split+".jsonl")
			m, err := Measure(ctx, job)
			if err != nil {
				return r, err
			}
			p.log("run %d, split %s: %d queries in %.1f s, peak %.0f MiB", run, split, m.Queries, m.Seconds, float64(m.PeakKiB)/1024)
			if split == p.Small {
				r.Small = append(r.Small, m)
			} else {
				r.Large = append(r.Large, m)
			}
		}
	}
	return r, nil
}

func (p MemoryPlan) log(format string, args ...any) {
	if p.Log != nil {
		fmt.Fprintf(p.Log, "bench: "+format+"\n", args...)
	}
}

// WriteMemoryReport writes QueryMemory's results as a Markdown table with
// the ratio of the peak memory medians.
func WriteMemoryReport(w io.Writer, p MemoryPlan, r MemoryResult) {
	fmt.Fprintf(w, "\n### Peak memory by number of queries (%s)\n\n", filepath.Base(p.Data))
	fmt.Fprintf(w, "Medians of %d mining runs per split against one index; %d workers, depth %d, %d negatives.\n\n",
		p.Runs, p.Workers, p.Depth, p.Negatives)
	fmt.Fprintln(w, "| split | queries | mine s | queries/s | peak MiB | peak MiB of each run |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|")
	peak := func(m Measurement) float64 { return float64(m.PeakKiB) / 1024 }
	for _, s := range []struct {
		name string
		ms   []Measurement
	}{{p.Small, r.Small}, {p.Large, r.Large}} {
		runs := ""
		for i, m := range s.ms {
			if i > 0 {
				runs += ", "
			}
			runs += fmt.Sprintf("%.0f", peak(m))
		}
		secs := median(s.ms, func(m Measurement) float64 { return m.Seconds })
		queries := median(s.ms, func(m Measurement) float64 { return float64(m.Queries) })
		fmt.Fprintf(w, "| %s | %.0f | %.2f | %.0f | %.0f | %s |\n", s.name, queries, secs, queries/secs, median(s.ms, peak), runs)
	}
	small, large := median(r.Small, peak), median(r.Large, peak)
	if small > 0 {
		fmt.Fprintf(w, "\nPeak memory, %s / %s: %.3fx (target: at most 1.10x)\n", p.Large, p.Small, large/small)
	}
}
