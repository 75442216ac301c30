package synth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Names inside a written folder, those of a BEIR folder with a train split.
const (
	CorpusFile  = "corpus.jsonl"
	QueriesFile = "queries.jsonl"
	QrelsFile   = "qrels/train.tsv"
)

// Stats counts what Write wrote.
type Stats struct {
	Passages, Queries int
	// Words counts the words of all passages.
	Words int64
	// Bytes counts the bytes of corpus.jsonl.
	Bytes int64
}

// MeanLength returns the mean passage length in words.
func (s Stats) MeanLength() float64 {
	if s.Passages == 0 {
		return 0
	}
	return float64(s.Words) / float64(s.Passages)
}

// Write generates the collection that cfg describes into dir, creating the
// folder if needed. Each file is written under a temporary name and renamed
// when all are complete, so a failed or cancelled run leaves no partial
// file and keeps earlier files. Progress, when not nil, is called every
// progressEvery passages with the number written. Write stops with ctx's
// error when ctx is cancelled.
func Write(ctx context.Context, dir string, cfg Config, progress func(done int)) (Stats, error) {
	g, err := NewGenerator(cfg)
	if err != nil {
		return Stats{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(QrelsFile)), 0o755); err != nil {
		return Stats{}, fmt.Errorf("synth: create folder: %w", err)
	}
	files := make([]*output, 0, 3)
	defer func() {
		for _, f := range files {
			f.abort()
		}
	}()
	for _, name := range []string{CorpusFile, QueriesFile, QrelsFile} {
		f, err := createOutput(filepath.Join(dir, name))
		if err != nil {
			return Stats{}, err
		}
		files = append(files, f)
	}
	corpus, queries, qrels := files[0], files[1], files[2]
	qrels.w.WriteString("query-id\tcorpus-id\tscore\n")
	stats, err := g.write(ctx, corpus.w, queries.w, qrels.w, progress)
	if err != nil {
		return stats, err
	}
	for _, f := range files {
		if err := f.close(); err != nil {
			return stats, err
		}
	}
	for _, f := range files {
		if err := f.commit(); err != nil {
			return stats, err
		}
	}
	files = nil
	return stats, nil
}

// progressEvery is how many passages Write writes between progress calls
// and cancellation checks.
const progressEvery = 1 << 14

// write streams every passage and query to the writers.
func (g *Generator) write(ctx context.Context, corpus, queries, qrels *bufio.Writer, progress func(int)) (Stats, error) {
	var stats Stats
	var ranks []int
	var line []byte
	nextQuery := 0
	for i := range g.cfg.Passages {
		if i%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return stats, fmt.Errorf("synth: %w", err)
			}
			if progress != nil && i > 0 {
				progress(i)
			}
		}
		r := g.rng(i)
		ranks = g.passage(r, ranks)
		line = g.appendPassage(line[:0], i, ranks)
		if _, err := corpus.Write(line); err != nil {
			return stats, fmt.Errorf("synth: write %s: %w", CorpusFile, err)
		}
		stats.Passages++
		stats.Words += int64(len(ranks))
		stats.Bytes += int64(len(line))
		if nextQuery < g.cfg.Queries && g.QueryPassage(nextQuery) == i {
			line = g.appendQuery(line[:0], nextQuery, g.query(r, ranks))
			if _, err := queries.Write(line); err != nil {
				return stats, fmt.Errorf("synth: write %s: %w", QueriesFile, err)
			}
			line = fmt.Appendf(line[:0], "%d\t%d\t1\n", nextQuery, i)
			if _, err := qrels.Write(line); err != nil {
				return stats, fmt.Errorf("synth: write %s: %w", QrelsFile, err)
			}
			stats.Queries++
			nextQuery++
		}
	}
	if progress != nil {
		progress(g.cfg.Passages)
	}
	return stats, nil
}

// appendPassage appends passage i's corpus.jsonl line. Words hold only
// ASCII letters, so the text needs no JSON escaping.
func (g *Generator) appendPassage(line []byte, i int, ranks []int) []byte {
	line = append(line, `{"_id":"`...)
	line = strconv.AppendInt(line, int64(i), 10)
	line = append(line, `","title":"","text":"`...)
	line = g.appendText(line, ranks)
	return append(line, "\"}\n"...)
}

// appendText writes words as sentences: each starts with a capital letter
// and ends with a period. A sentence ends after a word whose rank is a
// multiple of sentenceRanks once it has minSentence words, which spreads
// sentence lengths without drawing more random numbers.
func (g *Generator) appendText(line []byte, ranks []int) []byte {
	const sentenceRanks, minSentence = 7, 6
	inSentence := 0
	for k, rank := range ranks {
		w := g.words[rank]
		if k > 0 {
			line = append(line, ' ')
		}
		if inSentence == 0 {
			line = append(line, w[0]-'a'+'A')
			line = append(line, w[1:]...)
		} else {
			line = append(line, w...)
		}
		inSentence++
		if k == len(ranks)-1 || (rank%sentenceRanks == 0 && inSentence >= minSentence) {
			line = append(line, '.')
			inSentence = 0
		}
	}
	return line
}

// appendQuery appends query j's queries.jsonl line.
func (g *Generator) appendQuery(line []byte, j int, ranks []int) []byte {
	line = append(line, `{"_id":"`...)
	line = strconv.AppendInt(line, int64(j), 10)
	line = append(line, `","text":"`...)
	for k, rank := range ranks {
		if k > 0 {
			line = append(line, ' ')
		}
		line = append(line, g.words[rank]...)
	}
	return append(line, "\"}\n"...)
}

// output is a file written under a temporary name.
type output struct {
	path string
	file *os.File
	w    *bufio.Writer
}

func createOutput(path string) (*output, error) {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return &output{path: path, file: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (o *output) close() error {
	err := errors.Join(o.w.Flush(), o.file.Close())
	o.file = nil
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", o.path, err)
	}
	return nil
}

func (o *output) commit() error {
	if err := os.Rename(o.path+".tmp", o.path); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// abort closes the file if open and removes the temporary name.
func (o *output) abort() {
	if o.file != nil {
		o.file.Close()
	}
	os.Remove(o.path + ".tmp")
}
