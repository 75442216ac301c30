package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mine-tools/mine/corpus"
)

// Dataset is a BEIR folder to measure on.
type Dataset struct {
	Name, Dir, Split string
}

// Plan sets what SideBySide measures and how often.
type Plan struct {
	Datasets []Dataset
	// WorkDir receives the index folders and outputs, one folder per
	// dataset; it should be on the same disk for every system.
	WorkDir string
	// BuildRuns and MineRuns are how often each build and each mining step
	// is repeated; reports give medians.
	BuildRuns, MineRuns int
	// Depth and Negatives are shared by all systems.
	Depth, Negatives int
	// Workers is the number of workers of the side-by-side mining runs;
	// mine also runs with one worker to measure the speed-up.
	Workers int
	// SkipFTS5 leaves out the FTS5 peer.
	SkipFTS5 bool
	// Log, when not nil, receives one line per finished step.
	Log io.Writer
}

// Result holds a dataset's measurements.
type Result struct {
	Dataset Dataset
	// Builds holds each system's builds, Mines each system's mining runs
	// keyed by mineKey.
	Builds map[string][]Measurement
	Mines  map[string][]Measurement
	// Checks holds each system's output check, by system.
	Checks map[string]Check
	// Systems lists the systems measured, ours first.
	Systems []string
}

// mineKey names a system's mining runs with a number of workers.
func mineKey(system string, workers int) string {
	return fmt.Sprintf("%s/%d", system, workers)
}

// SideBySide runs the plan: for each dataset, every system's build
// BuildRuns times, then every mining step MineRuns times, interleaved so
// that a change in machine load falls on all systems alike.
func SideBySide(ctx context.Context, p Plan) ([]Result, error) {
	systems := []string{SystemMine, SystemBleve, SystemFTS5}
	if p.SkipFTS5 {
		systems = systems[:2]
	}
	var results []Result
	for _, ds := range p.Datasets {
		res := Result{Dataset: ds, Systems: systems, Builds: map[string][]Measurement{},
			Mines: map[string][]Measurement{}, Checks: map[string]Check{}}
		work := filepath.Join(p.WorkDir, ds.Name)
		if err := os.MkdirAll(work, 0o755); err != nil {
			return results, fmt.Errorf("bench: %w", err)
		}
		for range p.BuildRuns {
			for _, sys := range systems {
				job := p.job(ds, work, sys, StageBuild, p.Workers)
				if err := os.RemoveAll(job.Index); err != nil {
					return results, fmt.Errorf("bench: %w", err)
				}
				m, err := Measure(ctx, job)
				if err != nil {
					return results, err
				}
				p.logf("%s: %s build: %.2fs, %d passages, index %.1f MB, peak %d MiB, load %.1f",
					ds.Name, sys, m.Seconds, m.Passages, float64(m.IndexBytes)/1e6, m.PeakKiB>>10, m.Load1)
				res.Builds[sys] = append(res.Builds[sys], m)
			}
		}
		steps := make([]Job, 0, len(systems)+1)
		for _, sys := range systems {
			steps = append(steps, p.job(ds, work, sys, StageMine, p.Workers))
		}
		if p.Workers != 1 {
			steps = append(steps, p.job(ds, work, SystemMine, StageMine, 1))
		}
		for range p.MineRuns {
			for _, job := range steps {
				m, err := Measure(ctx, job)
				if err != nil {
					return results, err
				}
				p.logf("%s: %s mine with %d workers: %.2fs, %d queries (%.0f/s), %d negatives, peak %d MiB, load %.1f",
					ds.Name, job.System, job.Workers, m.Seconds, m.Queries, float64(m.Queries)/m.Seconds, m.Mined, m.PeakKiB>>10, m.Load1)
				key := mineKey(job.System, job.Workers)
				res.Mines[key] = append(res.Mines[key], m)
			}
		}
		for _, job := range steps[:len(systems)] {
			c, err := CheckOutput(job)
			if err != nil {
				return results, err
			}
			res.Checks[job.System] = c
		}
		results = append(results, res)
	}
	return results, nil
}

func (p Plan) job(ds Dataset, work, system, stage string, workers int) Job {
	return Job{
		System: system, Stage: stage, Data: ds.Dir, Split: ds.Split,
		Index:   filepath.Join(work, system+"-index"),
		Output:  filepath.Join(work, fmt.Sprintf("%s-%s-%d.jsonl", system, stage, workers)),
		Workers: workers, Depth: p.Depth, Negatives: p.Negatives,
	}
}

func (p Plan) logf(format string, args ...any) {
	if p.Log != nil {
		fmt.Fprintf(p.Log, format+"\n", args...)
	}
}

// Check is the result of reading a mining output back.
type Check struct {
	Queries int
	// Full counts queries with the requested number of negatives.
	Full int
	// RelevantKept counts negatives that are a relevant passage of their
	// query; it must be 0.
	RelevantKept int
	// SampleQuery and SampleNegative quote the first query that has a
	// negative.
	SampleQuery, SampleNegative string
}

// CheckOutput reads a mining job's output and checks that every negative
// differs from its query's relevant passages.
func CheckOutput(job Job) (Check, error) {
	if job.System == SystemMine {
		return checkCohere(job)
	}
	queries, err := LoadQueries(job.Data, job.Split)
	if err != nil {
		return Check{}, err
	}
	mined, err := ReadMined(job.Output)
	if err != nil {
		return Check{}, err
	}
	byID := make(map[string]Query, len(queries))
	for _, q := range queries {
		byID[q.ID] = q
	}
	var c Check
	for _, m := range mined {
		c.Queries++
		if len(m.HardNegatives) == job.Negatives {
			c.Full++
		}
		for _, id := range m.NegativeIDs {
			if slices.Contains(byID[m.QueryID].Relevant, id) {
				c.RelevantKept++
			}
		}
		if c.SampleQuery == "" && len(m.HardNegatives) > 0 {
			c.SampleQuery, c.SampleNegative = byID[m.QueryID].Text, m.HardNegatives[0]
		}
	}
	return c, nil
}

