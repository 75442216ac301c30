package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus"
)

// smallConfig is a collection small enough for unit tests.
func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Passages = 2000
	cfg.Queries = 50
	cfg.Vocabulary = 50_000
	return cfg
}

func writeSmall(t *testing.T, cfg Config) (string, Stats) {
	t.Helper()
	dir := t.TempDir()
	stats, err := Write(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir, stats
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestWriteSameSeedSameBytes(t *testing.T) {
	cfg := smallConfig()
	first, _ := writeSmall(t, cfg)
	second, _ := writeSmall(t, cfg)
	for _, name := range []string{CorpusFile, QueriesFile, QrelsFile} {
		if !bytes.Equal(readFile(t, first, name), readFile(t, second, name)) {
			t.Errorf("%s differs between two runs with seed %d", name, cfg.Seed)
		}
	}
}

func TestWriteOtherSeedOtherBytes(t *testing.T) {
	cfg := smallConfig()
	first, _ := writeSmall(t, cfg)
	cfg.Seed++
	second, _ := writeSmall(t, cfg)
	for _, name := range []string{CorpusFile, QueriesFile} {
		if bytes.Equal(readFile(t, first, name), readFile(t, second, name)) {
			t.Errorf("%s is the same for seeds %d and %d", name, cfg.Seed-1, cfg.Seed)
		}
	}
}

// TestZipfShape fits log(frequency) against log(rank) over ranks 1 to 1000
// and checks that the slope is -s.
func TestZipfShape(t *testing.T) {
	for _, s := range []float64{1.0, 1.2} {
		cfg := DefaultConfig()
		cfg.Exponent = s
		cfg.Vocabulary = 100_000
		g, err := NewGenerator(cfg)
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]float64, cfg.Vocabulary)
		for i := range 20_000 {
			for _, rank := range g.Passage(i) {
				counts[rank]++
			}
		}
		slope := logLogSlope(counts[:1000])
		if math.Abs(slope+s) > 0.05 {
			t.Errorf("s=%g: log-log slope over the top 1000 ranks is %.3f, want %.3f ± 0.05", s, slope, -s)
		}
		if ratio := counts[0] / counts[9]; math.Abs(ratio-math.Pow(10, s))/math.Pow(10, s) > 0.05 {
			t.Errorf("s=%g: rank 1 is %.2f times as frequent as rank 10, want %.2f ± 5%%", s, ratio, math.Pow(10, s))
		}
	}
}

