package corpus

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// StdinName is the file name that stands for standard input.
const StdinName = "-"

var bom = []byte{0xEF, 0xBB, 0xBF}

// Open opens a file for reading, or standard input when name is "-", and
// transparently decompresses gzip content. The caller must close the result.
func Open(name string) (io.ReadCloser, error) {
	return openFrom(name, os.Stdin)
}

// openFrom is Open with stdin standing for "-".
func openFrom(name string, stdin io.Reader) (io.ReadCloser, error) {
	var f io.ReadCloser = io.NopCloser(stdin)
	if name != StdinName {
		file, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open input: %w", err)
		}
		f = file
	}
	br := bufio.NewReaderSize(f, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, &ParseError{File: name, Kind: ErrRead, Msg: fmt.Sprintf("corrupt gzip header: %v", err)}
		}
		return &gzipFile{Reader: zr, file: f}, nil
	}
	return &bufferedFile{Reader: br, file: f}, nil
}

type bufferedFile struct {
	*bufio.Reader
	file io.Closer
}

func (b *bufferedFile) Close() error { return b.file.Close() }

type gzipFile struct {
	*gzip.Reader
	file io.Closer
}

func (g *gzipFile) Close() error {
	g.Reader.Close()
	return g.file.Close()
}

// LineReader splits a stream into lines of any length. It removes a
// byte-order mark at the start of the stream, the line terminator and a
// trailing carriage return, and rejects bytes that are not valid UTF-8.
type LineReader struct {
	r    *bufio.Reader
	name string
	line int
	// HadBOM reports whether the stream started with a UTF-8 byte-order mark.
	HadBOM bool
	buf    []byte
	raw    []byte
}

// NewLineReader returns a reader of r's lines; name is used in errors.
func NewLineReader(r io.Reader, name string) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, 1<<16), name: name}
}

// Line returns the 1-based number of the line that Next returned last.
func (lr *LineReader) Line() int { return lr.line }

// Next returns the next line without its terminator. The slice is valid
// until the following call. It returns io.EOF after the last line, and a
// *ParseError for invalid UTF-8 or a stream that cannot be read, such as a
// truncated gzip file. With an ErrEncoding error it also returns the line,
// so a caller that reports every fault can go on checking it. The next call
// reads the following line.
func (lr *LineReader) Next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(lr.buf) == 0 {
				return nil, io.EOF
			}
			break
		}
		return nil, lr.readErr(err)
	}
	lr.line++
	line := lr.buf
	skipped := 0
	if lr.line == 1 && bytes.HasPrefix(line, bom) {
		lr.HadBOM = true
		line = line[len(bom):]
		skipped = len(bom)
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	lr.raw = line
	if !utf8.Valid(line) {
		// The offset counts a removed byte-order mark, so that it matches the
		// bytes of the file.
		return line, encodingErr(lr.name, lr.line, skipped+invalidOffset(line))
	}
	return line, nil
}

// Raw returns the last line read, even one that Next rejected, without its
// terminator. The slice is valid until the following call to Next.
func (lr *LineReader) Raw() []byte { return lr.raw }

func (lr *LineReader) readErr(err error) error {
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		msg = fmt.Sprintf("gzip stream is truncated or corrupt (%v); check the download or recompress the file", err)
	}
	return &ParseError{File: lr.name, Line: lr.line + 1, Kind: ErrRead, Msg: msg}
}

// encodingErr reports invalid UTF-8 at a 1-based byte offset of a line.
func encodingErr(file string, line, offset int) *ParseError {
	return parseErr(file, line, "", ErrEncoding,
		"invalid UTF-8 at byte %d of the line; re-encode the file as UTF-8", offset)
}

// invalidOffset returns the 1-based byte offset of the first invalid UTF-8
// sequence in b.
func invalidOffset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i + 1
		}
		i += size
	}
	return 0
}

// IsBlank reports whether a line holds only spaces and tabs.
func IsBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}
