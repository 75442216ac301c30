package corpus

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes data to a new file called name in a temporary folder
// and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkRecords compares records field by field, so that a failure names
// the record and the field that differ.
func checkRecords(t *testing.T, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d records, want %d:\ngot  %+v\nwant %+v", len(got), len(want), got, want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Query != w.Query {
			t.Errorf("record %d query: got %q, want %q", i, g.Query, w.Query)
		}
		if !slices.Equal(g.Relevant, w.Relevant) {
			t.Errorf("record %d relevant: got %q, want %q", i, g.Relevant, w.Relevant)
		}
		if !slices.Equal(g.Negatives, w.Negatives) {
			t.Errorf("record %d negatives: got %q, want %q", i, g.Negatives, w.Negatives)
		}
		if g.Line != w.Line {
			t.Errorf("record %d line: got %d, want %d", i, g.Line, w.Line)
		}
	}
}

func rel(passages ...string) []string { return passages }

const bomText = "\xEF\xBB\xBF"

func TestReadRecords(t *testing.T) {
	tests := []struct {
		name       string
		file       string // file name, whose extension may decide the format
		data       string
		gzip       bool
		want       []Record
		wantLines  int
		wantEmpty  int
		wantBOM    bool
		wantMerged int
	}{
		{
			name: "cohere jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "relevant_passages": ["p1", "p2"], "hard_negatives": ["n1", ""]}` + "\n" +
				`{"query": "q2", "relevant_passages": ["p3"], "hard_negatives": null}` + "\n" +
				`{"query": "q3", "relevant_passages": ["p4"]}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p2"), Negatives: rel("n1"), Line: 1},
				{Query: "q2", Relevant: rel("p3"), Line: 2},
				{Query: "q3", Relevant: rel("p4"), Line: 3},
			},
			wantLines: 3,
			wantEmpty: 1,
		},
		{
			name: "pairs jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\n" + `{"query": "q2", "passage": "p2"}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "flagembedding jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "pos": ["p1"], "neg": ["n1", "n2"], "pos_scores": [1], "neg_scores": [0.5, 0.2]}` + "\n" +
				`{"query": "q2", "pos": ["p2"]}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Negatives: rel("n1", "n2"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "layouts mixed in one file",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\n" +
				`{"query": "q2", "pos": ["p2"], "neg": ["n2"]}` + "\n" +
				`{"query": "q3", "relevant_passages": ["p3"]}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Negatives: rel("n2"), Line: 2},
				{Query: "q3", Relevant: rel("p3"), Line: 3},
			},
			wantLines: 3,
		},
		{
			name: "jsonl detected without extension",
			file: "input",
			data: `{"query": "q1,with comma", "passage": "p1"}` + "\n",
			want: []Record{
				{Query: "q1,with comma", Relevant: rel("p1"), Line: 1},
			},
			wantLines: 1,
		},
		{
			name: "blank lines keep line numbers",
			file: "in.jsonl",
			data: "\n" + `{"query": "q1", "passage": "p1"}` + "\n  \n\t\n\n" + `{"query": "q2", "passage": "p2"}` + "\n\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
				{Query: "q2", Relevant: rel("p2"), Line: 6},
			},
			wantLines: 2,
		},
		{
			name: "crlf jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\r\n\r\n" + `{"query": "q2", "passage": "p2"}` + "\r\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines: 2,
		},
		{
			name: "no final newline",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\n" + `{"query": "q2", "passage": "p2"}`,
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "bom jsonl",
			file: "in.jsonl",
			data: bomText + `{"query": "q1", "passage": "p1"}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
			},
			wantLines: 1,
			wantBOM:   true,
		},
		{
			name: "bom alone on first line",
			file: "in.jsonl",
			data: bomText + "\n" + `{"query": "q1", "passage": "p1"}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
			wantLines: 1,
			wantBOM:   true,
		},
		{
			name: "empty file",
			file: "in.jsonl",
			data: "",
		},
		{
			name: "only blank lines",
			file: "in.jsonl",
			data: "\n \r\n\t\n",
		},
		{
			name: "tsv with header",
			file: "in.tsv",
			data: "query\tpassage\nq1\tp1\nq2\tp2\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines: 2,
		},
		{
			name: "tsv question header",
			file: "in.tsv",
			data: "Question\tanswer\nq1\tp1\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
			wantLines: 1,
		},
		{
			name: "tsv anchor header after blank line",
			file: "in.tsv",
			data: "\nanchor\tpositive\nq1\tp1\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 3},
			},
			wantLines: 1,
		},
		{
			name: "tsv without header",
			file: "in.tsv",
			data: "q1\tp1\nquery\tp2\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "query", Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "tsv quotes are plain text",
			file: "in.tsv",
			data: "\"q1\"\tsay \"hi\" and \"\"bye\"\n\"unclosed\tp2\n",
			want: []Record{
				{Query: `"q1"`, Relevant: rel(`say "hi" and ""bye"`), Line: 1},
				{Query: `"unclosed`, Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "tsv commas are plain text",
			file: "in.tsv",
			data: "q1, a\tp1, b\n",
			want: []Record{
				{Query: "q1, a", Relevant: rel("p1, b"), Line: 1},
			},
			wantLines: 1,
		},
		{
			name: "tsv crlf and bom",
			file: "in.tsv",
			data: bomText + "query\tpassage\r\nq1\tp1\r\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
			wantLines: 1,
			wantBOM:   true,
		},
		{
			name: "tsv detected by tab",
			file: "pairs.txt",
			data: "q1\tp1, with comma\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1, with comma"), Line: 1},
			},
			wantLines: 1,
		},
		{
			name: "csv with header",
			file: "in.csv",
			data: "query,passage\nq1,p1\nq2,p2\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines: 2,
		},
		{
			name: "csv quoted fields",
			file: "in.csv",
			data: "\"q1, with comma\",\"say \"\"hi\"\"\"\nq2,\"tab\there\"\n",
			want: []Record{
				{Query: "q1, with comma", Relevant: rel(`say "hi"`), Line: 1},
				{Query: "q2", Relevant: rel("tab\there"), Line: 2},
			},
			wantLines: 2,
		},
		{
			name: "csv multi-line quoted field",
			file: "in.csv",
			data: "query,passage\nq1,\"line one\n\nline three\"\nq2,p2\n\nq3,p3\n",
			want: []Record{
				{Query: "q1", Relevant: rel("line one\n\nline three"), Line: 2},
				{Query: "q2", Relevant: rel("p2"), Line: 5},
				{Query: "q3", Relevant: rel("p3"), Line: 7},
			},
			wantLines: 3,
		},
		{
			name: "csv crlf multi-line field",
			file: "in.csv",
			data: "q1,\"a\r\nb\"\r\nq2,p2\r\n",
			want: []Record{
				{Query: "q1", Relevant: rel("a\nb"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines: 2,
		},
		{
			name: "csv after blank lines and bom",
			file: "in.csv",
			data: bomText + "\n\nquery,passage\nq1,p1\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 4},
			},
			wantLines: 1,
			wantBOM:   true,
		},
		{
			name: "csv detected without tab",
			file: "pairs",
			data: "q1,p1\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
			},
			wantLines: 1,
		},
		{
			name: "gzip jsonl",
			file: "in.jsonl.gz",
			data: "\n" + `{"query": "q1", "relevant_passages": ["p1"], "hard_negatives": [""]}` + "\n",
			gzip: true,
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 2},
			},
			wantLines: 1,
			wantEmpty: 1,
		},
		{
			name: "gzip tsv",
			file: "in.tsv.gz",
			data: bomText + "query\tpassage\nq1\t\"p1\"\n",
			gzip: true,
			want: []Record{
				{Query: "q1", Relevant: rel(`"p1"`), Line: 2},
			},
			wantLines: 1,
			wantBOM:   true,
		},
		{
			name: "gzip csv",
			file: "in.csv.gz",
			data: "q1,\"p1\np1 continued\"\nq2,p2\n",
			gzip: true,
			want: []Record{
				{Query: "q1", Relevant: rel("p1\np1 continued"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines: 2,
		},
		{
			name: "gzip detected by content",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\n",
			gzip: true,
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
			},
			wantLines: 1,
		},
		{
			name: "duplicates grouped in cohere jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "relevant_passages": ["p1", "p2"], "hard_negatives": ["n1"]}` + "\n" +
				`{"query": "q2", "relevant_passages": ["p3"]}` + "\n" +
				`{"query": "q1", "relevant_passages": ["p3", "p2", "p4"], "hard_negatives": ["n2", "n1"]}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p2", "p3", "p4"), Negatives: rel("n1", "n2"), Line: 1},
				{Query: "q2", Relevant: rel("p3"), Line: 2},
			},
			wantLines:  3,
			wantMerged: 1,
		},
		{
			name: "duplicates grouped in pairs jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "passage": "p1"}` + "\n" +
				`{"query": "q2", "passage": "p2"}` + "\n" +
				`{"query": "q1", "passage": "p3"}` + "\n" +
				`{"query": "q1", "passage": "p1"}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p3"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 2},
			},
			wantLines:  4,
			wantMerged: 2,
		},
		{
			name: "duplicates grouped in flagembedding jsonl",
			file: "in.jsonl",
			data: `{"query": "q1", "pos": ["p2"], "neg": ["n1"]}` + "\n" +
				`{"query": "q1", "pos": ["p1"], "neg": ["n2"]}` + "\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p2", "p1"), Negatives: rel("n1", "n2"), Line: 1},
			},
			wantLines:  2,
			wantMerged: 1,
		},
		{
			name: "duplicates grouped in tsv",
			file: "in.tsv",
			data: "query\tpassage\nq1\tp1\nq2\tp2\nq1\tp3\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p3"), Line: 2},
				{Query: "q2", Relevant: rel("p2"), Line: 3},
			},
			wantLines:  3,
			wantMerged: 1,
		},
		{
			name: "duplicates grouped in csv",
			file: "in.csv",
			data: "q1,p1\nq2,p2\n\"q1\",\"p3\nmore\"\nq1,p4\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1", "p3\nmore", "p4"), Line: 1},
				{Query: "q2", Relevant: rel("p2"), Line: 2},
			},
			wantLines:  4,
			wantMerged: 2,
		},
		{
			name: "queries differing in case kept apart",
			file: "in.tsv",
			data: "q1\tp1\nQ1\tp2\n",
			want: []Record{
				{Query: "q1", Relevant: rel("p1"), Line: 1},
				{Query: "Q1", Relevant: rel("p2"), Line: 2},
			},
			wantLines: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.gzip {
				data = gzipBytes(t, data)
			}
			path := writeFile(t, tt.file, data)
			var g Group
			stats, err := ReadRecords(path, &g)
			if err != nil {
				t.Fatalf("ReadRecords: %v", err)
			}
			checkRecords(t, g.Records, tt.want)
			if stats.Lines != tt.wantLines {
				t.Errorf("lines: got %d, want %d", stats.Lines, tt.wantLines)
			}
			if stats.EmptyNegatives != tt.wantEmpty {
				t.Errorf("empty negatives: got %d, want %d", stats.EmptyNegatives, tt.wantEmpty)
			}
			if stats.BOM != tt.wantBOM {
				t.Errorf("BOM: got %v, want %v", stats.BOM, tt.wantBOM)
			}
			if g.Merged != tt.wantMerged {
				t.Errorf("merged: got %d, want %d", g.Merged, tt.wantMerged)
			}
		})
	}
}

func TestReadRecordsErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		data     string
		gzip     bool
		wantMsg  string // FILE stands for the file's path
		wantKind error
		wantLine int
	}{
		{
			name:     "invalid json after blank line",
			file:     "in.jsonl",
			data:     `{"query": "q1", "passage": "p1"}` + "\n\n" + `{"query": "q2", "passage": }` + "\n",
			wantMsg:  `FILE:3: invalid JSON at byte 28 of the line: invalid character '}' looking for beginning of value`,
			wantKind: ErrSyntax,
			wantLine: 3,
		},
		{
			name:     "two objects on one line",
			file:     "in.jsonl",
			data:     `{"query": "q1", "passage": "p1"} {"query": "q2", "passage": "p2"}` + "\n",
			wantMsg:  `FILE:1: more than one JSON value on the line (extra data at byte 34); put each object on its own line`,
			wantKind: ErrShape,
			wantLine: 1,
		},
		{
			name:     "line not an object",
			file:     "in.jsonl",
			data:     `{"query": "q1", "passage": "p1"}` + "\n" + `["q2", "p2"]` + "\n",
			wantMsg:  `FILE:2: line is a list, not a JSON object`,
			wantKind: ErrShape,
			wantLine: 2,
		},
		{
			name:     "first line not an object in jsonl file",
			file:     "in.jsonl",
			data:     `"q1"` + "\n",
			wantMsg:  `FILE:1: line is a string, not a JSON object`,
			wantKind: ErrShape,
			wantLine: 1,
		},
		{
			name:     "nonstring relevant passage after crlf lines",
			file:     "in.jsonl",
			data:     `{"query": "q1", "passage": "p1"}` + "\r\n\r\n" + `{"query": "q2", "relevant_passages": ["p2", 7]}` + "\r\n",
			wantMsg:  `FILE:3: "relevant_passages" item 2 must be a string, got a number`,
			wantKind: ErrType,
			wantLine: 3,
		},
		{
			name:     "error line in gzip file",
			file:     "in.jsonl.gz",
			data:     "\n" + `{"query": "", "passage": "p1"}` + "\n",
			gzip:     true,
			wantMsg:  `FILE:2: "query" is empty`,
			wantKind: ErrEmpty,
			wantLine: 2,
		},
		{
			name:     "invalid utf-8 in jsonl",
			file:     "in.jsonl",
			data:     `{"query": "q1", "passage": "p1"}` + "\n" + "{\"query\": \"caf\xe9\", \"passage\": \"p2\"}\n",
			wantMsg:  `FILE:2: invalid UTF-8 at byte 15 of the line; re-encode the file as UTF-8`,
			wantKind: ErrEncoding,
			wantLine: 2,
		},
		{
			name: "invalid utf-8 after bom",
			file: "in.tsv",
			data: bomText + "q\xff\tp1\n",
			// The offset counts the byte-order mark, as the file's bytes do.
			wantMsg:  `FILE:1: invalid UTF-8 at byte 5 of the line; re-encode the file as UTF-8`,
			wantKind: ErrEncoding,
			wantLine: 1,
		},
		{
			name:     "invalid utf-8 in csv continuation line",
			file:     "in.csv",
			data:     "q1,\"p1\nmore \xc3\"\n",
			wantMsg:  `FILE:2: invalid UTF-8 at byte 6 of the line; re-encode the file as UTF-8`,
			wantKind: ErrEncoding,
			wantLine: 2,
		},
		{
			name:     "latin-1 text in gzip tsv",
			file:     "in.tsv.gz",
			data:     "query\tpassage\nna\xefve\tp1\n",
			gzip:     true,
			wantMsg:  `FILE:2: invalid UTF-8 at byte 3 of the line; re-encode the file as UTF-8`,
			wantKind: ErrEncoding,
			wantLine: 2,
		},
		{
			name:     "tsv extra column",
			file:     "in.tsv",
			data:     "query\tpassage\nq1\tp1\nq2\tp2\t1\n",
			wantMsg:  `FILE:3: row has 3 columns, want 2 (query, passage)`,
			wantKind: ErrColumns,
			wantLine: 3,
		},
		{
			name:     "tsv empty query column",
			file:     "in.tsv",
			data:     "q1\tp1\n \tp2\n",
			wantMsg:  `FILE:2: query column is empty`,
			wantKind: ErrEmpty,
			wantLine: 2,
		},
		{
			name:     "tsv empty passage column",
			file:     "in.tsv",
			data:     "q1\t\n",
			wantMsg:  `FILE:1: passage column is empty`,
			wantKind: ErrEmpty,
			wantLine: 1,
		},
		{
			name:     "csv extra column after multi-line field",
			file:     "in.csv",
			data:     "query,passage\nq1,\"p1\nmore\"\nq2,p2,extra\n",
			wantMsg:  `FILE:4: row has 3 columns, want 2 (query, passage)`,
			wantKind: ErrColumns,
			wantLine: 4,
		},
		{
			name:     "csv extra column after blank lines",
			file:     "in.csv",
			data:     "\n\nq1,p1\n\nq2,p2,extra\n",
			wantMsg:  `FILE:5: row has 3 columns, want 2 (query, passage)`,
			wantKind: ErrColumns,
			wantLine: 5,
		},
		{
			name:     "csv single column",
			file:     "in.csv",
			data:     "q1,p1\nq2\n",
			wantMsg:  `FILE:2: row has 1 column, want 2 (query, passage)`,
			wantKind: ErrColumns,
			wantLine: 2,
		},
		{
			name:     "csv bare quote",
			file:     "in.csv",
			data:     "q1,p1\nq2,say \"hi\"\n",
			wantMsg:  `FILE:2: invalid CSV: bare " in non-quoted-field`,
			wantKind: ErrSyntax,
			wantLine: 2,
		},
		{
			name:     "csv text after closing quote",
			file:     "in.csv",
			data:     "\nq1,\"p1\" more\n",
			wantMsg:  `FILE:2: invalid CSV: extraneous or missing " in quoted-field`,
			wantKind: ErrSyntax,
			wantLine: 2,
		},
		{
			name:     "csv quote never closed",
			file:     "in.csv",
			data:     "q1,p1\nq2,\"p2\nq3,p3\nq4,p4\n",
			wantMsg:  `FILE:4: invalid CSV: extraneous or missing " in quoted-field (the record starts on line 2)`,
			wantKind: ErrSyntax,
			wantLine: 4,
		},
		{
			name:     "csv empty passage",
			file:     "in.csv",
			data:     "q1,\"\"\n",
			wantMsg:  `FILE:1: passage column is empty`,
			wantKind: ErrEmpty,
			wantLine: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.gzip {
				data = gzipBytes(t, data)
			}
			path := writeFile(t, tt.file, data)
			var g Group
			_, err := ReadRecords(path, &g)
			checkParseError(t, err, strings.ReplaceAll(tt.wantMsg, "FILE", path), tt.wantKind, tt.wantLine)
		})
	}
}

