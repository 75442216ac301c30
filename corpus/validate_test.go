package corpus

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTemp writes data to a new file called name in a temporary folder
// and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func validateBytes(t *testing.T, data []byte, opts ValidateOptions) *Report {
	t.Helper()
	report, err := ValidateFile(context.Background(), writeTemp(t, "in.jsonl", data), opts)
	if err != nil {
		t.Fatalf("ValidateFile: %v", err)
	}
	return report
}

// words returns n words separated by single spaces.
func words(n int) string {
	return strings.TrimSpace(strings.Repeat("word ", n))
}

func TestValidateRules(t *testing.T) {
	const ok = `{"query": "q", "relevant_passages": ["p"]}`
	tests := []struct {
		name  string
		input string
		want  []Issue // Severity is filled in from the rule
	}{
		{
			name:  "valid lines",
			input: ok + "\n" + `{"query": "r", "relevant_passages": ["p", "p2"], "hard_negatives": ["n1", "n2"]}` + "\n",
		},
		{
			name:  "valid without final newline",
			input: ok,
		},
		{
			name:  "CR LF line endings",
			input: ok + "\r\n" + `{"query": "r", "relevant_passages": ["p"]}` + "\r\n",
		},
		{
			name:  "invalid UTF-8 inside a string",
			input: ok + "\n" + `{"query": "r", "relevant_passages": ["ab` + "\xff" + `"]}` + "\n",
			want: []Issue{
				{Line: 2, Rule: RuleEncoding, Message: "invalid UTF-8 at byte 41 of the line; re-encode the file as UTF-8"},
			},
		},
		{
			name:  "invalid UTF-8 and an empty query",
			input: `{"query": "", "relevant_passages": ["` + "\xc3" + `"]}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleEncoding, Message: "invalid UTF-8 at byte 38 of the line; re-encode the file as UTF-8"},
				{Line: 1, Rule: RuleQuery, Message: `"query" is empty; give the query text or remove the line`},
			},
		},
		{
			name:  "byte-order mark",
			input: "\xef\xbb\xbf" + ok + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleBOM, Message: "file starts with a UTF-8 byte-order mark; remove its first 3 bytes, because JSON parsers such as Python's json.loads reject it"},
			},
		},
		{
			name:  "invalid JSON",
			input: `{"query": "q",}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleJSON, Message: "invalid JSON at byte 15 of the line: invalid character '}' looking for beginning of object key string"},
			},
		},
		{
			name:  "list instead of object",
			input: ok + "\n" + `["q", "p"]` + "\n",
			want: []Issue{
				{Line: 2, Rule: RuleJSON, Message: "line is a list, not a JSON object"},
			},
		},
		{
			name:  "null line",
			input: "null\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleJSON, Message: "line is null, not a JSON object"},
			},
		},
		{
			name:  "two objects on a line",
			input: `{"a":1} {"b":2}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleJSON, Message: "more than one JSON value on the line (extra data at byte 9); put each object on its own line"},
			},
		},
		{
			name:  "Unicode space around the object",
			input: "\u00a0" + ok + "\n" + ok + "\u2028\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleJSON, Message: "invalid JSON: U+00A0 before the object is white space that JSON does not allow; remove it"},
				{Line: 2, Rule: RuleJSON, Message: "invalid JSON: U+2028 after the object is white space that JSON does not allow; remove it"},
			},
		},
		{
			name:  "JSON white space around the object",
			input: " \t" + ok + " \r\n",
		},
		{
			name:  "missing query",
			input: `{"relevant_passages": ["p"]}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleQuery, Message: `missing "query"; each line needs the query text as a string`},
			},
		},
		{
			name:  "query not a string",
			input: `{"query": 12, "relevant_passages": ["p"]}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleQuery, Message: `"query" must be a string, got a number`},
			},
		},
		{
			name:  "query only white space",
			input: `{"query": " \t", "relevant_passages": ["p"]}` + "\n" + ok,
			want: []Issue{
				{Line: 1, Rule: RuleQuery, Message: `"query" is empty; give the query text or remove the line`},
			},
		},
		{
			name:  "missing relevant passages",
			input: `{"query": "q", "pos": ["p"]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleRelevant, Message: `missing "relevant_passages"; give a list with at least one passage that answers the query`},
			},
		},
		{
			name:  "relevant passages a string",
			input: `{"query": "q", "relevant_passages": "p"}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" must be a list of strings, got a string`},
			},
		},
		{
			name:  "relevant passages null",
			input: `{"query": "q", "relevant_passages": null}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" must be a list of strings, got null`},
			},
		},
		{
			name:  "relevant passages empty list",
			input: `{"query": "q", "relevant_passages": []}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" is an empty list; give at least one passage that answers the query`},
			},
		},
		{
			name:  "relevant passage items wrong",
			input: `{"query": "q", "relevant_passages": ["p", 3, " ", {"t": "x"}]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" item 2 must be a string, got a number`},
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" item 3 is empty; give the passage text or remove the item`},
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" item 4 must be a string, got an object`},
			},
		},
		{
			name:  "hard negatives a string",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": "n"}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleNegatives, Message: `"hard_negatives" must be a list of strings, got a string`},
			},
		},
		{
			name:  "hard negatives null",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": null}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleNegatives, Message: `"hard_negatives" must be a list of strings, got null`},
			},
		},
		{
			name:  "hard negative not a string",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["n", true]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleNegatives, Message: `"hard_negatives" item 2 must be a string, got a boolean`},
			},
		},
		{
			name:  "hard negatives empty list",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": []}` + "\n",
		},
		{
			name:  "passage both relevant and negative",
			input: ok + "\n" + `{"query": "r", "relevant_passages": ["a", "b"], "hard_negatives": ["c", "b"]}` + "\n",
			want: []Issue{
				{Line: 2, Rule: RuleOverlap, Message: `"hard_negatives" item 2 is also "relevant_passages" item 2; Cohere rejects a passage in both lists, so remove it from one`},
			},
		},
		{
			name:  "same passage on different lines",
			input: `{"query": "q", "relevant_passages": ["a"]}` + "\n" + `{"query": "r", "relevant_passages": ["b"], "hard_negatives": ["a"]}` + "\n",
		},
		{
			name:  "blank lines",
			input: ok + "\n\n \t\n" + `{"query": "r", "relevant_passages": ["p"]}` + "\n",
			want: []Issue{
				{Line: 2, Rule: RuleBlankLine, Message: "blank line; remove it, because a JSONL reader that parses every line rejects it"},
				{Line: 3, Rule: RuleBlankLine, Message: "blank line; remove it, because a JSONL reader that parses every line rejects it"},
			},
		},
		{
			name:  "empty hard negatives",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["", "n", "  "]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleEmptyNegative, Message: `"hard_negatives" item 1 is empty; Cohere drops empty negatives`},
				{Line: 1, Rule: RuleEmptyNegative, Message: `"hard_negatives" item 3 is empty; Cohere drops empty negatives`},
			},
		},
		{
			name:  "repeated hard negative",
			input: `{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["n", "m", "n", "n"]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleDuplicateNegative, Message: `"hard_negatives" item 3 repeats item 1; Cohere drops repeated negatives`},
				{Line: 1, Rule: RuleDuplicateNegative, Message: `"hard_negatives" item 4 repeats item 1; Cohere drops repeated negatives`},
			},
		},
		{
			name: "repeated query",
			input: ok + "\n" + `{"query": "r", "relevant_passages": ["p"]}` + "\n" +
				`{"query": "q", "relevant_passages": ["p2"]}` + "\n",
			want: []Issue{
				{Line: 3, Rule: RuleDuplicateQuery, Message: "same query as line 1; Cohere counts it once, so merge the two lines into one"},
			},
		},
		{
			// 3 query words and 380 passage words: ceil(4*3/3) + ceil(4*380/3) = 4 + 507.
			name:  "passage over the context",
			input: `{"query": "one two three", "relevant_passages": ["short", "` + words(380) + `"]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleLongPassage, Message: `"relevant_passages" item 2 and the query come to about 511 tokens (estimated at 4 tokens per 3 words), over the 510-token context they share; the end is likely cut, so split long passages`},
			},
		},
		{
			// 4 + ceil(4*379/3) = 4 + 506 = 510, which fits.
			name:  "passage at the context",
			input: `{"query": "one two three", "relevant_passages": ["` + words(379) + `"], "hard_negatives": ["` + words(379) + ` x"]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleLongPassage, Message: `"hard_negatives" item 1 and the query come to about 511 tokens (estimated at 4 tokens per 3 words), over the 510-token context they share; the end is likely cut, so split long passages`},
			},
		},
		{
			name: "several faults on one line",
			input: `{"query": 1, "relevant_passages": [], "hard_negatives": ["", 2]}` + "\n" +
				`{"query": "q", "relevant_passages": ["p"], "hard_negatives": ["p", "p"]}` + "\n",
			want: []Issue{
				{Line: 1, Rule: RuleQuery, Message: `"query" must be a string, got a number`},
				{Line: 1, Rule: RuleRelevant, Message: `"relevant_passages" is an empty list; give at least one passage that answers the query`},
				{Line: 1, Rule: RuleNegatives, Message: `"hard_negatives" item 2 must be a string, got a number`},
				{Line: 2, Rule: RuleOverlap, Message: `"hard_negatives" item 1 is also "relevant_passages" item 1; Cohere rejects a passage in both lists, so remove it from one`},
				{Line: 2, Rule: RuleOverlap, Message: `"hard_negatives" item 2 is also "relevant_passages" item 1; Cohere rejects a passage in both lists, so remove it from one`},
				{Line: 1, Rule: RuleEmptyNegative, Message: `"hard_negatives" item 1 is empty; Cohere drops empty negatives`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := validateBytes(t, []byte(tt.input), ValidateOptions{MinQueries: 1})
			for i := range tt.want {
				tt.want[i].Severity = tt.want[i].Rule.Severity()
			}
			if tt.want == nil {
				tt.want = []Issue{}
			}
			if !reflect.DeepEqual(report.Issues, tt.want) {
				t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(tt.want))
			}
		})
	}
}

func formatIssues(issues []Issue) string {
	var b strings.Builder
	for _, is := range issues {
		fmt.Fprintf(&b, "  %d %s %s: %s\n", is.Line, is.Severity, is.Rule, is.Message)
	}
	if b.Len() == 0 {
		return "  (none)"
	}
	return b.String()
}

func TestRuleSeverity(t *testing.T) {
	want := map[Rule]Severity{
		RuleRead:              SeverityError,
		RuleFileSize:          SeverityError,
		RuleBOM:               SeverityError,
		RuleEncoding:          SeverityError,
		RuleJSON:              SeverityError,
		RuleQuery:             SeverityError,
		RuleRelevant:          SeverityError,
		RuleNegatives:         SeverityError,
		RuleOverlap:           SeverityError,
		RuleUniqueQueries:     SeverityError,
		RuleBlankLine:         SeverityWarning,
		RuleEmptyNegative:     SeverityWarning,
		RuleDuplicateNegative: SeverityWarning,
		RuleDuplicateQuery:    SeverityWarning,
		RuleLongPassage:       SeverityWarning,
	}
	rules := Rules()
	if len(rules) != len(want) {
		t.Errorf("Rules() has %d rules, want %d", len(rules), len(want))
	}
	for _, rule := range rules {
		if got := rule.Severity(); got != want[rule] {
			t.Errorf("%s: got severity %q, want %q", rule, got, want[rule])
		}
	}
}

// passingLines returns n valid lines with distinct queries.
func passingLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"query": "query %d", "relevant_passages": ["passage %d"], "hard_negatives": ["other %d"]}`+"\n", i, i, i)
	}
	return b.String()
}

