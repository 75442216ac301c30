package corpus

import "testing"

func TestGroupAdd(t *testing.T) {
	tests := []struct {
		name           string
		add            []Record
		want           []Record
		wantMerged     int
		wantDuplicates int
	}{
		{
			name: "distinct queries kept in order",
			add: []Record{
				{Query: "q2", Relevant: rel("p2"), Line: 1},
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
			want: []Record{
				{Query: "q2", Relevant: rel("p2"), Line: 1},
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
		},
		{
			name: "repeats within a record dropped and counted",
			add: []Record{
				{Query: "q1", Relevant: rel("p1", "p2", "p1"), Negatives: rel("n1", "n1", "n1"), Line: 1},
			},
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p2"), Negatives: rel("n1"), Line: 1},
			},
			wantDuplicates: 3,
		},
		{
			name: "merged records unioned in first-seen order",
			add: []Record{
				{Query: "q1", Relevant: rel("p1"), Negatives: rel("n1"), Line: 1},
				{Query: "q2", Relevant: rel("p9"), Line: 2},
				{Query: "q1", Relevant: rel("p3", "p1"), Negatives: rel("n2"), Line: 3},
				{Query: "q1", Relevant: rel("p2", "p3"), Negatives: rel("n1"), Line: 4},
			},
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p3", "p2"), Negatives: rel("n1", "n2"), Line: 1},
				{Query: "q2", Relevant: rel("p9"), Line: 2},
			},
			wantMerged: 2,
		},
		{
			name: "repeat within a merged record counted",
			add: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q1", Relevant: rel("p2", "p2", "p1"), Line: 2},
			},
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p2"), Line: 1},
			},
			wantMerged:     1,
			wantDuplicates: 1,
		},
		{
			name: "query text compared exactly",
			add: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q1 ", Relevant: rel("p2"), Line: 2},
				{Query: "Q1", Relevant: rel("p3"), Line: 3},
			},
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q1 ", Relevant: rel("p2"), Line: 2},
				{Query: "Q1", Relevant: rel("p3"), Line: 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g Group
			for _, r := range tt.add {
				g.Add(r)
			}
			checkRecords(t, g.Records, tt.want)
			if g.Merged != tt.wantMerged {
				t.Errorf("merged: got %d, want %d", g.Merged, tt.wantMerged)
			}
			if g.Duplicates != tt.wantDuplicates {
				t.Errorf("duplicates: got %d, want %d", g.Duplicates, tt.wantDuplicates)
			}
		})
	}
}
