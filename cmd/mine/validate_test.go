package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus"
)

// runMain runs a command line and returns its exit code and output.
func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// cohereLines returns n valid Cohere lines with distinct queries.
func cohereLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"query": "query %d", "relevant_passages": ["passage %d"], "hard_negatives": ["other %d"]}`+"\n", i, i, i)
	}
	return b.String()
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeText(t, "good.jsonl", cohereLines(300))
	writeText(t, "warn.jsonl", cohereLines(300)+`{"query": "query 1", "relevant_passages": ["x"], "hard_negatives": ["y", "y"]}`+"\n")
	writeText(t, "bad.jsonl", `{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["p", ""]}`+"\n\n[1]\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string // a line that stderr must contain
	}{
		{
			name:       "passing file",
			args:       []string{"validate", "good.jsonl"},
			wantCode:   0,
			wantStdout: "good.jsonl: passed: 300 lines, 300 unique queries, 0 errors, 0 warnings\n",
		},
		{
			name:     "warnings only",
			args:     []string{"validate", "warn.jsonl"},
			wantCode: 0,
			wantStdout: `warn.jsonl:301: warning: "hard_negatives" item 2 repeats item 1; Cohere drops repeated negatives` + "\n" +
				"warn.jsonl:301: warning: same query as line 2; Cohere counts it once, so merge the two lines into one\n" +
				"warn.jsonl: passed: 301 lines, 300 unique queries, 0 errors, 2 warnings\n",
		},
		{
			name:     "failing file",
			args:     []string{"validate", "bad.jsonl"},
			wantCode: 1,
			wantStdout: "bad.jsonl:3: error: line is a list, not a JSON object\n" +
				`bad.jsonl:1: error: "hard_negatives" item 1 is also "relevant_passages" item 1; Cohere rejects a passage in both lists, so remove it from one` + "\n" +
				"bad.jsonl: error: too few unique queries: the file has 1 and Cohere needs at least 256, so add 255 more\n" +
				"bad.jsonl:2: warning: blank line; remove it, because a JSONL reader that parses every line rejects it\n" +
				`bad.jsonl:1: warning: "hard_negatives" item 2 is empty; Cohere drops empty negatives` + "\n" +
				"bad.jsonl: failed: 3 lines, 1 unique query, 3 errors, 2 warnings\n",
		},
		{
			name:     "missing file",
			args:     []string{"validate", "absent.jsonl"},
			wantCode: 1,
			wantStdout: "absent.jsonl: error: cannot open the file: no such file or directory\n" +
				"absent.jsonl: failed: 0 lines, 0 unique queries, 1 error, 0 warnings\n",
		},
		{
			name:     "two files, one failing",
			args:     []string{"validate", "good.jsonl", "absent.jsonl"},
			wantCode: 1,
			wantStdout: "good.jsonl: passed: 300 lines, 300 unique queries, 0 errors, 0 warnings\n" +
				"absent.jsonl: error: cannot open the file: no such file or directory\n" +
				"absent.jsonl: failed: 0 lines, 0 unique queries, 1 error, 0 warnings\n" +
				"mine validate: 1 of 2 files failed\n",
		},
		{
			name:       "file after double dash",
			args:       []string{"validate", "--", "good.jsonl"},
			wantCode:   0,
			wantStdout: "good.jsonl: passed: 300 lines, 300 unique queries, 0 errors, 0 warnings\n",
		},
		{
			name:       "no file",
			args:       []string{"validate"},
			wantCode:   2,
			wantStderr: "mine: validate needs at least one FILE to check",
		},
		{
			name:       "unknown flag",
			args:       []string{"validate", "-strict", "good.jsonl"},
			wantCode:   2,
			wantStderr: "flag provided but not defined: -strict",
		},
		{
			name:       "flag after the files",
			args:       []string{"validate", "good.jsonl", "-json"},
			wantCode:   2,
			wantStderr: "mine: flag -json after the files; put flags before the files, or write ./-json for a file of that name",
		},
		{
			name:       "standard input twice",
			args:       []string{"validate", "-", "-"},
			wantCode:   2,
			wantStderr: "mine: standard input (-) can be checked only once per run",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("got exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("got stdout\n%s\nwant\n%s", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" {
				t.Errorf("got stderr %q, want none", stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("got stderr\n%s\nwant it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestValidateCommandListsTwentyPerRule(t *testing.T) {
	t.Chdir(t.TempDir())
	text := cohereLines(300) + strings.Repeat(`{"query": "extra", "relevant_passages": []}`+"\n", 23)
	writeText(t, "many.jsonl", text)

	code, stdout, _ := runMain(t, "validate", "many.jsonl")
	if code != 1 {
		t.Errorf("got exit code %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	listed := 0
	for _, l := range lines {
		if strings.Contains(l, `"relevant_passages" is an empty list`) {
			listed++
		}
	}
	if listed != 20 {
		t.Errorf("got %d empty list errors listed, want 20", listed)
	}
	wantTail := []string{
		"many.jsonl: 3 more relevant_passages errors not listed",
		"many.jsonl:302: warning: same query as line 301; Cohere counts it once, so merge the two lines into one",
	}
	for _, want := range wantTail {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("got stdout without the line %q:\n%s", want, stdout)
		}
	}
	wantLast := "many.jsonl: failed: 323 lines, 301 unique queries, 23 errors, 22 warnings"
	if last := lines[len(lines)-1]; last != wantLast {
		t.Errorf("got last line %q, want %q", last, wantLast)
	}
}

// validateJSON is the -json output, decoded independently of the types
// that write it.
type validateJSON struct {
	Passed bool `json:"passed"`
	Files  []struct {
		Passed        bool           `json:"passed"`
		File          string         `json:"file"`
		Bytes         int64          `json:"bytes"`
		Lines         int            `json:"lines"`
		UniqueQueries int            `json:"unique_queries"`
		Errors        int            `json:"errors"`
		Warnings      int            `json:"warnings"`
		Counts        map[string]int `json:"counts"`
		Issues        []struct {
			Line     int    `json:"line"`
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"issues"`
	} `json:"files"`
}

func TestValidateCommandJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	good := cohereLines(300)
	writeText(t, "good.jsonl", good)
	writeText(t, "bad.jsonl", good+`{"query": "", "relevant_passages": ["p"]}`+"\n")

	code, stdout, stderr := runMain(t, "validate", "-json", "good.jsonl", "bad.jsonl")
	if code != 1 {
		t.Errorf("got exit code %d, want 1", code)
	}
	if stderr != "" {
		t.Errorf("got stderr %q, want none", stderr)
	}
	var got validateJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not the expected JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Errorf("got more than one JSON value on stdout:\n%s", stdout)
	}

	if got.Passed {
		t.Errorf("got passed true, want false")
	}
	if len(got.Files) != 2 {
		t.Fatalf("got %d file reports, want 2", len(got.Files))
	}
	first, second := got.Files[0], got.Files[1]
	if !first.Passed || first.File != "good.jsonl" || first.Lines != 300 || first.UniqueQueries != 300 {
		t.Errorf("got first report %+v, want good.jsonl passed with 300 lines and queries", first)
	}
	if first.Bytes != int64(len(good)) {
		t.Errorf("got first report bytes %d, want %d", first.Bytes, len(good))
	}
	if len(first.Issues) != 0 || len(first.Counts) != 0 {
		t.Errorf("got issues %+v and counts %v for good.jsonl, want none", first.Issues, first.Counts)
	}
	if second.Passed || second.Errors != 1 || second.Warnings != 0 {
		t.Errorf("got second report passed %v with %d errors and %d warnings, want failed with 1 and 0",
			second.Passed, second.Errors, second.Warnings)
	}
	if second.Counts["query"] != 1 {
		t.Errorf("got counts %v, want query: 1", second.Counts)
	}
	if len(second.Issues) != 1 {
		t.Fatalf("got %d issues, want 1", len(second.Issues))
	}
	is := second.Issues[0]
	wantMsg := `"query" is empty; give the query text or remove the line`
	if is.Line != 301 || is.Rule != "query" || is.Severity != "error" || is.Message != wantMsg {
		t.Errorf("got issue %+v, want line 301, rule query, severity error, message %q", is, wantMsg)
	}
}

// withStdin makes the file at path the process's standard input for the
// rest of the test.
func withStdin(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() {
		os.Stdin = old
		f.Close()
	})
}

func TestValidateCommandStdin(t *testing.T) {
	dir := t.TempDir()
	text := cohereLines(256)

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{"plain": []byte(text), "gzip": gz.Bytes()}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			writeText(t, path, string(data))
			withStdin(t, path)

			code, stdout, stderr := runMain(t, "validate", "-")
			if code != 0 {
				t.Errorf("got exit code %d, want 0; stderr: %s", code, stderr)
			}
			want := "-: passed: 256 lines, 256 unique queries, 0 errors, 0 warnings\n"
			if stdout != want {
				t.Errorf("got stdout %q, want %q", stdout, want)
			}
		})
	}
}

