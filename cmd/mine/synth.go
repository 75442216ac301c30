package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/mine-tools/mine/corpus/synth"
)

func init() {
	subcommands["synth"] = runSynth
}

const synthUsage = `Usage: mine synth -out DIR [flags]

Write a seeded synthetic BEIR folder for benchmarks: DIR/corpus.jsonl,
DIR/queries.jsonl and DIR/qrels/train.tsv, with Zipf-distributed words and
passage lengths like MS MARCO's. Mine it with: mine -in DIR -split train.
The same flags give byte-identical files.

Flags:
`

// runSynth parses the synth command line and writes the folder.
func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := synth.DefaultConfig()
	fs := flag.NewFlagSet("mine synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), synthUsage)
		fs.PrintDefaults()
	}

	out := fs.String("out", "", "`folder` to write; created if missing (required)")
	fs.IntVar(&cfg.Passages, "passages", cfg.Passages, "number of passages")
	fs.IntVar(&cfg.Queries, "queries", cfg.Queries, "number of queries, each with one relevant passage")
	fs.IntVar(&cfg.Vocabulary, "vocabulary", cfg.Vocabulary, "number of distinct words")
	fs.Float64Var(&cfg.Exponent, "zipf", cfg.Exponent, "Zipf exponent of word frequencies")
	fs.Float64Var(&cfg.MeanLength, "mean-length", cfg.MeanLength, "mean passage length in words")
	fs.Float64Var(&cfg.LengthSD, "length-sd", cfg.LengthSD, "standard deviation of the passage length in words")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	quiet := fs.Bool("quiet", false, "print no summary")

	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("synth: unexpected argument %q; give the folder with -out", fs.Arg(0))
	}
	if *out == "" {
		return usagef("synth: -out is required: the folder to write")
	}
	if err := cfg.Validate(); err != nil {
		return usagef("synth: %v", err)
	}

	stats, err := synth.Write(ctx, *out, cfg, nil)
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stderr, "mine synth: wrote %d passages (%.1f words on average, %d MB) and %d queries to %s\n",
			stats.Passages, stats.MeanLength(), stats.Bytes>>20, stats.Queries, *out)
	}
	return nil
}
