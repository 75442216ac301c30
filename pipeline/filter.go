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
	// normal maps the index.Key of each excluded text to its verdict.
	normal  map[uint64]Verdict
	answers []string
	// shingles of the relevant passages, and of the query when the overlap
	// guard compares with it.
	shingles []shingleSet
	// refs are the relevant passages prepared for the similarity guard,
	// and sims holds a candidate's similarity with each.
	refs []index.Reference
	sims []float64
	// scoreLimit is the highest score a candidate may have; 0 is no limit.
	scoreLimit float64
	// selected holds the keys of the candidates kept so far.
	selected map[uint64]bool
}

// newRecordFilter prepares the filter of one record. relevantIDs are the
// index's document IDs of rec.Relevant, in the same order.
func newRecordFilter(ix *index.Index, rec corpus.Record, relevantIDs []uint32, cfg *Config) (*recordFilter, error) {
	f := &recordFilter{cfg: cfg, relevantIDs: relevantIDs,
		exact: make(map[string]Verdict), normal: make(map[uint64]Verdict), selected: make(map[uint64]bool)}
	for i, p := range rec.Relevant {
		f.exact[p] = DropRelevant
		// The index holds the key of each relevant passage's text.
		key, err := ix.Key(relevantIDs[i])
		if err != nil {
			return nil, err
		}
		f.normal[key] = DropRelevant
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
			if key := index.Normalize(a); key != "" {
				f.answers = append(f.answers, key)
			}
		}
	}
	return f, nil
}

// exclude adds a text under a verdict unless it is already excluded.
func (f *recordFilter) exclude(text string, v Verdict) {
	if _, ok := f.exact[text]; !ok {
		f.exact[text] = v
	}
	if key := index.Key(text); key != 0 {
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
	keys := make([]uint64, 0, len(given))
	for _, n := range given {
		key := index.Key(n)
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
		if _, ok := f.normal[keys[i]]; !ok && keys[i] != 0 {
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

// setReferences prepares the relevant passages for the similarity guard.
// Those with too few terms to judge are left out.
func (f *recordFilter) setReferences(ix *index.Index, relevantIDs []uint32) error {
	for _, id := range relevantIDs {
		r, err := ix.Reference(id)
		if err != nil {
			return err
		}
		if r.Terms() >= minSimilarityTerms {
			f.refs = append(f.refs, r)
		}
	}
	f.sims = make([]float64, len(f.refs))
	return nil
}

// judge decides about one candidate.
func (f *recordFilter) judge(ix *index.Index, h index.Hit, rank int) (Candidate, error) {
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
	key, err := ix.Key(h.ID)
	if err != nil {
		return c, err
	}
	c.Verdict = f.judgeText(text, key)
	if c.Verdict == Kept && len(f.refs) > 0 {
		terms, err := ix.Similarities(h.ID, f.refs, f.sims)
		if err != nil {
			return c, err
		}
		if terms >= minSimilarityTerms && slices.Max(f.sims) >= f.cfg.MaxSimilarity {
			c.Verdict = DropSimilar
			delete(f.selected, key)
		}
	}
	return c, nil
}

// judgeText applies the guards that read a candidate's text; key is the
// text's index.Key.
func (f *recordFilter) judgeText(text string, key uint64) Verdict {
	if v, ok := f.exact[text]; ok {
		return v
	}
	if v, ok := f.normal[key]; ok {
		return v
	}
	if len(f.answers) > 0 {
		normal := index.Normalize(text)
		for _, a := range f.answers {
			if strings.Contains(normal, a) {
				return DropAnswer
			}
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
