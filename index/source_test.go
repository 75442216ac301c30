package index

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"testing"
)

// TestSourceNames builds an index from named passages and checks what a
// later run can open and look up without the passages.
func TestSourceNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	b, err := NewBuilder(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	named := []struct{ name, text string }{
		{"d2", "Rivers carry silt to the sea."},
		{"d1", "Glaciers carve valleys."},
		{"d3", "Rivers carry silt to the sea."}, // same text as d2: same document
		{"d1", "A later passage under a repeated name."},
	}
	for _, n := range named {
		if _, err := b.AddNamed(n.name, n.text); err != nil {
			t.Fatal(err)
		}
	}
	b.SetSource(Source{Key: "file A", Info: json.RawMessage(`{"lines":4}`)})
	want := map[string]uint32{"d1": 1, "d2": 0, "d3": 0}
	wantOrder := []string{"d1", "d2", "d3"}
	checkNames(t, "Builder.EachName", b.EachName, want, wantOrder)
	ix, _, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	closeIndex(t, ix)

	if ix, _, err := OpenSource(dir, "file B", DefaultAnalyzer); ix != nil || err != nil {
		t.Fatalf("another source: got an index (error %v), want none", err)
	}
	if ix, _, err := OpenSource(dir, "file A", "standard"); ix != nil || err != nil {
		t.Fatalf("another analyzer: got an index (error %v), want none", err)
	}
	ix, info, err := OpenSource(dir, "file A", "")
	if err != nil || ix == nil {
		t.Fatalf("same source: got no index, error %v", err)
	}
	defer closeIndex(t, ix)
	if string(compactJSON(info)) != `{"lines":4}` {
		t.Errorf("source info: got %s", info)
	}
	checkNames(t, "Index.EachName", ix.EachName, want, wantOrder)
	if text, _ := ix.Text(want["d1"]); text != "Glaciers carve valleys." {
		t.Errorf("d1 reads %q, want the first passage named d1", text)
	}
}

// checkNames checks that each calls back with the names of want, in the
// order of order, each with its ID.
func checkNames(t *testing.T, what string, each func(func(string, uint32) error) error, want map[string]uint32, order []string) {
	t.Helper()
	got := map[string]uint32{}
	var names []string
	if err := each(func(name string, id uint32) error {
		got[name] = id
		names = append(names, name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) || !slices.Equal(names, order) {
		t.Errorf("%s: got %v in order %v, want %v in order %v", what, got, names, want, order)
	}
}
