package pipeline

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/corpus/disksort"
	"github.com/mine-tools/mine/index"
)

// spool keeps the records read from the input in a temporary file, with
// their passages as document IDs, so that memory does not grow with the
// number of queries. Records that share a query text are merged, as
// corpus.Group merges them, by two external sorts: one by query text to
// find each group's first record, one by that first record to put the
// groups in first-seen order. The result is a plan file of fixed-size
// entries that each pass reads from the start.
type spool struct {
	file *os.File
	w    *bufio.Writer
	size int64
	// ids returns the document ID of a passage text.
	ids     func(string) (uint32, error)
	byQuery *disksort.Sorter[queryEntry]
	// keys, when not nil, receives each group's held-out rank (evalKey
	// with seed).
	keys *disksort.Sorter[[32]byte]
	seed int64
	err  error
	buf  []byte

	// Raw counts the records added, Duplicates the passages an added
	// record repeated in the same role, Groups the records after merging.
	Raw, Duplicates, Groups int
	plan                    *os.File
}

// queryEntry places one spooled record in the sort by query text. Line
// and off order the records of one query by their place in the input.
type queryEntry struct {
	query string
	line  uint64
	off   uint64
	n     uint32
}

// planEntry places one spooled record in the sort by group: first is the
// spool offset of the group's first record.
type planEntry struct {
	firstLine, first uint64
	line, off        uint64
	n                uint32
}

// planEntrySize is the size of an entry in the plan file: the group's
// first offset, the record's offset and its length.
const planEntrySize = 20

// spooled is one record as the spool keeps it.
type spooled struct {
	line                int
	query               string
	answers             []string
	relevant, negatives []uint32
}

// newSpool creates a spool whose passage texts become IDs through ids.
func newSpool(cfg *Config, ids func(string) (uint32, error)) (*spool, error) {
	f, err := createTemp("mine-records-*")
	if err != nil {
		return nil, err
	}
	s := &spool{file: f, w: bufio.NewWriterSize(f, 1<<20), ids: ids, keys: newEvalKeys(cfg), seed: cfg.Seed}
	s.byQuery = disksort.New(encodeQueryEntry, decodeQueryEntry, compareQueryEntry)
	return s, nil
}

// createTemp creates a temporary file and unlinks it at once. On Unix the
// open file stays usable, and a killed process leaves nothing behind.
func createTemp(pattern string) (*os.File, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, fmt.Errorf("create temporary file in %s (set TMPDIR to a writable folder): %w", os.TempDir(), err)
	}
	if os.Remove(f.Name()) != nil {
		// TODO: remove the file at close on systems that cannot unlink an open file.
		return f, nil
	}
	return f, nil
}

// Add spools one record. It implements corpus.RecordSink; an error is
// kept and returned by finish.
func (s *spool) Add(r corpus.Record) {
	if s.err != nil {
		return
	}
	s.err = s.add(r)
}

func (s *spool) add(r corpus.Record) error {
	relevant := r.RelevantIDs
	if relevant == nil {
		var err error
		if relevant, err = s.idsOf(r.Relevant); err != nil {
			return err
		}
	}
	negatives, err := s.idsOf(r.Negatives)
	if err != nil {
		return err
	}
	rec := spooled{line: r.Line, query: r.Query}
	var repeated int
	rec.relevant, repeated = appendNew(nil, relevant)
	s.Duplicates += repeated
	rec.negatives, repeated = appendNew(nil, negatives)
	s.Duplicates += repeated
	// Answers repeat once per annotator in QA data, so their repeats are
	// not counted.
	rec.answers, _ = appendNew(nil, r.Answers)

	s.buf = rec.appendTo(s.buf[:0])
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("spool records: %w", err)
	}
	e := queryEntry{query: r.Query, line: uint64(r.Line), off: uint64(s.size), n: uint32(len(s.buf))}
	s.size += int64(len(s.buf))
	s.Raw++
	return s.byQuery.Add(e)
}

