package pipeline

import (
	"hash/maphash"
	"strings"
	"unicode"

	"github.com/mine-tools/mine/index"
)

// shingleSize is the number of words in a shingle.
const shingleSize = 3

// shingleSeed hashes shingles. Sets are only compared within one process,
// so a random seed does not change any result.
var shingleSeed = maphash.MakeSeed()

// shingleSet is the set of hashed word shingles of a text.
type shingleSet map[uint64]struct{}

// shingles returns the hashed runs of shingleSize consecutive words of a
// normalised text, words being runs of letters and digits. A text of fewer
// words is one shingle.
func shingles(text string) shingleSet {
	words := strings.FieldsFunc(index.Normalize(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	set := make(shingleSet)
	if len(words) == 0 {
		return set
	}
	n := min(shingleSize, len(words))
	for i := 0; i+n <= len(words); i++ {
		set[maphash.String(shingleSeed, strings.Join(words[i:i+n], " "))] = struct{}{}
	}
	return set
}

// overlap returns the share of the smaller set's shingles found in the
// other: 1 when one text is a chunk of the other, 0 when they share no run
// of words.
func overlap(a, b shingleSet) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	shared := 0
	for s := range a {
		if _, ok := b[s]; ok {
			shared++
		}
	}
	return float64(shared) / float64(len(a))
}
