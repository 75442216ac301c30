package pipeline

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// ranked returns a ranking of ids with descending scores.
func ranked(ids ...string) []RankedDoc {
	docs := make([]RankedDoc, len(ids))
	for i, id := range ids {
		docs[i] = RankedDoc{ID: id, Score: float64(len(ids) - i)}
	}
	return docs
}

func TestScoreQuery(t *testing.T) {
	// Filler documents that no query judges relevant.
	filler := func(n int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("x%d", i)
		}
		return ids
	}
	at := func(rank int, id string, n int) []RankedDoc {
		ids := filler(n)
		ids[rank-1] = id
		return ranked(ids...)
	}
	log2 := math.Log2
	tests := []struct {
		name    string
		ranking []RankedDoc
		grades  map[string]int
		want    Metrics
	}{
		{
			name:    "relevant first",
			ranking: ranked("a", "b"),
			grades:  map[string]int{"a": 1},
			want:    Metrics{NDCG10: 1, MRR10: 1, Recall100: 1, Recall1000: 1},
		},
		{
			// DCG 2/log2(3) + 1/log2(5); ideal 2/log2(2) + 1/log2(3) + 1/log2(4).
			name:    "graded gains",
			ranking: ranked("n", "a", "m", "b"),
			grades:  map[string]int{"a": 2, "b": 1, "c": 1, "n": 0},
			want: Metrics{
				NDCG10:     (2/log2(3) + 1/log2(5)) / (2 + 1/log2(3) + 1/log2(4)),
				MRR10:      0.5,
				Recall100:  2.0 / 3,
				Recall1000: 2.0 / 3,
			},
		},
		{
			name:    "rank 10 counts",
			ranking: at(10, "a", 20),
			grades:  map[string]int{"a": 3},
			want:    Metrics{NDCG10: (3 / log2(11)) / 3, MRR10: 0.1, Recall100: 1, Recall1000: 1},
		},
		{
			name:    "rank 11 misses the cut at 10",
			ranking: at(11, "a", 20),
			grades:  map[string]int{"a": 1},
			want:    Metrics{Recall100: 1, Recall1000: 1},
		},
		{
			name:    "rank 101 misses the cut at 100",
			ranking: at(101, "a", 1000),
			grades:  map[string]int{"a": 1, "b": 1},
			want:    Metrics{Recall1000: 0.5},
		},
		{
			name:    "ranks past 1000 do not count",
			ranking: at(1001, "a", 1001),
			grades:  map[string]int{"a": 1},
			want:    Metrics{},
		},
		{
			// Eleven relevant documents: the ideal ranking keeps the best ten.
			name:    "ideal cut at 10",
			ranking: ranked("a"),
			grades: map[string]int{"a": 1, "b": 2, "c": 1, "d": 1, "e": 1, "f": 1,
				"g": 1, "h": 1, "i": 1, "j": 1, "k": 1},
			want: Metrics{
				NDCG10: 1 / (2 + 1/log2(3) + 1/log2(4) + 1/log2(5) + 1/log2(6) +
					1/log2(7) + 1/log2(8) + 1/log2(9) + 1/log2(10) + 1/log2(11)),
				MRR10:      1,
				Recall100:  1.0 / 11,
				Recall1000: 1.0 / 11,
			},
		},
		{
			name:    "nothing retrieved",
			ranking: nil,
			grades:  map[string]int{"a": 1},
			want:    Metrics{},
		},
		{
			// A negative grade is below relevance, as in trec_eval.
			name:    "negative grade",
			ranking: ranked("a", "b"),
			grades:  map[string]int{"a": -1, "b": 1},
			want:    Metrics{NDCG10: 1 / log2(3), MRR10: 0.5, Recall100: 1, Recall1000: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scoreQuery(tt.ranking, tt.grades)
			checkMetrics(t, got, tt.want)
		})
	}
}

// checkMetrics compares each measure to within 1e-12.
func checkMetrics(t *testing.T, got, want Metrics) {
	t.Helper()
	for _, m := range []struct {
		name      string
		got, want float64
	}{
		{"nDCG@10", got.NDCG10, want.NDCG10},
		{"MRR@10", got.MRR10, want.MRR10},
		{"Recall@100", got.Recall100, want.Recall100},
		{"Recall@1000", got.Recall1000, want.Recall1000},
	} {
		if math.Abs(m.got-m.want) > 1e-12 {
			t.Errorf("%s = %.15f, want %.15f", m.name, m.got, m.want)
		}
	}
}

func TestMeanMetrics(t *testing.T) {
	got := meanMetrics([]Metrics{
		{NDCG10: 1, MRR10: 1, Recall100: 1, Recall1000: 1},
		{NDCG10: 0.5, MRR10: 0.25, Recall100: 0, Recall1000: 0.5},
	})
	checkMetrics(t, got, Metrics{NDCG10: 0.75, MRR10: 0.625, Recall100: 0.5, Recall1000: 0.75})
	checkMetrics(t, meanMetrics(nil), Metrics{})
}

func TestSortTREC(t *testing.T) {
	docs := []RankedDoc{{"b", 1}, {"a", 2}, {"c", 1}, {"a2", 1}, {"d", 3}}
	sortTREC(docs)
	var got []string
	for _, d := range docs {
		got = append(got, d.ID)
	}
	// Equal scores are ordered by descending ID, as trec_eval orders them.
	want := []string{"d", "a", "c", "b", "a2"}
	if !slices.Equal(got, want) {
		t.Errorf("sortTREC order = %v, want %v", got, want)
	}
}

func TestQueriesPerSecondAfterResume(t *testing.T) {
	s := Summary{Written: 1000, Resumed: 800, MineSeconds: 2}
	if got := s.QueriesPerSecond(); got != 100 {
		t.Errorf("got %g queries/s, want 100: the 200 records of this run over 2 s", got)
	}
}
