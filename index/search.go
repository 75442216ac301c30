package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// MaxQueryTerms caps the distinct terms of one query, so that a query of
// thousands of words costs a bounded number of postings scans. Terms past
// the cap are ignored, in order of first occurrence.
const MaxQueryTerms = 1024

// Scoring models that Search accepts.
const (
	// ScoringOkapi is exact Okapi BM25 computed over Bleve's postings.
	ScoringOkapi = "okapi"
	// ScoringLucene is Okapi BM25 as Lucene's BM25Similarity computes it,
	// and so Anserini and Pyserini: document lengths are read back from
	// Lucene's one-byte norm (see luceneLength), exact up to 39 tokens and
	// rounded down above. Scores are computed in float64, where Lucene
	// uses float32, so nearly equal scores may order differently.
	ScoringLucene = "lucene"
	// ScoringBleve is Bleve's own "bm25" scoring model. In Bleve v2.6.3 it
	// differs from Okapi BM25 in three ways. It takes the square root of
	// the term frequency, leaves out the factor k1 + 1, and divides the
	// field length by ceil(distinct terms / documents) in place of the mean
	// length. It uses Bleve's k1 = 1.2 and b = 0.75 and ignores Params.K1
	// and Params.B.
	ScoringBleve = "bleve"
)

// Default BM25 parameters, those of the Anserini and Pyserini BEIR
// baselines.
const (
	DefaultK1 = 0.9
	DefaultB  = 0.4
)

// Params selects the scoring model and its parameters.
type Params struct {
	Scoring string  // one of ScoringModels()
	K1      float64 // term frequency saturation
	B       float64 // length normalisation, from 0 (none) to 1 (full)
}

// DefaultParams returns exact Okapi BM25 with k1 = 0.9 and b = 0.4.
func DefaultParams() Params {
	return Params{Scoring: ScoringOkapi, K1: DefaultK1, B: DefaultB}
}

// Hit is a ranked passage.
type Hit struct {
	ID    uint32
	Score float64
}

// Search returns up to k passages that share at least one term with the
// query, by descending score and then ascending document ID.
func (ix *Index) Search(ctx context.Context, text string, k int, p Params) ([]Hit, error) {
	terms, counts := ix.Terms(text)
	if len(terms) == 0 || k <= 0 {
		return nil, nil
	}
	switch p.Scoring {
	case ScoringBleve:
		return ix.searchBleve(ctx, terms, counts, k)
	case ScoringOkapi, "":
		fallthrough
	case ScoringLucene:
		s := ix.getScratch()
		defer s.release()
		if err := ix.lookUp(s, terms, counts, p); err != nil {
			return nil, err
		}
		if ix.maxDoc >= ix.maxScoreDocs {
			return ix.searchMaxScore(ctx, s, terms, k, p)
		}
		if err := ix.accumulate(ctx, s, terms, p); err != nil {
			return nil, err
		}
		hits, _, err := ix.topHits(s, k, math.Inf(1))
		return hits, err
	}
	return nil, fmt.Errorf("search: unknown scoring model %q; use one of %s", p.Scoring, ScoringModels())
}

// maxScoreDocs is the index size from which Search ranks with
// searchMaxScore instead of term at a time. Measured CPU time per query
// at k = 50: on SciFact (5,183 passages) 170 µs term at a time and 228 µs
// with MaxScore, at 1M passages 1.9 ms and 1.0 ms. The threshold between
// the two sizes is an estimate: 65,536 passages, an accumulator of 512 KB.
const maxScoreDocs = 1 << 16

// ScoringModels lists the scoring models that Search accepts.
func ScoringModels() []string {
	return []string{ScoringOkapi, ScoringLucene, ScoringBleve}
}

