package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

const scifact = "../../testdata/scifact"

// TestMain lets a test run the real command in a child process, so that
// signals can be sent to it.
func TestMain(m *testing.M) {
	if os.Getenv("MINE_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestSkipInvalid(t *testing.T) {
	dir := t.TempDir()
	bad := []string{
		`{"query": "a", "relevant_passages": "b"}`,
		"{\"query\": \"caf\xe9\", \"relevant_passages\": [\"b\"]}",
		`not json at all`,
	}
	input := good + bad[0] + "\n" + `{"query": "moon", "relevant_passages": ["The moon orbits the earth."]}` + "\n" + bad[1] + "\n" + bad[2] + "\n"
	in := writeFile(t, dir, "in.jsonl", []byte(input))
	out := filepath.Join(dir, "out.jsonl")
	code, _, stderr := runCLI(t, "-in", in, "-out", out, "-skip-invalid")
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := len(readLines(t, out)); got != 2 {
		t.Errorf("records: got %d, want 2", got)
	}
	rejected, err := os.ReadFile(out + ".rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(bad, "\n") + "\n"; string(rejected) != want {
		t.Errorf("rejects file:\ngot  %q\nwant %q", rejected, want)
	}
	for _, want := range []string{
		"skipped 3 invalid lines (1 invalid UTF-8, 1 invalid JSON, 1 wrong field type)",
		in + `:2: "relevant_passages" must be a list of strings, got a string`,
		in + ":4: invalid UTF-8 at byte 15",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestStrict(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", []byte(good))
	out := filepath.Join(dir, "out.jsonl")
	code, _, stderr := runCLI(t, "-in", in, "-out", out)
	if code != exitOK || !strings.Contains(stderr, "too few unique queries: the file has 1 and Cohere needs at least 256") {
		t.Errorf("without -strict: exit %d, want 0 and a warning; stderr:\n%s", code, stderr)
	}
	os.Remove(out)
	code, _, stderr = runCLI(t, "-in", in, "-out", out, "-strict")
	if code != exitFail {
		t.Errorf("with -strict: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "output would not pass Cohere's upload check") {
		t.Errorf("stderr does not say why:\n%s", stderr)
	}
	noFiles(t, dir, "in.jsonl")
}

func TestStdinStdout(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl.gz", gzipped(t, []byte(good+`{"query": "moon", "relevant_passages": ["The moon pulls on tides."]}`+"\n")))
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	// Standard input is the process's; swap it for the gzip file.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = stdin }()
	code, stdout, stderr := runCLI(t, "-in", "-", "-out", "-")
	if code != exitOK {
		t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	if len(data) == 0 || strings.Count(stdout, "\n") != 2 {
		t.Errorf("stdout: got %q, want 2 JSON lines", stdout)
	}
	if !strings.Contains(stdout, `"hard_negatives":["The moon pulls on tides."]`) {
		t.Errorf("first record did not get the other passage as a negative: %s", stdout)
	}
}

func TestFormats(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", []byte(
		`{"query": "ocean tides", "relevant_passages": ["Tides follow the moon.", "Ocean tides rise twice a day."]}`+"\n"+
			`{"query": "ocean colour", "relevant_passages": ["The ocean is blue."]}`+"\n"))
	tests := []struct {
		format string
		lines  int
		keys   []string
	}{
		{"cohere", 2, []string{"query", "relevant_passages", "hard_negatives"}},
		{"flag", 2, []string{"query", "pos", "neg"}},
		// Record 1 has 2 positives and 1 negative, record 2 one of each.
		{"triplets", 3, []string{"anchor", "positive", "negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out := filepath.Join(dir, tt.format+".jsonl")
			code, _, stderr := runCLI(t, "-in", in, "-out", out, "-format", tt.format)
			if code != exitOK {
				t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
			}
			raw, _ := os.ReadFile(out)
			lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
			if len(lines) != tt.lines {
				t.Fatalf("lines: got %d, want %d:\n%s", len(lines), tt.lines, raw)
			}
			for _, line := range lines {
				dec := json.NewDecoder(strings.NewReader(line))
				tok, _ := dec.Token()
				if tok != json.Delim('{') {
					t.Fatalf("line is not an object: %s", line)
				}
				for _, key := range tt.keys {
					got, _ := dec.Token()
					if got != key {
						t.Errorf("key: got %v, want %q in %s", got, key, line)
					}
					var skip any
					dec.Decode(&skip)
				}
			}
		})
	}
}

// TestEvalSplit checks that the held-out split is disjoint, by query and,
// with -split-by-passage, by relevant passage, and reproducible.
func TestEvalSplit(t *testing.T) {
	dir := t.TempDir()
	split := func(name string, extra ...string) (train, eval []map[string]any, trainRaw, evalRaw []byte) {
		out := filepath.Join(dir, name+".jsonl")
		evalOut := filepath.Join(dir, name+".eval.jsonl")
		args := append([]string{"-in", scifact, "-split", "train", "-out", out, "-eval-out", evalOut}, extra...)
		code, _, stderr := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
		}
		trainRaw, _ = os.ReadFile(out)
		evalRaw, _ = os.ReadFile(evalOut)
		return readLines(t, out), readLines(t, evalOut), trainRaw, evalRaw
	}
	train, eval, t1, e1 := split("a", "-eval-count", "100", "-seed", "7")
	if len(eval) != 100 || len(train) != 707 {
		t.Errorf("sizes: got %d train and %d eval, want 707 and 100", len(train), len(eval))
	}
	queries := map[string]bool{}
	for _, r := range train {
		queries[r["query"].(string)] = true
	}
	for _, r := range eval {
		if queries[r["query"].(string)] {
			t.Errorf("query in both files: %.60s", r["query"])
		}
	}
	_, _, t2, e2 := split("b", "-eval-count", "100", "-seed", "7", "-workers", "1")
	if !bytes.Equal(t1, t2) || !bytes.Equal(e1, e2) {
		t.Errorf("the same seed gave a different split")
	}
	_, _, _, e3 := split("c", "-eval-count", "100", "-seed", "8")
	if bytes.Equal(e1, e3) {
		t.Errorf("another seed gave the same held-out file")
	}

	train, eval, _, _ = split("d", "-eval-fraction", "0.2", "-seed", "1", "-split-by-passage")
	passages := map[string]bool{}
	for _, r := range train {
		for _, p := range r["relevant_passages"].([]any) {
			passages[p.(string)] = true
		}
	}
	shared := 0
	for _, r := range eval {
		for _, p := range r["relevant_passages"].([]any) {
			if passages[p.(string)] {
				shared++
			}
		}
	}
	if shared > 0 {
		t.Errorf("%d relevant passages appear in both files", shared)
	}
	if n := len(eval); n < 150 || n > 175 {
		t.Errorf("held out %d records, want about 20%% of 807", n)
	}
}

func TestIndexReuse(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "index")
	in := filepath.Join(cases, "tiny-corpus", "input.jsonl")
	out := filepath.Join(dir, "out.jsonl")
	_, _, first := runCLI(t, "-in", in, "-out", out, "-index", idx)
	a, _ := os.ReadFile(out)
	code, _, second := runCLI(t, "-in", in, "-out", out, "-index", idx)
	b, _ := os.ReadFile(out)
	if code != exitOK || strings.Contains(first, "index reused") || !strings.Contains(second, "index reused") {
		t.Errorf("second run did not reuse the index:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("output changed when the index was reused")
	}
	other := writeFile(t, dir, "other.jsonl", []byte(good))
	code, _, third := runCLI(t, "-in", other, "-out", out, "-index", idx)
	if code != exitFail || !strings.Contains(third, "it was built from 2 passages, this run has 1; rebuild it with -rebuild") {
		t.Errorf("an index of other passages: exit %d, want 1 and the difference:\n%s", code, third)
	}
	code, _, fourth := runCLI(t, "-in", other, "-out", out, "-index", idx, "-rebuild")
	if code != exitOK || strings.Contains(fourth, "index reused") {
		t.Errorf("-rebuild: exit %d, want 0 and a new index:\n%s", code, fourth)
	}
}

// TestShards splits a job in three over one shared index and checks that
// the parts joined equal the whole output as a set of lines. Each part
// holds fewer than Cohere's 256 queries, which -strict must accept: the
// minimum applies to the parts joined.
func TestShards(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "index")
	whole := filepath.Join(dir, "whole.jsonl")
	if code, _, stderr := runCLI(t, "-in", scifact, "-split", "train", "-index", idx, "-index-only"); code != exitOK || !strings.Contains(stderr, "indexed 5183 distinct passages") {
		t.Fatalf("-index-only: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-in", scifact, "-split", "train", "-out", whole, "-index", idx); code != exitOK {
		t.Fatalf("unsharded run: exit %d\n%s", code, stderr)
	}
	want, _ := os.ReadFile(whole)
	var joined []string
	for i := 0; i < 3; i++ {
		part := filepath.Join(dir, fmt.Sprintf("part-%d.jsonl", i))
		code, _, stderr := runCLI(t, "-in", scifact, "-split", "train", "-out", part, "-index", idx, "-shard", fmt.Sprintf("%d/3", i), "-strict")
		if code != exitOK || !strings.Contains(stderr, "index reused") || strings.Contains(stderr, "too few unique queries") {
			t.Fatalf("shard %d: exit %d, want 0 with the index reused\n%s", i, code, stderr)
		}
		raw, _ := os.ReadFile(part)
		joined = append(joined, strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")...)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	sort.Strings(joined)
	sort.Strings(wantLines)
	if !slices.Equal(joined, wantLines) {
		t.Errorf("joined shards: %d lines, want the %d lines of the whole output", len(joined), len(wantLines))
	}
	ignored := filepath.Join(dir, "ignored.jsonl")
	code, _, stderr := runCLI(t, "-in", scifact, "-split", "train", "-index", idx, "-index-only", "-out", ignored)
	if code != exitOK || !strings.Contains(stderr, "-index-only writes no output; "+ignored+" was not written") {
		t.Errorf("-index-only with -out: exit %d, want 0 and a warning\n%s", code, stderr)
	}
	if _, err := os.Stat(ignored); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-index-only wrote %s (stat error %v)", ignored, err)
	}
	code, _, stderr = runCLI(t, "-in", scifact, "-out", filepath.Join(dir, "x.jsonl"), "-shard", "3/3")
	if code != exitUsage || !strings.Contains(stderr, "-shard must be I/N with 0 <= I < N") {
		t.Errorf("-shard 3/3: exit %d\n%s", code, stderr)
	}
}

// TestOutputFolderRefused gives a folder as the output and checks that the
// run stops before any work, with a usage error, and writes nothing.
func TestOutputFolderRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.jsonl")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "-in", filepath.Join(cases, "tiny-corpus", "input.jsonl"), "-out", target)
	if code != exitUsage || !strings.Contains(stderr, "-out "+target+" is a folder; give a file name") {
		t.Errorf("exit %d, want 2 and a message naming %s:\n%s", code, target, stderr)
	}
	noFiles(t, dir, "out.jsonl")
}

// TestResumeAfterKill kills a resumable run with SIGKILL after its first
// checkpoint and resumes it: the output must be byte-identical to an
// uninterrupted run.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	idx := filepath.Join(dir, "index")
	whole := filepath.Join(dir, "whole.jsonl")
	evalWhole := filepath.Join(dir, "whole.eval.jsonl")
	args := []string{"-in", scifact, "-split", "train", "-index", idx, "-eval-count", "50"}
	if code, _, stderr := runCLI(t, append(args, "-out", whole, "-eval-out", evalWhole)...); code != exitOK {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, stderr)
	}

	out := filepath.Join(dir, "out.jsonl")
	evalOut := filepath.Join(dir, "out.eval.jsonl")
	resumable := append(args, "-out", out, "-eval-out", evalOut, "-resume", "-workers", "1")
	cmd := exec.Command(os.Args[0], resumable...)
	cmd.Env = append(os.Environ(), "MINE_TEST_RUN_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if _, err := os.Stat(filepath.Join(dir, ".out.jsonl.checkpoint")); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("the killed run finished before the kill; the test needs a slower run")
	}

	code, _, stderr := runCLI(t, append(resumable[:len(resumable)-2], "-workers", "2")...)
	if code != exitOK {
		t.Fatalf("resumed run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "resumed after") {
		t.Errorf("the second run did not resume:\n%s", stderr)
	}
	for _, pair := range [][2]string{{whole, out}, {evalWhole, evalOut}} {
		want, _ := os.ReadFile(pair[0])
		got, err := os.ReadFile(pair[1])
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the uninterrupted %s (%d and %d bytes)", pair[1], pair[0], len(got), len(want))
		}
	}
	noFiles(t, dir, "index", "whole.jsonl", "whole.eval.jsonl", "out.jsonl", "out.eval.jsonl")
}

