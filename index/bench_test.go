package index

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSearch ranks SciFact's 1,109 queries against its 5,183
// documents with each scoring model, at the mining depth of 50 and the
// evaluation depth of 1000. One op is one query; the index is built once.
func BenchmarkSearch(b *testing.B) {
	ix := buildIndex(b, readSciFactCorpus(b, 0), Options{})
	queries := readSciFactQueries(b)
	ctx := context.Background()
	for _, scoring := range []string{ScoringOkapi, ScoringLucene, ScoringBleve} {
		for _, k := range []int{50, 1000} {
			p := DefaultParams()
			p.Scoring = scoring
			b.Run(fmt.Sprintf("%s/k=%d", scoring, k), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := ix.Search(ctx, queries[i%len(queries)], k, p); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}
