package corpus

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadPassages(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		data      string
		gzip      bool
		want      []Passage
		wantEmpty int
	}{
		{
			name: "jsonl with title and id",
			file: "corpus.jsonl",
			data: `{"_id": "d1", "title": "Title", "text": "body one"}` + "\n" +
				`{"_id": 42, "text": "body two", "metadata": {"url": "x"}}` + "\n" +
				`{"title": "", "text": "body three"}` + "\n" +
				`{"_id": null, "title": null, "text": "body four"}` + "\n" +
				`{"_id": "d5", "title": "Only title", "text": ""}` + "\n",
			want: []Passage{
				{ID: "d1", Text: "Title body one", Line: 1},
				{ID: "42", Text: "body two", Line: 2},
				{Text: "body three", Line: 3},
				{Text: "body four", Line: 4},
				{ID: "d5", Text: "Only title", Line: 5},
			},
		},
		{
			name: "jsonl empty entries skipped and counted",
			file: "corpus.jsonl",
			data: `{"_id": "d1", "text": ""}` + "\n\n" + `{"_id": "d2", "title": " ", "text": "  "}` + "\n" + `{"_id": "d3", "text": "kept"}` + "\n",
			want: []Passage{
				{ID: "d3", Text: "kept", Line: 4},
			},
			wantEmpty: 2,
		},
		{
			name: "jsonl gzip with bom and crlf",
			file: "corpus.jsonl.gz",
			data: bomText + `{"_id": "d1", "text": "one & <two>"}` + "\r\n" + `{"_id": "d2", "text": "tab\tand \u00e9"}` + "\r\n",
			gzip: true,
			want: []Passage{
				{ID: "d1", Text: "one & <two>", Line: 1},
				{ID: "d2", Text: "tab\tand é", Line: 2},
			},
		},
		{
			name: "plain text lines",
			file: "corpus.txt",
			data: "first passage\n\n  second, with \"quotes\"  \n{not json after the first line\n \t\nlast without newline",
			want: []Passage{
				{Text: "first passage", Line: 1},
				{Text: `  second, with "quotes"  `, Line: 3},
				{Text: "{not json after the first line", Line: 4},
				{Text: "last without newline", Line: 6},
			},
		},
		{
			name: "plain text crlf",
			file: "corpus.txt",
			data: "\r\none\r\ntwo\tcolumns\r\n",
			want: []Passage{
				{Text: "one", Line: 2},
				{Text: "two\tcolumns", Line: 3},
			},
		},
		{
			name: "empty file",
			file: "corpus.txt",
			data: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.gzip {
				data = gzipBytes(t, data)
			}
			path := writeFile(t, tt.file, data)
			var got []Passage
			stats, err := ReadPassages(path, func(p Passage) error {
				got = append(got, p)
				return nil
			})
			if err != nil {
				t.Fatalf("ReadPassages: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("passages:\ngot  %+v\nwant %+v", got, tt.want)
			}
			if stats.Passages != len(tt.want) {
				t.Errorf("passages counted: got %d, want %d", stats.Passages, len(tt.want))
			}
			if stats.Empty != tt.wantEmpty {
				t.Errorf("empty: got %d, want %d", stats.Empty, tt.wantEmpty)
			}
		})
	}
}

func TestReadPassagesErrors(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantMsg  string // FILE stands for the file's path
		wantKind error
		wantLine int
	}{
		{
			name:     "missing text",
			data:     `{"_id": "d1", "text": "one"}` + "\n" + `{"_id": "d2", "title": "two"}` + "\n",
			wantMsg:  `FILE:2: missing "text"`,
			wantKind: ErrMissing,
			wantLine: 2,
		},
		{
			name:     "text a number",
			data:     `{"_id": "d1", "text": 1}` + "\n",
			wantMsg:  `FILE:1: "text" must be a string, got a number`,
			wantKind: ErrType,
			wantLine: 1,
		},
		{
			name:     "title a list",
			data:     `{"_id": "d1", "title": ["t"], "text": "one"}` + "\n",
			wantMsg:  `FILE:1: "title" must be a string, got a list`,
			wantKind: ErrType,
			wantLine: 1,
		},
		{
			name:     "id an object",
			data:     `{"_id": {"n": 1}, "text": "one"}` + "\n",
			wantMsg:  `FILE:1: "_id" must be a string or a number, got an object`,
			wantKind: ErrType,
			wantLine: 1,
		},
		{
			name:     "plain line in jsonl collection",
			data:     `{"_id": "d1", "text": "one"}` + "\n\n" + "two\n",
			wantMsg:  `FILE:3: invalid JSON at byte 2 of the line: invalid character 'w' in literal true (expecting 'r')`,
			wantKind: ErrSyntax,
			wantLine: 3,
		},
		{
			name:     "invalid utf-8 in plain text",
			data:     "one\ntw\xc0o\n",
			wantMsg:  `FILE:2: invalid UTF-8 at byte 3 of the line; re-encode the file as UTF-8`,
			wantKind: ErrEncoding,
			wantLine: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "corpus.jsonl", []byte(tt.data))
			_, err := ReadPassages(path, func(Passage) error { return nil })
			checkParseError(t, err, strings.ReplaceAll(tt.wantMsg, "FILE", path), tt.wantKind, tt.wantLine)
		})
	}
}

func TestReadPassagesCallbackError(t *testing.T) {
	stop := errors.New("stop")
	path := writeFile(t, "corpus.txt", []byte("one\ntwo\nthree\n"))
	var got []string
	stats, err := ReadPassages(path, func(p Passage) error {
		got = append(got, p.Text)
		if p.Text == "two" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("got error %v, want the callback's error", err)
	}
	if !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("passages before the error: got %q, want [one two]", got)
	}
	if stats.Passages != 2 {
		t.Errorf("passages counted: got %d, want 2", stats.Passages)
	}
}
