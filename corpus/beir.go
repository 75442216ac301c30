package corpus

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mine-tools/mine/corpus/disksort"
)

// BEIRStats describes what a BEIR folder held and what could not be joined.
type BEIRStats struct {
	Passages PassageStats
	// Queries counts the entries of queries.jsonl.
	Queries int
	// Pairs counts qrels rows with a score above 0; NotRelevant the others.
	Pairs, NotRelevant int
	// MissingDocs and MissingQueries list, in first-seen order, the IDs that
	// qrels name but the corpus or the queries file lacks.
	MissingDocs, MissingQueries []string
	// NoPassage counts queries whose relevant documents are all missing.
	NoPassage int
	// DuplicateDocs counts corpus entries whose _id appeared before; the
	// first one is used for qrels.
	DuplicateDocs int
}

// ReadBEIR reads a BEIR folder: corpus.jsonl, queries.jsonl and
// qrels/<split>.tsv, each optionally gzip-compressed with a .gz name. It
// streams every corpus passage to fn and adds to g one record per query
// with at least one relevant document, in order of the queries' lines. A
// qrels pair is relevant when its score is above 0. It keeps the corpus's
// texts in memory; OpenBEIR, BEIRPassages and Join read a folder of any
// size.
func ReadBEIR(dir, split string, g RecordSink, fn func(Passage) error) (BEIRStats, error) {
	return Reader{}.BEIR(dir, split, g, fn)
}

// BEIR is ReadBEIR with the reader's options. Invalid qrels rows always
// stop the read: a dropped row would silently change which passages are
// relevant.
func (rd Reader) BEIR(dir, split string, g RecordSink, fn func(Passage) error) (BEIRStats, error) {
	q, err := rd.OpenBEIR(dir, split)
	if err != nil {
		return BEIRStats{}, err
	}
	defer q.Close()
	var texts []string
	var records []Record
	ids := make(map[string]uint32)
	passages, dups, err := rd.BEIRPassages(dir, func(p Passage) error {
		if _, ok := ids[p.ID]; !ok {
			ids[p.ID] = uint32(len(texts))
			texts = append(texts, p.Text)
		}
		return fn(p)
	})
	if err != nil {
		return BEIRStats{Queries: q.stats.Queries, NotRelevant: q.stats.NotRelevant}, err
	}
	names := make([]string, 0, len(ids))
	for name := range ids {
		names = append(names, name)
	}
	slices.Sort(names)
	stats, err := q.Join(func(fn func(string, uint32) error) error {
		for _, name := range names {
			if err := fn(name, ids[name]); err != nil {
				return err
			}
		}
		return nil
	}, sinkFunc(func(r Record) {
		for _, id := range r.RelevantIDs {
			r.Relevant = append(r.Relevant, texts[id])
		}
		r.RelevantIDs = nil
		records = append(records, r)
	}))
	stats.Passages, stats.DuplicateDocs = passages, dups
	slices.SortFunc(records, func(a, b Record) int { return cmp.Compare(a.Line, b.Line) })
	for _, r := range records {
		g.Add(r)
	}
	return stats, err
}

// sinkFunc adapts a function to RecordSink.
type sinkFunc func(Record)

func (f sinkFunc) Add(r Record) { f(r) }

// BEIRCorpus returns the path of a BEIR folder's corpus.jsonl or
// corpus.jsonl.gz.
func BEIRCorpus(dir string) (string, error) {
	path, err := beirFile(dir, "corpus.jsonl")
	if err != nil {
		return "", fmt.Errorf("read BEIR folder: %w", err)
	}
	return path, nil
}

// BEIRPassages streams the passages of a BEIR folder's corpus to fn, and
// counts the entries whose _id appeared before; Join uses the first
// passage of a repeated _id.
func (rd Reader) BEIRPassages(dir string, fn func(Passage) error) (PassageStats, int, error) {
	corpusPath, err := BEIRCorpus(dir)
	if err != nil {
		return PassageStats{}, 0, err
	}
	dups := 0
	seen := make(map[string]struct{})
	stats, err := rd.Passages(corpusPath, func(p Passage) error {
		if p.ID == "" {
			return parseErr(corpusPath, p.Line, "_id", ErrMissing, `missing "_id": a BEIR corpus needs document IDs`)
		}
		if _, dup := seen[p.ID]; dup {
			dups++
		} else {
			seen[p.ID] = struct{}{}
		}
		return fn(p)
	})
	return stats, dups, err
}

// BEIRQueries holds the qrels and queries of a BEIR folder, read and
// sorted in temporary files, until Join pairs them with the corpus's
// document IDs. Memory does not grow with the number of queries. Close
// releases the files.
type BEIRQueries struct {
	byDoc   *disksort.Sorter[qrelRow]
	byQuery *disksort.Sorter[queryLine]
	stats   BEIRStats
}

// qrelRow is one relevant qrels row; row counts relevant rows from 0.
type qrelRow struct {
	doc, query string
	row        uint64
}

// queryLine is one entry of queries.jsonl.
type queryLine struct {
	id, text string
	line     uint64
}

