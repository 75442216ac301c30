package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildIndex adds passages to a new builder in dir and builds it. It
// returns the index, whether it was reused, and the ID of each passage.
func buildIndex(t testing.TB, dir string, opts Options, passages []string) (*Index, bool, []uint32) {
	t.Helper()
	b, err := NewBuilder(dir, opts)
	if err != nil {
		t.Fatalf("NewBuilder: %v", err)
	}
	ids := make([]uint32, len(passages))
	for i, p := range passages {
		if ids[i], err = b.Add(p); err != nil {
			t.Fatalf("Add(%.40q): %v", p, err)
		}
	}
	ix, reused, err := b.Build(context.Background())
	if err != nil {
		b.Discard()
		t.Fatalf("Build: %v", err)
	}
	return ix, reused, ids
}

func closeIndex(t *testing.T, ix *Index) {
	t.Helper()
	if err := ix.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestBuilderDedupesPassages(t *testing.T) {
	passages := []string{"red apple", "green pear", "red apple", "Red apple", "green pear", "red apple ", "plum"}
	ix, _, ids := buildIndex(t, filepath.Join(t.TempDir(), "idx"), Options{}, passages)
	defer closeIndex(t, ix)

	// Exact copies share the first copy's ID, but a change of case or a
	// trailing space makes a different passage.
	wantIDs := []uint32{0, 1, 0, 2, 1, 3, 4}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("IDs: got %v, want %v", ids, wantIDs)
	}
	if ix.Len() != 5 {
		t.Errorf("Len: got %d, want 5", ix.Len())
	}
	if got := ix.Meta().Passages; got != 5 {
		t.Errorf("Meta().Passages: got %d, want 5", got)
	}
	wantTexts := []string{"red apple", "green pear", "Red apple", "red apple ", "plum"}
	for id, want := range wantTexts {
		got, err := ix.Text(uint32(id))
		if err != nil {
			t.Fatalf("Text(%d): %v", id, err)
		}
		if got != want {
			t.Errorf("Text(%d): got %q, want %q", id, got, want)
		}
	}
	// "red apple" is added once, so "red" occurs in documents 0, 2 and 3.
	hits, err := ix.Search(context.Background(), "red", 10, DefaultParams())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if got := hitIDs(hits); !slices.Equal(got, []uint32{0, 2, 3}) {
		t.Errorf("hits for red: got %v, want [0 2 3]", got)
	}
}

func TestPassageStoreRoundTrip(t *testing.T) {
	big := make([]byte, 0, 1<<20)
	for i := 0; len(big) < 1<<20-len(" needle"); i++ {
		big = fmt.Appendf(big, "w%d ", i%9973)
	}
	big = big[:1<<20-len(" needle")]
	big = append(big, " needle"...)
	passages := []string{
		"plain ascii",
		"launch 🚀 and party 🎉 with 👩‍👩‍👧 family",
		"before\x00after NUL",
		"Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
		"markup & <b>bold</b> \"quoted\" \\ back\tslash\r\nline",
		string(big),
	}
	dir := filepath.Join(t.TempDir(), "idx")
	ix, _, ids := buildIndex(t, dir, Options{}, passages)
	if !slices.Equal(ids, []uint32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("IDs: got %v, want [0 1 2 3 4 5]", ids)
	}
	checkTexts(t, ix, passages)
	hits, err := ix.Search(context.Background(), "needle", 10, DefaultParams())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if got := hitIDs(hits); !slices.Equal(got, []uint32{5}) {
		t.Errorf("hits for needle: got %v, want [5]", got)
	}
	closeIndex(t, ix)

	// The texts read the same from the folder opened again.
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer closeIndex(t, ix)
	checkTexts(t, ix, passages)
	_, err = ix.Text(6)
	if want := "read passage: document 6 out of range (store holds 6)"; err == nil || err.Error() != want {
		t.Errorf("Text(6): got error %v, want %q", err, want)
	}
}

