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

// uploadProblems turns the errors of a validation report into one problem
// per rule: the first issue's message and how many more there are.
func uploadProblems(r *corpus.Report) []Problem {
	var out []Problem
	for _, rule := range corpus.Rules() {
		if rule.Severity() != corpus.SeverityError || r.Counts[rule] == 0 {
			continue
		}
		msg := ""
		for _, is := range r.Issues {
			if is.Rule == rule {
				msg = is.Message
				if is.Line > 0 {
					msg = fmt.Sprintf("line %d: %s", is.Line, msg)
				}
				break
			}
		}
		if n := r.Counts[rule]; n > 1 {
			msg += fmt.Sprintf(" (and %d more)", n-1)
		}
		out = append(out, Problem{File: r.File, Rule: msg})
	}
	return out
}
