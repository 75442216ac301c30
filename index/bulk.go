package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
	"golang.org/x/sync/errgroup"
)

// The Bleve index is built offline rather than through an open index's
// batches. An open index waits for each batch to be introduced and
// persisted, merges segments in the background while batches arrive, and
// ends with several segments, each of which every search then visits.
//
// The build cuts the passages into batches of Options.BatchSize. One task
// per batch analyzes its passages, encodes their term store records, and
// writes a zap segment file, and tasks run on every CPU. Every mergeWidth
// consecutive segments are merged into one as soon as they are written,
// and at the end the merged segments and any left over are merged, in
// order, into a single segment. Documents are numbered in passage ID
// order: Bleve's internal number of a passage is its ID.
//
// Scorch's own offline Builder builds its segments one at a time and
// cannot take segments built elsewhere, so it only lays out the index
// folder. In Bleve v2.6.3 its root (root.bolt) records the index mapping,
// a time stamp, and the name, type and version of the one segment file,
// nothing that depends on the segment's content. The build lets it write
// the folder around a placeholder document and then puts the real segment
// in place of the placeholder's.
const (
	// mergeWidth is how many segments are merged at once. Wider merges
	// rewrite each posting fewer times.
	mergeWidth = 64
)

// segmentPlugin writes and merges the segments: zap version 17, which
// the root names through forcedSegment.
var segmentPlugin = &zap.ZapPlugin{}

// forcedSegment is the scorch setting that makes the placeholder's root
// name segmentPlugin's type and version.
var forcedSegment = map[string]any{
	"forceSegmentType":    segmentPlugin.Type(),
	"forceSegmentVersion": int(segmentPlugin.Version()),
}

// bleveMeta is the index_meta.json of a scorch index, which bleve.Open
// reads to choose the index type.
var bleveMeta = []byte(`{"storage":"scorch","index_type":"scorch"}`)

// bleveStoreDir is the folder, inside a Bleve index folder, that holds a
// scorch index's segments.
const bleveStoreDir = "store"

// segmentsDir is the name prefix of the temporary folder, inside the
// Bleve index folder, that contains segments until the last merge.
const segmentsDir = "segments-"

// batchResult is the outcome of one batch task. Its fields are set when
// done is closed.
type batchResult struct {
	done chan struct{}
	// terms contains the batch's term store records, one after another,
	// and sizes their lengths.
	terms  []byte
	sizes  []int
	tokens uint64
	path   string // the segment file
	err    error
}

// mergeResult is the outcome of one merge task. Its fields are set when
// done is closed.
type mergeResult struct {
	done chan struct{}
	path string
	err  error
}

// wait returns the merged segment's path once the merge is done.
func (r *mergeResult) wait() (string, error) {
	<-r.done
	return r.path, r.err
}

// finished returns a result that is already done, for a segment that
// needs no merge.
func finished(path string) *mergeResult {
	r := &mergeResult{done: make(chan struct{}), path: path}
	close(r.done)
	return r
}

// segmentBuild is the state that the batch and merge tasks share.
type segmentBuild struct {
	store    *Store
	analyzer analysis.Analyzer
	dir      string // the temporary folder of segment files
	tasks    *errgroup.Group
	ctx      context.Context
	cancel   context.CancelFunc // stops the tasks
	count    atomic.Int64       // segment files named so far
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
	if err := os.MkdirAll(path, 0o755); err != nil {
		terms.abort()
		return 0, fmt.Errorf("create bleve index: %w", err)
	}
	work, err := os.MkdirTemp(path, segmentsDir)
	if err != nil {
		terms.abort()
		return 0, fmt.Errorf("create bleve index: %w", err)
	}
	defer os.RemoveAll(work)

	tasksCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	tasks, tasksCtx := errgroup.WithContext(tasksCtx)
	tasks.SetLimit(runtime.GOMAXPROCS(0))
	s := &segmentBuild{store: store, analyzer: m.AnalyzerNamed(b.opts.Analyzer), dir: work,
		tasks: tasks, ctx: tasksCtx, cancel: cancel}
	final, tokens, err := s.build(terms, b.opts.BatchSize, b.opts.Progress)
	// Wait for the tasks, which build has stopped if it failed, so that
	// none writes into the folder after this returns.
	firstErr := tasks.Wait()
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The caller's context ended; report that rather than a task that
		// stopped because of it.
		err = ctxErr
	} else if errors.Is(err, context.Canceled) && firstErr != nil {
		// A failed task stopped the others; report the failure.
		err = firstErr
	}
	if err == nil {
		err = terms.close(b.dir)
	} else {
		terms.abort()
	}
	if err == nil {
		err = placeSegment(path, m, final)
	}
	if err != nil {
		return 0, fmt.Errorf("build index: %w", err)
	}
	return tokens, nil
}

