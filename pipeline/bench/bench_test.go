package bench

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus/synth"
)

var (
	sideBySide = flag.Bool("sidebyside", false, "run TestSideBySide, which takes minutes to hours")
	dataFlag   = flag.String("data", "scifact=../../testdata/scifact", "comma-separated NAME=BEIR_FOLDER list for TestSideBySide; all use the train split")
	workFlag   = flag.String("work", "", "folder for TestSideBySide's indexes and outputs (default: a temporary folder)")
	buildRuns  = flag.Int("build-runs", 3, "builds per system and dataset in TestSideBySide")
	mineRuns   = flag.Int("mine-runs", 5, "mining runs per system and dataset in TestSideBySide")
	reportFlag = flag.String("report", "", "also write TestSideBySide's report to this file")

	queryMemory = flag.Bool("querymemory", false, "run TestQueryMemory, which takes minutes")
	memoryData  = flag.String("memory-data", "", "BEIR folder for TestQueryMemory")
	smallSplit  = flag.String("small", "first10k", "TestQueryMemory's split with few queries")
	largeSplit  = flag.String("large", "train", "TestQueryMemory's split with many queries")
	memoryRuns  = flag.Int("memory-runs", 2, "mining runs per split in TestQueryMemory")
)

// TestMain runs a measured job when this binary was started as a child by
// Measure.
func TestMain(m *testing.M) {
	if handled, code := RunChild(context.Background()); handled {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestSideBySide measures mine and both peers on the -data folders and
// prints the report. It runs only with -sidebyside; `make bench` sets it.
func TestSideBySide(t *testing.T) {
	if !*sideBySide {
		t.Skip("measures for minutes; run with -sidebyside (make bench)")
	}
	var datasets []Dataset
	for _, item := range strings.Split(*dataFlag, ",") {
		name, dir, ok := strings.Cut(item, "=")
		if !ok {
			t.Fatalf("-data item %q is not NAME=FOLDER", item)
		}
		datasets = append(datasets, Dataset{Name: name, Dir: dir, Split: "train"})
	}
	work := *workFlag
	if work == "" {
		work = t.TempDir()
	}
	p := Plan{Datasets: datasets, WorkDir: work, BuildRuns: *buildRuns, MineRuns: *mineRuns,
		Depth: 50, Negatives: 5, Workers: 2, Log: os.Stderr}
	if err := HaveSQLite(); err != nil {
		t.Logf("leaving out the FTS5 peer: %v", err)
		p.SkipFTS5 = true
	}
	results, err := SideBySide(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	WriteReport(&report, p, results)
	os.Stdout.WriteString(report.String())
	if *reportFlag != "" {
		if err := os.WriteFile(*reportFlag, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range results {
		for sys, c := range r.Checks {
			if c.RelevantKept > 0 {
				t.Errorf("%s: %s kept %d relevant passages as negatives", r.Dataset.Name, sys, c.RelevantKept)
			}
		}
	}
}

// smallBEIR writes a small synthetic BEIR folder.
func smallBEIR(t *testing.T) string {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Passages, cfg.Queries, cfg.Vocabulary = 3000, 40, 20_000
	dir := filepath.Join(t.TempDir(), "beir")
	if _, err := synth.Write(context.Background(), dir, cfg, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSideBySideSmall runs every system once on a small folder and checks
// the measurements and the outputs.
func TestSideBySideSmall(t *testing.T) {
	p := Plan{Datasets: []Dataset{{Name: "small", Dir: smallBEIR(t), Split: "train"}}, WorkDir: t.TempDir(),
		BuildRuns: 1, MineRuns: 1, Depth: 20, Negatives: 5, Workers: 2}
	if err := HaveSQLite(); err != nil {
		t.Logf("leaving out the FTS5 peer: %v", err)
		p.SkipFTS5 = true
	}
	results, err := SideBySide(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	for _, sys := range r.Systems {
		b := r.Builds[sys][0]
		if b.Passages != 3000 {
			t.Errorf("%s indexed %d passages, want 3000", sys, b.Passages)
		}
		if b.IndexBytes <= 0 || b.PeakKiB <= 0 || b.Seconds <= 0 {
			t.Errorf("%s build: index %d bytes, peak %d KiB, %g s; want all above 0", sys, b.IndexBytes, b.PeakKiB, b.Seconds)
		}
		m := r.Mines[mineKey(sys, 2)][0]
		if m.Queries != 40 {
			t.Errorf("%s mined %d queries, want 40", sys, m.Queries)
		}
		if m.PeakKiB <= 0 || m.CPUSeconds <= 0 {
			t.Errorf("%s mining: peak %d KiB, %g CPU s; want both above 0", sys, m.PeakKiB, m.CPUSeconds)
		}
		c := r.Checks[sys]
		if c.Full != 40 {
			t.Errorf("%s: %d of %d queries got 5 negatives, want all", sys, c.Full, c.Queries)
		}
		if c.RelevantKept != 0 {
			t.Errorf("%s kept %d relevant passages as negatives", sys, c.RelevantKept)
		}
		if c.SampleNegative == "" {
			t.Errorf("%s: no sample negative", sys)
		}
	}
	if got := len(r.Mines[mineKey(SystemMine, 1)]); got != 1 {
		t.Errorf("got %d one-worker runs of mine, want 1", got)
	}
	var report strings.Builder
	WriteReport(&report, p, results)
	for _, want := range []string{"| mine |", "| plain-bleve |", "mine / plain Bleve", "from 1 to 2 workers"} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}
}

// TestQueryMemory measures mine's peak memory on a split with few
// queries and one with many, against the same index, and prints the
// report. It runs only with -querymemory; `make bench-memory` sets it.
func TestQueryMemory(t *testing.T) {
	if !*queryMemory {
		t.Skip("measures for minutes; run with -querymemory (make bench-memory)")
	}
	work := *workFlag
	if work == "" {
		work = t.TempDir()
	}
	p := MemoryPlan{Data: *memoryData, Small: *smallSplit, Large: *largeSplit, WorkDir: work,
		Runs: *memoryRuns, Workers: 2, Depth: 50, Negatives: 5, Log: os.Stderr}
	r, err := QueryMemory(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	WriteMemoryReport(&report, p, r)
	os.Stdout.WriteString(report.String())
	if *reportFlag != "" {
		if err := os.WriteFile(*reportFlag, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueryMemorySmall runs QueryMemory once on a small folder with a
// second split of the first ten queries, and checks the measurements.
func TestQueryMemorySmall(t *testing.T) {
	dir := smallBEIR(t)
	qrels, err := os.ReadFile(filepath.Join(dir, "qrels", "train.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(qrels), "\n")
	first := strings.Join(lines[:11], "") // the header and ten rows
	if err := os.WriteFile(filepath.Join(dir, "qrels", "first10.tsv"), []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	p := MemoryPlan{Data: dir, Small: "first10", Large: "train", WorkDir: t.TempDir(), Runs: 1, Workers: 2, Depth: 20, Negatives: 5}
	r, err := QueryMemory(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Small) != 1 || len(r.Large) != 1 {
		t.Fatalf("got %d and %d runs, want 1 each", len(r.Small), len(r.Large))
	}
	if r.Small[0].Queries != 10 || r.Large[0].Queries != 40 {
		t.Errorf("mined %d and %d queries, want 10 and 40", r.Small[0].Queries, r.Large[0].Queries)
	}
	if r.Small[0].PeakKiB <= 0 || r.Large[0].PeakKiB <= 0 {
		t.Errorf("peak memory %d and %d KiB, want both above 0", r.Small[0].PeakKiB, r.Large[0].PeakKiB)
	}
	var report strings.Builder
	WriteMemoryReport(&report, p, r)
	if !strings.Contains(report.String(), "Peak memory, train / first10:") {
		t.Errorf("report lacks the ratio:\n%s", report.String())
	}
}

// TestCheckOutputFindsRelevant feeds CheckOutput a peer output that keeps a
// relevant passage.
func TestCheckOutputFindsRelevant(t *testing.T) {
	dir := smallBEIR(t)
	queries, err := LoadQueries(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	q := queries[0]
	out := filepath.Join(t.TempDir(), "out.jsonl")
	mined := []MinedQuery{{QueryID: q.ID, NegativeIDs: []string{"x", q.Relevant[0]}, HardNegatives: []string{"a", "b"}}}
	if err := writeMined(out, mined); err != nil {
		t.Fatal(err)
	}
	c, err := CheckOutput(Job{System: SystemBleve, Data: dir, Split: "train", Output: out, Negatives: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c.RelevantKept != 1 || c.Full != 1 || c.Queries != 1 {
		t.Errorf("got %d relevant kept, %d full, %d queries; want 1, 1, 1", c.RelevantKept, c.Full, c.Queries)
	}
}

func TestMatchExpression(t *testing.T) {
	tests := []struct{ in, want string }{
		{"What is the cost of a kitchen?", `"what" OR "cost" OR "kitchen"`},
		{"O'Brien's \"quoted\" AND NOT", `"o" OR "brien" OR "s" OR "quoted"`},
		{"the a of", ""},
		{"Grüße grüße 42", `"grüße" OR "42"`},
	}
	for _, tt := range tests {
		if got := MatchExpression(tt.in); got != tt.want {
			t.Errorf("MatchExpression(%q): got %s, want %s", tt.in, got, tt.want)
		}
	}
}
