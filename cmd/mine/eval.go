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

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
	"github.com/mine-tools/mine/pipeline"
)

func init() {
	subcommands["eval"] = runEval
}

const evalUsage = `Usage: mine eval -in BEIR_DIR [-split test] [-run FILE] [flags]

Rank every query of a BEIR split that has a relevant document against the
whole corpus with BM25, and print the means over those queries of nDCG@10,
MRR@10, Recall@100 and Recall@1000 to standard output, as trec_eval -c
computes them with graded gains from the qrels.

BEIR_DIR holds corpus.jsonl, queries.jsonl and qrels/SPLIT.tsv, each
optionally gzip-compressed. A document's text is its title and text joined
by a space. -run writes the top 1000 documents per query as a TREC run file
("qid Q0 docid rank score mine") that trec_eval reads.

The default -scoring lucene ranks as Anserini's BM25 baselines do, so the
figures compare with published ones; mining uses -scoring okapi unless told
otherwise. Documents with identical text are indexed once and each of them
is ranked, with the same score.

Flags:
`

// scoringHelp describes the -scoring values of mine and mine eval.
const scoringHelp = `scoring model: "okapi" (exact Okapi BM25),
"lucene" (Okapi BM25 with document lengths rounded as Lucene stores them,
as Anserini ranks) or "bleve" (Bleve's own bm25, which ignores -k1 and -b)`

// runEval parses the eval command line, runs the evaluation and prints the
// metrics.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, quiet, err := parseEvalFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	if isTerminal(stderr) {
		cfg.Progress = &bar{w: stderr}
	}

	start := time.Now()
	sum, err := pipeline.Evaluate(ctx, cfg)
	if err != nil {
		if errors.Is(err, pipeline.ErrConfig) {
			return &usageError{msg: err.Error()}
		}
		return err
	}
	printMetrics(stdout, &sum.Metrics)
	if !quiet {
		printEvalSummary(stderr, &cfg, sum, time.Since(start))
	}
	return nil
}

// parseEvalFlags returns the evaluation settings and whether -quiet was
// given. It prints usage to stdout for -h.
func parseEvalFlags(args []string, stdout, stderr io.Writer) (pipeline.EvalConfig, bool, error) {
	cfg := pipeline.DefaultEvalConfig()
	fs := flag.NewFlagSet("mine eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), evalUsage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\nExit codes: 0 done, 1 failed, 2 usage error.\n")
	}
	fs.StringVar(&cfg.Input, "in", "", "BEIR `folder` (required)")
	fs.StringVar(&cfg.Split, "split", cfg.Split, "qrels split: reads qrels/`NAME`.tsv")
	fs.StringVar(&cfg.RunFile, "run", "", "write the rankings to this TREC run `file`")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "queries ranked in parallel; the default is the number of CPUs")
	fs.StringVar(&cfg.IndexDir, "index", "", "keep the index in this `folder` and reuse it when the passages and analyzer match (default: a temporary folder, removed at exit)")
	fs.StringVar(&cfg.Analyzer, "analyzer", cfg.Analyzer, "text analyzer for passages and queries; one of "+index.AnalyzerNames())
	fs.Float64Var(&cfg.Ranking.K1, "k1", cfg.Ranking.K1, "BM25 term frequency saturation")
	fs.Float64Var(&cfg.Ranking.B, "b", cfg.Ranking.B, "BM25 length normalisation, 0 to 1")
	fs.StringVar(&cfg.Ranking.Scoring, "scoring", cfg.Ranking.Scoring, scoringHelp)
	quiet := fs.Bool("quiet", false, "print no summary on standard error; metrics and errors only")

	if err := parseFlags(fs, args, stdout); err != nil {
		return cfg, false, err
	}
	return cfg, *quiet, checkEvalFlags(fs, &cfg)
}

