package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Index is a built, read-only index. Its methods are safe for concurrent
// use, except Close.
type Index struct {
	dir      string
	temp     bool
	owner    *os.File
	meta     Meta
	bleve    bleve.Index
	reader   bleveindex.IndexReader
	store    *Store
	analyzer analysis.Analyzer
	avgLen   float64
	docFreqs docFreqTable
	terms    *termStore
	stats    *statsReader
	// docIDs caches the document ID of each Bleve internal document
	// number, plus 1 so that 0 marks a number not looked up yet. The
	// numbering is fixed for the life of reader.
	docIDs []atomic.Uint32
	// segments are the reader's segments, whose postings Search reads,
	// and maxDoc is one past the largest internal document number.
	segments []segmentView
	maxDoc   uint64
	// maxScoreDocs is the least maxDoc at which Search uses MaxScore.
	// Tests change it to test both ways.
	maxScoreDocs uint64
	// scratch pools the accumulators and dictionaries of searches.
	scratch sync.Pool
}

// Open opens an index folder that Builder.Build completed.
func Open(dir string) (*Index, error) {
	return open(dir, false)
}

func open(dir string, temp bool) (*Index, error) {
	meta, err := readMeta(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open index: %s contains no complete index; build the index again", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	ix := &Index{dir: dir, temp: temp, meta: meta, maxScoreDocs: maxScoreDocs}
	if ix.store, err = openStore(dir); err != nil {
		return nil, err
	}
	if ix.terms, err = openTermStore(dir, meta.Passages); err != nil {
		ix.store.close()
		return nil, err
	}
	if ix.stats, err = openStats(dir, meta.Passages); err != nil {
		ix.store.close()
		ix.terms.close()
		return nil, err
	}
	if ix.docFreqs, err = readDocFreqTable(dir); err != nil {
		ix.store.close()
		ix.terms.close()
		ix.stats.close()
		return nil, err
	}
	if ix.store.Len() != meta.Passages {
		ix.store.close()
		ix.terms.close()
		ix.stats.close()
		return nil, fmt.Errorf("open index: passage store holds %d passages, settings say %d; rebuild the index", ix.store.Len(), meta.Passages)
	}
	ix.bleve, err = bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]any{"read_only": true})
	if err != nil {
		ix.store.close()
		ix.terms.close()
		ix.stats.close()
		return nil, fmt.Errorf("open bleve index: %w", err)
	}
	adv, err := ix.bleve.Advanced()
	if err == nil {
		ix.reader, err = adv.Reader()
	}
	if err != nil {
		ix.Close()
		return nil, fmt.Errorf("open bleve index reader: %w", err)
	}
	if ix.segments, err = segmentViews(ix.reader); err != nil {
		ix.Close()
		return nil, err
	}
	if n := len(ix.segments); n > 0 {
		last := ix.segments[n-1]
		ix.maxDoc = last.offset + last.seg.Count()
	}
	ix.analyzer = ix.bleve.Mapping().AnalyzerNamed(meta.Analyzer)
	if ix.analyzer == nil {
		ix.Close()
		return nil, fmt.Errorf("open index: analyzer %q is not defined in the index mapping; rebuild the index", meta.Analyzer)
	}
	ix.docIDs = make([]atomic.Uint32, meta.Passages)
	if meta.Passages > 0 {
		ix.avgLen = float64(meta.Tokens) / float64(meta.Passages)
	}
	return ix, nil
}

// Meta returns the settings the index was built with.
func (ix *Index) Meta() Meta { return ix.meta }

// Len returns the number of passages.
func (ix *Index) Len() int { return ix.store.Len() }

// AvgLen returns the mean passage length in tokens.
func (ix *Index) AvgLen() float64 { return ix.avgLen }

// Text returns the text of document id.
func (ix *Index) Text(id uint32) (string, error) { return ix.store.Text(id) }

// Terms returns the analyzed terms of text with their counts, in order of
// first occurrence, at most MaxQueryTerms of them.
func (ix *Index) Terms(text string) ([]string, []int) {
	return analyzeTerms(ix.analyzer, text, MaxQueryTerms)
}

// Close releases the index and removes its folder if it was temporary.
func (ix *Index) Close() error {
	var errs []error
	if ix.reader != nil {
		errs = append(errs, ix.reader.Close())
	}
	if ix.bleve != nil {
		errs = append(errs, ix.bleve.Close())
	}
	if ix.store != nil {
		errs = append(errs, ix.store.close())
	}
	if ix.terms != nil {
		errs = append(errs, ix.terms.close())
	}
	if ix.stats != nil {
		errs = append(errs, ix.stats.close())
	}
	if ix.temp {
		errs = append(errs, os.RemoveAll(ix.dir))
	}
	if ix.owner != nil {
		ix.owner.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

// Discard removes a builder's temporary folder when Build was not reached
// or failed.
func (b *Builder) Discard() error {
	if b.store != nil && b.store.file != nil {
		b.store.file.Close()
	}
	if b.temp {
		err := os.RemoveAll(b.dir)
		if b.owner != nil {
			b.owner.Close()
		}
		return err
	}
	return os.RemoveAll(b.staging)
}
