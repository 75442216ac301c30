package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cases = "../../testdata/cases"

// runCLI runs a command line and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

// noFiles asserts that dir holds nothing but the listed names.
func noFiles(t *testing.T, dir string, keep ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !contains(keep, e.Name()) {
			t.Errorf("%s holds %s, want nothing written", dir, e.Name())
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const good = `{"query": "ocean tides", "relevant_passages": ["Tides form because the moon pulls on the ocean."]}` + "\n"

// TestBadInput runs every kind of bad input through the command: it stops
// with exit 1 and FILE:LINE: message, and writes no output file.
// skipHint is the line that follows an invalid JSON or CSV line, or a row
// with the wrong number of columns.
const skipHint = "\nmine: fix the line, or run with -skip-invalid to write invalid lines to a rejects file and go on"

func TestBadInput(t *testing.T) {
	long := strings.Repeat("x", 70000)
	tests := []struct {
		name  string
		file  string
		input []byte
		want  string
	}{
		{"invalid JSON", "in.jsonl", []byte(good + `{"query": "a", "relevant_passages": ["b"]` + "\n"),
			`in.jsonl:2: invalid JSON: unexpected EOF` + skipHint},
		{"two objects", "in.jsonl", []byte(good + strings.TrimSpace(good) + good),
			`in.jsonl:2: more than one JSON value on the line (extra data at byte 99); put each object on its own line`},
		{"not an object", "in.jsonl", []byte(`["ocean tides", "moon"]` + "\n"),
			`in.jsonl:1: line is a list, not a JSON object`},
		{"missing query", "in.jsonl", []byte(`{"relevant_passages": ["b"]}` + "\n"),
			`in.jsonl:1: missing "query"`},
		{"empty query", "in.jsonl", []byte(`{"query": "  ", "relevant_passages": ["b"]}` + "\n"),
			`in.jsonl:1: "query" is empty`},
		{"query not a string", "in.jsonl", []byte(`{"query": 7, "relevant_passages": ["b"]}` + "\n"),
			`in.jsonl:1: "query" must be a string, got a number`},
		{"passages misspelled", "in.jsonl", []byte(`{"query": "a", "pasage": "b"}` + "\n"),
			`in.jsonl:1: missing "relevant_passages" (or "pos", or "passage"): each line needs the query's relevant passages; this line has "pasage", "query"`},
		{"passages empty", "in.jsonl", []byte(`{"query": "a", "relevant_passages": []}` + "\n"),
			`in.jsonl:1: "relevant_passages" is an empty list; give at least one passage`},
		{"passages a string", "in.jsonl", []byte(`{"query": "a", "relevant_passages": "b"}` + "\n"),
			`in.jsonl:1: "relevant_passages" must be a list of strings, got a string`},
		{"passage not a string", "in.jsonl", []byte(`{"query": "a", "relevant_passages": ["b", {"text": "c"}]}` + "\n"),
			`in.jsonl:1: "relevant_passages" item 2 must be a string, got an object`},
		{"passage empty", "in.jsonl", []byte(`{"query": "a", "relevant_passages": ["b", ""]}` + "\n"),
			`in.jsonl:1: "relevant_passages" item 2 is empty`},
		{"negatives not a list", "in.jsonl", []byte(`{"query": "a", "relevant_passages": ["b"], "hard_negatives": "c"}` + "\n"),
			`in.jsonl:1: "hard_negatives" must be a list of strings, got a string`},
		{"invalid UTF-8", "in.jsonl", []byte(good + "{\"query\": \"caf\xe9\", \"relevant_passages\": [\"b\"]}\n"),
			`in.jsonl:2: invalid UTF-8 at byte 15 of the line; re-encode the file as UTF-8`},
		{"raw NUL byte", "in.jsonl", []byte("{\"query\": \"a\x00b\", \"relevant_passages\": [\"b\"]}\n"),
			`in.jsonl:1: invalid JSON at byte 13 of the line: invalid character '\x00' in string literal` + skipHint},
		{"TSV extra column", "in.tsv", []byte("a\tb\n\"c\"\td\te\n"),
			`in.tsv:2: row has 3 columns, want 2 (query, passage)` + skipHint},
		{"TSV one column", "in.tsv", []byte("query\tpassage\nonly a query\n"),
			`in.tsv:2: row has 1 column, want 2 (query, passage)` + skipHint},
		{"CSV bare quote", "in.csv", []byte("query,passage\na,b\"c\n"),
			`in.csv:2: invalid CSV: bare " in non-quoted-field` + skipHint},
		{"truncated gzip", "in.jsonl.gz", gzipped(t, []byte(strings.Repeat(good, 200)))[:60],
			`in.jsonl.gz:1: gzip stream is truncated or corrupt (unexpected EOF); check the download or recompress the file`},
		{"empty input", "in.jsonl", []byte("\n\n"),
			`in.jsonl: no records to mine`},
		{"long line with error", "in.jsonl", []byte(`{"query": "a", "relevant_passages": ["` + long + `", 3]}` + "\n"),
			`in.jsonl:1: "relevant_passages" item 2 must be a string, got a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := writeFile(t, dir, tt.file, tt.input)
			outDir := t.TempDir()
			code, _, stderr := runCLI(t, "-in", in, "-out", filepath.Join(outDir, "out.jsonl"))
			if code != exitFail {
				t.Errorf("exit code: got %d, want %d", code, exitFail)
			}
			want := "mine: " + filepath.Join(dir, tt.want) + "\n"
			if stderr != want {
				t.Errorf("stderr:\ngot  %q\nwant %q", stderr, want)
			}
			noFiles(t, outDir)
		})
	}
}

// TestAcceptedInput covers input that looks odd but is valid.
func TestAcceptedInput(t *testing.T) {
	bigPassage := strings.Repeat("tides and currents move the ocean water ", 25000) // 1 MB
	tests := []struct {
		name    string
		file    string
		input   string
		records int
		warn    string
	}{
		{"byte-order mark", "in.jsonl", "\xef\xbb\xbf" + good, 1, "starts with a byte-order mark; it was ignored"},
		{"CRLF", "in.jsonl", strings.ReplaceAll(good+good, "\n", "\r\n"), 1, "wrote 1 record "},
		{"blank lines", "in.jsonl", "\n\n" + good + "\n   \n", 1, "wrote 1 record "},
		{"1 MB passage", "in.jsonl", `{"query": "ocean tides", "relevant_passages": ["` + bigPassage + `"]}` + "\n" + good, 1, "wrote 1 record "},
		{"query syntax", "in.jsonl", `{"query": "+title:\"ocean\" -moon AND tides* OR (pull)^2 ~1 \\\\", "relevant_passages": ["x"]}` + "\n" + good, 2, "wrote 2 records"},
		{"escaped NUL", "in.jsonl", `{"query": "ocean\u0000tides", "relevant_passages": ["moon\u0000pull"]}` + "\n", 1, "wrote 1 record "},
		{"TSV quotes are text", "in.tsv", "\"ocean\" tides\tthe \"moon\" pulls\nwhy \"blue\tbecause\n", 2, "wrote 2 records"},
		{"long query", "in.jsonl", `{"query": "` + strings.Repeat("ocean tides moon word", 3000) + ` w1 w2 w3", "relevant_passages": ["p"]}` + "\n" + good, 2, "wrote 2 records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := writeFile(t, dir, tt.file, []byte(tt.input))
			out := filepath.Join(dir, "out.jsonl")
			code, _, stderr := runCLI(t, "-in", in, "-out", out)
			if code != exitOK {
				t.Fatalf("exit code: got %d, want 0; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.warn) {
				t.Errorf("stderr lacks %q:\n%s", tt.warn, stderr)
			}
			if got := len(readLines(t, out)); got != tt.records {
				t.Errorf("records: got %d, want %d", got, tt.records)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", []byte(good))
	out := filepath.Join(dir, "out.jsonl")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"-out", out}, "-in is required: the input file or BEIR folder"},
		{"no output", []string{"-in", in}, "-out is required: the output file, or - for standard output"},
		{"no output, missing input", []string{"-in", filepath.Join(dir, "nope.jsonl")}, "-out is required: the output file, or - for standard output"},
		{"unknown flag", []string{"-in", in, "-out", out, "-frobnicate"}, "flag provided but not defined: -frobnicate"},
		{"window too small", []string{"-in", in, "-out", out, "-negatives", "10", "-depth", "5"},
			"-negatives 10 is more than -depth 5; only -depth candidates are examined per query, so raise -depth or lower -negatives"},
		{"zero negatives", []string{"-in", in, "-out", out, "-negatives", "0"}, "-negatives must be at least 1, got 0"},
		{"zero workers", []string{"-in", in, "-out", out, "-workers", "0"}, "-workers must be at least 1, got 0"},
		{"b out of range", []string{"-in", in, "-out", out, "-b", "1.5"}, "-b must be between 0 and 1, got 1.5"},
		{"unknown format", []string{"-in", in, "-out", out, "-format", "csv"}, `-format must be one of [cohere flag triplets], got "csv"`},
		{"rejects without skip", []string{"-in", in, "-out", out, "-rejects", "r.jsonl"}, "-rejects is used only with -skip-invalid"},
		{"eval fraction without file", []string{"-in", in, "-out", out, "-eval-fraction", "0.2"}, "-eval-fraction, -eval-count and -split-by-passage need -eval-out FILE"},
		{"unknown analyzer", []string{"-in", in, "-out", out, "-analyzer", "klingon"}, `unknown analyzer "klingon"`},
		{"stray argument", []string{"-in", in, "-out", out, "extra"}, `unexpected argument "extra"; give the input with -in`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code: got %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a usage error wrote %s", out)
	}
}

// TestBadQrelsRowNoHint checks that a bad qrels row does not suggest
// -skip-invalid, which never skips qrels rows.
func TestBadQrelsRowNoHint(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "corpus.jsonl", []byte(`{"_id": "d1", "text": "a passage"}`+"\n"))
	writeFile(t, dir, "queries.jsonl", []byte(`{"_id": "q1", "text": "a query"}`+"\n"))
	if err := os.MkdirAll(filepath.Join(dir, "qrels"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "qrels"), "train.tsv", []byte("q1\td1\n"))
	code, _, stderr := runCLI(t, "-in", dir, "-split", "train", "-out", filepath.Join(t.TempDir(), "out.jsonl"))
	if code != exitFail {
		t.Errorf("exit code: got %d, want %d", code, exitFail)
	}
	want := "mine: " + filepath.Join(dir, "qrels", "train.tsv") + ":1: row has 2 columns, want 3 (query-id, corpus-id, score) separated by tabs\n"
	if stderr != want {
		t.Errorf("stderr:\ngot  %q\nwant %q", stderr, want)
	}
}

func TestMissingInputFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.jsonl")
	code, _, stderr := runCLI(t, "-in", missing, "-out", filepath.Join(dir, "out.jsonl"))
	if code != exitFail {
		t.Errorf("exit code: got %d, want 1", code)
	}
	if want := "mine: -in " + missing + ": no such file or directory\n"; stderr != want {
		t.Errorf("stderr:\ngot  %q\nwant %q", stderr, want)
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := runCLI(t, "-h")
	if code != exitOK {
		t.Errorf("exit code: got %d, want 0", code)
	}
	for _, flag := range []string{"-in", "-out", "-corpus", "-negatives", "-depth", "-workers", "-index", "-split", "-format", "-skip-invalid", "-strict", "-eval-out", "(default 50)", "Exit codes"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("help lacks %q", flag)
		}
	}
}

// TestHelpGoesToStdout checks that every command's help is printed on
// standard output, so that it can be paged, with exit code 0.
func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"eval", "-h"}, {"validate", "-h"}, {"explain", "-h"}, {"synth", "-h"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitOK || !strings.HasPrefix(stdout, "Usage: mine") || !strings.Contains(stdout, "-") || stderr != "" {
			t.Errorf("mine %s: exit %d, stdout starting %.30q, stderr %q; want 0, the usage on stdout and nothing on stderr",
				strings.Join(args, " "), code, stdout, stderr)
		}
	}
}
