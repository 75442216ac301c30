package pipeline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/corpus/disksort"
)

// TestSpoolMergesLikeGroup spools more records than one sort chunk holds,
// with repeated queries far apart and passages repeated within and across
// records. The spool must hand back what corpus.Group builds in memory:
// the same records, in the same order, with the same counts.
func TestSpoolMergesLikeGroup(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 2*disksort.ChunkRecords + 500
	passage := func() string { return fmt.Sprintf("passage %d", r.IntN(3000)) }
	var g corpus.Group
	textIDs := map[string]uint32{}
	var texts []string
	sp, err := newSpool(&Config{}, func(s string) (uint32, error) {
		id, ok := textIDs[s]
		if !ok {
			id = uint32(len(texts))
			textIDs[s] = id
			texts = append(texts, s)
		}
		return id, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()

	for line := 1; line <= n; line++ {
		rec := corpus.Record{Query: fmt.Sprintf("query %d", r.IntN(n/2)), Line: line}
		for range 1 + r.IntN(3) {
			rec.Relevant = append(rec.Relevant, passage())
		}
		for range r.IntN(3) {
			rec.Negatives = append(rec.Negatives, passage())
		}
		if r.IntN(4) == 0 {
			rec.Answers = []string{"answer", fmt.Sprint(r.IntN(3))}
		}
		g.Add(rec)
		sp.Add(rec)
	}

	if err := sp.finish(); err != nil {
		t.Fatal(err)
	}
	if sp.Raw != n || sp.Groups != len(g.Records) || sp.Raw-sp.Groups != g.Merged || sp.Duplicates != g.Duplicates {
		t.Fatalf("spool counted %d records, %d groups, %d duplicates; Group counted %d, %d merged, %d duplicates",
			sp.Raw, sp.Groups, sp.Duplicates, len(g.Records)+g.Merged, len(g.Records), g.Duplicates)
	}
	if g.Merged == 0 || g.Duplicates == 0 {
		t.Fatal("the generated input has no repeated query or passage")
	}

	text := func(ids []uint32) []string {
		var out []string
		for _, id := range ids {
			out = append(out, texts[id])
		}
		return out
	}
	got := 0
	err = sp.each(func(i int, s spooled) error {
		want := g.Records[i]
		if i != got || s.query != want.Query || s.line != want.Line ||
			!slices.Equal(text(s.relevant), want.Relevant) || !slices.Equal(text(s.negatives), want.Negatives) ||
			!slices.Equal(s.answers, want.Answers) {
			return fmt.Errorf("record %d: spool has %q line %d %v %v %v, Group has %q line %d %v %v %v", i,
				s.query, s.line, text(s.relevant), text(s.negatives), s.answers,
				want.Query, want.Line, want.Relevant, want.Negatives, want.Answers)
		}
		got++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != len(g.Records) {
		t.Fatalf("spool handed back %d records, want %d", got, len(g.Records))
	}
}