func TestValidateUniqueQueries(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []Issue
	}{
		{name: "256 queries", input: passingLines(256), want: []Issue{}},
		{
			name:  "255 queries",
			input: passingLines(255),
			want: []Issue{{Rule: RuleUniqueQueries, Severity: SeverityError,
				Message: "too few unique queries: the file has 255 and Cohere needs at least 256, so add 1 more"}},
		},
		{
			name:  "256 lines with a repeated query",
			input: passingLines(255) + `{"query": "query 7", "relevant_passages": ["x"]}` + "\n",
			want: []Issue{
				{Rule: RuleUniqueQueries, Severity: SeverityError,
					Message: "too few unique queries: the file has 255 and Cohere needs at least 256, so add 1 more"},
				{Line: 256, Rule: RuleDuplicateQuery, Severity: SeverityWarning,
					Message: "same query as line 8; Cohere counts it once, so merge the two lines into one"},
			},
		},
		{
			name:  "empty file",
			input: "",
			want: []Issue{{Rule: RuleUniqueQueries, Severity: SeverityError,
				Message: "too few unique queries: the file has 0 and Cohere needs at least 256, so add 256 more"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := validateBytes(t, []byte(tt.input), ValidateOptions{})
			if !reflect.DeepEqual(report.Issues, tt.want) {
				t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(tt.want))
			}
			if wantPassed := len(tt.want) == 0; report.Passed() != wantPassed {
				t.Errorf("got Passed() %v, want %v", report.Passed(), wantPassed)
			}
		})
	}
}

