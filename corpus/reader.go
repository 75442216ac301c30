package corpus

import (
	"context"
	"errors"
	"io"
)

// cancelCheckLines is the number of lines between a Reader's checks of its
// context.
const cancelCheckLines = 1024

// Reader holds the options shared by the record and passage readers. The
// zero value stops at the first invalid line.
type Reader struct {
	// Ctx, when not nil, is checked every cancelCheckLines lines so that a
	// long read can be cancelled.
	Ctx context.Context
	// OnInvalid, when not nil, is called with each invalid line or row and
	// its raw bytes instead of stopping, and reading goes on when it returns
	// nil. A stream that cannot be read at all, such as a truncated gzip
	// file, still stops the read.
	OnInvalid func(err *ParseError, raw []byte) error
	// Stdin, when not nil, is read for the file name "-" in place of
	// os.Stdin.
	Stdin io.Reader
}

func (rd Reader) open(name string) (io.ReadCloser, error) {
	if rd.Stdin != nil {
		return openFrom(name, rd.Stdin)
	}
	return Open(name)
}

// invalid decides what a bad line does: with OnInvalid set, a *ParseError
// is handed over and reading continues; anything else stops the read.
func (rd Reader) invalid(err error, raw []byte) error {
	var pe *ParseError
	if rd.OnInvalid == nil || !errors.As(err, &pe) || pe.Kind == ErrRead {
		return err
	}
	return rd.OnInvalid(pe, raw)
}

func (rd Reader) cancelled(line int) error {
	if rd.Ctx != nil && line%cancelCheckLines == 0 {
		return rd.Ctx.Err()
	}
	return nil
}

// next returns the next non-blank line, handing lines that are not valid
// UTF-8 to OnInvalid. It returns io.EOF at the end.
func (rd Reader) next(lr *LineReader) ([]byte, error) {
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil, err
		}
		if err != nil {
			if err := rd.invalid(err, lr.Raw()); err != nil {
				return nil, err
			}
			continue
		}
		if err := rd.cancelled(lr.Line()); err != nil {
			return nil, err
		}
		if !IsBlank(line) {
			return line, nil
		}
	}
}

// eachLine calls fn with every non-blank line after first (when first is
// not nil, it is handled first). An error from fn goes through invalid.
func (rd Reader) eachLine(lr *LineReader, first []byte, fn func(line []byte) error) error {
	line := first
	for {
		if line != nil {
			if err := fn(line); err != nil {
				if err := rd.invalid(err, line); err != nil {
					return err
				}
			}
		}
		var err error
		line, err = rd.next(lr)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