// OpenBEIR reads the qrels of split and the queries of a BEIR folder, and
// checks every line of them, before the corpus is read.
func (rd Reader) OpenBEIR(dir, split string) (*BEIRQueries, error) {
	if !looksLikeBEIR(dir) {
		return nil, fmt.Errorf("read BEIR folder: %s contains no corpus.jsonl, queries.jsonl or qrels folder; give a BEIR folder, or a JSONL, TSV or CSV file", dir)
	}
	qrelsPath, err := beirFile(dir, filepath.Join("qrels", split+".tsv"))
	if err != nil {
		return nil, fmt.Errorf("read BEIR folder: %w (-split %s picks qrels/%s.tsv; found: %s)",
			err, split, split, strings.Join(beirSplits(dir), ", "))
	}
	q := &BEIRQueries{
		byDoc:   disksort.New(encodeQrelRow, decodeQrelRow, compareQrelRow),
		byQuery: disksort.New(encodeQueryLine, decodeQueryLine, compareQueryLine),
	}
	if err := readQrels(qrelsPath, &q.stats, q.byDoc.Add); err != nil {
		q.Close()
		return nil, err
	}
	queriesPath, err := beirFile(dir, "queries.jsonl")
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("read BEIR folder: %w", err)
	}
	_, err = rd.Passages(queriesPath, func(p Passage) error {
		q.stats.Queries++
		if p.ID == "" {
			return parseErr(queriesPath, p.Line, "_id", ErrMissing, `missing "_id": BEIR queries need IDs`)
		}
		return q.byQuery.Add(queryLine{id: p.ID, text: p.Text, line: uint64(p.Line)})
	})
	if err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

// Close removes the temporary files. It may be called more than once.
func (q *BEIRQueries) Close() {
	q.byDoc.Stop()
	q.byQuery.Stop()
}

// docRef is a qrels pair after the corpus join: id is valid when found.
type docRef struct {
	query, doc string
	row        uint64
	id         uint32
	found      bool
}

// Join pairs the relevant qrels rows with the corpus's documents and adds
// to g one record per query with at least one relevant document the
// corpus holds. names must call its argument with every document name of
// the corpus and its passage ID, in increasing byte order of names, each
// name once. The records carry the IDs in RelevantIDs, in qrels order;
// their Line orders them as queries.jsonl does, but they arrive in no
// particular order. Join can be called once.
func (q *BEIRQueries) Join(names func(func(name string, id uint32) error) error, g RecordSink) (BEIRStats, error) {
	defer q.Close()
	stats := q.stats
	byQuery := disksort.New(encodeDocRef, decodeDocRef, compareDocRef)
	defer byQuery.Stop()

	row, ok, err := q.byDoc.Next()
	var last qrelRow
	// advance moves to the next qrels row that is not a repeat of a pair.
	advance := func() {
		last = row
		for {
			row, ok, err = q.byDoc.Next()
			if !ok || row.doc != last.doc || row.query != last.query {
				return
			}
		}
	}
	emit := func(id uint32, found bool) error {
		stats.Pairs++
		ref := docRef{query: row.query, row: row.row, id: id, found: found}
		if !found {
			ref.doc = row.doc
		}
		if e := byQuery.Add(ref); e != nil {
			return e
		}
		advance()
		return err
	}
	joinErr := names(func(name string, id uint32) error {
		for ok && row.doc < name {
			if e := emit(0, false); e != nil {
				return e
			}
		}
		for ok && row.doc == name {
			if e := emit(id, true); e != nil {
				return e
			}
		}
		return err
	})
	for joinErr == nil && ok {
		joinErr = emit(0, false)
	}
	if joinErr == nil {
		joinErr = err
	}
	if joinErr != nil {
		return stats, fmt.Errorf("join qrels with the corpus: %w", joinErr)
	}

	type missing struct {
		first, row uint64
		name       string
	}
	var missingDocs, missingQueries []missing
	query, qok, qerr := q.byQuery.Next()
	ref, rok, rerr := byQuery.Next()
	for rok && rerr == nil && qerr == nil {
		qid, first := ref.query, ref.row
		var ids []uint32
		for rok && ref.query == qid {
			if ref.found {
				ids = append(ids, ref.id)
			} else {
				missingDocs = append(missingDocs, missing{first, ref.row, ref.doc})
			}
			ref, rok, rerr = byQuery.Next()
		}
		for qok && query.id < qid {
			query, qok, qerr = q.byQuery.Next()
		}
		if !qok || query.id != qid {
			missingQueries = append(missingQueries, missing{first: first, name: qid})
			continue
		}
		if len(ids) == 0 {
			stats.NoPassage++
		} else {
			g.Add(Record{Query: query.text, Line: int(query.line), RelevantIDs: ids})
		}
	}
	if err := cmp.Or(rerr, qerr); err != nil {
		return stats, fmt.Errorf("join qrels with the queries: %w", err)
	}
	byFirst := func(a, b missing) int { return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.row, b.row)) }
	slices.SortFunc(missingDocs, byFirst)
	for _, m := range missingDocs {
		if !slices.Contains(stats.MissingDocs, m.name) {
			stats.MissingDocs = append(stats.MissingDocs, m.name)
		}
	}
	slices.SortFunc(missingQueries, byFirst)
	for _, m := range missingQueries {
		stats.MissingQueries = append(stats.MissingQueries, m.name)
	}
	return stats, nil
}

