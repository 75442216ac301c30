package corpus

import "slices"

// RecordSink receives records as a reader parses them, in input order.
type RecordSink interface {
	Add(Record)
}

// Group merges records that share the same query text, in first-seen order.
// Left apart, one duplicate's positive would be mined as the other's hard
// negative. The zero value is ready to use; it is not safe for concurrent use.
type Group struct {
	Records []Record
	byQuery map[string]int
	// Merged counts input records folded into an earlier one.
	Merged int
	// Duplicates counts passages dropped because the same input record
	// repeated them in the same role. Passages shared by merged records are
	// not counted: the union keeps one copy by design.
	Duplicates int
}

// Add appends r, or unions its passages into the earlier record with the
// same query text. Passages keep first-seen order and exact duplicates are
// kept once.
func (g *Group) Add(r Record) {
	if g.byQuery == nil {
		g.byQuery = make(map[string]int)
	}
	i, ok := g.byQuery[r.Query]
	if !ok {
		g.byQuery[r.Query] = len(g.Records)
		r.Relevant = g.appendNew(nil, r.Relevant)
		r.Negatives = g.appendNew(nil, r.Negatives)
		r.Answers = appendAnswers(nil, r.Answers)
		g.Records = append(g.Records, r)
		return
	}
	g.Merged++
	prev := &g.Records[i]
	prev.Relevant = g.appendNew(prev.Relevant, r.Relevant)
	prev.Negatives = g.appendNew(prev.Negatives, r.Negatives)
	prev.Answers = appendAnswers(prev.Answers, r.Answers)
}

// appendNew appends the items of add that dst does not already contain.
// It counts in Duplicates an item that add repeats, but not one that dst
// contained before the call, because an earlier record gave that one.
func (g *Group) appendNew(dst, add []string) []string {
	earlier := len(dst)
	for _, s := range add {
		if i := slices.Index(dst, s); i >= 0 {
			if i >= earlier {
				g.Duplicates++
			}
			continue
		}
		dst = append(dst, s)
	}
	return dst
}

// appendAnswers appends the answers dst does not hold yet, uncounted:
// QA datasets repeat an answer once per annotator.
func appendAnswers(dst, add []string) []string {
	for _, a := range add {
		if !contains(dst, a) {
			dst = append(dst, a)
		}
	}
	return dst
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
