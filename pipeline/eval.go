package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// RunDepth is the number of documents ranked per query, the deepest cutoff
// that Metrics uses.
const RunDepth = 1000

// RunTag is the last column of the run file that Evaluate writes.
const RunTag = "mine"

// EvalConfig is the settings of a retrieval evaluation.
type EvalConfig struct {
	// Input is a BEIR folder: corpus.jsonl, queries.jsonl and qrels/.
	Input string
	// Split picks qrels/<Split>.tsv.
	Split string
	// IndexDir keeps the index for reuse; empty means a temporary folder.
	IndexDir string
	// Analyzer names the text analyzer of the index and the queries.
	Analyzer string
	// Ranking selects the scoring model and BM25 parameters.
	Ranking index.Params
	// Workers is the number of queries ranked at once.
	Workers int
	// RunFile, when not empty, receives the rankings as a TREC run file.
	RunFile string
	// Progress receives progress reports; nil means none.
	Progress Progress
}

// DefaultEvalConfig returns the settings that mine eval starts from. They
// rank as Anserini's BM25 baselines do (Lucene's BM25 with k1 = 0.9 and
// b = 0.4), so that the metrics compare with published figures.
func DefaultEvalConfig() EvalConfig {
	ranking := index.DefaultParams()
	ranking.Scoring = index.ScoringLucene
	return EvalConfig{
		Split:    "test",
		Workers:  runtime.NumCPU(),
		Analyzer: index.DefaultAnalyzer,
		Ranking:  ranking,
	}
}

// EvalSummary reports an evaluation's metrics and what the BEIR folder
// held.
type EvalSummary struct {
	// Metrics are the means over the evaluated queries.
	Metrics Metrics
	// Queries counts the evaluated queries: those of the split with at
	// least one relevant document.
	Queries int
	// MissingQueries lists evaluated query IDs that queries.jsonl lacks, in
	// qrels order. They retrieve nothing and score 0.
	MissingQueries []string
	// MissingDocs lists relevant document IDs that the corpus lacks, in
	// qrels order. They count as relevant and are never retrieved.
	MissingDocs []string
	// Corpus counts the corpus entries read and skipped.
	Corpus corpus.CorpusStats
	// Passages counts the distinct texts indexed; SharedText counts the
	// corpus documents whose text equals an earlier document's.
	Passages, SharedText int
	// IndexReused reports that an existing index folder was reused.
	IndexReused bool
	// Seconds spent per stage.
	ReadSeconds, IndexSeconds, SearchSeconds float64
}

// check rejects settings that cannot run.
func (c *EvalConfig) check() error {
	switch {
	case c.Input == "":
		return fmt.Errorf("%w: no BEIR folder given", ErrConfig)
	case c.Workers < 1:
		return fmt.Errorf("%w: workers must be at least 1, got %d", ErrConfig, c.Workers)
	case c.Ranking.K1 < 0:
		return fmt.Errorf("%w: k1 must not be negative, got %g", ErrConfig, c.Ranking.K1)
	case c.Ranking.B < 0 || c.Ranking.B > 1:
		return fmt.Errorf("%w: b must be between 0 and 1, got %g", ErrConfig, c.Ranking.B)
	}
	return nil
}

// Evaluate ranks every judged query of a BEIR split against the whole
// corpus and returns the mean metrics, writing the rankings to
// cfg.RunFile when it is set. The run file appears only if the whole
// evaluation succeeds. Results do not depend on cfg.Workers.
//
// Documents are indexed in corpus order. The index stores identical texts
// once, so a document number can stand for several corpus IDs. Every one
// of them is listed, with the same score, because each is a document of
// the corpus that BM25 ranks equally, as an index that kept the copies
// apart would. Only the collection statistics (N, document frequencies
// and the average length), which count such copies once, differ from that
// index.
func Evaluate(ctx context.Context, cfg EvalConfig) (*EvalSummary, error) {
	sum := &EvalSummary{}
	if err := cfg.check(); err != nil {
		return sum, err
	}
	var run *corpus.Output
	if cfg.RunFile != "" {
		// Created first, so that a bad path fails before the work is done.
		var err error
		if run, err = corpus.CreateOutput(cfg.RunFile, nil); err != nil {
			return sum, fmt.Errorf("write run file: %w", err)
		}
		defer run.Abort()
	}

	start := time.Now()
	qrels, err := corpus.ReadQrels(cfg.Input, cfg.Split)
	if err != nil {
		return sum, err
	}
	texts, err := corpus.ReadQueries(cfg.Input)
	if err != nil {
		return sum, err
	}
	queries := judgedQueries(qrels, texts, sum)
	if len(queries) == 0 {
		return sum, fmt.Errorf("%s: qrels/%s.tsv: %w", cfg.Input, cfg.Split, ErrNoJudgedQueries)
	}
	ix, ids, err := indexCorpus(ctx, &cfg, qrels, sum, start)
	if err != nil {
		return sum, err
	}
	defer ix.Close()

	start = time.Now()
	rankings, err := rankAll(ctx, ix, ids, queries, &cfg)
	if err != nil {
		return sum, err
	}
	per := make([]Metrics, len(queries))
	for i, q := range queries {
		per[i] = scoreQuery(rankings[i], qrels.Grades[q.id])
	}
	sum.Metrics = meanMetrics(per)
	sum.SearchSeconds = time.Since(start).Seconds()
	if run != nil {
		return sum, writeRun(run, cfg.RunFile, queries, rankings)
	}
	return sum, nil
}

// ErrNoJudgedQueries is returned for a qrels split in which no query has
// a relevant document.
var ErrNoJudgedQueries = errors.New("no query has a relevant document")

