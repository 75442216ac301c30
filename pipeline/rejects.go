package pipeline

import (
	"errors"

	"github.com/mine-tools/mine/corpus"
)

// maxRejectExamples is how many rejected lines the summary quotes.
const maxRejectExamples = 5

// KindCount is the number of rejected lines of one kind.
type KindCount struct {
	Kind  string
	Count int
}

// rejects writes skipped input lines, unchanged, to the rejects file and
// counts them by kind. Readers call it from one goroutine.
type rejects struct {
	out    *corpus.Output
	w      *corpus.Writer
	counts map[error]int
	sum    *Summary
}

func openRejects(cfg *Config, sum *Summary) (*rejects, error) {
	if !cfg.SkipInvalid && cfg.OnShort != ShortDrop {
		return nil, nil
	}
	out, err := corpus.CreateOutput(cfg.rejectsPath(), cfg.Stdout)
	if err != nil {
		return nil, err
	}
	sum.RejectsFile = cfg.rejectsPath()
	return &rejects{out: out, w: corpus.NewWriter(out.Writer()), counts: make(map[error]int), sum: sum}, nil
}

// add records one skipped line.
func (r *rejects) add(pe *corpus.ParseError, raw []byte) error {
	r.counts[pe.Kind]++
	if len(r.sum.RejectExamples) < maxRejectExamples {
		r.sum.RejectExamples = append(r.sum.RejectExamples, pe.Error())
	}
	return r.w.WriteRaw(raw)
}

// addShort records a record dropped for having too few negatives, as a
// Cohere line with the negatives it had.
func (r *rejects) addShort(rec corpus.CohereRecord) error {
	r.sum.DroppedShort++
	return r.w.Write(rec)
}

// onInvalid returns the reader callback, or nil to stop at the first
// invalid line.
func (r *rejects) onInvalid(cfg *Config) func(*corpus.ParseError, []byte) error {
	if r == nil || !cfg.SkipInvalid {
		return nil
	}
	return r.add
}

// commit fills in the summary counts and makes the rejects file visible.
func (r *rejects) commit() error {
	if r == nil {
		return nil
	}
	for _, kind := range corpus.Kinds {
		if n := r.counts[kind]; n > 0 {
			r.sum.Rejected = append(r.sum.Rejected, KindCount{kind.Error(), n})
			r.sum.RejectedTotal += n
		}
	}
	if err := r.w.Flush(); err != nil {
		r.out.Abort()
		return err
	}
	return r.out.Commit()
}

func (r *rejects) abort() {
	if r != nil {
		r.out.Abort()
	}
}

// errStrict marks a run stopped because an output breaks an upload rule.
var errStrict = errors.New("output would not pass Cohere's upload check")