// checkCohere checks mine's own output, which carries the relevant
// passages' texts.
func checkCohere(job Job) (Check, error) {
	var g corpus.Group
	if _, err := corpus.ReadRecords(job.Output, &g); err != nil {
		return Check{}, err
	}
	var c Check
	for _, r := range g.Records {
		c.Queries++
		if len(r.Negatives) == job.Negatives {
			c.Full++
		}
		for _, n := range r.Negatives {
			if slices.Contains(r.Relevant, n) {
				c.RelevantKept++
			}
		}
		if c.SampleQuery == "" && len(r.Negatives) > 0 {
			c.SampleQuery, c.SampleNegative = r.Query, r.Negatives[0]
		}
	}
	return c, nil
}

// median returns the median of the values that f picks.
func median(ms []Measurement, f func(Measurement) float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func seconds(m Measurement) float64 { return m.Seconds }
func peakMiB(m Measurement) float64 { return float64(m.PeakKiB) / 1024 }
func indexMB(m Measurement) float64 { return float64(m.IndexBytes) / 1e6 }

// WriteReport prints the medians of each dataset's measurements as
// Markdown tables, then the ratios that the targets are stated in.
func WriteReport(w io.Writer, p Plan, results []Result) {
	for _, r := range results {
		fmt.Fprintf(w, "\n### %s (%s split)\n\n", r.Dataset.Name, r.Dataset.Split)
		fmt.Fprintf(w, "Medians of %d builds and %d mining runs; depth %d, %d negatives.\n\n", p.BuildRuns, p.MineRuns, p.Depth, p.Negatives)
		fmt.Fprintln(w, "| system | passages | build s | passages/s | index MB | build peak MiB | workers | queries | mine s | queries/s | mine peak MiB |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		keys := make([]string, 0, len(r.Systems)+1)
		for _, sys := range r.Systems {
			keys = append(keys, mineKey(sys, p.Workers))
		}
		if p.Workers != 1 {
			keys = append(keys, mineKey(SystemMine, 1))
		}
		for _, key := range keys {
			sys, _, _ := strings.Cut(key, "/")
			b, ms := r.Builds[sys], r.Mines[key]
			if len(b) == 0 || len(ms) == 0 {
				continue
			}
			build := median(b, seconds)
			fmt.Fprintf(w, "| %s | %d | %.2f | %.0f | %.1f | %.0f | %d | %d | %.2f | %.0f | %.0f |\n",
				sys, b[0].Passages, build, float64(b[0].Passages)/build, median(b, indexMB), median(b, peakMiB),
				ms[0].Workers, ms[0].Queries, median(ms, seconds), float64(ms[0].Queries)/median(ms, seconds),
				median(ms, peakMiB))
		}
		writeRatios(w, p, r)
		writeChecks(w, r)
	}
}

func writeRatios(w io.Writer, p Plan, r Result) {
	qps := func(key string) float64 {
		ms := r.Mines[key]
		if len(ms) == 0 {
			return 0
		}
		return float64(ms[0].Queries) / median(ms, seconds)
	}
	pps := func(sys string) float64 {
		b := r.Builds[sys]
		if len(b) == 0 {
			return 0
		}
		return float64(b[0].Passages) / median(b, seconds)
	}

	ours := qps(mineKey(SystemMine, p.Workers))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- mining throughput with %d workers, mine / plain Bleve: %.2fx\n", p.Workers, ours/qps(mineKey(SystemBleve, p.Workers)))
	if !p.SkipFTS5 {
		fmt.Fprintf(w, "- mining throughput with %d workers, mine / FTS5: %.2fx\n", p.Workers, ours/qps(mineKey(SystemFTS5, p.Workers)))
	}
	fmt.Fprintf(w, "- indexing throughput, mine / plain Bleve: %.2fx\n", pps(SystemMine)/pps(SystemBleve))
	if !p.SkipFTS5 {
		fmt.Fprintf(w, "- indexing throughput, mine / FTS5: %.2fx\n", pps(SystemMine)/pps(SystemFTS5))
	}
	if p.Workers != 1 {
		fmt.Fprintf(w, "- mine's mining speed-up from 1 to %d workers: %.2fx\n", p.Workers, ours/qps(mineKey(SystemMine, 1)))
	}

	lo, hi := -1.0, -1.0
	for _, ms := range [][]Measurement{flatten(r.Builds), flatten(r.Mines)} {
		for _, m := range ms {
			if lo < 0 || m.Load1 < lo {
				lo = m.Load1
			}
			hi = max(hi, m.Load1)
		}
	}
	fmt.Fprintf(w, "- one-minute load average at the start of a step: %.1f to %.1f\n", lo, hi)
}

func flatten(m map[string][]Measurement) []Measurement {
	var all []Measurement
	for _, ms := range m {
		all = append(all, ms...)
	}
	return all
}

func writeChecks(w io.Writer, r Result) {
	fmt.Fprintln(w)
	for _, sys := range r.Systems {
		c, ok := r.Checks[sys]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "- %s output: %d queries, %d with all negatives, %d relevant passages kept as negatives; sample: %q -> %q\n",
			sys, c.Queries, c.Full, c.RelevantKept, shorten(c.SampleQuery, 80), shorten(c.SampleNegative, 100))
	}
}

// shorten cuts s to at most n runes, marking a cut with "...".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}