func TestReadRecordsGzipDamage(t *testing.T) {
	three := []byte("q1\tp1\nq2\tp2\nq3\tp3\n")
	whole := gzipBytes(t, three)
	badCRC := bytes.Clone(whole)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 field of the trailer
	tests := []struct {
		name     string
		data     []byte
		wantMsg  string
		wantLine int
	}{
		{
			name:     "trailer cut off",
			data:     whole[:len(whole)-4],
			wantMsg:  "FILE:4: gzip stream is truncated or corrupt (unexpected EOF); check the download or recompress the file",
			wantLine: 4,
		},
		{
			name:     "checksum mismatch",
			data:     badCRC,
			wantMsg:  "FILE:4: gzip stream is truncated or corrupt (gzip: invalid checksum); check the download or recompress the file",
			wantLine: 4,
		},
		{
			name:    "header cut off",
			data:    whole[:5],
			wantMsg: "FILE: corrupt gzip header: unexpected EOF",
		},
		{
			name:    "not deflate",
			data:    append([]byte{0x1f, 0x8b, 0x07}, whole[3:]...),
			wantMsg: "FILE: corrupt gzip header: gzip: invalid header",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.tsv.gz", tt.data)
			var g Group
			_, err := ReadRecords(path, &g)
			checkParseError(t, err, strings.ReplaceAll(tt.wantMsg, "FILE", path), ErrRead, tt.wantLine)
		})
	}
}

