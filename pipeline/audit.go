package pipeline

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mine-tools/mine/corpus"
)

// auditTextMax is the number of characters of a passage an audit table
// shows; the rest is counted, not shown.
const auditTextMax = 400

// auditSample keeps the n output records with the smallest SHA-256 of the
// seed and the query, a random sample that depends on the seed and the
// data only. It is fed in output order by one goroutine.
type auditSample struct {
	n    int
	seed int64
	rows []auditRow
}

type auditRow struct {
	key       [32]byte
	order     int
	query     string
	relevant  []string
	negatives []string
	scores    []float64 // of the mined negatives, which follow the given ones
	given     int
}

func (a *auditSample) offer(order int, m *mined) {
	if a == nil || a.n <= 0 {
		return
	}
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(a.seed))
	key := sha256.Sum256(append(seed[:], m.record.Query...))
	if len(a.rows) == a.n && slices.Compare(key[:], a.rows[len(a.rows)-1].key[:]) >= 0 {
		return
	}
	row := auditRow{key: key, order: order, query: m.record.Query, relevant: m.record.RelevantPassages,
		negatives: m.record.HardNegatives, scores: m.keptScores, given: m.given}
	i, _ := slices.BinarySearchFunc(a.rows, row, func(x, y auditRow) int { return slices.Compare(x.key[:], y.key[:]) })
	a.rows = slices.Insert(a.rows, i, row)
	if len(a.rows) > a.n {
		a.rows = a.rows[:a.n]
	}
}

// writeAudit writes the sample as a Markdown table, in output order.
func writeAudit(path string, a *auditSample, stdout io.Writer) error {
	out, err := corpus.CreateOutput(path, stdout)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out.Writer())
	rows := slices.Clone(a.rows)
	slices.SortFunc(rows, func(x, y auditRow) int { return x.order - y.order })
	fmt.Fprintf(w, "# Audit sample: %d records (seed %d)\n\n", len(rows), a.seed)
	fmt.Fprintf(w, "Scores are exact Okapi BM25 against the query; \"given\" marks negatives from the input.\n\n")
	fmt.Fprintf(w, "| record | query | relevant passages | hard negatives |\n|---|---|---|---|\n")
	for _, r := range rows {
		rel := make([]string, len(r.relevant))
		for i, p := range r.relevant {
			rel[i] = cell(p)
		}
		negs := make([]string, len(r.negatives))
		for i, n := range r.negatives {
			label := "given"
			if i >= r.given && i-r.given < len(r.scores) {
				label = fmt.Sprintf("%.3f", r.scores[i-r.given])
			}
			negs[i] = fmt.Sprintf("(%s) %s", label, cell(n))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s |\n", r.order+1, cell(r.query), strings.Join(rel, "<br><br>"), strings.Join(negs, "<br><br>"))
	}
	if err := w.Flush(); err != nil {
		out.Abort()
		return fmt.Errorf("write audit %s: %w", path, err)
	}
	return out.Commit()
}

// cell makes a text safe for one Markdown table cell and shortens it.
func cell(s string) string {
	runes := []rune(s)
	more := ""
	if len(runes) > auditTextMax {
		more = fmt.Sprintf(" … (%d more characters)", len(runes)-auditTextMax)
		runes = runes[:auditTextMax]
	}
	s = strings.Join(strings.Fields(string(runes)), " ")
	s = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
	return s + more
}
