package pipeline

import (
	"fmt"

	"github.com/mine-tools/mine/corpus"
)

// Problem is an upload rule that an output file breaks.
type Problem struct {
	File string
	Rule string
}

func (p Problem) String() string { return p.File + ": " + p.Rule }

// uploadProblems returns the rules of mine validate that a Cohere file of
// the given number of records and bytes breaks. The other rules hold by
// construction. Records are merged by query text, so records are unique
// queries. Every record has a relevant passage, the input was checked for
// UTF-8, and no negative equals a relevant passage after normalisation.
// The messages are the validator's.
func uploadProblems(file string, queries int, size int64) []Problem {
	var out []Problem
	if queries < corpus.CohereMinQueries {
		out = append(out, Problem{file, fmt.Sprintf("too few unique queries: the file has %d and Cohere needs at least %d, so add %d more",
			queries, corpus.CohereMinQueries, corpus.CohereMinQueries-queries)})
	}
	if size > corpus.CohereMaxBytes {
		out = append(out, Problem{file, fmt.Sprintf("file is %d bytes, over the limit of %d bytes; Cohere accepts datasets up to 1.5 GB, so split it into smaller files",
			size, int64(corpus.CohereMaxBytes))})
	}
	return out
}
