package corpus

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// checkFastPassage checks that where the fast decoder accepts a line, the
// general one returns the same passage.
func checkFastPassage(t *testing.T, line []byte) bool {
	t.Helper()
	fast, ok := parsePassageFast(line, 3)
	if !ok {
		return false
	}
	general, err := parsePassageGeneral(line, "in.jsonl", 3)
	if err != nil {
		t.Fatalf("line %q: the fast decoder accepted it as %+v, the general one reports %v", line, fast, err)
	}
	if fast != general {
		t.Fatalf("line %q: fast decoder gives %+v, general one %+v", line, fast, general)
	}
	return true
}

// TestParsePassageFastCases checks lines the fast decoder must accept, and
// lines it must leave to the general decoder, valid or not.
func TestParsePassageFastCases(t *testing.T) {
	accepted := []string{
		`{"_id":"1","title":"T","text":"body"}`,
		` { "_id" : "1" , "text" : "body" } `,
		"{\t\"text\":\"body\",\r\"title\":null}",
		`{"text":"body","_id":null}`,
		`{"text":null,"title":"only title"}`,
		`{"_id":"","title":"","text":""}`,
		`{"_id":"d1","title":"T","text":"x","metadata":{}}`,
		`{"metadata":{ },"text":"x"}`,
		`{"text":"first","text":"second"}`,
		`{"text":"say \"hi\"\n\\ done \u00e9 \ud83d\ude00"}`,
		`{"text":"caf` + "\u00e9" + ` \u2028"}`,
		`{"text":"lone \ud800 surrogate"}`,
	}
	for _, line := range accepted {
		if !checkFastPassage(t, []byte(line)) {
			t.Errorf("line %q: the fast decoder did not accept it", line)
		}
	}
	left := []string{
		``,
		`{}`,
		`{"title":"no text"}`,
		`{"_id":7,"text":"numeric id"}`,
		`{"_id":"1","text":"x","metadata":{"url":"u"}}`,
		`{"text":"x","score":1}`,
		`{"text":"x",}`,
		`{"text":"x"} {"text":"y"}`,
		`{"text":"x"}}`,
		`{"text":"x"`,
		`{"text":"unclosed}`,
		`{"text":"bad \x escape"}`,
		"{\"text\":\"tab\tinside\"}",
		`{"te\u0078t":"escaped key"}`,
		`{"text":nul}`,
		`{"text":nullx}`,
		`{"text":true}`,
		`["text","x"]`,
		"\f{\"text\":\"form feed before\"}",
		`{"text":"x"}` + "\u00a0",
		`{"text":"ends in backslash\`,
	}
	for _, line := range left {
		if checkFastPassage(t, []byte(line)) {
			t.Errorf("line %q: the fast decoder accepted it, want it left to the general one", line)
		}
	}
}

// TestParsePassageFastSciFact decodes every SciFact corpus line both ways.
func TestParsePassageFastSciFact(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "scifact", "corpus.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	lines, accepted := 0, 0
	for sc.Scan() {
		lines++
		if checkFastPassage(t, sc.Bytes()) {
			accepted++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if accepted != lines {
		t.Errorf("the fast decoder accepted %d of %d SciFact lines, want all", accepted, lines)
	}
}

// FuzzParsePassageFast checks that the fast decoder never disagrees with
// the general one.
func FuzzParsePassageFast(f *testing.F) {
	f.Add([]byte(`{"_id":"1","title":"T","text":"body","metadata":{}}`))
	f.Add([]byte(`{"text":"a \"b\" \u00e9","text":null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if !utf8.Valid(line) {
			return
		}
		checkFastPassage(t, line)
	})
}
