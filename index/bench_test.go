package index

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// BenchmarkSearch ranks SciFact's 1,109 queries, in turn, against its
// 5,183 documents with each scoring model, at the mining depth of 50 and
// the evaluation depth of 1000. One op is one query. The index is built
// once per run of the benchmark and shared by the scoring models.
func BenchmarkSearch(b *testing.B) {
	ix := buildTexts(b, readSciFactCorpus(b, 0), Options{})
	queries := readSciFactQueries(b)
	ctx := context.Background()
	// One pass fills the document ID cache, as the first queries of a
	// mining run do, and a collection clears the garbage of the build, so
	// that the first model measured does not pay for either.
	for _, q := range queries {
		if _, err := ix.Search(ctx, q, 1000, DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	benchSearches(b, ix, queries, []string{ScoringOkapi, ScoringLucene, ScoringBleve})
}

// benchSearches runs one sub-benchmark per scoring model and depth, each
// ranking queries in turn, and reports queries per second and CPU time
// per query.
func benchSearches(b *testing.B, ix *Index, queries []string, scorings []string) {
	ctx := context.Background()
	for _, scoring := range scorings {
		for _, k := range []int{50, 1000} {
			p := DefaultParams()
			p.Scoring = scoring
			b.Run(fmt.Sprintf("%s/k=%d", scoring, k), func(b *testing.B) {
				b.ReportAllocs()
				cpuStart, cpuOK := processCPUTime()
				i := 0
				for b.Loop() {
					if _, err := ix.Search(ctx, queries[i%len(queries)], k, p); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "queries/s")
				// CPU time changes less than wall time when other
				// processes share the cores.
				if cpuEnd, ok := processCPUTime(); ok && cpuOK {
					b.ReportMetric(float64(cpuEnd-cpuStart)/float64(i), "cpu-ns/op")
				}
			})
		}
	}
}

// BenchmarkSearchIndex ranks queries against an index built beforehand,
// such as the 1M-passage synthetic corpus, which is too large to build in
// a benchmark. MINE_BENCH_INDEX names the index folder and
// MINE_BENCH_QUERIES a BEIR queries.jsonl. The benchmark is skipped
// without them. One op is one query, at the mining depth of 50 and the
// evaluation depth of 1000.
func BenchmarkSearchIndex(b *testing.B) {
	dir, queriesPath := os.Getenv("MINE_BENCH_INDEX"), os.Getenv("MINE_BENCH_QUERIES")
	if dir == "" || queriesPath == "" {
		b.Skip("set MINE_BENCH_INDEX to an index folder and MINE_BENCH_QUERIES to a queries.jsonl")
	}
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	queries := readQueries(b, queriesPath)
	ctx := context.Background()
	for _, q := range queries {
		if _, err := ix.Search(ctx, q, 50, DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
	benchSearches(b, ix, queries, []string{ScoringOkapi, ScoringLucene})
}
