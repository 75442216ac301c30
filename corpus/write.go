package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CohereRecord is one line of Cohere's rerank fine-tuning format. The field
// order is the order Cohere documents.
type CohereRecord struct {
	Query            string   `json:"query"`
	RelevantPassages []string `json:"relevant_passages"`
	// HardNegatives is omitted when empty: some trainers fail on an empty
	// list, and Cohere treats the field as optional.
	HardNegatives []string `json:"hard_negatives,omitempty"`
}

// Writer writes records as JSON lines, UTF-8, without HTML escaping, so a
// passage's "&", "<" and ">" come out as they went in.
type Writer struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

// NewWriter returns a Writer on w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	wr := &Writer{w: bufio.NewWriterSize(w, 1<<16)}
	wr.enc = json.NewEncoder(&wr.buf)
	wr.enc.SetEscapeHTML(false)
	return wr
}

// Write writes v as one line.
func (w *Writer) Write(v any) error {
	w.buf.Reset()
	if err := w.enc.Encode(v); err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// Flush writes any buffered data.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// Output is a destination that becomes visible only when committed: a
// temporary file in the target's folder renamed over the target, or a
// stream such as standard output for "-".
type Output struct {
	name string
	// target is the file that Commit replaces: name, or the file it links
	// to.
	target  string
	file    *os.File
	tmp     string
	stream  io.Closer
	counter countingWriter
	// keep leaves the temporary file in place on Abort, for a later run to
	// resume.
	keep bool
}

// PartialName returns the name of the partial file that OpenPartial uses
// for name: a hidden file beside it.
func PartialName(name string) string {
	dir, base := filepath.Split(name)
	return filepath.Join(dir, "."+base+".partial")
}

// OpenPartial opens the partial file of name for a run that can be resumed:
// it keeps the first keep bytes written by an earlier run, drops anything
// after them, and appends. Abort leaves the partial file in place; Commit
// renames it to name.
func OpenPartial(name string, keep int64) (*Output, error) {
	target, special, err := outputTarget(name)
	if err != nil {
		return nil, err
	}
	if special {
		return nil, fmt.Errorf("open partial output: %s is not a regular file; a resumable run needs one", name)
	}
	path := PartialName(target)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open partial output: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() < keep {
		err = fmt.Errorf("%s holds %d bytes, the checkpoint says %d; remove it and its checkpoint to start over", path, fi.Size(), keep)
	}
	if err == nil {
		err = f.Truncate(keep)
	}
	if err == nil {
		_, err = f.Seek(keep, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open partial output: %w", err)
	}
	o := &Output{name: name, target: target, file: f, tmp: path, keep: true}
	o.counter = countingWriter{w: f, n: keep}
	return o, nil
}

// outputTarget returns the file that writing name replaces, following a
// symbolic link so that the link stays. It also reports whether that file
// is a device or named pipe rather than a regular file. A folder is an
// error.
func outputTarget(name string) (string, bool, error) {
	target := name
	if resolved, err := filepath.EvalSymlinks(name); err == nil {
		target = resolved
	}
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return target, false, nil
	case err != nil:
		return "", false, fmt.Errorf("create output %s: %w", name, err)
	case fi.IsDir():
		return "", false, fmt.Errorf("create output %s: it is a folder; give a file name", name)
	}
	return target, !fi.Mode().IsRegular(), nil
}

// CreateOutput opens name for writing through a temporary file beside it,
// or beside the file it links to. For "-" it writes to stdout, or to
// os.Stdout when stdout is nil. A device or named pipe, such as /dev/null,
// is written directly, as a stream.
func CreateOutput(name string, stdout io.Writer) (*Output, error) {
	o := &Output{name: name}
	if name == StdinName {
		if stdout == nil {
			stdout = os.Stdout
		}
		o.counter.w = stdout
		return o, nil
	}
	target, special, err := outputTarget(name)
	if err != nil {
		return nil, err
	}
	if special {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("create output %s: %w", name, err)
		}
		o.stream, o.counter.w = f, f
		return o, nil
	}
	o.target = target
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("create output %s: folder %s does not exist; create it first", name, dir)
		}
		return nil, fmt.Errorf("create output %s: %w", name, err)
	}
	o.file, o.tmp, o.counter.w = f, f.Name(), f
	return o, nil
}

