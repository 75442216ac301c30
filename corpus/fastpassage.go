package corpus

import (
	"encoding/json"
	"unicode/utf8"
)

// parsePassageFast decodes the common shape of a passage line without
// reflection: a JSON object whose keys have no escapes, whose "_id",
// "title" and "text" are strings or null, and whose other keys map to an
// empty object, such as BEIR's "metadata": {}. For any other line, valid
// or not, it reports false, and parsePassageGeneral decodes the line and
// reports its errors. When it reports true, the passage equals what
// parsePassageGeneral returns. The line must be valid UTF-8, which
// LineReader checks.
func parsePassageFast(line []byte, lineNo int) (Passage, bool) {
	s := jsonScanner{b: line}
	s.space()
	if !s.byte('{') {
		return Passage{}, false
	}
	var id, title, text string
	var hasText bool
	s.space()
	if !s.byte('}') {
		for {
			s.space()
			key, ok := s.plainString()
			if !ok {
				return Passage{}, false
			}
			s.space()
			if !s.byte(':') {
				return Passage{}, false
			}
			s.space()
			var value string
			switch key {
			case "_id", "title", "text":
				if s.literal("null") {
					value = ""
				} else if value, ok = s.string(); !ok {
					return Passage{}, false
				}
			default:
				if !s.emptyObject() {
					return Passage{}, false
				}
			}
			// A repeated key keeps its last value, as decoding into a map does.
			switch key {
			case "_id":
				id = value
			case "title":
				title = value
			case "text":
				text, hasText = value, true
			}
			s.space()
			if s.byte('}') {
				break
			}
			if !s.byte(',') {
				return Passage{}, false
			}
		}
	}
	s.space()
	if s.i != len(s.b) || !hasText {
		return Passage{}, false
	}
	return Passage{ID: id, Text: JoinTitle(title, text), Line: lineNo}, true
}

// jsonScanner reads JSON tokens from b, starting at byte i.
type jsonScanner struct {
	b []byte
	i int
}

// space skips JSON whitespace.
func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte consumes c if it comes next.
func (s *jsonScanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// literal consumes word if it comes next.
func (s *jsonScanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// emptyObject consumes an object without members.
func (s *jsonScanner) emptyObject() bool {
	start := s.i
	if s.byte('{') {
		s.space()
		if s.byte('}') {
			return true
		}
	}
	s.i = start
	return false
}

// stringEnd returns the index of the closing quote of the string that
// starts at s.i, and whether it contains escapes. It reports -1 for a
// string that is not closed or contains a control character.
func (s *jsonScanner) stringEnd() (int, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return -1, false
	}
	escaped := false
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			return j, escaped
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return -1, false
		}
	}
	return -1, false
}

// plainString consumes a string without escapes and returns its content.
func (s *jsonScanner) plainString() (string, bool) {
	end, escaped := s.stringEnd()
	if end < 0 || escaped {
		return "", false
	}
	v := string(s.b[s.i+1 : end])
	s.i = end + 1
	return v, true
}

// string consumes a string and returns its decoded content. Strings with
// escapes are decoded by encoding/json, which also rejects bad escapes.
func (s *jsonScanner) string() (string, bool) {
	end, escaped := s.stringEnd()
	if end < 0 {
		return "", false
	}
	raw := s.b[s.i : end+1]
	s.i = end + 1
	if !escaped {
		return string(raw[1 : len(raw)-1]), utf8.Valid(raw)
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}
