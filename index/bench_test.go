package index

import (
	"context"
	"fmt"
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
	for _, scoring := range []string{ScoringOkapi, ScoringLucene, ScoringBleve} {
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
