package corpus

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles writes files, by path relative to a new folder, and returns
// the folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadQrels(t *testing.T) {
	dir := writeFiles(t, map[string]string{"qrels/test.tsv": "query-id\tcorpus-id\tscore\n" +
		"q2\td1\t2\n" +
		"q1\td1\t0\n" +
		"\n" +
		"q2\td3\t1\r\n" +
		"q2\td1\t2\n" + // the same row again
		"q1\td2\t-1\n"})
	q, err := ReadQrels(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"q2", "q1"}; !slices.Equal(q.Queries, want) {
		t.Errorf("Queries = %v, want %v", q.Queries, want)
	}
	want := map[string]map[string]int{
		"q2": {"d1": 2, "d3": 1},
		"q1": {"d1": 0, "d2": -1},
	}
	for qid, grades := range want {
		if !maps.Equal(q.Grades[qid], grades) {
			t.Errorf("Grades[%s] = %v, want %v", qid, q.Grades[qid], grades)
		}
	}
	if n := q.Relevant("q2"); n != 2 {
		t.Errorf("Relevant(q2) = %d, want 2", n)
	}
	if n := q.Relevant("q1"); n != 0 {
		t.Errorf("Relevant(q1) = %d, want 0", n)
	}
}

func TestReadQrelsErrors(t *testing.T) {
	tests := []struct {
		name, qrels string
		kind        error
		line        int
	}{
		{"two columns", "q1\td1\n", ErrColumns, 1},
		{"fractional score", "q1\td1\t1\nq1\td2\t0.5\n", ErrType, 2},
		{"conflicting grades", "q1\td1\t1\nq2\td1\t1\nq1\td1\t2\n", ErrConflict, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"qrels/test.tsv": tt.qrels})
			_, err := ReadQrels(dir, "test")
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.kind) {
				t.Fatalf("ReadQrels error = %v, want a *ParseError of kind %v", err, tt.kind)
			}
			if pe.Line != tt.line {
				t.Errorf("error on line %d, want %d: %v", pe.Line, tt.line, err)
			}
		})
	}
}

func TestReadQrelsMissingSplit(t *testing.T) {
	dir := writeFiles(t, map[string]string{"qrels/train.tsv": "q1\td1\t1\n", "qrels/dev.tsv.gz": ""})
	_, err := ReadQrels(dir, "test")
	if err == nil || !strings.Contains(err.Error(), "found: dev, train") {
		t.Fatalf("ReadQrels error = %v, want one that lists the splits dev, train", err)
	}
}

func TestReadQueries(t *testing.T) {
	dir := writeFiles(t, map[string]string{"queries.jsonl": `{"_id": "q1", "text": "first"}
{"_id": 7, "text": "numeric ID"}
{"_id": "q1", "text": "repeated ID"}
{"_id": "q2", "text": ""}
`})
	got, err := ReadQueries(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"q1": "first", "7": "numeric ID"}
	if !maps.Equal(got, want) {
		t.Errorf("ReadQueries = %v, want %v", got, want)
	}
}

func TestReadCorpus(t *testing.T) {
	dir := writeFiles(t, map[string]string{"corpus.jsonl": `{"_id": "d1", "title": "T", "text": "one"}
{"_id": "d2", "text": "two"}
{"_id": "d1", "text": "repeated ID"}
{"_id": "d3", "title": "", "text": ""}
{"_id": "d4", "title": "only a title", "text": ""}
`})
	var ids, texts []string
	stats, err := ReadCorpus(dir, func(p Passage) error {
		ids = append(ids, p.ID)
		texts = append(texts, p.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"d1", "d2", "d4"}; !slices.Equal(ids, want) {
		t.Errorf("IDs = %v, want %v", ids, want)
	}
	if want := []string{"T one", "two", "only a title"}; !slices.Equal(texts, want) {
		t.Errorf("texts = %q, want %q", texts, want)
	}
	if stats.Passages != 3 || stats.DuplicateIDs != 1 || stats.Empty != 1 {
		t.Errorf("stats = %+v, want 3 passages, 1 duplicate ID, 1 empty", stats)
	}
}

func TestReadCorpusMissingID(t *testing.T) {
	dir := writeFiles(t, map[string]string{"corpus.jsonl": `{"_id": "d1", "text": "one"}
{"text": "two"}
`})
	_, err := ReadCorpus(dir, func(Passage) error { return nil })
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrMissing) || pe.Line != 2 {
		t.Fatalf("ReadCorpus error = %v, want a missing-field error on line 2", err)
	}
}