// TestReadRecordsGzipTruncated cuts a compressed file in the middle of its
// deflate data. The lines before the cut are read, and the error names the
// first line that could not be read.
func TestReadRecordsGzipTruncated(t *testing.T) {
	var text bytes.Buffer
	var want []Record
	for i := 1; i <= 5000; i++ {
		q, p := fmt.Sprintf("query %d", i), fmt.Sprintf("passage %d about %x", i, i*7919)
		fmt.Fprintf(&text, "%s\t%s\n", q, p)
		want = append(want, Record{Query: q, Relevant: rel(p), Line: i})
	}
	whole := gzipBytes(t, text.Bytes())
	path := writeFile(t, "in.tsv.gz", whole[:len(whole)/2])
	var g Group
	_, err := ReadRecords(path, &g)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v, want a *ParseError", err)
	}
	if !errors.Is(err, ErrRead) {
		t.Errorf("kind: got %v, want %v", pe.Kind, ErrRead)
	}
	wantMsg := fmt.Sprintf("%s:%d: gzip stream is truncated or corrupt (unexpected EOF); check the download or recompress the file", path, pe.Line)
	if err.Error() != wantMsg {
		t.Errorf("message:\ngot  %s\nwant %s", err, wantMsg)
	}
	if pe.Line < 2 || pe.Line > 5000 {
		t.Fatalf("line: got %d, want between 2 and 5000", pe.Line)
	}
	checkRecords(t, g.Records, want[:pe.Line-1])
}

