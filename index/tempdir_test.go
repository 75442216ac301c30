//go:build unix

package index

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdEnv makes the test binary, started by TestTempDirOfKilledProcess,
// create a temporary index folder, print its path and wait to be killed.
const holdEnv = "MINE_TEST_HOLD_TEMP_INDEX"

func TestMain(m *testing.M) {
	if os.Getenv(holdEnv) != "" {
		b, err := NewBuilder("", Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(b.dir)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// TestTempDirOfKilledProcess kills, with SIGKILL, a process that holds a
// temporary index folder, and checks that the next builder removes the
// folder.
func TestTempDirOfKilledProcess(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("read the child's folder: %v", err)
	}
	dir := strings.TrimSpace(line)

	// Alive, the child keeps its folder.
	removeAbandoned(tmp)
	if !exists(t, dir) {
		t.Fatalf("%s was removed while its process was running", dir)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if !exists(t, dir) {
		t.Fatalf("%s is gone before any cleanup; the test shows nothing", dir)
	}
	b, err := NewBuilder("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Discard()
	if exists(t, dir) {
		t.Errorf("%s of the killed process is still there after a new builder started", dir)
	}
	if !exists(t, filepath.Join(b.dir, ownerFile)) {
		t.Errorf("the new builder's folder %s has no owner file", b.dir)
	}
}

// TestTempDirLeftAlone checks the folders that cleanup must not remove: one
// whose owner file is locked, one whose owner file is empty, as while its
// process is making it, and one without an owner file.
func TestTempDirLeftAlone(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	locked, owner, err := makeTempDir()
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	empty := filepath.Join(tmp, tempPrefix+"empty")
	none := filepath.Join(tmp, tempPrefix+"none")
	for _, d := range []string{empty, none} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(empty, ownerFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	removeAbandoned(tmp)
	for _, d := range []string{locked, empty, none} {
		if !exists(t, d) {
			t.Errorf("%s was removed", d)
		}
	}
}
