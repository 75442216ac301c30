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
// and adds each record to g. TSV and CSV are recognised by a .tsv or .csv
// name (before any .gz) and otherwise by content: a first line that does not
// start with "{" is read as TSV when it holds a tab, else as CSV.
func ReadRecords(name string, g *Group) (InputStats, error) {
	var stats InputStats
	rc, err := Open(name)
	if err != nil {
		return stats, err
	}
	defer rc.Close()
	lr := NewLineReader(rc, name)
	first, err := firstContentLine(lr)
	if errors.Is(err, io.EOF) {
		return stats, nil
	}
	if err != nil {
		return stats, err
	}
	stats.BOM = lr.HadBOM
	switch tabularKind(name, first) {
	case 't':
		err = readTSV(lr, first, name, g, &stats)
	case 'c':
		err = readCSV(lr, first, name, g, &stats)
	default:
		err = readJSONL(lr, first, name, g, &stats)
	}
	return stats, err
}

// firstContentLine skips blank lines and returns the first other one.
func firstContentLine(lr *LineReader) ([]byte, error) {
	for {
		line, err := lr.Next()
		if err != nil {
			return nil, err
		}
		if !IsBlank(line) {
			return line, nil
		}
	}
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

func readJSONL(lr *LineReader, line []byte, name string, g *Group, stats *InputStats) error {
	for {
		if !IsBlank(line) {
			stats.Lines++
			rec, _, err := ParseLine(line, name, lr.Line(), &stats.LineStats)
			if err != nil {
				return err
			}
			g.Add(rec)
		}
		var err error
		line, err = lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isHeader reports whether a first row names its columns.
func isHeader(first string) bool {
	switch strings.ToLower(strings.TrimSpace(first)) {
	case "query", "question", "anchor":
		return true
	}
	return false
}

func addPair(fields []string, name string, lineNo int, g *Group, stats *InputStats) error {
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

func readTSV(lr *LineReader, line []byte, name string, g *Group, stats *InputStats) error {
	firstRow := true
	for {
		if !IsBlank(line) {
			fields := strings.Split(string(line), "\t")
			if !(firstRow && isHeader(fields[0])) {
				if err := addPair(fields, name, lr.Line(), g, stats); err != nil {
					return err
				}
			}
			firstRow = false
		}
		var err error
		line, err = lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readCSV parses RFC 4180 CSV. Quoted fields may span lines, so it reads
// from the LineReader through a pipe of whole lines, keeping the line
// numbers that encoding/csv reports.
func readCSV(lr *LineReader, first []byte, name string, g *Group, stats *InputStats) error {
	src := &lineSource{lr: lr, pending: append(append([]byte(nil), first...), '\n'), offset: lr.Line() - 1}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	firstRow := true
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return src.err
		}
		if err != nil {
			if src.err != nil {
				return src.err
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.StartLine != pe.Line {
				// A quote left open makes the record run on into later
				// lines, so the failing line can be far from the quote.
				return parseErr(name, pe.Line+src.offset, "", ErrSyntax, "invalid CSV: %v (the record starts on line %d)",
					pe.Err, pe.StartLine+src.offset)
			}
			if errors.As(err, &pe) {
				return parseErr(name, pe.Line+src.offset, "", ErrSyntax, "invalid CSV: %v", pe.Err)
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
		lineNo, _ := cr.FieldPos(0)
		lineNo += src.offset
		if firstRow && isHeader(fields[0]) {
			firstRow = false
			continue
		}
		firstRow = false
		if err := addPair(fields, name, lineNo, g, stats); err != nil {
			return err
		}
	}
}

// lineSource feeds a LineReader's lines back to encoding/csv as a stream,
// so that UTF-8 checks and gzip handling stay in one place.
type lineSource struct {
	lr      *LineReader
	pending []byte
	offset  int // lines consumed before the stream began
	err     error
}

func (s *lineSource) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		line, err := s.lr.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			return 0, io.EOF
		}
		s.pending = append(append(s.pending[:0], line...), '\n')
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// IsDir reports whether name is an existing folder.
func IsDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}