// Writer returns the stream to write to.
func (o *Output) Writer() io.Writer { return &o.counter }

// Size returns the number of bytes written so far.
func (o *Output) Size() int64 { return o.counter.n }

// countingWriter counts the bytes that pass through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Commit syncs the temporary file and renames it to the target name, or
// closes a device or pipe.
func (o *Output) Commit() error {
	if o.stream != nil {
		err := o.stream.Close()
		o.stream = nil
		if err != nil {
			return fmt.Errorf("write %s: %w", o.name, err)
		}
		return nil
	}
	if o.tmp == "" {
		return nil
	}
	if err := o.file.Sync(); err != nil {
		o.Abort()
		return fmt.Errorf("write %s: %w", o.name, err)
	}
	if err := o.file.Close(); err != nil {
		o.Abort()
		return fmt.Errorf("write %s: %w", o.name, err)
	}
	if err := os.Chmod(o.tmp, 0o644); err != nil {
		o.Abort()
		return fmt.Errorf("write %s: %w", o.name, err)
	}
	if err := os.Rename(o.tmp, o.target); err != nil {
		o.Abort()
		return fmt.Errorf("write %s: %w", o.name, err)
	}
	o.tmp = ""
	return nil
}

// Abort removes the temporary file, or closes it when OpenPartial made it;
// the target is left as it was. It is a no-op after Commit, and for a
// stream.
func (o *Output) Abort() {
	if o.stream != nil {
		o.stream.Close()
		o.stream = nil
	}
	if o.tmp == "" {
		return
	}
	o.file.Close()
	if !o.keep {
		os.Remove(o.tmp)
	}
	o.tmp = ""
}

// Format names an output layout.
type Format string

// Output layouts.
const (
	// FormatCohere is Cohere's rerank fine-tuning JSONL.
	FormatCohere Format = "cohere"
	// FormatFlag is FlagEmbedding's {"query", "pos", "neg"} JSONL.
	FormatFlag Format = "flag"
	// FormatTriplets is sentence-transformers' {"anchor", "positive",
	// "negative"} JSONL, one line per positive and negative pair.
	FormatTriplets Format = "triplets"
)

// Formats lists the output layouts.
var Formats = []Format{FormatCohere, FormatFlag, FormatTriplets}

// FlagRecord is one line of FlagEmbedding's fine-tuning format. "neg" is
// always present, because FlagEmbedding's loader reads it unconditionally.
type FlagRecord struct {
	Query string   `json:"query"`
	Pos   []string `json:"pos"`
	Neg   []string `json:"neg"`
}

// Triplet is one line of sentence-transformers' triplet format.
type Triplet struct {
	Anchor   string `json:"anchor"`
	Positive string `json:"positive"`
	Negative string `json:"negative"`
}

// Encode returns r in format f as JSON lines, each ending in a line break,
// and the number of lines: one, or for triplets one per positive and
// negative pair. Encoding apart from writing lets several goroutines
// encode records that one Writer then writes in order.
func Encode(f Format, r CohereRecord) ([]byte, int, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	encode := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encode record: %w", err)
		}
		return nil
	}
	switch f {
	case FormatFlag:
		neg := r.HardNegatives
		if neg == nil {
			neg = []string{}
		}
		err := encode(FlagRecord{Query: r.Query, Pos: r.RelevantPassages, Neg: neg})
		return buf.Bytes(), 1, err
	case FormatTriplets:
		n := 0
		for _, p := range r.RelevantPassages {
			for _, neg := range r.HardNegatives {
				if err := encode(Triplet{Anchor: r.Query, Positive: p, Negative: neg}); err != nil {
					return nil, 0, err
				}
				n++
			}
		}
		return buf.Bytes(), n, nil
	case FormatCohere, "":
		err := encode(r)
		return buf.Bytes(), 1, err
	}
	return nil, 0, fmt.Errorf("write record: unknown format %q", f)
}

// WriteEncoded writes lines that Encode returned.
func (w *Writer) WriteEncoded(b []byte) error {
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// WriteRaw writes b followed by a line break, unchanged.
func (w *Writer) WriteRaw(b []byte) error {
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := w.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
