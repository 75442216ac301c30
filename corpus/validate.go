package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of Cohere's rerank fine-tuning upload. The query count and the
// UTF-8 rule are in https://docs.cohere.com/docs/rerank-preparing-the-data,
// the size limit in https://docs.cohere.com/docs/datasets and the context
// length in https://docs.cohere.com/docs/reranking-best-practices.
const (
	// CohereMinQueries is the number of unique queries a file needs.
	CohereMinQueries = 256
	// CohereMaxBytes is Cohere's 1.5 GB dataset limit, read as decimal
	// gigabytes, which is the stricter reading.
	CohereMaxBytes = 1_500_000_000
	// CohereContextTokens is the context length that a query and one
	// passage share in Cohere's rerank models.
	CohereContextTokens = 510
	// DefaultMaxListed is how many issues of each rule a Report lists.
	DefaultMaxListed = 20
)

// Severity is the level of an issue: errors fail the file, warnings do not.
type Severity string

// Severities of an issue.
const (
	// SeverityError marks a fault that fails the file: it breaks Cohere's
	// upload rules, or common JSON readers reject it.
	SeverityError Severity = "error"
	// SeverityWarning marks data that Cohere accepts but drops, cuts, or
	// that is likely a mistake.
	SeverityWarning Severity = "warning"
)

// Rule names one check of Validate. A Report counts and lists issues by rule.
type Rule string

// Rules that fail a file.
const (
	RuleRead          Rule = "read"              // file cannot be opened or read to the end
	RuleFileSize      Rule = "file_size"         // over CohereMaxBytes
	RuleBOM           Rule = "bom"               // file starts with a UTF-8 byte-order mark
	RuleEncoding      Rule = "encoding"          // bytes that are not valid UTF-8
	RuleJSON          Rule = "json"              // line is not exactly one JSON object
	RuleQuery         Rule = "query"             // "query" missing, not a string or empty
	RuleRelevant      Rule = "relevant_passages" // missing, not a list of non-empty strings, or empty
	RuleNegatives     Rule = "hard_negatives"    // present but not a list of strings
	RuleOverlap       Rule = "overlap"           // passage both relevant and a hard negative
	RuleUniqueQueries Rule = "unique_queries"    // fewer than CohereMinQueries unique queries
)

// Rules that only warn.
const (
	RuleBlankLine         Rule = "blank_line"         // line with nothing but white space
	RuleEmptyNegative     Rule = "empty_negative"     // hard negative with nothing but white space
	RuleDuplicateNegative Rule = "duplicate_negative" // hard negative repeated on its line
	RuleDuplicateQuery    Rule = "duplicate_query"    // query that an earlier line has
	RuleLongPassage       Rule = "long_passage"       // passage and query estimated over CohereContextTokens
)

// ruleOrder is the order of rules in a Report. Errors come first, and each
// group goes roughly from faults of the whole file down to single fields.
var ruleOrder = []Rule{
	RuleRead, RuleFileSize, RuleBOM, RuleEncoding, RuleJSON, RuleQuery,
	RuleRelevant, RuleNegatives, RuleOverlap, RuleUniqueQueries,
	RuleBlankLine, RuleEmptyNegative, RuleDuplicateNegative, RuleDuplicateQuery,
	RuleLongPassage,
}

// Rules returns every rule in the order a Report lists them, errors first.
func Rules() []Rule {
	return append([]Rule(nil), ruleOrder...)
}

// Severity returns whether an issue of rule r fails the file.
func (r Rule) Severity() Severity {
	switch r {
	case RuleBlankLine, RuleEmptyNegative, RuleDuplicateNegative, RuleDuplicateQuery, RuleLongPassage:
		return SeverityWarning
	}
	return SeverityError
}

// Issue is one violation of a rule.
type Issue struct {
	// Line is the 1-based line number, or 0 for a fault of the whole file.
	Line     int      `json:"line"`
	Rule     Rule     `json:"rule"`
	Severity Severity `json:"severity"`
	// Message is the description of the fault and its fix, without file or
	// line.
	Message string `json:"message"`
}

// Report is the result of checking one file.
type Report struct {
	File string `json:"file"`
	// Bytes counts the bytes read, after gzip decompression.
	Bytes int64 `json:"bytes"`
	// Lines counts the lines read, blank lines included.
	Lines int `json:"lines"`
	// UniqueQueries counts distinct "query" strings, compared byte by byte.
	UniqueQueries int `json:"unique_queries"`
	// Errors and Warnings count all issues of each severity, listed or not.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Counts holds the number of issues of each rule, listed or not.
	Counts map[Rule]int `json:"counts"`
	// Issues lists the first issues of each rule, at most MaxListed per
	// rule: grouped by rule in the order of Rules, and by line within a rule.
	Issues []Issue `json:"issues"`
}

