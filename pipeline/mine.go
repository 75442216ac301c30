package pipeline

import (
	"context"
	"slices"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// mined is the outcome of one record.
type mined struct {
	record       corpus.CohereRecord
	given, found int
	givenDropped int
	drops        Drops
	// positives counts the record's relevant passages and positivesRanked
	// those that retrieval ranked within the depth.
	positives, positivesRanked int
}

// exclusions holds the texts a record's negatives must differ from.
type exclusions struct {
	exact    map[string]int // text to a drop reason
	normal   map[string]int
	selected map[string]bool
}

const (
	reasonRelevant = iota
	reasonQuery
	reasonGiven
)

// mineRecord selects the hard negatives of one record: given negatives
// first, then retrieved candidates in rank order that are neither a
// relevant passage, the query, a given negative nor a repeat.
func mineRecord(ctx context.Context, ix *index.Index, rec corpus.Record, relevantIDs []uint32, cfg *Config) (mined, error) {
	m := mined{positives: len(relevantIDs)}
	ex := exclusions{exact: make(map[string]int), normal: make(map[string]int), selected: make(map[string]bool)}
	for _, p := range rec.Relevant {
		ex.exact[p] = reasonRelevant
		ex.normal[Normalize(p)] = reasonRelevant
	}
	ex.exact[rec.Query] = reasonQuery
	if _, ok := ex.normal[Normalize(rec.Query)]; !ok {
		ex.normal[Normalize(rec.Query)] = reasonQuery
	}
	negatives := make([]string, 0, max(cfg.Negatives, len(rec.Negatives)))
	for _, n := range rec.Negatives {
		// Cohere rejects a passage that is both relevant and a negative.
		if _, bad := ex.normal[Normalize(n)]; bad {
			m.givenDropped++
			continue
		}
		negatives = append(negatives, n)
	}
	for _, n := range negatives {
		ex.exact[n] = reasonGiven
		key := Normalize(n)
		if _, ok := ex.normal[key]; !ok {
			ex.normal[key] = reasonGiven
		}
	}
	m.given = len(negatives)
	hits, err := ix.Search(ctx, rec.Query, cfg.Depth, cfg.Ranking)
	if err != nil {
		return m, err
	}
	for _, h := range hits {
		if slices.Contains(relevantIDs, h.ID) {
			m.positivesRanked++
		}
	}
	if len(negatives) < cfg.Negatives {
		for _, h := range hits {
			if len(negatives) == cfg.Negatives {
				break
			}
			if slices.Contains(relevantIDs, h.ID) {
				m.drops.Relevant++
				continue
			}
			text, err := ix.Text(h.ID)
			if err != nil {
				return m, err
			}
			if ex.drop(text, &m.drops) {
				continue
			}
			negatives = append(negatives, text)
			m.found++
		}
	}
	m.record = corpus.CohereRecord{Query: rec.Query, RelevantPassages: rec.Relevant, HardNegatives: negatives}
	return m, nil
}

// drop reports whether a candidate must not become a negative, counting the
// reason, and otherwise remembers it so that a repeat is dropped.
func (ex *exclusions) drop(text string, d *Drops) bool {
	reason, ok := ex.exact[text]
	key := ""
	if !ok {
		key = Normalize(text)
		reason, ok = ex.normal[key]
	}
	if ok {
		switch reason {
		case reasonRelevant:
			d.Relevant++
		case reasonQuery:
			d.Query++
		default:
			d.Given++
		}
		return true
	}
	if ex.selected[key] {
		d.Duplicate++
		return true
	}
	ex.selected[key] = true
	return false
}
