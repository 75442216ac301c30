package corpus

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus/disksort"
)

// TestReadBEIRJoinsAtScale reads a BEIR folder with more qrels rows and
// queries than one sort chunk holds, in random order. The folder has
// repeated pairs, repeated query IDs, scores of 0, and missing documents
// and queries. The result must match a join done with maps in memory.
func TestReadBEIRJoinsAtScale(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	docs, queries, rows := 2000, 3*disksort.ChunkRecords, 4*disksort.ChunkRecords
	var corpus, queriesFile, qrels strings.Builder
	docText := map[string]string{}
	for _, i := range r.Perm(docs) {
		id := fmt.Sprintf("d%d", i)
		text := fmt.Sprintf("passage %d", i%1500) // some documents share a text
		if _, ok := docText[id]; !ok {
			docText[id] = text
		}
		fmt.Fprintf(&corpus, "{\"_id\": %q, \"text\": %q}\n", id, text)
	}
	queryText := map[string]string{}
	queryLine := map[string]int{}
	for line := 1; line <= queries; line++ {
		id := fmt.Sprintf("q%d", r.IntN(queries))
		text := fmt.Sprintf("query %d", r.IntN(queries/2))
		if _, ok := queryText[id]; !ok {
			queryText[id], queryLine[id] = text, line
		}
		fmt.Fprintf(&queriesFile, "{\"_id\": %q, \"text\": %q}\n", id, text)
	}
	type pair struct{ q, d string }
	relevant := map[string][]string{}
	var order []string
	seenPair := map[pair]bool{}
	notRelevant := 0
	for range rows {
		q := fmt.Sprintf("q%d", r.IntN(queries+200))
		d := fmt.Sprintf("d%d", r.IntN(docs+100))
		score := r.IntN(4)
		fmt.Fprintf(&qrels, "%s\t%s\t%d\n", q, d, score)
		if score == 0 {
			notRelevant++
			continue
		}
		if _, ok := relevant[q]; !ok {
			order = append(order, q)
		}
		if !seenPair[pair{q, d}] {
			seenPair[pair{q, d}] = true
			relevant[q] = append(relevant[q], d)
		}
	}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "corpus.jsonl"), []byte(corpus.String()))
	mustWrite(t, filepath.Join(dir, "queries.jsonl"), []byte(queriesFile.String()))
	mustWrite(t, filepath.Join(dir, "qrels", "train.tsv"), []byte(qrels.String()))

	var want Group
	var wantStats BEIRStats
	var records []Record
	for _, q := range order {
		rec := Record{Query: queryText[q], Line: queryLine[q]}
		for _, d := range relevant[q] {
			if text, ok := docText[d]; ok {
				rec.Relevant = append(rec.Relevant, text)
			} else if !slices.Contains(wantStats.MissingDocs, d) {
				wantStats.MissingDocs = append(wantStats.MissingDocs, d)
			}
		}
		switch {
		case rec.Line == 0:
			wantStats.MissingQueries = append(wantStats.MissingQueries, q)
		case len(rec.Relevant) == 0:
			wantStats.NoPassage++
		default:
			records = append(records, rec)
		}
	}
	slices.SortFunc(records, func(a, b Record) int { return a.Line - b.Line })
	for _, rec := range records {
		want.Add(rec)
	}

	g, passages, stats := readBEIR(t, dir, "train")
	if len(passages) != docs || stats.Queries != queries || stats.Pairs != len(seenPair) || stats.NotRelevant != notRelevant {
		t.Errorf("counts: %d passages, %d queries, %d pairs, %d not relevant; want %d, %d, %d, %d",
			len(passages), stats.Queries, stats.Pairs, stats.NotRelevant, docs, queries, len(seenPair), notRelevant)
	}
	if stats.NoPassage != wantStats.NoPassage || !slices.Equal(stats.MissingDocs, wantStats.MissingDocs) ||
		!slices.Equal(stats.MissingQueries, wantStats.MissingQueries) {
		t.Errorf("missing: %d queries without passage, docs %d %.5q, queries %d %.5q; want %d, %d %.5q, %d %.5q",
			stats.NoPassage, len(stats.MissingDocs), stats.MissingDocs, len(stats.MissingQueries), stats.MissingQueries,
			wantStats.NoPassage, len(wantStats.MissingDocs), wantStats.MissingDocs, len(wantStats.MissingQueries), wantStats.MissingQueries)
	}
	if want.Merged == 0 || wantStats.NoPassage == 0 || len(wantStats.MissingDocs) == 0 || len(wantStats.MissingQueries) == 0 {
		t.Fatal("the generated folder lacks a case it is meant to cover")
	}
	if g.Merged != want.Merged || g.Duplicates != want.Duplicates {
		t.Errorf("merged %d, duplicates %d; want %d, %d", g.Merged, g.Duplicates, want.Merged, want.Duplicates)
	}
	checkRecords(t, g.Records, want.Records)
}
