package index

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// rebuildWithScorchBuilder replaces the Bleve index in dir with one that
// scorch's offline Builder writes from texts, batchSize documents per
// segment and mergeWidth segments merged at a time: how the build worked
// before it wrote segments in parallel.
func rebuildWithScorchBuilder(t *testing.T, dir string, texts []string, batchSize int) {
	t.Helper()
	path := filepath.Join(dir, bleveDir)
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), bleveMeta, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := newMapping(DefaultAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}

	builder, err := scorch.NewBuilder(map[string]any{
		"path":            filepath.Join(path, bleveStoreDir),
		"buildPathPrefix": path,
		"batchSize":       batchSize,
		"mergeMax":        mergeWidth,
		"internal":        map[string][]byte{string(util.MappingInternalKey): encoded},
	})
	if err != nil {
		t.Fatal(err)
	}

	analyzer := m.AnalyzerNamed(DefaultAnalyzer)
	for id, text := range texts {
		doc := document.NewDocument(docID(uint32(id)))
		doc.AddField(document.NewTextFieldCustom(textField, nil, []byte(text), bleveindex.IndexField, analyzer))
		if err := builder.Index(doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := builder.Close(); err != nil {
		t.Fatal(err)
	}
}

// posting is one document's entry in a term's postings, by passage ID.
type posting struct {
	freq uint64
	norm float64
}

// postingsByID returns, for each term of field, its postings keyed by
// passage ID.
func postingsByID(t *testing.T, ix *Index, field string) map[string]map[uint32]posting {
	t.Helper()
	ctx := context.Background()
	dict, err := ix.reader.FieldDict(field)
	if err != nil {
		t.Fatal(err)
	}
	defer dict.Close()
	var terms []string
	for {
		entry, err := dict.Next()
		if err != nil {
			t.Fatal(err)
		}
		if entry == nil {
			break
		}
		terms = append(terms, entry.Term)
	}
	all := make(map[string]map[uint32]posting)
	for _, term := range terms {
		tfr, err := ix.reader.TermFieldReader(ctx, []byte(term), field, true, true, false)
		if err != nil {
			t.Fatal(err)
		}
		byID := make(map[uint32]posting)
		var d bleveindex.TermFieldDoc
		for {
			next, err := tfr.Next(&d)
			if err != nil {
				t.Fatal(err)
			}
			if next == nil {
				break
			}
			ext, err := ix.reader.ExternalID(next.ID)
			if err != nil {
				t.Fatal(err)
			}
			id, err := parseDocID(ext)
			if err != nil {
				t.Fatal(err)
			}
			byID[id] = posting{freq: next.Freq, norm: next.Norm}
		}
		tfr.Close()
		if len(byID) == 0 {
			t.Fatalf("term %q of %s has no postings", term, field)
		}
		all[term] = byID
	}
	return all
}

// TestBuildMatchesScorchBuilder builds SciFact in batches small enough to
// need two levels of merging. It compares the result with the index that
// scorch's Builder writes from the same passages, which must hold the same
// documents, terms and postings per passage ID and give the same
// rankings. It also checks that Bleve's internal number of every passage
// is its ID.
func TestBuildMatchesScorchBuilder(t *testing.T) {
	texts := readSciFactCorpus(t, 0)
	queries := readSciFactQueries(t)
	// 40 passages a batch gives over 2 * mergeWidth segments.
	const batchSize = 40
	built := buildTexts(t, texts, Options{BatchSize: batchSize})
	if n := built.Len(); n <= 2*mergeWidth*batchSize {
		t.Fatalf("SciFact has %d distinct passages, too few for two levels of merging", n)
	}
	if n := segments(t, built); n != 1 {
		t.Fatalf("built index has %d segments, want 1", n)
	}
	count, err := built.reader.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if count != uint64(built.Len()) {
		t.Fatalf("Bleve counts %d documents, the store %d", count, built.Len())
	}
	for n := range uint64(built.Len()) {
		var internal [8]byte
		binary.BigEndian.PutUint64(internal[:], n)
		ext, err := built.reader.ExternalID(internal[:])
		if err != nil {
			t.Fatal(err)
		}
		if ext != docID(uint32(n)) {
			t.Fatalf("internal document %d has ID %q, want %q", n, ext, docID(uint32(n)))
		}
	}

	// The same passages, deduplicated the same way, with the Bleve part
	// rewritten by scorch's Builder.
	distinct := make([]string, built.Len())
	for id := range distinct {
		if distinct[id], err = built.Text(uint32(id)); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "index")
	ix, _, _ := buildIndex(t, dir, Options{BatchSize: batchSize}, distinct)
	closeIndex(t, ix)
	rebuildWithScorchBuilder(t, dir, distinct, batchSize)
	old, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n := segments(t, old); n != 1 {
		t.Fatalf("index written by scorch's Builder has %d segments, want 1", n)
	}
	if built.Meta() != old.Meta() {
		t.Fatalf("settings differ: built %+v, scorch's Builder %+v", built.Meta(), old.Meta())
	}

	for _, field := range []string{textField, idFieldName} {
		got, want := postingsByID(t, built, field), postingsByID(t, old, field)
		if len(got) != len(want) {
			t.Fatalf("field %s: got %d terms, want %d", field, len(got), len(want))
		}
		for term, w := range want {
			g, ok := got[term]
			if !ok {
				t.Fatalf("field %s: term %q is missing", field, term)
			}
			if len(g) != len(w) {
				t.Fatalf("field %s: term %q: got %d postings, want %d", field, term, len(g), len(w))
			}
			for id, p := range w {
				if g[id] != p {
					t.Fatalf("field %s: term %q, passage %d: got %+v, want %+v", field, term, id, g[id], p)
				}
			}
		}
	}

	// The term store, written batch by batch, must give each passage the
	// terms and counts that its postings hold.
	perPassage := make([]map[string]uint64, built.Len())
	for term, byID := range postingsByID(t, built, textField) {
		for id, p := range byID {
			if perPassage[id] == nil {
				perPassage[id] = make(map[string]uint64)
			}
			perPassage[id][term] = p.freq
		}
	}
	for id, want := range perPassage {
		terms, counts, err := built.terms.terms(uint32(id))
		if err != nil {
			t.Fatal(err)
		}
		if len(terms) != len(want) {
			t.Fatalf("passage %d: term store holds %d terms, postings %d", id, len(terms), len(want))
		}
		for i, term := range terms {
			if uint64(counts[i]) != want[term] {
				t.Fatalf("passage %d: term store counts %q %d times, postings %d", id, term, counts[i], want[term])
			}
		}
	}

	compareRankings(t, old, built, queries)
	// Bleve's own scoring sums a document's clause scores in an order
	// that follows Bleve's internal numbers, which scorch's Builder set in
	// map order, so scores may differ in the last bits and near ties may
	// swap.
	for _, q := range queries[:200] {
		p := Params{Scoring: ScoringBleve}
		w, err := old.Search(context.Background(), q, 20, p)
		if err != nil {
			t.Fatal(err)
		}
		g, err := built.Search(context.Background(), q, 20, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(g) != len(w) {
			t.Fatalf("bleve scoring: query %q: got %d hits, want %d", q, len(g), len(w))
		}
		near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(b) }
		for i := range w {
			if !near(g[i].Score, w[i].Score) {
				t.Fatalf("bleve scoring: query %q: hit %d is %+v, want %+v", q, i, g[i], w[i])
			}
			if g[i].ID != w[i].ID && !slices.ContainsFunc(w, func(h Hit) bool { return h.ID == g[i].ID && near(h.Score, g[i].Score) }) {
				t.Fatalf("bleve scoring: query %q: hit %d is %+v, want %+v", q, i, g[i], w[i])
			}
		}
	}
}
