package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mine-tools/mine/pipeline"
)

// count returns "1 record" or "n records"; a noun in -y takes -ies.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// maxListedIDs is how many missing BEIR IDs a warning names.
const maxListedIDs = 5

// printSummary writes the end-of-run report to w.
func printSummary(w io.Writer, cfg *pipeline.Config, s *pipeline.Summary, total time.Duration) {
	printWarnings(w, cfg, s)
	if s.Resumed > 0 {
		fmt.Fprintf(w, "mine: resumed after %d records written by an earlier run\n", s.Resumed)
	}
	if s.StartedOver {
		fmt.Fprintf(w, "mine: started over: the checkpoint beside %s came from a run with other inputs or settings\n", cfg.Output)
	}
	train := s.Written - s.EvalWritten - s.DroppedShort
	if s.OutputLines != train {
		fmt.Fprintf(w, "mine: wrote %s as %s to %s\n", count(train, "record"), count(s.OutputLines, "line"), cfg.Output)
	} else {
		fmt.Fprintf(w, "mine: wrote %s to %s\n", count(train, "record"), cfg.Output)
	}
	if cfg.EvalOut != "" {
		fmt.Fprintf(w, "mine: held out %s in %s\n", count(s.EvalWritten, "record"), cfg.EvalOut)
	}
	unit := "input line"
	if s.BEIR != nil {
		unit = "judged query"
	}
	fmt.Fprintf(w, "  read        %s, %s", count(s.InputLines, unit), count(s.Records, "record"))
	if s.MergedQueries > 0 {
		fmt.Fprintf(w, " (%s merged)", count(s.MergedQueries, "duplicate query"))
	}
	fmt.Fprintln(w)
	reuse := ""
	if s.IndexReused {
		reuse = " (index reused)"
	}
	fmt.Fprintf(w, "  indexed     %d distinct passages%s\n", s.Passages, reuse)
	fmt.Fprintf(w, "  negatives   %d mined, %d given\n", s.Mined, s.Given)
	d := s.Dropped
	fmt.Fprintf(w, "  dropped     candidates: %d relevant, %d similar, %d query, %d given, %d duplicate, %d answer, %d overlap, %d score, %d rank\n",
		d.Relevant, d.Similar, d.Query, d.Given, d.Duplicate, d.Answer, d.Overlap, d.Score, d.Rank)
	if s.MarginOff > 0 {
		fmt.Fprintf(w, "  margin      -max-score-ratio not applied to %s whose relevant passages all score 0\n", count(s.MarginOff, "record"))
	}
	fmt.Fprintf(w, "  histogram   negatives per record: %s\n", histogram(s.Histogram))
	fmt.Fprintf(w, "  positives   %d of %d relevant passages rank within -depth %d\n", s.PositivesRanked, s.Positives, cfg.Depth)
	fmt.Fprintf(w, "  short       %s with fewer than %d negatives", count(s.Short, "record"), cfg.Negatives)
	if s.DroppedShort > 0 {
		fmt.Fprintf(w, "; dropped to %s", s.RejectsFile)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  time        read %.2fs, index %.2fs, mine %.2fs (%.0f queries/s), total %.2fs\n",
		s.ReadSeconds, s.IndexSeconds, s.MineSeconds, s.QueriesPerSecond(), total.Seconds())
}

// printWarnings reports input that was accepted but altered or incomplete,
// and outputs that Cohere's upload check would reject.
func printWarnings(w io.Writer, cfg *pipeline.Config, s *pipeline.Summary) {
	if s.RejectedTotal > 0 {
		kinds := make([]string, len(s.Rejected))
		for i, k := range s.Rejected {
			kinds[i] = fmt.Sprintf("%d %s", k.Count, k.Kind)
		}
		fmt.Fprintf(w, "mine: warning: skipped %s (%s), written unchanged to %s; the first:\n",
			count(s.RejectedTotal, "invalid line"), strings.Join(kinds, ", "), s.RejectsFile)
		for _, e := range s.RejectExamples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	for _, p := range s.Problems {
		fmt.Fprintf(w, "mine: warning: %s would not pass Cohere's upload check: %s (-strict makes this an error)\n", p.File, p.Rule)
	}
	if s.BOM {
		fmt.Fprintf(w, "mine: warning: %s starts with a byte-order mark; it was ignored\n", cfg.Input)
	}
	if s.EmptyNegatives > 0 {
		fmt.Fprintf(w, "mine: warning: dropped %d empty strings from given hard negatives\n", s.EmptyNegatives)
	}
	if s.DuplicatePassages > 0 {
		fmt.Fprintf(w, "mine: warning: dropped %d repeated passages within records\n", s.DuplicatePassages)
	}
	if s.GivenNegativesDropped > 0 {
		fmt.Fprintf(w, "mine: warning: dropped %d given hard negatives equal to a relevant passage or the query\n", s.GivenNegativesDropped)
	}
	if b := s.BEIR; b != nil {
		if len(b.MissingDocs) > 0 {
			fmt.Fprintf(w, "mine: warning: qrels name %d documents missing from the corpus: %s\n", len(b.MissingDocs), listIDs(b.MissingDocs))
		}
		if len(b.MissingQueries) > 0 {
			fmt.Fprintf(w, "mine: warning: qrels name %d queries missing from queries.jsonl: %s\n", len(b.MissingQueries), listIDs(b.MissingQueries))
		}
		if b.NoPassage > 0 {
			fmt.Fprintf(w, "mine: warning: skipped %d queries whose relevant documents are all missing\n", b.NoPassage)
		}
		if b.DuplicateDocs > 0 {
			fmt.Fprintf(w, "mine: warning: corpus repeats %d document IDs; the first of each was used\n", b.DuplicateDocs)
		}
	}
}

func listIDs(ids []string) string {
	if len(ids) <= maxListedIDs {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:maxListedIDs], ", ") + fmt.Sprintf(" and %d more", len(ids)-maxListedIDs)
}

// histogram renders counts as "0:3 1:0 ... 5:800", with the last bucket
// marked "+".
func histogram(h []int) string {
	last := 0
	for i, n := range h {
		if n > 0 {
			last = i
		}
	}
	parts := make([]string, 0, last+1)
	for i := 0; i <= last; i++ {
		label := fmt.Sprint(i)
		if i == len(h)-1 {
			label += "+"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", label, h[i]))
	}
	return strings.Join(parts, " ")
}
