package pipeline

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

var guardTable = flag.String("guard-table", "", "write the guard measurement table to this Markdown file")

// guardData is a mining input whose known false negatives are listed: for
// each query, passages that are relevant but not given as relevant.
type guardData struct {
	name    string
	input   string   // Cohere JSONL file
	corpus  []string // -corpus files
	falseOf map[string]map[string]bool
	// indexDir is shared by the runs on one dataset, which index the same
	// passages.
	indexDir string
}

// sciFactGuardData gives, for each SciFact training query with several
// relevant abstracts, only the first as relevant; the others are known
// false negatives.
func sciFactGuardData(t *testing.T, dir string) guardData {
	t.Helper()
	texts := map[string]string{}
	var g corpus.Group
	_, err := corpus.ReadBEIR(scifact, "train", &g, func(p corpus.Passage) error {
		texts[p.ID] = p.Text
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := guardData{name: "SciFact train, several relevant", falseOf: map[string]map[string]bool{}, indexDir: filepath.Join(dir, "scifact-index"),
		corpus: []string{filepath.Join(scifact, "corpus.jsonl.gz")}}
	var lines []string
	for _, r := range g.Records {
		if len(r.Relevant) < 2 {
			continue
		}
		d.falseOf[r.Query] = map[string]bool{}
		for _, p := range r.Relevant[1:] {
			d.falseOf[r.Query][p] = true
		}
		line, _ := json.Marshal(corpus.CohereRecord{Query: r.Query, RelevantPassages: r.Relevant[:1]})
		lines = append(lines, string(line))
	}
	d.input = filepath.Join(dir, "scifact-multi.jsonl")
	if err := os.WriteFile(d.input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// squadGuardData pairs each answerable SQuAD question with its paragraph
// and its answers; any other paragraph that contains an answer is a known
// false negative.
func squadGuardData(t *testing.T, dir string) guardData {
	t.Helper()
	raw, err := os.ReadFile("../testdata/squad/dev-v2.0-first5.json")
	if err != nil {
		t.Fatal(err)
	}
	var squad struct {
		Data []struct {
			Paragraphs []struct {
				Context string `json:"context"`
				QAs     []struct {
					Question string `json:"question"`
					Answers  []struct {
						Text string `json:"text"`
					} `json:"answers"`
					Impossible bool `json:"is_impossible"`
				} `json:"qas"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &squad); err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Query    string   `json:"query"`
		Relevant []string `json:"relevant_passages"`
		Answers  []string `json:"answers"`
	}
	var paragraphs []string
	var recs []rec
	for _, a := range squad.Data {
		for _, p := range a.Paragraphs {
			paragraphs = append(paragraphs, p.Context)
			for _, q := range p.QAs {
				if q.Impossible || strings.TrimSpace(q.Question) == "" {
					continue
				}
				r := rec{Query: q.Question, Relevant: []string{p.Context}}
				for _, ans := range q.Answers {
					r.Answers = append(r.Answers, ans.Text)
				}
				recs = append(recs, r)
			}
		}
	}
	d := guardData{name: "SQuAD 2.0 dev, first 5 articles", falseOf: map[string]map[string]bool{}, indexDir: filepath.Join(dir, "squad-index")}
	var lines []string
	for _, r := range recs {
		line, _ := json.Marshal(r)
		lines = append(lines, string(line))
		fn := d.falseOf[r.Query]
		if fn == nil {
			fn = map[string]bool{}
			d.falseOf[r.Query] = fn
		}
		for _, p := range paragraphs {
			if p == r.Relevant[0] {
				continue
			}
			for _, ans := range r.Answers {
				if strings.Contains(index.Normalize(p), index.Normalize(ans)) {
					fn[p] = true
				}
			}
		}
	}
	d.input = filepath.Join(dir, "squad.jsonl")
	if err := os.WriteFile(d.input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.corpus = []string{filepath.Join(dir, "squad-paragraphs.txt")}
	for i, p := range paragraphs {
		paragraphs[i] = strings.Join(strings.Fields(p), " ")
	}
	if err := os.WriteFile(d.corpus[0], []byte(strings.Join(paragraphs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// guardResult is one row of the measurement table.
type guardResult struct {
	setting    string
	falseShare float64 // share of mined negatives known to be relevant
	fullShare  float64 // share of records with the full number of negatives
	medianRank float64 // median rank of mined negatives in the BM25 ranking
}

func measureGuards(t *testing.T, d guardData, setting string, adjust func(*Config)) guardResult {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Input = d.input
	cfg.Corpus = d.corpus
	cfg.Seed = 1
	cfg.IndexDir = d.indexDir
	adjust(&cfg)
	out, sum := runJob(t, cfg)
	recs := decode(t, out)
	negatives, known, full := 0, 0, 0
	for _, r := range recs {
		for _, n := range r.HardNegatives {
			negatives++
			if d.falseOf[r.Query][n] {
				known++
			}
		}
		if len(r.HardNegatives) == cfg.Negatives {
			full++
		}
	}
	return guardResult{
		setting:    setting,
		falseShare: float64(known) / float64(max(negatives, 1)),
		fullShare:  float64(full) / float64(max(len(recs), 1)),
		medianRank: sum.keptRanks.Quantile(0.5),
	}
}

// plain turns every guard off: a top-N miner that only drops the given
// positives.
func plain(c *Config) {
	c.MaxOverlap, c.MaxScoreRatio, c.MaxSimilarity, c.Skip, c.IgnoreAnswers = 0, 0, 0, 0, true
}

var guardSettings = []struct {
	name   string
	adjust func(*Config)
}{
	{"plain top-5", plain},
	{"defaults", func(*Config) {}},
	{"-skip 10", func(c *Config) { plain(c); c.Skip = 10 }},
	{"answers", func(c *Config) { plain(c); c.IgnoreAnswers = false }},
	{"-max-overlap 0.5", func(c *Config) { plain(c); c.MaxOverlap = 0.5 }},
	{"-max-similarity 0.4", func(c *Config) { plain(c); c.MaxSimilarity = 0.4 }},
	{"-max-similarity 0.3", func(c *Config) { plain(c); c.MaxSimilarity = 0.3 }},
	{"-max-similarity 0.25", func(c *Config) { plain(c); c.MaxSimilarity = 0.25 }},
	{"-max-similarity 0.2", func(c *Config) { plain(c); c.MaxSimilarity = 0.2 }},
	{"-max-similarity 0.3 -max-score-ratio 1.2", func(c *Config) { plain(c); c.MaxSimilarity = 0.3; c.MaxScoreRatio = 1.2 }},
	{"-max-score-ratio 1.2", func(c *Config) { plain(c); c.MaxScoreRatio = 1.2 }},
	{"-max-score-ratio 1.1", func(c *Config) { plain(c); c.MaxScoreRatio = 1.1 }},
	{"-max-score-ratio 1.0", func(c *Config) { plain(c); c.MaxScoreRatio = 1.0 }},
	{"-max-score-ratio 0.9", func(c *Config) { plain(c); c.MaxScoreRatio = 0.9 }},
	{"-max-score-ratio 0.8", func(c *Config) { plain(c); c.MaxScoreRatio = 0.8 }},
	{"-sample random", func(c *Config) { plain(c); c.Sample = SampleRandom }},
	{"-sample random -depth 20", func(c *Config) { plain(c); c.Sample = SampleRandom; c.Depth = 20 }},
}

// TestGuardDefaults measures each guard on data with known false negatives
// and checks that the defaults at least halve the share of known relevant
// passages mined as negatives, keep 90% of records full, and keep the
// negatives hard: their median rank at most twice that of plain top-5.
func TestGuardDefaults(t *testing.T) {
	dir := t.TempDir()
	datasets := []guardData{sciFactGuardData(t, dir), squadGuardData(t, dir)}
	var table strings.Builder
	for _, d := range datasets {
		fmt.Fprintf(&table, "\n### %s (%d queries)\n\n", d.name, len(d.falseOf))
		table.WriteString("| setting | known relevant among negatives | queries with 5 negatives | median rank of negatives |\n|---|---|---|---|\n")
		results := map[string]guardResult{}
		for _, s := range guardSettings {
			if s.name != "plain top-5" && s.name != "defaults" && *guardTable == "" {
				continue
			}
			r := measureGuards(t, d, s.name, s.adjust)
			results[s.name] = r
			fmt.Fprintf(&table, "| %s | %.1f%% | %.1f%% | %s |\n", s.name, 100*r.falseShare, 100*r.fullShare, strconv.FormatFloat(r.medianRank, 'f', -1, 64))
		}
		base, def := results["plain top-5"], results["defaults"]
		if def.falseShare > base.falseShare/2 {
			t.Errorf("%s: defaults mine %.1f%% known relevant passages, want at most half of plain top-5's %.1f%%", d.name, 100*def.falseShare, 100*base.falseShare)
		}
		if def.fullShare < 0.9 {
			t.Errorf("%s: defaults leave %.1f%% of queries full, want at least 90%%", d.name, 100*def.fullShare)
		}
		if def.medianRank > 2*base.medianRank {
			t.Errorf("%s: defaults' median negative rank %g, want at most twice plain top-5's %g", d.name, def.medianRank, base.medianRank)
		}
	}
	if *guardTable != "" {
		if err := os.WriteFile(*guardTable, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Log(table.String())
}
