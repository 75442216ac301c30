package index

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"

	bleveindex "github.com/blevesearch/bleve_index_api"
)

// ScoreDocs returns the query's Okapi BM25 score for each of the given
// documents, whatever their rank: 0 for a document that shares no term with
// the query. It uses the same arithmetic as Search, so a document's score
// here equals its score there.
func (ix *Index) ScoreDocs(ctx context.Context, text string, ids []uint32, p Params) ([]float64, error) {
	scores := make([]float64, len(ids))
	terms, counts := ix.Terms(text)
	if len(terms) == 0 || len(ids) == 0 {
		return scores, nil
	}
	if p.Scoring == ScoringBleve {
		return nil, fmt.Errorf("score documents: only the %q scoring model can score single documents", ScoringOkapi)
	}
	// Postings are walked forward only, so visit the documents in Bleve's
	// internal order.
	type target struct {
		internal bleveindex.IndexInternalID
		slot     int
	}
	targets := make([]target, 0, len(ids))
	for i, id := range ids {
		internal, err := ix.reader.InternalID(docID(id))
		if err != nil {
			return nil, fmt.Errorf("score documents: look up document %d: %w", id, err)
		}
		if internal == nil {
			return nil, fmt.Errorf("score documents: document %d is not in the index", id)
		}
		targets = append(targets, target{internal, i})
	}
	slices.SortFunc(targets, func(a, b target) int { return bytes.Compare(a.internal, b.internal) })

	n := float64(ix.meta.Passages)
	lengthNorm := p.K1 * (1 - p.B)
	lengthScale := 0.0
	if ix.avgLen > 0 {
		lengthScale = p.K1 * p.B / ix.avgLen
	}
	var doc bleveindex.TermFieldDoc
	for i, term := range terms {
		tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), textField, true, true, false)
		if err != nil {
			return nil, fmt.Errorf("score documents: read postings of %q: %w", term, err)
		}
		df := float64(tfr.Count())
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		weight := float64(counts[i]) * idf * (p.K1 + 1)
		for _, t := range targets {
			d, err := tfr.Advance(t.internal, &doc)
			if err != nil {
				tfr.Close()
				return nil, fmt.Errorf("score documents: read postings of %q: %w", term, err)
			}
			if d == nil {
				break
			}
			if !bytes.Equal(d.ID, t.internal) {
				continue
			}
			dl := math.Round(1 / (d.Norm * d.Norm))
			if p.Scoring == ScoringLucene {
				dl = float64(luceneLength(uint64(dl)))
			}
			tf := float64(d.Freq)
			scores[t.slot] += weight * tf / (tf + lengthNorm + lengthScale*dl)
		}
		if err := tfr.Close(); err != nil {
			return nil, fmt.Errorf("score documents: close postings of %q: %w", term, err)
		}
	}
	return scores, nil
}
