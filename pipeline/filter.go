package pipeline

import (
	"context"
	"slices"
	"strings"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// Verdict is the filter's decision about a candidate. Guards are tried in
// the order of the constants, and the first that applies names the verdict.
type Verdict int

// Verdicts.
const (
	// Kept: the candidate passed every guard.
	Kept Verdict = iota
	// DropRank: it ranks within the top -skip candidates.
	DropRank
	// DropRelevant: it is one of the record's relevant passages, exactly or
	// after normalisation.
	DropRelevant
	// DropQuery: it is the record's query text.
	DropQuery
	// DropGiven: it is a negative the input already gave.
	DropGiven
	// DropAnswer: it contains one of the record's answer strings.
	DropAnswer
	// DropOverlap: its word shingles overlap a relevant passage (or the
	// query) by at least -max-overlap.
	DropOverlap
	// DropSimilar: its tf·idf cosine similarity with a relevant passage
	// reaches -max-similarity. Both texts need minSimilarityTerms distinct
	// terms.
	DropSimilar
	// DropScore: its BM25 score exceeds -max-score-ratio times the best
	// relevant passage's score. Such candidates are left out of the
	// window, which then reaches as deep as needed below the limit.
	DropScore
	// DropDuplicate: it repeats an eligible candidate of better rank.
	DropDuplicate
	// NotChosen: it was eligible but the record had enough negatives, or
	// the random draw passed it over.
	NotChosen
)

var verdictNames = [...]string{"kept", "rank", "relevant", "query", "given", "answer", "overlap", "similar", "score", "duplicate", "not chosen"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "unknown"
}

// Drops counts candidates removed by each guard.
type Drops struct {
	Rank      int `json:"rank"`
	Relevant  int `json:"relevant"`
	Query     int `json:"query"`
	Given     int `json:"given"`
	Answer    int `json:"answer"`
	Overlap   int `json:"overlap"`
	Similar   int `json:"similar"`
	Score     int `json:"score"`
	Duplicate int `json:"duplicate"`
}

func (d *Drops) count(v Verdict) {
	switch v {
	case DropRank:
		d.Rank++
	case DropRelevant:
		d.Relevant++
	case DropQuery:
		d.Query++
	case DropGiven:
		d.Given++
	case DropAnswer:
		d.Answer++
	case DropOverlap:
		d.Overlap++
	case DropSimilar:
		d.Similar++
	case DropScore:
		d.Score++
	case DropDuplicate:
		d.Duplicate++
	}
}

func (d *Drops) add(o Drops) {
	d.Rank += o.Rank
	d.Relevant += o.Relevant
	d.Query += o.Query
	d.Given += o.Given
	d.Answer += o.Answer
	d.Overlap += o.Overlap
	d.Similar += o.Similar
	d.Score += o.Score
	d.Duplicate += o.Duplicate
}

// recordFilter holds what one record's negatives must differ from.
type recordFilter struct {
	cfg         *Config
	relevantIDs []uint32
	exact       map[string]Verdict
	normal      map[string]Verdict
	answers     []string
	// shingles of the relevant passages, and of the query when the overlap
	// guard compares with it.
	shingles []shingleSet
	// vectors of the relevant passages, for the similarity guard.
	vectors []index.Vector
	// scoreLimit is the highest score a candidate may have; 0 is no limit.
	scoreLimit float64
	selected   map[string]bool
}

func newRecordFilter(rec corpus.Record, relevantIDs []uint32, cfg *Config) *recordFilter {
	f := &recordFilter{cfg: cfg, relevantIDs: relevantIDs,
		exact: make(map[string]Verdict), normal: make(map[string]Verdict), selected: make(map[string]bool)}
	for _, p := range rec.Relevant {
		f.exact[p] = DropRelevant
		f.normal[Normalize(p)] = DropRelevant
		if cfg.MaxOverlap > 0 {
			f.shingles = append(f.shingles, shingles(p))
		}
	}
	f.exclude(rec.Query, DropQuery)
	if cfg.MaxOverlap > 0 && cfg.OverlapQuery {
		f.shingles = append(f.shingles, shingles(rec.Query))
	}
	if !cfg.IgnoreAnswers {
		for _, a := range rec.Answers {
			if key := Normalize(a); key != "" {
				f.answers = append(f.answers, key)
			}
		}
	}
	return f
}

// exclude adds a text under a verdict unless it is already excluded.
func (f *recordFilter) exclude(text string, v Verdict) {
	if _, ok := f.exact[text]; !ok {
		f.exact[text] = v
	}
	if key := Normalize(text); key != "" {
		if _, ok := f.normal[key]; !ok {
			f.normal[key] = v
		}
	}
}

// acceptGiven returns the given negatives that may stay: Cohere rejects a
// passage that is both relevant and a negative, so those that equal a
// relevant passage or the query after normalisation are dropped and
// counted.
func (f *recordFilter) acceptGiven(given []string, m *mined) []string {
	// Sized by the input only: -negatives and -depth may be huge.
	out := make([]string, 0, len(given))
	keys := make([]string, 0, len(given))
	for _, n := range given {
		key := Normalize(n)
		if _, bad := f.normal[key]; bad {
			m.givenDropped++
			continue
		}
		out = append(out, n)
		keys = append(keys, key)
	}
	// Added after the loop, so that one given negative does not exclude a
	// repeat of itself.
	for i, n := range out {
		if _, ok := f.exact[n]; !ok {
			f.exact[n] = DropGiven
		}
		if _, ok := f.normal[keys[i]]; !ok && keys[i] != "" {
			f.normal[keys[i]] = DropGiven
		}
	}
	return out
}

// setScoreLimit scores the relevant passages and sets the margin. The
// reference is the best relevant passage's score, so a record with several
// positives is judged against the one retrieval finds easiest. When no
// positive scores above 0 (none shares a term with the query) there is no
// margin to apply: the guard is off for that record, which is counted.
func (f *recordFilter) setScoreLimit(ctx context.Context, ix *index.Index, query string, relevantIDs []uint32, m *mined) error {
	scores, err := ix.ScoreDocs(ctx, query, relevantIDs, f.cfg.Ranking)
	if err != nil {
		return err
	}
	m.positiveScores = scores
	best := slices.Max(scores)
	if best <= 0 {
		m.marginOff = true
		return nil
	}
	f.scoreLimit = f.cfg.MaxScoreRatio * best
	return nil
}

// minSimilarityTerms is the fewest distinct analyzed terms that both texts
// need for the similarity guard to judge them. Two short sentences reach a
// cosine of 0.3 by sharing a word or two, which is no evidence that one
// answers the other's query.
const minSimilarityTerms = 20

// setVectors reads the relevant passages' vectors for the similarity
// guard.
func (f *recordFilter) setVectors(ctx context.Context, ix *index.Index, relevantIDs []uint32) error {
	for _, id := range relevantIDs {
		v, err := ix.DocVector(ctx, id)
		if err != nil {
			return err
		}
		f.vectors = append(f.vectors, v)
	}
	return nil
}

// judge decides about one candidate.
func (f *recordFilter) judge(ctx context.Context, ix *index.Index, h index.Hit, rank int) (Candidate, error) {
	c := Candidate{Rank: rank, ID: h.ID, Score: h.Score}
	if rank <= f.cfg.Skip {
		c.Verdict = DropRank
		return c, nil
	}
	text, err := ix.Text(h.ID)
	if err != nil {
		return c, err
	}
	c.Text = text
	if slices.Contains(f.relevantIDs, h.ID) {
		c.Verdict = DropRelevant
		return c, nil
	}
	c.Verdict = f.judgeText(text)
	if c.Verdict == Kept && len(f.vectors) > 0 {
		v, err := ix.DocVector(ctx, h.ID)
		if err != nil {
			return c, err
		}
		for _, pv := range f.vectors {
			if len(v) < minSimilarityTerms || len(pv) < minSimilarityTerms {
				continue
			}
			if index.Cosine(v, pv) >= f.cfg.MaxSimilarity {
				c.Verdict = DropSimilar
				delete(f.selected, Normalize(text))
				break
			}
		}
	}
	return c, nil
}

func (f *recordFilter) judgeText(text string) Verdict {
	if v, ok := f.exact[text]; ok {
		return v
	}
	key := Normalize(text)
	if v, ok := f.normal[key]; ok {
		return v
	}
	for _, a := range f.answers {
		if strings.Contains(key, a) {
			return DropAnswer
		}
	}
	if len(f.shingles) > 0 {
		cs := shingles(text)
		for _, ps := range f.shingles {
			if overlap(cs, ps) >= f.cfg.MaxOverlap {
				return DropOverlap
			}
		}
	}
	if f.selected[key] {
		return DropDuplicate
	}
	f.selected[key] = true
	return Kept
}