// readQrels passes every relevant row of a qrels file to add and counts
// the others.
func readQrels(path string, stats *BEIRStats, add func(qrelRow) error) error {
	rc, err := Open(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	lr := NewLineReader(rc, path)
	var n uint64
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if IsBlank(line) {
			continue
		}
		fields := strings.Split(string(line), "\t")
		if lr.Line() == 1 && strings.EqualFold(strings.TrimSpace(fields[0]), "query-id") {
			continue
		}
		if len(fields) != 3 {
			return parseErr(path, lr.Line(), "", ErrColumns,
				"row has %s, want 3 (query-id, corpus-id, score) separated by tabs", columnCount(len(fields)))
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(fields[2]), 64)
		if err != nil {
			return parseErr(path, lr.Line(), "score", ErrType, "score %q is not a number", fields[2])
		}
		if score <= 0 {
			stats.NotRelevant++
			continue
		}
		if err := add(qrelRow{query: strings.TrimSpace(fields[0]), doc: strings.TrimSpace(fields[1]), row: n}); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		n++
	}
}

// beirFile finds rel or rel.gz inside dir.
func beirFile(dir, rel string) (string, error) {
	for _, name := range []string{rel, rel + ".gz"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: no %s or %s.gz", dir, rel, rel)
}

// looksLikeBEIR reports whether dir holds any of a BEIR folder's parts.
func looksLikeBEIR(dir string) bool {
	for _, name := range []string{"corpus.jsonl", "queries.jsonl", "qrels"} {
		if _, err := beirFile(dir, name); err == nil {
			return true
		}
	}
	return false
}

// beirSplits lists the splits that dir's qrels folder holds.
func beirSplits(dir string) []string {
	entries, _ := os.ReadDir(filepath.Join(dir, "qrels"))
	var splits []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".gz")
		if strings.HasSuffix(name, ".tsv") {
			splits = append(splits, strings.TrimSuffix(name, ".tsv"))
		}
	}
	sort.Strings(splits)
	if len(splits) == 0 {
		return []string{"none"}
	}
	return splits
}

// The sort keys below order strings by their bytes, as names files do.

func encodeQrelRow(r qrelRow) ([]byte, error) {
	b := binary.AppendUvarint(nil, r.row)
	b = disksort.AppendString(b, r.doc)
	return append(b, r.query...), nil
}

func decodeQrelRow(b []byte) (qrelRow, error) {
	var r qrelRow
	var ok bool
	if r.row, b, ok = disksort.Uvarint(b); !ok {
		return r, errDamaged
	}
	if r.doc, b, ok = disksort.String(b); !ok {
		return r, errDamaged
	}
	r.query = string(b)
	return r, nil
}

func compareQrelRow(a, b qrelRow) int {
	return cmp.Or(strings.Compare(a.doc, b.doc), strings.Compare(a.query, b.query), cmp.Compare(a.row, b.row))
}

func encodeQueryLine(q queryLine) ([]byte, error) {
	b := binary.AppendUvarint(nil, q.line)
	b = disksort.AppendString(b, q.id)
	return append(b, q.text...), nil
}

func decodeQueryLine(b []byte) (queryLine, error) {
	var q queryLine
	var ok bool
	if q.line, b, ok = disksort.Uvarint(b); !ok {
		return q, errDamaged
	}
	if q.id, b, ok = disksort.String(b); !ok {
		return q, errDamaged
	}
	q.text = string(b)
	return q, nil
}

func compareQueryLine(a, b queryLine) int {
	return cmp.Or(strings.Compare(a.id, b.id), cmp.Compare(a.line, b.line))
}

func encodeDocRef(r docRef) ([]byte, error) {
	b := binary.AppendUvarint(nil, r.row)
	b = binary.AppendUvarint(b, uint64(r.id))
	found := byte(0)
	if r.found {
		found = 1
	}
	b = append(b, found)
	b = disksort.AppendString(b, r.query)
	return append(b, r.doc...), nil
}

func decodeDocRef(b []byte) (docRef, error) {
	var r docRef
	var ok bool
	var id uint64
	if r.row, b, ok = disksort.Uvarint(b); !ok {
		return r, errDamaged
	}
	if id, b, ok = disksort.Uvarint(b); !ok || len(b) == 0 {
		return r, errDamaged
	}
	r.id, r.found = uint32(id), b[0] == 1
	if r.query, b, ok = disksort.String(b[1:]); !ok {
		return r, errDamaged
	}
	r.doc = string(b)
	return r, nil
}

func compareDocRef(a, b docRef) int {
	return cmp.Or(strings.Compare(a.query, b.query), cmp.Compare(a.row, b.row))
}

// errDamaged reports a sorted entry that does not decode: a temporary
// file was changed or cut short.
var errDamaged = errors.New("damaged temporary file")
