package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// ErrNoRecords is returned for an input that holds no usable record.
var ErrNoRecords = errors.New("no records to mine")

// histogramMax is the last bucket of Summary.Histogram.
const histogramMax = 10

// Run executes the job. Output files appear only if the whole run
// succeeds. On any error, including cancellation through ctx, earlier files
// of the same names are left untouched and no temporary file remains,
// except the partial files that Resume keeps. The summary is filled in as
// far as the run got.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	sum := &Summary{}
	if err := cfg.check(); err != nil {
		return sum, err
	}
	if cfg.Output == "" && !cfg.IndexOnly {
		return sum, fmt.Errorf("%w: no output given", ErrConfig)
	}
	if cfg.IndexOnly {
		_, _, ix, err := readAndIndex(ctx, &cfg, sum, nil)
		if err != nil {
			return sum, err
		}
		return sum, ix.Close()
	}
	rej, err := openRejects(&cfg, sum)
	if err != nil {
		return sum, err
	}
	defer rej.abort()
	records, relevantIDs, ix, err := readAndIndex(ctx, &cfg, sum, rej)
	if err != nil {
		return sum, err
	}
	defer ix.Close()
	eval, err := holdOut(records, &cfg)
	if err != nil {
		return sum, err
	}
	jobTrain, jobEval := len(records), 0
	for _, e := range eval {
		if e {
			jobTrain--
			jobEval++
		}
	}
	records, relevantIDs, eval = shard(records, relevantIDs, eval, &cfg)

	cp := checkpoint{}
	if cfg.Resume {
		key, err := resumeKey(&cfg, ix)
		if err != nil {
			return sum, err
		}
		if cp, sum.StartedOver, err = loadCheckpoint(&cfg, key); err != nil {
			return sum, err
		}
		sum.restore(cp.Summary)
		sum.Resumed = cp.Records
	}
	if cfg.Shards > 1 {
		sum.JobTrain, sum.JobEval = jobTrain, jobEval
	}
	start := time.Now()
	sinks, err := openSinks(&cfg, eval, rej, &cp)
	if err != nil {
		return sum, err
	}
	defer sinks.abort()
	if err := mineAll(ctx, ix, records, relevantIDs, &cfg, sinks, sum, cp); err != nil {
		return sum, err
	}
	sum.MineSeconds = time.Since(start).Seconds()
	if err := sinks.check(&cfg, sum); err != nil {
		return sum, err
	}
	if err := rej.commit(); err != nil {
		return sum, err
	}
	if err := sinks.commit(); err != nil {
		return sum, err
	}
	if cfg.Resume {
		if err := os.Remove(checkpointPath(cfg.Output)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return sum, fmt.Errorf("remove checkpoint: %w", err)
		}
	}
	if cfg.Audit != "" {
		if err := writeAudit(cfg.Audit, sinks.audit, cfg.Stdout); err != nil {
			return sum, err
		}
	}
	if cfg.Report != "" {
		r, err := newReport(&cfg, sum, ix)
		if err != nil {
			return sum, err
		}
		return sum, writeReport(cfg.Report, r, cfg.Stdout)
	}
	return sum, nil
}

// shard keeps the records of this process's shard. The held-out choice is
// made over all records first, so every shard agrees on it.
func shard(records []corpus.Record, relevantIDs [][]uint32, eval []bool, cfg *Config) ([]corpus.Record, [][]uint32, []bool) {
	if cfg.Shards <= 1 {
		return records, relevantIDs, eval
	}
	var r []corpus.Record
	var ids [][]uint32
	var e []bool
	for i := cfg.Shard; i < len(records); i += cfg.Shards {
		r = append(r, records[i])
		ids = append(ids, relevantIDs[i])
		if eval != nil {
			e = append(e, eval[i])
		}
	}
	return r, ids, e
}

// readAndIndex reads the input and builds or reuses the index. The caller
// must close the index.
func readAndIndex(ctx context.Context, cfg *Config, sum *Summary, rej *rejects) ([]corpus.Record, [][]uint32, *index.Index, error) {
	start := time.Now()
	rd := corpus.Reader{Ctx: ctx, OnInvalid: rej.onInvalid(cfg), Stdin: cfg.Stdin}
	source, named := beirSource(cfg)
	if named {
		records, relevantIDs, ix, err := readKnown(rd, cfg, sum, source)
		if err != nil || ix != nil {
			return records, relevantIDs, ix, err
		}
	}
	builder, err := index.NewBuilder(cfg.IndexDir, index.Options{Analyzer: cfg.Analyzer, Progress: cfg.progressFunc(), Rebuild: cfg.Rebuild})
	if err != nil {
		return nil, nil, nil, err
	}
	records, relevantIDs, err := readAll(rd, cfg, builder, sum, named)
	if err != nil {
		builder.Discard()
		return nil, nil, nil, err
	}
	if named {
		info, err := json.Marshal(beirCorpusInfo{Passages: sum.BEIR.Passages, DuplicateDocs: sum.BEIR.DuplicateDocs})
		if err != nil {
			builder.Discard()
			return nil, nil, nil, fmt.Errorf("describe corpus: %w", err)
		}
		source.Info = info
		builder.SetSource(source)
	}
	sum.ReadSeconds = time.Since(start).Seconds()

	start = time.Now()
	ix, reused, err := buildIndex(ctx, builder, cfg.Progress)
	if err != nil {
		return nil, nil, nil, err
	}
	sum.Passages, sum.IndexReused = ix.Len(), reused
	sum.IndexSeconds = time.Since(start).Seconds()
	return records, relevantIDs, ix, nil
}

