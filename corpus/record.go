package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Record is one query with its relevant passages and any hard negatives the
// input already gave.
type Record struct {
	Query     string
	Relevant  []string
	Negatives []string
	// Answers are short strings that answer the query, as QA datasets
	// give them; a candidate that contains one is not a negative.
	Answers []string
	// Line is the input line where the query first appeared.
	Line int
	// RelevantIDs, set by BEIRQueries.Join instead of Relevant, names
	// the relevant passages by the IDs that the corpus join gave them.
	RelevantIDs []uint32
}

// Layout names a JSON line layout.
type Layout string

// The JSON line layouts that ParseLine accepts.
const (
	LayoutCohere Layout = "cohere"
	LayoutPair   Layout = "pair"
	LayoutFlag   Layout = "flag"
)

// LineStats counts what ParseLine dropped from otherwise valid lines.
type LineStats struct {
	// EmptyNegatives counts empty strings removed from given negatives.
	EmptyNegatives int
}

// ParseLine decodes one JSONL line in any of the three JSON layouts. Empty
// strings among the given negatives are dropped and counted in stats.
func ParseLine(line []byte, file string, lineNo int, stats *LineStats) (Record, Layout, error) {
	obj, err := decodeObject(line, file, lineNo)
	if err != nil {
		return Record{}, "", err
	}
	rec := Record{Line: lineNo}
	rec.Query, err = requiredString(obj, "query", file, lineNo)
	if err != nil {
		return Record{}, "", err
	}
	answers, err := stringList(obj, "answers", false, file, lineNo)
	if err != nil {
		return Record{}, "", err
	}
	for _, a := range answers {
		if strings.TrimSpace(a) != "" {
			rec.Answers = append(rec.Answers, a)
		}
	}
	var layout Layout
	var posKey, negKey string
	switch {
	case obj["relevant_passages"] != nil:
		layout, posKey, negKey = LayoutCohere, "relevant_passages", "hard_negatives"
	case obj["pos"] != nil:
		layout, posKey, negKey = LayoutFlag, "pos", "neg"
	case obj["passage"] != nil:
		layout = LayoutPair
		p, err := requiredString(obj, "passage", file, lineNo)
		if err != nil {
			return Record{}, "", err
		}
		rec.Relevant = []string{p}
		return rec, layout, nil
	default:
		return Record{}, "", parseErr(file, lineNo, "relevant_passages", ErrMissing,
			`missing "relevant_passages" (or "pos", or "passage"): each line needs the query's relevant passages; this line has %s`, fieldNames(obj))
	}
	rec.Relevant, err = stringList(obj, posKey, true, file, lineNo)
	if err != nil {
		return Record{}, "", err
	}
	negs, err := stringList(obj, negKey, false, file, lineNo)
	if err != nil {
		return Record{}, "", err
	}
	for _, n := range negs {
		if n == "" {
			stats.EmptyNegatives++
			continue
		}
		rec.Negatives = append(rec.Negatives, n)
	}
	return rec, layout, nil
}

// fieldNames lists an object's field names, quoted and sorted, so that an
// error about a missing field also shows a misspelled one.
func fieldNames(obj map[string]json.RawMessage) string {
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, strconv.Quote(name))
	}
	slices.Sort(names)
	const maxListed = 8
	if len(names) > maxListed {
		return strings.Join(names[:maxListed], ", ") + fmt.Sprintf(" and %d more fields", len(names)-maxListed)
	}
	return strings.Join(names, ", ")
}

// decodeObject parses a line that must hold exactly one JSON object.
func decodeObject(line []byte, file string, lineNo int) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(line)
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	// Decoding the first value as raw JSON first lets a line such as
	// `[1] {}` be named as a list, not as a failed Go type conversion.
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset > 0 {
			lead := len(line) - len(bytes.TrimLeftFunc(line, unicode.IsSpace))
			return nil, parseErr(file, lineNo, "", ErrSyntax, "invalid JSON at byte %d of the line: %v", lead+int(syntax.Offset), err)
		}
		return nil, parseErr(file, lineNo, "", ErrSyntax, "invalid JSON: %v", err)
	}
	if first[0] != '{' {
		return nil, parseErr(file, lineNo, "", ErrShape, "line is %s, not a JSON object", jsonKind(first))
	}
	if extra := bytes.TrimLeftFunc(trimmed[dec.InputOffset():], unicode.IsSpace); len(extra) > 0 {
		lead := len(line) - len(bytes.TrimLeftFunc(line, unicode.IsSpace))
		return nil, parseErr(file, lineNo, "", ErrShape,
			"more than one JSON value on the line (extra data at byte %d); put each object on its own line",
			lead+len(trimmed)-len(extra)+1)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(first, &obj); err != nil {
		return nil, parseErr(file, lineNo, "", ErrSyntax, "invalid JSON: %v", err)
	}
	return obj, nil
}

// jsonKind names the JSON type of a raw value for error messages.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "a list"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || string(bytes.TrimSpace(raw)) == "null"
}

func requiredString(obj map[string]json.RawMessage, key, file string, lineNo int) (string, error) {
	raw, ok := obj[key]
	if !ok {
		return "", parseErr(file, lineNo, key, ErrMissing, "missing %q", key)
	}
	var s string
	if jsonKind(raw) != "a string" || json.Unmarshal(raw, &s) != nil {
		return "", parseErr(file, lineNo, key, ErrType, "%q must be a string, got %s", key, jsonKind(raw))
	}
	if strings.TrimSpace(s) == "" {
		return "", parseErr(file, lineNo, key, ErrEmpty, "%q is empty", key)
	}
	return s, nil
}

// stringList decodes a list of strings. A required list must be present and
// non-empty, with no empty strings. An optional one may be absent or null
// and may contain empty strings, which the caller drops.
func stringList(obj map[string]json.RawMessage, key string, required bool, file string, lineNo int) ([]string, error) {
	raw, ok := obj[key]
	if !required && (!ok || isNull(raw)) {
		return nil, nil
	}
	if !ok {
		return nil, parseErr(file, lineNo, key, ErrMissing, "missing %q", key)
	}
	if jsonKind(raw) != "a list" {
		return nil, parseErr(file, lineNo, key, ErrType, "%q must be a list of strings, got %s", key, jsonKind(raw))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, parseErr(file, lineNo, key, ErrSyntax, "%q: invalid JSON: %v", key, err)
	}
	if required && len(items) == 0 {
		return nil, parseErr(file, lineNo, key, ErrEmpty, "%q is an empty list; give at least one passage", key)
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		var s string
		if jsonKind(item) != "a string" || json.Unmarshal(item, &s) != nil {
			return nil, parseErr(file, lineNo, key, ErrType, "%q item %d must be a string, got %s", key, i+1, jsonKind(item))
		}
		if required && strings.TrimSpace(s) == "" {
			return nil, parseErr(file, lineNo, key, ErrEmpty, "%q item %d is empty", key, i+1)
		}
		out = append(out, s)
	}
	return out, nil
}
