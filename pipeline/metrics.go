package pipeline

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Metrics are the retrieval measures that Evaluate reports, defined as
// trec_eval 9 defines ndcg_cut.10, recall.100 and recall.1000, plus the
// reciprocal rank cut at 10. A document is relevant when its grade is
// above 0.
type Metrics struct {
	// NDCG10 is nDCG at 10: the sum over the top 10 of grade/log2(rank+1),
	// divided by the same sum over the judged documents sorted by grade.
	NDCG10 float64
	// MRR10 is 1/rank of the first relevant document in the top 10, or 0.
	MRR10 float64
	// Recall100 and Recall1000 are the relevant documents in the top 100
	// or 1000 divided by all the query's relevant documents.
	Recall100, Recall1000 float64
}

// RankedDoc is one line of a ranking: a corpus document ID and its score.
type RankedDoc struct {
	ID    string
	Score float64
}

// sortTREC puts a ranking in the order trec_eval reads a run file in: by
// descending score, and equal scores by descending document ID (the rank
// column is ignored). Computing metrics in this order makes them equal to
// trec_eval's on the run file that Evaluate writes.
func sortTREC(docs []RankedDoc) {
	slices.SortStableFunc(docs, func(a, b RankedDoc) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// scoreQuery computes the metrics of one query's ranking, in rank order,
// against the query's grades. The query must have a relevant document.
func scoreQuery(ranking []RankedDoc, grades map[string]int) Metrics {
	var m Metrics
	var dcg float64
	found100, found1000 := 0, 0
	for i, d := range ranking {
		g := grades[d.ID]
		if g <= 0 {
			continue
		}
		if i < 10 {
			dcg += float64(g) / math.Log2(float64(i+2))
			if m.MRR10 == 0 {
				m.MRR10 = 1 / float64(i+1)
			}
		}
		if i < 100 {
			found100++
		}
		if i < 1000 {
			found1000++
		}
	}

	relevant, idcg := idealDCG(grades)
	m.NDCG10 = dcg / idcg
	m.Recall100 = float64(found100) / float64(relevant)
	m.Recall1000 = float64(found1000) / float64(relevant)
	return m
}

// idealDCG returns the number of relevant documents and the DCG at 10 of
// the ranking that lists them by descending grade.
func idealDCG(grades map[string]int) (int, float64) {
	var ideal []int
	for _, g := range grades {
		if g > 0 {
			ideal = append(ideal, g)
		}
	}
	slices.SortFunc(ideal, func(a, b int) int { return cmp.Compare(b, a) })
	var idcg float64
	for i, g := range ideal[:min(10, len(ideal))] {
		idcg += float64(g) / math.Log2(float64(i+2))
	}
	return len(ideal), idcg
}

// meanMetrics returns the mean of each measure over the queries.
func meanMetrics(per []Metrics) Metrics {
	var sum Metrics
	for _, m := range per {
		sum.NDCG10 += m.NDCG10
		sum.MRR10 += m.MRR10
		sum.Recall100 += m.Recall100
		sum.Recall1000 += m.Recall1000
	}
	if len(per) == 0 {
		return sum
	}
	n := float64(len(per))
	return Metrics{NDCG10: sum.NDCG10 / n, MRR10: sum.MRR10 / n, Recall100: sum.Recall100 / n, Recall1000: sum.Recall1000 / n}
}