func TestReadRecordsStdin(t *testing.T) {
	data := gzipBytes(t, []byte("query,passage\n\"q1\",\"p1\"\n"))
	f, err := os.Open(writeFile(t, "stdin", data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()

	var g Group
	stats, err := ReadRecords(StdinName, &g)
	if err != nil {
		t.Fatalf("ReadRecords: %v", err)
	}
	checkRecords(t, g.Records, []Record{{Query: "q1", Relevant: rel("p1"), Line: 2}})
	if stats.Lines != 1 {
		t.Errorf("lines: got %d, want 1", stats.Lines)
	}
}

func TestReadRecordsFlagEmbeddingNLI(t *testing.T) {
	var g Group
	stats, err := ReadRecords(filepath.Join("testdata", "flagembedding", "nli.jsonl"), &g)
	if err != nil {
		t.Fatalf("ReadRecords: %v", err)
	}
	want := []Record{
		{
			Query:     "you know during the season and i guess at at your level uh you lose them to the next level if if they decide to recall the the parent team the Braves decide to call to recall a guy from triple A then a double A guy goes up to replace him and a single A guy goes up to replace him",
			Relevant:  rel("You lose the things to the following level if the people recall."),
			Negatives: rel("They never perform recalls on anything."),
			Line:      1,
		},
		{
			Query:     "One of our number will carry out your instructions minutely.",
			Relevant:  rel("A member of my team will execute your orders with immense precision."),
			Negatives: rel("We have no one free at the moment so you have to take action yourself."),
			Line:      2,
		},
		{
			Query:     "How do you know? All this is their information again.",
			Relevant:  rel("This information belongs to them."),
			Negatives: rel("They have no information at all."),
			Line:      3,
		},
	}
	checkRecords(t, g.Records, want)
	if stats.Lines != 3 {
		t.Errorf("lines: got %d, want 3", stats.Lines)
	}
}

// TestReadRecordsLongLine reads a FlagEmbedding NQ line of 68,329 bytes,
// longer than bufio.Scanner's default 64 KiB limit, plain and compressed.
func TestReadRecordsLongLine(t *testing.T) {
	path := filepath.Join("testdata", "flagembedding", "nq.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.IndexByte(raw, '\n'); n != 68329 || n != len(raw)-1 {
		t.Fatalf("%s: got a first line of %d bytes in %d, want one line of 68329", path, n, len(raw))
	}
	inputs := map[string]string{
		"plain": path,
		"gzip":  writeFile(t, "nq.jsonl.gz", gzipBytes(t, raw)),
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			var g Group
			if _, err := ReadRecords(input, &g); err != nil {
				t.Fatalf("ReadRecords: %v", err)
			}
			if len(g.Records) != 1 {
				t.Fatalf("got %d records, want 1", len(g.Records))
			}
			r := g.Records[0]
			if want := "why was there so much interest in cuba both before and after the civil war"; r.Query != want {
				t.Errorf("query: got %q, want %q", r.Query, want)
			}
			if len(r.Relevant) != 1 {
				t.Fatalf("got %d relevant passages, want 1", len(r.Relevant))
			}
			wantPrefix := "Spanish–American War American Civil War and Cuba's Ten Years' War, U.S. businessmen"
			if !strings.HasPrefix(r.Relevant[0], wantPrefix) || len(r.Relevant[0]) != 646 {
				t.Errorf("relevant: got %d bytes %.90q, want 646 bytes starting %q", len(r.Relevant[0]), r.Relevant[0], wantPrefix)
			}
			if len(r.Negatives) != 100 {
				t.Fatalf("got %d negatives, want 100", len(r.Negatives))
			}
			// SHA-256 of the 100 "neg" strings joined by newlines, computed
			// with Python's json module from the same file.
			sum := sha256.Sum256([]byte(strings.Join(r.Negatives, "\n")))
			const wantSum = "c905663043e5cf8c8f07cefc1457a9219ff57d50882a237d2280cc75ed44169f"
			if got := hex.EncodeToString(sum[:]); got != wantSum {
				t.Errorf("negatives SHA-256: got %s, want %s", got, wantSum)
			}
		})
	}
}
