package pipeline

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mine-tools/mine/index"
)

// sciFactDir is the SciFact copy in BEIR layout shipped with the module.
var sciFactDir = filepath.Join("..", "testdata", "scifact")

// TestEvaluateSciFact evaluates SciFact's test split with the default
// settings and checks that 1 and 4 workers write the same run file. The
// metrics must reach Anserini's published BM25 figures for this collection
// (flat title and text, k1 0.9, b 0.4): nDCG@10 0.6789, Recall@100 0.9253
// and Recall@1000 0.9767.
func TestEvaluateSciFact(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes all of SciFact")
	}
	dir := t.TempDir()
	cfg := DefaultEvalConfig()
	cfg.Input = sciFactDir
	cfg.IndexDir = filepath.Join(dir, "index")
	runs := map[int][]byte{}
	var sums []*EvalSummary
	for _, workers := range []int{1, 4} {
		cfg.Workers = workers
		cfg.RunFile = filepath.Join(dir, "run"+strconv.Itoa(workers)+".txt")
		sum, err := Evaluate(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
		if runs[workers], err = os.ReadFile(cfg.RunFile); err != nil {
			t.Fatal(err)
		}
	}

	sum := sums[0]
	if sum.Queries != 300 {
		t.Errorf("evaluated %d queries, want the 300 of qrels/test.tsv", sum.Queries)
	}
	// The published figures are rounded to four decimals.
	round := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
	for _, m := range []struct {
		name      string
		got, want float64
	}{
		{"nDCG@10", sum.Metrics.NDCG10, 0.6789},
		{"Recall@100", sum.Metrics.Recall100, 0.9253},
		{"Recall@1000", sum.Metrics.Recall1000, 0.9767},
	} {
		if round(m.got) < m.want {
			t.Errorf("%s = %.6f, below Anserini's %.4f", m.name, m.got, m.want)
		}
	}
	if sums[1].Metrics != sum.Metrics {
		t.Errorf("metrics with 4 workers %+v differ from 1 worker %+v", sums[1].Metrics, sum.Metrics)
	}
	if !sums[1].IndexReused {
		t.Error("second evaluation rebuilt the index in the same folder")
	}
	if !bytes.Equal(runs[1], runs[4]) {
		t.Error("run files written with 1 and 4 workers differ")
	}
	checkRunFile(t, runs[1], sum.Queries)
}

// checkRunFile checks the run file's format: six fields per line, ranks
// from 1 in steps of 1 per query, no score above the one before, at most
// RunDepth lines and no repeated document per query.
func checkRunFile(t *testing.T, run []byte, queries int) {
	t.Helper()
	seen := map[string]map[string]bool{}
	lastRank := map[string]int{}
	lastScore := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(string(run), "\n"), "\n") {
		f := strings.Split(line, " ")
		if len(f) != 6 || f[1] != "Q0" || f[5] != RunTag {
			t.Fatalf("line %d: %q is not \"qid Q0 docid rank score %s\"", i+1, line, RunTag)
		}
		qid, doc := f[0], f[2]
		rank, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("line %d: rank %q: %v", i+1, f[3], err)
		}
		score, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			t.Fatalf("line %d: score %q: %v", i+1, f[4], err)
		}
		if seen[qid] == nil {
			seen[qid] = map[string]bool{}
		} else if score > lastScore[qid] {
			t.Fatalf("line %d: score %v is above the previous %v", i+1, score, lastScore[qid])
		}
		if rank != lastRank[qid]+1 || rank > RunDepth {
			t.Fatalf("line %d: rank %d follows %d", i+1, rank, lastRank[qid])
		}
		if seen[qid][doc] {
			t.Fatalf("line %d: query %s lists document %s twice", i+1, qid, doc)
		}
		seen[qid][doc] = true
		lastRank[qid], lastScore[qid] = rank, score
	}
	if len(seen) != queries {
		t.Errorf("run file ranks %d queries, want %d", len(seen), queries)
	}
}

