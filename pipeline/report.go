package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// Report is the JSON manifest that -report writes: enough to tell how an
// output file was made and what the guards did.
type Report struct {
	Tool       string         `json:"tool"`
	Version    string         `json:"version"`
	Parameters ReportParams   `json:"parameters"`
	Inputs     []ReportInput  `json:"inputs"`
	Index      ReportIndex    `json:"index"`
	Counts     ReportCounts   `json:"counts"`
	Guards     ReportGuards   `json:"guards"`
	Histogram  map[string]int `json:"negatives_per_query"`
	Positives  ReportRanked   `json:"positives"`
	Negatives  ReportRanked   `json:"mined_negatives"`
	Seconds    ReportSeconds  `json:"seconds"`
}

// ReportParams lists every setting of the run.
type ReportParams struct {
	Input          string        `json:"input"`
	Split          string        `json:"split,omitempty"`
	Output         string        `json:"output"`
	Corpus         []string      `json:"corpus"`
	Negatives      int           `json:"negatives"`
	Depth          int           `json:"depth"`
	Workers        int           `json:"workers"`
	IndexDir       string        `json:"index_dir,omitempty"`
	Analyzer       string        `json:"analyzer"`
	Scoring        index.Params  `json:"scoring"`
	Format         corpus.Format `json:"format"`
	Skip           int           `json:"skip"`
	MaxOverlap     float64       `json:"max_overlap"`
	OverlapQuery   bool          `json:"overlap_query"`
	MaxSimilarity  float64       `json:"max_similarity"`
	MaxScoreRatio  float64       `json:"max_score_ratio"`
	IgnoreAnswers  bool          `json:"ignore_answers"`
	Sample         string        `json:"sample"`
	OnShort        string        `json:"on_short"`
	Seed           int64         `json:"seed"`
	SkipInvalid    bool          `json:"skip_invalid"`
	Rejects        string        `json:"rejects,omitempty"`
	Strict         bool          `json:"strict"`
	EvalOut        string        `json:"eval_out,omitempty"`
	EvalFraction   float64       `json:"eval_fraction,omitempty"`
	EvalCount      int           `json:"eval_count,omitempty"`
	SplitByPassage bool          `json:"split_by_passage,omitempty"`
}

// ReportInput is one file the run read; SHA256 is empty for standard input.
type ReportInput struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// ReportIndex describes the index.
type ReportIndex struct {
	Analyzer string  `json:"analyzer"`
	Passages int     `json:"passages"`
	Tokens   uint64  `json:"tokens"`
	AvgLen   float64 `json:"average_length"`
	Reused   bool    `json:"reused"`
}

// ReportCounts holds the record counts of the run.
type ReportCounts struct {
	InputLines        int `json:"input_lines"`
	Records           int `json:"records"`
	MergedQueries     int `json:"merged_queries"`
	Rejected          int `json:"rejected_lines"`
	Written           int `json:"written"`
	HeldOut           int `json:"held_out"`
	DroppedShort      int `json:"dropped_short"`
	Short             int `json:"short"`
	Mined             int `json:"mined_negatives"`
	Given             int `json:"given_negatives"`
	GivenDropped      int `json:"given_negatives_dropped"`
	EmptyNegatives    int `json:"empty_negatives_dropped"`
	DuplicatePassages int `json:"duplicate_passages_dropped"`
}

// ReportGuards counts the candidates each guard dropped.
type ReportGuards struct {
	Drops
	// MarginOff counts records whose positives all scored 0, where the
	// score margin could not apply.
	MarginOff int `json:"margin_off"`
}

// ReportRanked summarises ranks and scores.
type ReportRanked struct {
	Count int `json:"count"`
	// WithinDepth counts positives ranked within the depth; positives only.
	WithinDepth *int     `json:"within_depth,omitempty"`
	MedianRank  *float64 `json:"median_rank"`
	// Score quantiles, exact to scoreResolution.
	Scores map[string]*float64 `json:"score_quantiles"`
}

// ReportSeconds is the time per stage.
type ReportSeconds struct {
	Read  float64 `json:"read"`
	Index float64 `json:"index"`
	Mine  float64 `json:"mine"`
}

