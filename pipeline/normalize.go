package pipeline

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form under which two passages count as the same
// text: Unicode NFKC, case-folded, with runs of whitespace collapsed to one
// space and none at either end.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	// A Caser holds state, so each call makes its own.
	s = cases.Fold().String(s)
	return strings.Join(strings.Fields(s), " ")
}