// checkEvalFlags validates flag values, naming the flags involved.
func checkEvalFlags(fs *flag.FlagSet, cfg *pipeline.EvalConfig) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; give the BEIR folder with -in", fs.Arg(0))
	}
	switch {
	case cfg.Input == "":
		return usagef("-in is required: the BEIR folder")
	case !corpus.IsDir(cfg.Input):
		if _, err := os.Stat(cfg.Input); err != nil {
			return usagef("-in %s: %v", cfg.Input, errors.Unwrap(err))
		}
		return usagef("-in %s is not a folder; mine eval reads a BEIR folder", cfg.Input)
	case cfg.RunFile == corpus.StdinName:
		return usagef("-run needs a file name; standard output carries the metrics")
	case cfg.Workers < 1:
		return usagef("-workers must be at least 1, got %d", cfg.Workers)
	case cfg.Ranking.K1 < 0:
		return usagef("-k1 must not be negative, got %g", cfg.Ranking.K1)
	case cfg.Ranking.B < 0 || cfg.Ranking.B > 1:
		return usagef("-b must be between 0 and 1, got %g", cfg.Ranking.B)
	case !slices.Contains(index.ScoringModels(), cfg.Ranking.Scoring):
		return usagef("-scoring must be one of %s, got %q", strings.Join(index.ScoringModels(), ", "), cfg.Ranking.Scoring)
	}
	return nil
}

// printMetrics writes the metrics to w, one per line, with four decimals
// as trec_eval prints them.
func printMetrics(w io.Writer, m *pipeline.Metrics) {
	fmt.Fprintf(w, "nDCG@10      %.4f\n", m.NDCG10)
	fmt.Fprintf(w, "MRR@10       %.4f\n", m.MRR10)
	fmt.Fprintf(w, "Recall@100   %.4f\n", m.Recall100)
	fmt.Fprintf(w, "Recall@1000  %.4f\n", m.Recall1000)
}

// printEvalSummary writes the warnings, what was evaluated and the timings
// to w.
func printEvalSummary(w io.Writer, cfg *pipeline.EvalConfig, s *pipeline.EvalSummary, total time.Duration) {
	printEvalWarnings(w, s)
	params := fmt.Sprintf("k1 %g, b %g", cfg.Ranking.K1, cfg.Ranking.B)
	if cfg.Ranking.Scoring == index.ScoringBleve {
		params = "k1 1.2, b 0.75 as Bleve sets them"
	}
	fmt.Fprintf(w, "mine eval: %d queries of split %s, %s scoring, %s\n",
		s.Queries, cfg.Split, cfg.Ranking.Scoring, params)
	reuse := ""
	if s.IndexReused {
		reuse = " (index reused)"
	}
	fmt.Fprintf(w, "  corpus      %d documents, %d distinct texts%s\n", s.Corpus.Passages, s.Passages, reuse)
	if s.SharedText > 0 {
		fmt.Fprintf(w, "  shared      %d documents have the text of an earlier one; each is ranked with it\n", s.SharedText)
	}
	if cfg.RunFile != "" {
		fmt.Fprintf(w, "  run file    %s\n", cfg.RunFile)
	}
	fmt.Fprintf(w, "  time        read %.2fs, index %.2fs, rank %.2fs, total %.2fs\n",
		s.ReadSeconds, s.IndexSeconds, s.SearchSeconds, total.Seconds())
}

// printEvalWarnings reports judged queries and documents that could not
// be ranked, and corpus entries that were skipped.
func printEvalWarnings(w io.Writer, s *pipeline.EvalSummary) {
	if n := len(s.MissingQueries); n > 0 {
		fmt.Fprintf(w, "mine: warning: qrels name %d queries missing from queries.jsonl; they score 0: %s\n", n, listIDs(s.MissingQueries))
	}
	if n := len(s.MissingDocs); n > 0 {
		fmt.Fprintf(w, "mine: warning: qrels name %d relevant documents missing from the corpus; they count as not retrieved: %s\n", n, listIDs(s.MissingDocs))
	}
	if s.Corpus.DuplicateIDs > 0 {
		fmt.Fprintf(w, "mine: warning: corpus repeats %d document IDs; the first of each was used\n", s.Corpus.DuplicateIDs)
	}
	if s.Corpus.Empty > 0 {
		fmt.Fprintf(w, "mine: warning: skipped %d corpus documents with neither title nor text\n", s.Corpus.Empty)
	}
}