// mineSciFact runs the mining command on SciFact's training split and
// returns the path of the output.
func mineSciFact(t *testing.T) string {
	t.Helper()
	in, err := filepath.Abs(filepath.Join("..", "..", "testdata", "scifact"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "scifact-train.jsonl")
	code, _, stderr := runMain(t, "-in", in, "-split", "train", "-out", out, "-quiet")
	if code != 0 {
		t.Fatalf("mining SciFact: exit code %d: %s", code, stderr)
	}
	return out
}

// cohereRecord is one output line, decoded for editing.
type cohereRecord struct {
	Query            string   `json:"query"`
	RelevantPassages []string `json:"relevant_passages"`
	HardNegatives    []string `json:"hard_negatives,omitempty"`
}

func readTextLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

// longPassages counts the passages of a mined file that, with their query,
// are over 510 tokens at 4 tokens per 3 words, counted with strings.Fields.
func longPassages(t *testing.T, lines [][]byte) int {
	t.Helper()
	n := 0
	for _, line := range lines {
		var rec cohereRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		queryWords := len(strings.Fields(rec.Query))
		for _, p := range append(rec.RelevantPassages, rec.HardNegatives...) {
			tokens := (4*queryWords+2)/3 + (4*len(strings.Fields(p))+2)/3
			if tokens > 510 {
				n++
			}
		}
	}
	return n
}

func TestValidateSciFact(t *testing.T) {
	mined := mineSciFact(t)
	lines := readTextLines(t, mined)
	if len(lines) != 807 {
		t.Fatalf("mined %d lines, want 807", len(lines))
	}

	t.Run("mined output passes", func(t *testing.T) {
		report, err := corpus.ValidateFile(context.Background(), mined, corpus.ValidateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !report.Passed() {
			t.Errorf("got %d errors, want none:\n%+v", report.Errors, report.Issues)
		}
		if report.Lines != 807 || report.UniqueQueries != 807 {
			t.Errorf("got %d lines and %d unique queries, want 807 and 807", report.Lines, report.UniqueQueries)
		}
		if want := longPassages(t, lines); report.Counts[corpus.RuleLongPassage] != want || report.Warnings != want {
			t.Errorf("got %d warnings, %d of them long passages, want %d long passage warnings and no others",
				report.Warnings, report.Counts[corpus.RuleLongPassage], want)
		}

		code, stdout, _ := runMain(t, "validate", mined)
		if code != 0 {
			t.Errorf("got exit code %d, want 0:\n%s", code, stdout)
		}
	})

	dir := t.TempDir()

	t.Run("relevant passage among negatives", func(t *testing.T) {
		broken := append([][]byte(nil), lines...)
		var rec cohereRecord
		if err := json.Unmarshal(broken[9], &rec); err != nil {
			t.Fatal(err)
		}
		rec.HardNegatives = append(rec.HardNegatives, rec.RelevantPassages[0])
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		broken[9] = append(line, '\n')
		path := filepath.Join(dir, "overlap.jsonl")
		writeLines(t, path, broken)

		want := fmt.Sprintf(`"hard_negatives" item %d is also "relevant_passages" item 1; `+
			"Cohere rejects a passage in both lists, so remove it from one", len(rec.HardNegatives))
		checkOneError(t, path, 10, corpus.RuleOverlap, want)
	})

	t.Run("invalid UTF-8", func(t *testing.T) {
		broken := append([][]byte(nil), lines...)
		prefix := []byte(`{"query":"`)
		if !bytes.HasPrefix(broken[19], prefix) {
			t.Fatalf("line 20 starts with %.20q, want %q", broken[19], prefix)
		}
		line := append([]byte(nil), prefix...)
		line = append(line, 0xff)
		broken[19] = append(line, broken[19][len(prefix):]...)
		path := filepath.Join(dir, "encoding.jsonl")
		writeLines(t, path, broken)

		want := fmt.Sprintf("invalid UTF-8 at byte %d of the line; re-encode the file as UTF-8", len(prefix)+1)
		checkOneError(t, path, 20, corpus.RuleEncoding, want)
	})

	t.Run("truncated to 100 lines", func(t *testing.T) {
		path := filepath.Join(dir, "short.jsonl")
		writeLines(t, path, lines[:100])

		want := "too few unique queries: the file has 100 and Cohere needs at least 256, so add 156 more"
		checkOneError(t, path, 0, corpus.RuleUniqueQueries, want)
	})
}

// checkOneError validates path and checks that it fails with exactly one
// error, of rule at line, both through the corpus API and the command.
func checkOneError(t *testing.T, path string, line int, rule corpus.Rule, message string) {
	t.Helper()
	report, err := corpus.ValidateFile(context.Background(), path, corpus.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Errors != 1 {
		t.Errorf("got %d errors, want 1", report.Errors)
	}
	var found *corpus.Issue
	for i, is := range report.Issues {
		if is.Severity == corpus.SeverityError {
			found = &report.Issues[i]
		}
	}
	if found == nil {
		t.Fatalf("got no listed error, want one of rule %s", rule)
	}
	if found.Line != line || found.Rule != rule || found.Message != message {
		t.Errorf("got error %+v, want line %d, rule %s, message %q", *found, line, rule, message)
	}

	code, stdout, _ := runMain(t, "validate", path)
	if code != 1 {
		t.Errorf("got exit code %d, want 1", code)
	}
	wantLine := fmt.Sprintf("%s:%d: error: %s\n", path, line, message)
	if line == 0 {
		wantLine = fmt.Sprintf("%s: error: %s\n", path, message)
	}
	if !strings.Contains(stdout, wantLine) {
		t.Errorf("got stdout without %q:\n%s", wantLine, stdout)
	}
}

func TestValidateCommandInterrupted(t *testing.T) {
	t.Chdir(t.TempDir())
	writeText(t, "good.jsonl", cohereLines(300))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"validate", "good.jsonl"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("got exit code %d, want 1", code)
	}
	if stdout.Len() != 0 {
		t.Errorf("got stdout %q, want none", stdout.String())
	}
	if want := "mine validate: interrupted while checking good.jsonl\n"; stderr.String() != want {
		t.Errorf("got stderr %q, want %q", stderr.String(), want)
	}
}