// scratch is one search's accumulator, indexed by Bleve's internal
// document number and reused across searches.
type scratch struct {
	acc     []float64
	touched []uint64
	heap    []float64
	// dicts, terms and key are the segment dictionaries and postings
	// that Search reads through; see postings.go.
	dicts []segment.TermDictionary
	terms []termPostings
	key   []byte
	// weights and dfs are the query terms' weights and document
	// frequencies, set by lookUp.
	weights []float64
	dfs     []uint64
	// cursors, bounds, contrib and cands are the state of
	// searchMaxScore.
	cursors []cursor
	bounds  []float64
	contrib []float64
	cands   []candidate
	// pool is the index's pool that the scratch returns to.
	pool *sync.Pool
}

// getScratch takes a scratch from the index's pool. A scratch contains
// dictionaries of the index's segments, so scratches are not shared
// between indexes.
func (ix *Index) getScratch() *scratch {
	s, _ := ix.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{pool: &ix.scratch}
	}
	return s
}

// SearchWindow ranks like Search and returns the top k passages, and also
// the top k of those scoring at most limit together with the number of
// passages scoring above it. A candidate's rank in the full ranking is
// above plus its position in below. Bleve's own scoring does not support
// it.
func (ix *Index) SearchWindow(ctx context.Context, text string, k int, limit float64, p Params) (top, below []Hit, above int, err error) {
	if p.Scoring == ScoringBleve {
		return nil, nil, 0, fmt.Errorf("search: a score limit needs the %q or %q scoring model", ScoringOkapi, ScoringLucene)
	}
	terms, counts := ix.Terms(text)
	if len(terms) == 0 || k <= 0 {
		return nil, nil, 0, nil
	}
	s := ix.getScratch()
	defer s.release()
	if err := ix.lookUp(s, terms, counts, p); err != nil {
		return nil, nil, 0, err
	}
	if err := ix.accumulate(ctx, s, terms, p); err != nil {
		return nil, nil, 0, err
	}
	if top, _, err = ix.topHits(s, k, math.Inf(1)); err != nil {
		return nil, nil, 0, err
	}
	below, above, err = ix.topHits(s, k, limit)
	return top, below, above, err
}

// release clears the accumulator and returns it to the pool.
func (s *scratch) release() {
	for _, n := range s.touched {
		s.acc[n] = 0
	}
	s.touched = s.touched[:0]
	s.pool.Put(s)
}

// lookUp looks each query term up in every segment, into the scratch
// slot of its position, and keeps its weight, idf * count * (k1 + 1), in
// s.weights and its document frequency in s.dfs.
func (ix *Index) lookUp(s *scratch, terms []string, counts []int, p Params) error {
	n := float64(ix.meta.Passages)
	s.weights, s.dfs = s.weights[:0], s.dfs[:0]
	for i, term := range terms {
		_, df, err := ix.postings(s, i, term)
		if err != nil {
			return fmt.Errorf("search: read postings of %q: %w", term, err)
		}
		idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
		s.weights = append(s.weights, float64(counts[i])*idf*(p.K1+1))
		s.dfs = append(s.dfs, df)
	}
	return nil
}

// accumulate scores, term at a time, the terms that lookUp looked up. For
// each query term it walks the term's postings in each segment and adds
// the term's BM25 weight to each document's accumulator. Every score is
// positive, so a zero accumulator marks a document not seen yet.
func (ix *Index) accumulate(ctx context.Context, s *scratch, terms []string, p Params) error {
	lucene := p.Scoring == ScoringLucene
	lengthNorm := p.K1 * (1 - p.B)
	lengthScale := 0.0
	if ix.avgLen > 0 {
		lengthScale = p.K1 * p.B / ix.avgLen
	}
	if len(s.acc) < int(ix.maxDoc) {
		s.acc = make([]float64, ix.maxDoc)
	}
	acc := s.acc
	for i, term := range terms {
		if err := ctx.Err(); err != nil {
			return err
		}
		tp := &s.terms[i]
		weight := s.weights[i]
		for seg, v := range ix.segments {
			it := tp.iterator(seg)
			for {
				posting, err := it.Next()
				if err != nil {
					return fmt.Errorf("search: read postings of %q: %w", term, err)
				}
				if posting == nil {
					break
				}
				var num uint64
				var tf, dl float64
				if zp, ok := posting.(*zap.Posting); ok {
					num = v.offset + zp.Number()
					tf = float64(zp.Frequency())
					dl = postingLength(zp.NormUint64(), lucene)
				} else {
					num = v.offset + posting.Number()
					tf = float64(posting.Frequency())
					dl = normLength(posting.Norm())
					if lucene {
						dl = float64(luceneLength(uint64(dl)))
					}
				}
				if acc[num] == 0 {
					s.touched = append(s.touched, num)
				}
				acc[num] += weight * tf / (tf + lengthNorm + lengthScale*dl)
			}
		}
	}
	return nil
}

