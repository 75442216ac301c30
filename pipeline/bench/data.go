package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mine-tools/mine/corpus"
)

// Query is one query of a BEIR folder with the IDs of its relevant
// documents.
type Query struct {
	ID, Text string
	Relevant []string
}

// beirPath finds name or name.gz inside dir.
func beirPath(dir, name string) (string, error) {
	for _, p := range []string{name, name + ".gz"} {
		path := filepath.Join(dir, p)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("bench: %s: no %s or %s.gz found", dir, name, name)
}

// readCorpus streams the passages of a BEIR folder's corpus to fn, with the
// text that mine indexes (title and text joined).
func readCorpus(dir string, fn func(corpus.Passage) error) error {
	path, err := beirPath(dir, "corpus.jsonl")
	if err != nil {
		return err
	}
	_, err = corpus.ReadPassages(path, fn)
	return err
}

// LoadQueries returns the queries of a BEIR folder that have a relevant
// document in qrels/<split>.tsv, in queries.jsonl order, as a peer reads
// them: a pair is relevant when its score is above 0.
func LoadQueries(dir, split string) ([]Query, error) {
	qrelsPath, err := beirPath(dir, filepath.Join("qrels", split+".tsv"))
	if err != nil {
		return nil, err
	}
	relevant, err := readQrels(qrelsPath)
	if err != nil {
		return nil, err
	}
	queriesPath, err := beirPath(dir, "queries.jsonl")
	if err != nil {
		return nil, err
	}
	var queries []Query
	_, err = corpus.ReadPassages(queriesPath, func(p corpus.Passage) error {
		if docs, ok := relevant[p.ID]; ok {
			queries = append(queries, Query{ID: p.ID, Text: p.Text, Relevant: docs})
			delete(relevant, p.ID)
		}
		return nil
	})
	return queries, err
}

// readQrels maps each query ID to its relevant document IDs.
func readQrels(path string) (map[string][]string, error) {
	rc, err := corpus.Open(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := corpus.NewLineReader(rc, path)
	relevant := make(map[string][]string)
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return relevant, nil
		}
		if err != nil {
			return nil, err
		}
		fields := strings.Split(strings.TrimSpace(string(line)), "\t")
		if len(fields) != 3 || fields[0] == "query-id" {
			continue
		}
		if score, err := strconv.ParseFloat(fields[2], 64); err != nil || score <= 0 {
			continue
		}
		relevant[fields[0]] = append(relevant[fields[0]], fields[1])
	}
}

// MinedQuery is one line of a peer's output: the negatives it kept for a
// query, by document ID and text.
type MinedQuery struct {
	QueryID       string   `json:"query_id"`
	NegativeIDs   []string `json:"negative_ids"`
	HardNegatives []string `json:"hard_negatives"`
}