// idsOf returns the document IDs of passage texts.
func (s *spool) idsOf(texts []string) ([]uint32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	ids := make([]uint32, len(texts))
	for i, t := range texts {
		id, err := s.ids(t)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// appendNew appends, in order, the items of add that dst does not contain
// yet, and returns how many it left out as repeats.
func appendNew[T comparable](dst, add []T) ([]T, int) {
	repeated := 0
	for _, v := range add {
		if slices.Contains(dst, v) {
			repeated++
			continue
		}
		dst = append(dst, v)
	}
	return dst, repeated
}

// finish ends the input and writes the plan.
func (s *spool) finish() error {
	if s.err == nil {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("spool records: %w", err)
		}
	}
	if s.err != nil {
		s.byQuery.Stop()
		return s.err
	}

	// Sorted by query text, the records of one query are adjacent and
	// the first of them is the group's first.
	byGroup := disksort.New(encodePlanEntry, decodePlanEntry, comparePlanEntry)
	defer byGroup.Stop()
	var first queryEntry
	err := s.byQuery.Each(func(e queryEntry) error {
		if s.Groups == 0 || e.query != first.query {
			first = e
			s.Groups++
			if s.keys != nil {
				if err := s.keys.Add(evalKey(s.seed, e.query)); err != nil {
					return err
				}
			}
		}
		return byGroup.Add(planEntry{firstLine: first.line, first: first.off, line: e.line, off: e.off, n: e.n})
	})
	if err != nil {
		return err
	}

	// Sorted by group, the plan lists groups in first-seen order.
	if s.plan, err = createTemp("mine-plan-*"); err != nil {
		return err
	}
	w := bufio.NewWriterSize(s.plan, 1<<16)
	var b [planEntrySize]byte
	err = byGroup.Each(func(e planEntry) error {
		binary.LittleEndian.PutUint64(b[0:], e.first)
		binary.LittleEndian.PutUint64(b[8:], e.off)
		binary.LittleEndian.PutUint32(b[16:], e.n)
		_, err := w.Write(b[:])
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("write record plan: %w", err)
	}
	return nil
}

// each calls fn with every merged record in first-seen order, with its
// position among them. Merging keeps passages in first-seen order and
// each passage once.
func (s *spool) each(fn func(i int, r spooled) error) error {
	if _, err := s.plan.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read record plan: %w", err)
	}
	r := bufio.NewReaderSize(s.plan, 1<<16)
	var b [planEntrySize]byte
	var rec spooled
	var first uint64
	i := -1
	var buf []byte
	for {
		_, err := io.ReadFull(r, b[:])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read record plan: %w", err)
		}
		g, off, n := binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint32(b[16:])
		buf = slices.Grow(buf[:0], int(n))[:n]
		if _, err := s.file.ReadAt(buf, int64(off)); err != nil {
			return fmt.Errorf("read spooled record: %w", err)
		}
		member, err := decodeSpooled(buf)
		if err != nil {
			return err
		}
		if i >= 0 && g == first {
			rec.merge(member)
			continue
		}
		if i >= 0 {
			if err := fn(i, rec); err != nil {
				return err
			}
		}
		i++
		first, rec = g, member
	}
	if i >= 0 {
		return fn(i, rec)
	}
	return nil
}

// close removes the spool's files.
func (s *spool) close() {
	s.byQuery.Stop()
	if s.keys != nil {
		s.keys.Stop()
	}
	s.file.Close()
	if s.plan != nil {
		s.plan.Close()
	}
}

// merge adds the passages and answer strings of a later record with the
// same query. Passages that the two share are not counted as repeats.
func (r *spooled) merge(o spooled) {
	r.relevant, _ = appendNew(r.relevant, o.relevant)
	r.negatives, _ = appendNew(r.negatives, o.negatives)
	r.answers, _ = appendNew(r.answers, o.answers)
}

// record returns the record with its passages' texts from the index.
func (r *spooled) record(ix *index.Index) (corpus.Record, error) {
	rec := corpus.Record{Query: r.query, Answers: r.answers, Line: r.line}
	var err error
	if rec.Relevant, err = texts(ix, r.relevant); err != nil {
		return rec, err
	}
	rec.Negatives, err = texts(ix, r.negatives)
	return rec, err
}

