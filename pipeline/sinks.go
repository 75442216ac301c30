package pipeline

import (
	"fmt"

	"github.com/mine-tools/mine/corpus"
)

// sink is one output file under construction.
type sink struct {
	name string
	out  *corpus.Output
	w    *corpus.Writer
}

// sinks routes each record to the output or to the held-out file.
type sinks struct {
	format  corpus.Format
	onShort string
	rejects *rejects
	audit   *auditSample
	train   *sink
	eval    *sink
}

// openSinks opens the outputs. For a resumable run they are partial files
// that keep the bytes the checkpoint names.
func openSinks(cfg *Config, rej *rejects, cp *checkpoint) (*sinks, error) {
	s := &sinks{format: cfg.Format, onShort: cfg.OnShort, rejects: rej}
	if cfg.Audit != "" {
		s.audit = &auditSample{n: cfg.AuditN, seed: cfg.Seed}
	}
	var err error
	if s.train, err = openSink(cfg, cfg.Output, cp.Output); err != nil {
		return nil, err
	}
	if cfg.EvalOut != "" {
		if s.eval, err = openSink(cfg, cfg.EvalOut, cp.Eval); err != nil {
			s.abort()
			return nil, err
		}
	}
	return s, nil
}

func openSink(cfg *Config, name string, keep int64) (*sink, error) {
	var out *corpus.Output
	var err error
	if cfg.Resume {
		out, err = corpus.OpenPartial(name, keep)
	} else {
		out, err = corpus.CreateOutput(name, cfg.Stdout)
	}
	if err != nil {
		return nil, err
	}
	return &sink{name: name, out: out, w: corpus.NewWriter(out.Writer())}, nil
}

// write writes record i in the configured format, or to the rejects file
// when it is short and short records are dropped.
func (s *sinks) write(i int, m *mined, sum *Summary) error {
	if m.short && s.onShort == ShortDrop {
		return s.rejects.addShort(m.record)
	}
	dst := s.train
	if m.eval {
		dst = s.eval
		sum.EvalWritten++
	} else {
		s.audit.offer(i, m)
	}
	if dst == s.train {
		sum.OutputLines += m.lines
	}
	return dst.w.WriteEncoded(m.encoded)
}

func (s *sinks) flush() error {
	for _, k := range s.all() {
		if err := k.w.Flush(); err != nil {
			return fmt.Errorf("write %s: %w", k.name, err)
		}
	}
	return nil
}

// check lists the upload rules that the Cohere files break, as mine
// validate would report them, and fails the run when cfg.Strict is set.
func (s *sinks) check(cfg *Config, sum *Summary) error {
	if s.format != corpus.FormatCohere {
		return nil
	}
	// Counted from the summary, which a resumed run restores, so that
	// records of the earlier run count too.
	train, eval := sum.Written-sum.EvalWritten-sum.DroppedShort, sum.EvalWritten
	joined := ""
	if cfg.Shards > 1 {
		// The shards' files are uploaded joined: the minimum applies to
		// all shards together. Records the other shards drop as short
		// are not known here.
		train, eval = sum.JobTrain-sum.DroppedShort, sum.JobEval
		joined = fmt.Sprintf(" (all %d shards joined)", cfg.Shards)
	}
	sum.Problems = append(sum.Problems, uploadProblems(s.train.name+joined, train, s.train.out.Size())...)
	if s.eval != nil {
		sum.Problems = append(sum.Problems, uploadProblems(s.eval.name+joined, eval, s.eval.out.Size())...)
	}
	if cfg.Strict && len(sum.Problems) > 0 {
		return fmt.Errorf("%w: %s; nothing was written", errStrict, sum.Problems[0])
	}
	return nil
}

// commit makes the files visible: the held-out file first, so that a
// failure leaves at worst a held-out file beside an older output.
func (s *sinks) commit() error {
	if s.eval != nil {
		if err := s.eval.out.Commit(); err != nil {
			return err
		}
	}
	return s.train.out.Commit()
}

func (s *sinks) abort() {
	for _, k := range s.all() {
		k.out.Abort()
	}
}

func (s *sinks) all() []*sink {
	if s.eval == nil {
		return []*sink{s.train}
	}
	return []*sink{s.train, s.eval}
}

// checkpoint flushes the outputs and saves a checkpoint after the first
// records records.
func (s *sinks) checkpoint(cfg *Config, key string, records int, sum *Summary) error {
	if err := s.flush(); err != nil {
		return err
	}
	cp := checkpoint{Key: key, Records: records, Output: s.train.out.Size(), Summary: sum.snapshot()}
	if s.eval != nil {
		cp.Eval = s.eval.out.Size()
	}
	return saveCheckpoint(cfg, cp)
}
