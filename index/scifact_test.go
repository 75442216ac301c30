package index

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sciFactDir is the SciFact copy in BEIR layout shipped with the module.
var sciFactDir = filepath.Join("..", "testdata", "scifact")

// readSciFactCorpus returns the first limit SciFact documents as indexed
// texts, title and text joined by a space as the corpus package joins
// them, or all documents when limit is 0. The corpus package is not
// imported, because index must not depend on it.
func readSciFactCorpus(tb testing.TB, limit int) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join(sciFactDir, "corpus.jsonl.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var texts []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() && (limit == 0 || len(texts) < limit) {
		var doc struct{ Title, Text string }
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			tb.Fatal(err)
		}
		text := doc.Text
		if doc.Title != "" {
			text = doc.Title + " " + doc.Text
		}
		texts = append(texts, text)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return texts
}

// readSciFactQueries returns the texts of SciFact's queries.jsonl.
func readSciFactQueries(tb testing.TB) []string {
	tb.Helper()
	return readQueries(tb, filepath.Join(sciFactDir, "queries.jsonl"))
}

// readQueries returns the texts of the queries in a BEIR queries.jsonl.
func readQueries(tb testing.TB, path string) []string {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var queries []string
	dec := json.NewDecoder(bytes.NewReader(raw))
	for dec.More() {
		var q struct{ Text string }
		if err := dec.Decode(&q); err != nil {
			tb.Fatal(err)
		}
		queries = append(queries, q.Text)
	}
	return queries
}

// buildTexts builds an index of texts in a new folder under tb.TempDir()
// and closes it when the test ends.
func buildTexts(tb testing.TB, texts []string, opts Options) *Index {
	tb.Helper()
	ix, _, _ := buildIndex(tb, filepath.Join(tb.TempDir(), "index"), opts, texts)
	tb.Cleanup(func() { ix.Close() })
	return ix
}
