package index

import (
	"fmt"
	"os"

	"github.com/blevesearch/mmap-go"
)

// mappedFile is a file mapped read-only into memory, as Bleve maps its
// segments, so that reading from it costs no system call. Only the stats
// file is mapped: its 16 bytes per passage are read for every examined
// candidate. The passage and term files are read with pread instead. The
// pages of a mapping count in the process's resident memory, and the
// kernel maps cached pages around each one read, so a run that examines
// many candidates would appear to hold most of those large files.
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