// build runs a task per batch, writes the term store in document ID order
// as batches finish, and merges the segments. It returns the path of the
// one remaining segment and the number of analyzed tokens.
func (s *segmentBuild) build(terms *termWriter, batchSize int, progress func(done, total int)) (string, uint64, error) {
	total := s.store.Len()
	// The buffer bounds the batches in flight, and so the memory, to two
	// per CPU.
	pending := make(chan *batchResult, 2*runtime.GOMAXPROCS(0))
	go func() {
		defer close(pending)
		for start := 0; start < total; start += batchSize {
			end := min(start+batchSize, total)
			r := &batchResult{done: make(chan struct{}), path: s.segmentPath()}
			select {
			case pending <- r:
			case <-s.ctx.Done():
				return
			}
			s.tasks.Go(func() error {
				defer close(r.done)
				r.err = s.buildBatch(r, start, end)
				return r.err
			})
		}
	}()
	// When returning early, stop the tasks and drain what the dispatcher
	// queued, so that it is not left blocked. On success both are done.
	defer func() {
		s.cancel()
		for range pending {
		}
	}()

	var merged []*mergeResult // in document order
	var written []string      // segments not yet handed to a merge
	var tokens uint64
	done := 0
	for r := range pending {
		<-r.done
		if r.err != nil {
			return "", 0, r.err
		}
		if err := terms.addEncoded(r.terms, r.sizes); err != nil {
			return "", 0, err
		}
		tokens += r.tokens
		done += len(r.sizes)
		if progress != nil {
			progress(done, total)
		}
		written = append(written, r.path)
		if len(written) == mergeWidth {
			merged = append(merged, s.merge(written))
			written = nil
		}
	}
	if err := s.ctx.Err(); err != nil {
		return "", 0, err
	}
	if done != total {
		return "", 0, fmt.Errorf("indexed %d of %d passages", done, total)
	}
	for _, p := range written {
		merged = append(merged, finished(p))
	}
	// Merge level by level, mergeWidth consecutive segments at a time,
	// until one segment is left.
	for len(merged) > 1 {
		paths := make([]string, len(merged))
		for i, r := range merged {
			p, err := r.wait()
			if err != nil {
				return "", 0, err
			}
			paths[i] = p
		}
		merged = merged[:0]
		for start := 0; start < len(paths); start += mergeWidth {
			group := paths[start:min(start+mergeWidth, len(paths))]
			if len(group) == 1 {
				merged = append(merged, finished(group[0]))
			} else {
				merged = append(merged, s.merge(group))
			}
		}
	}
	final, err := merged[0].wait()
	return final, tokens, err
}

// segmentPath names a new segment file.
func (s *segmentBuild) segmentPath() string {
	return filepath.Join(s.dir, fmt.Sprintf("%08d.zap", s.count.Add(1)))
}

