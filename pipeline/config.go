package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// Config is the whole job's settings.
type Config struct {
	// Input is a JSONL, TSV or CSV file, "-" for standard input, or a BEIR
	// folder.
	Input string
	// Split picks qrels/<Split>.tsv of a BEIR folder.
	Split string
	// Output is the JSONL file to write, "-" for standard output.
	Output string
	// Corpus lists extra passage collections to mine negatives from.
	Corpus []string
	// Negatives is how many hard negatives each record should end with,
	// counting the ones the input already gave.
	Negatives int
	// Depth is how many top-ranked candidates are examined per query.
	Depth int
	// Workers is the number of queries mined at once.
	Workers int
	// IndexDir keeps the index for reuse; empty means a temporary folder.
	IndexDir string
	// Rebuild replaces an index in IndexDir that was built from other
	// passages or settings, instead of failing.
	Rebuild bool
	// IndexOnly builds or checks the index in IndexDir and stops before
	// mining, to prepare a folder that shards share.
	IndexOnly bool
	// Resume continues an interrupted run from its checkpoint, and keeps
	// the partial output and the checkpoint when a run fails.
	Resume bool
	// Shard and Shards select the records whose position modulo Shards is
	// Shard, so that several processes can split one job; Shards 0 or 1
	// means all records.
	Shard, Shards int
	// Analyzer names the text analyzer of the index and the queries.
	Analyzer string
	// Ranking selects the scoring model and BM25 parameters.
	Ranking index.Params
	// Skip ignores the top Skip candidates of each ranking.
	Skip int
	// MaxOverlap drops a candidate whose word shingles overlap a relevant
	// passage by this share or more, from 0 to 1; 0 turns the guard off.
	MaxOverlap float64
	// OverlapQuery also compares candidates with the query, for paraphrase
	// data where queries and passages are the same kind of text.
	OverlapQuery bool
	// MaxSimilarity drops a candidate whose tf·idf cosine similarity with a
	// relevant passage reaches this value, from 0 to 1; 0 turns the guard
	// off.
	MaxSimilarity float64
	// MaxScoreRatio drops a candidate whose score exceeds this multiple of
	// the best relevant passage's score; 0 turns the guard off.
	MaxScoreRatio float64
	// IgnoreAnswers turns off the guard that drops candidates containing
	// one of the record's answer strings.
	IgnoreAnswers bool
	// Sample is SampleTop or SampleRandom.
	Sample string
	// OnShort is ShortKeep or ShortDrop: what happens to a record left
	// with fewer negatives than asked for. Dropped records go to the
	// rejects file.
	OnShort string
	// Format is the output layout.
	Format corpus.Format
	// SkipInvalid skips invalid input lines, writing them unchanged to
	// Rejects, instead of stopping at the first one.
	SkipInvalid bool
	// Rejects is the file that skipped lines go to; empty means Output
	// with ".rejects.jsonl" appended.
	Rejects string
	// Strict fails the run, writing nothing, when an output would not pass
	// Cohere's upload check.
	Strict bool
	// EvalOut, when set, receives a held-out share of the query groups.
	EvalOut string
	// EvalFraction is the share of records to hold out, from 0 to 1;
	// EvalCount, when above 0, is a number of records instead.
	EvalFraction float64
	EvalCount    int
	// Seed makes the held-out choice reproducible.
	Seed int64
	// SplitByPassage keeps records that share a relevant passage on the
	// same side of the split.
	SplitByPassage bool
	// Progress receives progress reports; nil means none.
	Progress Progress
	// Report, when set, receives a JSON manifest of the run.
	Report string
	// Audit, when set, receives a Markdown table of AuditN output records
	// drawn at random with Seed, for a person to review.
	Audit  string
	AuditN int
	// Version is the tool version recorded in the report.
	Version string
	// Stdin and Stdout stand for the file name "-"; nil means the
	// process's own.
	Stdin  io.Reader
	Stdout io.Writer
}

// Progress receives reports of a stage's progress. Run calls it from one
// goroutine at a time.
type Progress interface {
	// Start begins a stage that has total steps.
	Start(stage string, total int)
	// Set reports that done steps of the current stage are complete.
	Set(done int)
	// Finish ends the current stage.
	Finish()
}

// DefaultConfig returns the settings that the mine command starts from.
func DefaultConfig() Config {
	return Config{
		Split:     "test",
		Negatives: 5,
		Depth:     50,
		Workers:   runtime.NumCPU(),
		Analyzer:  index.DefaultAnalyzer,
		Ranking:   index.DefaultParams(),
		Format:    corpus.FormatCohere,
		Sample:    SampleTop,
		OnShort:   ShortKeep,
		// Chosen from measurements on SciFact and SQuAD; see
		// docs/false-negatives.md.
		MaxOverlap:    DefaultMaxOverlap,
		MaxScoreRatio: DefaultMaxScoreRatio,
		MaxSimilarity: DefaultMaxSimilarity,
	}
}

// ErrConfig marks an invalid setting.
var ErrConfig = errors.New("invalid setting")

