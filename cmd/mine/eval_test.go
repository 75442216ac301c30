package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalFixture writes a small BEIR folder whose rankings and metrics can be
// worked out by hand. Every document has 4 tokens, so a one-term query
// ranks documents by the term's frequency under every scoring model.
//
//	a  "apple apple apple pear"  apple 3
//	b  "apple apple pear pear"   apple 2
//	c  "apple pear pear pear"    apple 1
//	d  "pear pear pear pear"
//	e  "plum plum plum plum"     plum 4
//	f  the text of b             apple 2
//	a  again, "plum"             skipped: the ID is taken
//
// q1 "apple" ranks a, then b and f with equal scores, then c. Equal
// scores go by descending ID as in trec_eval, so the order is a, f, b, c. q2 "plum"
// ranks e. q3 has no relevant document and is not evaluated. q4 is judged
// but missing from queries.jsonl, so it retrieves nothing.
func evalFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"corpus.jsonl": `{"_id": "a", "title": "", "text": "apple apple apple pear"}
{"_id": "b", "title": "", "text": "apple apple pear pear"}
{"_id": "c", "title": "", "text": "apple pear pear pear"}
{"_id": "d", "title": "", "text": "pear pear pear pear"}
{"_id": "e", "title": "", "text": "plum plum plum plum"}
{"_id": "f", "title": "", "text": "apple apple pear pear"}
{"_id": "a", "title": "", "text": "plum"}
`,
		"queries.jsonl": `{"_id": "q1", "text": "apple"}
{"_id": "q2", "text": "plum"}
{"_id": "q3", "text": "pear"}
`,
		// zz is relevant to q2 but not in the corpus.
		"qrels/test.tsv": "query-id\tcorpus-id\tscore\n" +
			"q1\tf\t2\nq1\tc\t1\nq1\td\t1\nq1\ta\t0\n" +
			"q2\te\t1\nq2\tzz\t1\n" +
			"q3\td\t0\n" +
			"q4\ta\t1\n",
	}
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

// runEvalCLI runs a mine command line and returns its exit code and output.
func runEvalCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestEvalMetricsByHand(t *testing.T) {
	log2 := math.Log2
	// q1: f (grade 2) at rank 2, c (grade 1) at rank 4, d (grade 1) not
	// retrieved. The ideal ranking has grades 2, 1, 1.
	ndcg1 := (2/log2(3) + 1/log2(5)) / (2/log2(2) + 1/log2(3) + 1/log2(4))
	// q2: e at rank 1; zz, missing from the corpus, is never retrieved.
	ndcg2 := 1 / (1 + 1/log2(3))
	// Means over q1, q2 and q4, which scores 0.
	want := fmt.Sprintf("nDCG@10      %.4f\nMRR@10       %.4f\nRecall@100   %.4f\nRecall@1000  %.4f\n",
		(ndcg1+ndcg2)/3, (0.5+1.0)/3, (2.0/3+0.5)/3, (2.0/3+0.5)/3)

	dir := evalFixture(t)
	for _, scoring := range []string{"okapi", "lucene", "bleve"} {
		t.Run(scoring, func(t *testing.T) {
			runFile := filepath.Join(t.TempDir(), "run.txt")
			code, stdout, stderr := runEvalCLI("eval", "-in", dir, "-scoring", scoring, "-run", runFile)
			if code != exitOK {
				t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
			}
			if stdout != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
			}
			for _, warning := range []string{
				"1 queries missing from queries.jsonl; they score 0: q4",
				"1 relevant documents missing from the corpus; they count as not retrieved: zz",
				"3 queries of split test",
				"6 documents, 5 distinct texts",
				"corpus repeats 1 document IDs; the first of each was used",
				"1 documents have the text of an earlier one",
			} {
				if !strings.Contains(stderr, warning) {
					t.Errorf("stderr lacks %q:\n%s", warning, stderr)
				}
			}
			checkEvalRun(t, runFile)
		})
	}
}

// checkEvalRun checks the run file of evalFixture: queries, documents and
// ranks in order, equal scores for the shared text of b and f.
func checkEvalRun(t *testing.T, runFile string) {
	t.Helper()
	raw, err := os.ReadFile(runFile)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	scores := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Fatalf("run line %q has %d fields, want 6", line, len(f))
		}
		got = append(got, strings.Join([]string{f[0], f[1], f[2], f[3], f[5]}, " "))
		scores[f[0]+" "+f[2]] = f[4]
	}
	want := []string{
		"q1 Q0 a 1 mine",
		"q1 Q0 f 2 mine",
		"q1 Q0 b 3 mine",
		"q1 Q0 c 4 mine",
		"q2 Q0 e 1 mine",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("run file without scores:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if scores["q1 b"] != scores["q1 f"] {
		t.Errorf("b scores %s and f %s; documents with the same text must score the same", scores["q1 b"], scores["q1 f"])
	}
}

func TestEvalCommandLineErrors(t *testing.T) {
	dir := evalFixture(t)
	file := filepath.Join(dir, "queries.jsonl")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no input", []string{"eval"}, exitUsage, "-in is required"},
		{"missing folder", []string{"eval", "-in", filepath.Join(dir, "nope")}, exitUsage, "no such file or directory"},
		{"file for folder", []string{"eval", "-in", file}, exitUsage, "is not a folder"},
		{"argument", []string{"eval", "-in", dir, "extra"}, exitUsage, `unexpected argument "extra"`},
		{"unknown flag", []string{"eval", "-in", dir, "-out", "x"}, exitUsage, "flag provided but not defined: -out"},
		{"scoring", []string{"eval", "-in", dir, "-scoring", "tfidf"}, exitUsage, `-scoring must be one of okapi, lucene, bleve, got "tfidf"`},
		{"run to stdout", []string{"eval", "-in", dir, "-run", "-"}, exitUsage, "-run needs a file name"},
		{"workers", []string{"eval", "-in", dir, "-workers", "0"}, exitUsage, "-workers must be at least 1, got 0"},
		{"k1", []string{"eval", "-in", dir, "-k1", "-1"}, exitUsage, "-k1 must not be negative"},
		{"b", []string{"eval", "-in", dir, "-b", "1.5"}, exitUsage, "-b must be between 0 and 1, got 1.5"},
		{"analyzer", []string{"eval", "-in", dir, "-analyzer", "klingon"}, exitFail, `unknown analyzer "klingon"`},
		{"split", []string{"eval", "-in", dir, "-split", "dev"}, exitFail, "found: test"},
		{"run folder", []string{"eval", "-in", dir, "-run", filepath.Join(dir, "nope", "run.txt")}, exitFail, "write run file: create output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runEvalCLI(tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
			if tt.code != exitOK && stdout != "" {
				t.Errorf("stdout = %q, want nothing on failure", stdout)
			}
		})
	}
}