// indexCorpus reads the corpus into a new or reused index and returns it
// with the corpus IDs of its document numbers. Reading time is counted
// from readStart.
func indexCorpus(ctx context.Context, cfg *EvalConfig, qrels *corpus.Qrels, sum *EvalSummary, readStart time.Time) (*index.Index, *docIDs, error) {
	builder, err := index.NewBuilder(cfg.IndexDir, index.Options{Analyzer: cfg.Analyzer, Progress: builderProgress(cfg.Progress)})
	if err != nil {
		return nil, nil, err
	}
	ids, err := readCorpus(cfg, qrels, builder, sum)
	if err != nil {
		builder.Discard()
		return nil, nil, err
	}
	sum.ReadSeconds = time.Since(readStart).Seconds()

	start := time.Now()
	ix, reused, err := buildIndex(ctx, builder, cfg.Progress)
	if err != nil {
		return nil, nil, err
	}
	sum.Passages, sum.IndexReused = ix.Len(), reused
	sum.IndexSeconds = time.Since(start).Seconds()
	return ix, ids, nil
}

// builderProgress adapts Progress to the index builder's callback.
func builderProgress(p Progress) func(done, total int) {
	if p == nil {
		return nil
	}
	return func(done, _ int) { p.Set(done) }
}

// readCorpus adds every corpus document to the builder and returns the
// corpus IDs of each document number. It also lists the relevant
// documents that the corpus lacks.
func readCorpus(cfg *EvalConfig, qrels *corpus.Qrels, b *index.Builder, sum *EvalSummary) (*docIDs, error) {
	found := make(map[string]bool)
	for _, qid := range qrels.Queries {
		for did, g := range qrels.Grades[qid] {
			if g > 0 {
				found[did] = false
			}
		}
	}
	ids := &docIDs{more: make(map[uint32][]string)}
	stats, err := corpus.ReadCorpus(cfg.Input, func(p corpus.Passage) error {
		num, err := b.Add(p.Text)
		if err != nil {
			return err
		}
		if !ids.add(num, p.ID) {
			sum.SharedText++
		}
		if _, ok := found[p.ID]; ok {
			found[p.ID] = true
		}
		return nil
	})
	sum.Corpus = stats
	if err != nil {
		return nil, err
	}
	for _, qid := range qrels.Queries {
		for did, g := range qrels.Grades[qid] {
			if g > 0 && !found[did] {
				sum.MissingDocs = append(sum.MissingDocs, did)
				found[did] = true // list each ID once
			}
		}
	}
	return ids, nil
}

// docIDs maps index document numbers to corpus IDs. Most numbers have one
// ID, kept in first; the IDs of later documents with the same text are in
// more.
type docIDs struct {
	first []string
	more  map[uint32][]string
}

// add records that corpus document id has document number num, and
// reports whether num is new.
func (d *docIDs) add(num uint32, id string) bool {
	if int(num) == len(d.first) {
		d.first = append(d.first, id)
		return true
	}
	d.more[num] = append(d.more[num], id)
	return false
}

// judgedQuery is a query to evaluate. Its text is empty when
// queries.jsonl lacks it.
type judgedQuery struct {
	id, text string
}

// judgedQueries returns the queries of the split with a relevant
// document, in qrels order.
func judgedQueries(qrels *corpus.Qrels, texts map[string]string, sum *EvalSummary) []judgedQuery {
	var queries []judgedQuery
	for _, qid := range qrels.Queries {
		if qrels.Relevant(qid) == 0 {
			continue
		}
		text, ok := texts[qid]
		if !ok {
			sum.MissingQueries = append(sum.MissingQueries, qid)
		}
		queries = append(queries, judgedQuery{id: qid, text: text})
	}
	sum.Queries = len(queries)
	return queries
}

// rankAll ranks every query with a pool of cfg.Workers goroutines. Each
// result goes to its query's slot, so the order of completion does not
// matter.
func rankAll(ctx context.Context, ix *index.Index, ids *docIDs, queries []judgedQuery, cfg *EvalConfig) ([][]RankedDoc, error) {
	rankings := make([][]RankedDoc, len(queries))
	if cfg.Progress != nil {
		cfg.Progress.Start("ranking", len(queries))
		defer cfg.Progress.Finish()
	}
	var mu sync.Mutex // serialises progress reports
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	for i, q := range queries {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r, err := rankQuery(gctx, ix, ids, q.text, cfg.Ranking)
			if err != nil {
				return fmt.Errorf("rank query %s: %w", q.id, err)
			}
			rankings[i] = r
			if cfg.Progress != nil {
				mu.Lock()
				done++
				cfg.Progress.Set(done)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return rankings, ctx.Err()
}

// rankQuery returns the top RunDepth corpus documents for a query, in the
// order of sortTREC.
func rankQuery(ctx context.Context, ix *index.Index, ids *docIDs, text string, p index.Params) ([]RankedDoc, error) {
	if text == "" {
		return nil, nil
	}
	hits, err := ix.Search(ctx, text, RunDepth, p)
	if err != nil {
		return nil, err
	}
	docs := make([]RankedDoc, 0, len(hits))
	for _, h := range hits {
		docs = append(docs, RankedDoc{ID: ids.first[h.ID], Score: h.Score})
		for _, id := range ids.more[h.ID] {
			docs = append(docs, RankedDoc{ID: id, Score: h.Score})
		}
	}
	// Copies of a text can push the list past RunDepth; the cut keeps
	// the hits in Search order, before equal scores are reordered.
	docs = docs[:min(len(docs), RunDepth)]
	sortTREC(docs)
	return docs, nil
}
