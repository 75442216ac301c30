package pipeline

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/mine-tools/mine/corpus"
)

// writeRun writes the rankings as a TREC run file, one line per retrieved
// document: "qid Q0 docid rank score tag", separated by spaces. Scores are
// written in the shortest form that parses back to the same float64, so
// that trec_eval orders equal and nearly equal scores as Evaluate did. A
// query that retrieved nothing has no line. The output named name is
// committed only when complete.
func writeRun(out *corpus.Output, name string, queries []judgedQuery, rankings [][]RankedDoc) error {
	w := bufio.NewWriterSize(out.Writer(), 1<<16)
	var line []byte
	for i, q := range queries {
		if len(rankings[i]) > 0 && !isTRECField(q.id) {
			return fmt.Errorf("write run file %s: query ID %q is empty or contains white space, which a TREC run file cannot hold", name, q.id)
		}
		for rank, d := range rankings[i] {
			if !isTRECField(d.ID) {
				return fmt.Errorf("write run file %s: document ID %q is empty or contains white space, which a TREC run file cannot hold", name, d.ID)
			}
			line = append(line[:0], q.id...)
			line = append(line, " Q0 "...)
			line = append(line, d.ID...)
			line = append(line, ' ')
			line = strconv.AppendInt(line, int64(rank+1), 10)
			line = append(line, ' ')
			line = strconv.AppendFloat(line, d.Score, 'f', -1, 64)
			line = append(line, " "+RunTag+"\n"...)
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("write run file %s: %w", name, err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write run file %s: %w", name, err)
	}
	return out.Commit()
}

// isTRECField reports whether s can be one field of a run file line.
func isTRECField(s string) bool {
	return s != "" && !strings.ContainsFunc(s, unicode.IsSpace)
}