// logLogSlope returns the least-squares slope of log(counts[r]) against
// log(r+1).
func logLogSlope(counts []float64) float64 {
	var sx, sy, sxx, sxy float64
	n := float64(len(counts))
	for r, c := range counts {
		x, y := math.Log(float64(r+1)), math.Log(c)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

func TestPassageLengths(t *testing.T) {
	cfg := DefaultConfig()
	g, err := NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20_000
	var sum, sumSquares float64
	shortest := math.MaxInt
	for i := range n {
		l := len(g.Passage(i))
		shortest = min(shortest, l)
		sum += float64(l)
		sumSquares += float64(l) * float64(l)
	}
	mean := sum / n
	sd := math.Sqrt(sumSquares/n - mean*mean)
	if math.Abs(mean-cfg.MeanLength) > 1 {
		t.Errorf("mean length is %.2f words, want %g ± 1", mean, cfg.MeanLength)
	}
	if math.Abs(sd-cfg.LengthSD) > 2 {
		t.Errorf("length standard deviation is %.2f words, want %g ± 2", sd, cfg.LengthSD)
	}
	if shortest < 1 {
		t.Errorf("shortest passage has %d words, want at least 1", shortest)
	}
}

func TestStatsMeanLength(t *testing.T) {
	cfg := smallConfig()
	dir, stats := writeSmall(t, cfg)
	if stats.Passages != cfg.Passages || stats.Queries != cfg.Queries {
		t.Errorf("wrote %d passages and %d queries, want %d and %d", stats.Passages, stats.Queries, cfg.Passages, cfg.Queries)
	}
	if math.Abs(stats.MeanLength()-cfg.MeanLength) > 3 {
		t.Errorf("mean length of %d passages is %.2f words, want %g ± 3", stats.Passages, stats.MeanLength(), cfg.MeanLength)
	}
	if size := int64(len(readFile(t, dir, CorpusFile))); size != stats.Bytes {
		t.Errorf("corpus file has %d bytes, stats say %d", size, stats.Bytes)
	}
}

// TestQueriesComeFromTheirPassage checks each query against the passage
// that qrels names, as read back by the BEIR reader.
func TestQueriesComeFromTheirPassage(t *testing.T) {
	cfg := smallConfig()
	dir, _ := writeSmall(t, cfg)
	var g corpus.Group
	passages := 0
	stats, err := corpus.ReadBEIR(dir, "train", &g, func(corpus.Passage) error {
		passages++
		return nil
	})
	if err != nil {
		t.Fatalf("ReadBEIR: %v", err)
	}
	if passages != cfg.Passages {
		t.Errorf("BEIR reader read %d passages, want %d", passages, cfg.Passages)
	}
	if stats.Pairs != cfg.Queries || len(stats.MissingDocs) > 0 || len(stats.MissingQueries) > 0 {
		t.Errorf("qrels: %d pairs, missing docs %v, missing queries %v; want %d pairs and none missing",
			stats.Pairs, stats.MissingDocs, stats.MissingQueries, cfg.Queries)
	}
	if len(g.Records) != cfg.Queries {
		t.Fatalf("got %d records, want %d", len(g.Records), cfg.Queries)
	}
	for _, rec := range g.Records {
		words := strings.Fields(rec.Query)
		if len(words) < minQueryWords || len(words) > maxQueryWords {
			t.Errorf("query %q has %d words, want %d to %d", rec.Query, len(words), minQueryWords, maxQueryWords)
		}
		if len(rec.Relevant) != 1 {
			t.Fatalf("query %q has %d relevant passages, want 1", rec.Query, len(rec.Relevant))
		}
		passageWords := strings.Fields(strings.ToLower(strings.ReplaceAll(rec.Relevant[0], ".", "")))
		for _, w := range words {
			if !slices.Contains(passageWords, w) {
				t.Errorf("query word %q is not in its relevant passage %q", w, rec.Relevant[0])
			}
			if slices.Contains(stopWords, w) {
				t.Errorf("query %q contains the stop word %q", rec.Query, w)
			}
		}
	}
}

func TestQueryPassageSpread(t *testing.T) {
	cfg := smallConfig()
	g, err := NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	prev := -1
	for j := range cfg.Queries {
		p := g.QueryPassage(j)
		if p <= prev || p >= cfg.Passages {
			t.Fatalf("query %d comes from passage %d after passage %d, want increasing passages below %d", j, p, prev, cfg.Passages)
		}
		prev = p
	}
}

func TestVocabularyDistinct(t *testing.T) {
	words := vocabulary(200_000)
	if len(words) != 200_000 {
		t.Fatalf("got %d words, want 200000", len(words))
	}
	seen := make(map[string]int, len(words))
	for rank, w := range words {
		if first, dup := seen[w]; dup {
			t.Fatalf("word %q has ranks %d and %d", w, first, rank)
		}
		seen[w] = rank
		if rank >= len(stopWords) && slices.Contains(stopWords, w) {
			t.Errorf("rank %d is the stop word %q", rank, w)
		}
	}
	if got := len(words[len(stopWords)]); got != 2 {
		t.Errorf("the first word after the stop words has %d letters, want 2", got)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no passages", func(c *Config) { c.Passages = 0 }, "passages must be at least 1"},
		{"more queries than passages", func(c *Config) { c.Queries = c.Passages + 1 }, "queries must be between 0"},
		{"negative queries", func(c *Config) { c.Queries = -1 }, "queries must be between 0"},
		{"vocabulary of stop words only", func(c *Config) { c.Vocabulary = len(stopWords) }, "vocabulary must be between"},
		{"zero exponent", func(c *Config) { c.Exponent = 0 }, "Zipf exponent"},
		{"NaN exponent", func(c *Config) { c.Exponent = math.NaN() }, "Zipf exponent"},
		{"zero mean length", func(c *Config) { c.MeanLength = 0 }, "mean length"},
		{"negative spread", func(c *Config) { c.LengthSD = -1 }, "standard deviation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, want an error wrapping ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteCancelledLeavesNoFiles(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := Write(ctx, dir, smallConfig(), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	var left []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, path)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("cancelled Write left files %v", left)
	}
}
