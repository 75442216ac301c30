package corpus

import (
	"errors"
	"slices"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name       string
		line       string
		wantLayout Layout
		wantQuery  string
		wantRel    []string
		wantNeg    []string
		wantEmpty  int // empty negatives dropped
	}{
		{
			name:       "cohere with negatives",
			line:       `{"query": "q", "relevant_passages": ["p1", "p2"], "hard_negatives": ["n1", "n2"]}`,
			wantLayout: LayoutCohere,
			wantQuery:  "q",
			wantRel:    []string{"p1", "p2"},
			wantNeg:    []string{"n1", "n2"},
		},
		{
			name:       "cohere without negatives",
			line:       `{"query": "q", "relevant_passages": ["p1"]}`,
			wantLayout: LayoutCohere,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
		},
		{
			name:       "cohere null negatives",
			line:       `{"query": "q", "relevant_passages": ["p1"], "hard_negatives": null}`,
			wantLayout: LayoutCohere,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
		},
		{
			name:       "cohere empty negative list",
			line:       `{"query": "q", "relevant_passages": ["p1"], "hard_negatives": []}`,
			wantLayout: LayoutCohere,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
		},
		{
			name:       "empty negatives dropped and counted",
			line:       `{"query": "q", "relevant_passages": ["p1"], "hard_negatives": ["", "n1", ""]}`,
			wantLayout: LayoutCohere,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
			wantNeg:    []string{"n1"},
			wantEmpty:  2,
		},
		{
			name:       "pair",
			line:       `{"query": "q", "passage": "p1"}`,
			wantLayout: LayoutPair,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
		},
		{
			name:       "flagembedding with neg and scores",
			line:       `{"query": "q", "pos": ["p1"], "neg": ["n1"], "pos_scores": [98.1], "neg_scores": [82.2], "prompt": "x", "type": "only_1neg"}`,
			wantLayout: LayoutFlag,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
			wantNeg:    []string{"n1"},
		},
		{
			name:       "flagembedding without neg",
			line:       `{"query": "q", "pos": ["p1", "p2"]}`,
			wantLayout: LayoutFlag,
			wantQuery:  "q",
			wantRel:    []string{"p1", "p2"},
		},
		{
			name:       "escapes and markup decoded",
			line:       `{"query": "Skarsg\u00e5rd & <b>", "passage": "tab\there \"quoted\" \ud83d\ude80"}`,
			wantLayout: LayoutPair,
			wantQuery:  "Skarsgård & <b>",
			wantRel:    []string{"tab\there \"quoted\" 🚀"},
		},
		{
			name:       "spaces around the object",
			line:       " \t{\"query\": \"q\", \"passage\": \"p1\"}  ",
			wantLayout: LayoutPair,
			wantQuery:  "q",
			wantRel:    []string{"p1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stats LineStats
			rec, layout, err := ParseLine([]byte(tt.line), "in.jsonl", 7, &stats)
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if layout != tt.wantLayout {
				t.Errorf("layout: got %q, want %q", layout, tt.wantLayout)
			}
			if rec.Query != tt.wantQuery {
				t.Errorf("query: got %q, want %q", rec.Query, tt.wantQuery)
			}
			if !slices.Equal(rec.Relevant, tt.wantRel) {
				t.Errorf("relevant: got %q, want %q", rec.Relevant, tt.wantRel)
			}
			if !slices.Equal(rec.Negatives, tt.wantNeg) {
				t.Errorf("negatives: got %q, want %q", rec.Negatives, tt.wantNeg)
			}
			if rec.Line != 7 {
				t.Errorf("line: got %d, want 7", rec.Line)
			}
			if stats.EmptyNegatives != tt.wantEmpty {
				t.Errorf("empty negatives: got %d, want %d", stats.EmptyNegatives, tt.wantEmpty)
			}
		})
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		wantMsg   string
		wantKind  error
		wantField string
	}{
		{
			name:     "truncated object",
			line:     `{"query": "q", "relevant_passages": ["p"]`,
			wantMsg:  `in.jsonl:7: invalid JSON: unexpected EOF`,
			wantKind: ErrSyntax,
		},
		{
			name:     "bare word value",
			line:     `{"query": q}`,
			wantMsg:  `in.jsonl:7: invalid JSON at byte 11 of the line: invalid character 'q' looking for beginning of value`,
			wantKind: ErrSyntax,
		},
		{
			name:     "two objects",
			line:     `{"query": "a", "passage": "b"}{"query": "c", "passage": "d"}`,
			wantMsg:  `in.jsonl:7: more than one JSON value on the line (extra data at byte 31); put each object on its own line`,
			wantKind: ErrShape,
		},
		{
			name:     "two objects with spaces around",
			line:     `  {"query": "a", "passage": "b"} {"query": "c", "passage": "d"}   `,
			wantMsg:  `in.jsonl:7: more than one JSON value on the line (extra data at byte 34); put each object on its own line`,
			wantKind: ErrShape,
		},
		{
			name:     "list line",
			line:     `["q", "p"]`,
			wantMsg:  `in.jsonl:7: line is a list, not a JSON object`,
			wantKind: ErrShape,
		},
		{
			name:     "string line",
			line:     `"what is BM25"`,
			wantMsg:  `in.jsonl:7: line is a string, not a JSON object`,
			wantKind: ErrShape,
		},
		{
			name:     "number line",
			line:     `42`,
			wantMsg:  `in.jsonl:7: line is a number, not a JSON object`,
			wantKind: ErrShape,
		},
		{
			name:     "list then object",
			line:     `[1, 2] {"query": "q", "passage": "p"}`,
			wantMsg:  `in.jsonl:7: line is a list, not a JSON object`,
			wantKind: ErrShape,
		},
		{
			name:     "null line",
			line:     `null`,
			wantMsg:  `in.jsonl:7: line is null, not a JSON object`,
			wantKind: ErrShape,
		},
		{
			name:      "missing query",
			line:      `{"relevant_passages": ["p"]}`,
			wantMsg:   `in.jsonl:7: missing "query"`,
			wantKind:  ErrMissing,
			wantField: "query",
		},
		{
			name:      "empty query",
			line:      `{"query": "", "relevant_passages": ["p"]}`,
			wantMsg:   `in.jsonl:7: "query" is empty`,
			wantKind:  ErrEmpty,
			wantField: "query",
		},
		{
			name:      "blank query",
			line:      `{"query": " \t ", "relevant_passages": ["p"]}`,
			wantMsg:   `in.jsonl:7: "query" is empty`,
			wantKind:  ErrEmpty,
			wantField: "query",
		},
		{
			name:      "query is a number",
			line:      `{"query": 12, "relevant_passages": ["p"]}`,
			wantMsg:   `in.jsonl:7: "query" must be a string, got a number`,
			wantKind:  ErrType,
			wantField: "query",
		},
		{
			name:      "query is a list",
			line:      `{"query": ["q"], "relevant_passages": ["p"]}`,
			wantMsg:   `in.jsonl:7: "query" must be a string, got a list`,
			wantKind:  ErrType,
			wantField: "query",
		},
		{
			name:      "relevant passages missing",
			line:      `{"query": "q", "hard_negatives": ["n"]}`,
			wantMsg:   `in.jsonl:7: missing "relevant_passages" (or "pos", or "passage"): each line needs the query's relevant passages; this line has "hard_negatives", "query"`,
			wantKind:  ErrMissing,
			wantField: "relevant_passages",
		},
		{
			name:      "relevant passages empty list",
			line:      `{"query": "q", "relevant_passages": []}`,
			wantMsg:   `in.jsonl:7: "relevant_passages" is an empty list; give at least one passage`,
			wantKind:  ErrEmpty,
			wantField: "relevant_passages",
		},
		{
			name:      "relevant passages a string",
			line:      `{"query": "q", "relevant_passages": "p"}`,
			wantMsg:   `in.jsonl:7: "relevant_passages" must be a list of strings, got a string`,
			wantKind:  ErrType,
			wantField: "relevant_passages",
		},
		{
			name:      "relevant passages null",
			line:      `{"query": "q", "relevant_passages": null}`,
			wantMsg:   `in.jsonl:7: "relevant_passages" must be a list of strings, got null`,
			wantKind:  ErrType,
			wantField: "relevant_passages",
		},
		{
			name:      "relevant passage a number",
			line:      `{"query": "q", "relevant_passages": ["p", 0]}`,
			wantMsg:   `in.jsonl:7: "relevant_passages" item 2 must be a string, got a number`,
			wantKind:  ErrType,
			wantField: "relevant_passages",
		},
		{
			name:      "relevant passage empty string",
			line:      `{"query": "q", "relevant_passages": ["p", "", "r"]}`,
			wantMsg:   `in.jsonl:7: "relevant_passages" item 2 is empty`,
			wantKind:  ErrEmpty,
			wantField: "relevant_passages",
		},
		{
			name:      "hard negatives a string",
			line:      `{"query": "q", "relevant_passages": ["p"], "hard_negatives": "n"}`,
			wantMsg:   `in.jsonl:7: "hard_negatives" must be a list of strings, got a string`,
			wantKind:  ErrType,
			wantField: "hard_negatives",
		},
		{
			name:      "hard negative a boolean",
			line:      `{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["n", true]}`,
			wantMsg:   `in.jsonl:7: "hard_negatives" item 2 must be a string, got a boolean`,
			wantKind:  ErrType,
			wantField: "hard_negatives",
		},
		{
			name:      "pos item an object",
			line:      `{"query": "q", "pos": [{"text": "p"}]}`,
			wantMsg:   `in.jsonl:7: "pos" item 1 must be a string, got an object`,
			wantKind:  ErrType,
			wantField: "pos",
		},
		{
			name:      "neg item null",
			line:      `{"query": "q", "pos": ["p"], "neg": [null]}`,
			wantMsg:   `in.jsonl:7: "neg" item 1 must be a string, got null`,
			wantKind:  ErrType,
			wantField: "neg",
		},
		{
			name:      "passage empty",
			line:      `{"query": "q", "passage": ""}`,
			wantMsg:   `in.jsonl:7: "passage" is empty`,
			wantKind:  ErrEmpty,
			wantField: "passage",
		},
		{
			name:      "passage a list",
			line:      `{"query": "q", "passage": ["p"]}`,
			wantMsg:   `in.jsonl:7: "passage" must be a string, got a list`,
			wantKind:  ErrType,
			wantField: "passage",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stats LineStats
			_, _, err := ParseLine([]byte(tt.line), "in.jsonl", 7, &stats)
			checkParseError(t, err, tt.wantMsg, tt.wantKind, 7)
			var pe *ParseError
			if errors.As(err, &pe) && pe.Field != tt.wantField {
				t.Errorf("field: got %q, want %q", pe.Field, tt.wantField)
			}
		})
	}
}

// checkParseError fails unless err is a *ParseError with the given message,
// kind and line.
func checkParseError(t *testing.T, err error, wantMsg string, wantKind error, wantLine int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %q", wantMsg)
	}
	if err.Error() != wantMsg {
		t.Errorf("message:\ngot  %s\nwant %s", err, wantMsg)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got error type %T, want *ParseError", err)
	}
	if !errors.Is(err, wantKind) {
		t.Errorf("kind: got %v, want %v", pe.Kind, wantKind)
	}
	if pe.Line != wantLine {
		t.Errorf("line: got %d, want %d", pe.Line, wantLine)
	}
}
