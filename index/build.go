package index

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// formatVersion changes whenever the index folder's layout or content
// changes meaning, so that an older folder is rebuilt, not misread.
const formatVersion = 3

// Names inside an index folder.
const (
	metaFile   = "meta.json"
	bleveDir   = "bleve"
	stagingDir = "staging"
)

// DefaultBatchSize is the number of passages in each Bleve segment that the
// build writes before merging them into one.
const DefaultBatchSize = 2000

// Options are the settings an index is built with.
type Options struct {
	// Analyzer names the Bleve analyzer for passages and queries.
	Analyzer string
	// BatchSize is the number of passages per Bleve segment before the
	// segments are merged.
	BatchSize int
	// Progress, when not nil, is called after each batch with the number of
	// passages indexed so far and the total.
	Progress func(done, total int)
	// Rebuild replaces an existing index built from other passages or
	// settings; without it, Build reports the difference as ErrMismatch.
	Rebuild bool
}

// ErrMismatch is returned by Build when the index folder holds an index of
// other passages or settings and Options.Rebuild is not set.
var ErrMismatch = errors.New("index folder holds a different index")

// Meta describes a built index; it is stored as meta.json in the folder.
type Meta struct {
	Format   int    `json:"format"`
	Analyzer string `json:"analyzer"`
	Passages int    `json:"passages"`
	// Tokens is the number of analyzed tokens over all passages, the sum of
	// the document lengths that BM25 normalises by.
	Tokens uint64 `json:"tokens"`
	// Fingerprint is a SHA-256 over the format, the analyzer and every
	// passage text in order.
	Fingerprint string `json:"fingerprint"`
	// Source describes the file the passages came from, when the builder
	// was given one.
	Source *Source `json:"source,omitempty"`
}

// Builder collects passages, skipping exact duplicates, and then builds or
// reuses the index. It is not safe for concurrent use.
type Builder struct {
	dir  string
	temp bool
	// owner, for a temporary folder, keeps the folder's owner file
	// locked until the folder is removed.
	owner   *os.File
	opts    Options
	store   *storeWriter
	seed    maphash.Seed
	seen    map[uint64]uint32
	collide map[uint64][]uint32
	fp      hash.Hash
	staging string
	names   []namedID
	// namesSorted reports that names is sorted by name.
	namesSorted bool
	source      *Source
}

// NewBuilder starts an index in dir, or in a new temporary folder that
// Index.Close removes when dir is empty. An existing dir must be empty or
// hold an index built by this package; its index is reused by Build when
// the passages and options are the same, and replaced otherwise.
func NewBuilder(dir string, opts Options) (*Builder, error) {
	if opts.Analyzer == "" {
		opts.Analyzer = DefaultAnalyzer
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if _, err := newMapping(opts.Analyzer); err != nil {
		return nil, err
	}
	b := &Builder{dir: dir, opts: opts, seed: maphash.MakeSeed(),
		seen: make(map[uint64]uint32), collide: make(map[uint64][]uint32), fp: sha256.New()}
	if dir == "" {
		tmp, owner, err := makeTempDir()
		if err != nil {
			return nil, err
		}
		b.dir, b.temp, b.owner = tmp, true, owner
	} else if err := checkIndexDir(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index folder: %w", err)
	}
	// Each process stages its passages in a folder of its own, so that
	// shards of one job can open a shared index folder at once.
	staging, err := os.MkdirTemp(b.dir, stagingDir+"-")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	b.staging = staging
	store, err := createStore(staging)
	if err != nil {
		return nil, err
	}
	b.store = store
	fmt.Fprintf(b.fp, "mine index format %d\nanalyzer %s\n", formatVersion, opts.Analyzer)
	return b, nil
}

// checkIndexDir accepts a missing or empty folder, or one that holds an
// index of ours (possibly half-built), so that a typo in -index cannot
// delete a user's files.
func checkIndexDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open index folder: %w", err)
	}
	ours := map[string]bool{metaFile: true, metaFile + ".tmp": true, bleveDir: true, stagingDir: true, storeData: true, storeOffsets: true,
		termsData: true, termsOffsets: true, statsFile: true, docFreqsFile: true, namesFile: true}
	for _, e := range entries {
		if !ours[e.Name()] && !strings.HasPrefix(e.Name(), stagingDir+"-") && !strings.HasPrefix(e.Name(), namesFile+".tmp-") {
			return fmt.Errorf("index folder %s holds %q, which is not part of a mine index; give a new or empty folder", dir, e.Name())
		}
	}
	return nil
}

// Add adds a passage unless the same text was added before, and returns its
// document ID.
func (b *Builder) Add(text string) (uint32, error) {
	h := maphash.String(b.seed, text)
	if id, ok := b.seen[h]; ok {
		same, err := b.sameText(id, text)
		if err != nil || same {
			return id, err
		}
		for _, other := range b.collide[h] {
			if same, err := b.sameText(other, text); err != nil || same {
				return other, err
			}
		}
		id, err := b.append(text)
		b.collide[h] = append(b.collide[h], id)
		return id, err
	}
	id, err := b.append(text)
	b.seen[h] = id
	return id, err
}

func (b *Builder) sameText(id uint32, text string) (bool, error) {
	if b.store.offsets[id+1]-b.store.offsets[id] != uint64(len(text)) {
		return false, nil
	}
	stored, err := b.store.text(id)
	return stored == text, err
}

func (b *Builder) append(text string) (uint32, error) {
	if b.store.len() == 1<<32-1 {
		return 0, fmt.Errorf("add passage: more than %d passages", uint32(1<<32-1))
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(text)))
	b.fp.Write(n[:])
	b.fp.Write([]byte(text))
	return b.store.add(text)
}

