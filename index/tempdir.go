package index

import (
	"fmt"
	"os"
	"path/filepath"
)

// A temporary index folder is named tempPrefix followed by random digits.
// It holds ownerFile, which the process that made it keeps locked until it
// removes the folder. A process killed before that (kill -9, a crash, an
// out-of-memory kill) leaves the folder behind with the file unlocked. The
// next process that makes a temporary index folder removes it.
const (
	tempPrefix = "mine-index-"
	ownerFile  = "owner.lock"
)

// makeTempDir creates a temporary index folder locked by this process,
// after removing the folders that dead processes left. The caller closes
// the returned file after removing the folder.
func makeTempDir() (string, *os.File, error) {
	removeAbandoned(os.TempDir())
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("create temporary index folder in %s (set TMPDIR to a writable folder, or keep the index with -index DIR): %w", os.TempDir(), err)
	}
	owner, err := lockOwner(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("create temporary index folder: %w", err)
	}
	return dir, owner, nil
}

// removeAbandoned removes the temporary index folders in tmp whose owner
// file is unlocked and not empty: their process wrote its ID after taking
// the lock, so it has ended without removing the folder. A folder without
// an owner file, or with an empty one, may be in the making and is left
// alone.
func removeAbandoned(tmp string) {
	dirs, err := filepath.Glob(filepath.Join(tmp, tempPrefix+"*"))
	if err != nil {
		return
	}
	for _, dir := range dirs {
		if abandoned(filepath.Join(dir, ownerFile)) {
			os.RemoveAll(dir)
		}
	}
}
