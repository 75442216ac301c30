package index

import (
	"context"
	"math"
	"testing"
)

func TestDocVectorEqualsVector(t *testing.T) {
	texts := []string{
		"Tides rise and fall twice a day because the moon pulls on the oceans.",
		"The moon's gravity pulls the oceans; tides follow the moon.",
		"Yeast makes bread dough puff up with carbon dioxide.",
		"東京は日本最大の都市です。",
	}
	ix, _, ids := buildIndex(t, t.TempDir(), Options{}, texts)
	defer ix.Close()
	ctx := context.Background()
	for i, text := range texts {
		fromText, err := ix.Vector(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		fromStore, err := ix.DocVector(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(fromText) != len(fromStore) {
			t.Fatalf("passage %d: %d terms from the text, %d from the store", i, len(fromText), len(fromStore))
		}
		for term, w := range fromText {
			if math.Abs(fromStore[term]-w) > 1e-12 {
				t.Errorf("passage %d, term %q: weight %g from the store, %g from the text", i, term, fromStore[term], w)
			}
		}
	}
	a, _ := ix.DocVector(ctx, ids[0])
	b, _ := ix.DocVector(ctx, ids[1])
	c, _ := ix.DocVector(ctx, ids[2])
	if sim := Cosine(a, a); math.Abs(sim-1) > 1e-12 {
		t.Errorf("cosine of a vector with itself: got %g, want 1", sim)
	}
	if Cosine(a, c) != 0 {
		t.Errorf("cosine of passages without a shared term: got %g, want 0", Cosine(a, c))
	}
	if sim := Cosine(a, b); sim <= 0 || sim >= 1 {
		t.Errorf("cosine of related passages: got %g, want between 0 and 1", sim)
	}
}