// Len returns the number of distinct passages added.
func (b *Builder) Len() int { return b.store.len() }

// Build finishes the passage store and returns the open index, and whether
// an existing index with the same fingerprint was reused. Building can be
// cancelled through ctx; the folder is then left for the next run to clear.
func (b *Builder) Build(ctx context.Context) (*Index, bool, error) {
	if err := b.store.close(); err != nil {
		return nil, false, err
	}
	fingerprint := hex.EncodeToString(b.fp.Sum(nil))
	staging := b.staging
	old, err := readMeta(b.dir)
	if err == nil && old.Fingerprint == fingerprint {
		if err := os.RemoveAll(staging); err != nil {
			return nil, false, fmt.Errorf("clear staging folder: %w", err)
		}
		if b.source != nil && !sameSource(old.Source, b.source) {
			// The same passages from a file described anew, say one
			// touched without changes: keep the new description.
			if err := writeNames(b.dir, b.EachName); err != nil {
				return nil, false, err
			}
			old.Source = b.source
			if err := writeMeta(b.dir, old); err != nil {
				return nil, false, err
			}
		}
		ix, err := b.open()
		return ix, true, err
	}
	if err == nil && !b.opts.Rebuild {
		os.RemoveAll(staging)
		return nil, false, b.mismatch(old)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) && !b.opts.Rebuild {
		// An index of another format, or damaged settings. A folder
		// without settings holds a build that did not finish, which is
		// replaced without asking.
		os.RemoveAll(staging)
		return nil, false, fmt.Errorf("%w: %v; rebuild it with -rebuild", ErrMismatch, err)
	}
	for _, name := range []string{metaFile, bleveDir, storeData, storeOffsets, termsData, termsOffsets, statsFile, docFreqsFile, namesFile} {
		if err := os.RemoveAll(filepath.Join(b.dir, name)); err != nil {
			return nil, false, fmt.Errorf("clear old index: %w", err)
		}
	}
	for _, name := range []string{storeData, storeOffsets} {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(b.dir, name)); err != nil {
			return nil, false, fmt.Errorf("move passage store: %w", err)
		}
	}
	if err := os.Remove(staging); err != nil {
		return nil, false, fmt.Errorf("clear staging folder: %w", err)
	}
	tokens, err := b.indexPassages(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := writeStats(ctx, b.dir, b.store.len()); err != nil {
		return nil, false, err
	}
	if b.source != nil {
		if err := writeNames(b.dir, b.EachName); err != nil {
			return nil, false, err
		}
	}
	if err := shareFiles(filepath.Join(b.dir, bleveDir)); err != nil {
		return nil, false, err
	}
	meta := Meta{Format: formatVersion, Analyzer: b.opts.Analyzer, Passages: b.store.len(), Tokens: tokens,
		Fingerprint: fingerprint, Source: b.source}
	if err := writeMeta(b.dir, meta); err != nil {
		return nil, false, err
	}
	ix, err := b.open()
	return ix, false, err
}

// open opens the built index, which takes over a temporary folder's owner
// file.
func (b *Builder) open() (*Index, error) {
	ix, err := open(b.dir, b.temp)
	if err == nil {
		ix.owner, b.owner = b.owner, nil
	}
	return ix, err
}

// shareFiles makes the files under dir readable by every account, as the
// rest of the index folder is: Bleve creates its files readable by their
// owner only, which keeps shards run by other accounts out.
func shareFiles(dir string) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		return os.Chmod(path, 0o644)
	})
	if err != nil {
		return fmt.Errorf("share index files: %w", err)
	}
	return nil
}

// sameSource reports whether two source descriptions are equal.
func sameSource(a, b *Source) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Key == b.Key && bytes.Equal(compactJSON(a.Info), compactJSON(b.Info))
}

// compactJSON returns raw without insignificant spaces, as meta.json's
// indentation adds them.
func compactJSON(raw json.RawMessage) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return raw
	}
	return buf.Bytes()
}

// mismatch describes how the index in the folder differs from the one
// asked for.
func (b *Builder) mismatch(old Meta) error {
	why := fmt.Sprintf("it was built from %d passages, this run has %d", old.Passages, b.store.len())
	switch {
	case old.Analyzer != b.opts.Analyzer:
		why = fmt.Sprintf("it was built with analyzer %q, this run asks for %q", old.Analyzer, b.opts.Analyzer)
	case old.Passages == b.store.len():
		why = fmt.Sprintf("it holds %d passages, as this run does, but their texts differ", old.Passages)
	}
	return fmt.Errorf("%w: %s: %s; rebuild it with -rebuild, or give another -index folder", ErrMismatch, b.dir, why)
}

// docID formats a document ID so that string order is numeric order, which
// keeps Bleve's own tie-break by ID consistent with ours.
func docID(id uint32) string {
	s := strconv.FormatUint(uint64(id), 10)
	const width = 10
	if len(s) < width {
		s = "0000000000"[:width-len(s)] + s
	}
	return s
}

func parseDocID(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("read document ID %q: %w", s, err)
	}
	return uint32(n), nil
}

func readMeta(dir string) (Meta, error) {
	var m Meta
	raw, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, fmt.Errorf("read index settings: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("read index settings %s: %w", filepath.Join(dir, metaFile), err)
	}
	if m.Format != formatVersion {
		return m, fmt.Errorf("index in %s has format %d, this build reads %d", dir, m.Format, formatVersion)
	}
	return m, nil
}

// writeMeta writes meta.json last and atomically: its presence marks a
// complete index.
func writeMeta(dir string, m Meta) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write index settings: %w", err)
	}
	tmp := filepath.Join(dir, metaFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write index settings: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, metaFile)); err != nil {
		return fmt.Errorf("write index settings: %w", err)
	}
	return nil
}