func checkTexts(t *testing.T, ix *Index, want []string) {
	t.Helper()
	if ix.Len() != len(want) {
		t.Fatalf("Len: got %d, want %d", ix.Len(), len(want))
	}
	for id, w := range want {
		got, err := ix.Text(uint32(id))
		if err != nil {
			t.Fatalf("Text(%d): %v", id, err)
		}
		if got != w {
			t.Errorf("Text(%d): got %d bytes %.60q, want %d bytes %.60q", id, len(got), got, len(w), w)
		}
	}
}

func TestBuildReusesIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	passages := []string{"first passage about cats", "second passage about dogs", "third passage about birds"}
	ctx := context.Background()

	ix, reused, _ := buildIndex(t, dir, Options{}, passages)
	if reused {
		t.Errorf("first build: got reused=true, want false")
	}
	firstMeta := ix.Meta()
	firstHits, err := ix.Search(ctx, "passage about dogs", 10, DefaultParams())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	closeIndex(t, ix)
	metaBefore := statFile(t, filepath.Join(dir, metaFile))
	bleveBefore := statFile(t, filepath.Join(dir, bleveDir, "index_meta.json"))

	// The same passages and analyzer: the folder is reused as it is.
	ix, reused, _ = buildIndex(t, dir, Options{}, passages)
	if !reused {
		t.Errorf("same passages: got reused=false, want true")
	}
	if ix.Meta() != firstMeta {
		t.Errorf("same passages: got meta %+v, want %+v", ix.Meta(), firstMeta)
	}
	hits, err := ix.Search(ctx, "passage about dogs", 10, DefaultParams())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if !slices.Equal(hits, firstHits) {
		t.Errorf("same passages: got hits %v, want %v", hits, firstHits)
	}
	closeIndex(t, ix)
	if !os.SameFile(metaBefore, statFile(t, filepath.Join(dir, metaFile))) {
		t.Errorf("same passages: %s was rewritten", metaFile)
	}
	if !os.SameFile(bleveBefore, statFile(t, filepath.Join(dir, bleveDir, "index_meta.json"))) {
		t.Errorf("same passages: the Bleve index was rebuilt")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, stagingDir+"*")); len(left) > 0 {
		t.Errorf("same passages: staging folders left behind: %v", left)
	}

	// One passage changed: the index is not replaced without Rebuild.
	changed := []string{passages[0], "second passage about wolves", passages[2]}
	b, err := NewBuilder(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range changed {
		if _, err := b.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = b.Build(ctx)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "their texts differ; rebuild it with -rebuild") {
		t.Errorf("changed passages without Rebuild: got %v, want ErrMismatch saying the texts differ", err)
	}
	b.Discard()

	// With Rebuild the index is rebuilt with the new texts.
	ix, reused, _ = buildIndex(t, dir, Options{Rebuild: true}, changed)
	if reused {
		t.Errorf("changed passages: got reused=true, want false")
	}
	if ix.Meta().Fingerprint == firstMeta.Fingerprint {
		t.Errorf("changed passages: fingerprint did not change")
	}
	checkTexts(t, ix, changed)
	hits, err = ix.Search(ctx, "dogs", 10, DefaultParams())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(hits) != 0 {
		t.Errorf("changed passages: got hits %v for dogs, want none", hits)
	}
	closeIndex(t, ix)
	// The file's content, not its identity: a new file may reuse the
	// removed one's inode.
	if onDisk, err := readMeta(dir); err != nil || onDisk.Fingerprint != ix.Meta().Fingerprint {
		t.Errorf("changed passages: %s contains %+v (%v), want the new fingerprint", metaFile, onDisk, err)
	}

	// The same passages under another analyzer: rebuilt too.
	ix, reused, _ = buildIndex(t, dir, Options{Analyzer: "standard", Rebuild: true}, changed)
	if reused {
		t.Errorf("other analyzer: got reused=true, want false")
	}
	if got := ix.Meta().Analyzer; got != "standard" {
		t.Errorf("other analyzer: got analyzer %q, want \"standard\"", got)
	}
	closeIndex(t, ix)
}

