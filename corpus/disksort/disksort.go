// Package disksort sorts streams of records that may not fit in memory. It
// wraps an external merge sort: records are gathered in chunks of a fixed
// count, each chunk is sorted and written to a temporary file, and the
// chunks are merged when the sorted stream is read. Memory stays at a few
// chunks whatever the number of records.
package disksort

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/lanrat/extsort"
)

// ChunkRecords is the number of records sorted in memory at a time.
const ChunkRecords = 1 << 13

// ErrStopped is returned by Add after the sort has failed or been
// stopped; Each then reports the cause.
var ErrStopped = errors.New("sort stopped")

// Sorter sorts records of type E. Add every record, then call Each once to
// read them in order, or Stop to give up. A Sorter is not safe for
// concurrent use.
type Sorter[E any] struct {
	in     chan E
	out    <-chan E
	errc   <-chan error
	cancel context.CancelFunc
	closed bool
	done   bool
}

// New starts a sorter whose temporary files go to the system's temporary
// folder ($TMPDIR). encode and decode convert a record to and from bytes;
// compare orders two records as cmp.Compare does.
func New[E any](encode func(E) ([]byte, error), decode func([]byte) (E, error), compare func(a, b E) int) *Sorter[E] {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan E, 256)
	cfg := &extsort.Config{
		ChunkSize:          ChunkRecords,
		NumWorkers:         1,
		ChanBuffSize:       0,
		SortedChanBuffSize: 256,
		TempFilesDir:       os.TempDir(),
	}
	s, out, errc := extsort.Generic(in, decode, encode, compare, cfg)
	go s.Sort(ctx)
	return &Sorter[E]{in: in, out: out, errc: errc, cancel: cancel}
}

// Add hands one record to the sort. It returns the sort's error when the
// sort has failed, and ErrStopped when it has been stopped.
func (s *Sorter[E]) Add(e E) error {
	if s.closed {
		return ErrStopped
	}
	select {
	case s.in <- e:
		return nil
	case _, ok := <-s.out:
		// The sorted stream is only written after the input ends, so a
		// receive here means the sort failed and closed it.
		if ok {
			panic("disksort: sorted record before the input ended")
		}
		s.closeInput()
		s.done = true
		err := <-s.errc
		s.cancel()
		if err == nil {
			return ErrStopped
		}
		return fmt.Errorf("sort: %w", err)
	}
}

// Next ends the input on its first call and returns the records in order,
// one per call. At the end it returns false with the sort's error, if
// any; the temporary files are gone by then.
func (s *Sorter[E]) Next() (E, bool, error) {
	s.closeInput()
	if s.done {
		var zero E
		return zero, false, nil
	}
	e, ok := <-s.out
	if ok {
		return e, true, nil
	}
	s.done = true
	err := <-s.errc
	s.cancel()
	if err != nil {
		return e, false, fmt.Errorf("sort: %w", err)
	}
	return e, false, nil
}

// Each calls fn with every record in order, as Next returns them. It stops
// at the first error from fn or from the sort, and removes the temporary
// files in every case.
func (s *Sorter[E]) Each(fn func(E) error) error {
	for {
		e, ok, err := s.Next()
		if !ok {
			return err
		}
		if err := fn(e); err != nil {
			s.Stop()
			return err
		}
	}
}

// Stop gives up the sort and removes its temporary files. It may be
// called after Each, and more than once.
func (s *Sorter[E]) Stop() {
	if s.done {
		return
	}
	s.done = true
	s.closeInput()
	s.drain()
}

func (s *Sorter[E]) closeInput() {
	if !s.closed {
		s.closed = true
		close(s.in)
	}
}

// drain cancels the sort and waits for it to finish.
func (s *Sorter[E]) drain() {
	s.cancel()
	for range s.out {
	}
	<-s.errc
}
