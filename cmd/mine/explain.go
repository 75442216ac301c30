package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mine-tools/mine/pipeline"
)

func init() {
	subcommands["explain"] = runExplain
}

const explainUsage = `Usage: mine explain -in INPUT [-query TEXT | -n N] [flags]

Show, for one query or the first N records of an input, every candidate
within -depth: its rank, its BM25 score, and whether it was kept as a hard
negative or which guard dropped it. It takes the same input, index, ranking
and guard flags as mining, and writes no output file.

Verdicts: kept, not chosen (eligible, but the record had enough), rank
(-skip), relevant, query, given, answer, overlap, similar, score, duplicate.

Flags:
`

// explainSnippet is the number of characters of a passage shown per row.
const explainSnippet = 90

// runExplain parses the explain command line and prints the judgements.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := pipeline.DefaultConfig()
	fs := flag.NewFlagSet("mine explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), explainUsage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\nExit codes: 0 done, 1 failed (including a -query no record has), 2 usage error.\n")
	}
	mf := registerMiningFlags(fs, &cfg)
	query := fs.String("query", "", "explain the record with exactly this query `text`")
	n := fs.Int("n", 1, "explain the first `N` records (ignored with -query)")
	asJSON := fs.Bool("json", false, "print one JSON object per record instead of a table")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	mf.apply(&cfg)
	if err := checkMineFlags(fs, &cfg); err != nil {
		return err
	}
	if *n < 1 {
		return usagef("-n must be at least 1, got %d", *n)
	}
	if err := checkInputFiles(&cfg); err != nil {
		return err
	}
	print := printExplained
	if *asJSON {
		print = printExplainedJSON
	}
	err := pipeline.Explain(ctx, cfg, *query, *n, func(e pipeline.Explained) error {
		return print(stdout, cfg.Input, e)
	})
	if errors.Is(err, pipeline.ErrConfig) {
		return &usageError{msg: err.Error()}
	}
	return err
}

func printExplained(w io.Writer, input string, e pipeline.Explained) error {
	fmt.Fprintf(w, "query %q (%s:%d)\n", e.Record.Query, input, e.Record.Line)
	if len(e.PositiveRanks) == 0 {
		fmt.Fprintf(w, "  %s, none ranked within -depth", count(len(e.Record.Relevant), "relevant passage"))
	} else {
		fmt.Fprintf(w, "  %s, ranked within -depth at %v", count(len(e.Record.Relevant), "relevant passage"), e.PositiveRanks)
	}
	if len(e.PositiveScores) > 0 {
		fmt.Fprintf(w, ", scores %.3f", e.PositiveScores)
	}
	if e.MarginOff {
		fmt.Fprint(w, " (all score 0: no score margin)")
	}
	fmt.Fprintf(w, "\n  %4s  %9s  %-10s  %s\n", "rank", "score", "verdict", "passage")
	for _, c := range e.Candidates {
		fmt.Fprintf(w, "  %4d  %9.4f  %-10s  %s\n", c.Rank, c.Score, c.Verdict, snippet(c.Text))
	}
	_, err := fmt.Fprintf(w, "  %d hard negatives\n\n", len(e.Negatives))
	return err
}

// explainedJSON is the -json form of one explained record.
type explainedJSON struct {
	Query          string          `json:"query"`
	Line           int             `json:"line"`
	PositiveRanks  []int           `json:"positive_ranks"`
	PositiveScores []float64       `json:"positive_scores,omitempty"`
	MarginOff      bool            `json:"margin_off,omitempty"`
	Candidates     []candidateJSON `json:"candidates"`
	HardNegatives  []string        `json:"hard_negatives"`
}

type candidateJSON struct {
	Rank    int     `json:"rank"`
	Score   float64 `json:"score"`
	Verdict string  `json:"verdict"`
	Text    string  `json:"text,omitempty"`
}

func printExplainedJSON(w io.Writer, _ string, e pipeline.Explained) error {
	out := explainedJSON{Query: e.Record.Query, Line: e.Record.Line, PositiveRanks: e.PositiveRanks,
		PositiveScores: e.PositiveScores, MarginOff: e.MarginOff, HardNegatives: e.Negatives,
		Candidates: make([]candidateJSON, len(e.Candidates))}
	for i, c := range e.Candidates {
		out.Candidates[i] = candidateJSON{Rank: c.Rank, Score: c.Score, Verdict: c.Verdict.String(), Text: c.Text}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// snippet returns the start of a passage on one line.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > explainSnippet {
		return string(r[:explainSnippet-1]) + "…"
	}
	return s
}