// buildBatch analyzes passages start to end-1, encodes their term store
// records, and writes their segment to r.path.
func (s *segmentBuild) buildBatch(r *batchResult, start, end int) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	texts, base, err := s.store.span(start, end)
	if err != nil {
		return err
	}

	docs := make([]bleveindex.Document, 0, end-start)
	r.sizes = make([]int, 0, end-start)
	var scratch []string
	for id := start; id < end; id++ {
		text := texts[s.store.offsets[id]-base : s.store.offsets[id+1]-base]
		field := document.NewTextFieldCustom(textField, nil, text, bleveindex.IndexField, s.analyzer)
		field.Analyze()
		r.tokens += uint64(field.AnalyzedLength())
		before := len(r.terms)
		r.terms, scratch = appendTerms(r.terms, scratch, field.AnalyzedTokenFrequencies())
		r.sizes = append(r.sizes, len(r.terms)-before)
		doc := document.NewDocument(docID(uint32(id)))
		doc.AddField(field)
		doc.AddIDField()
		// The _id field is analyzed here, as scorch does before it builds
		// a segment; the text field was analyzed above.
		doc.VisitFields(func(f bleveindex.Field) {
			if f.Name() == idFieldName {
				f.Analyze()
			}
		})
		docs = append(docs, doc)
	}

	seg, _, err := segmentPlugin.New(docs)
	if err != nil {
		return fmt.Errorf("build segment: %w", err)
	}
	defer seg.Close()
	unpersisted, ok := seg.(segment.UnpersistedSegment)
	if !ok {
		return fmt.Errorf("build segment: a %T cannot be written to a file", seg)
	}
	if err := unpersisted.Persist(r.path); err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	return nil
}

// idFieldName is the name of the field that contains a document's ID.
const idFieldName = "_id"

// merge starts merging the segment files in paths, in order, into a new
// one, and removes them once merged. The caller waits on the result.
func (s *segmentBuild) merge(paths []string) *mergeResult {
	paths = append([]string(nil), paths...)
	r := &mergeResult{done: make(chan struct{}), path: s.segmentPath()}
	s.tasks.Go(func() error {
		defer close(r.done)
		r.err = mergeSegments(s.ctx, paths, r.path)
		return r.err
	})
	return r
}

// mergeSegments merges the segment files in paths, in order, into one
// at path and removes them.
func mergeSegments(ctx context.Context, paths []string, path string) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	segs := make([]segment.Segment, 0, len(paths))
	defer func() {
		for _, seg := range segs {
			if cerr := seg.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("merge segments: %w", cerr)
			}
		}
		if err == nil {
			for _, p := range paths {
				if rerr := os.Remove(p); rerr != nil && err == nil {
					err = fmt.Errorf("merge segments: %w", rerr)
				}
			}
		}
	}()
	for _, p := range paths {
		seg, err := segmentPlugin.Open(p)
		if err != nil {
			return fmt.Errorf("open segment for merging: %w", err)
		}
		segs = append(segs, seg)
	}
	// The merge gives up when stop is closed, which happens when ctx ends.
	stop := make(chan struct{})
	defer context.AfterFunc(ctx, func() { close(stop) })()
	if _, _, err := segmentPlugin.Merge(segs, make([]*roaring.Bitmap, len(segs)), path, stop, nil); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	return nil
}

// placeSegment lays out a scorch index folder at path whose one segment
// is the file final. Scorch's Builder writes the folder and its root
// around a placeholder document, and final then replaces the
// placeholder's segment file, which the root names.
func placeSegment(path string, m *mapping.IndexMappingImpl, final string) error {
	encoded, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode index mapping: %w", err)
	}
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), bleveMeta, 0o644); err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	config := map[string]any{
		"path":            filepath.Join(path, bleveStoreDir),
		"buildPathPrefix": path,
		"internal":        map[string][]byte{string(util.MappingInternalKey): encoded},
	}
	for k, v := range forcedSegment {
		config[k] = v
	}

	builder, err := scorch.NewBuilder(config)
	if err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	if err := builder.Index(document.NewDocument(docID(0))); err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	if err := builder.Close(); err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}

	entries, err := os.ReadDir(filepath.Join(path, bleveStoreDir))
	if err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	var placeholder []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".zap") {
			placeholder = append(placeholder, e.Name())
		}
	}
	if len(placeholder) != 1 {
		return fmt.Errorf("create bleve index: scorch wrote segments %v, expected one", placeholder)
	}
	if err := os.Rename(final, filepath.Join(path, bleveStoreDir, placeholder[0])); err != nil {
		return fmt.Errorf("create bleve index: %w", err)
	}
	return nil
}

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
