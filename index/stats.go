package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"
)

// The stats file holds what the filter needs of every examined candidate,
// computed once when the index is built. Each passage has 16 little-endian
// bytes: the Key of its text, then the Euclidean length of its tf·idf
// vector as float64 bits.
const (
	statsFile = "stats.dat"
	// docFreqsFile holds the document frequency of every term as sorted
	// pairs of little-endian uint64: the term's termHash and the count.
	docFreqsFile = "docfreqs.dat"
	statsSize    = 16
	// statsChunk is the number of passages one worker handles at a time.
	statsChunk = 4096
)

// idf is the inverse document frequency that ranking and the tf·idf
// vectors share, for a term in df of n passages.
func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// writeStats computes the stats file of a built index on every CPU.
func writeStats(ctx context.Context, dir string, passages int) error {
	if passages == 0 {
		if err := os.WriteFile(filepath.Join(dir, statsFile), nil, 0o644); err != nil {
			return fmt.Errorf("write passage stats: %w", err)
		}
		return writeDocFreqTable(dir, nil)
	}
	store, err := openStore(dir)
	if err != nil {
		return err
	}
	defer store.close()
	terms, err := openTermStore(dir, passages)
	if err != nil {
		return err
	}
	defer terms.close()
	df, err := countDocFreqs(ctx, terms, passages)
	if err != nil {
		return err
	}

	out := make([]byte, statsSize*passages)
	n := float64(passages)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for start := 0; start < passages; start += statsChunk {
		end := min(start+statsChunk, passages)
		g.Go(func() error {
			var buf []byte
			for id := uint32(start); id < uint32(end); id++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				text, err := store.Text(id)
				if err != nil {
					return err
				}
				if buf, err = terms.raw(id, buf); err != nil {
					return err
				}
				sum := 0.0
				err = eachTerm(id, buf, func(term []byte, tf uint64) {
					w := float64(tf) * idf(n, float64(max(df[string(term)], 1)))
					sum += w * w
				})
				if err != nil {
					return err
				}
				rec := out[statsSize*int(id):]
				binary.LittleEndian.PutUint64(rec, Key(text))
				binary.LittleEndian.PutUint64(rec[8:], math.Float64bits(math.Sqrt(sum)))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("compute passage stats: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, statsFile), out, 0o644); err != nil {
		return fmt.Errorf("write passage stats: %w", err)
	}
	return writeDocFreqTable(dir, df)
}

// countDocFreqs returns the number of passages that hold each term, from
// the term store, counted on every CPU.
func countDocFreqs(ctx context.Context, terms *termStore, passages int) (map[string]uint64, error) {
	workers := runtime.GOMAXPROCS(0)
	counts := make([]map[string]*uint64, workers)
	g, ctx := errgroup.WithContext(ctx)
	for w := range workers {
		counts[w] = make(map[string]*uint64)
		g.Go(func() error {
			m := counts[w]
			var buf []byte
			var err error
			for start := w * statsChunk; start < passages; start += workers * statsChunk {
				if err := ctx.Err(); err != nil {
					return err
				}
				for id := uint32(start); id < uint32(min(start+statsChunk, passages)); id++ {
					if buf, err = terms.raw(id, buf); err != nil {
						return err
					}
					err = eachTerm(id, buf, func(term []byte, _ uint64) {
						// A pointer lets the common case, a term seen
						// before, look up the map without copying the term.
						if p := m[string(term)]; p != nil {
							*p++
							return
						}
						one := uint64(1)
						m[string(term)] = &one
					})
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("count document frequencies: %w", err)
	}
	df := make(map[string]uint64, len(counts[0]))
	for _, m := range counts {
		for term, n := range m {
			df[term] += *n
		}
	}
	return df, nil
}

// statsReader reads the stats file. It is safe for concurrent use.
type statsReader struct {
	data *mappedFile
}

func openStats(dir string, passages int) (*statsReader, error) {
	data, err := mapFile(filepath.Join(dir, statsFile))
	if err != nil {
		return nil, fmt.Errorf("open passage stats: %w", err)
	}
	if len(data.data) != statsSize*passages {
		data.close()
		return nil, fmt.Errorf("open passage stats: %s does not match %d passages; rebuild the index", statsFile, passages)
	}
	return &statsReader{data: data}, nil
}

// read returns passage id's key and vector length.
func (s *statsReader) read(id uint32) (key uint64, norm float64, err error) {
	if int(id) >= len(s.data.data)/statsSize {
		return 0, 0, fmt.Errorf("read stats: document %d out of range", id)
	}
	rec := s.data.data[int(id)*statsSize:]
	return binary.LittleEndian.Uint64(rec), math.Float64frombits(binary.LittleEndian.Uint64(rec[8:])), nil
}

func (s *statsReader) close() error { return s.data.close() }

// Key returns the Key of passage id's text.
func (ix *Index) Key(id uint32) (uint64, error) {
	key, _, err := ix.stats.read(id)
	return key, err
}

// docFreqTable gives the document frequency of a term by its termHash,
// from sorted hashes. Two terms of one index share a hash with a
// probability of about n²/2^65 for n terms, which at worst gives one of
// them the other's frequency in the similarity guard's weights.
type docFreqTable struct {
	hashes []uint64
	counts []uint64
}

// termHash is the FNV-1a hash of a term.
func termHash(term string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(term); i++ {
		h ^= uint64(term[i])
		h *= prime
	}
	return h
}

func writeDocFreqTable(dir string, df map[string]uint64) error {
	type entry struct{ hash, count uint64 }
	entries := make([]entry, 0, len(df))
	for term, n := range df {
		entries = append(entries, entry{termHash(term), n})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.hash, b.hash) })
	raw := make([]byte, 0, 16*len(entries))
	for _, e := range entries {
		raw = binary.LittleEndian.AppendUint64(raw, e.hash)
		raw = binary.LittleEndian.AppendUint64(raw, e.count)
	}
	if err := os.WriteFile(filepath.Join(dir, docFreqsFile), raw, 0o644); err != nil {
		return fmt.Errorf("write document frequencies: %w", err)
	}
	return nil
}

func readDocFreqTable(dir string) (docFreqTable, error) {
	raw, err := os.ReadFile(filepath.Join(dir, docFreqsFile))
	if err != nil {
		return docFreqTable{}, fmt.Errorf("open document frequencies: %w", err)
	}
	if len(raw)%16 != 0 {
		return docFreqTable{}, fmt.Errorf("open document frequencies: %s is damaged; rebuild the index", docFreqsFile)
	}
	t := docFreqTable{hashes: make([]uint64, len(raw)/16), counts: make([]uint64, len(raw)/16)}
	for i := range t.hashes {
		t.hashes[i] = binary.LittleEndian.Uint64(raw[16*i:])
		t.counts[i] = binary.LittleEndian.Uint64(raw[16*i+8:])
	}
	return t, nil
}

// get returns the number of passages that hold term, 0 for a term of no
// passage.
func (t docFreqTable) get(term string) uint64 {
	if i, ok := slices.BinarySearch(t.hashes, termHash(term)); ok {
		return t.counts[i]
	}
	return 0
}
