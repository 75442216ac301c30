package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/. Run a fuzzer with
// go test ./corpus -run XXX -fuzz FuzzParseLine -fuzztime 2m

// errorKinds are the kinds a *ParseError may wrap.
var errorKinds = []error{ErrEncoding, ErrSyntax, ErrShape, ErrMissing, ErrType, ErrEmpty, ErrColumns, ErrRead}

// checkParseError fails unless err is a *ParseError of file with a known
// kind and a message, and returns it.
func checkFuzzError(t *testing.T, err error, file string) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got error %T %v, want a *ParseError", err, err)
	}
	if pe.File != file {
		t.Errorf("got File %q, want %q", pe.File, file)
	}
	known := false
	for _, kind := range errorKinds {
		known = known || pe.Kind == kind
	}
	if !known || !errors.Is(err, pe.Kind) {
		t.Errorf("got Kind %v, want one of the Err* kinds, reachable with errors.Is", pe.Kind)
	}
	if pe.Msg == "" {
		t.Errorf("got an empty message for %v", pe.Kind)
	}
	return pe
}

// lineCount returns the number of lines in data as LineReader counts them.
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

func FuzzParseLine(f *testing.F) {
	f.Fuzz(func(t *testing.T, line []byte) {
		var stats LineStats
		rec, layout, err := ParseLine(line, "in.jsonl", 7, &stats)
		if err != nil {
			pe := checkFuzzError(t, err, "in.jsonl")
			if pe.Line != 7 {
				t.Errorf("got error on line %d, want 7", pe.Line)
			}
			return
		}

		if layout != LayoutCohere && layout != LayoutPair && layout != LayoutFlag {
			t.Errorf("got layout %q, want cohere, pair or flag", layout)
		}
		if rec.Line != 7 {
			t.Errorf("got Line %d, want 7", rec.Line)
		}
		if strings.TrimSpace(rec.Query) == "" {
			t.Errorf("got empty query %q from a successful parse", rec.Query)
		}
		if len(rec.Relevant) == 0 {
			t.Errorf("got no relevant passage from a successful parse")
		}
		for i, p := range rec.Relevant {
			if strings.TrimSpace(p) == "" {
				t.Errorf("got empty relevant passage %d: %q", i+1, p)
			}
		}
		for i, n := range rec.Negatives {
			if n == "" {
				t.Errorf("got empty negative %d, want empty negatives dropped", i+1)
			}
		}
		if layout == LayoutPair && len(rec.Relevant) != 1 {
			t.Errorf("got %d relevant passages from a pair, want 1", len(rec.Relevant))
		}
		if layout == LayoutPair && len(rec.Negatives)+stats.EmptyNegatives != 0 {
			t.Errorf("got %d negatives and %d empty ones from a pair, want none", len(rec.Negatives), stats.EmptyNegatives)
		}

		// Written as a Cohere line, the record parses back to itself.
		out, err := json.Marshal(CohereRecord{Query: rec.Query, RelevantPassages: rec.Relevant, HardNegatives: rec.Negatives})
		if err != nil {
			t.Fatalf("encode record: %v", err)
		}
		var again LineStats
		back, backLayout, err := ParseLine(out, "in.jsonl", 7, &again)
		if err != nil {
			t.Fatalf("parse of the re-encoded record %s: %v", out, err)
		}
		if backLayout != LayoutCohere {
			t.Errorf("got layout %q for a re-encoded record, want cohere", backLayout)
		}
		if !reflect.DeepEqual(back, rec) {
			t.Errorf("got %+v after a round trip, want %+v", back, rec)
		}
	})
}

// fuzzExtensions are the file names FuzzReadRecords writes: by extension
// and, for "in", by content.
var fuzzExtensions = []string{"in.jsonl", "in.tsv", "in.csv", "in", "in.tsv.gz"}