func TestValidateFileSize(t *testing.T) {
	input := passingLines(3) // 264 bytes
	tests := []struct {
		name     string
		maxBytes int64
		want     []Issue
	}{
		{name: "at the limit", maxBytes: int64(len(input)), want: []Issue{}},
		{
			name:     "over the limit",
			maxBytes: int64(len(input)) - 1,
			want: []Issue{{Rule: RuleFileSize, Severity: SeverityError,
				Message: "file is 264 bytes, over the limit of 263 bytes; Cohere accepts datasets up to 1.5 GB, so split it into smaller files"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := validateBytes(t, []byte(input), ValidateOptions{MinQueries: 1, MaxBytes: tt.maxBytes})
			if report.Bytes != int64(len(input)) {
				t.Errorf("got Bytes %d, want %d", report.Bytes, len(input))
			}
			if !reflect.DeepEqual(report.Issues, tt.want) {
				t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(tt.want))
			}
		})
	}
}

func TestValidateDefaultSizeLimit(t *testing.T) {
	if CohereMaxBytes != 1_500_000_000 {
		t.Errorf("got CohereMaxBytes %d, want 1.5 GB in decimal units", CohereMaxBytes)
	}
	report := validateBytes(t, []byte(passingLines(1)), ValidateOptions{MinQueries: 1})
	if report.Counts[RuleFileSize] != 0 {
		t.Errorf("got %d file size issues for a small file, want 0", report.Counts[RuleFileSize])
	}
}

