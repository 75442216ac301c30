package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mine-tools/mine/index"
)

// checkpointEvery is the number of records written between checkpoints of
// a resumable run.
const checkpointEvery = 256

// checkpoint records what a resumable run has written so far. It is saved
// after the outputs are flushed, so the partial files contain at least the
// bytes it names. Bytes after them are dropped on resume.
type checkpoint struct {
	// Key identifies the input content, index and settings; a run resumes
	// only from a checkpoint with its own key.
	Key     string   `json:"key"`
	Records int      `json:"records"`
	Output  int64    `json:"output_bytes"`
	Eval    int64    `json:"eval_bytes"`
	Summary snapshot `json:"summary"`
}

// snapshot holds the summary counters of the records written so far.
type snapshot struct {
	Written, Given, Mined, GivenNegativesDropped int
	Dropped                                      Drops
	Positives, PositivesRanked, MarginOff, Short int
	EvalWritten, OutputLines                     int
	Histogram                                    []int
	PositiveRanks, KeptRanks                     distribution
	PositiveScores, KeptScores                   distribution
}

func (s *Summary) snapshot() snapshot {
	return snapshot{
		Written: s.Written, Given: s.Given, Mined: s.Mined, GivenNegativesDropped: s.GivenNegativesDropped,
		Dropped: s.Dropped, Positives: s.Positives, PositivesRanked: s.PositivesRanked, MarginOff: s.MarginOff,
		Short: s.Short, EvalWritten: s.EvalWritten, OutputLines: s.OutputLines, Histogram: s.Histogram,
		PositiveRanks: s.positiveRanks, KeptRanks: s.keptRanks, PositiveScores: s.positiveScores, KeptScores: s.keptScores,
	}
}

func (s *Summary) restore(p snapshot) {
	s.Written, s.Given, s.Mined, s.GivenNegativesDropped = p.Written, p.Given, p.Mined, p.GivenNegativesDropped
	s.Dropped, s.Positives, s.PositivesRanked, s.MarginOff = p.Dropped, p.Positives, p.PositivesRanked, p.MarginOff
	s.Short, s.EvalWritten, s.OutputLines, s.Histogram = p.Short, p.EvalWritten, p.OutputLines, p.Histogram
	s.positiveRanks, s.keptRanks, s.positiveScores, s.keptScores = p.PositiveRanks, p.KeptRanks, p.PositiveScores, p.KeptScores
}

// checkpointPath returns the checkpoint file of an output: a hidden file
// beside it.
func checkpointPath(output string) string {
	dir, base := filepath.Split(output)
	return filepath.Join(dir, "."+base+".checkpoint")
}

// resumeKey hashes what decides the output bytes: the settings that shape
// them, the content of every input file and the index fingerprint. The
// worker count and the index folder do not change the output.
func resumeKey(cfg *Config, ix *index.Index) (string, error) {
	params := reportParams(cfg)
	params.Workers, params.IndexDir = 0, ""
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(params); err != nil {
		return "", fmt.Errorf("resume: %w", err)
	}
	fmt.Fprintf(h, "index %s\nshard %d/%d\n", ix.Meta().Fingerprint, cfg.Shard, cfg.Shards)
	files, err := inputFiles(cfg)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		in, err := hashFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", in.Path, in.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadCheckpoint returns the checkpoint of an earlier run with the same
// key, or a zero checkpoint to start from the beginning.
// The second result reports a checkpoint left by a run with other inputs
// or settings, which is set aside.
func loadCheckpoint(cfg *Config, key string) (checkpoint, bool, error) {
	raw, err := os.ReadFile(checkpointPath(cfg.Output))
	if errors.Is(err, os.ErrNotExist) {
		return checkpoint{Key: key}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("resume: %w", err)
	}
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil || cp.Key != key {
		// Another input or other settings: start over.
		return checkpoint{Key: key}, true, nil
	}
	return cp, false, nil
}

// saveCheckpoint writes the checkpoint through a temporary file, so that a
// kill leaves the old one or the new one, never half of one.
func saveCheckpoint(cfg *Config, cp checkpoint) error {
	raw, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	path := checkpointPath(cfg.Output)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}
