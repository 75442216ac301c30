package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mine-tools/mine/index"
)

// TestReuseSkipsUnchangedCorpus runs a BEIR folder twice against one index
// folder. The second run must not read the corpus, which the test proves
// by changing a passage while keeping the file's size and modification
// time: the output and the counts stay those of the first run. With a new
// modification time the corpus is read again, and the change is found.
func TestReuseSkipsUnchangedCorpus(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "testdata", "cases", "beir-missing-ids")
	for _, name := range []string{"corpus.jsonl", "queries.jsonl", filepath.Join("qrels", "test.tsv")} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "corpus.jsonl" {
			// A repeated _id, which the counts must keep.
			data = append(data, `{"_id": "d1", "text": "Gold conducts electricity too."}`+"\n"...)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config(dir)
	cfg.Split = "test"
	cfg.IndexDir = filepath.Join(t.TempDir(), "index")
	first, sum1 := runJob(t, cfg)
	if sum1.IndexReused {
		t.Fatal("first run: index reused, want it built")
	}

	corpusPath := filepath.Join(dir, "corpus.jsonl")
	fi, err := os.Stat(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(data, []byte("Rubber"), []byte("Robber"), 1)
	if bytes.Equal(changed, data) {
		t.Fatal("the test corpus no longer holds the word to change")
	}
	if err := os.WriteFile(corpusPath, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(corpusPath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}

	second, sum2 := runJob(t, cfg)
	if !sum2.IndexReused {
		t.Error("second run: index not reused")
	}
	if !bytes.Equal(first, second) {
		t.Errorf("second run wrote\n%s\nwant the first run's\n%s", second, first)
	}
	if !reflect.DeepEqual(sum1.BEIR, sum2.BEIR) {
		t.Errorf("second run: BEIR counts %+v, want the first run's %+v", *sum2.BEIR, *sum1.BEIR)
	}
	if sum2.BEIR.DuplicateDocs != 1 || len(sum2.BEIR.MissingDocs) == 0 {
		t.Errorf("second run: %d repeated and %d missing documents, want 1 and the case's missing ones", sum2.BEIR.DuplicateDocs, len(sum2.BEIR.MissingDocs))
	}
	if sum1.Records != sum2.Records || sum1.InputLines != sum2.InputLines || sum1.Passages != sum2.Passages {
		t.Errorf("second run: %d records from %d lines over %d passages, want %d, %d and %d",
			sum2.Records, sum2.InputLines, sum2.Passages, sum1.Records, sum1.InputLines, sum1.Passages)
	}

	now := time.Now()
	if err := os.Chtimes(corpusPath, now, now); err != nil {
		t.Fatal(err)
	}
	cfg.Output = filepath.Join(t.TempDir(), "out.jsonl")
	if _, err := Run(context.Background(), cfg); !errors.Is(err, index.ErrMismatch) {
		t.Errorf("after the corpus changed: got %v, want %v", err, index.ErrMismatch)
	}

	// The first content under a new time: the run reads the corpus,
	// reuses the index and keeps the new time, so that the next run can
	// skip the corpus again.
	if err := os.WriteFile(corpusPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Output = ""
	if third, sum3 := runJob(t, cfg); !sum3.IndexReused || !bytes.Equal(third, first) {
		t.Errorf("touched corpus: reused %v, output equal %v; want both", sum3.IndexReused, bytes.Equal(third, first))
	}
	fi, err = os.Stat(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corpusPath, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(corpusPath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if fourth, _ := runJob(t, cfg); !bytes.Equal(fourth, first) {
		t.Errorf("after the touched corpus was kept: wrote\n%s\nwant\n%s", fourth, first)
	}
}

// TestOutputMustNotReplaceInput checks that a run refuses, before reading
// anything, an output that is one of its input files or a folder, and
// leaves the input as it was.
func TestOutputMustNotReplaceInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "pairs.jsonl")
	data := []byte(`{"query": "tides", "relevant_passages": ["The moon pulls the oceans."]}` + "\n")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	corpusFile := filepath.Join(dir, "extra.txt")
	if err := os.WriteFile(corpusFile, []byte("Waves break on the shore.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	beirCorpus := filepath.Join("..", "testdata", "cases", "beir-missing-ids", "corpus.jsonl")
	for _, tc := range []struct {
		name   string
		adjust func(*Config)
		want   string
	}{
		{"output is the input", func(c *Config) { c.Output = in }, "-out " + in + " is also an input file"},
		{"output is a corpus file", func(c *Config) { c.Corpus = []string{corpusFile}; c.Output = corpusFile }, "is also an input file"},
		{"held-out file is the input", func(c *Config) { c.EvalOut = in; c.EvalFraction = 0.5 }, "-eval-out " + in + " is also an input file"},
		{"output is a BEIR file", func(c *Config) { c.Input = filepath.Dir(beirCorpus); c.Split = "test"; c.Output = beirCorpus }, "is also an input file"},
		{"output is a folder", func(c *Config) { c.Output = dir }, "is a folder; give a file name"},
	} {
		cfg := config(in)
		cfg.Output = filepath.Join(dir, "out.jsonl")
		tc.adjust(&cfg)
		_, err := Run(context.Background(), cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrConfig saying %q", tc.name, err, tc.want)
		}
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, data) {
		t.Errorf("the input changed to %q", got)
	}
}

// TestResumeStartsOverOnOtherSettings leaves the checkpoint of a run with
// other settings beside the output. A resumable run must report that it
// started over, and write the whole output.
func TestResumeStartsOverOnOtherSettings(t *testing.T) {
	cfg := config(filepath.Join("..", "testdata", "cases", "tiny-corpus", "input.jsonl"))
	want, _ := runJob(t, cfg)

	cfg.Output = filepath.Join(t.TempDir(), "out.jsonl")
	cfg.Resume = true
	if err := os.WriteFile(checkpointPath(cfg.Output), []byte(`{"key": "another run", "records": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, sum := runJob(t, cfg)
	if !sum.StartedOver || sum.Resumed != 0 {
		t.Errorf("started over %v, resumed %d; want true and 0", sum.StartedOver, sum.Resumed)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("wrote\n%s\nwant\n%s", got, want)
	}
}
