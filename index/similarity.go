package index

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// maxCachedDocFreqs bounds the document frequency cache, so that memory
// stays flat on corpora with many millions of distinct terms.
const maxCachedDocFreqs = 1 << 20

// Vector is a text's analyzed terms weighted by tf·idf, scaled to unit
// length, with the same idf as ranking uses.
type Vector map[string]float64

// Vector returns the tf·idf vector of text. Terms absent from the index get
// the idf of a term in one document.
func (ix *Index) Vector(ctx context.Context, text string) (Vector, error) {
	terms, counts := analyzeTerms(ix.analyzer, text, math.MaxInt)
	return ix.weigh(ctx, terms, counts)
}

// DocVector returns the tf·idf vector of passage id from the term store,
// equal to Vector of its text without analyzing it again.
func (ix *Index) DocVector(ctx context.Context, id uint32) (Vector, error) {
	terms, counts, err := ix.terms.terms(id)
	if err != nil {
		return nil, err
	}
	return ix.weigh(ctx, terms, counts)
}

// weigh turns term counts into a unit tf·idf vector.
func (ix *Index) weigh(ctx context.Context, terms []string, counts []int) (Vector, error) {
	v := make(Vector, len(terms))
	n := float64(ix.meta.Passages)
	norm := 0.0
	for i, t := range terms {
		df, err := ix.docFreq(ctx, t)
		if err != nil {
			return nil, err
		}
		df = max(df, 1)
		w := float64(counts[i]) * math.Log(1+(n-float64(df)+0.5)/(float64(df)+0.5))
		v[t] = w
		norm += w * w
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for t := range v {
			v[t] /= norm
		}
	}
	return v, nil
}

// Cosine returns the cosine similarity of two unit vectors: 1 for the same
// terms in the same proportions, 0 for no shared term.
func Cosine(a, b Vector) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	sum := 0.0
	for t, w := range a {
		sum += w * b[t]
	}
	return sum
}

// docFreqCache maps a term to the number of passages that hold it.
type docFreqCache struct {
	m    sync.Map
	size atomic.Int64
}

func (ix *Index) docFreq(ctx context.Context, term string) (uint64, error) {
	if df, ok := ix.dfCache.m.Load(term); ok {
		return df.(uint64), nil
	}
	tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), textField, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("read document frequency of %q: %w", term, err)
	}
	df := tfr.Count()
	if err := tfr.Close(); err != nil {
		return 0, fmt.Errorf("read document frequency of %q: %w", term, err)
	}
	if ix.dfCache.size.Load() < maxCachedDocFreqs {
		if _, loaded := ix.dfCache.m.LoadOrStore(term, df); !loaded {
			ix.dfCache.size.Add(1)
		}
	}
	return df, nil
}
