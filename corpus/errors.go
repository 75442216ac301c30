package corpus

import (
	"errors"
	"fmt"
)

// Kinds of bad input. A *ParseError wraps exactly one of them, so callers
// can count rejections by kind with errors.Is.
var (
	ErrEncoding = errors.New("invalid UTF-8")
	ErrSyntax   = errors.New("invalid JSON")
	ErrShape    = errors.New("not one JSON object per line")
	ErrMissing  = errors.New("missing field")
	ErrType     = errors.New("wrong field type")
	ErrEmpty    = errors.New("empty value")
	ErrColumns  = errors.New("wrong number of columns")
	ErrRead     = errors.New("unreadable input")
	ErrConflict = errors.New("conflicting rows")
)

// Kinds lists the kinds of bad input in the order reports show them.
var Kinds = []error{ErrEncoding, ErrSyntax, ErrShape, ErrMissing, ErrType, ErrEmpty, ErrColumns, ErrRead}

// ParseError is a rejected input line.
type ParseError struct {
	File  string // file name as the user gave it
	Line  int    // 1-based line number; 0 when the fault is not tied to a line
	Field string // JSON key or column name involved, empty when none
	Kind  error  // one of the Err* kinds above
	Msg   string // what is wrong, for a person to read
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Kind }

func parseErr(file string, line int, field string, kind error, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Field: field, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