func statFile(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func TestNewBuilderRejectsForeignFolder(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := NewBuilder(dir, Options{})
	want := fmt.Sprintf("index folder %s holds %q, which is not part of a mine index; give a new or empty folder", dir, "notes.txt")
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
	if data, err := os.ReadFile(notes); err != nil || string(data) != "keep me" {
		t.Errorf("notes.txt after the rejection: got %q, %v, want it unchanged", data, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder after the rejection: got %d entries, want only notes.txt", len(entries))
	}
}

func TestNewBuilderAcceptsEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	ix, reused, _ := buildIndex(t, dir, Options{}, []string{"one passage"})
	defer closeIndex(t, ix)
	if reused {
		t.Errorf("got reused=true, want false")
	}
	if ix.Len() != 1 {
		t.Errorf("Len: got %d, want 1", ix.Len())
	}
}

func TestNewBuilderRejectsUnknownAnalyzer(t *testing.T) {
	_, err := NewBuilder(filepath.Join(t.TempDir(), "idx"), Options{Analyzer: "klingon"})
	if err == nil || !strings.HasPrefix(err.Error(), `unknown analyzer "klingon"; choose one of: [english `) {
		t.Errorf("got error %v, want an unknown analyzer error listing english first", err)
	}
}

func TestOpenWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	if want := fmt.Sprintf("open index: %s contains no complete index; build the index again", dir); err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

func TestTemporaryIndexRemovedByClose(t *testing.T) {
	ix, _, _ := buildIndex(t, "", Options{}, []string{"a passage", "another passage"})
	dir := ix.dir
	if _, err := os.Stat(filepath.Join(dir, metaFile)); err != nil {
		t.Fatalf("temporary index before Close: %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary folder %s after Close: got stat error %v, want it removed", dir, err)
	}
}

func TestKeptIndexSurvivesClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, _, _ := buildIndex(t, dir, Options{}, []string{"a passage"})
	closeIndex(t, ix)
	ix, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	closeIndex(t, ix)
}

func TestDiscardRemovesTemporaryFolder(t *testing.T) {
	b, err := NewBuilder("", Options{})
	if err != nil {
		t.Fatalf("NewBuilder: %v", err)
	}
	if _, err := b.Add("never built"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	dir := b.dir
	if err := b.Discard(); err != nil {
		t.Fatalf("Discard: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary folder %s after Discard: got stat error %v, want it removed", dir, err)
	}
}

func TestBuildReportsProgress(t *testing.T) {
	type call struct{ done, total int }
	var calls []call
	opts := Options{BatchSize: 2, Progress: func(done, total int) { calls = append(calls, call{done, total}) }}
	ix, _, _ := buildIndex(t, filepath.Join(t.TempDir(), "idx"), opts, []string{"one", "two", "three", "four", "five"})
	defer closeIndex(t, ix)
	want := []call{{2, 5}, {4, 5}, {5, 5}}
	if !slices.Equal(calls, want) {
		t.Errorf("progress calls: got %v, want %v", calls, want)
	}
}

func TestBuildCancelled(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	b, err := NewBuilder(dir, Options{})
	if err != nil {
		t.Fatalf("NewBuilder: %v", err)
	}
	if _, err := b.Add("a passage"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = b.Build(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	if _, err := Open(dir); err == nil {
		t.Errorf("Open after a cancelled build: got no error, want no complete index")
	}

	// The next run clears the half-built folder and builds it.
	ix, reused, _ := buildIndex(t, dir, Options{}, []string{"a passage"})
	defer closeIndex(t, ix)
	if reused {
		t.Errorf("after a cancelled build: got reused=true, want false")
	}
}

func hitIDs(hits []Hit) []uint32 {
	ids := make([]uint32, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}