// TestInterrupt sends SIGINT to a running command while it indexes, and
// SIGTERM while it mines, and checks that nothing is left behind.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, tc := range []struct {
		stage string
		sig   os.Signal
	}{{"indexing", syscall.SIGINT}, {"mining", syscall.SIGTERM}} {
		stage := tc.stage
		t.Run(stage, func(t *testing.T) {
			outDir, tmp := t.TempDir(), t.TempDir()
			out := filepath.Join(outDir, "out.jsonl")
			writeFile(t, outDir, "out.jsonl", []byte("earlier output\n"))
			cmd := exec.Command(os.Args[0], "-in", scifact, "-split", "train", "-out", out, "-workers", "1")
			cmd.Env = append(os.Environ(), "MINE_TEST_RUN_MAIN=1", "TMPDIR="+tmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for ctx.Err() == nil {
				entries, _ := os.ReadDir(tmp)
				temps, _ := filepath.Glob(filepath.Join(outDir, ".out.jsonl.tmp-*"))
				if (stage == "indexing" && len(entries) > 0) || (stage == "mining" && len(temps) > 0) {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			exit, ok := err.(*exec.ExitError)
			if !ok || exit.ExitCode() != exitFail {
				t.Fatalf("exit: got %v, want code 1; stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted; no output was written") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
			noFiles(t, outDir, "out.jsonl")
			noFiles(t, tmp)
			if got, _ := os.ReadFile(out); string(got) != "earlier output\n" {
				t.Errorf("earlier output was changed to %.80q", got)
			}
		})
	}
}
