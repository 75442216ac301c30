package corpus

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// InputStats counts what reading an input file dropped or merged.
type InputStats struct {
	LineStats
	// Lines counts non-blank input lines or rows, headers excluded.
	Lines int
	// BOM reports a byte-order mark at the start of the input.
	BOM bool
}

// ReadRecords reads a JSONL, TSV or CSV input file ("-" for standard input)
// and adds each record to g, stopping at the first invalid line. TSV and CSV
// are recognised by a .tsv or .csv name (before any .gz) and otherwise by
// content: a first line that does not start with "{" is read as TSV when it
// holds a tab, else as CSV.
func ReadRecords(name string, g RecordSink) (InputStats, error) {
	return Reader{}.Records(name, g)
}

// Records is ReadRecords with the reader's options.
func (rd Reader) Records(name string, g RecordSink) (InputStats, error) {
	var stats InputStats
	rc, err := rd.open(name)
	if err != nil {
		return stats, err
	}
	defer rc.Close()
	lr := NewLineReader(rc, name)
	first, err := rd.next(lr)
	stats.BOM = lr.HadBOM
	if errors.Is(err, io.EOF) {
		return stats, nil
	}
	if err != nil {
		return stats, err
	}
	switch tabularKind(name, first) {
	case 't':
		err = rd.readTSV(lr, first, name, g, &stats)
	case 'c':
		err = rd.readCSV(lr, first, name, g, &stats)
	default:
		err = rd.eachLine(lr, first, func(line []byte) error {
			stats.Lines++
			rec, _, err := ParseLine(line, name, lr.Line(), &stats.LineStats)
			if err == nil {
				g.Add(rec)
			}
			return err
		})
	}
	return stats, err
}

// tabularKind returns 't' for TSV, 'c' for CSV and 'j' for JSONL.
func tabularKind(name string, first []byte) byte {
	base := strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch {
	case strings.HasSuffix(base, ".tsv"):
		return 't'
	case strings.HasSuffix(base, ".csv"):
		return 'c'
	case strings.HasSuffix(base, ".jsonl"), strings.HasSuffix(base, ".json"):
		return 'j'
	}
	trimmed := bytes.TrimSpace(first)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return 'j'
	}
	if bytes.IndexByte(first, '\t') >= 0 {
		return 't'
	}
	return 'c'
}

// isHeader reports whether a first row names its columns.
func isHeader(first string) bool {
	switch strings.ToLower(strings.TrimSpace(first)) {
	case "query", "question", "anchor":
		return true
	}
	return false
}

func addPair(fields []string, name string, lineNo int, g RecordSink, stats *InputStats) error {
	if len(fields) != 2 {
		return parseErr(name, lineNo, "", ErrColumns,
			"row has %s, want 2 (query, passage)", columnCount(len(fields)))
	}
	if strings.TrimSpace(fields[0]) == "" {
		return parseErr(name, lineNo, "query", ErrEmpty, "query column is empty")
	}
	if strings.TrimSpace(fields[1]) == "" {
		return parseErr(name, lineNo, "passage", ErrEmpty, "passage column is empty")
	}
	stats.Lines++
	g.Add(Record{Query: fields[0], Relevant: []string{fields[1]}, Line: lineNo})
	return nil
}

// columnCount returns "1 column" or "n columns" for error messages.
func columnCount(n int) string {
	if n == 1 {
		return "1 column"
	}
	return fmt.Sprintf("%d columns", n)
}

func (rd Reader) readTSV(lr *LineReader, first []byte, name string, g RecordSink, stats *InputStats) error {
	firstRow := true
	return rd.eachLine(lr, first, func(line []byte) error {
		fields := strings.Split(string(line), "\t")
		if firstRow {
			firstRow = false
			if isHeader(fields[0]) {
				return nil
			}
		}
		return addPair(fields, name, lr.Line(), g, stats)
	})
}

// readCSV parses RFC 4180 CSV, where a quoted field may span lines. It
// reads through a lineSource, so UTF-8 checks and gzip handling stay in
// LineReader, and hands a rejected record's raw bytes to OnInvalid.
func (rd Reader) readCSV(lr *LineReader, first []byte, name string, g RecordSink, stats *InputStats) error {
	src := &lineSource{rd: rd, lr: lr, offset: lr.Line() - 1}
	src.feed(first)
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	firstRow := true
	for {
		fields, err := cr.Read()
		raw := src.take(cr.InputOffset())
		if errors.Is(err, io.EOF) {
			return src.err
		}
		if src.err != nil {
			return src.err
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("read %s: %w", name, err)
			}
			err = parseErr(name, pe.Line+src.offset, "", ErrSyntax, "invalid CSV: %v", pe.Err)
			if pe.StartLine != pe.Line {
				// A quote left open makes the record run on into later
				// lines, so the failing line can be far from the quote.
				err = parseErr(name, pe.Line+src.offset, "", ErrSyntax, "invalid CSV: %v (the record starts on line %d)",
					pe.Err, pe.StartLine+src.offset)
			}
			if err := rd.invalid(err, raw); err != nil {
				return err
			}
			continue
		}
		lineNo, _ := cr.FieldPos(0)
		lineNo += src.offset
		if firstRow {
			firstRow = false
			if isHeader(fields[0]) {
				continue
			}
		}
		if err := addPair(fields, name, lineNo, g, stats); err != nil {
			if err := rd.invalid(err, raw); err != nil {
				return err
			}
		}
	}
}

// lineSource feeds a LineReader's lines to encoding/csv as one stream and
// keeps the bytes of the record being parsed, so that a rejected record
// can be passed on unchanged.
type lineSource struct {
	rd      Reader
	lr      *LineReader
	pending []byte
	offset  int // lines consumed before the stream began
	err     error
	kept    []byte // bytes given to csv since keptFrom
	keptAt  int64  // stream offset of kept[0]
}

func (s *lineSource) feed(line []byte) {
	s.pending = append(append(s.pending[:0], line...), '\n')
}

func (s *lineSource) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		line, err := s.lr.Next()
		if err != nil && !errors.Is(err, io.EOF) {
			// A line that is not UTF-8 cannot be passed to csv. It is
			// rejected on its own and replaced by an empty line, which csv
			// skips, so line numbers stay right.
			if err = s.rd.invalid(err, s.lr.Raw()); err == nil {
				s.feed(nil)
				continue
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			return 0, io.EOF
		}
		if err := s.rd.cancelled(s.lr.Line()); err != nil {
			s.err = err
			return 0, io.EOF
		}
		s.feed(line)
	}
	n := copy(p, s.pending)
	s.kept = append(s.kept, s.pending[:n]...)
	s.pending = s.pending[n:]
	return n, nil
}

// take returns the bytes up to stream offset end that were not taken yet,
// without the final line break.
func (s *lineSource) take(end int64) []byte {
	n := int(end - s.keptAt)
	if n < 0 || n > len(s.kept) {
		n = len(s.kept)
	}
	raw := append([]byte(nil), s.kept[:n]...)
	s.kept = append(s.kept[:0], s.kept[n:]...)
	s.keptAt += int64(n)
	return bytes.TrimRight(raw, "\r\n")
}

// IsDir reports whether name is an existing folder.
func IsDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}
