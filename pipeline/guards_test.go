package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// guardConfig returns settings with every guard off.
func guardConfig(input string, corpusFiles ...string) Config {
	cfg := config(input)
	cfg.Corpus = corpusFiles
	plain(&cfg)
	return cfg
}

// TestZeroScorePositive pins the margin rule for a record whose positive
// shares no term with its query: the margin cannot apply, so no candidate
// is dropped by it and the record is counted.
func TestZeroScorePositive(t *testing.T) {
	dir := "../testdata/cases/zero-score-positive"
	cfg := guardConfig(filepath.Join(dir, "input.jsonl"), filepath.Join(dir, "corpus.txt"))
	cfg.MaxScoreRatio = 1.0
	out, sum := runJob(t, cfg)
	recs := decode(t, out)
	if n := len(recs[0].HardNegatives); n != 5 {
		t.Errorf("record 1: got %d negatives, want 5 (the margin must not drop every candidate)", n)
	}
	if sum.MarginOff != 1 {
		t.Errorf("margin off: got %d records, want 1", sum.MarginOff)
	}
	// The second positive scores 4.4; every candidate scores below it.
	if n := len(recs[1].HardNegatives); n != 5 {
		t.Errorf("record 2: got %d negatives, want 5", n)
	}
}

// TestScoreMarginSeveralPositives checks that the margin is taken from the
// best-scoring positive and that the window reaches below the limit.
func TestScoreMarginSeveralPositives(t *testing.T) {
	dir := t.TempDir()
	in := writeTemp(t, dir, "in.jsonl", `{"query": "solar panel efficiency", "relevant_passages": ["Solar panel efficiency rose as solar panel makers improved cells.", "Rooftop installations need inverters."]}`+"\n")
	corpusFile := writeTemp(t, dir, "corpus.txt", strings.Join([]string{
		"Solar panel efficiency solar panel efficiency solar panel efficiency tests.", // above the best positive
		"Solar panel efficiency depends on temperature.",
		"Solar panel prices fell.",
		"Panel discussions about efficiency.",
		"Solar power grows.",
		"Efficiency standards for fridges.",
		"Solar eclipses are rare.",
	}, "\n")+"\n")
	cfg := guardConfig(in, corpusFile)
	cfg.MaxScoreRatio = 1.0
	out, sum := runJob(t, cfg)
	negs := decode(t, out)[0].HardNegatives
	for _, n := range negs {
		if strings.HasSuffix(n, "efficiency tests.") {
			t.Errorf("a candidate scoring above the best positive was kept")
		}
	}
	if len(negs) != 5 {
		t.Errorf("negatives: got %d, want 5 from below the limit", len(negs))
	}
	if sum.Dropped.Score != 1 {
		t.Errorf("dropped by score: got %d, want 1", sum.Dropped.Score)
	}
	if sum.MarginOff != 0 {
		t.Errorf("margin off: got %d, want 0 (one positive scores above 0)", sum.MarginOff)
	}
}

