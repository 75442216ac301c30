package index

import (
	"fmt"
	"os"

	"github.com/blevesearch/mmap-go"
)

// mappedFile is a file mapped read-only into memory, as Bleve maps its
// segments, so that reading a passage's text, terms or stats costs no
// system call. The operating system pages it in and out as needed.
type mappedFile struct {
	file *os.File
	data mmap.MMap
}

func mapFile(path string) (*mappedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	m := &mappedFile{file: f}
	if fi.Size() == 0 {
		// An empty file cannot be mapped, and holds nothing to read.
		return m, nil
	}
	if m.data, err = mmap.Map(f, mmap.RDONLY, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("map %s: %w", path, err)
	}
	return m, nil
}

func (m *mappedFile) close() error {
	var err error
	if m.data != nil {
		err = m.data.Unmap()
		m.data = nil
	}
	if cerr := m.file.Close(); err == nil {
		err = cerr
	}
	return err
}
