package index

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	bleveindex "github.com/blevesearch/bleve_index_api"
)

// The term store keeps each passage's analyzed terms and their counts, a
// forward index that Bleve's inverted index cannot give without stored
// term vectors. It lets the similarity guard weigh a passage without
// analyzing its text again. termsData contains, per passage, a uvarint term
// count and then each term as a uvarint length, its bytes and a uvarint
// frequency, terms in byte order. termsOffsets contains N+1 little-endian
// uint64 offsets into it.
const (
	termsData    = "terms.dat"
	termsOffsets = "terms.off"
)

// termWriter appends passages' terms, in document ID order.
type termWriter struct {
	file    *os.File
	w       *bufio.Writer
	offsets []uint64
}

func createTermStore(dir string) (*termWriter, error) {
	f, err := os.Create(filepath.Join(dir, termsData))
	if err != nil {
		return nil, fmt.Errorf("create term store: %w", err)
	}
	return &termWriter{file: f, w: bufio.NewWriterSize(f, 1<<20), offsets: []uint64{0}}, nil
}

// appendTerms appends a passage's term store record to buf. It sorts the
// terms in scratch, which it returns for the next call.
func appendTerms(buf []byte, scratch []string, freqs bleveindex.TokenFrequencies) ([]byte, []string) {
	terms := scratch[:0]
	for term := range freqs {
		terms = append(terms, term)
	}
	slices.Sort(terms)
	buf = binary.AppendUvarint(buf, uint64(len(terms)))
	for _, term := range terms {
		buf = binary.AppendUvarint(buf, uint64(len(term)))
		buf = append(buf, term...)
		buf = binary.AppendUvarint(buf, uint64(freqs[term].Frequency()))
	}
	return buf, terms
}

// addEncoded appends the records of the next passages, which appendTerms
// wrote one after another into data, and sizes contains their lengths.
func (t *termWriter) addEncoded(data []byte, sizes []int) error {
	if _, err := t.w.Write(data); err != nil {
		return fmt.Errorf("write term store: %w", err)
	}
	for _, n := range sizes {
		t.offsets = append(t.offsets, t.offsets[len(t.offsets)-1]+uint64(n))
	}
	return nil
}

// abort closes the data file of a build that failed.
func (t *termWriter) abort() { t.file.Close() }

// close flushes the data and writes the offsets.
func (t *termWriter) close(dir string) error {
	if err := t.w.Flush(); err != nil {
		t.file.Close()
		return fmt.Errorf("write term store: %w", err)
	}
	if err := t.file.Close(); err != nil {
		return fmt.Errorf("write term store: %w", err)
	}
	raw := make([]byte, 0, 8*len(t.offsets))
	for _, off := range t.offsets {
		raw = binary.LittleEndian.AppendUint64(raw, off)
	}
	if err := os.WriteFile(filepath.Join(dir, termsOffsets), raw, 0o644); err != nil {
		return fmt.Errorf("write term store: %w", err)
	}
	return nil
}

// termStore reads passages' terms. It is safe for concurrent use.
type termStore struct {
	file    *os.File
	offsets []uint64
}

func openTermStore(dir string, passages int) (*termStore, error) {
	raw, err := os.ReadFile(filepath.Join(dir, termsOffsets))
	if err != nil {
		return nil, fmt.Errorf("open term store: %w", err)
	}
	if len(raw) != 8*(passages+1) {
		return nil, fmt.Errorf("open term store: %s does not match %d passages; rebuild the index", termsOffsets, passages)
	}
	offsets := make([]uint64, passages+1)
	for i := range offsets {
		offsets[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	f, err := os.Open(filepath.Join(dir, termsData))
	if err != nil {
		return nil, fmt.Errorf("open term store: %w", err)
	}
	return &termStore{file: f, offsets: offsets}, nil
}

// terms returns passage id's terms and their counts.
func (s *termStore) terms(id uint32) ([]string, []int, error) {
	buf, err := s.raw(id, nil)
	if err != nil {
		return nil, nil, err
	}
	var terms []string
	var counts []int
	err = eachTerm(id, buf, func(term []byte, tf uint64) {
		terms = append(terms, string(term))
		counts = append(counts, int(tf))
	})
	if err != nil {
		return nil, nil, err
	}
	return terms, counts, nil
}

// raw reads passage id's encoded terms into buf, grown as needed.
func (s *termStore) raw(id uint32, buf []byte) ([]byte, error) {
	if int(id)+1 >= len(s.offsets) {
		return nil, fmt.Errorf("read terms: document %d out of range", id)
	}
	n := int(s.offsets[id+1] - s.offsets[id])
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := s.file.ReadAt(buf, int64(s.offsets[id])); err != nil {
		return nil, fmt.Errorf("read terms of document %d: %w", id, err)
	}
	return buf, nil
}

// eachTerm calls fn with each term of passage id's encoded terms and its
// count. The term's bytes are valid only during the call.
func eachTerm(id uint32, buf []byte, fn func(term []byte, tf uint64)) error {
	damaged := func() error {
		return fmt.Errorf("read terms of document %d: damaged term store; rebuild the index", id)
	}
	n, k := binary.Uvarint(buf)
	if k <= 0 {
		return damaged()
	}
	buf = buf[k:]
	for range n {
		l, k := binary.Uvarint(buf)
		if k <= 0 || uint64(len(buf)-k) < l {
			return damaged()
		}
		term := buf[k : k+int(l)]
		buf = buf[k+int(l):]
		tf, k := binary.Uvarint(buf)
		if k <= 0 {
			return damaged()
		}
		buf = buf[k:]
		fn(term, tf)
	}
	return nil
}

func (s *termStore) close() error { return s.file.Close() }