// buildIndex finishes a builder as one progress stage, and discards what
// it staged when the build fails.
func buildIndex(ctx context.Context, b *index.Builder, p Progress) (*index.Index, bool, error) {
	if p != nil {
		p.Start("indexing", b.Len())
	}
	ix, reused, err := b.Build(ctx)
	if p != nil {
		p.Finish()
	}
	if err != nil {
		b.Discard()
		return nil, false, err
	}
	return ix, reused, nil
}

// progressFunc adapts Progress to the index builder's callback.
func (c *Config) progressFunc() func(done, total int) {
	if c.Progress == nil {
		return nil
	}
	return func(done, _ int) { c.Progress.Set(done) }
}

// beirCorpusInfo holds the counts from reading a BEIR corpus, kept with
// the index for runs that reuse it without reading the corpus.
type beirCorpusInfo struct {
	Passages      corpus.PassageStats `json:"passages"`
	DuplicateDocs int                 `json:"duplicate_docs"`
}

// beirSource describes the BEIR corpus file of a run, and reports whether
// the index folder may keep the corpus's document names. It may when the
// input is a BEIR folder, the index has a folder of its own, no -corpus
// file adds passages and no invalid line is skipped.
func beirSource(cfg *Config) (index.Source, bool) {
	if !corpus.IsDir(cfg.Input) || cfg.IndexDir == "" || len(cfg.Corpus) > 0 || cfg.SkipInvalid {
		return index.Source{}, false
	}
	path, err := corpus.BEIRCorpus(cfg.Input)
	if err != nil {
		return index.Source{}, false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return index.Source{}, false
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return index.Source{}, false
	}
	key := fmt.Sprintf("BEIR corpus %s, %d bytes, modified %s", abs, fi.Size(), fi.ModTime().UTC().Format(time.RFC3339Nano))
	return index.Source{Key: key}, true
}

// readKnown reads a BEIR folder without its corpus when the index folder
// contains an index built from the same, unchanged corpus file: the same
// path, size and modification time. Otherwise it returns a nil index.
func readKnown(rd corpus.Reader, cfg *Config, sum *Summary, source index.Source) ([]corpus.Record, [][]uint32, *index.Index, error) {
	if cfg.Rebuild {
		return nil, nil, nil, nil
	}
	start := time.Now()
	ix, raw, err := index.OpenSource(cfg.IndexDir, source.Key, cfg.Analyzer)
	if err != nil || ix == nil {
		return nil, nil, nil, err
	}
	var info beirCorpusInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		// Counts in a form this version cannot read: fall back to reading the corpus.
		ix.Close()
		return nil, nil, nil, nil
	}

	textIDs := make(map[string]uint32)
	lookup := func(names []string) (map[string]string, error) {
		ids, err := ix.Lookup(names)
		if err != nil {
			return nil, err
		}
		texts := make(map[string]string, len(ids))
		for name, id := range ids {
			text, err := ix.Text(id)
			if err != nil {
				return nil, err
			}
			texts[name] = text
			textIDs[text] = id
		}
		return texts, nil
	}

	var g corpus.Group
	stats, err := rd.BEIRKnown(cfg.Input, cfg.Split, &g, corpus.BEIRStats{Passages: info.Passages, DuplicateDocs: info.DuplicateDocs}, lookup)
	sum.BEIR = &stats
	if err == nil {
		sum.InputLines = len(g.Records) + g.Merged
	}
	if err == nil {
		err = countRecords(&g, cfg, sum)
	}
	if err != nil {
		ix.Close()
		return nil, nil, nil, err
	}

	relevantIDs := make([][]uint32, len(g.Records))
	for i, r := range g.Records {
		for _, t := range r.Relevant {
			relevantIDs[i] = append(relevantIDs[i], textIDs[t])
		}
	}
	sum.ReadSeconds = time.Since(start).Seconds()
	sum.Passages, sum.IndexReused = ix.Len(), true
	return g.Records, relevantIDs, ix, nil
}

