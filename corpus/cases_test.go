package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The folders under ../testdata/cases reproduce failures that users of
// other hard-negative miners reported, and testdata/cases/README.md lists
// what each one expects. TestReadBEIRMissingIDs covers beir-missing-ids.

func casePath(name, file string) string {
	return filepath.Join("..", "testdata", "cases", name, file)
}

func TestCaseNonstringPositive(t *testing.T) {
	path := casePath("nonstring-positive", "input.jsonl")
	var g Group
	_, err := ReadRecords(path, &g)
	want := path + `:2: "relevant_passages" item 2 must be a string, got a number`
	checkParseError(t, err, want, ErrType, 2)
}

func TestCaseEmptyNegatives(t *testing.T) {
	var g Group
	stats, err := ReadRecords(casePath("empty-negatives", "input.jsonl"), &g)
	if err != nil {
		t.Fatalf("ReadRecords: %v", err)
	}
	want := []Record{
		{
			Query:    "largest planet in the solar system",
			Relevant: rel("Jupiter is the largest planet in the solar system."),
			Line:     1,
		},
		{
			Query:     "smallest planet in the solar system",
			Relevant:  rel("Mercury is the smallest planet in the solar system."),
			Negatives: rel("Pluto was once called the smallest planet in the solar system."),
			Line:      2,
		},
		{
			Query:     "hottest planet in the solar system",
			Relevant:  rel("Venus is the hottest planet because of its thick atmosphere."),
			Negatives: rel("Mercury is the closest planet to the sun."),
			Line:      3,
		},
	}
	checkRecords(t, g.Records, want)
	if stats.EmptyNegatives != 1 {
		t.Errorf("empty negatives: got %d, want 1", stats.EmptyNegatives)
	}
	if stats.Lines != 3 {
		t.Errorf("lines: got %d, want 3", stats.Lines)
	}

	var passages []string
	pstats, err := ReadPassages(casePath("empty-negatives", "corpus.txt"), func(p Passage) error {
		passages = append(passages, p.Text)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadPassages: %v", err)
	}
	if pstats.Passages != 7 {
		t.Errorf("corpus passages: got %d, want 7", pstats.Passages)
	}
	if len(passages) == 7 && passages[6] != "Mercury has almost no atmosphere." {
		t.Errorf("last corpus passage: got %q, want %q", passages[6], "Mercury has almost no atmosphere.")
	}
}

func TestCaseNonLatin(t *testing.T) {
	path := casePath("non-latin", "input.jsonl")
	var g Group
	if _, err := ReadRecords(path, &g); err != nil {
		t.Fatalf("ReadRecords: %v", err)
	}
	want := []Record{
		{Query: "Ποια είναι η πρωτεύουσα της Ελλάδας;", Relevant: rel("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας."), Line: 1},
		{Query: "日本の首都はどこですか", Relevant: rel("日本の首都は東京です。"), Line: 2},
		{Query: "what does the 🚀 emoji mean & when is it used <in chats>?", Relevant: rel("The 🚀 emoji stands for a launch or fast growth & is used in chats <often>."), Line: 3},
		{Query: "ما هي عاصمة مصر", Relevant: rel("القاهرة هي عاصمة مصر."), Line: 4},
	}
	checkRecords(t, g.Records, want)

	// The file holds the characters themselves, not \u escapes, so every
	// text read must occur byte for byte in its line.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(raw, []byte("\n"))
	for _, r := range g.Records {
		for _, s := range append([]string{r.Query}, r.Relevant...) {
			if !bytes.Contains(lines[r.Line-1], []byte(`"`+s+`"`)) {
				t.Errorf("line %d does not contain %q byte for byte", r.Line, s)
			}
		}
	}

	corpusPath := casePath("non-latin", "corpus.txt")
	var got []string
	if _, err := ReadPassages(corpusPath, func(p Passage) error {
		got = append(got, p.Text)
		return nil
	}); err != nil {
		t.Fatalf("ReadPassages: %v", err)
	}
	raw, err = os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(got) != 6 || len(wantLines) != 6 {
		t.Fatalf("got %d passages from %d lines, want 6 from 6", len(got), len(wantLines))
	}
	for i := range wantLines {
		if got[i] != wantLines[i] {
			t.Errorf("passage %d: got %q, want %q", i+1, got[i], wantLines[i])
		}
	}
}
