package corpus

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
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
// with at least one relevant document, in queries.jsonl order. A qrels pair
// is relevant when its score is above 0.
func ReadBEIR(dir, split string, g RecordSink, fn func(Passage) error) (BEIRStats, error) {
	return Reader{}.BEIR(dir, split, g, fn)
}

// BEIR is ReadBEIR with the reader's options. Invalid qrels rows always
// stop the read: a dropped row would silently change which passages are
// relevant.
func (rd Reader) BEIR(dir, split string, g RecordSink, fn func(Passage) error) (BEIRStats, error) {
	return rd.beir(dir, split, g, func(needed map[string]string, found map[string]bool, stats *BEIRStats) error {
		corpusPath, err := BEIRCorpus(dir)
		if err != nil {
			return err
		}
		seenIDs := make(map[string]struct{})
		stats.Passages, err = rd.Passages(corpusPath, func(p Passage) error {
			if p.ID == "" {
				return parseErr(corpusPath, p.Line, "_id", ErrMissing, `missing "_id": a BEIR corpus needs document IDs`)
			}
			if _, dup := seenIDs[p.ID]; dup {
				stats.DuplicateDocs++
			} else {
				seenIDs[p.ID] = struct{}{}
				if _, ok := needed[p.ID]; ok {
					needed[p.ID] = p.Text
					found[p.ID] = true
				}
			}
			return fn(p)
		})
		return err
	})
}

// BEIRCorpus returns the path of a BEIR folder's corpus.jsonl or
// corpus.jsonl.gz.
func BEIRCorpus(dir string) (string, error) {
	path, err := beirFile(dir, "corpus.jsonl")
	if err != nil {
		return "", fmt.Errorf("read BEIR folder: %w", err)
	}
	return path, nil
}

// BEIRKnown reads a BEIR folder as BEIR does without reading its corpus:
// lookup returns the texts of the named documents the corpus holds, and
// corpus gives the counts (Passages and DuplicateDocs) that an earlier
// read of the same corpus found.
func (rd Reader) BEIRKnown(dir, split string, g RecordSink, corpus BEIRStats, lookup func(ids []string) (map[string]string, error)) (BEIRStats, error) {
	return rd.beir(dir, split, g, func(needed map[string]string, found map[string]bool, stats *BEIRStats) error {
		stats.Passages, stats.DuplicateDocs = corpus.Passages, corpus.DuplicateDocs
		ids := make([]string, 0, len(needed))
		for id := range needed {
			ids = append(ids, id)
		}
		texts, err := lookup(ids)
		if err != nil {
			return err
		}
		for id, text := range texts {
			needed[id] = text
			found[id] = true
		}
		return nil
	})
}

// beir reads the qrels and the queries of a BEIR folder. Between the two,
// readCorpus fills in the texts of the documents that qrels name and marks
// them found.
func (rd Reader) beir(dir, split string, g RecordSink, readCorpus func(needed map[string]string, found map[string]bool, stats *BEIRStats) error) (BEIRStats, error) {
	var stats BEIRStats
	if !looksLikeBEIR(dir) {
		return stats, fmt.Errorf("read BEIR folder: %s contains no corpus.jsonl, queries.jsonl or qrels folder; give a BEIR folder, or a JSONL, TSV or CSV file", dir)
	}
	qrelsPath, err := beirFile(dir, filepath.Join("qrels", split+".tsv"))
	if err != nil {
		return stats, fmt.Errorf("read BEIR folder: %w (-split %s picks qrels/%s.tsv; found: %s)",
			err, split, split, strings.Join(beirSplits(dir), ", "))
	}
	qrels, order, err := readQrels(qrelsPath, &stats)
	if err != nil {
		return stats, err
	}
	needed := make(map[string]string)
	for _, qid := range order {
		for _, d := range qrels[qid] {
			needed[d] = ""
		}
	}
	found := make(map[string]bool, len(needed))
	if err := readCorpus(needed, found, &stats); err != nil {
		return stats, err
	}
	for _, qid := range order {
		for _, d := range qrels[qid] {
			if !found[d] && !contains(stats.MissingDocs, d) {
				stats.MissingDocs = append(stats.MissingDocs, d)
			}
		}
	}
	queriesPath, err := beirFile(dir, "queries.jsonl")
	if err != nil {
		return stats, fmt.Errorf("read BEIR folder: %w", err)
	}
	seenQueries := make(map[string]bool)
	_, err = rd.Passages(queriesPath, func(q Passage) error {
		stats.Queries++
		if q.ID == "" {
			return parseErr(queriesPath, q.Line, "_id", ErrMissing, `missing "_id": BEIR queries need IDs`)
		}
		docs, ok := qrels[q.ID]
		if !ok || seenQueries[q.ID] {
			return nil
		}
		seenQueries[q.ID] = true
		rec := Record{Query: q.Text, Line: q.Line}
		for _, d := range docs {
			if found[d] {
				rec.Relevant = append(rec.Relevant, needed[d])
			}
		}
		if len(rec.Relevant) == 0 {
			stats.NoPassage++
			return nil
		}
		g.Add(rec)
		return nil
	})
	if err != nil {
		return stats, err
	}
	for _, qid := range order {
		if !seenQueries[qid] {
			stats.MissingQueries = append(stats.MissingQueries, qid)
		}
	}
	return stats, nil
}

// readQrels returns the relevant document IDs per query, and the query IDs
// in first-seen order.
func readQrels(path string, stats *BEIRStats) (map[string][]string, []string, error) {
	rc, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	lr := NewLineReader(rc, path)
	qrels := make(map[string][]string)
	var order []string
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return qrels, order, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if IsBlank(line) {
			continue
		}
		fields := strings.Split(string(line), "\t")
		if lr.Line() == 1 && strings.EqualFold(strings.TrimSpace(fields[0]), "query-id") {
			continue
		}
		if len(fields) != 3 {
			return nil, nil, parseErr(path, lr.Line(), "", ErrColumns,
				"row has %s, want 3 (query-id, corpus-id, score) separated by tabs", columnCount(len(fields)))
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(fields[2]), 64)
		if err != nil {
			return nil, nil, parseErr(path, lr.Line(), "score", ErrType, "score %q is not a number", fields[2])
		}
		if score <= 0 {
			stats.NotRelevant++
			continue
		}
		qid, did := strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1])
		if _, ok := qrels[qid]; !ok {
			order = append(order, qid)
		}
		if !contains(qrels[qid], did) {
			qrels[qid] = append(qrels[qid], did)
			stats.Pairs++
		}
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