// luceneLength returns a document length as Lucene's BM25Similarity reads
// it back from the one-byte norm that SmallFloat.intToByte4 encodes.
// Lengths below 24 are kept. Of a longer length, the excess over 24 is
// rounded down to its 4 most significant bits, so the result is exact up
// to 39 and below that by at most 1/8 of the excess.
func luceneLength(n uint64) uint64 {
	const free = 24
	if n < free {
		return n
	}
	excess := n - free
	shift := max(bits.Len64(excess)-4, 0)
	return free + excess>>shift<<shift
}

// topHits returns the k best accumulated documents that score at most
// limit, and the number that score above it. Ties are broken by document
// ID, which Bleve's internal numbers do not follow, so every document that
// reaches the k-th score is mapped to its ID before sorting.
func (ix *Index) topHits(s *scratch, k int, limit float64) ([]Hit, int, error) {
	threshold := math.Inf(-1)
	above := 0
	for _, num := range s.touched {
		if s.acc[num] > limit {
			above++
		}
	}
	if len(s.touched)-above > k {
		s.heap = s.heap[:0]
		for _, num := range s.touched {
			score := s.acc[num]
			if score > limit {
				continue
			}
			if len(s.heap) < k {
				s.heap = append(s.heap, score)
				if len(s.heap) == k {
					heapify(s.heap)
				}
			} else if score > s.heap[0] {
				s.heap[0] = score
				siftDown(s.heap, 0)
			}
		}
		threshold = s.heap[0]
	}
	// k can exceed the index size by far (a large -depth), so size the
	// slice by the documents that matched.
	hits := make([]Hit, 0, min(k, len(s.touched)))
	for _, num := range s.touched {
		score := s.acc[num]
		if score < threshold || score > limit {
			continue
		}
		id, err := ix.docID(num)
		if err != nil {
			return nil, 0, err
		}
		hits = append(hits, Hit{ID: id, Score: score})
	}
	sortHits(hits)
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, above, nil
}

// docID maps a Bleve internal document number to its document ID, looking
// it up in Bleve once and then in ix.docIDs.
func (ix *Index) docID(num uint64) (uint32, error) {
	if num < uint64(len(ix.docIDs)) {
		if v := ix.docIDs[num].Load(); v != 0 {
			return v - 1, nil
		}
	}
	var internal [8]byte
	binary.BigEndian.PutUint64(internal[:], num)
	ext, err := ix.reader.ExternalID(internal[:])
	if err != nil {
		return 0, fmt.Errorf("search: map document %d: %w", num, err)
	}
	id, err := parseDocID(ext)
	if err != nil {
		return 0, err
	}
	if num < uint64(len(ix.docIDs)) {
		ix.docIDs[num].Store(id + 1)
	}
	return id, nil
}

func sortHits(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// heapify and siftDown keep a min-heap of scores.
func heapify(h []float64) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
}

func siftDown(h []float64, i int) {
	for {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] < h[least] {
			least = l
		}
		if r < len(h) && h[r] < h[least] {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}

// searchBleve ranks with Bleve's own search: a disjunction of term queries,
// each boosted by the term's count in the query.
func (ix *Index) searchBleve(ctx context.Context, terms []string, counts []int, k int) ([]Hit, error) {
	clauses := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(textField)
		tq.SetBoost(float64(counts[i]))
		clauses[i] = tq
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), k, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, err := parseDocID(h.ID)
		if err != nil {
			return nil, err
		}
		hits = append(hits, Hit{ID: id, Score: h.Score})
	}
	return hits, nil
}