// readAll reads the input records and adds every passage to the index
// builder: passages of a BEIR corpus (named by their _id when named is
// set), then the records' relevant passages and given negatives, then the
// -corpus files. It returns the records and the document IDs of each
// record's relevant passages.
func readAll(rd corpus.Reader, cfg *Config, b *index.Builder, sum *Summary, named bool) ([]corpus.Record, [][]uint32, error) {
	var g corpus.Group
	add := func(p corpus.Passage) error {
		_, err := b.Add(p.Text)
		return err
	}
	if corpus.IsDir(cfg.Input) {
		addBEIR := add
		if named {
			addBEIR = func(p corpus.Passage) error {
				_, err := b.AddNamed(p.ID, p.Text)
				return err
			}
		}
		stats, err := rd.BEIR(cfg.Input, cfg.Split, &g, addBEIR)
		sum.BEIR = &stats
		if err != nil {
			return nil, nil, err
		}
		sum.InputLines = len(g.Records) + g.Merged
	} else {
		stats, err := rd.Records(cfg.Input, &g)
		sum.InputLines, sum.EmptyNegatives, sum.BOM = stats.Lines, stats.EmptyNegatives, stats.BOM
		if err != nil {
			return nil, nil, err
		}
	}
	if err := countRecords(&g, cfg, sum); err != nil {
		return nil, nil, err
	}
	relevantIDs := make([][]uint32, len(g.Records))
	for i, r := range g.Records {
		for _, t := range r.Relevant {
			id, err := b.Add(t)
			if err != nil {
				return nil, nil, err
			}
			relevantIDs[i] = append(relevantIDs[i], id)
		}
		for _, t := range r.Negatives {
			if _, err := b.Add(t); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, name := range cfg.Corpus {
		stats, err := rd.Passages(name, add)
		if err != nil {
			return nil, nil, err
		}
		sum.CorpusPassages += stats.Passages
	}
	return g.Records, relevantIDs, nil
}

// countRecords fills in the summary's record counts, and fails when there is no
// record to mine.
func countRecords(g *corpus.Group, cfg *Config, sum *Summary) error {
	sum.Records, sum.MergedQueries, sum.DuplicatePassages = len(g.Records), g.Merged, g.Duplicates
	if len(g.Records) == 0 {
		return fmt.Errorf("%s: %w", cfg.Input, ErrNoRecords)
	}
	return nil
}

// mineAll mines every record with a pool of cfg.Workers goroutines and
// writes the results in input order. At most window records are in flight
// or waiting to be written, so memory does not grow with the input.
//
// A resumable run starts after the records its checkpoint names and saves
// a new checkpoint every checkpointEvery records.
func mineAll(ctx context.Context, ix *index.Index, records []corpus.Record, relevantIDs [][]uint32, cfg *Config, out *sinks, sum *Summary, cp checkpoint) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Enough slack that a slow record does not idle the other workers.
	window := cfg.Workers * 64
	slots := make(chan struct{}, window)
	type result struct {
		i int
		m mined
	}
	// Sized to the window: at most window records are dispatched and not
	// yet written, so a worker never blocks on sending.
	results := make(chan result, window)
	if sum.Histogram == nil {
		sum.Histogram = make([]int, histogramMax+1)
	}
	if cfg.Progress != nil {
		cfg.Progress.Start("mining", len(records))
	}

	writerDone := make(chan error, 1)
	go func() {
		pending := make(map[int]mined)
		next := cp.Records
		var werr error
		for r := range results {
			pending[r.i] = r.m
			for {
				m, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				if werr == nil {
					werr = out.write(next, &m, sum)
					if werr != nil {
						cancel(werr)
					}
					sum.add(&m, cfg.Negatives)
				}
				next++
				<-slots
				if cfg.Progress != nil && werr == nil {
					cfg.Progress.Set(next)
				}
				if cfg.Resume && werr == nil && (next-cp.Records)%checkpointEvery == 0 {
					if werr = out.checkpoint(cfg, cp.Key, next, sum); werr != nil {
						cancel(werr)
					}
				}
			}
		}
		writerDone <- werr
	}()

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
dispatch:
	for i := cp.Records; i < len(records); i++ {
		select {
		case slots <- struct{}{}:
		case <-gctx.Done():
			break dispatch
		}
		g.Go(func() error {
			m, err := mineRecord(gctx, ix, records[i], relevantIDs[i], cfg, false)
			if err != nil {
				return fmt.Errorf("mine query at %s:%d: %w", cfg.Input, records[i].Line, err)
			}
			if m.encoded, m.lines, err = corpus.Encode(cfg.Format, m.record); err != nil {
				return err
			}
			results <- result{i, m}
			return nil
		})
	}
	err := g.Wait()
	close(results)
	werr := <-writerDone
	if cfg.Progress != nil {
		cfg.Progress.Finish()
	}
	switch {
	case werr != nil:
		return werr
	case err != nil:
		return err
	case context.Cause(ctx) != nil:
		return context.Cause(ctx)
	}
	return out.flush()
}

// add counts one mined record.
func (s *Summary) add(m *mined, want int) {
	s.Written++
	s.Given += m.given
	s.Mined += m.found
	s.GivenNegativesDropped += m.givenDropped
	s.Dropped.add(m.drops)
	s.Positives += m.positives
	s.PositivesRanked += len(m.positiveRanks)
	s.positiveRanks.addInts(m.positiveRanks)
	s.keptRanks.addInts(m.keptRanks)
	s.positiveScores.addFloats(m.positiveScores)
	s.keptScores.addFloats(m.keptScores)
	if m.marginOff {
		s.MarginOff++
	}
	n := len(m.record.HardNegatives)
	s.Histogram[min(n, histogramMax)]++
	if n < want {
		s.Short++
	}
}
