package index

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The passage store is two files: storeData holds the UTF-8 texts back to
// back, and storeOffsets holds N+1 little-endian uint64 byte offsets into
// it, so that passage i is data[off[i]:off[i+1]].
const (
	storeData    = "passages.dat"
	storeOffsets = "passages.off"
)

// storeWriter appends passages to a store under construction.
type storeWriter struct {
	dir     string
	file    *os.File
	w       *bufio.Writer
	offsets []uint64
}

func createStore(dir string) (*storeWriter, error) {
	f, err := os.Create(filepath.Join(dir, storeData))
	if err != nil {
		return nil, fmt.Errorf("create passage store: %w", err)
	}
	return &storeWriter{dir: dir, file: f, w: bufio.NewWriterSize(f, 1<<20), offsets: []uint64{0}}, nil
}

func (s *storeWriter) len() int { return len(s.offsets) - 1 }

func (s *storeWriter) add(text string) (uint32, error) {
	if _, err := s.w.WriteString(text); err != nil {
		return 0, fmt.Errorf("write passage store: %w", err)
	}
	id := uint32(s.len())
	s.offsets = append(s.offsets, s.offsets[len(s.offsets)-1]+uint64(len(text)))
	return id, nil
}

// text reads back a passage added earlier.
func (s *storeWriter) text(id uint32) (string, error) {
	if err := s.w.Flush(); err != nil {
		return "", fmt.Errorf("write passage store: %w", err)
	}
	return readAt(s.file, s.offsets[id], s.offsets[id+1])
}

// close flushes the texts and writes the offsets file.
func (s *storeWriter) close() error {
	if err := s.w.Flush(); err != nil {
		s.file.Close()
		return fmt.Errorf("write passage store: %w", err)
	}
	if err := s.file.Close(); err != nil {
		return fmt.Errorf("write passage store: %w", err)
	}
	f, err := os.Create(filepath.Join(s.dir, storeOffsets))
	if err != nil {
		return fmt.Errorf("write passage offsets: %w", err)
	}
	w := bufio.NewWriter(f)
	var buf [8]byte
	for _, off := range s.offsets {
		binary.LittleEndian.PutUint64(buf[:], off)
		w.Write(buf[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write passage offsets: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write passage offsets: %w", err)
	}
	return nil
}

// Store reads passages by document ID. It is safe for concurrent use.
type Store struct {
	file    *os.File
	offsets []uint64
}

func openStore(dir string) (*Store, error) {
	raw, err := os.ReadFile(filepath.Join(dir, storeOffsets))
	if err != nil {
		return nil, fmt.Errorf("open passage store: %w", err)
	}
	if len(raw)%8 != 0 || len(raw) < 8 {
		return nil, fmt.Errorf("open passage store: %s is damaged (%d bytes); rebuild the index", storeOffsets, len(raw))
	}
	offsets := make([]uint64, len(raw)/8)
	for i := range offsets {
		offsets[i] = binary.LittleEndian.Uint64(raw[i*8:])
	}
	f, err := os.Open(filepath.Join(dir, storeData))
	if err != nil {
		return nil, fmt.Errorf("open passage store: %w", err)
	}
	fi, err := f.Stat()
	if err != nil || uint64(fi.Size()) != offsets[len(offsets)-1] {
		f.Close()
		return nil, fmt.Errorf("open passage store: %s does not match %s; rebuild the index", storeData, storeOffsets)
	}
	return &Store{file: f, offsets: offsets}, nil
}

// Len returns the number of passages.
func (s *Store) Len() int { return len(s.offsets) - 1 }

// Text returns passage id.
func (s *Store) Text(id uint32) (string, error) {
	if int(id) >= s.Len() {
		return "", fmt.Errorf("read passage: document %d out of range (store holds %d)", id, s.Len())
	}
	return readAt(s.file, s.offsets[id], s.offsets[id+1])
}

// span returns the bytes of passages start to end-1, read at once, and
// the offset in the store at which they begin.
func (s *Store) span(start, end int) ([]byte, uint64, error) {
	if start < 0 || start > end || end > s.Len() {
		return nil, 0, fmt.Errorf("read passages: documents %d to %d out of range (store holds %d)", start, end-1, s.Len())
	}
	buf := make([]byte, s.offsets[end]-s.offsets[start])
	if _, err := s.file.ReadAt(buf, int64(s.offsets[start])); err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("read passages: %w", err)
	}
	return buf, s.offsets[start], nil
}

func (s *Store) close() error { return s.file.Close() }

func readAt(f *os.File, start, end uint64) (string, error) {
	buf := make([]byte, end-start)
	if _, err := f.ReadAt(buf, int64(start)); err != nil && err != io.EOF {
		return "", fmt.Errorf("read passage: %w", err)
	}
	return string(buf), nil
}
