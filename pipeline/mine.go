package pipeline

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"slices"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// Sampling modes: which of the eligible candidates become negatives.
const (
	// SampleTop keeps the best-ranked eligible candidates.
	SampleTop = "top"
	// SampleRandom draws uniformly from every eligible candidate in the
	// rank window, with a generator seeded from the seed and the query.
	SampleRandom = "random"
)

// What to do with a record left with fewer negatives than asked for.
const (
	ShortKeep = "keep"
	ShortDrop = "drop"
)

// Candidate is one retrieved passage and what the filter decided about it.
type Candidate struct {
	Rank    int // 1-based rank in the BM25 ranking
	ID      uint32
	Score   float64
	Text    string // empty when the filter did not need to read it
	Verdict Verdict
}

// mined is the outcome of one record.
type mined struct {
	record       corpus.CohereRecord
	given, found int
	givenDropped int
	drops        Drops
	// positives counts the record's relevant passages; positiveRanks holds
	// the ranks of those retrieval placed within the depth.
	positives     int
	positiveRanks []int
	// positiveScores holds every relevant passage's BM25 score when the
	// margin guard computed them.
	positiveScores []float64
	// marginOff reports that the margin guard could not apply because no
	// relevant passage scored above 0.
	marginOff bool
	// keptRanks and keptScores describe the mined negatives.
	keptRanks  []int
	keptScores []float64
	// eval reports a record that goes to the held-out file.
	eval bool
	// short reports fewer negatives than asked for.
	short bool
	// candidates lists every examined candidate, only when explaining.
	candidates []Candidate
	// encoded is the record in the output format, lines of it, which the
	// worker that mined it encodes so that writing stays cheap.
	encoded []byte
	lines   int
}

// mineRecord selects the hard negatives of one record: the given negatives
// first, then retrieved candidates that pass every guard, the best-ranked
// ones or a seeded random draw. With explain set it judges every candidate
// within the depth and keeps them all in the result.
func mineRecord(ctx context.Context, ix *index.Index, rec corpus.Record, relevantIDs []uint32, cfg *Config, explain bool) (mined, error) {
	m := mined{positives: len(relevantIDs)}
	f, err := newRecordFilter(ix, rec, relevantIDs, cfg)
	if err != nil {
		return m, err
	}
	negatives := f.acceptGiven(rec.Negatives, &m)
	m.given = len(negatives)

	if cfg.MaxScoreRatio > 0 && len(relevantIDs) > 0 {
		if err := f.setScoreLimit(ctx, ix, rec.Query, relevantIDs, &m); err != nil {
			return m, err
		}
	}
	if cfg.MaxSimilarity > 0 {
		if err := f.setReferences(ix, relevantIDs); err != nil {
			return m, err
		}
	}
	// Without a margin the candidates are the plain top of the ranking.
	// With one they are the top of what scores at most the limit, ranked
	// after the documents above it.
	var plain, hits []index.Hit
	offset := 0
	if f.scoreLimit > 0 {
		plain, hits, offset, err = ix.SearchWindow(ctx, rec.Query, cfg.Depth, f.scoreLimit, cfg.Ranking)
	} else {
		plain, err = ix.Search(ctx, rec.Query, cfg.Depth, cfg.Ranking)
		hits = plain
	}
	if err != nil {
		return m, err
	}
	for i, h := range plain {
		if slices.Contains(relevantIDs, h.ID) {
			m.positiveRanks = append(m.positiveRanks, i+1)
		} else if f.scoreLimit > 0 && h.Score > f.scoreLimit {
			m.drops.Score++
			if explain {
				m.candidates = append(m.candidates, Candidate{Rank: i + 1, ID: h.ID, Score: h.Score, Verdict: DropScore})
			}
		}
	}

	need := cfg.Negatives - len(negatives)
	var pool []Candidate
	for i, h := range hits {
		if need <= 0 && !explain {
			break
		}
		c, err := f.judge(ix, h, offset+i+1)
		if err != nil {
			return m, err
		}
		m.drops.count(c.Verdict)
		if c.Verdict == Kept {
			pool = append(pool, c)
		}
		if explain {
			m.candidates = append(m.candidates, c)
		}
		if !explain && cfg.Sample != SampleRandom && len(pool) >= need {
			break
		}
	}

	chosen := choose(pool, max(need, 0), cfg, rec.Query)
	for _, c := range chosen {
		negatives = append(negatives, c.Text)
		m.keptRanks = append(m.keptRanks, c.Rank)
		m.keptScores = append(m.keptScores, c.Score)
	}
	m.found = len(chosen)
	if explain {
		markUnchosen(m.candidates, chosen)
	}
	m.short = len(negatives) < cfg.Negatives
	m.record = corpus.CohereRecord{Query: rec.Query, RelevantPassages: rec.Relevant, HardNegatives: negatives}
	return m, nil
}

// choose picks up to need candidates from the eligible pool, in rank order:
// the first ones, or a random draw seeded from the seed and the query so
// that the result does not depend on the worker count.
func choose(pool []Candidate, need int, cfg *Config, query string) []Candidate {
	if len(pool) <= need {
		return pool
	}
	if cfg.Sample != SampleRandom {
		return pool[:need]
	}
	h := fnv.New64a()
	h.Write([]byte(query))
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), h.Sum64()))
	picked := rng.Perm(len(pool))[:need]
	slices.Sort(picked)
	out := make([]Candidate, need)
	for i, p := range picked {
		out[i] = pool[p]
	}
	return out
}

// markUnchosen turns the verdict of eligible candidates that were not
// chosen into NotChosen.
func markUnchosen(cands []Candidate, chosen []Candidate) {
	for i := range cands {
		if cands[i].Verdict != Kept {
			continue
		}
		if !slices.ContainsFunc(chosen, func(c Candidate) bool { return c.Rank == cands[i].Rank }) {
			cands[i].Verdict = NotChosen
		}
	}
}