// Passed reports whether the file has no errors; warnings do not count.
func (r *Report) Passed() bool { return r.Errors == 0 }

// Unlisted returns how many issues of rule the report counts but does not
// list.
func (r *Report) Unlisted(rule Rule) int {
	listed := 0
	for _, is := range r.Issues {
		if is.Rule == rule {
			listed++
		}
	}
	return r.Counts[rule] - listed
}

// ValidateOptions sets the limits that a Validator checks. The zero value
// checks Cohere's limits.
type ValidateOptions struct {
	// MinQueries is the number of unique queries required; 0 means
	// CohereMinQueries.
	MinQueries int
	// MaxBytes is the largest file size accepted; 0 means CohereMaxBytes.
	MaxBytes int64
	// MaxListed is how many issues of each rule the report lists; 0 means
	// DefaultMaxListed. Issues past it are still counted.
	MaxListed int
}

func (o ValidateOptions) withDefaults() ValidateOptions {
	if o.MinQueries == 0 {
		o.MinQueries = CohereMinQueries
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = CohereMaxBytes
	}
	if o.MaxListed == 0 {
		o.MaxListed = DefaultMaxListed
	}
	return o
}

// ValidateFile checks a Cohere rerank JSONL file, or standard input when
// name is "-", and returns its report. A gzip file is decompressed first.
// Every fault of the file is an issue in the report, including a file that
// cannot be opened or a truncated gzip stream, which ends the check early.
// The only error is ctx.Err() when ctx is cancelled before the end.
func ValidateFile(ctx context.Context, name string, opts ValidateOptions) (*Report, error) {
	rc, err := Open(name)
	if err != nil {
		v := NewValidator(name, opts)
		v.readFailed(0, openMessage(err))
		return v.Finish(0), nil
	}
	defer rc.Close()
	return Validate(ctx, rc, name, opts)
}

// openMessage describes why Open failed, without repeating the file name.
func openMessage(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Msg
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return fmt.Sprintf("cannot open the file: %v", err)
}

// messageOf returns the message of a *ParseError, which leaves out file and
// line, or else the error's text.
func messageOf(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Msg
	}
	return err.Error()
}

// Validate reads a Cohere rerank JSONL stream to the end and returns its
// report, like ValidateFile. It reads r as is, without gzip detection, and
// uses name in the report. It checks ctx between lines and returns
// ctx.Err() and no report when ctx is cancelled.
func Validate(ctx context.Context, r io.Reader, name string, opts ValidateOptions) (*Report, error) {
	counter := &countingReader{r: r}
	lr := NewLineReader(counter, name)
	v := NewValidator(name, opts)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, ErrEncoding) {
			// A read error: the line after the last one read is lost.
			v.readFailed(lr.Line()+1, messageOf(err))
			break
		}
		if lr.Line() == 1 && lr.HadBOM {
			v.add(1, RuleBOM, "file starts with a UTF-8 byte-order mark; remove its first 3 bytes, "+
				"because JSON parsers such as Python's json.loads reject it")
		}
		if err != nil {
			// Invalid UTF-8: LineReader returns the line too, so the other
			// rules can still check it.
			v.add(lr.Line(), RuleEncoding, "%s", messageOf(err))
		}
		v.checkContent(lr.Line(), line)
	}
	return v.Finish(counter.n), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Validator checks the lines of one Cohere rerank JSONL file in order and
// builds its Report. A writer can use it to check records as it writes
// them, without reading the file back. Validate and ValidateFile use it for
// whole files. A Validator is not safe for concurrent use.
type Validator struct {
	opts   ValidateOptions
	report Report
	listed map[Rule][]Issue
	// queries maps each query to the line where it first appeared.
	queries map[string]int
	// stopped records that reading ended before the end of the file.
	stopped bool
}

// NewValidator returns a Validator for the file name, which appears in the
// report.
func NewValidator(name string, opts ValidateOptions) *Validator {
	return &Validator{
		opts:    opts.withDefaults(),
		report:  Report{File: name, Counts: make(map[Rule]int)},
		listed:  make(map[Rule][]Issue),
		queries: make(map[string]int),
	}
}