// check rejects settings that cannot run.
func (c *Config) check() error {
	switch {
	case c.Input == "":
		return fmt.Errorf("%w: no input given", ErrConfig)
	case c.Negatives < 1:
		return fmt.Errorf("%w: negatives must be at least 1, got %d", ErrConfig, c.Negatives)
	case c.Skip < 0:
		return fmt.Errorf("%w: skip must not be negative, got %d", ErrConfig, c.Skip)
	case c.Depth-c.Skip < c.Negatives:
		return fmt.Errorf("%w: depth %d minus skip %d is below negatives %d; only that many candidates are examined", ErrConfig, c.Depth, c.Skip, c.Negatives)
	case c.MaxOverlap < 0 || c.MaxOverlap > 1:
		return fmt.Errorf("%w: max overlap must be between 0 and 1, got %g", ErrConfig, c.MaxOverlap)
	case c.MaxSimilarity < 0 || c.MaxSimilarity > 1:
		return fmt.Errorf("%w: max similarity must be between 0 and 1, got %g", ErrConfig, c.MaxSimilarity)
	case c.MaxScoreRatio < 0:
		return fmt.Errorf("%w: max score ratio must not be negative, got %g", ErrConfig, c.MaxScoreRatio)
	case c.MaxScoreRatio > 0 && c.Ranking.Scoring == index.ScoringBleve:
		return fmt.Errorf("%w: the score margin guard needs the %q scoring model", ErrConfig, index.ScoringOkapi)
	case c.Sample != SampleTop && c.Sample != SampleRandom:
		return fmt.Errorf("%w: sample must be %q or %q, got %q", ErrConfig, SampleTop, SampleRandom, c.Sample)
	case c.OnShort != ShortKeep && c.OnShort != ShortDrop:
		return fmt.Errorf("%w: on-short must be %q or %q, got %q", ErrConfig, ShortKeep, ShortDrop, c.OnShort)
	case c.Workers < 1:
		return fmt.Errorf("%w: workers must be at least 1, got %d", ErrConfig, c.Workers)
	case c.Ranking.K1 < 0:
		return fmt.Errorf("%w: k1 must not be negative, got %g", ErrConfig, c.Ranking.K1)
	case c.Ranking.B < 0 || c.Ranking.B > 1:
		return fmt.Errorf("%w: b must be between 0 and 1, got %g", ErrConfig, c.Ranking.B)
	case (c.SkipInvalid || c.OnShort == ShortDrop) && c.Output == corpus.StdinName && c.Rejects == "":
		return fmt.Errorf("%w: skipping invalid lines while writing to standard output needs a rejects file", ErrConfig)
	case c.EvalOut != "" && c.EvalCount <= 0 && (c.EvalFraction <= 0 || c.EvalFraction >= 1):
		return fmt.Errorf("%w: a held-out file needs an eval count above 0 or an eval fraction between 0 and 1, got %g", ErrConfig, c.EvalFraction)
	case c.Shards > 1 && (c.Shard < 0 || c.Shard >= c.Shards):
		return fmt.Errorf("%w: shard %d is not between 0 and %d", ErrConfig, c.Shard, c.Shards-1)
	case c.IndexOnly && c.IndexDir == "":
		return fmt.Errorf("%w: building only the index needs an index folder", ErrConfig)
	case c.Resume && c.Output == corpus.StdinName:
		return fmt.Errorf("%w: a run written to standard output cannot be resumed", ErrConfig)
	case c.Resume && (c.Audit != "" || c.OnShort == ShortDrop):
		return fmt.Errorf("%w: a resumable run cannot write an audit or drop short records", ErrConfig)
	case c.Audit != "" && c.AuditN < 1:
		return fmt.Errorf("%w: an audit needs at least 1 record, got %d", ErrConfig, c.AuditN)
	case c.EvalOut != "" && c.EvalOut == c.Output:
		return fmt.Errorf("%w: the held-out file and the output are the same file %s", ErrConfig, c.Output)
	}
	if !slices.Contains(corpus.Formats, c.Format) {
		return fmt.Errorf("%w: unknown format %q; use one of %v", ErrConfig, c.Format, corpus.Formats)
	}
	return c.checkOutputs()
}

// checkOutputs refuses, before any work is done, an output that is a
// folder or that would replace one of the input files.
func (c *Config) checkOutputs() error {
	var inputs []string
	switch {
	case corpus.IsDir(c.Input):
		for _, pattern := range []string{"*", filepath.Join("qrels", "*")} {
			names, _ := filepath.Glob(filepath.Join(c.Input, pattern))
			inputs = append(inputs, names...)
		}
	case c.Input != corpus.StdinName:
		inputs = append(inputs, c.Input)
	}
	inputs = append(inputs, c.Corpus...)
	outputs := []struct{ flag, name string }{
		{"-out", c.Output}, {"-eval-out", c.EvalOut}, {"-rejects", c.Rejects}, {"-report", c.Report}, {"-audit", c.Audit},
	}
	for _, out := range outputs {
		if out.name == "" || out.name == corpus.StdinName {
			continue
		}
		ofi, err := os.Stat(out.name)
		if err != nil {
			continue
		}
		if ofi.IsDir() {
			return fmt.Errorf("%w: %s %s is a folder; give a file name", ErrConfig, out.flag, out.name)
		}
		for _, in := range inputs {
			if ifi, err := os.Stat(in); err == nil && os.SameFile(ofi, ifi) {
				return fmt.Errorf("%w: %s %s is also an input file; write the output to another file", ErrConfig, out.flag, out.name)
			}
		}
	}
	return nil
}

// Guard defaults, chosen from measurements on SciFact and SQuAD.
const (
	DefaultMaxOverlap    = 0
	DefaultMaxScoreRatio = 0
	DefaultMaxSimilarity = 0.3
)

// rejectsPath returns the file that skipped lines go to.
func (c *Config) rejectsPath() string {
	if c.Rejects != "" {
		return c.Rejects
	}
	return c.Output + ".rejects.jsonl"
}
