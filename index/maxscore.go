package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// boundSlack widens the upper bounds of MaxScore so that rounding cannot
// make a computed score exceed its computed bound. The relative rounding
// error of a sum of MaxQueryTerms positive terms is below 1e-12.
const boundSlack = 1 + 1e-9

// exhausted is the document number of a cursor past its last posting.
const exhausted = math.MaxUint64

// cursor walks one query term's postings in one segment, document at a
// time, and keeps the current posting's values.
type cursor struct {
	term   int     // position of the term in the query
	weight float64 // idf * count * (k1 + 1), at least any score of the term
	it     segment.PostingsIterator
	doc    uint64 // current document number in the segment, or exhausted
	tf, dl float64
}

// read keeps the values of posting p, or marks the cursor exhausted when
// p is nil.
func (c *cursor) read(p segment.Posting, lucene bool) {
	if p == nil {
		c.doc = exhausted
		return
	}
	if zp, ok := p.(*zap.Posting); ok {
		c.doc = zp.Number()
		c.tf = float64(zp.Frequency())
		c.dl = postingLength(zp.NormUint64(), lucene)
		return
	}
	c.doc = p.Number()
	c.tf = float64(p.Frequency())
	c.dl = normLength(p.Norm())
	if lucene {
		c.dl = float64(luceneLength(uint64(c.dl)))
	}
}

// next moves the cursor to its next posting.
func (c *cursor) next(lucene bool) error {
	p, err := c.it.Next()
	if err != nil {
		return err
	}
	c.read(p, lucene)
	return nil
}

// advance moves the cursor to its first posting at or after document
// target, which must be after the current one.
func (c *cursor) advance(target uint64, lucene bool) error {
	p, err := c.it.Advance(target)
	if err != nil {
		return err
	}
	c.read(p, lucene)
	return nil
}

// candidate is a document that reached the k-th score when it was scored.
type candidate struct {
	num   uint64
	score float64
}

// searchMaxScore returns the same top k as accumulate and topHits, for
// the terms that lookUp looked up. It scores document at a time and skips
// documents that cannot reach the k-th score found so far, with the
// MaxScore algorithm. A term adds at most its weight to a score, because
// tf / (tf + K) <= 1.
//
// Terms whose weights add up to less than the k-th score are
// non-essential, because a document with none of the other terms cannot
// reach it. Only the postings of the essential terms are walked. The
// non-essential terms are looked up in each of their documents while the
// document's bound still reaches the k-th score. The comparisons are
// strict, because a document that ties the k-th score can still rank by
// its ID. Each score is summed in query order, as accumulate sums it, so
// scores are identical.
func (ix *Index) searchMaxScore(ctx context.Context, s *scratch, terms []string, k int, p Params) ([]Hit, error) {
	lucene := p.Scoring == ScoringLucene
	lengthNorm := p.K1 * (1 - p.B)
	lengthScale := 0.0
	if ix.avgLen > 0 {
		lengthScale = p.K1 * p.B / ix.avgLen
	}

	cursors := s.cursors[:0]
	for i, w := range s.weights {
		if s.dfs[i] > 0 {
			cursors = append(cursors, cursor{term: i, weight: w})
		}
	}
	s.cursors = cursors
	// Sort by ascending weight, so that the non-essential terms are a
	// prefix. bounds[j] bounds the sum of the first j+1 weights.
	slices.SortStableFunc(cursors, func(a, b cursor) int { return cmp.Compare(a.weight, b.weight) })
	bounds := s.bounds[:0]
	sum := 0.0
	for _, c := range cursors {
		sum += c.weight
		bounds = append(bounds, sum*boundSlack)
	}
	s.bounds = bounds
	if cap(s.contrib) < len(terms) {
		s.contrib = make([]float64, len(terms))
	}
	contrib := s.contrib[:len(terms)]

	heap := s.heap[:0]
	cands := s.cands[:0]
	threshold := math.Inf(-1)
	// The cursors before first are non-essential.
	first := 0
	for seg, v := range ix.segments {
		if first == len(cursors) {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for j := range cursors {
			c := &cursors[j]
			c.it = s.terms[c.term].iterator(seg)
			if err := c.next(lucene); err != nil {
				return nil, fmt.Errorf("search: read postings of %q: %w", terms[c.term], err)
			}
		}
		for first < len(cursors) {
			doc := uint64(exhausted)
			for j := first; j < len(cursors); j++ {
				doc = min(doc, cursors[j].doc)
			}
			if doc == exhausted {
				break
			}
			partial := 0.0
			for j := first; j < len(cursors); j++ {
				c := &cursors[j]
				if c.doc != doc {
					continue
				}
				x := c.weight * c.tf / (c.tf + lengthNorm + lengthScale*c.dl)
				contrib[c.term] = x
				partial += x
				if err := c.next(lucene); err != nil {
					return nil, fmt.Errorf("search: read postings of %q: %w", terms[c.term], err)
				}
			}
			reached := true
			for j := first - 1; j >= 0; j-- {
				if (partial+bounds[j])*boundSlack < threshold {
					reached = false
					break
				}
				c := &cursors[j]
				if c.doc < doc {
					if err := c.advance(doc, lucene); err != nil {
						return nil, fmt.Errorf("search: read postings of %q: %w", terms[c.term], err)
					}
				}
				if c.doc == doc {
					x := c.weight * c.tf / (c.tf + lengthNorm + lengthScale*c.dl)
					contrib[c.term] = x
					partial += x
				}
			}
			if reached {
				score := 0.0
				for _, x := range contrib {
					score += x
				}
				if len(heap) < k {
					cands = append(cands, candidate{v.offset + doc, score})
					heap = append(heap, score)
					if len(heap) == k {
						heapify(heap)
						threshold = heap[0]
					}
				} else if score >= heap[0] {
					cands = append(cands, candidate{v.offset + doc, score})
					if score > heap[0] {
						heap[0] = score
						siftDown(heap, 0)
						threshold = heap[0]
					}
				}
				for first < len(cursors) && bounds[first] < threshold {
					first++
				}
			}
			clear(contrib)
		}
	}
	s.heap, s.cands = heap, cands

	if len(heap) < k {
		threshold = math.Inf(-1)
	}
	hits := make([]Hit, 0, min(k, len(cands)))
	for _, c := range cands {
		if c.score < threshold {
			continue
		}
		id, err := ix.docID(c.num)
		if err != nil {
			return nil, err
		}
		hits = append(hits, Hit{ID: id, Score: c.score})
	}
	sortHits(hits)
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}
