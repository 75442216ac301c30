package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mine-tools/mine/corpus"
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

Subcommands (each has -h):
  mine validate FILE...      check files against Cohere's upload rules
  mine explain -in INPUT     show each candidate's rank, score and verdict
  mine eval -in BEIR_DIR     measure BM25 retrieval against qrels
  mine synth -out DIR        write a synthetic BEIR folder for benchmarks

Flags:
`

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// miningFlags holds the flag values that need converting after parsing.
type miningFlags struct {
	corpus listFlag
	format *string
}

// registerMiningFlags registers the flags that select input, index,
// ranking and guards, shared by mining and explain.
func registerMiningFlags(fs *flag.FlagSet, cfg *pipeline.Config) *miningFlags {
	mf := &miningFlags{}
	fs.StringVar(&cfg.Input, "in", "", "input `file` or BEIR folder; \"-\" for standard input (required)")
	fs.Var(&mf.corpus, "corpus", "extra passage collection `file` to mine from: JSONL with \"text\" (and optional \"title\", \"_id\") or one passage per line; repeatable")
	fs.IntVar(&cfg.Negatives, "negatives", cfg.Negatives, "hard negatives per query, counting those the input gives")
	fs.IntVar(&cfg.Depth, "depth", cfg.Depth, "top-ranked candidates examined per query")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "queries mined in parallel; the default is the number of CPUs")
	fs.StringVar(&cfg.IndexDir, "index", "", "keep the index in this `folder` and reuse it when the passages and analyzer match (default: a temporary folder, removed at exit)")
	fs.BoolVar(&cfg.Rebuild, "rebuild", false, "replace the index in -index when it was built from other passages or settings, instead of failing")
	fs.StringVar(&cfg.Split, "split", cfg.Split, "BEIR qrels split: reads qrels/`NAME`.tsv")
	fs.StringVar(&cfg.Analyzer, "analyzer", cfg.Analyzer, "text analyzer for passages and queries; one of "+index.AnalyzerNames())
	fs.Float64Var(&cfg.Ranking.K1, "k1", cfg.Ranking.K1, "BM25 term frequency saturation")
	fs.Float64Var(&cfg.Ranking.B, "b", cfg.Ranking.B, "BM25 length normalisation, 0 to 1")
	fs.StringVar(&cfg.Ranking.Scoring, "scoring", cfg.Ranking.Scoring, scoringHelp)
	fs.IntVar(&cfg.Skip, "skip", cfg.Skip, "ignore the top `K` candidates of each ranking, which are the likeliest to be unlabelled positives")
	fs.Float64Var(&cfg.MaxSimilarity, "max-similarity", cfg.MaxSimilarity, "drop a candidate whose tf-idf cosine similarity with a relevant passage is this or more, 0 to 1, when both have 20 distinct terms or more (0: off)")
	fs.Float64Var(&cfg.MaxOverlap, "max-overlap", cfg.MaxOverlap, "drop a candidate whose 3-word shingles overlap a relevant passage by this share or more, 0 to 1 (0: off)")
	fs.BoolVar(&cfg.OverlapQuery, "overlap-query", false, "with -max-overlap, also compare candidates with the query (for paraphrase data)")
	fs.Float64Var(&cfg.MaxScoreRatio, "max-score-ratio", cfg.MaxScoreRatio, "drop a candidate scoring above this multiple of the best relevant passage's BM25 score, and look as deep below it as -depth (0: off)")
	fs.BoolVar(&cfg.IgnoreAnswers, "ignore-answers", false, "keep candidates that contain one of a record's \"answers\" strings")
	fs.StringVar(&cfg.Sample, "sample", cfg.Sample, "\"top\": keep the best-ranked eligible candidates; \"random\": draw from all eligible candidates within -depth, seeded by -seed and the query")
	fs.Int64Var(&cfg.Seed, "seed", 0, "seed of -sample random (and, when mining, of -eval-out and -audit); the same seed and data give the same output")
	return mf
}

// apply copies the converted flag values into cfg.
func (mf *miningFlags) apply(cfg *pipeline.Config) {
	cfg.Corpus = mf.corpus
	if mf.format != nil {
		cfg.Format = corpus.Format(*mf.format)
	}
}

// outputFlags holds the mining command's own flag values that need
// converting after parsing.
type outputFlags struct {
	shard, cpuProfile, memProfile *string
}

// registerOutputFlags registers the flags of the mining command's outputs,
// checkpoints, shards and profiles.
func registerOutputFlags(fs *flag.FlagSet, cfg *pipeline.Config, mf *miningFlags) *outputFlags {
	of := &outputFlags{}
	fs.StringVar(&cfg.Output, "out", "", "output JSONL `file`; \"-\" for standard output (required)")
	fs.StringVar(&cfg.OnShort, "on-short", cfg.OnShort, "\"keep\" or \"drop\" a record left with fewer than -negatives; dropped records go to the -rejects file")
	mf.format = fs.String("format", string(cfg.Format), "output layout: \"cohere\" {query, relevant_passages, hard_negatives}, \"flag\" {query, pos, neg} or \"triplets\" {anchor, positive, negative}, one line per pair")
	fs.BoolVar(&cfg.SkipInvalid, "skip-invalid", false, "skip invalid input lines instead of stopping at the first; they are counted and written unchanged to the -rejects file")
	fs.StringVar(&cfg.Rejects, "rejects", "", "`file` for lines skipped by -skip-invalid and records dropped by -on-short drop (default: OUTPUT.rejects.jsonl)")
	fs.BoolVar(&cfg.Strict, "strict", false, "fail, writing nothing, when an output would not pass Cohere's upload check (such as fewer than 256 unique queries)")
	fs.StringVar(&cfg.EvalOut, "eval-out", "", "also write a held-out evaluation `file`, split from the output by query")
	fs.Float64Var(&cfg.EvalFraction, "eval-fraction", 0.1, "share of records held out for -eval-out, between 0 and 1")
	fs.IntVar(&cfg.EvalCount, "eval-count", 0, "number of records held out for -eval-out; overrides -eval-fraction")
	fs.BoolVar(&cfg.SplitByPassage, "split-by-passage", false, "with -eval-out, also keep records that share a relevant passage on the same side")
	fs.StringVar(&cfg.Report, "report", "", "write a JSON manifest of the run to this `file`: version, parameters, input SHA-256, guard counts, rank and score statistics")
	fs.StringVar(&cfg.Audit, "audit", "", "write a Markdown table of -audit-n output records drawn at random with -seed to this `file`, for a person to review")
	fs.IntVar(&cfg.AuditN, "audit-n", 20, "records in the -audit table")
	fs.BoolVar(&cfg.IndexOnly, "index-only", false, "build the -index folder and stop, without mining or -out; shards can then share it")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue an interrupted run from its checkpoint (.OUT.checkpoint beside the output); a failed run keeps its partial output (.OUT.partial) for the next -resume")
	of.shard = fs.String("shard", "", "process only the records whose position modulo N is I, given as `I/N` (0 <= I < N), to split one job over N processes sharing an -index folder")
	of.cpuProfile = fs.String("cpuprofile", "", "write a CPU profile to this `file` (read it with go tool pprof)")
	of.memProfile = fs.String("memprofile", "", "write a heap profile to this `file` at the end of the run")
	return of
}

// runMine parses the mining command line and runs the job.
func runMine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := pipeline.DefaultConfig()
	fs := flag.NewFlagSet("mine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), mineUsage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\nExit codes: 0 done, 1 failed, 2 usage error.\n")
	}
	mf := registerMiningFlags(fs, &cfg)
	of := registerOutputFlags(fs, &cfg, mf)
	quiet := fs.Bool("quiet", false, "print no summary; errors only")

	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	mf.apply(&cfg)
	cfg.Stdout = stdout
	cfg.Version = version
	if s := *of.shard; s != "" {
		if _, err := fmt.Sscanf(s, "%d/%d", &cfg.Shard, &cfg.Shards); err != nil || cfg.Shards < 1 || cfg.Shard < 0 || cfg.Shard >= cfg.Shards || s != fmt.Sprintf("%d/%d", cfg.Shard, cfg.Shards) {
			return usagef("-shard must be I/N with 0 <= I < N, such as 0/4, got %q", s)
		}
	}
	if err := checkMineFlags(fs, &cfg); err != nil {
		return err
	}
	if err := checkOutputFlags(fs, &cfg); err != nil {
		return err
	}
	if err := checkInputFiles(&cfg); err != nil {
		return err
	}

	if isTerminal(stderr) {
		cfg.Progress = &bar{w: stderr}
	}
	stopProfile, err := startProfiles(*of.cpuProfile, *of.memProfile)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := pipeline.Run(ctx, cfg)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		if errors.Is(err, pipeline.ErrConfig) {
			return &usageError{msg: err.Error()}
		}
		if ctx.Err() != nil && cfg.Resume {
			return errors.New("interrupted; the partial output is kept, so run again with -resume to continue")
		}
		if ctx.Err() != nil {
			return errors.New("interrupted; no output was written")
		}
		return withSkipHint(err, &cfg)
	}
	if cfg.IndexOnly {
		if !*quiet {
			state := "built"
			if sum.IndexReused {
				state = "reused"
			}
			fmt.Fprintf(stderr, "mine: indexed %d distinct passages in %s (index %s)\n", sum.Passages, cfg.IndexDir, state)
			if cfg.Output != "" {
				fmt.Fprintf(stderr, "mine: warning: -index-only writes no output; %s was not written\n", cfg.Output)
			}
		}
		return nil
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
	case cfg.Negatives < 1:
		return usagef("-negatives must be at least 1, got %d", cfg.Negatives)
	case cfg.Depth < 1:
		return usagef("-depth must be at least 1, got %d", cfg.Depth)
	case cfg.Depth < cfg.Negatives:
		return usagef("-negatives %d is more than -depth %d; only -depth candidates are examined per query, so raise -depth or lower -negatives", cfg.Negatives, cfg.Depth)
	case cfg.Skip < 0:
		return usagef("-skip must not be negative, got %d", cfg.Skip)
	case cfg.Depth-cfg.Skip < cfg.Negatives:
		return usagef("-negatives %d is more than -depth %d minus -skip %d; raise -depth or lower -skip or -negatives", cfg.Negatives, cfg.Depth, cfg.Skip)
	case cfg.MaxSimilarity < 0 || cfg.MaxSimilarity > 1:
		return usagef("-max-similarity must be between 0 and 1, got %g", cfg.MaxSimilarity)
	case cfg.MaxOverlap < 0 || cfg.MaxOverlap > 1:
		return usagef("-max-overlap must be between 0 and 1, got %g", cfg.MaxOverlap)
	case cfg.MaxScoreRatio < 0:
		return usagef("-max-score-ratio must not be negative, got %g", cfg.MaxScoreRatio)
	case cfg.MaxScoreRatio > 0 && cfg.Ranking.Scoring == index.ScoringBleve:
		return usagef("-max-score-ratio needs -scoring okapi; set -max-score-ratio 0 to use -scoring bleve")
	case cfg.Sample != pipeline.SampleTop && cfg.Sample != pipeline.SampleRandom:
		return usagef("-sample must be %q or %q, got %q", pipeline.SampleTop, pipeline.SampleRandom, cfg.Sample)
	case cfg.Workers < 1:
		return usagef("-workers must be at least 1, got %d", cfg.Workers)
	case cfg.Ranking.K1 < 0:
		return usagef("-k1 must not be negative, got %g", cfg.Ranking.K1)
	case cfg.Ranking.B < 0 || cfg.Ranking.B > 1:
		return usagef("-b must be between 0 and 1, got %g", cfg.Ranking.B)
	case !slices.Contains(index.ScoringModels(), cfg.Ranking.Scoring):
		return usagef("-scoring must be one of %s, got %q", strings.Join(index.ScoringModels(), ", "), cfg.Ranking.Scoring)
	case index.CheckAnalyzer(cfg.Analyzer) != nil:
		return usagef("-analyzer: %v", index.CheckAnalyzer(cfg.Analyzer))
	}
	return nil
}

// checkInputFiles reports a missing input or -corpus file before any work
// starts. It is a failure, not a usage error, so it comes after the flag
// checks.
func checkInputFiles(cfg *pipeline.Config) error {
	if cfg.Input != "-" {
		if _, err := os.Stat(cfg.Input); err != nil {
			return fmt.Errorf("-in %s: %v", cfg.Input, errors.Unwrap(err))
		}
	}
	for _, c := range cfg.Corpus {
		if _, err := os.Stat(c); err != nil {
			return fmt.Errorf("-corpus %s: %v", c, errors.Unwrap(err))
		}
	}
	return nil
}

// checkOutputFlags validates the flags of the mining command's outputs.
func checkOutputFlags(fs *flag.FlagSet, cfg *pipeline.Config) error {
	switch {
	case cfg.IndexOnly && cfg.IndexDir == "":
		return usagef("-index-only needs -index DIR")
	case cfg.IndexOnly:
		return nil
	case cfg.Output == "":
		return usagef("-out is required: the output file, or - for standard output")
	case cfg.OnShort != pipeline.ShortKeep && cfg.OnShort != pipeline.ShortDrop:
		return usagef("-on-short must be %q or %q, got %q", pipeline.ShortKeep, pipeline.ShortDrop, cfg.OnShort)
	case !slices.Contains(corpus.Formats, cfg.Format):
		return usagef("-format must be one of %v, got %q", corpus.Formats, cfg.Format)
	case cfg.Rejects != "" && !cfg.SkipInvalid && cfg.OnShort != pipeline.ShortDrop:
		return usagef("-rejects is used only with -skip-invalid or -on-short drop")
	case (cfg.SkipInvalid || cfg.OnShort == pipeline.ShortDrop) && cfg.Output == "-" && cfg.Rejects == "":
		return usagef("-skip-invalid and -on-short drop with -out - need -rejects FILE")
	case cfg.EvalOut == "" && (isSet(fs, "eval-fraction") || isSet(fs, "eval-count") || cfg.SplitByPassage):
		return usagef("-eval-fraction, -eval-count and -split-by-passage need -eval-out FILE")
	case cfg.EvalOut != "" && cfg.EvalCount < 0:
		return usagef("-eval-count must be at least 1, got %d", cfg.EvalCount)
	case cfg.EvalOut != "" && cfg.EvalCount == 0 && (cfg.EvalFraction <= 0 || cfg.EvalFraction >= 1):
		return usagef("-eval-fraction must be between 0 and 1 (exclusive), got %g", cfg.EvalFraction)
	case cfg.EvalOut != "" && cfg.EvalOut == cfg.Output:
		return usagef("-eval-out and -out name the same file %s", cfg.Output)
	case cfg.Audit != "" && cfg.AuditN < 1:
		return usagef("-audit-n must be at least 1, got %d", cfg.AuditN)
	case cfg.Resume && cfg.Output == "-":
		return usagef("-resume needs -out FILE: standard output cannot be resumed")
	case cfg.Resume && (cfg.Audit != "" || cfg.OnShort == pipeline.ShortDrop):
		return usagef("-resume cannot be combined with -audit or -on-short drop")
	}
	return nil
}

// isSet reports whether the named flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
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

// withSkipHint appends the -skip-invalid hint to an invalid JSON or CSV
// line or a row with the wrong number of columns, because such a message
// cannot tell how to repair the line. Qrels rows get no hint: -skip-invalid
// never skips them, since a dropped row would change which passages are
// relevant.
func withSkipHint(err error, cfg *pipeline.Config) error {
	var pe *corpus.ParseError
	if cfg.SkipInvalid || !errors.As(err, &pe) || filepath.Base(filepath.Dir(pe.File)) == "qrels" ||
		!errors.Is(err, corpus.ErrSyntax) && !errors.Is(err, corpus.ErrColumns) {
		return err
	}
	return fmt.Errorf("%w\nmine: fix the line, or run with -skip-invalid to write invalid lines to a rejects file and go on", err)
}