// CheckLine checks one line, given without its line terminator, and its
// 1-based number. Lines must come in increasing order. The line's bytes are
// not kept after the call returns.
func (v *Validator) CheckLine(lineNo int, line []byte) {
	if !utf8.Valid(line) {
		v.add(lineNo, RuleEncoding, "%s", encodingErr(v.report.File, lineNo, invalidOffset(line)).Msg)
	}
	v.checkContent(lineNo, line)
}

// Finish applies the rules on the whole file and returns the report. size
// is the file's length in bytes, after any decompression. The Validator
// must not be used after Finish.
func (v *Validator) Finish(size int64) *Report {
	r := &v.report
	r.Bytes = size
	r.UniqueQueries = len(v.queries)
	if size > v.opts.MaxBytes {
		v.add(0, RuleFileSize, "file is %d bytes, over the limit of %d bytes; Cohere accepts datasets up to 1.5 GB, "+
			"so split it into smaller files", size, v.opts.MaxBytes)
	}
	// A file read only in part has an unknown number of queries, and the
	// read error already fails it.
	if !v.stopped && r.UniqueQueries < v.opts.MinQueries {
		v.add(0, RuleUniqueQueries, "too few unique queries: the file has %d and Cohere needs at least %d, so add %d more",
			r.UniqueQueries, v.opts.MinQueries, v.opts.MinQueries-r.UniqueQueries)
	}
	r.Issues = []Issue{}
	for _, rule := range ruleOrder {
		r.Issues = append(r.Issues, v.listed[rule]...)
	}
	return r
}

// add counts an issue and lists it while its rule has room.
func (v *Validator) add(lineNo int, rule Rule, format string, args ...any) {
	sev := rule.Severity()
	if sev == SeverityError {
		v.report.Errors++
	} else {
		v.report.Warnings++
	}
	v.report.Counts[rule]++
	if len(v.listed[rule]) < v.opts.MaxListed {
		v.listed[rule] = append(v.listed[rule], Issue{
			Line: lineNo, Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...),
		})
	}
}

// readFailed records that reading failed at lineNo, or at line 0 when the
// file could not be opened, and that the check ends there.
func (v *Validator) readFailed(lineNo int, msg string) {
	v.add(lineNo, RuleRead, "%s", msg)
	v.stopped = true
}

// checkContent applies every rule on one line except the UTF-8 check.
func (v *Validator) checkContent(lineNo int, line []byte) {
	v.report.Lines = max(v.report.Lines, lineNo)
	if IsBlank(line) {
		v.add(lineNo, RuleBlankLine, "blank line; remove it, because a JSONL reader that parses every line rejects it")
		return
	}
	obj, err := decodeObject(line, v.report.File, lineNo)
	if err != nil {
		v.add(lineNo, RuleJSON, "%s", messageOf(err))
		return
	}
	if r, where, ok := nonJSONSpace(line); ok {
		v.add(lineNo, RuleJSON, "invalid JSON: %U %s the object is white space that JSON does not allow; remove it",
			r, where)
		return
	}
	query, ok := v.checkQuery(lineNo, obj)
	if ok {
		v.countQuery(lineNo, query)
	}
	relevant := v.checkList(lineNo, obj, "relevant_passages", RuleRelevant)
	negatives := v.checkList(lineNo, obj, "hard_negatives", RuleNegatives)
	v.checkNegatives(lineNo, relevant, negatives)
	v.checkLengths(lineNo, query, "relevant_passages", relevant)
	v.checkLengths(lineNo, query, "hard_negatives", negatives)
}

// nonJSONSpace finds white space around a line's JSON value that JSON does
// not allow, which decodeObject accepts because it trims any Unicode white
// space. JSON allows only space, tab, CR and LF.
func nonJSONSpace(line []byte) (r rune, where string, found bool) {
	trimmed := bytes.Trim(line, " \t\r\n")
	if first, _ := utf8.DecodeRune(trimmed); unicode.IsSpace(first) {
		return first, "before", true
	}
	if last, _ := utf8.DecodeLastRune(trimmed); unicode.IsSpace(last) {
		return last, "after", true
	}
	return 0, "", false
}

// checkQuery returns the query and whether it is a non-empty string.
func (v *Validator) checkQuery(lineNo int, obj map[string]json.RawMessage) (string, bool) {
	raw, ok := obj["query"]
	if !ok {
		v.add(lineNo, RuleQuery, `missing "query"; each line needs the query text as a string`)
		return "", false
	}
	var s string
	if jsonKind(raw) != "a string" || json.Unmarshal(raw, &s) != nil {
		v.add(lineNo, RuleQuery, `"query" must be a string, got %s`, jsonKind(raw))
		return "", false
	}
	if strings.TrimSpace(s) == "" {
		v.add(lineNo, RuleQuery, `"query" is empty; give the query text or remove the line`)
		return "", false
	}
	return s, true
}