// TestGuardsSwitchable turns each guard on alone and checks what it drops.
func TestGuardsSwitchable(t *testing.T) {
	dir := t.TempDir()
	positive := "The Amazon river carries more water than any other river on Earth, draining a basin of seven million square kilometres across nine countries in South America."
	in := writeTemp(t, dir, "in.jsonl",
		`{"query": "which river carries the most water", "relevant_passages": [`+jsonString(positive)+`], "answers": ["Amazon"]}`+"\n")
	corpusFile := writeTemp(t, dir, "corpus.txt", strings.Join([]string{
		"The Amazon river carries more water than any other river on Earth, draining a basin", // chunk of the positive
		"Which river carries the most water is a common quiz question about the Nile and the Amazon.",
		"The Nile river is long and carries water through Egypt.",
		"The Congo river carries much water through central Africa.",
		"A river carries sediment and water to the sea.",
		"Water levels in the Mississippi river vary by season.",
		"The Yangtze river carries water across China.",
		"Most water on Earth is in the oceans, not in any river.",
	}, "\n")+"\n")
	tests := []struct {
		name   string
		adjust func(*Config)
		count  func(*Summary) int
		want   int
	}{
		{"overlap", func(c *Config) { c.MaxOverlap = 0.5 }, func(s *Summary) int { return s.Dropped.Overlap }, 1},
		{"answers", func(c *Config) { c.IgnoreAnswers = false }, func(s *Summary) int { return s.Dropped.Answer }, 2},
		{"skip", func(c *Config) { c.Skip = 2 }, func(s *Summary) int { return s.Dropped.Rank }, 2},
		{"off", func(c *Config) {}, func(s *Summary) int {
			d := s.Dropped
			return d.Overlap + d.Answer + d.Rank + d.Similar + d.Score
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := guardConfig(in, corpusFile)
			// More than the corpus holds, so every candidate is judged.
			cfg.Negatives = 10
			tt.adjust(&cfg)
			_, sum := runJob(t, cfg)
			if got := tt.count(sum); got != tt.want {
				t.Errorf("dropped: got %d, want %d (%+v)", got, tt.want, sum.Dropped)
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestGuardsDeterministic runs SciFact with every guard on, in both
// sampling modes, with 1 and 4 workers.
func TestGuardsDeterministic(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "index")
	for _, sample := range []string{SampleTop, SampleRandom} {
		t.Run(sample, func(t *testing.T) {
			var outs [][]byte
			for _, workers := range []int{1, 4} {
				cfg := config(scifact)
				cfg.Split = "train"
				cfg.IndexDir = idx
				cfg.Workers = workers
				cfg.Sample = sample
				cfg.Seed = 42
				cfg.Skip, cfg.MaxOverlap, cfg.MaxScoreRatio, cfg.MaxSimilarity = 1, 0.5, 1.0, 0.3
				out, _ := runJob(t, cfg)
				outs = append(outs, out)
			}
			if !bytes.Equal(outs[0], outs[1]) {
				t.Errorf("output with 4 workers differs from output with 1 worker")
			}
		})
	}
}

func TestSampleRandomSeeded(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "index")
	run := func(seed int64) []byte {
		cfg := guardConfig(filepath.Join("../testdata/golden/squad-sky", "input.tsv"), "../testdata/golden/squad-sky/corpus.txt")
		cfg.IndexDir = idx
		cfg.Sample = SampleRandom
		cfg.Negatives = 3
		cfg.Seed = seed
		out, _ := runJob(t, cfg)
		return out
	}
	a, b, c := run(1), run(1), run(2)
	if !bytes.Equal(a, b) {
		t.Errorf("the same seed gave different output")
	}
	if bytes.Equal(a, c) {
		t.Errorf("another seed gave the same output")
	}
}

func TestOnShortDrop(t *testing.T) {
	dir := t.TempDir()
	cfg := guardConfig("../testdata/cases/tiny-corpus/input.jsonl")
	cfg.OnShort = ShortDrop
	cfg.Output = filepath.Join(dir, "out.jsonl")
	out, sum := runJob(t, cfg)
	if len(out) != 0 {
		t.Errorf("output: got %q, want empty (both records are short)", out)
	}
	if sum.DroppedShort != 2 {
		t.Errorf("dropped short: got %d, want 2", sum.DroppedShort)
	}
	rejected, err := os.ReadFile(cfg.Output + ".rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(rejected), "\n"); got != 2 {
		t.Errorf("rejects: got %d lines, want 2:\n%s", got, rejected)
	}
}

func TestReportAndAudit(t *testing.T) {
	dir := t.TempDir()
	cfg := config(scifact)
	cfg.Split = "train"
	cfg.Report = filepath.Join(dir, "report.json")
	cfg.Audit = filepath.Join(dir, "audit.md")
	cfg.AuditN = 7
	cfg.Seed = 3
	cfg.Version = "test"
	_, sum := runJob(t, cfg)
	raw, err := os.ReadFile(cfg.Report)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Version != "test" || r.Parameters.Depth != 50 || r.Parameters.MaxSimilarity != DefaultMaxSimilarity {
		t.Errorf("parameters not recorded: %+v", r.Parameters)
	}
	if len(r.Inputs) != 3 {
		t.Fatalf("inputs: got %d, want corpus, queries and qrels", len(r.Inputs))
	}
	for _, in := range r.Inputs {
		if len(in.SHA256) != 64 || in.Bytes == 0 {
			t.Errorf("input %s: sha256 %q, %d bytes", in.Path, in.SHA256, in.Bytes)
		}
	}
	if r.Counts.Written != 807 || r.Histogram["5"] != sum.Histogram[5] {
		t.Errorf("counts: written %d, histogram %v", r.Counts.Written, r.Histogram)
	}
	if r.Guards.Similar != sum.Dropped.Similar || r.Guards.Similar == 0 {
		t.Errorf("similarity guard count: report %d, summary %d", r.Guards.Similar, sum.Dropped.Similar)
	}
	if r.Positives.WithinDepth == nil || *r.Positives.WithinDepth != sum.PositivesRanked || r.Positives.MedianRank == nil {
		t.Errorf("positives: %+v", r.Positives)
	}
	if r.Negatives.Scores["p50"] == nil || *r.Negatives.Scores["p50"] <= 0 {
		t.Errorf("negative score quantiles: %v", r.Negatives.Scores)
	}

	audit, err := os.ReadFile(cfg.Audit)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(string(audit), "\n| ") - 1 // minus the header row
	if rows != 7 {
		t.Errorf("audit rows: got %d, want 7:\n%s", rows, audit)
	}
	cfg.Workers = 1
	cfg.Audit = filepath.Join(dir, "audit1.md")
	runJob(t, cfg)
	again, _ := os.ReadFile(cfg.Audit)
	if !bytes.Equal(audit, again) {
		t.Errorf("audit with 1 worker differs")
	}
}

func TestExplain(t *testing.T) {
	dir := "../testdata/cases/tiny-corpus"
	cfg := guardConfig(filepath.Join(dir, "input.jsonl"))
	var got []Explained
	err := Explain(context.Background(), cfg, "why is the ocean blue", 0, func(e Explained) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("explained records: got %d, want 1", len(got))
	}
	c := got[0].Candidates
	if len(c) != 2 || c[0].Verdict != DropRelevant || c[1].Verdict != Kept {
		t.Errorf("candidates: got %+v, want the positive dropped as relevant and the other kept", c)
	}
	err = Explain(context.Background(), cfg, "no such query", 0, func(Explained) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no record has this query") {
		t.Errorf("unknown query: got %v", err)
	}
}