func texts(ix *index.Index, ids []uint32) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		t, err := ix.Text(id)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

func (r *spooled) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(r.line))
	b = disksort.AppendString(b, r.query)
	b = binary.AppendUvarint(b, uint64(len(r.answers)))
	for _, a := range r.answers {
		b = disksort.AppendString(b, a)
	}
	for _, ids := range [][]uint32{r.relevant, r.negatives} {
		b = binary.AppendUvarint(b, uint64(len(ids)))
		for _, id := range ids {
			b = binary.AppendUvarint(b, uint64(id))
		}
	}
	return b
}

// errSpool reports a spooled record that does not decode: the temporary
// file was changed or cut short.
var errSpool = errors.New("read spooled record: damaged temporary file")

// decodeSpooled reads a record that appendTo wrote.
func decodeSpooled(b []byte) (spooled, error) {
	var r spooled
	line, b, ok := disksort.Uvarint(b)
	if ok {
		r.line = int(line)
		r.query, b, ok = disksort.String(b)
	}
	var n uint64
	if ok {
		n, b, ok = disksort.Uvarint(b)
	}
	for i := uint64(0); ok && i < n; i++ {
		var a string
		a, b, ok = disksort.String(b)
		r.answers = append(r.answers, a)
	}
	if ok {
		r.relevant, b, ok = decodeIDs(b)
	}
	if ok {
		r.negatives, _, ok = decodeIDs(b)
	}
	if !ok {
		return spooled{}, errSpool
	}
	return r, nil
}

// decodeIDs reads a count and that many document IDs.
func decodeIDs(b []byte) ([]uint32, []byte, bool) {
	n, b, ok := disksort.Uvarint(b)
	if !ok || n > uint64(len(b)) {
		return nil, nil, false
	}
	var ids []uint32
	for i := uint64(0); i < n; i++ {
		var id uint64
		if id, b, ok = disksort.Uvarint(b); !ok {
			return nil, nil, false
		}
		ids = append(ids, uint32(id))
	}
	return ids, b, true
}

func encodeQueryEntry(e queryEntry) ([]byte, error) {
	b := make([]byte, 0, 24+len(e.query))
	b = binary.LittleEndian.AppendUint64(b, e.line)
	b = binary.LittleEndian.AppendUint64(b, e.off)
	b = binary.LittleEndian.AppendUint32(b, e.n)
	return append(b, e.query...), nil
}

func decodeQueryEntry(b []byte) (queryEntry, error) {
	if len(b) < 20 {
		return queryEntry{}, errSpool
	}
	return queryEntry{line: binary.LittleEndian.Uint64(b), off: binary.LittleEndian.Uint64(b[8:]),
		n: binary.LittleEndian.Uint32(b[16:]), query: string(b[20:])}, nil
}

func compareQueryEntry(a, b queryEntry) int {
	return cmp.Or(cmp.Compare(a.query, b.query), cmp.Compare(a.line, b.line), cmp.Compare(a.off, b.off))
}

func encodePlanEntry(e planEntry) ([]byte, error) {
	b := make([]byte, 36)
	binary.LittleEndian.PutUint64(b, e.firstLine)
	binary.LittleEndian.PutUint64(b[8:], e.first)
	binary.LittleEndian.PutUint64(b[16:], e.line)
	binary.LittleEndian.PutUint64(b[24:], e.off)
	binary.LittleEndian.PutUint32(b[32:], e.n)
	return b, nil
}

func decodePlanEntry(b []byte) (planEntry, error) {
	if len(b) != 36 {
		return planEntry{}, errSpool
	}
	return planEntry{firstLine: binary.LittleEndian.Uint64(b), first: binary.LittleEndian.Uint64(b[8:]),
		line: binary.LittleEndian.Uint64(b[16:]), off: binary.LittleEndian.Uint64(b[24:]), n: binary.LittleEndian.Uint32(b[32:])}, nil
}

func comparePlanEntry(a, b planEntry) int {
	return cmp.Or(cmp.Compare(a.firstLine, b.firstLine), cmp.Compare(a.first, b.first),
		cmp.Compare(a.line, b.line), cmp.Compare(a.off, b.off))
}
