package pipeline

import (
	"fmt"
	"io"

	"github.com/mine-tools/mine/corpus"
)

// sink is one output file under construction.
type sink struct {
	name    string
	out     *corpus.Output
	w       *corpus.Writer
	records int
	// check validates the lines of a Cohere file as they are written.
	check *corpus.Validator
}

// sinks routes each record to the output or to the held-out file.
type sinks struct {
	format  corpus.Format
	onShort string
	rejects *rejects
	audit   *auditSample
	train   *sink
	eval    *sink
	isEval  []bool
}

func openSinks(cfg *Config, isEval []bool, rej *rejects) (*sinks, error) {
	s := &sinks{format: cfg.Format, isEval: isEval, onShort: cfg.OnShort, rejects: rej}
	if cfg.Audit != "" {
		s.audit = &auditSample{n: cfg.AuditN, seed: cfg.Seed}
	}
	var err error
	if s.train, err = openSink(cfg.Output, cfg.Stdout, cfg.Format); err != nil {
		return nil, err
	}
	if isEval != nil {
		if s.eval, err = openSink(cfg.EvalOut, cfg.Stdout, cfg.Format); err != nil {
			s.abort()
			return nil, err
		}
	}
	return s, nil
}

func openSink(name string, stdout io.Writer, format corpus.Format) (*sink, error) {
	out, err := corpus.CreateOutput(name, stdout)
	if err != nil {
		return nil, err
	}
	k := &sink{name: name, out: out, w: corpus.NewWriter(out.Writer())}
	if format == corpus.FormatCohere {
		k.check = corpus.NewValidator(name, corpus.ValidateOptions{})
		k.w.SetValidator(k.check)
	}
	return k, nil
}

// write writes record i in the configured format, or to the rejects file
// when it is short and short records are dropped.
func (s *sinks) write(i int, m *mined, sum *Summary) error {
	if m.short && s.onShort == ShortDrop {
		return s.rejects.addShort(m.record)
	}
	dst := s.train
	if s.isEval != nil && s.isEval[i] {
		dst = s.eval
		sum.EvalWritten++
	} else {
		s.audit.offer(i, m)
	}
	n, err := dst.w.WriteAs(s.format, m.record)
	dst.records++
	if dst == s.train {
		sum.OutputLines += n
	}
	return err
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
	for _, k := range s.all() {
		sum.Problems = append(sum.Problems, uploadProblems(k.check.Finish(k.out.Size()))...)
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
