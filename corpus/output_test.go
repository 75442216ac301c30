package corpus

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// writeOutput writes text to name through CreateOutput and commits it.
func writeOutput(t *testing.T, name, text string) error {
	t.Helper()
	o, err := CreateOutput(name, nil)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(o.Writer(), text); err != nil {
		o.Abort()
		return err
	}
	return o.Commit()
}

// TestCreateOutputKeepsWhatTheNameIs checks that an output named by a
// symbolic link replaces the linked file and keeps the link, that a named
// pipe is written to and stays a pipe, and that a folder is refused.
func TestCreateOutputKeepsWhatTheNameIs(t *testing.T) {
	dir := t.TempDir()

	real := filepath.Join(dir, "real.jsonl")
	if err := os.WriteFile(real, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink("real.jsonl", link); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(t, link, "new\n"); err != nil {
		t.Fatalf("write through a link: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (stat error %v)", err)
	}
	if got, _ := os.ReadFile(real); string(got) != "new\n" {
		t.Errorf("linked file holds %q, want %q", got, "new\n")
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	read := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			read <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		read <- string(b)
	}()
	if err := writeOutput(t, fifo, "streamed\n"); err != nil {
		t.Fatalf("write to a named pipe: %v", err)
	}
	if got := <-read; got != "streamed\n" {
		t.Errorf("reader of the pipe got %q, want %q", got, "streamed\n")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced (stat error %v)", err)
	}

	err := writeOutput(t, dir, "x\n")
	if err == nil || !strings.Contains(err.Error(), "is a folder; give a file name") {
		t.Errorf("write to a folder: got %v, want an error saying it is a folder", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestCommitFailureLeavesNothing makes the final rename fail, as a write
// error would, and checks that the target is untouched and the temporary
// file gone.
func TestCommitFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.jsonl")
	o, err := CreateOutput(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(o.Writer(), "record\n")
	// A folder with a file in it cannot be renamed over.
	if err := os.MkdirAll(filepath.Join(target, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = o.Commit()
	if err == nil || !strings.Contains(err.Error(), "write "+target) {
		t.Errorf("Commit: got %v, want an error naming %s", err, target)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "out.jsonl" {
		t.Errorf("folder holds %v, want only the out.jsonl folder", entries)
	}
}