// newReport assembles the manifest of a finished run.
func newReport(cfg *Config, sum *Summary, ix *index.Index) (*Report, error) {
	r := &Report{Tool: "mine", Version: cfg.Version, Parameters: reportParams(cfg)}
	inputs, err := inputFiles(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range inputs {
		in, err := hashFile(p)
		if err != nil {
			return nil, err
		}
		r.Inputs = append(r.Inputs, in)
	}
	meta := ix.Meta()
	r.Index = ReportIndex{Analyzer: meta.Analyzer, Passages: meta.Passages, Tokens: meta.Tokens, AvgLen: ix.AvgLen(), Reused: sum.IndexReused}
	r.Counts = ReportCounts{
		InputLines: sum.InputLines, Records: sum.Records, MergedQueries: sum.MergedQueries,
		Rejected: sum.RejectedTotal, Written: sum.Written - sum.EvalWritten - sum.DroppedShort,
		HeldOut: sum.EvalWritten, DroppedShort: sum.DroppedShort, Short: sum.Short,
		Mined: sum.Mined, Given: sum.Given, GivenDropped: sum.GivenNegativesDropped,
		EmptyNegatives: sum.EmptyNegatives, DuplicatePassages: sum.DuplicatePassages,
	}
	r.Guards = ReportGuards{Drops: sum.Dropped, MarginOff: sum.MarginOff}
	r.Histogram = make(map[string]int)
	for n, c := range sum.Histogram {
		key := fmt.Sprint(n)
		if n == len(sum.Histogram)-1 {
			key += "+"
		}
		r.Histogram[key] = c
	}
	within := sum.PositivesRanked
	r.Positives = rankedStats(sum.Positives, &sum.positiveRanks, &sum.positiveScores)
	r.Positives.WithinDepth = &within
	r.Negatives = rankedStats(sum.Mined, &sum.keptRanks, &sum.keptScores)
	r.Seconds = ReportSeconds{Read: sum.ReadSeconds, Index: sum.IndexSeconds, Mine: sum.MineSeconds}
	return r, nil
}

func rankedStats(count int, ranks, scores *distribution) ReportRanked {
	r := ReportRanked{Count: count, MedianRank: finite(ranks.Quantile(0.5)), Scores: map[string]*float64{}}
	for _, q := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
		r.Scores[fmt.Sprintf("p%02.0f", 100*q)] = finite(scores.Quantile(q))
	}
	return r
}

// finite maps NaN, which JSON cannot hold, to null.
func finite(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

func reportParams(c *Config) ReportParams {
	p := ReportParams{
		Input: c.Input, Output: c.Output, Corpus: c.Corpus, Negatives: c.Negatives, Depth: c.Depth,
		Workers: c.Workers, IndexDir: c.IndexDir, Analyzer: c.Analyzer, Scoring: c.Ranking, Format: c.Format,
		Skip: c.Skip, MaxOverlap: c.MaxOverlap, OverlapQuery: c.OverlapQuery, MaxSimilarity: c.MaxSimilarity,
		MaxScoreRatio: c.MaxScoreRatio, IgnoreAnswers: c.IgnoreAnswers, Sample: c.Sample, OnShort: c.OnShort,
		Seed: c.Seed, SkipInvalid: c.SkipInvalid, Strict: c.Strict, EvalOut: c.EvalOut,
	}
	if p.Corpus == nil {
		p.Corpus = []string{}
	}
	if corpus.IsDir(c.Input) {
		p.Split = c.Split
	}
	if c.SkipInvalid || c.OnShort == ShortDrop {
		p.Rejects = c.rejectsPath()
	}
	if c.EvalOut != "" {
		p.EvalFraction, p.EvalCount, p.SplitByPassage = c.EvalFraction, c.EvalCount, c.SplitByPassage
	}
	return p
}

// inputFiles lists the files a run reads: every file of a BEIR folder that
// it uses, or the input file, then the -corpus files.
func inputFiles(c *Config) ([]string, error) {
	var files []string
	if corpus.IsDir(c.Input) {
		for _, pattern := range []string{"corpus.jsonl*", "queries.jsonl*", filepath.Join("qrels", c.Split+".tsv*")} {
			m, err := filepath.Glob(filepath.Join(c.Input, pattern))
			if err != nil {
				return nil, fmt.Errorf("list input files: %w", err)
			}
			sort.Strings(m)
			files = append(files, m...)
		}
	} else {
		files = append(files, c.Input)
	}
	return append(files, c.Corpus...), nil
}

func hashFile(path string) (ReportInput, error) {
	in := ReportInput{Path: path}
	if path == corpus.StdinName {
		return in, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return in, fmt.Errorf("hash input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return in, fmt.Errorf("hash input %s: %w", path, err)
	}
	in.SHA256, in.Bytes = hex.EncodeToString(h.Sum(nil)), n
	return in, nil
}

// writeReport writes the manifest through a temporary file.
func writeReport(path string, r *Report, stdout io.Writer) error {
	out, err := corpus.CreateOutput(path, stdout)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out.Writer())
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		out.Abort()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return out.Commit()
}
