package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// The cases under testdata/cases reproduce failures that users of other
// hard-negative miners reported; each test pins the right result.

func negatives(m map[string]any) []string {
	raw, _ := m["hard_negatives"].([]any)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i], _ = v.(string)
	}
	return out
}

func TestCaseTinyCorpus(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, _, stderr := runCLI(t, "-in", filepath.Join(cases, "tiny-corpus", "input.jsonl"), "-out", out)
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	recs := readLines(t, out)
	if len(recs) != 2 {
		t.Fatalf("records: got %d, want 2", len(recs))
	}
	for i, other := range []int{1, 0} {
		want := recs[other]["relevant_passages"].([]any)[0].(string)
		got := negatives(recs[i])
		if len(got) != 1 || got[0] != want {
			t.Errorf("record %d negatives: got %q, want [%q]", i+1, got, want)
		}
	}
	if !strings.Contains(stderr, "short       2 records with fewer than 5 negatives") {
		t.Errorf("summary does not count 2 short records:\n%s", stderr)
	}
}

func TestCaseWindowTooSmall(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "-in", filepath.Join(cases, "window-too-small", "input.jsonl"),
		"-out", filepath.Join(dir, "out.jsonl"), "-negatives", "10", "-depth", "5")
	if code != exitUsage {
		t.Errorf("exit code: got %d, want 2", code)
	}
	if !strings.Contains(stderr, "-negatives 10") || !strings.Contains(stderr, "-depth 5") {
		t.Errorf("message does not name both flags:\n%s", stderr)
	}
	noFiles(t, dir)
}

func TestCaseNonstringPositive(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(cases, "nonstring-positive", "input.jsonl")
	code, _, stderr := runCLI(t, "-in", in, "-out", filepath.Join(dir, "out.jsonl"))
	if code != exitFail {
		t.Errorf("exit code: got %d, want 1", code)
	}
	want := "mine: " + in + `:2: "relevant_passages" item 2 must be a string, got a number` + "\n"
	if stderr != want {
		t.Errorf("stderr:\ngot  %q\nwant %q", stderr, want)
	}
	noFiles(t, dir)
}

func TestCaseEmptyNegatives(t *testing.T) {
	dir := filepath.Join(cases, "empty-negatives")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, _, stderr := runCLI(t, "-in", filepath.Join(dir, "input.jsonl"), "-corpus", filepath.Join(dir, "corpus.txt"), "-out", out)
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	recs := readLines(t, out)
	for i, r := range recs {
		if n := len(negatives(r)); n != 5 {
			t.Errorf("line %d: got %d negatives, want 5", i+1, n)
		}
	}
	if got := negatives(recs[1])[0]; got != "Pluto was once called the smallest planet in the solar system." {
		t.Errorf("line 2: first negative %q, want the given one", got)
	}
	negs3 := negatives(recs[2])
	if negs3[0] != "Mercury is the closest planet to the sun." {
		t.Errorf("line 3: first negative %q, want the given non-empty one", negs3[0])
	}
	for _, n := range negs3 {
		if n == "" {
			t.Errorf("line 3: the empty negative was kept")
		}
	}
	if !strings.Contains(stderr, "dropped 1 empty strings from given hard negatives") {
		t.Errorf("no counted warning for the empty negative:\n%s", stderr)
	}
}

func TestCaseNonLatin(t *testing.T) {
	dir := filepath.Join(cases, "non-latin")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, _, stderr := runCLI(t, "-in", filepath.Join(dir, "input.jsonl"), "-corpus", filepath.Join(dir, "corpus.txt"), "-out", out)
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `\u`) {
		t.Errorf("output holds \\u escapes:\n%s", raw)
	}
	input, _ := os.ReadFile(filepath.Join(dir, "input.jsonl"))
	corpusText, _ := os.ReadFile(filepath.Join(dir, "corpus.txt"))
	recs := readLines(t, out)
	scripts := []*unicode.RangeTable{unicode.Greek, unicode.Han, unicode.Latin, unicode.Arabic}
	for i, r := range recs {
		q := r["query"].(string)
		if !strings.Contains(string(input), q) || !strings.Contains(string(raw), q) {
			t.Errorf("line %d: query not carried byte for byte: %q", i+1, q)
		}
		negs := negatives(r)
		if len(negs) == 0 {
			t.Errorf("line %d: no negative found", i+1)
		}
		for _, n := range negs {
			if !strings.Contains(string(corpusText), n+"\n") {
				t.Errorf("line %d: negative %q is not a corpus line", i+1, n)
			}
			if !strings.ContainsFunc(n, func(r rune) bool { return unicode.Is(scripts[i], r) }) {
				t.Errorf("line %d: negative %q is not in the query's script", i+1, n)
			}
		}
	}
	if !strings.Contains(string(raw), "& parties") || !strings.Contains(string(raw), "<in chats>") {
		t.Errorf("&, < or > did not come out as they went in:\n%s", raw)
	}
}

func TestCaseBEIRMissingIDs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, _, stderr := runCLI(t, "-in", filepath.Join(cases, "beir-missing-ids"), "-split", "test", "-out", out)
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"qrels name 1 documents missing from the corpus: d9", "qrels name 1 queries missing from queries.jsonl: q7"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	recs := readLines(t, out)
	if len(recs) != 2 {
		t.Fatalf("records: got %d, want 2", len(recs))
	}
	wantRel := []string{
		"Copper conducts electricity well because its outer electron moves freely.",
		"Insulators Rubber and glass resist the flow of electric current.",
	}
	for i, r := range recs {
		rel := r["relevant_passages"].([]any)
		if len(rel) != 1 || rel[0] != wantRel[i] {
			t.Errorf("record %d relevant: got %q, want [%q]", i+1, rel, wantRel[i])
		}
	}
}

// TestHugeWindow asks for far more negatives and depth than the corpus
// holds: the run must allocate by what exists, not by the flags.
func TestHugeWindow(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, _, stderr := runCLI(t, "-in", filepath.Join(cases, "tiny-corpus", "input.jsonl"), "-out", out,
		"-negatives", "100000000000", "-depth", "100000000000")
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := len(readLines(t, out)); got != 2 {
		t.Errorf("records: got %d, want 2", got)
	}
}
