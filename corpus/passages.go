package corpus

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Passage is one entry of a passage collection.
type Passage struct {
	ID   string // the collection's own ID, empty when it has none
	Text string // title + " " + text when the title is not empty
	Line int
}

// PassageStats counts what reading a passage collection skipped.
type PassageStats struct {
	Passages int
	// Empty counts entries whose title and text are both empty.
	Empty int
}

// ReadPassages streams a passage collection to fn, stopping at the first
// invalid line: JSONL with "text" and optional "title" and "_id", or plain
// text with one passage per line. The kind is decided by the first
// non-blank line: "{" starts JSONL. Entries with neither title nor text are
// skipped and counted.
func ReadPassages(name string, fn func(Passage) error) (PassageStats, error) {
	return Reader{}.Passages(name, fn)
}

// Passages is ReadPassages with the reader's options. Errors that fn
// returns stop the read unless they are a *ParseError and OnInvalid is set.
func (rd Reader) Passages(name string, fn func(Passage) error) (PassageStats, error) {
	var stats PassageStats
	rc, err := rd.open(name)
	if err != nil {
		return stats, err
	}
	defer rc.Close()
	lr := NewLineReader(rc, name)
	first, err := rd.next(lr)
	if errors.Is(err, io.EOF) {
		return stats, nil
	}
	if err != nil {
		return stats, err
	}
	jsonl := strings.HasPrefix(strings.TrimSpace(string(first)), "{")
	err = rd.eachLine(lr, first, func(line []byte) error {
		p := Passage{Text: string(line), Line: lr.Line()}
		if jsonl {
			var err error
			if p, err = parsePassage(line, name, lr.Line()); err != nil {
				return err
			}
		}
		if strings.TrimSpace(p.Text) == "" {
			stats.Empty++
			return nil
		}
		stats.Passages++
		return fn(p)
	})
	return stats, err
}

func parsePassage(line []byte, name string, lineNo int) (Passage, error) {
	if p, ok := parsePassageFast(line, lineNo); ok {
		return p, nil
	}
	return parsePassageGeneral(line, name, lineNo)
}

// parsePassageGeneral decodes any passage line, and reports every error.
func parsePassageGeneral(line []byte, name string, lineNo int) (Passage, error) {
	obj, err := decodeObject(line, name, lineNo)
	if err != nil {
		return Passage{}, err
	}
	p := Passage{Line: lineNo}
	text, err := optionalString(obj, "text", name, lineNo)
	if err != nil {
		return Passage{}, err
	}
	if _, ok := obj["text"]; !ok {
		return Passage{}, parseErr(name, lineNo, "text", ErrMissing, `missing "text"`)
	}
	title, err := optionalString(obj, "title", name, lineNo)
	if err != nil {
		return Passage{}, err
	}
	if raw, ok := obj["_id"]; ok && !isNull(raw) {
		p.ID, err = idString(raw, "_id", name, lineNo)
		if err != nil {
			return Passage{}, err
		}
	}
	p.Text = JoinTitle(title, text)
	return p, nil
}

// JoinTitle returns the text a passage is indexed and written with.
func JoinTitle(title, text string) string {
	if title == "" {
		return text
	}
	if text == "" {
		return title
	}
	return title + " " + text
}

// optionalString decodes a string field that may be absent or null.
func optionalString(obj map[string]json.RawMessage, key, file string, lineNo int) (string, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return "", nil
	}
	var s string
	if jsonKind(raw) != "a string" || json.Unmarshal(raw, &s) != nil {
		return "", parseErr(file, lineNo, key, ErrType, "%q must be a string, got %s", key, jsonKind(raw))
	}
	return s, nil
}

// idString decodes an ID given as a string or a number; BEIR exports use
// both.
func idString(raw json.RawMessage, key, file string, lineNo int) (string, error) {
	switch jsonKind(raw) {
	case "a string":
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, nil
		}
	case "a number":
		return strings.TrimSpace(string(raw)), nil
	}
	return "", parseErr(file, lineNo, key, ErrType, "%q must be a string or a number, got %s", key, jsonKind(raw))
}
