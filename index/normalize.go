package index

import (
	"hash/fnv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form under which two passages count as the same
// text: Unicode NFKC, case-folded, with runs of whitespace collapsed to one
// space and none at either end. The index stores the Key of every
// passage's normalized text, so a change here needs a new formatVersion.
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

// Key returns a 64-bit FNV-1a hash of the normalized text, so that texts
// can be compared as Normalize compares them without keeping their
// normalized forms. It is 0 only for a text that normalizes to nothing.
// Two different normalized texts share a key with a probability of about
// 2^-64.
func Key(text string) uint64 {
	s := Normalize(text)
	if s == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(s))
	return max(h.Sum64(), 1)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