// writeBEIR writes a BEIR folder from the given file contents.
func writeBEIR(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestEvaluateSharedText checks that documents with identical text, which
// the index stores once, are all ranked, with equal scores.
func TestEvaluateSharedText(t *testing.T) {
	dir := writeBEIR(t, map[string]string{
		"corpus.jsonl": `{"_id": "d1", "title": "Owls", "text": "owls hunt at night"}
{"_id": "d2", "title": "", "text": "cats sleep all day"}
{"_id": "d3", "title": "Owls", "text": "owls hunt at night"}
{"_id": "d4", "text": "dogs bark"}
`,
		"queries.jsonl": `{"_id": "q1", "text": "when do owls hunt"}
`,
		"qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td3\t1\n",
	})
	cfg := DefaultEvalConfig()
	cfg.Input = dir
	cfg.RunFile = filepath.Join(t.TempDir(), "run.txt")
	sum, err := Evaluate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passages != 3 || sum.SharedText != 1 || sum.Corpus.Passages != 4 {
		t.Errorf("got %d distinct texts, %d shared, %d documents; want 3, 1, 4",
			sum.Passages, sum.SharedText, sum.Corpus.Passages)
	}
	run, err := os.ReadFile(cfg.RunFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(run)), "\n")
	if len(lines) != 2 {
		t.Fatalf("run file has %d lines, want 2:\n%s", len(lines), run)
	}
	// Equal scores are listed by descending ID, so d3 comes first.
	d3, d1 := strings.Fields(lines[0]), strings.Fields(lines[1])
	if d3[2] != "d3" || d1[2] != "d1" || d3[3] != "1" || d1[3] != "2" {
		t.Errorf("run file lists %s at rank %s and %s at rank %s; want d3 at 1, d1 at 2", d3[2], d3[3], d1[2], d1[3])
	}
	if d3[4] != d1[4] {
		t.Errorf("d3 scores %s and d1 %s; copies must score the same", d3[4], d1[4])
	}
	checkMetrics(t, sum.Metrics, Metrics{NDCG10: 1, MRR10: 1, Recall100: 1, Recall1000: 1})
}

func TestEvaluateRejects(t *testing.T) {
	valid := map[string]string{
		"corpus.jsonl":   `{"_id": "d1", "text": "owls hunt at night"}` + "\n",
		"queries.jsonl":  `{"_id": "q1", "text": "owls"}` + "\n",
		"qrels/test.tsv": "q1\td1\t1\n",
	}
	with := func(replace ...string) map[string]string {
		files := map[string]string{}
		for k, v := range valid {
			files[k] = v
		}
		for i := 0; i < len(replace); i += 2 {
			files[replace[i]] = replace[i+1]
		}
		return files
	}
	tests := []struct {
		name  string
		files map[string]string
		split string
		want  string
	}{
		{"unknown split", valid, "dev", "found: test"},
		{"corpus without IDs", with("corpus.jsonl", `{"text": "owls"}`+"\n"), "test", `missing "_id"`},
		{"query ID with a space", with("queries.jsonl", `{"_id": "q 1", "text": "owls"}`+"\n", "qrels/test.tsv", "q 1\td1\t1\n"), "test", "white space"},
		{"fractional grade", with("qrels/test.tsv", "q1\td1\t0.5\n"), "test", "not an integer"},
		{"no relevant document", with("qrels/test.tsv", "q1\td1\t0\n"), "test", "no query has a relevant document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultEvalConfig()
			cfg.Input = writeBEIR(t, tt.files)
			cfg.Split = tt.split
			cfg.RunFile = filepath.Join(t.TempDir(), "run.txt")
			_, err := Evaluate(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Evaluate error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestEvaluateConfigErrors(t *testing.T) {
	for _, cfg := range []EvalConfig{
		{},
		{Input: "x", Workers: 0, Ranking: index.DefaultParams()},
		{Input: "x", Workers: 1, Ranking: index.Params{K1: -1}},
		{Input: "x", Workers: 1, Ranking: index.Params{K1: 1, B: 2}},
	} {
		if _, err := Evaluate(context.Background(), cfg); err == nil || !errors.Is(err, ErrConfig) {
			t.Errorf("Evaluate(%+v) error = %v, want ErrConfig", cfg, err)
		}
	}
}
