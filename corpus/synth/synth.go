// Package synth writes seeded synthetic retrieval data shaped like MS
// MARCO's passage collection, for measuring indexing and mining at sizes
// that no shipped data set has.
//
// A folder written by Write is a BEIR folder: corpus.jsonl with one
// {"_id", "title", "text"} object per passage (the title is empty, as in MS
// MARCO), queries.jsonl with {"_id", "text"}, and qrels/train.tsv with a
// header row and one relevant passage per query. IDs are decimal numbers
// counted from 0.
//
// Word frequencies follow a Zipf law over a fixed vocabulary: the word of
// rank r (counted from 1) is drawn with probability proportional to r^-s.
// The 33 most frequent words are Lucene's English stop words, so analyzers
// remove about a third of the tokens, as they do for English text; the other
// words are made of consonant-vowel syllables, shorter for more frequent
// ranks. Passage lengths in words follow a log-normal distribution with the
// configured mean and standard deviation. Each query takes 2 to 5 distinct
// non-stop words of one passage, its relevant passage, in passage order.
// Queries come from passages spread evenly over the collection.
//
// Passage i and its query depend only on the seed, the settings and i, so
// the same settings give byte-identical files. Passages are generated and
// written one at a time: memory holds the vocabulary, not the collection.
package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Config holds the settings of a synthetic collection.
type Config struct {
	// Passages is the number of passages to write.
	Passages int
	// Queries is the number of queries, each with one relevant passage; at
	// most Passages.
	Queries int
	// Vocabulary is the number of distinct words, stop words included.
	Vocabulary int
	// Exponent is the Zipf exponent s of word frequencies, above 0.
	Exponent float64
	// MeanLength and LengthSD are the mean and standard deviation of the
	// passage length in words.
	MeanLength, LengthSD float64
	// Seed selects the random stream; the same seed gives the same data.
	Seed uint64
}

// DefaultConfig returns settings for 100,000 passages and 1,000 queries
// with MS MARCO's mean passage length of about 55 words.
func DefaultConfig() Config {
	return Config{
		Passages:   100_000,
		Queries:    1_000,
		Vocabulary: 1_000_000,
		Exponent:   1.0,
		MeanLength: 55,
		LengthSD:   25,
		Seed:       1,
	}
}

// ErrConfig marks an invalid setting.
var ErrConfig = errors.New("invalid synthetic corpus setting")

// Validate returns an error that names the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Passages < 1:
		return fmt.Errorf("%w: passages must be at least 1, got %d", ErrConfig, c.Passages)
	case c.Queries < 0 || c.Queries > c.Passages:
		return fmt.Errorf("%w: queries must be between 0 and the %d passages, got %d", ErrConfig, c.Passages, c.Queries)
	case c.Vocabulary <= len(stopWords) || c.Vocabulary > maxVocabulary:
		return fmt.Errorf("%w: vocabulary must be between %d and %d words, got %d", ErrConfig, len(stopWords)+1, maxVocabulary, c.Vocabulary)
	case !(c.Exponent > 0) || c.Exponent > 4:
		return fmt.Errorf("%w: Zipf exponent must be above 0 and at most 4, got %g", ErrConfig, c.Exponent)
	case !(c.MeanLength >= 1) || c.MeanLength > maxMeanLength:
		return fmt.Errorf("%w: mean length must be between 1 and %d words, got %g", ErrConfig, maxMeanLength, c.MeanLength)
	case !(c.LengthSD >= 0) || c.LengthSD > c.MeanLength*4:
		return fmt.Errorf("%w: length standard deviation must be between 0 and 4 times the mean length, got %g", ErrConfig, c.LengthSD)
	}
	return nil
}

// Limits of Config.
const (
	maxVocabulary = 1 << 24
	maxMeanLength = 10_000
)

// Query length in distinct non-stop words, both ends included.
const (
	minQueryWords = 2
	maxQueryWords = 5
)

// Generator draws passages and queries. Its methods are safe for
// concurrent use: they only read the tables built by NewGenerator.
type Generator struct {
	cfg   Config
	words []string
	zipf  *zipfTable
	// mu and sigma are the log-normal parameters of passage lengths.
	mu, sigma float64
	maxLength int
}

