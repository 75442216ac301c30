package corpus

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLineReaderInvalidUTF8(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantLine int
		wantMsg  string
		wantText string
		// wantLines is the number of lines in input; all are read.
		wantLines int
	}{
		{
			name:      "second line",
			input:     "{}\nab\xffcd\n{}\n",
			wantLine:  2,
			wantMsg:   "t.jsonl:2: invalid UTF-8 at byte 3 of the line; re-encode the file as UTF-8",
			wantText:  "ab\xffcd",
			wantLines: 3,
		},
		{
			name:      "after byte-order mark",
			input:     "\xef\xbb\xbfab\xc3(\n{}\n",
			wantLine:  1,
			wantMsg:   "t.jsonl:1: invalid UTF-8 at byte 6 of the line; re-encode the file as UTF-8",
			wantText:  "ab\xc3(",
			wantLines: 2,
		},
		{
			name:      "truncated sequence before CR LF",
			input:     "{}\r\nx\xe2\x82\r\n{}\r\n",
			wantLine:  2,
			wantMsg:   "t.jsonl:2: invalid UTF-8 at byte 2 of the line; re-encode the file as UTF-8",
			wantText:  "x\xe2\x82",
			wantLines: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := NewLineReader(strings.NewReader(tt.input), "t.jsonl")
			var badLines []int
			for {
				line, err := lr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err == nil {
					continue
				}
				var pe *ParseError
				if !errors.As(err, &pe) || !errors.Is(err, ErrEncoding) {
					t.Fatalf("line %d: got error %v, want a *ParseError of kind ErrEncoding", lr.Line(), err)
				}
				badLines = append(badLines, pe.Line)
				if pe.Line != tt.wantLine {
					t.Errorf("got error on line %d, want line %d", pe.Line, tt.wantLine)
				}
				if err.Error() != tt.wantMsg {
					t.Errorf("got message %q, want %q", err.Error(), tt.wantMsg)
				}
				if string(line) != tt.wantText {
					t.Errorf("got line %q with the error, want %q", line, tt.wantText)
				}
			}
			if len(badLines) != 1 {
				t.Errorf("got errors on lines %v, want one on line %d", badLines, tt.wantLine)
			}
			if lr.Line() != tt.wantLines {
				t.Errorf("read %d lines, want %d: reading must go on after the error", lr.Line(), tt.wantLines)
			}
		})
	}
}
