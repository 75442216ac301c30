package pipeline

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form under which two passages count as the same
// text: Unicode NFKC, case-folded, with runs of whitespace collapsed to one
// space and none at either end.
func Normalize(s string) string {
	if isASCII(s) {
		// NFKC leaves ASCII as it is, and folding ASCII is lowering it.
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	s = norm.NFKC.String(s)
	// A Caser holds state, so each call makes its own.
	s = cases.Fold().String(s)
	return strings.Join(strings.Fields(s), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
