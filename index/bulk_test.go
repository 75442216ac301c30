package index_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mine-tools/mine/index"
)

// buildPassages builds an index of passages in a new folder with batches
// of batchSize.
func buildPassages(t *testing.T, passages []string, batchSize int) (*index.Index, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	b, err := index.NewBuilder(dir, index.Options{BatchSize: batchSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range passages {
		if _, err := b.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	ix, _, err := b.Build(context.Background())
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, dir
}

// numbered returns n distinct passages; passage i mentions "common" and
// "word<i>".
func numbered(n int) []string {
	passages := make([]string, n)
	for i := range passages {
		passages[i] = fmt.Sprintf("common passage number word%d", i)
	}
	return passages
}

// TestBuildMergesToOneSegment builds from many batches and checks that
// the folder holds one segment file and no leftover build folder.
func TestBuildMergesToOneSegment(t *testing.T) {
	_, dir := buildPassages(t, numbered(1000), 7)
	var segments, others []string
	entries, err := os.ReadDir(filepath.Join(dir, "bleve", "store"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".zap") {
			segments = append(segments, e.Name())
		}
	}
	top, err := os.ReadDir(filepath.Join(dir, "bleve"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		if e.Name() != "store" && e.Name() != "index_meta.json" {
			others = append(others, e.Name())
		}
	}
	if len(segments) != 1 {
		t.Errorf("got segments %v, want one", segments)
	}
	if len(others) > 0 {
		t.Errorf("bleve folder holds leftovers %v", others)
	}
}

// TestBuildFindsEveryPassage searches for each passage's own word across
// batch boundaries.
func TestBuildFindsEveryPassage(t *testing.T) {
	passages := numbered(300)
	ix, _ := buildPassages(t, passages, 16)
	if ix.Len() != len(passages) {
		t.Fatalf("index holds %d passages, want %d", ix.Len(), len(passages))
	}
	for i := range passages {
		hits, err := ix.Search(context.Background(), fmt.Sprintf("word%d", i), 5, index.DefaultParams())
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != uint32(i) {
			t.Fatalf("search for word%d: got %v, want only document %d", i, hits, i)
		}
	}
	hits, err := ix.Search(context.Background(), "common", 1000, index.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != len(passages) {
		t.Errorf("search for a word of every passage: got %d hits, want %d", len(hits), len(passages))
	}
}

// TestBuildCountsTokens checks the token total that BM25's average length
// comes from: each numbered passage has 4 tokens after analysis.
func TestBuildCountsTokens(t *testing.T) {
	ix, _ := buildPassages(t, numbered(50), 8)
	if got := ix.Meta().Tokens; got != 200 {
		t.Errorf("got %d tokens, want 200", got)
	}
	if got := ix.AvgLen(); got != 4 {
		t.Errorf("got average length %g, want 4", got)
	}
}

func TestBuildNoPassages(t *testing.T) {
	ix, _ := buildPassages(t, nil, 10)
	if ix.Len() != 0 {
		t.Errorf("index holds %d passages, want 0", ix.Len())
	}
	hits, err := ix.Search(context.Background(), "anything", 10, index.DefaultParams())
	if err != nil || len(hits) != 0 {
		t.Errorf("search in an empty index: got %v, %v; want no hits and no error", hits, err)
	}
}

func TestBuildStopsWhenCancelled(t *testing.T) {
	b, err := index.NewBuilder(filepath.Join(t.TempDir(), "index"), index.Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range numbered(5000) {
		if _, err := b.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = b.Build(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestBuildReportsEveryBatch(t *testing.T) {
	var calls []int
	b, err := index.NewBuilder(filepath.Join(t.TempDir(), "index"), index.Options{
		BatchSize: 40,
		Progress:  func(done, total int) { calls = append(calls, done) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range numbered(100) {
		if _, err := b.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	ix, _, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	want := []int{40, 80, 100}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("progress calls: got %v, want %v", calls, want)
	}
}
