package index

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// The Bleve index is built offline with scorch's Builder rather than
// through an open index's batches. An open index waits for each batch to
// be introduced and persisted, merges segments in the background while
// batches arrive, and ends with several segments, each of which every
// search then visits. The Builder writes one segment file per batch and
// then merges them, mergeWidth at a time, into a single segment. Analysis
// runs on every CPU beforehand, so that the Builder only inverts terms and
// writes segments.
const (
	// mergeWidth is how many segments the Builder merges at once. Wider
	// merges rewrite each posting fewer times.
	mergeWidth = 64
	// analysisChunk is the number of passages one analysis task handles.
	analysisChunk = 256
)

// bleveMeta is the index_meta.json of a scorch index, which bleve.Open
// reads to choose the index type.
var bleveMeta = []byte(`{"storage":"scorch","index_type":"scorch"}`)

// bleveStoreDir is the folder, inside a Bleve index folder, that holds a
// scorch index's segments.
const bleveStoreDir = "store"

// analyzedDoc is a passage's document after analysis, with its token
// count.
type analyzedDoc struct {
	doc    *document.Document
	tokens int
	freqs  bleveindex.TokenFrequencies
}

// chunkResult is the outcome of one analysis task.
type chunkResult struct {
	docs []analyzedDoc
	err  error
}

// indexPassages builds the Bleve index of the stored passages and returns
// the total number of analyzed tokens.
func (b *Builder) indexPassages(ctx context.Context) (uint64, error) {
	m, err := newMapping(b.opts.Analyzer)
	if err != nil {
		return 0, err
	}
	store, err := openStore(b.dir)
	if err != nil {
		return 0, err
	}
	defer store.close()
	terms, err := createTermStore(b.dir)
	if err != nil {
		return 0, err
	}
	path := filepath.Join(b.dir, bleveDir)
	if store.Len() == 0 {
		if err := terms.close(b.dir); err != nil {
			return 0, err
		}
		return 0, createEmptyIndex(path, m)
	}
	builder, err := newSegmentBuilder(path, m, b.opts.BatchSize)
	if err != nil {
		terms.close(b.dir)
		return 0, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	total := store.Len()
	results := analyzeAll(ctx, store, m.AnalyzerNamed(b.opts.Analyzer))
	var tokens uint64
	done := 0
	for pending := range results {
		res := <-pending
		if res.err != nil {
			terms.close(b.dir)
			return 0, res.err
		}
		for _, d := range res.docs {
			if err := builder.Index(d.doc); err != nil {
				terms.close(b.dir)
				return 0, fmt.Errorf("build index: %w", err)
			}
			if err := terms.add(d.freqs); err != nil {
				return 0, err
			}
			tokens += uint64(d.tokens)
			done++
			if b.opts.Progress != nil && (done%b.opts.BatchSize == 0 || done == total) {
				b.opts.Progress(done, total)
			}
		}
	}
	if err := terms.close(b.dir); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("build index: %w", err)
	}
	if err := builder.Close(); err != nil {
		return 0, fmt.Errorf("build index: %w", err)
	}
	return tokens, nil
}

// newSegmentBuilder lays out a scorch index folder at path and returns a
// Builder that fills it. Its temporary segments live inside path, so a
// build that stops half-way leaves nothing outside the index folder.
func newSegmentBuilder(path string, m *mapping.IndexMappingImpl, batchSize int) (*scorch.Builder, error) {
	encoded, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode index mapping: %w", err)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), bleveMeta, 0o644); err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	builder, err := scorch.NewBuilder(map[string]any{
		"path":            filepath.Join(path, bleveStoreDir),
		"buildPathPrefix": path,
		"batchSize":       batchSize,
		"mergeMax":        mergeWidth,
		"internal":        map[string][]byte{string(util.MappingInternalKey): encoded},
	})
	if err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	return builder, nil
}

// analyzeAll analyzes every stored passage in chunks of analysisChunk on
// all CPUs. It returns a channel of per-chunk results in document ID
// order; each result arrives on its own channel once its chunk is done.
// The channel is closed after the last chunk, or early when ctx is
// cancelled.
func analyzeAll(ctx context.Context, store *Store, analyzer analysis.Analyzer) <-chan chan chunkResult {
	// The buffer bounds the chunks in flight, and so the memory, to two
	// per CPU: enough to keep every CPU busy while the caller builds a
	// segment.
	results := make(chan chan chunkResult, 2*runtime.GOMAXPROCS(0))
	go func() {
		defer close(results)
		for start := 0; start < store.Len(); start += analysisChunk {
			end := min(start+analysisChunk, store.Len())
			pending := make(chan chunkResult, 1)
			select {
			case results <- pending:
			case <-ctx.Done():
				return
			}
			go func() { pending <- analyzeChunk(store, analyzer, start, end) }()
		}
	}()
	return results
}

// analyzeChunk reads and analyzes passages start to end-1.
func analyzeChunk(store *Store, analyzer analysis.Analyzer, start, end int) chunkResult {
	docs := make([]analyzedDoc, 0, end-start)
	for id := start; id < end; id++ {
		text, err := store.Text(uint32(id))
		if err != nil {
			return chunkResult{err: err}
		}
		field := document.NewTextFieldCustom(textField, nil, []byte(text), bleveindex.IndexField, analyzer)
		field.Analyze()
		doc := document.NewDocument(docID(uint32(id)))
		doc.AddField(analyzedField{field})
		docs = append(docs, analyzedDoc{doc: doc, tokens: field.AnalyzedLength(), freqs: field.AnalyzedTokenFrequencies()})
	}
	return chunkResult{docs: docs}
}

// analyzedField is a text field analyzed in advance. The Builder calls
// Analyze on every field it indexes, which here keeps the earlier result
// instead of analyzing the text a second time.
type analyzedField struct {
	*document.TextField
}

func (analyzedField) Analyze() {}

// createEmptyIndex creates an index without documents, which the Builder
// cannot write.
func createEmptyIndex(path string, m *mapping.IndexMappingImpl) error {
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	if err := idx.Close(); err != nil {
		return fmt.Errorf("close bleve index: %w", err)
	}
	return nil
}
