package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mine-tools/mine/index"
	"github.com/mine-tools/mine/pipeline"
)

// errHelp reports that -h was given and usage was printed.
var errHelp = errors.New("help requested")

const mineUsage = `Usage: mine -in INPUT -out OUTPUT [flags]

Mine hard negatives for each query with BM25 and write Cohere rerank JSONL:
{"query": ..., "relevant_passages": [...], "hard_negatives": [...]}

INPUT is one of:
  - JSONL with {"query", "relevant_passages", "hard_negatives"} (Cohere),
    {"query", "passage"} (pairs) or {"query", "pos", "neg"} (FlagEmbedding);
  - TSV or CSV with two columns, query and passage (header row optional);
  - a BEIR folder with corpus.jsonl, queries.jsonl and qrels/SPLIT.tsv.
Files may be gzip-compressed; "-" reads standard input. Rows with the same
query text are merged into one record.

Negatives come from every passage of the input, each -corpus file and the
whole corpus of a BEIR folder. Passages already given as hard negatives are
kept first.

Flags:
`

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runMine parses the mining command line and runs the job.
func runMine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := pipeline.DefaultConfig()
	fs := flag.NewFlagSet("mine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, mineUsage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit codes: 0 done, 1 failed, 2 usage error.\n")
	}
	fs.StringVar(&cfg.Input, "in", "", "input `file` or BEIR folder; \"-\" for standard input (required)")
	fs.StringVar(&cfg.Output, "out", "", "output JSONL `file`; \"-\" for standard output (required)")
	var corpusFiles listFlag
	fs.Var(&corpusFiles, "corpus", "extra passage collection `file` to mine from: JSONL with \"text\" (and optional \"title\", \"_id\") or one passage per line; repeatable")
	fs.IntVar(&cfg.Negatives, "negatives", cfg.Negatives, "hard negatives per query, counting those the input gives")
	fs.IntVar(&cfg.Depth, "depth", cfg.Depth, "top-ranked candidates examined per query")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "queries mined in parallel (default: number of CPUs)")
	fs.StringVar(&cfg.IndexDir, "index", "", "keep the index in this `folder` and reuse it when the passages and analyzer match (default: a temporary folder, removed at exit)")
	fs.StringVar(&cfg.Split, "split", cfg.Split, "BEIR qrels split: reads qrels/`NAME`.tsv")
	fs.StringVar(&cfg.Analyzer, "analyzer", cfg.Analyzer, "text analyzer for passages and queries; one of "+index.AnalyzerNames())
	fs.Float64Var(&cfg.Ranking.K1, "k1", cfg.Ranking.K1, "BM25 term frequency saturation")
	fs.Float64Var(&cfg.Ranking.B, "b", cfg.Ranking.B, "BM25 length normalisation, 0 to 1")
	fs.StringVar(&cfg.Ranking.Scoring, "scoring", cfg.Ranking.Scoring, scoringHelp)
	quiet := fs.Bool("quiet", false, "print no summary; errors only")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return &usageError{msg: err.Error()}
	}
	cfg.Corpus = corpusFiles
	if err := checkMineFlags(fs, &cfg); err != nil {
		return err
	}
	if isTerminal(stderr) {
		cfg.Progress = &bar{w: stderr}
	}
	start := time.Now()
	sum, err := pipeline.Run(ctx, cfg)
	if err != nil {
		var ce interface{ Unwrap() error }
		_ = ce
		if errors.Is(err, pipeline.ErrConfig) {
			return &usageError{msg: err.Error()}
		}
		return err
	}
	if !*quiet {
		printSummary(stderr, &cfg, sum, time.Since(start))
	}
	return nil
}

// checkMineFlags validates flag values, naming the flags involved.
func checkMineFlags(fs *flag.FlagSet, cfg *pipeline.Config) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; give the input with -in", fs.Arg(0))
	}
	switch {
	case cfg.Input == "":
		return usagef("-in is required: the input file or BEIR folder")
	case cfg.Output == "":
		return usagef("-out is required: the output file, or - for standard output")
	case cfg.Negatives < 1:
		return usagef("-negatives must be at least 1, got %d", cfg.Negatives)
	case cfg.Depth < 1:
		return usagef("-depth must be at least 1, got %d", cfg.Depth)
	case cfg.Depth < cfg.Negatives:
		return usagef("-negatives %d is more than -depth %d; only -depth candidates are examined per query, so raise -depth or lower -negatives", cfg.Negatives, cfg.Depth)
	case cfg.Workers < 1:
		return usagef("-workers must be at least 1, got %d", cfg.Workers)
	case cfg.Ranking.K1 < 0:
		return usagef("-k1 must not be negative, got %g", cfg.Ranking.K1)
	case cfg.Ranking.B < 0 || cfg.Ranking.B > 1:
		return usagef("-b must be between 0 and 1, got %g", cfg.Ranking.B)
	case !slices.Contains(index.ScoringModels(), cfg.Ranking.Scoring):
		return usagef("-scoring must be one of %s, got %q", strings.Join(index.ScoringModels(), ", "), cfg.Ranking.Scoring)
	}
	if cfg.Input != "-" {
		if _, err := os.Stat(cfg.Input); err != nil {
			return usagef("-in %s: %v", cfg.Input, errors.Unwrap(err))
		}
	}
	for _, c := range cfg.Corpus {
		if _, err := os.Stat(c); err != nil {
			return usagef("-corpus %s: %v", c, errors.Unwrap(err))
		}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where progress bars belong.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// bar draws one progress bar per stage on a terminal.
type bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (b *bar) Start(stage string, total int) {
	b.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-8s", stage)),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("items"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}

func (b *bar) Set(done int) { b.bar.Set(done) }

func (b *bar) Finish() {
	if b.bar != nil {
		b.bar.Finish()
		b.bar = nil
	}
}
