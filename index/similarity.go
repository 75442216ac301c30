package index

import "sync"

// Reference is a passage prepared for cosine similarity with others. Each
// of its terms carries its tf·idf weight times the term's idf, divided by
// the passage's vector length, so that another passage's term counts
// times these weights, summed and divided by that passage's vector length,
// give their cosine. Other passages then need no document frequencies.
type Reference struct {
	weights map[string]float64
}

// Terms returns the number of distinct terms of the passage.
func (r Reference) Terms() int { return len(r.weights) }

// Reference prepares passage id for Similarities.
func (ix *Index) Reference(id uint32) (Reference, error) {
	terms, counts, err := ix.terms.terms(id)
	if err != nil {
		return Reference{}, err
	}
	_, norm, err := ix.stats.read(id)
	if err != nil {
		return Reference{}, err
	}
	r := Reference{weights: make(map[string]float64, len(terms))}
	n := float64(ix.meta.Passages)
	for i, t := range terms {
		df := ix.docFreqs.get(t)
		w := 0.0
		if norm > 0 {
			f := idf(n, float64(max(df, 1)))
			w = float64(counts[i]) * f * f / norm
		}
		r.weights[t] = w
	}
	return r, nil
}

// termBuffers holds buffers for the encoded terms of a passage.
var termBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Similarities sets sims[i] to the cosine similarity of the tf·idf vectors
// of passage id and refs[i], and returns the number of distinct terms of
// passage id. sims must be as long as refs. Only passage id's stored term
// counts and vector length are read.
func (ix *Index) Similarities(id uint32, refs []Reference, sims []float64) (int, error) {
	_, norm, err := ix.stats.read(id)
	if err != nil {
		return 0, err
	}
	bp := termBuffers.Get().(*[]byte)
	defer termBuffers.Put(bp)
	if *bp, err = ix.terms.raw(id, *bp); err != nil {
		return 0, err
	}
	clear(sims)
	terms := 0
	err = eachTerm(id, *bp, func(term []byte, tf uint64) {
		terms++
		for i, r := range refs {
			if w, ok := r.weights[string(term)]; ok {
				sims[i] += float64(tf) * w
			}
		}
	})
	if err != nil {
		return 0, err
	}
	for i := range sims {
		if norm > 0 {
			sims[i] /= norm
		}
	}
	return terms, nil
}