func FuzzReadRecords(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		path := filepath.Join(t.TempDir(), fuzzExtensions[int(kind)%len(fuzzExtensions)])
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var g Group
		stats, err := ReadRecords(path, &g)
		if err != nil {
			pe := checkFuzzError(t, err, path)
			// Only a corrupt gzip header is a fault of no line.
			if pe.Line < 1 && pe.Kind != ErrRead {
				t.Errorf("got %v error on line %d, want a line from 1", pe.Kind, pe.Line)
			}
			if pe.Line > lineCount(data)+1 && !isGzip(data) {
				t.Errorf("got error on line %d of a %d-line file", pe.Line, lineCount(data))
			}
			return
		}

		if stats.Lines < len(g.Records) {
			t.Errorf("got %d records from %d lines", len(g.Records), stats.Lines)
		}
		seen := make(map[string]bool)
		prevLine := 0
		for _, rec := range g.Records {
			if strings.TrimSpace(rec.Query) == "" {
				t.Errorf("line %d: got empty query %q", rec.Line, rec.Query)
			}
			if seen[rec.Query] {
				t.Errorf("line %d: got query %q twice, want records merged", rec.Line, rec.Query)
			}
			seen[rec.Query] = true
			if rec.Line <= prevLine {
				t.Errorf("got record of line %d after line %d, want first-seen order", rec.Line, prevLine)
			}
			prevLine = rec.Line
			if len(rec.Relevant) == 0 {
				t.Errorf("line %d: got no relevant passage", rec.Line)
			}
			for _, p := range rec.Relevant {
				if strings.TrimSpace(p) == "" {
					t.Errorf("line %d: got empty relevant passage %q", rec.Line, p)
				}
			}
			for _, n := range rec.Negatives {
				if n == "" {
					t.Errorf("line %d: got empty negative", rec.Line)
				}
			}
			if !isGzip(data) && rec.Line > lineCount(data) {
				t.Errorf("got record of line %d from a %d-line file", rec.Line, lineCount(data))
			}
		}
	})
}

func isGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

func FuzzReadPassages(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "corpus.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var got []Passage
		stats, err := ReadPassages(path, func(p Passage) error {
			got = append(got, p)
			return nil
		})
		if err != nil {
			pe := checkFuzzError(t, err, path)
			if pe.Line < 1 && pe.Kind != ErrRead {
				t.Errorf("got %v error on line %d, want a line from 1", pe.Kind, pe.Line)
			}
			return
		}

		if stats.Passages != len(got) {
			t.Errorf("got Passages %d, but %d passages were passed on", stats.Passages, len(got))
		}
		prevLine := 0
		for _, p := range got {
			if strings.TrimSpace(p.Text) == "" {
				t.Errorf("line %d: got empty passage %q, want it skipped", p.Line, p.Text)
			}
			if p.Line <= prevLine {
				t.Errorf("got passage of line %d after line %d", p.Line, prevLine)
			}
			prevLine = p.Line
			if !utf8.ValidString(p.Text) || !utf8.ValidString(p.ID) {
				t.Errorf("line %d: got invalid UTF-8 in a passage", p.Line)
			}
		}
		if !isGzip(data) && stats.Passages+stats.Empty > lineCount(data) {
			t.Errorf("got %d passages and %d empty ones from %d lines", stats.Passages, stats.Empty, lineCount(data))
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		all := ValidateOptions{MinQueries: 1, MaxListed: len(data) + 10}
		report, err := Validate(context.Background(), bytes.NewReader(data), "in.jsonl", all)
		if err != nil {
			t.Fatalf("got error %v, want a report", err)
		}
		checkReportTotals(t, report, data)
		checkAgainstParseLine(t, report, data)

		// The default limits list at most 20 issues of a rule but count
		// the same issues.
		capped, err := Validate(context.Background(), bytes.NewReader(data), "in.jsonl", ValidateOptions{MinQueries: 1})
		if err != nil {
			t.Fatalf("got error %v, want a report", err)
		}
		if !reflect.DeepEqual(capped.Counts, report.Counts) {
			t.Errorf("got counts %v with 20 listed per rule, want %v as with all listed", capped.Counts, report.Counts)
		}
		for _, rule := range Rules() {
			listed := capped.Counts[rule] - capped.Unlisted(rule)
			if listed != min(capped.Counts[rule], DefaultMaxListed) {
				t.Errorf("%s: got %d of %d issues listed, want at most %d", rule, listed, capped.Counts[rule], DefaultMaxListed)
			}
		}
	})
}

