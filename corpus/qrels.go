package corpus

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Qrels holds the relevance judgments of one BEIR split.
type Qrels struct {
	// Queries lists the judged query IDs in the order of their first row.
	Queries []string
	// Grades maps a query ID to its judged document IDs and their grades.
	// A grade above 0 marks a relevant document; 0 or below, a judged
	// non-relevant one.
	Grades map[string]map[string]int
}

// Relevant returns the number of documents judged relevant to query qid.
func (q *Qrels) Relevant(qid string) int {
	n := 0
	for _, g := range q.Grades[qid] {
		if g > 0 {
			n++
		}
	}
	return n
}

// ReadQrels reads qrels/<split>.tsv (or .tsv.gz) of a BEIR folder: rows of
// query-id, corpus-id and an integer score separated by tabs, with an
// optional header row. A row that repeats a query and document with the
// same score is ignored. A repeat with another score is rejected, because
// the grade would be ambiguous; trec_eval rejects any repeat.
func ReadQrels(dir, split string) (*Qrels, error) {
	path, err := beirFile(dir, filepath.Join("qrels", split+".tsv"))
	if err != nil {
		return nil, fmt.Errorf("read BEIR folder: %w (-split %s picks qrels/%s.tsv; found: %s)",
			err, split, split, strings.Join(beirSplits(dir), ", "))
	}
	rc, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	q := &Qrels{Grades: make(map[string]map[string]int)}
	lr := NewLineReader(rc, path)
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return q, nil
		}
		if err != nil {
			return nil, err
		}
		if IsBlank(line) {
			continue
		}
		if err := q.addRow(string(line), path, lr.Line()); err != nil {
			return nil, err
		}
	}
}

// addRow parses one qrels row and records its grade.
func (q *Qrels) addRow(line, path string, lineNo int) error {
	fields := strings.Split(line, "\t")
	if lineNo == 1 && strings.EqualFold(strings.TrimSpace(fields[0]), "query-id") {
		return nil
	}
	if len(fields) != 3 {
		return parseErr(path, lineNo, "", ErrColumns,
			"row has %d columns, want 3 (query-id, corpus-id, score) separated by tabs", len(fields))
	}
	qid, did := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1])
	grade, err := strconv.Atoi(strings.TrimSpace(fields[2]))
	if err != nil {
		return parseErr(path, lineNo, "score", ErrType, "score %q is not an integer relevance grade", fields[2])
	}
	docs, ok := q.Grades[qid]
	if !ok {
		docs = make(map[string]int)
		q.Grades[qid] = docs
		q.Queries = append(q.Queries, qid)
	}
	if old, seen := docs[did]; seen && old != grade {
		return parseErr(path, lineNo, "score", ErrConflict,
			"query %s judges document %s again with score %d after %d; keep one row", qid, did, grade, old)
	}
	docs[did] = grade
	return nil
}

// ReadQueries reads queries.jsonl (or .jsonl.gz) of a BEIR folder and
// returns each query's text by its "_id". A query with an ID seen before is
// ignored, and one with an empty text is left out.
func ReadQueries(dir string) (map[string]string, error) {
	path, err := beirFile(dir, "queries.jsonl")
	if err != nil {
		return nil, fmt.Errorf("read BEIR folder: %w", err)
	}
	queries := make(map[string]string)
	_, err = ReadPassages(path, func(q Passage) error {
		if q.ID == "" {
			return parseErr(path, q.Line, "_id", ErrMissing, `missing "_id": BEIR queries need IDs`)
		}
		if _, seen := queries[q.ID]; !seen {
			queries[q.ID] = q.Text
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return queries, nil
}

// CorpusStats counts what ReadCorpus passed on and skipped.
type CorpusStats struct {
	PassageStats
	// DuplicateIDs counts entries skipped because their "_id" appeared on
	// an earlier line.
	DuplicateIDs int
}

// ReadCorpus streams the documents of a BEIR folder's corpus.jsonl (or
// .jsonl.gz) to fn in file order, each with its "_id", which every entry
// must have. An entry whose ID appeared before is skipped and counted, so
// fn receives each ID once, with its first text.
func ReadCorpus(dir string, fn func(Passage) error) (CorpusStats, error) {
	var stats CorpusStats
	path, err := beirFile(dir, "corpus.jsonl")
	if err != nil {
		return stats, fmt.Errorf("read BEIR folder: %w", err)
	}
	seen := make(map[string]struct{})
	stats.PassageStats, err = ReadPassages(path, func(p Passage) error {
		if p.ID == "" {
			return parseErr(path, p.Line, "_id", ErrMissing, `missing "_id": a BEIR corpus needs document IDs`)
		}
		if _, dup := seen[p.ID]; dup {
			stats.DuplicateIDs++
			return nil
		}
		seen[p.ID] = struct{}{}
		return fn(p)
	})
	// ReadPassages counted the skipped entries as passages.
	stats.Passages -= stats.DuplicateIDs
	return stats, err
}
