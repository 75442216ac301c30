package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// closeTo reports whether got equals want within a relative error of 1e-12,
// which allows for a different order of floating-point operations.
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Abs(want)
}

// okapi is one term's Okapi BM25 weight as Lucene defines it, written out
// from the formula: idf(df, n) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)).
func okapi(tf, df, n, dl, avgdl, k1, b float64) float64 {
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	return idf * tf * (k1 + 1) / (tf + k1*(1-b+b*dl/avgdl))
}

// TestSearchOkapiScores checks scores against the formula on a corpus
// whose statistics are counted by hand. After the English analyzer, the
// passages have these terms, all unchanged by stemming:
//
//	0: cat dog                      (2 tokens)
//	1: cat cat cat bird             (4 tokens)
//	2: fish                         (1 token)
//	3: dog bird fish fish fish fish (6 tokens)
//
// N = 4, 13 tokens, avgdl = 3.25; cat and fish each occur in 2 passages.
func TestSearchOkapiScores(t *testing.T) {
	passages := []string{"cat dog", "The cat, the cat and a cat bird!", "fish", "dog bird fish fish fish fish"}
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, passages)
	defer closeIndex(t, ix)

	if ix.AvgLen() != 3.25 {
		t.Errorf("AvgLen: got %v, want 3.25", ix.AvgLen())
	}
	if ix.Meta().Tokens != 13 {
		t.Errorf("Meta().Tokens: got %d, want 13", ix.Meta().Tokens)
	}
	terms, counts := ix.Terms("Cat fish, FISH")
	if !slices.Equal(terms, []string{"cat", "fish"}) || !slices.Equal(counts, []int{1, 2}) {
		t.Fatalf("Terms: got %q %v, want [cat fish] [1 2]", terms, counts)
	}

	for _, p := range []struct{ k1, b float64 }{{0.9, 0.4}, {1.2, 0.75}, {2, 0}, {0.5, 1}} {
		t.Run(fmt.Sprintf("k1=%v b=%v", p.k1, p.b), func(t *testing.T) {
			// fish occurs twice in the query, so its weight counts twice.
			want := []Hit{
				{ID: 0, Score: okapi(1, 2, 4, 2, 3.25, p.k1, p.b)},
				{ID: 1, Score: okapi(3, 2, 4, 4, 3.25, p.k1, p.b)},
				{ID: 2, Score: 2 * okapi(1, 2, 4, 1, 3.25, p.k1, p.b)},
				{ID: 3, Score: 2 * okapi(4, 2, 4, 6, 3.25, p.k1, p.b)},
			}
			slices.SortFunc(want, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
			hits, err := ix.Search(context.Background(), "Cat fish, FISH", 10, Params{Scoring: ScoringOkapi, K1: p.k1, B: p.b})
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if len(hits) != len(want) {
				t.Fatalf("got %d hits %v, want %v", len(hits), hits, want)
			}
			for i := range want {
				if hits[i].ID != want[i].ID || !closeTo(hits[i].Score, want[i].Score) {
					t.Errorf("hit %d: got %+v, want %+v", i, hits[i], want[i])
				}
			}
		})
	}
}

// tieCorpus has two groups of passages with equal scores for the query
// "melon apple": apple and melon each occur in 3 of 7 passages, and every
// passage has 2 tokens. Passages 5 and 6 hold their term twice and tie
// above 0 to 3, which hold it once. Passages 2 and 3 are reached first
// through melon, the query's first term, but rank after 0 and 1 by ID.
var tieCorpus = []string{
	"apple one",
	"apple two",
	"melon three",
	"melon four",
	"kiwi five",
	"apple apple",
	"melon melon",
}

func TestSearchBreaksTiesByID(t *testing.T) {
	for _, batch := range []int{DefaultBatchSize, 1} {
		ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{BatchSize: batch}, tieCorpus)
		for _, scoring := range []string{ScoringOkapi, ScoringBleve} {
			for k, want := range map[int][]uint32{
				1:  {5},
				2:  {5, 6},
				3:  {5, 6, 0},
				4:  {5, 6, 0, 1},
				5:  {5, 6, 0, 1, 2},
				10: {5, 6, 0, 1, 2, 3},
			} {
				t.Run(fmt.Sprintf("batch %d %s k=%d", batch, scoring, k), func(t *testing.T) {
					p := DefaultParams()
					p.Scoring = scoring
					hits, err := ix.Search(context.Background(), "melon apple", k, p)
					if err != nil {
						t.Fatalf("Search: %v", err)
					}
					if got := hitIDs(hits); !slices.Equal(got, want) {
						t.Errorf("got IDs %v, want %v (hits %v)", got, want, hits)
					}
					for i := 1; i < len(hits); i++ {
						if hits[i].Score > hits[i-1].Score {
							t.Errorf("hit %d scores %v, above hit %d with %v", i, hits[i].Score, i-1, hits[i-1].Score)
						}
					}
					if len(hits) >= 2 && hits[0].Score != hits[1].Score {
						t.Errorf("passages 5 and 6: got scores %v and %v, want a tie", hits[0].Score, hits[1].Score)
					}
				})
			}
		}
		closeIndex(t, ix)
	}
}

