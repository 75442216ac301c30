package index

import (
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bleveindex "github.com/blevesearch/bleve_index_api"

	// Register the analyzers that -analyzer can name besides the default.
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/simple"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/web"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/da"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/no"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ro"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
)

// DefaultAnalyzer is the analyzer of the published Anserini and Pyserini
// BM25 baselines: Unicode word boundaries, English possessives removed,
// lower case, Lucene's 33 English stop words, Porter stemming.
const DefaultAnalyzer = "english"

// textField is the one indexed field of every document.
const textField = "text"

// luceneStopWords is Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.
var luceneStopWords = []any{
	"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in",
	"into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the",
	"their", "then", "there", "these", "they", "this", "to", "was", "will",
	"with",
}

// newMapping returns the index mapping: one indexed text field analyzed by
// the named analyzer, nothing stored, and the "bm25" scoring model.
func newMapping(analyzer string) (*mapping.IndexMappingImpl, error) {
	m := bleveMappingBase()
	if err := m.AddCustomTokenMap("lucene_en_stop", map[string]any{
		"type":   tokenmap.Name,
		"tokens": luceneStopWords,
	}); err != nil {
		return nil, fmt.Errorf("define stop words: %w", err)
	}
	if err := m.AddCustomTokenFilter("lucene_en_stop_filter", map[string]any{
		"type":           stop.Name,
		"stop_token_map": "lucene_en_stop",
	}); err != nil {
		return nil, fmt.Errorf("define stop filter: %w", err)
	}
	if err := m.AddCustomAnalyzer(DefaultAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name, "lucene_en_stop_filter", porter.Name},
	}); err != nil {
		return nil, fmt.Errorf("define analyzer %q: %w", DefaultAnalyzer, err)
	}
	if m.AnalyzerNamed(analyzer) == nil {
		return nil, fmt.Errorf("unknown analyzer %q; choose one of: %s", analyzer, AnalyzerNames())
	}
	field := mapping.NewTextFieldMapping()
	field.Analyzer = analyzer
	field.Store = false
	field.IncludeTermVectors = false
	field.IncludeInAll = false
	field.DocValues = false
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(textField, field)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzer
	m.ScoringModel = bleveindex.BM25Scoring
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("validate index mapping: %w", err)
	}
	return m, nil
}

func bleveMappingBase() *mapping.IndexMappingImpl {
	m := mapping.NewIndexMapping()
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// CheckAnalyzer returns an error unless an index can be built with the
// named analyzer.
func CheckAnalyzer(name string) error {
	_, err := newMapping(name)
	return err
}

// AnalyzerNames lists the analyzers that an index can be built with: the
// default and every analyzer registered with Bleve.
func AnalyzerNames() string {
	names := []string{DefaultAnalyzer}
	_, instances := registry.AnalyzerTypesAndInstances()
	names = append(names, instances...)
	sort.Strings(names[1:])
	return fmt.Sprint(names)
}

// analyzeTerms returns a text's terms with their counts, in order of first
// occurrence, keeping at most max distinct terms.
func analyzeTerms(a analysis.Analyzer, text string, max int) ([]string, []int) {
	var terms []string
	var counts []int
	pos := make(map[string]int)
	for _, tok := range a.Analyze([]byte(text)) {
		t := string(tok.Term)
		if i, ok := pos[t]; ok {
			counts[i]++
			continue
		}
		if len(terms) == max {
			continue
		}
		pos[t] = len(terms)
		terms = append(terms, t)
		counts = append(counts, 1)
	}
	return terms, counts
}
