package pipeline

import "fmt"

// Cohere's rerank fine-tuning upload limits.
const (
	// MinUniqueQueries is the fewest distinct queries a file may hold.
	MinUniqueQueries = 256
	// MaxUploadBytes is the largest file Cohere accepts, 1.5 GB.
	MaxUploadBytes = 1_500_000_000
)

// Problem is an upload rule that an output file breaks.
type Problem struct {
	File string
	Rule string
}

func (p Problem) String() string { return p.File + ": " + p.Rule }

// uploadProblems checks what the mining run itself cannot guarantee about
// a Cohere file: the number of distinct queries and the size. Records are
// merged by query text, so records written equals distinct queries. Every
// record has a relevant passage, the input was checked for UTF-8 and no
// negative equals a relevant passage, by construction.
func uploadProblems(file string, queries int, size int64) []Problem {
	var out []Problem
	if queries < MinUniqueQueries {
		out = append(out, Problem{file, fmt.Sprintf("holds %d unique queries; Cohere requires at least %d", queries, MinUniqueQueries)})
	}
	if size > MaxUploadBytes {
		out = append(out, Problem{file, fmt.Sprintf("is %d bytes; Cohere accepts at most %d", size, int64(MaxUploadBytes))})
	}
	return out
}
