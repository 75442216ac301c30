package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readBEIR reads a BEIR folder and returns the grouped records, the
// streamed passages and the statistics.
func readBEIR(t *testing.T, dir, split string) (Group, []Passage, BEIRStats) {
	t.Helper()
	var g Group
	var passages []Passage
	stats, err := ReadBEIR(dir, split, &g, func(p Passage) error {
		passages = append(passages, p)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadBEIR: %v", err)
	}
	return g, passages, stats
}

func TestReadBEIRSciFact(t *testing.T) {
	dir := filepath.Join("..", "testdata", "scifact")
	g, passages, stats := readBEIR(t, dir, "train")

	if len(passages) != 5183 {
		t.Errorf("passages streamed: got %d, want 5183", len(passages))
	}
	if stats.Passages.Passages != 5183 {
		t.Errorf("passages counted: got %d, want 5183", stats.Passages.Passages)
	}
	if stats.Passages.Empty != 0 {
		t.Errorf("empty passages: got %d, want 0", stats.Passages.Empty)
	}
	if len(passages) > 0 {
		p := passages[0]
		if p.ID != "4983" {
			t.Errorf("first passage ID: got %q, want \"4983\"", p.ID)
		}
		if p.Line != 1 {
			t.Errorf("first passage line: got %d, want 1", p.Line)
		}
		// The title, a space, then the text.
		wantText := "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging. Alterations of the architecture"
		if !strings.HasPrefix(p.Text, wantText) {
			t.Errorf("first passage text: got %.160q, want it to start with %q", p.Text, wantText)
		}
	}
	if stats.Queries != 1109 {
		t.Errorf("queries: got %d, want 1109", stats.Queries)
	}
	if stats.Pairs != 919 {
		t.Errorf("pairs: got %d, want 919", stats.Pairs)
	}
	if stats.NotRelevant != 0 {
		t.Errorf("not relevant: got %d, want 0", stats.NotRelevant)
	}
	if stats.MissingDocs != nil {
		t.Errorf("missing docs: got %q, want none", stats.MissingDocs)
	}
	if stats.MissingQueries != nil {
		t.Errorf("missing queries: got %q, want none", stats.MissingQueries)
	}
	if stats.NoPassage != 0 {
		t.Errorf("queries without passage: got %d, want 0", stats.NoPassage)
	}
	if stats.DuplicateDocs != 0 {
		t.Errorf("duplicate docs: got %d, want 0", stats.DuplicateDocs)
	}

	// 809 training queries, two of which repeat an earlier query's text.
	if len(g.Records) != 807 {
		t.Fatalf("records: got %d, want 807", len(g.Records))
	}
	if g.Merged != 2 {
		t.Errorf("merged: got %d, want 2", g.Merged)
	}
	first := g.Records[0]
	if want := "0-dimensional biomaterials lack inductive properties."; first.Query != want {
		t.Errorf("first record query: got %q, want %q", first.Query, want)
	}
	if first.Line != 1 {
		t.Errorf("first record line: got %d, want 1", first.Line)
	}
	if len(first.Relevant) != 1 {
		t.Fatalf("first record: got %d relevant passages, want 1", len(first.Relevant))
	}
	wantRel := "New opportunities: the use of nanotechnologies to manipulate and track stem cells. Nanotechnologies"
	if !strings.HasPrefix(first.Relevant[0], wantRel) || len(first.Relevant[0]) != 723 {
		t.Errorf("first record passage: got %d bytes %.100q, want 723 bytes starting %q", len(first.Relevant[0]), first.Relevant[0], wantRel)
	}
	last := g.Records[len(g.Records)-1]
	if want := "β1/Ketel is able to bind microtubules."; last.Query != want {
		t.Errorf("last record query: got %q, want %q", last.Query, want)
	}
	if last.Line != 809 {
		t.Errorf("last record line: got %d, want 809", last.Line)
	}
	if len(last.Relevant) != 2 {
		t.Errorf("last record: got %d relevant passages, want 2", len(last.Relevant))
	}

	// Queries 89 and 90 share their text. Query 89 names documents 7521113
	// and 22406695, and query 90 names 22406695 again.
	i := slices.IndexFunc(g.Records, func(r Record) bool {
		return r.Query == "Adult tissue-resident macrophages stem from the embryonal yolk sac and fetal liver."
	})
	if i < 0 {
		t.Fatal("record of queries 89 and 90 not found")
	}
	merged := g.Records[i]
	if merged.Line != 60 {
		t.Errorf("merged record line: got %d, want 60", merged.Line)
	}
	if len(merged.Relevant) != 2 {
		t.Fatalf("merged record: got %d relevant passages, want 2", len(merged.Relevant))
	}
	if !strings.HasPrefix(merged.Relevant[0], "Fate mapping reveals origins and dynamics of monocytes") || len(merged.Relevant[0]) != 1252 {
		t.Errorf("merged record passage 1: got %d bytes %.60q, want document 7521113", len(merged.Relevant[0]), merged.Relevant[0])
	}
	if !strings.HasPrefix(merged.Relevant[1], "Origin and functions of tissue macrophages.") || len(merged.Relevant[1]) != 1173 {
		t.Errorf("merged record passage 2: got %d bytes %.60q, want document 22406695", len(merged.Relevant[1]), merged.Relevant[1])
	}
}

func TestReadBEIRSciFactTestSplit(t *testing.T) {
	g, _, stats := readBEIR(t, filepath.Join("..", "testdata", "scifact"), "test")
	if len(g.Records) != 300 {
		t.Errorf("records: got %d, want 300", len(g.Records))
	}
	if stats.Pairs != 339 {
		t.Errorf("pairs: got %d, want 339", stats.Pairs)
	}
	if g.Merged != 0 {
		t.Errorf("merged: got %d, want 0", g.Merged)
	}
}

func TestReadBEIRMissingIDs(t *testing.T) {
	dir := filepath.Join("..", "testdata", "cases", "beir-missing-ids")
	g, passages, stats := readBEIR(t, dir, "test")

	want := []Record{
		{Query: "which metals conduct electricity", Relevant: rel("Copper conducts electricity well because its outer electron moves freely."), Line: 1},
		{Query: "what materials block electric current", Relevant: rel("Insulators Rubber and glass resist the flow of electric current."), Line: 2},
	}
	checkRecords(t, g.Records, want)
	if !slices.Equal(stats.MissingDocs, []string{"d9"}) {
		t.Errorf("missing docs: got %q, want [d9]", stats.MissingDocs)
	}
	if !slices.Equal(stats.MissingQueries, []string{"q7"}) {
		t.Errorf("missing queries: got %q, want [q7]", stats.MissingQueries)
	}
	if stats.Pairs != 4 {
		t.Errorf("pairs: got %d, want 4", stats.Pairs)
	}
	if stats.NotRelevant != 1 {
		t.Errorf("not relevant: got %d, want 1 (q2, d2, score 0)", stats.NotRelevant)
	}
	if stats.Queries != 2 {
		t.Errorf("queries: got %d, want 2", stats.Queries)
	}
	if stats.NoPassage != 0 {
		t.Errorf("queries without passage: got %d, want 0", stats.NoPassage)
	}

	// d1 has no title and d2 an empty one, so both are read as their text alone.
	wantPassages := []Passage{
		{ID: "d1", Text: "Copper conducts electricity well because its outer electron moves freely.", Line: 1},
		{ID: "d2", Text: "Aluminium is lighter than copper and also conducts electricity.", Line: 2},
		{ID: "d3", Text: "Insulators Rubber and glass resist the flow of electric current.", Line: 3},
		{ID: "d4", Text: "Semiconductors Silicon conducts electricity only under some conditions, such as when doped.", Line: 4},
	}
	if !slices.Equal(passages, wantPassages) {
		t.Errorf("passages:\ngot  %+v\nwant %+v", passages, wantPassages)
	}
}

// TestReadBEIRHandMade covers what SciFact lacks: numeric IDs, a
// compressed corpus, qrels without a header, negative and fractional
// scores, duplicate document IDs, empty documents and queries whose
// documents are all missing.
func TestReadBEIRHandMade(t *testing.T) {
	dir := t.TempDir()
	corpus := `{"_id": 101, "title": "Alpha", "text": "first text"}
{"_id": "102", "text": "second text", "metadata": {"source": "x"}}
{"_id": 103, "title": null, "text": "third text"}

{"_id": "102", "text": "second text again"}
{"_id": "104", "title": "only a title", "text": ""}
{"_id": "105", "title": "", "text": ""}
`
	queries := `{"_id": 1, "text": "shared query"}
{"_id": "2", "text": "second query"}
{"_id": 3, "text": "shared query"}
{"_id": 4, "text": "query with missing documents"}
{"_id": 5, "text": "query without qrels"}
`
	qrels := "1\t101\t1\n" +
		"1\t102\t2\n" +
		"2\t103\t0\n" +
		"2\t104\t0.5\n" +
		"3\t104\t1\n" +
		"3\t101\t1\n" +
		"4\t999\t1\n" +
		"4\t105\t1\n" +
		"1\t101\t1\n" +
		"2\t103\t-1\n" +
		"8\t101\t1\n"
	mustWrite(t, filepath.Join(dir, "corpus.jsonl.gz"), gzipBytes(t, []byte(corpus)))
	mustWrite(t, filepath.Join(dir, "queries.jsonl"), []byte(queries))
	mustWrite(t, filepath.Join(dir, "qrels", "dev.tsv"), []byte(qrels))

	g, passages, stats := readBEIR(t, dir, "dev")

	want := []Record{
		{Query: "shared query", Relevant: rel("Alpha first text", "second text", "only a title"), Line: 1},
		{Query: "second query", Relevant: rel("only a title"), Line: 2},
	}
	checkRecords(t, g.Records, want)
	if g.Merged != 1 {
		t.Errorf("merged: got %d, want 1", g.Merged)
	}
	var ids []string
	for _, p := range passages {
		ids = append(ids, p.ID)
	}
	if wantIDs := []string{"101", "102", "103", "102", "104"}; !slices.Equal(ids, wantIDs) {
		t.Errorf("streamed passage IDs: got %q, want %q", ids, wantIDs)
	}
	if stats.Passages.Passages != 5 || stats.Passages.Empty != 1 {
		t.Errorf("passages: got %d and %d empty, want 5 and 1 empty", stats.Passages.Passages, stats.Passages.Empty)
	}
	if stats.DuplicateDocs != 1 {
		t.Errorf("duplicate docs: got %d, want 1", stats.DuplicateDocs)
	}
	if stats.Pairs != 8 {
		t.Errorf("pairs: got %d, want 8", stats.Pairs)
	}
	if stats.NotRelevant != 2 {
		t.Errorf("not relevant: got %d, want 2", stats.NotRelevant)
	}
	if !slices.Equal(stats.MissingDocs, []string{"999", "105"}) {
		t.Errorf("missing docs: got %q, want [999 105]", stats.MissingDocs)
	}
	if !slices.Equal(stats.MissingQueries, []string{"8"}) {
		t.Errorf("missing queries: got %q, want [8]", stats.MissingQueries)
	}
	if stats.NoPassage != 1 {
		t.Errorf("queries without passage: got %d, want 1", stats.NoPassage)
	}
	if stats.Queries != 5 {
		t.Errorf("queries: got %d, want 5", stats.Queries)
	}
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadBEIRErrors(t *testing.T) {
	const (
		goodCorpus  = `{"_id": "d1", "text": "text one"}` + "\n"
		goodQueries = `{"_id": "q1", "text": "query one"}` + "\n"
		goodQrels   = "query-id\tcorpus-id\tscore\nq1\td1\t1\n"
	)
	tests := []struct {
		name    string
		files   map[string]string
		split   string
		wantMsg string // DIR stands for the folder's path
	}{
		{
			name:    "split not found",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": goodQueries, "qrels/dev.tsv": goodQrels, "qrels/train.tsv.gz": goodQrels},
			split:   "test",
			wantMsg: "read BEIR folder: DIR: no qrels/test.tsv or qrels/test.tsv.gz (-split test picks qrels/test.tsv; found: dev, train)",
		},
		{
			name:    "no qrels folder",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": goodQueries},
			split:   "test",
			wantMsg: "read BEIR folder: DIR: no qrels/test.tsv or qrels/test.tsv.gz (-split test picks qrels/test.tsv; found: none)",
		},
		{
			name:    "corpus missing",
			files:   map[string]string{"queries.jsonl": goodQueries, "qrels/test.tsv": goodQrels},
			split:   "test",
			wantMsg: "read BEIR folder: DIR: no corpus.jsonl or corpus.jsonl.gz",
		},
		{
			name:    "queries missing",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "qrels/test.tsv": goodQrels},
			split:   "test",
			wantMsg: "read BEIR folder: DIR: no queries.jsonl or queries.jsonl.gz",
		},
		{
			name:    "corpus line without id",
			files:   map[string]string{"corpus.jsonl": goodCorpus + `{"text": "text two"}` + "\n", "queries.jsonl": goodQueries, "qrels/test.tsv": goodQrels},
			split:   "test",
			wantMsg: `DIR/corpus.jsonl:2: missing "_id": a BEIR corpus needs document IDs`,
		},
		{
			name:    "query without id",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": "\n" + `{"text": "query two"}` + "\n", "qrels/test.tsv": goodQrels},
			split:   "test",
			wantMsg: `DIR/queries.jsonl:2: missing "_id": BEIR queries need IDs`,
		},
		{
			name:    "id a boolean",
			files:   map[string]string{"corpus.jsonl": `{"_id": true, "text": "text one"}` + "\n", "queries.jsonl": goodQueries, "qrels/test.tsv": goodQrels},
			split:   "test",
			wantMsg: `DIR/corpus.jsonl:1: "_id" must be a string or a number, got a boolean`,
		},
		{
			name:    "qrels row with two columns",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": goodQueries, "qrels/test.tsv": goodQrels + "q1 d1\t1\n"},
			split:   "test",
			wantMsg: "DIR/qrels/test.tsv:3: row has 2 columns, want 3 (query-id, corpus-id, score) separated by tabs",
		},
		{
			name:    "qrels separated by spaces",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": goodQueries, "qrels/test.tsv": "q1 d1 1\n"},
			split:   "test",
			wantMsg: "DIR/qrels/test.tsv:1: row has 1 column, want 3 (query-id, corpus-id, score) separated by tabs",
		},
		{
			name:    "qrels score not a number",
			files:   map[string]string{"corpus.jsonl": goodCorpus, "queries.jsonl": goodQueries, "qrels/test.tsv": "q1\td1\thigh\n"},
			split:   "test",
			wantMsg: `DIR/qrels/test.tsv:1: score "high" is not a number`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				data := []byte(content)
				if strings.HasSuffix(name, ".gz") {
					data = gzipBytes(t, data)
				}
				mustWrite(t, filepath.Join(dir, name), data)
			}
			var g Group
			_, err := ReadBEIR(dir, tt.split, &g, func(Passage) error { return nil })
			want := strings.ReplaceAll(tt.wantMsg, "DIR", dir)
			if err == nil {
				t.Fatalf("got no error, want %q", want)
			}
			if err.Error() != want {
				t.Errorf("message:\ngot  %s\nwant %s", err, want)
			}
		})
	}
}

func TestReadBEIRCallbackError(t *testing.T) {
	stop := errors.New("stop")
	var g Group
	calls := 0
	_, err := ReadBEIR(filepath.Join("..", "testdata", "scifact"), "test", &g, func(Passage) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("got error %v, want the callback's error", err)
	}
	if calls != 3 {
		t.Errorf("callback calls: got %d, want 3", calls)
	}
}

// TestReadBEIRFolderWithoutBEIRFiles gives a folder without any BEIR file
// and checks that the error reports that, rather than the missing qrels.
func TestReadBEIRFolderWithoutBEIRFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not BEIR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var g Group
	_, err := ReadBEIR(dir, "test", &g, func(Passage) error { return nil })
	want := dir + " contains no corpus.jsonl, queries.jsonl or qrels folder"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want an error saying %q", err, want)
	}
}