func gzipText(t *testing.T, data []byte) []byte {
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

func TestValidateGzip(t *testing.T) {
	plain := []byte(passingLines(300))
	compressed := gzipText(t, plain)

	t.Run("whole stream", func(t *testing.T) {
		report := validateBytes(t, compressed, ValidateOptions{})
		if !report.Passed() || len(report.Issues) != 0 {
			t.Errorf("got issues\n%s\nwant none", formatIssues(report.Issues))
		}
		if report.Bytes != int64(len(plain)) {
			t.Errorf("got Bytes %d, want the uncompressed size %d", report.Bytes, len(plain))
		}
		if report.Lines != 300 || report.UniqueQueries != 300 {
			t.Errorf("got %d lines and %d unique queries, want 300 and 300", report.Lines, report.UniqueQueries)
		}
	})

	t.Run("truncated stream", func(t *testing.T) {
		report := validateBytes(t, compressed[:len(compressed)/2], ValidateOptions{})
		if report.Counts[RuleRead] != 1 {
			t.Fatalf("got issues\n%s\nwant one read error", formatIssues(report.Issues))
		}
		is := report.Issues[0]
		if is.Rule != RuleRead || is.Line != report.Lines+1 {
			t.Errorf("got first issue %+v, want a read error on line %d", is, report.Lines+1)
		}
		if !strings.HasPrefix(is.Message, "gzip stream is truncated or corrupt") {
			t.Errorf("got message %q, want one about a truncated gzip stream", is.Message)
		}
		if report.Counts[RuleUniqueQueries] != 0 {
			t.Errorf("got a unique query count error for a file read in part, want none")
		}
	})

	t.Run("corrupt header", func(t *testing.T) {
		report := validateBytes(t, []byte{0x1f, 0x8b, 0, 0, 0}, ValidateOptions{})
		want := []Issue{{Rule: RuleRead, Severity: SeverityError, Message: "corrupt gzip header: unexpected EOF"}}
		if !reflect.DeepEqual(report.Issues, want) {
			t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(want))
		}
	})
}

func TestValidateMissingFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "absent.jsonl")
	report, err := ValidateFile(context.Background(), name, ValidateOptions{})
	if err != nil {
		t.Fatalf("got error %v, want a report", err)
	}
	want := []Issue{{Rule: RuleRead, Severity: SeverityError, Message: "cannot open the file: no such file or directory"}}
	if !reflect.DeepEqual(report.Issues, want) {
		t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(want))
	}
	if report.File != name {
		t.Errorf("got File %q, want %q", report.File, name)
	}
}

func TestValidateListsFirstOfEachRule(t *testing.T) {
	var input strings.Builder
	for i := range 25 {
		fmt.Fprintf(&input, `{"query": "q%d", "relevant_passages": []}`+"\n", i)
	}
	for i := range 3 {
		fmt.Fprintf(&input, `{"query": "q%d", "relevant_passages": ["p"]}`+"\n", i)
	}
	report := validateBytes(t, []byte(input.String()), ValidateOptions{MinQueries: 1})

	if got := report.Counts[RuleRelevant]; got != 25 {
		t.Errorf("got %d relevant passage errors counted, want 25", got)
	}
	if got := report.Unlisted(RuleRelevant); got != 5 {
		t.Errorf("got %d relevant passage errors unlisted, want 5", got)
	}
	if got := report.Unlisted(RuleDuplicateQuery); got != 0 {
		t.Errorf("got %d duplicate query warnings unlisted, want 0", got)
	}
	if report.Errors != 25 || report.Warnings != 3 {
		t.Errorf("got %d errors and %d warnings, want 25 and 3", report.Errors, report.Warnings)
	}
	var lines []int
	for _, is := range report.Issues {
		if is.Rule == RuleRelevant {
			lines = append(lines, is.Line)
		}
	}
	if len(lines) != 20 || lines[0] != 1 || lines[19] != 20 {
		t.Errorf("got relevant passage errors listed on lines %v, want lines 1 to 20", lines)
	}
	last := report.Issues[len(report.Issues)-1]
	if last.Rule != RuleDuplicateQuery || last.Line != 28 {
		t.Errorf("got last issue %+v, want the duplicate query warning of line 28 after the errors", last)
	}
}

func TestValidatorCheckLine(t *testing.T) {
	v := NewValidator("out.jsonl", ValidateOptions{MinQueries: 2})
	v.CheckLine(1, []byte(`{"query": "q", "relevant_passages": ["p`+"\xe9"+`"]}`))
	v.CheckLine(2, []byte(`{"query": "r", "relevant_passages": ["p"]}`))
	report := v.Finish(100)

	want := []Issue{{Line: 1, Rule: RuleEncoding, Severity: SeverityError,
		Message: "invalid UTF-8 at byte 40 of the line; re-encode the file as UTF-8"}}
	if !reflect.DeepEqual(report.Issues, want) {
		t.Errorf("got issues\n%s\nwant\n%s", formatIssues(report.Issues), formatIssues(want))
	}
	if report.File != "out.jsonl" || report.Bytes != 100 || report.Lines != 2 || report.UniqueQueries != 2 {
		t.Errorf("got report %+v, want file out.jsonl, 100 bytes, 2 lines and 2 unique queries", report)
	}
}

func TestValidateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := writeTemp(t, "in.jsonl", []byte(passingLines(3)))
	report, err := ValidateFile(ctx, path, ValidateOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	if report != nil {
		t.Errorf("got a report for a cancelled check, want nil")
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"one", 2},
		{"one two", 3},
		{"one two three", 4},
		{" one\ttwo\nthree  four ", 6},
		{"naïve café, déjà vu", 6},
		{words(300), 400},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.text); got != tt.want {
			t.Errorf("EstimateTokens(%.20q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