// TestSearchScoresIgnoreSegments builds the same passages in one Bleve
// segment and in one segment per passage, and compares the scores.
func TestSearchScoresIgnoreSegments(t *testing.T) {
	single, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "single"), Options{}, tieCorpus)
	defer closeIndex(t, single)
	perPassage, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "per-passage"), Options{BatchSize: 1}, tieCorpus)
	defer closeIndex(t, perPassage)
	for _, q := range []string{"melon apple", "kiwi", "apple apple one"} {
		a, err := single.Search(context.Background(), q, 10, DefaultParams())
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		b, err := perPassage.Search(context.Background(), q, 10, DefaultParams())
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%q: one segment gives %v, one per passage gives %v", q, a, b)
		}
	}
}

func TestSearchQuerySyntaxIsText(t *testing.T) {
	passages := []string{
		"The title of the foo report",
		"bar and baz are placeholder names",
		"nothing relevant here",
		"see +title \"foo\"",
	}
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, passages)
	defer closeIndex(t, ix)

	const q = `+title:"foo" -bar AND baz*`
	// "and" is a stop word and "title" stems to "titl".
	terms, counts := ix.Terms(q)
	if !slices.Equal(terms, []string{"titl", "foo", "bar", "baz"}) || !slices.Equal(counts, []int{1, 1, 1, 1}) {
		t.Errorf("Terms: got %q %v, want [titl foo bar baz] [1 1 1 1]", terms, counts)
	}
	for _, scoring := range []string{ScoringOkapi, ScoringBleve} {
		t.Run(scoring, func(t *testing.T) {
			p := DefaultParams()
			p.Scoring = scoring
			hits, err := ix.Search(context.Background(), q, 10, p)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			got := hitIDs(hits)
			slices.Sort(got)
			if !slices.Equal(got, []uint32{0, 1, 3}) {
				t.Errorf("got IDs %v, want 0, 1 and 3 in any order", got)
			}
		})
	}
}

func TestSearchNoTerms(t *testing.T) {
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, []string{"the cat sat", "a dog ran"})
	defer closeIndex(t, ix)
	for _, q := range []string{"", "   ", "the and of a", "The AND Of", `+-:*"()`, "unseen words"} {
		for _, scoring := range []string{ScoringOkapi, ScoringBleve} {
			p := DefaultParams()
			p.Scoring = scoring
			hits, err := ix.Search(context.Background(), q, 10, p)
			if err != nil {
				t.Errorf("%s %q: got error %v", scoring, q, err)
			}
			if len(hits) != 0 {
				t.Errorf("%s %q: got hits %v, want none", scoring, q, hits)
			}
		}
	}
	hits, err := ix.Search(context.Background(), "cat", 0, DefaultParams())
	if err != nil || len(hits) != 0 {
		t.Errorf("k=0: got %v, %v, want no hits and no error", hits, err)
	}
}

func TestSearchUnknownScoring(t *testing.T) {
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, []string{"the cat sat"})
	defer closeIndex(t, ix)
	_, err := ix.Search(context.Background(), "cat", 10, Params{Scoring: "tfidf", K1: 1, B: 0.5})
	want := `search: unknown scoring model "tfidf"; use one of [okapi lucene bleve]`
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

