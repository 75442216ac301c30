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
		sp, ix, err := readAndIndex(ctx, &cfg, sum, nil)
		if err != nil {
			return sum, err
		}
		sp.close()
		return sum, ix.Close()
	}
	rej, err := openRejects(&cfg, sum)
	if err != nil {
		return sum, err
	}
	defer rej.abort()
	sp, ix, err := readAndIndex(ctx, &cfg, sum, rej)
	if err != nil {
		return sum, err
	}
	defer sp.close()
	defer ix.Close()
	holdout, err := planHoldOut(sp, ix, &cfg)
	if err != nil {
		return sum, err
	}

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
		sum.JobTrain = sp.Groups
		if holdout != nil {
			sum.JobTrain, sum.JobEval = sp.Groups-holdout.count, holdout.count
		}
	}
	start := time.Now()
	sinks, err := openSinks(&cfg, rej, &cp)
	if err != nil {
		return sum, err
	}
	defer sinks.abort()
	if err := mineAll(ctx, ix, sp, holdout, &cfg, sinks, sum, cp); err != nil {
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

// readAndIndex reads the input into a spool and builds or reuses the
// index. The caller must close both.
func readAndIndex(ctx context.Context, cfg *Config, sum *Summary, rej *rejects) (*spool, *index.Index, error) {
	start := time.Now()
	rd := corpus.Reader{Ctx: ctx, OnInvalid: rej.onInvalid(cfg), Stdin: cfg.Stdin}
	source, named := beirSource(cfg)
	if named {
		sp, ix, err := readKnown(rd, cfg, sum, source)
		if err != nil || ix != nil {
			return sp, ix, err
		}
	}
	// The spool comes first: a temporary folder that cannot be written
	// then fails the run before the index folder is created.
	var builder *index.Builder
	sp, err := newSpool(cfg, func(text string) (uint32, error) { return builder.Add(text) })
	if err != nil {
		return nil, nil, err
	}
	builder, err = index.NewBuilder(cfg.IndexDir, index.Options{Analyzer: cfg.Analyzer, Progress: cfg.progressFunc(), Rebuild: cfg.Rebuild})
	if err != nil {
		sp.close()
		return nil, nil, err
	}
	fail := func(err error) (*spool, *index.Index, error) {
		sp.close()
		builder.Discard()
		return nil, nil, err
	}
	if err := readAll(rd, cfg, builder, sp, sum); err != nil {
		return fail(err)
	}
	if named {
		info, err := json.Marshal(beirCorpusInfo{Passages: sum.BEIR.Passages, DuplicateDocs: sum.BEIR.DuplicateDocs})
		if err != nil {
			return fail(fmt.Errorf("describe corpus: %w", err))
		}
		source.Info = info
		builder.SetSource(source)
	}
	sum.ReadSeconds = time.Since(start).Seconds()

	start = time.Now()
	ix, reused, err := buildIndex(ctx, builder, cfg.Progress)
	if err != nil {
		sp.close()
		return nil, nil, err
	}
	sum.Passages, sum.IndexReused = ix.Len(), reused
	sum.IndexSeconds = time.Since(start).Seconds()
	return sp, ix, nil
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
func readKnown(rd corpus.Reader, cfg *Config, sum *Summary, source index.Source) (*spool, *index.Index, error) {
	if cfg.Rebuild {
		return nil, nil, nil
	}
	start := time.Now()
	ix, raw, err := index.OpenSource(cfg.IndexDir, source.Key, cfg.Analyzer)
	if err != nil || ix == nil {
		return nil, nil, err
	}
	var info beirCorpusInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		// Counts in a form this version cannot read: fall back to reading the corpus.
		ix.Close()
		return nil, nil, nil
	}

	sp, err := newSpool(cfg, func(string) (uint32, error) {
		return 0, errors.New("spool BEIR record: passages must come as document IDs")
	})
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	stats, err := readBEIR(rd, cfg, sp, nil, ix.EachName)
	if err == nil {
		stats.Passages, stats.DuplicateDocs = info.Passages, info.DuplicateDocs
	}
	sum.BEIR = &stats
	if err == nil {
		err = finishRecords(sp, cfg, sum)
	}
	if err != nil {
		sp.close()
		ix.Close()
		return nil, nil, err
	}
	sum.InputLines = sp.Raw
	sum.ReadSeconds = time.Since(start).Seconds()
	sum.Passages, sum.IndexReused = ix.Len(), true
	return sp, ix, nil
}

// readBEIR reads the BEIR folder cfg.Input into the spool. It reads the
// qrels and queries first, so that their errors come before the corpus is
// read. Then it gives the corpus passages to add, unless add is nil, and
// joins the two through names.
func readBEIR(rd corpus.Reader, cfg *Config, sp *spool, add func(corpus.Passage) error, names func(func(string, uint32) error) error) (corpus.BEIRStats, error) {
	q, err := rd.OpenBEIR(cfg.Input, cfg.Split)
	if err != nil {
		return corpus.BEIRStats{}, err
	}
	defer q.Close()
	var passages corpus.PassageStats
	var dups int
	if add != nil {
		if passages, dups, err = rd.BEIRPassages(cfg.Input, add); err != nil {
			return corpus.BEIRStats{}, err
		}
	}
	stats, err := q.Join(names, sp)
	stats.Passages, stats.DuplicateDocs = passages, dups
	return stats, err
}

// readAll reads the input records into the spool, which adds their
// passages to the index builder, and adds every other passage: first the
// passages of a BEIR corpus, named by their _id, last the -corpus files.
func readAll(rd corpus.Reader, cfg *Config, b *index.Builder, sp *spool, sum *Summary) error {
	add := func(p corpus.Passage) error {
		_, err := b.Add(p.Text)
		return err
	}
	if corpus.IsDir(cfg.Input) {
		addBEIR := func(p corpus.Passage) error {
			_, err := b.AddNamed(p.ID, p.Text)
			return err
		}
		stats, err := readBEIR(rd, cfg, sp, addBEIR, b.EachName)
		sum.BEIR = &stats
		if err != nil {
			return err
		}
		sum.InputLines = sp.Raw
	} else {
		stats, err := rd.Records(cfg.Input, sp)
		sum.InputLines, sum.EmptyNegatives, sum.BOM = stats.Lines, stats.EmptyNegatives, stats.BOM
		if err != nil {
			return err
		}
	}
	if sp.err != nil {
		return sp.err
	}
	if sp.Raw == 0 {
		return fmt.Errorf("%s: %w", cfg.Input, ErrNoRecords)
	}
	for _, name := range cfg.Corpus {
		stats, err := rd.Passages(name, add)
		if err != nil {
			return err
		}
		sum.CorpusPassages += stats.Passages
	}
	if cfg.IndexOnly {
		return nil
	}
	return finishRecords(sp, cfg, sum)
}

// finishRecords merges the spooled records and fills in the summary's
// record counts. It fails when there is no record to mine.
func finishRecords(sp *spool, cfg *Config, sum *Summary) error {
	if sp.err == nil && sp.Raw == 0 {
		return fmt.Errorf("%s: %w", cfg.Input, ErrNoRecords)
	}
	if err := sp.finish(); err != nil {
		return err
	}
	sum.Records, sum.MergedQueries, sum.DuplicatePassages = sp.Groups, sp.Raw-sp.Groups, sp.Duplicates
	return nil
}

// mineAll mines every record of this process's shard with a pool of
// cfg.Workers goroutines and writes the results in input order. At most
// window records are in flight or waiting to be written, and records are
// read from the spool as they are dispatched, so memory does not grow with
// the input.
//
// A resumable run starts after the records its checkpoint names and saves
// a new checkpoint every checkpointEvery records.
func mineAll(ctx context.Context, ix *index.Index, sp *spool, holdout *heldOut, cfg *Config, out *sinks, sum *Summary, cp checkpoint) error {
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
	shards := max(cfg.Shards, 1)
	if cfg.Progress != nil {
		cfg.Progress.Start("mining", (sp.Groups-cfg.Shard+shards-1)/shards)
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
	derr := sp.each(func(i int, r spooled) error {
		if i%shards != cfg.Shard%shards {
			return nil
		}
		j := i / shards
		if j < cp.Records {
			return nil
		}
		select {
		case slots <- struct{}{}:
		case <-gctx.Done():
			return errStop
		}
		g.Go(func() error {
			rec, err := r.record(ix)
			if err == nil {
				var m mined
				m, err = mineRecord(gctx, ix, rec, r.relevant, cfg, false)
				if err == nil {
					m.eval = holdout.has(i, r.query)
					if m.encoded, m.lines, err = corpus.Encode(cfg.Format, m.record); err != nil {
						return err
					}
					results <- result{j, m}
					return nil
				}
			}
			return fmt.Errorf("mine query at %s:%d: %w", cfg.Input, r.line, err)
		})
		return nil
	})
	if derr != nil && !errors.Is(derr, errStop) {
		cancel(derr)
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