// checkReportTotals checks that a report with every issue listed is
// consistent with itself and with data.
func checkReportTotals(t *testing.T, report *Report, data []byte) {
	t.Helper()
	if report.Bytes != int64(len(data)) {
		t.Errorf("got Bytes %d, want %d", report.Bytes, len(data))
	}
	if report.Lines != lineCount(data) {
		t.Errorf("got Lines %d, want %d", report.Lines, lineCount(data))
	}

	total, errs := 0, 0
	for rule, n := range report.Counts {
		total += n
		if rule.Severity() == SeverityError {
			errs += n
		}
	}
	if report.Errors != errs {
		t.Errorf("got %d errors, want %d as counted by rule", report.Errors, errs)
	}
	if report.Errors+report.Warnings != total {
		t.Errorf("got %d errors and %d warnings, want %d issues as counted by rule", report.Errors, report.Warnings, total)
	}
	if len(report.Issues) != total {
		t.Errorf("got %d issues listed, want all %d", len(report.Issues), total)
	}
	if report.Passed() != (report.Errors == 0) {
		t.Errorf("got Passed() %v with %d errors", report.Passed(), report.Errors)
	}

	ruleIndex := make(map[Rule]int)
	for i, rule := range Rules() {
		ruleIndex[rule] = i
	}
	for i, is := range report.Issues {
		if is.Severity != is.Rule.Severity() {
			t.Errorf("issue %+v: got severity %q, want %q", is, is.Severity, is.Rule.Severity())
		}
		if is.Line < 0 || is.Line > report.Lines {
			t.Errorf("issue %+v: line out of 0 to %d", is, report.Lines)
		}
		if i > 0 {
			prev := report.Issues[i-1]
			if ruleIndex[prev.Rule] > ruleIndex[is.Rule] ||
				(prev.Rule == is.Rule && prev.Line > is.Line) {
				t.Errorf("got issue %+v after %+v, want them by rule, then line", is, prev)
			}
		}
	}

	body := bytes.TrimPrefix(data, bom)
	if !utf8.Valid(body) && report.Counts[RuleEncoding] == 0 {
		t.Errorf("got no encoding error for invalid UTF-8")
	}
	if utf8.Valid(body) && report.Counts[RuleEncoding] != 0 {
		t.Errorf("got %d encoding errors for valid UTF-8", report.Counts[RuleEncoding])
	}
	if bytes.HasPrefix(data, bom) != (report.Counts[RuleBOM] == 1) {
		t.Errorf("got %d byte-order mark errors, want 1 exactly when data starts with one", report.Counts[RuleBOM])
	}
}

// checkAgainstParseLine compares the report line by line with ParseLine,
// which accepts more than the validator. A line that ParseLine rejects must
// have an error. A line without errors must be valid JSON and a Cohere
// record that ParseLine accepts.
func checkAgainstParseLine(t *testing.T, report *Report, data []byte) {
	t.Helper()
	faulty := make(map[int]bool)
	for _, is := range report.Issues {
		if is.Severity == SeverityError {
			faulty[is.Line] = true
		}
	}
	lr := NewLineReader(bytes.NewReader(data), "in.jsonl")
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if !faulty[lr.Line()] {
				t.Errorf("line %d: LineReader rejects it (%v), but the report has no error", lr.Line(), err)
			}
			continue
		}
		if IsBlank(line) {
			continue
		}
		var stats LineStats
		rec, layout, parseErr := ParseLine(line, "in.jsonl", lr.Line(), &stats)
		if parseErr != nil && !faulty[lr.Line()] {
			t.Errorf("line %d: ParseLine rejects it (%v), but the report has no error", lr.Line(), parseErr)
		}
		if faulty[lr.Line()] {
			continue
		}
		if parseErr == nil && layout != LayoutCohere {
			t.Errorf("line %d: got layout %q without an error, want cohere", lr.Line(), layout)
		}
		if !json.Valid(line) {
			t.Errorf("line %d: got no error for invalid JSON %q", lr.Line(), line)
		}
		if parseErr == nil && strings.TrimSpace(rec.Query) == "" {
			t.Errorf("line %d: got no error for an empty query", lr.Line())
		}
	}
}
