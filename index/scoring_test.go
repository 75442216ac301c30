package index

import (
	"context"
	"math"
	"testing"
)

// bm25Weight returns one query term's Okapi BM25 weight in a document, from
// counts derived by hand: n documents, df of them contain the term, the
// document has tf occurrences and dl tokens, and the collection averages
// avgdl tokens.
func bm25Weight(n, df, tf, dl, avgdl, k1, b float64) float64 {
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	return idf * tf * (k1 + 1) / (tf + k1*(1-b+b*dl/avgdl))
}

// animals is a corpus whose analyzed terms are easy to count by hand: the
// english analyzer drops "the" and "and", strips the possessive "'s" and
// lower-cases, and Porter stemming leaves these words as they are.
//
//	0 "cat dog dog"                 cat 1, dog 2                  dl 3
//	1 "The dog's bird"              dog 1, bird 1                 dl 2
//	2 "fish fish fish cat bird owl" fish 3, cat 1, bird 1, owl 1  dl 6
//	3 "owl"                         owl 1                         dl 1
//	4 "OWL and the"                 owl 1                         dl 1
//
// That is 5 documents and 13 tokens. Document frequencies: cat 2, dog 2,
// bird 2, fish 1, owl 3.
var animals = []string{
	"cat dog dog",
	"The dog's bird",
	"fish fish fish cat bird owl",
	"owl",
	"OWL and the",
}

func TestSearchOkapiHandComputed(t *testing.T) {
	ix := buildTexts(t, animals, Options{})
	const n, avgdl = 5.0, 13.0 / 5
	if got := ix.AvgLen(); got != avgdl {
		t.Fatalf("AvgLen() = %v, want %v", got, avgdl)
	}
	p := DefaultParams()
	w := func(df, tf, dl float64) float64 { return bm25Weight(n, df, tf, dl, avgdl, p.K1, p.B) }
	tests := []struct {
		query string
		k     int
		want  []Hit
	}{
		{"dog", 10, []Hit{
			{0, w(2, 2, 3)},
			{1, w(2, 1, 2)},
		}},
		{"cat dog", 10, []Hit{
			{0, w(2, 1, 3) + w(2, 2, 3)},
			{1, w(2, 1, 2)},
			{2, w(2, 1, 6)},
		}},
		// A repeated query term counts as often as it occurs.
		{"owl owl fish", 10, []Hit{
			{2, 2*w(3, 1, 6) + w(1, 3, 6)},
			{3, 2 * w(3, 1, 1)},
			{4, 2 * w(3, 1, 1)},
		}},
		// Documents 3 and 4 tie; the lower document ID wins the one place.
		{"owl", 1, []Hit{{3, w(3, 1, 1)}}},
		// "Dogs'" and "owls" stem to "dog" and "owl".
		{"Dogs' owls", 10, []Hit{
			{0, w(2, 2, 3)},
			{1, w(2, 1, 2)},
			{3, w(3, 1, 1)},
			{4, w(3, 1, 1)},
			{2, w(3, 1, 6)},
		}},
		{"zebra", 10, nil},
		{"the and", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := ix.Search(context.Background(), tt.query, tt.k, p)
			if err != nil {
				t.Fatal(err)
			}
			checkHits(t, got, tt.want)
		})
	}
}

// checkHits compares hits in order: equal IDs, and scores within 1e-9.
func checkHits(t *testing.T, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d hits %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Errorf("hit %d: got document %d, want %d (all hits: %v)", i, got[i].ID, want[i].ID, got)
		}
		if math.Abs(got[i].Score-want[i].Score) > 1e-9 {
			t.Errorf("hit %d (document %d): got score %.12f, want %.12f", i, got[i].ID, got[i].Score, want[i].Score)
		}
	}
}

func TestSearchParams(t *testing.T) {
	ix := buildTexts(t, animals, Options{})
	const n, avgdl = 5.0, 13.0 / 5
	tests := []struct {
		k1, b float64
	}{
		{1.2, 0.75},
		{0.9, 0},   // no length normalisation
		{0.9, 1},   // full length normalisation
		{0, 0.4},   // binary term frequency: every matching document scores idf
		{2.5, 0.3}, // strong term frequency effect
	}
	for _, tt := range tests {
		p := Params{Scoring: ScoringOkapi, K1: tt.k1, B: tt.b}
		got, err := ix.Search(context.Background(), "fish cat", 10, p)
		if err != nil {
			t.Fatal(err)
		}
		want := []Hit{
			{2, bm25Weight(n, 1, 3, 6, avgdl, tt.k1, tt.b) + bm25Weight(n, 2, 1, 6, avgdl, tt.k1, tt.b)},
			{0, bm25Weight(n, 2, 1, 3, avgdl, tt.k1, tt.b)},
		}
		t.Run("", func(t *testing.T) { checkHits(t, got, want) })
	}
}

