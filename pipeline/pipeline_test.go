package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

var update = flag.Bool("update", false, "rewrite golden output files")

const scifact = "../testdata/scifact"

// runJob runs the pipeline with cfg adjusted by the caller and returns the
// output bytes.
func runJob(t *testing.T, cfg Config) ([]byte, *Summary) {
	t.Helper()
	if cfg.Output == "" {
		cfg.Output = filepath.Join(t.TempDir(), "out.jsonl")
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	out, err := os.ReadFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

func config(input string) Config {
	cfg := DefaultConfig()
	cfg.Input = input
	return cfg
}

func decode(t *testing.T, out []byte) []corpus.CohereRecord {
	t.Helper()
	var recs []corpus.CohereRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var r corpus.CohereRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line %d: %v", len(recs)+1, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// checkMined asserts the properties every mined record must have.
func checkMined(t *testing.T, recs []corpus.CohereRecord, want int) {
	t.Helper()
	full := 0
	for i, r := range recs {
		if len(r.RelevantPassages) == 0 {
			t.Errorf("record %d: no relevant passage", i+1)
		}
		bad := map[string]bool{index.Normalize(r.Query): true}
		for _, p := range r.RelevantPassages {
			bad[index.Normalize(p)] = true
		}
		seen := map[string]bool{}
		for _, n := range r.HardNegatives {
			key := index.Normalize(n)
			if bad[key] {
				t.Errorf("record %d: negative equals a relevant passage or the query: %.60q", i+1, n)
			}
			if seen[key] {
				t.Errorf("record %d: negative repeated: %.60q", i+1, n)
			}
			seen[key] = true
		}
		if len(r.HardNegatives) == want {
			full++
		}
	}
	if full*100 < len(recs)*95 {
		t.Errorf("%d of %d records have %d negatives, want at least 95%%", full, len(recs), want)
	}
}

// sciFactQueryOrder returns the distinct texts of queries that have a
// relevant pair in qrels/train.tsv, in queries.jsonl order.
func sciFactQueryOrder(t *testing.T) []string {
	t.Helper()
	qrels, err := os.ReadFile(filepath.Join(scifact, "qrels", "train.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	relevant := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(qrels)), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 {
			continue
		}
		if score, _ := strconv.Atoi(f[2]); score > 0 {
			relevant[f[0]] = true
		}
	}
	raw, err := os.ReadFile(filepath.Join(scifact, "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var q struct {
			ID   string `json:"_id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatal(err)
		}
		if relevant[q.ID] && !seen[q.Text] {
			seen[q.Text] = true
			order = append(order, q.Text)
		}
	}
	return order
}

func TestRunSciFactTrain(t *testing.T) {
	cfg := config(scifact)
	cfg.Split = "train"
	cfg.Workers = 1
	out1, sum := runJob(t, cfg)
	recs := decode(t, out1)

	order := sciFactQueryOrder(t)
	if len(order) != 807 {
		t.Fatalf("distinct train queries: got %d, want 807", len(order))
	}
	if len(recs) != len(order) {
		t.Fatalf("records: got %d, want %d", len(recs), len(order))
	}
	for i := range recs {
		if recs[i].Query != order[i] {
			t.Fatalf("record %d: got query %.50q, want %.50q", i+1, recs[i].Query, order[i])
		}
	}
	if sum.MergedQueries != 2 {
		t.Errorf("merged queries: got %d, want 2", sum.MergedQueries)
	}
	checkMined(t, recs, 5)

	cfg.Workers = 8
	out8, _ := runJob(t, cfg)
	if !bytes.Equal(out1, out8) {
		t.Errorf("output with 8 workers differs from output with 1 worker")
	}
}

// TestRunOtherLayouts mines the same SciFact training data given as Cohere
// JSONL and as TSV pairs, with the corpus passed by -corpus.
func TestRunOtherLayouts(t *testing.T) {
	cfg := config(scifact)
	cfg.Split = "train"
	beirOut, _ := runJob(t, cfg)
	beirRecs := decode(t, beirOut)

	dir := t.TempDir()
	var cohere, tsv bytes.Buffer
	tsv.WriteString("query\tpassage\n")
	w := corpus.NewWriter(&cohere)
	for _, r := range beirRecs {
		if err := w.Write(corpus.CohereRecord{Query: r.Query, RelevantPassages: r.RelevantPassages}); err != nil {
			t.Fatal(err)
		}
		// TSV cannot hold tabs or line breaks inside a field; the corpus
		// keeps them, so exclusion must work through normalisation.
		flat := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
		for _, p := range r.RelevantPassages {
			tsv.WriteString(flat.Replace(r.Query) + "\t" + flat.Replace(p) + "\n")
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{"train.jsonl": cohere.Bytes(), "train.tsv": tsv.Bytes()}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := config(path)
			cfg.Corpus = []string{filepath.Join(scifact, "corpus.jsonl.gz")}
			cfg.Workers = 1
			out1, _ := runJob(t, cfg)
			recs := decode(t, out1)
			if len(recs) < 800 {
				t.Fatalf("records: got %d, want about 807", len(recs))
			}
			checkMined(t, recs, 5)
			cfg.Workers = 3
			out3, _ := runJob(t, cfg)
			if !bytes.Equal(out1, out3) {
				t.Errorf("output with 3 workers differs from output with 1 worker")
			}
		})
	}
}

func TestGolden(t *testing.T) {
	dir := "../testdata/golden/squad-sky"
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(filepath.Join(dir, "input.tsv"))
	cfg.Corpus = []string{filepath.Join(dir, "corpus.txt")}
	fields := strings.Fields(string(args))
	for i := 0; i+1 < len(fields); i += 2 {
		n, err := strconv.Atoi(fields[i+1])
		if err != nil {
			t.Fatalf("args: %v", err)
		}
		switch fields[i] {
		case "-negatives":
			cfg.Negatives = n
		case "-depth":
			cfg.Depth = n
		default:
			t.Fatalf("args: unsupported flag %s", fields[i])
		}
	}
	golden := filepath.Join(dir, "output.jsonl")
	for _, workers := range []int{1, 8} {
		cfg.Workers = workers
		got, _ := runJob(t, cfg)
		if *update && workers == 1 {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("workers=%d: output differs from %s; rerun with -update and review the diff", workers, golden)
		}
	}
}

// TestExclusion checks that no positive comes back as a negative, nor a
// case or whitespace variant of one, nor the query, nor a repeat.
func TestExclusion(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.jsonl")
	corpusFile := filepath.Join(dir, "corpus.txt")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(input, `{"query": "red apples grow on trees", "relevant_passages": ["Red apples grow on apple trees."]}`+"\n")
	write(corpusFile, strings.Join([]string{
		"RED   APPLES grow on apple trees.",   // case and whitespace variant of the positive
		"Ｒｅｄ apples grow on apple trees.",     // NFKC variant (full-width letters)
		"Red apples grow on trees",            // the query itself, in another case
		"Green apples grow on trees too.",     // a real negative
		"green apples  grow on trees too.",    // its variant: a repeat
		"Pears grow on trees in the orchard.", // a real negative
		"Trees need water to grow red fruit.", // a real negative
		"Bananas are yellow and grow in bunches.",
	}, "\n")+"\n")
	cfg := config(input)
	cfg.Corpus = []string{corpusFile}
	out, sum := runJob(t, cfg)
	recs := decode(t, out)
	if len(recs) != 1 {
		t.Fatalf("records: got %d, want 1", len(recs))
	}
	got := recs[0].HardNegatives
	want := map[string]bool{
		"Green apples grow on trees too.":         true,
		"Pears grow on trees in the orchard.":     true,
		"Trees need water to grow red fruit.":     true,
		"Bananas are yellow and grow in bunches.": true,
	}
	if len(got) != len(want) {
		t.Fatalf("negatives: got %q, want the %d in %v", got, len(want), want)
	}
	for _, n := range got {
		if !want[n] {
			t.Errorf("unexpected negative %q", n)
		}
	}
	if sum.Dropped.Relevant != 3 {
		t.Errorf("dropped as relevant: got %d, want 3 (the positive and two variants)", sum.Dropped.Relevant)
	}
	if sum.Dropped.Query != 1 {
		t.Errorf("dropped as query: got %d, want 1", sum.Dropped.Query)
	}
	if sum.Dropped.Duplicate != 1 {
		t.Errorf("dropped as duplicate: got %d, want 1", sum.Dropped.Duplicate)
	}
	if sum.Short != 1 {
		t.Errorf("short records: got %d, want 1 (4 negatives of 5)", sum.Short)
	}
	if sum.Positives != 1 || sum.PositivesRanked != 1 {
		t.Errorf("positives ranked: got %d of %d, want 1 of 1", sum.PositivesRanked, sum.Positives)
	}
}
