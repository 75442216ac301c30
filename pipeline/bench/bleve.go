package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"golang.org/x/sync/errgroup"

	"github.com/mine-tools/mine/corpus"
)

// plainBatchSize is the batch size of the plain Bleve peer, the round
// number that Bleve's own examples and most user code pick.
const plainBatchSize = 1000

// plainDoc is the document the plain Bleve peer indexes. The default
// mapping stores the field, indexes it with term vectors and copies it into
// the _all field.
type plainDoc struct {
	Text string `json:"text"`
}

// BuildPlainBleve indexes a BEIR folder's corpus into a new Bleve index at
// path with the default mapping, in batches of 1,000 documents keyed by the
// corpus IDs. It returns the number of passages indexed.
func BuildPlainBleve(ctx context.Context, dataDir, path string) (int, error) {
	idx, err := bleve.New(path, bleve.NewIndexMapping())
	if err != nil {
		return 0, fmt.Errorf("bench: create bleve index: %w", err)
	}
	n := 0
	batch := idx.NewBatch()
	err = readCorpus(dataDir, func(p corpus.Passage) error {
		if err := batch.Index(p.ID, plainDoc{Text: p.Text}); err != nil {
			return err
		}
		n++
		if batch.Size() < plainBatchSize {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := idx.Batch(batch)
		batch.Reset()
		return err
	})
	if err == nil && batch.Size() > 0 {
		err = idx.Batch(batch)
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("bench: build bleve index: %w", err)
	}
	return n, nil
}

// MinePlainBleve mines negatives for queries from the index at path with
// workers goroutines and writes one MinedQuery per line to out, in query
// order. Each query is a bleve.MatchQuery for the top depth hits with their
// stored text. Relevant documents are dropped, and the first negatives that
// remain are kept. It returns the seconds spent mining, after the index
// was opened.
func MinePlainBleve(ctx context.Context, path string, queries []Query, depth, negatives, workers int, out string) (float64, error) {
	idx, err := bleve.Open(path)
	if err != nil {
		return 0, fmt.Errorf("bench: open bleve index: %w", err)
	}
	defer idx.Close()
	start := time.Now()
	results := make([]MinedQuery, len(queries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, q := range queries {
		g.Go(func() error {
			m, err := minePlainQuery(gctx, idx, q, depth, negatives)
			results[i] = m
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if err := writeMined(out, results); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}

func minePlainQuery(ctx context.Context, idx bleve.Index, q Query, depth, negatives int) (MinedQuery, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q.Text), depth, 0, false)
	req.Fields = []string{"text"}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return MinedQuery{}, fmt.Errorf("bench: search %q: %w", q.Text, err)
	}
	m := MinedQuery{QueryID: q.ID, NegativeIDs: []string{}, HardNegatives: []string{}}
	for _, hit := range res.Hits {
		if len(m.NegativeIDs) == negatives {
			break
		}
		if slices.Contains(q.Relevant, hit.ID) {
			continue
		}
		text, _ := hit.Fields["text"].(string)
		m.NegativeIDs = append(m.NegativeIDs, hit.ID)
		m.HardNegatives = append(m.HardNegatives, text)
	}
	return m, nil
}

// writeMined writes one JSON line per query.
func writeMined(path string, mined []MinedQuery) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range mined {
		if err := enc.Encode(&mined[i]); err != nil {
			f.Close()
			return fmt.Errorf("bench: write %s: %w", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return f.Close()
}