func TestLuceneLength(t *testing.T) {
	// Values worked out from Lucene's SmallFloat.intToByte4 and
	// byte4ToInt. A length below 24 is its own byte. Above, the excess
	// over 24 keeps its 4 most significant bits.
	tests := []struct{ in, want uint64 }{
		{0, 0}, {1, 1}, {23, 23}, {24, 24}, {31, 31}, {32, 32}, {39, 39},
		{40, 40}, {41, 40}, {42, 42}, {43, 42}, {55, 54}, {56, 56},
		{1000, 984}, {1 << 20, 983064},
	}
	for _, tt := range tests {
		if got := luceneLength(tt.in); got != tt.want {
			t.Errorf("luceneLength(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestSearchLuceneLengths(t *testing.T) {
	long := "owl"
	for range 40 {
		long += " fish"
	}
	// Document 0 has 41 tokens, which Lucene's norm stores as 40; document
	// 1 has 2. Together 43 tokens in 2 documents.
	ix := buildTexts(t, []string{long, "owl cat"}, Options{})
	const n, avgdl = 2.0, 43.0 / 2
	p := DefaultParams()
	for _, tt := range []struct {
		scoring string
		dl      float64
	}{
		{ScoringOkapi, 41},
		{ScoringLucene, 40},
	} {
		t.Run(tt.scoring, func(t *testing.T) {
			p.Scoring = tt.scoring
			got, err := ix.Search(context.Background(), "owl", 10, p)
			if err != nil {
				t.Fatal(err)
			}
			checkHits(t, got, []Hit{
				{1, bm25Weight(n, 2, 1, 2, avgdl, p.K1, p.B)},
				{0, bm25Weight(n, 2, 1, tt.dl, avgdl, p.K1, p.B)},
			})
		})
	}
}

// TestSearchBleveIsBM25 checks the "bleve" scoring against Bleve's bm25
// model as bleve v2.6.3 implements it in search/scorer/scorer_term.go. It
// uses the square root of the term frequency, k1 = 1.2 and b = 0.75 (Params
// are ignored) and the BM25 idf. Its average length is the field's
// distinct terms, summed over segments, divided by the document count and
// rounded up. The
// document length is read back from the norm 1/sqrt(dl) that zapx stores
// as a float32, without rounding. For a one-term query the query norm
// cancels the idf's second factor.
func TestSearchBleveIsBM25(t *testing.T) {
	// One batch makes one segment with 5 distinct terms: cat, dog, bird,
	// fish, owl. 5 documents, so the average length is ceil(5/5) = 1.
	ix := buildTexts(t, animals, Options{})
	const n, avgdl, k1, b = 5.0, 1.0, 1.2, 0.75
	norm := func(dl float64) float64 { return float64(float32(1 / math.Sqrt(dl))) }
	bm25 := func(df, tf, dl float64) float64 {
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		s := math.Sqrt(tf)
		length := 1 / (norm(dl) * norm(dl))
		return idf * s * k1 / (s + k1*(1-b+b*length/avgdl))
	}
	tfidf := func(df, tf, dl float64) float64 {
		return math.Sqrt(tf) * norm(dl) * (1 + math.Log(n/(df+1)))
	}
	p := Params{Scoring: ScoringBleve, K1: 0.5, B: 0.1}
	got, err := ix.Search(context.Background(), "fish", 10, p)
	if err != nil {
		t.Fatal(err)
	}
	checkHits(t, got, []Hit{{2, bm25(1, 3, 6)}})
	if d := math.Abs(got[0].Score - tfidf(1, 3, 6)); d < 1e-3 {
		t.Errorf("bm25 and TF-IDF scores differ by only %g; the check cannot tell them apart", d)
	}
	got, err = ix.Search(context.Background(), "dog", 10, p)
	if err != nil {
		t.Fatal(err)
	}
	checkHits(t, got, []Hit{{1, bm25(2, 1, 2)}, {0, bm25(2, 2, 3)}})
}

func TestSearchRejectsUnknownScoring(t *testing.T) {
	ix := buildTexts(t, animals, Options{})
	_, err := ix.Search(context.Background(), "owl", 10, Params{Scoring: "tfidf"})
	if err == nil {
		t.Fatal("Search with scoring \"tfidf\" returned no error")
	}
}
