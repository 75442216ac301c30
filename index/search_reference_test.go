package index

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// referenceSearch returns the full ranking of text, computed the plain
// way. It reads postings through scorch's TermFieldReader, which leaves
// out deleted documents and numbers documents across segments, scores
// every matching document with the same arithmetic as Search and sorts
// them all.
func referenceSearch(t *testing.T, ix *Index, text string, p Params) []Hit {
	t.Helper()
	terms, counts := ix.Terms(text)
	n := float64(ix.meta.Passages)
	lengthNorm := p.K1 * (1 - p.B)
	lengthScale := p.K1 * p.B / ix.avgLen
	scores := map[uint64]float64{}
	for i, term := range terms {
		tfr, err := ix.reader.TermFieldReader(context.Background(), []byte(term), textField, true, true, false)
		if err != nil {
			t.Fatal(err)
		}
		df := float64(tfr.Count())
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		weight := float64(counts[i]) * idf * (p.K1 + 1)
		for {
			d, err := tfr.Next(nil)
			if err != nil {
				t.Fatal(err)
			}
			if d == nil {
				break
			}
			dl := math.Round(1 / (d.Norm * d.Norm))
			if p.Scoring == ScoringLucene {
				dl = float64(luceneLength(uint64(dl)))
			}
			tf := float64(d.Freq)
			scores[binary.BigEndian.Uint64(d.ID)] += weight * tf / (tf + lengthNorm + lengthScale*dl)
		}
		if err := tfr.Close(); err != nil {
			t.Fatal(err)
		}
	}
	hits := make([]Hit, 0, len(scores))
	for num, score := range scores {
		ext, err := ix.reader.ExternalID(bleveindex.IndexInternalID(binary.BigEndian.AppendUint64(nil, num)))
		if err != nil {
			t.Fatal(err)
		}
		id, err := parseDocID(ext)
		if err != nil {
			t.Fatal(err)
		}
		hits = append(hits, Hit{ID: id, Score: score})
	}
	sortHits(hits)
	return hits
}

// compareWithReference checks Search, term at a time and with MaxScore,
// against referenceSearch for each query and both exact scoring models,
// at small and large k. For up to
// three ties in the top 1000 of a query, it also tests the k that cuts
// the ranking inside the tie. It returns the number of such cuts.
func compareWithReference(t *testing.T, ix *Index, queries []string) int {
	t.Helper()
	tieCuts := 0
	defer func() { ix.maxScoreDocs = maxScoreDocs }()
	for _, scoring := range []string{ScoringOkapi, ScoringLucene} {
		p := DefaultParams()
		p.Scoring = scoring
		for _, q := range queries {
			full := referenceSearch(t, ix, q, p)
			ks := []int{1, 2, 10, 50, 100, 1000, len(full) + 1}
			ties := 0
			for i := 1; i < min(len(full), 1000) && ties < 3; i++ {
				if full[i].Score == full[i-1].Score {
					ks = append(ks, i)
					ties++
				}
			}
			tieCuts += ties
			for _, k := range ks {
				want := full[:min(k, len(full))]
				for _, path := range []struct {
					name string
					from uint64
				}{{"term at a time", math.MaxUint64}, {"MaxScore", 0}} {
					ix.maxScoreDocs = path.from
					got, err := ix.Search(context.Background(), q, k, p)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%s, %s: query %q, k=%d: got %d hits %v, want %d hits %v", path.name, scoring, q, k, len(got), got, len(want), want)
					}
				}
			}
		}
	}
	return tieCuts
}

// TestSearchMatchesReferenceSciFact compares Search with the plain
// ranking over the whole SciFact corpus, built as the tool builds it, in
// one segment.
func TestSearchMatchesReferenceSciFact(t *testing.T) {
	ix := buildTexts(t, readSciFactCorpus(t, 0), Options{})
	queries := readSciFactQueries(t)
	if testing.Short() {
		queries = queries[:200]
	}
	ties := compareWithReference(t, ix, queries)
	t.Logf("%d cuts inside a tie", ties)
	if ties == 0 {
		t.Fatal("no query ranks two passages with equal scores; the ties are not tested")
	}
}

// TestSearchMatchesReferenceDeleted compares Search with the plain ranking
// over an index of many segments, some of whose documents are deleted or
// replaced by a new version in a later segment.
func TestSearchMatchesReferenceDeleted(t *testing.T) {
	texts := readSciFactCorpus(t, 300)
	queries := readSciFactQueries(t)[:100]
	dir := filepath.Join(t.TempDir(), "index")
	built, _, _ := buildIndex(t, dir, Options{}, texts)
	closeIndex(t, built)
	rebuildPerPassage(t, dir, texts)

	// Delete every seventh passage and give every eleventh the text of
	// another, in one batch, so that their old versions stay behind as
	// deleted documents of earlier segments.
	idx, err := bleve.Open(filepath.Join(dir, bleveDir))
	if err != nil {
		t.Fatal(err)
	}
	analyzer := idx.Mapping().AnalyzerNamed(DefaultAnalyzer)
	batch := idx.NewBatch()
	for id := range texts {
		switch {
		case id%7 == 3:
			batch.Delete(docID(uint32(id)))
		case id%11 == 5:
			doc := document.NewDocument(docID(uint32(id)))
			other := texts[(id*13)%len(texts)]
			doc.AddField(document.NewTextFieldCustom(textField, nil, []byte(other), bleveindex.IndexField, analyzer))
			if err := batch.IndexAdvanced(doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := idx.Batch(batch); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	many, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer many.Close()
	deleted := 0
	for _, v := range many.segments {
		if v.deleted != nil {
			deleted += int(v.deleted.GetCardinality())
		}
	}
	t.Logf("%d segments, %d deleted documents", len(many.segments), deleted)
	if len(many.segments) < 2 || deleted == 0 {
		t.Fatalf("index has %d segments and %d deleted documents, want several of each", len(many.segments), deleted)
	}
	compareWithReference(t, many, queries)
}
