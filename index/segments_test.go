package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// segments returns the number of segments in the index's Bleve snapshot.
func segments(t *testing.T, ix *Index) int {
	t.Helper()
	snap, ok := ix.reader.(*scorch.IndexSnapshot)
	if !ok {
		t.Fatalf("index reader is a %T, want a scorch snapshot", ix.reader)
	}
	return len(snap.Segments())
}

// forceMerge merges the Bleve index in dir into one segment.
func forceMerge(t *testing.T, dir string) {
	t.Helper()
	idx, err := bleve.Open(filepath.Join(dir, bleveDir))
	if err != nil {
		t.Fatal(err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		idx.Close()
		t.Fatal(err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		idx.Close()
		t.Fatalf("bleve index is a %T, want scorch", adv)
	}
	if err := s.ForceMerge(context.Background(), nil); err != nil {
		idx.Close()
		t.Fatal(err)
	}
	if err := waitPersisted(s); err != nil {
		idx.Close()
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

// rebuildPerPassage replaces the Bleve index in dir with one built through
// an open scorch index, a batch per passage, which leaves many segments.
func rebuildPerPassage(t *testing.T, dir string, texts []string) {
	t.Helper()
	path := filepath.Join(dir, bleveDir)
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	m, err := newMapping(DefaultAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	analyzer := m.AnalyzerNamed(DefaultAnalyzer)
	for id, text := range texts {
		doc := document.NewDocument(docID(uint32(id)))
		doc.AddField(document.NewTextFieldCustom(textField, nil, []byte(text), bleveindex.IndexField, analyzer))
		batch := idx.NewBatch()
		if err := batch.IndexAdvanced(doc); err != nil {
			t.Fatal(err)
		}
		if err := idx.Batch(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSearchSegmentsDoNotMatter ranks SciFact queries in a one-segment
// index and in one built a passage per batch, before and after merging
// the latter into one segment: hits and scores must be identical.
func TestSearchSegmentsDoNotMatter(t *testing.T) {
	texts := readSciFactCorpus(t, 300)
	queries := readSciFactQueries(t)[:100]
	single := buildTexts(t, texts, Options{BatchSize: len(texts)})
	if n := segments(t, single); n != 1 {
		t.Fatalf("index built in one batch has %d segments, want 1", n)
	}

	dir := filepath.Join(t.TempDir(), "index")
	built, _, _ := buildIndex(t, dir, Options{}, texts)
	closeIndex(t, built)
	// The offline build always ends with one segment, so the Bleve part
	// is built again through an open index, one passage per batch.
	rebuildPerPassage(t, dir, texts)
	many, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := segments(t, many)
	if n < 2 {
		t.Fatalf("index built a passage per batch has %d segments, want several", n)
	}
	t.Logf("%d segments before the forced merge", n)
	compareRankings(t, single, many, queries)
	if err := many.Close(); err != nil {
		t.Fatal(err)
	}

	forceMerge(t, dir)
	merged, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer merged.Close()
	if n := segments(t, merged); n != 1 {
		t.Fatalf("index after a forced merge has %d segments, want 1", n)
	}
	compareRankings(t, single, merged, queries)
}

// compareRankings checks that both indexes return the same hits with the
// same scores, bit for bit, for each query and each exact scoring model.
func compareRankings(t *testing.T, want, got *Index, queries []string) {
	t.Helper()
	for _, scoring := range []string{ScoringOkapi, ScoringLucene} {
		p := DefaultParams()
		p.Scoring = scoring
		for _, q := range queries {
			w, err := want.Search(context.Background(), q, 100, p)
			if err != nil {
				t.Fatal(err)
			}
			g, err := got.Search(context.Background(), q, 100, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(w) == 0 {
				t.Fatalf("%s: query %q retrieved nothing; the comparison needs hits", scoring, q)
			}
			if len(g) != len(w) {
				t.Fatalf("%s: query %q: got %d hits, want %d", scoring, q, len(g), len(w))
			}
			for i := range w {
				if g[i] != w[i] {
					t.Fatalf("%s: query %q: hit %d is %+v, want %+v", scoring, q, i, g[i], w[i])
				}
			}
		}
	}
}

// waitPersisted waits, up to 30 seconds, until Bleve reports that its
// background merging and persisting are done. ForceMerge returns once the
// merged segment is in the in-memory root. The persister records it on
// disk later, and an index closed before that reopens with the segments
// from before the merge.
func waitPersisted(s *scorch.Scorch) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		active, ok := s.StatsMap()["index_bgthreads_active"].(bool)
		if ok && !active {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("merged index not persisted within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
