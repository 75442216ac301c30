package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/mine-tools/mine/corpus"
)

// Files of the FTS5 peer inside its work folder.
const (
	fts5Passages = "passages.txt" // passage texts for .import --ascii
	fts5IDs      = "ids.txt"      // corpus ID of rowid k on line k
	fts5DB       = "passages.db"
)

// The ASCII unit and record separators that `.import --ascii` splits on.
const (
	unitSeparator   = '\x1f'
	recordSeparator = '\x1e'
)

// PrepareFTS5 writes a BEIR folder's passages into workDir as the sqlite3
// command imports them, one text per record, and the corpus IDs in rowid
// order. It returns the number of passages.
func PrepareFTS5(dataDir, workDir string) (int, error) {
	texts, err := os.Create(filepath.Join(workDir, fts5Passages))
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer texts.Close()
	ids, err := os.Create(filepath.Join(workDir, fts5IDs))
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer ids.Close()
	tw, iw := bufio.NewWriterSize(texts, 1<<20), bufio.NewWriter(ids)
	n := 0
	err = readCorpus(dataDir, func(p corpus.Passage) error {
		tw.WriteString(strings.Map(dropSeparators, p.Text))
		tw.WriteByte(recordSeparator)
		iw.WriteString(p.ID)
		iw.WriteByte('\n')
		n++
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := tw.Flush(); err != nil {
		return 0, fmt.Errorf("bench: write %s: %w", fts5Passages, err)
	}
	if err := iw.Flush(); err != nil {
		return 0, fmt.Errorf("bench: write %s: %w", fts5IDs, err)
	}
	return n, nil
}

// dropSeparators turns the import separators, which passages never mean
// as text, into spaces.
func dropSeparators(r rune) rune {
	if r == unitSeparator || r == recordSeparator {
		return ' '
	}
	return r
}

// FTS5BuildScript returns the sqlite3 script that builds the FTS5 table
// from PrepareFTS5's files. It tokenizes with Porter stemming over
// unicode61, as close to mine's English analyzer as FTS5 comes. One
// 'optimize' then merges the index into a single b-tree for faster queries.
func FTS5BuildScript(workDir string) string {
	return fmt.Sprintf(`PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE VIRTUAL TABLE passages USING fts5(text, tokenize = 'porter unicode61');
.import --ascii %s passages
INSERT INTO passages(passages) VALUES('optimize');
`, filepath.Join(workDir, fts5Passages))
}

// FTS5Path returns the database file in workDir.
func FTS5Path(workDir string) string { return filepath.Join(workDir, fts5DB) }

// WriteFTS5Queries splits queries into one sqlite3 script per worker, in
// contiguous runs, and returns the scripts' paths. Each query becomes one
// SELECT that takes the top depth rowids by bm25(), drops the relevant
// ones, keeps the first negatives by rank and then rowid, and prints them
// with their texts as one JSON line.
func WriteFTS5Queries(workDir string, queries []Query, depth, negatives, workers int) ([]string, error) {
	rowids, err := readRowids(workDir)
	if err != nil {
		return nil, err
	}
	var paths []string
	per := (len(queries) + workers - 1) / workers
	for w := range workers {
		lo, hi := min(w*per, len(queries)), min((w+1)*per, len(queries))
		var b strings.Builder
		for _, q := range queries[lo:hi] {
			writeFTS5Query(&b, q, rowids, depth, negatives)
		}
		path := filepath.Join(workDir, fmt.Sprintf("queries-%d-of-%d.sql", w+1, workers))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// readRowids maps corpus IDs to FTS5 rowids, which count from 1 in import
// order.
func readRowids(workDir string) (map[string]int, error) {
	ids, err := readIDs(workDir)
	if err != nil {
		return nil, err
	}
	rowids := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, dup := rowids[id]; !dup {
			rowids[id] = i + 1
		}
	}
	return rowids, nil
}

// readIDs returns the corpus IDs in rowid order, starting at rowid 1.
func readIDs(workDir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(workDir, fts5IDs))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"), nil
}

func writeFTS5Query(b *strings.Builder, q Query, rowids map[string]int, depth, negatives int) {
	qid := sqlString(q.ID)
	match := MatchExpression(q.Text)
	if match == "" {
		fmt.Fprintf(b, "SELECT json_object('query_id', %s, 'negative_ids', json('[]'), 'hard_negatives', json('[]'));\n", qid)
		return
	}
	var relevant []string
	for _, id := range q.Relevant {
		if r, ok := rowids[id]; ok {
			relevant = append(relevant, strconv.Itoa(r))
		}
	}
	fmt.Fprintf(b, "SELECT json_object('query_id', %s, 'negative_ids', json_group_array(id), "+
		"'hard_negatives', json_group_array((SELECT text FROM passages WHERE rowid = id))) "+
		"FROM (SELECT id FROM (SELECT rowid AS id, rank AS score FROM passages WHERE passages MATCH %s ORDER BY rank LIMIT %d) "+
		"WHERE id NOT IN (%s) ORDER BY score, id LIMIT %d);\n",
		qid, sqlString(match), depth, strings.Join(relevant, ", "), negatives)
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// stopWords are Lucene's English stop words, which mine's analyzer drops.
// The FTS5 query leaves them out too, because FTS5 has no stop word list
// and their long postings would dominate its query time.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true,
	"be": true, "but": true, "by": true, "for": true, "if": true, "in": true,
	"into": true, "is": true, "it": true, "no": true, "not": true, "of": true,
	"on": true, "or": true, "such": true, "that": true, "the": true,
	"their": true, "then": true, "there": true, "these": true, "they": true,
	"this": true, "to": true, "was": true, "will": true, "with": true,
}

// MatchExpression turns query text into an FTS5 query that matches any of
// its words: each distinct lower-cased run of letters and digits that is
// not a stop word, quoted as an FTS5 string and joined with OR. It returns
// "" when no word is left.
func MatchExpression(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	seen := make(map[string]bool, len(words))
	var terms []string
	for _, w := range words {
		if stopWords[w] || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, `"`+w+`"`)
	}
	return strings.Join(terms, " OR ")
}

// ReadFTS5Output reads the JSON lines that the query scripts printed, in
// script order, and turns rowids back into corpus IDs.
func ReadFTS5Output(workDir string, outputs []string) ([]MinedQuery, error) {
	ids, err := readIDs(workDir)
	if err != nil {
		return nil, err
	}
	var mined []MinedQuery
	for _, path := range outputs {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<26)
		for sc.Scan() {
			var row struct {
				QueryID       string   `json:"query_id"`
				NegativeIDs   []int    `json:"negative_ids"`
				HardNegatives []string `json:"hard_negatives"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				f.Close()
				return nil, fmt.Errorf("bench: %s: %w", path, err)
			}
			m := MinedQuery{QueryID: row.QueryID, NegativeIDs: []string{}, HardNegatives: row.HardNegatives}
			for _, r := range row.NegativeIDs {
				if r < 1 || r > len(ids) {
					f.Close()
					return nil, fmt.Errorf("bench: %s: rowid %d is outside 1 to %d", path, r, len(ids))
				}
				m.NegativeIDs = append(m.NegativeIDs, ids[r-1])
			}
			mined = append(mined, m)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", path, err)
		}
	}
	return mined, nil
}
