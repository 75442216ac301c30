package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/mine-tools/mine/corpus"
)

// Explained is one record with every candidate within the depth judged.
type Explained struct {
	Record corpus.Record
	// Candidates are in rank order; Kept marks the chosen negatives.
	Candidates []Candidate
	// Negatives is the record's final list, given ones first.
	Negatives []string
	// PositiveRanks are the ranks of the relevant passages found within
	// the depth; PositiveScores their scores when the margin guard is on.
	PositiveRanks  []int
	PositiveScores []float64
	// MarginOff reports that no relevant passage scored above 0, so the
	// score margin did not apply.
	MarginOff bool
}

// ErrNoMatch is returned by Explain when no record has the query asked
// for.
var ErrNoMatch = errors.New("no record has this query")

// Explain reads the input and builds the index as Run does, then mines the
// record whose query is query, or when query is empty the first n records,
// judging every candidate within the depth, and calls fn for each in input
// order. It writes no file other than the index.
func Explain(ctx context.Context, cfg Config, query string, n int, fn func(Explained) error) error {
	if err := cfg.check(); err != nil {
		return err
	}
	var sum Summary
	sp, ix, err := readAndIndex(ctx, &cfg, &sum, nil)
	if err != nil {
		return err
	}
	defer sp.close()
	defer ix.Close()
	done := 0
	err = sp.each(func(_ int, r spooled) error {
		if query != "" && r.query != query {
			return nil
		}
		if query == "" && done == n {
			return errStop
		}
		rec, err := r.record(ix)
		if err != nil {
			return err
		}
		m, err := mineRecord(ctx, ix, rec, r.relevant, &cfg, true)
		if err != nil {
			return fmt.Errorf("explain query at %s:%d: %w", cfg.Input, rec.Line, err)
		}
		e := Explained{Record: rec, Candidates: m.candidates, Negatives: m.record.HardNegatives,
			PositiveRanks: m.positiveRanks, PositiveScores: m.positiveScores, MarginOff: m.marginOff}
		if err := fn(e); err != nil {
			return err
		}
		done++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if done == 0 && query != "" {
		return fmt.Errorf("explain: %w: %q", ErrNoMatch, query)
	}
	return nil
}
