package index_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mine-tools/mine/index"
)

// benchSciFact is the SciFact folder that the benchmarks read.
const benchSciFact = "../testdata/scifact"

// benchLines decodes every JSON line of a SciFact file, gzip-compressed
// when its name ends in .gz, and returns title + " " + text (or the text
// alone) of each.
func benchLines(b *testing.B, name string) []string {
	b.Helper()
	f, err := os.Open(filepath.Join(benchSciFact, name))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var sc *bufio.Scanner
	if filepath.Ext(name) == ".gz" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			b.Fatal(err)
		}
		sc = bufio.NewScanner(zr)
	} else {
		sc = bufio.NewScanner(r)
	}
	sc.Buffer(nil, 1<<24)
	var texts []string
	for sc.Scan() {
		var doc struct{ Title, Text string }
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			b.Fatal(err)
		}
		if doc.Title != "" {
			doc.Text = doc.Title + " " + doc.Text
		}
		texts = append(texts, doc.Text)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return texts
}

// benchBuild builds an index of passages in a new folder under b's
// temporary folder.
func benchBuild(b *testing.B, passages []string, opts index.Options) *index.Index {
	b.Helper()
	builder, err := index.NewBuilder(filepath.Join(b.TempDir(), "index"), opts)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range passages {
		if _, err := builder.Add(p); err != nil {
			b.Fatal(err)
		}
	}
	ix, _, err := builder.Build(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkBuildSciFact measures adding and indexing SciFact's 5,183
// passages; passages/s is the indexing throughput.
func BenchmarkBuildSciFact(b *testing.B) {
	passages := benchLines(b, "corpus.jsonl.gz")
	for b.Loop() {
		ix := benchBuild(b, passages, index.Options{})
		b.StopTimer()
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(len(passages)*b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkRetrieveSciFact measures one top-50 search per SciFact query
// over the SciFact index, the retrieval step of mining.
func BenchmarkRetrieveSciFact(b *testing.B) {
	ix := benchBuild(b, benchLines(b, "corpus.jsonl.gz"), index.Options{})
	defer ix.Close()
	queries := benchLines(b, "queries.jsonl")
	ctx := context.Background()
	params := index.DefaultParams()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, queries[i%len(queries)], 50, params); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
