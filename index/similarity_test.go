package index

import (
	"context"
	"fmt"
	"math"
	"testing"
)

func TestDocVectorEqualsVector(t *testing.T) {
	texts := []string{
		"Tides rise and fall twice a day because the moon pulls on the oceans.",
		"The moon's gravity pulls the oceans; tides follow the moon.",
		"Yeast makes bread dough puff up with carbon dioxide.",
		"東京は日本最大の都市です。",
	}
	ix, _, ids := buildIndex(t, t.TempDir(), Options{}, texts)
	defer ix.Close()
	ctx := context.Background()
	for i, text := range texts {
		fromText, err := ix.Vector(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		fromStore, err := ix.DocVector(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(fromText) != len(fromStore) {
			t.Fatalf("passage %d: %d terms from the text, %d from the store", i, len(fromText), len(fromStore))
		}
		for term, w := range fromText {
			if math.Abs(fromStore[term]-w) > 1e-12 {
				t.Errorf("passage %d, term %q: weight %g from the store, %g from the text", i, term, fromStore[term], w)
			}
		}
	}
	a, _ := ix.DocVector(ctx, ids[0])
	b, _ := ix.DocVector(ctx, ids[1])
	c, _ := ix.DocVector(ctx, ids[2])
	if sim := Cosine(a, a); math.Abs(sim-1) > 1e-12 {
		t.Errorf("cosine of a vector with itself: got %g, want 1", sim)
	}
	if Cosine(a, c) != 0 {
		t.Errorf("cosine of passages without a shared term: got %g, want 0", Cosine(a, c))
	}
	if sim := Cosine(a, b); sim <= 0 || sim >= 1 {
		t.Errorf("cosine of related passages: got %g, want between 0 and 1", sim)
	}
}

// TestSimilaritiesEqualCosine checks the similarity of stored passages,
// computed from the stats file and a Reference, against the cosine of the
// two passages' vectors weighed term by term, on SciFact abstracts.
func TestSimilaritiesEqualCosine(t *testing.T) {
	texts := readSciFactCorpus(t, 5000)
	ix, _, ids := buildIndex(t, t.TempDir(), Options{}, texts)
	defer ix.Close()
	ctx := context.Background()
	refs := make([]Reference, 3)
	vecs := make([]Vector, 3)
	for i := range refs {
		var err error
		if refs[i], err = ix.Reference(ids[i]); err != nil {
			t.Fatal(err)
		}
		if vecs[i], err = ix.DocVector(ctx, ids[i]); err != nil {
			t.Fatal(err)
		}
		if refs[i].Terms() != len(vecs[i]) {
			t.Errorf("passage %d: reference has %d terms, vector %d", i, refs[i].Terms(), len(vecs[i]))
		}
	}
	sims := make([]float64, len(refs))
	related := 0
	for _, id := range ids {
		v, err := ix.DocVector(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		terms, err := ix.Similarities(id, refs, sims)
		if err != nil {
			t.Fatal(err)
		}
		if terms != len(v) {
			t.Errorf("passage %d: %d terms, want %d", id, terms, len(v))
		}
		for i, pv := range vecs {
			want := Cosine(v, pv)
			if math.Abs(sims[i]-want) > 1e-9 {
				t.Errorf("passage %d against %d: similarity %g, want %g", id, ids[i], sims[i], want)
			}
			if want > 0.1 {
				related++
			}
		}
	}
	if related < len(refs)+3 {
		t.Errorf("only %d pairs have a cosine above 0.1; the test needs related passages", related)
	}
}

// The functions below weigh a passage's vector term by term, the plain
// way, for the tests to check Reference and Similarities against.

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
		w := float64(counts[i]) * idf(n, float64(max(df, 1)))
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

// docFreq reads a term's document frequency from Bleve's postings.
func (ix *Index) docFreq(ctx context.Context, term string) (uint64, error) {
	tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), textField, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("read document frequency of %q: %w", term, err)
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// TestDocFreqTable checks the stored document frequencies against Bleve's
// postings for every term of some SciFact passages.
func TestDocFreqTable(t *testing.T) {
	texts := readSciFactCorpus(t, 500)
	ix, _, ids := buildIndex(t, t.TempDir(), Options{}, texts)
	defer ix.Close()
	checked := 0
	for _, id := range ids[:50] {
		terms, _, err := ix.terms.terms(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, term := range terms {
			want, err := ix.docFreq(context.Background(), term)
			if err != nil {
				t.Fatal(err)
			}
			if got := ix.docFreqs.get(term); got != want {
				t.Errorf("term %q: stored frequency %d, Bleve's postings hold %d", term, got, want)
			}
			checked++
		}
	}
	if got := ix.docFreqs.get("no-such-term-in-scifact"); got != 0 {
		t.Errorf("absent term: got frequency %d, want 0", got)
	}
	if checked < 1000 {
		t.Errorf("checked only %d terms", checked)
	}
}