// NewGenerator builds the vocabulary and sampling tables for cfg.
func NewGenerator(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// A log-normal with mean m and standard deviation d has
	// sigma² = ln(1 + d²/m²) and mu = ln(m) - sigma²/2.
	variance := math.Log1p(cfg.LengthSD * cfg.LengthSD / (cfg.MeanLength * cfg.MeanLength))
	return &Generator{
		cfg:       cfg,
		words:     vocabulary(cfg.Vocabulary),
		zipf:      newZipfTable(cfg.Vocabulary, cfg.Exponent),
		mu:        math.Log(cfg.MeanLength) - variance/2,
		sigma:     math.Sqrt(variance),
		maxLength: int(10*cfg.MeanLength) + 1,
	}, nil
}

// Word returns the word of a rank, counted from 0 for the most frequent.
func (g *Generator) Word(rank int) string { return g.words[rank] }

// rng returns the random stream of passage i.
func (g *Generator) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)))
}

// Passage returns the word ranks of passage i, each counted from 0 for the
// most frequent word.
func (g *Generator) Passage(i int) []int {
	return g.passage(g.rng(i), nil)
}

// passage draws a passage's length and word ranks into buf.
func (g *Generator) passage(r *rand.Rand, buf []int) []int {
	n := int(math.Round(math.Exp(g.mu + g.sigma*r.NormFloat64())))
	n = min(max(n, 1), g.maxLength)
	buf = buf[:0]
	for range n {
		buf = append(buf, g.zipf.sample(r.Float64()))
	}
	return buf
}

// Query returns the word ranks of the query drawn from passage i: 2 to 5
// distinct non-stop words of the passage in their passage order, or fewer
// when the passage has fewer. It continues passage i's random stream.
func (g *Generator) Query(i int) []int {
	r := g.rng(i)
	return g.query(r, g.passage(r, nil))
}

func (g *Generator) query(r *rand.Rand, passage []int) []int {
	var distinct []int
	seen := make(map[int]bool, len(passage))
	for _, w := range passage {
		if w >= len(stopWords) && !seen[w] {
			seen[w] = true
			distinct = append(distinct, w)
		}
	}
	want := minQueryWords + r.IntN(maxQueryWords-minQueryWords+1)
	if len(distinct) <= want {
		return distinct
	}
	// Choose want positions without replacement, then keep passage order.
	r.Shuffle(len(distinct), func(a, b int) { distinct[a], distinct[b] = distinct[b], distinct[a] })
	chosen := make(map[int]bool, want)
	for _, w := range distinct[:want] {
		chosen[w] = true
	}
	out := make([]int, 0, want)
	for _, w := range passage {
		if chosen[w] {
			out = append(out, w)
			delete(chosen, w)
		}
	}
	return out
}

// QueryPassage returns the passage that query j is drawn from. Queries are
// spread evenly: query j comes from passage floor((j + 0.5) * P / Q).
func (g *Generator) QueryPassage(j int) int {
	return int((float64(j) + 0.5) * float64(g.cfg.Passages) / float64(g.cfg.Queries))
}

// zipfTable samples ranks 0..n-1 with probability proportional to
// (rank+1)^-s by inverting the cumulative distribution. A guide table maps
// each of n equal slices of [0, 1) to the first rank whose cumulative
// probability reaches it, so a lookup scans a few entries on average.
type zipfTable struct {
	cdf   []float64
	guide []int32
}

func newZipfTable(n int, s float64) *zipfTable {
	t := &zipfTable{cdf: make([]float64, n), guide: make([]int32, n)}
	sum := 0.0
	for r := range n {
		sum += math.Pow(float64(r+1), -s)
		t.cdf[r] = sum
	}
	for r := range n {
		t.cdf[r] /= sum
	}
	t.cdf[n-1] = 1
	rank := 0
	for i := range n {
		for t.cdf[rank] < float64(i)/float64(n) {
			rank++
		}
		t.guide[i] = int32(rank)
	}
	return t
}

// sample maps u in [0, 1) to a rank.
func (t *zipfTable) sample(u float64) int {
	slice := min(int(u*float64(len(t.guide))), len(t.guide)-1)
	rank := int(t.guide[slice])
	for t.cdf[rank] <= u && rank < len(t.cdf)-1 {
		rank++
	}
	return rank
}
