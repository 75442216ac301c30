package index

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Checking an index's fingerprint means reading every passage, which on a
// large corpus takes longer than mining. When the
// passages come from one file, the caller can give each passage its name
// in the file with AddNamed and describe the file (its path, size and
// modification time) with SetSource. The build then keeps the names and
// the description, and a later run with the same description
// opens the index with OpenSource and looks up the names it needs instead
// of reading the file again.

// namesFile holds the passage names, sorted, as records of a uvarint
// length, the name's bytes and a uvarint document ID. A name given to
// several passages keeps the first.
const namesFile = "names.dat"

// Source describes where an index's passages came from.
type Source struct {
	// Key changes whenever the passages may have changed.
	Key string `json:"key"`
	// Info is kept for the caller, such as counts from reading the file.
	Info json.RawMessage `json:"info,omitempty"`
}

// namedID is a passage name and its document ID.
type namedID struct {
	name string
	id   uint32
}

// AddNamed adds a passage as Add does and records its name.
func (b *Builder) AddNamed(name, text string) (uint32, error) {
	id, err := b.Add(text)
	if err == nil {
		b.names = append(b.names, namedID{name, id})
		b.namesSorted = false
	}
	return id, err
}

// sortedNames sorts the recorded names once, however often it is called.
// A stable sort keeps a repeated name's first passage first.
func (b *Builder) sortedNames() []namedID {
	if !b.namesSorted {
		slices.SortStableFunc(b.names, func(x, y namedID) int { return cmp.Compare(x.name, y.name) })
		b.namesSorted = true
	}
	return b.names
}

// SetSource describes the one file that every passage came from, named
// with AddNamed. Build keeps the description and the names for
// OpenSource.
func (b *Builder) SetSource(s Source) { b.source = &s }

// writeNames writes the names that each calls back with, in name order,
// to the names file through a temporary file, so that runs sharing the
// folder never read half of it.
func writeNames(dir string, each func(func(name string, id uint32) error) error) error {
	tmp, err := os.CreateTemp(dir, namesFile+".tmp-")
	if err != nil {
		return fmt.Errorf("write passage names: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	var buf []byte
	err = each(func(name string, id uint32) error {
		buf = binary.AppendUvarint(buf[:0], uint64(len(name)))
		buf = append(buf, name...)
		buf = binary.AppendUvarint(buf, uint64(id))
		_, err := w.Write(buf)
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("write passage names: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write passage names: %w", err)
	}
	// Readable by all, as the other index files, for shards run by other
	// accounts.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write passage names: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, namesFile)); err != nil {
		return fmt.Errorf("write passage names: %w", err)
	}
	return nil
}

// OpenSource opens the index in dir if it was built or last reused with
// the analyzer from the source whose Key is key, and returns it with the
// source's Info. It returns a nil index, and no error, when dir holds no
// such index.
func OpenSource(dir, key, analyzer string) (*Index, json.RawMessage, error) {
	if analyzer == "" {
		analyzer = DefaultAnalyzer
	}
	meta, err := readMeta(dir)
	if err != nil || meta.Source == nil || meta.Source.Key != key || meta.Analyzer != analyzer {
		return nil, nil, nil
	}
	if _, err := os.Stat(filepath.Join(dir, namesFile)); err != nil {
		return nil, nil, nil
	}
	ix, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	return ix, meta.Source.Info, nil
}

// EachName calls fn with every passage name that AddNamed recorded and its
// document ID, in increasing byte order of names. A name given to several
// passages comes once, with the first. It may be called before Build.
func (b *Builder) EachName(fn func(name string, id uint32) error) error {
	names := b.sortedNames()
	for i, n := range names {
		if i > 0 && names[i-1].name == n.name {
			continue
		}
		if err := fn(n.name, n.id); err != nil {
			return err
		}
	}
	return nil
}

// EachName calls fn with every passage name of the names file and its
// document ID, in increasing byte order of names, each name once. It
// reads the file once from start to end.
func (ix *Index) EachName(fn func(name string, id uint32) error) error {
	f, err := os.Open(filepath.Join(ix.dir, namesFile))
	if err != nil {
		return fmt.Errorf("read passage names: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var name []byte
	for {
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read passage names: %w", err)
		}
		name = slices.Grow(name[:0], int(n))[:n]
		if _, err := io.ReadFull(r, name); err != nil {
			return fmt.Errorf("read passage names: %w", err)
		}
		id, err := binary.ReadUvarint(r)
		if err != nil {
			return fmt.Errorf("read passage names: %w", err)
		}
		if err := fn(string(name), uint32(id)); err != nil {
			return err
		}
	}
}