// countQuery records a query and warns when an earlier line has it.
func (v *Validator) countQuery(lineNo int, query string) {
	if first, ok := v.queries[query]; ok {
		v.add(lineNo, RuleDuplicateQuery,
			"same query as line %d; Cohere counts it once, so merge the two lines into one", first)
		return
	}
	v.queries[query] = lineNo
}

// listItem is a string of a JSON list with its 1-based position.
type listItem struct {
	pos  int
	text string
}

// checkList checks the list of strings under key and returns its string
// items. The list of rule RuleRelevant is required and needs at least one
// item, and none of its items may be empty. The other list may be absent,
// but not null.
func (v *Validator) checkList(lineNo int, obj map[string]json.RawMessage, key string, rule Rule) []listItem {
	required := rule == RuleRelevant
	raw, ok := obj[key]
	if !ok {
		if required {
			v.add(lineNo, rule, "missing %q; give a list with at least one passage that answers the query", key)
		}
		return nil
	}
	var items []json.RawMessage
	if jsonKind(raw) != "a list" || json.Unmarshal(raw, &items) != nil {
		v.add(lineNo, rule, "%q must be a list of strings, got %s", key, jsonKind(raw))
		return nil
	}
	if required && len(items) == 0 {
		v.add(lineNo, rule, "%q is an empty list; give at least one passage that answers the query", key)
	}
	out := make([]listItem, 0, len(items))
	for i, item := range items {
		var s string
		if jsonKind(item) != "a string" || json.Unmarshal(item, &s) != nil {
			v.add(lineNo, rule, "%q item %d must be a string, got %s", key, i+1, jsonKind(item))
			continue
		}
		if required && strings.TrimSpace(s) == "" {
			v.add(lineNo, rule, "%q item %d is empty; give the passage text or remove the item", key, i+1)
			continue
		}
		out = append(out, listItem{pos: i + 1, text: s})
	}
	return out
}

// checkNegatives reports hard negatives that are also relevant, empty, or
// repeated on the line.
func (v *Validator) checkNegatives(lineNo int, relevant, negatives []listItem) {
	relevantPos := make(map[string]int, len(relevant))
	for _, p := range relevant {
		if _, ok := relevantPos[p.text]; !ok {
			relevantPos[p.text] = p.pos
		}
	}
	seen := make(map[string]int, len(negatives))
	for _, n := range negatives {
		if strings.TrimSpace(n.text) == "" {
			v.add(lineNo, RuleEmptyNegative, `"hard_negatives" item %d is empty; Cohere drops empty negatives`, n.pos)
			continue
		}
		if pos, ok := relevantPos[n.text]; ok {
			v.add(lineNo, RuleOverlap,
				`"hard_negatives" item %d is also "relevant_passages" item %d; Cohere rejects a passage in both lists, so remove it from one`,
				n.pos, pos)
			continue
		}
		if first, ok := seen[n.text]; ok {
			v.add(lineNo, RuleDuplicateNegative,
				`"hard_negatives" item %d repeats item %d; Cohere drops repeated negatives`, n.pos, first)
			continue
		}
		seen[n.text] = n.pos
	}
}

// checkLengths warns about passages that, with the query, likely exceed
// the context length that Cohere's rerank models read.
func (v *Validator) checkLengths(lineNo int, query, key string, passages []listItem) {
	queryTokens := EstimateTokens(query)
	for _, p := range passages {
		total := queryTokens + EstimateTokens(p.text)
		if total <= CohereContextTokens {
			continue
		}
		v.add(lineNo, RuleLongPassage,
			"%q item %d and the query come to about %d tokens (estimated at 4 tokens per 3 words), "+
				"over the %d-token context they share; the end is likely cut, so split long passages",
			key, p.pos, total, CohereContextTokens)
	}
}

// EstimateTokens estimates the number of tokens of s as 4 tokens per 3
// words, rounded up, where a word is a run of characters between white
// space. The ratio is a rule of thumb for English text and subword
// tokenizers, used because Cohere's rerank tokenizer is not at hand.
// Scientific and technical text usually takes more tokens.
func EstimateTokens(s string) int {
	words := 0
	inWord := false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			words++
		}
		inWord = !space
	}
	return (4*words + 2) / 3
}