// TestBleveScoringIsBM25 shows that the index mapping selects Bleve's
// "bm25" scoring model and not its default TF-IDF. Bleve v2.6.3 scores a
// single-term query (search/scorer/scorer_term.go and
// search/searcher/search_term.go) as
//
//	idf * sqrt(freq) * k1 / (sqrt(freq) + k1 * (1 - b + b * fieldLength / avgDocLength))
//
// with k1 = 1.2, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
// fieldLength = 1 / norm², where norm is the float32 1 / sqrt(tokens), and
// avgDocLength = ceil(fieldCardinality / N). fieldCardinality is the number
// of distinct terms in the field's dictionary, summed over segments. The
// query norm of a single-term query cancels its weight. TF-IDF would score
// sqrt(freq) * norm * (1 + ln(N / (df + 1))).
//
// The corpus is indexed in one batch, so in one segment:
//
//	0: cat dog cow                  (3 tokens)
//	1: cat cat cat bird             (4 tokens)
//	2: fish                         (1 token)
//	3: dog bird fish fish fish fish (6 tokens)
//
// N = 4, 5 distinct terms, avgDocLength = ceil(5 / 4) = 2, and fish occurs
// in 2 passages.
func TestBleveScoringIsBM25(t *testing.T) {
	passages := []string{"cat dog cow", "cat cat cat bird", "fish", "dog bird fish fish fish fish"}
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, passages)
	defer closeIndex(t, ix)

	const (
		n, df, avgDocLength = 4.0, 2.0, 2.0
		k1, b               = 1.2, 0.75
	)
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	bm25 := func(freq, tokens float64) float64 {
		norm := float64(float32(1 / math.Sqrt(tokens)))
		fieldLength := 1 / (norm * norm)
		tf := math.Sqrt(freq)
		return idf * tf * k1 / (tf + k1*(1-b+b*fieldLength/avgDocLength))
	}
	tfidf := func(freq, tokens float64) float64 {
		norm := float64(float32(1 / math.Sqrt(tokens)))
		return math.Sqrt(freq) * norm * (1 + math.Log(n/(df+1)))
	}

	// Passage 2 holds fish once in 1 token, passage 3 four times in 6
	// tokens; length normalisation ranks the short one first.
	want := []Hit{{ID: 2, Score: bm25(1, 1)}, {ID: 3, Score: bm25(4, 6)}}
	hits, err := ix.Search(context.Background(), "fish", 10, Params{Scoring: ScoringBleve})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(hits) != 2 {
		t.Fatalf("got hits %v, want %v", hits, want)
	}
	for i, w := range want {
		if hits[i].ID != w.ID || !closeTo(hits[i].Score, w.Score) {
			t.Errorf("hit %d: got %+v, want %+v", i, hits[i], w)
		}
	}
	if tf := tfidf(1, 1); math.Abs(hits[0].Score-tf) < 1e-3 {
		t.Errorf("passage 2: score %v equals the TF-IDF score %v", hits[0].Score, tf)
	}
	if tf := tfidf(4, 6); math.Abs(hits[1].Score-tf) < 1e-3 {
		t.Errorf("passage 3: score %v equals the TF-IDF score %v", hits[1].Score, tf)
	}

	// Bleve's model also differs from the exact Okapi BM25 that mine uses
	// by default, even with the same k1 and b. Okapi counts tf without a
	// square root, multiplies by k1 + 1 and divides dl by the mean token
	// count, 3.5, so it ranks passage 3 first.
	okapiHits, err := ix.Search(context.Background(), "fish", 10, Params{Scoring: ScoringOkapi, K1: k1, B: b})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	wantOkapi := []Hit{{ID: 3, Score: okapi(4, 2, 4, 6, 3.5, k1, b)}, {ID: 2, Score: okapi(1, 2, 4, 1, 3.5, k1, b)}}
	if len(okapiHits) != 2 {
		t.Fatalf("Okapi hits: got %v, want %v", okapiHits, wantOkapi)
	}
	for i, w := range wantOkapi {
		if okapiHits[i].ID != w.ID || !closeTo(okapiHits[i].Score, w.Score) {
			t.Errorf("Okapi hit %d: got %+v, want %+v", i, okapiHits[i], w)
		}
	}
}

// TestSearchLargeK requests far more hits than the index contains, as a
// large -depth does. The matches come back without allocating room for k
// hits.
func TestSearchLargeK(t *testing.T) {
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, tieCorpus)
	defer closeIndex(t, ix)
	for _, scoring := range []string{ScoringOkapi, ScoringBleve} {
		t.Run(scoring, func(t *testing.T) {
			p := DefaultParams()
			p.Scoring = scoring
			hits, err := ix.Search(context.Background(), "melon apple", 1<<40, p)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if got := hitIDs(hits); !slices.Equal(got, []uint32{5, 6, 0, 1, 2, 3}) {
				t.Errorf("got IDs %v, want [5 6 0 1 2 3]", got)
			}
		})
	}
}

// TestSearchConcurrent runs searches from several goroutines, as the
// mining workers do, and expects each to match a search run alone.
func TestSearchConcurrent(t *testing.T) {
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{BatchSize: 2}, tieCorpus)
	defer closeIndex(t, ix)
	queries := []string{"melon apple", "kiwi five", "apple", "melon melon", "one two three four"}
	want := make([][]Hit, len(queries))
	for i, q := range queries {
		hits, err := ix.Search(context.Background(), q, 3, DefaultParams())
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		want[i] = hits
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := (w + n) % len(queries)
				hits, err := ix.Search(context.Background(), queries[i], 3, DefaultParams())
				if err == nil && !slices.Equal(hits, want[i]) {
					err = fmt.Errorf("%q: got %v, want %v", queries[i], hits, want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
