package synth

// stopWords are Lucene's English stop words, ordered roughly by their
// frequency in English text; they take the most frequent ranks.
var stopWords = []string{
	"the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as",
	"was", "with", "on", "be", "by", "this", "are", "at", "or", "not", "an",
	"but", "they", "their", "there", "will", "if", "no", "these", "such",
	"into", "then",
}

// Syllables are a consonant then a vowel. The letters leave out s and y,
// whose endings English stemmers strip or rewrite most often.
const (
	consonants = "bcdfghjklmnprtvz"
	vowels     = "aeiou"
)

// vocabulary returns n words by rank: the stop words, then syllable words
// in order of length, each distinct and none equal to a stop word.
func vocabulary(n int) []string {
	words := make([]string, 0, n)
	words = append(words, stopWords...)
	stop := make(map[string]bool, len(stopWords))
	for _, w := range stopWords {
		stop[w] = true
	}
	for k := 1; len(words) < n; k++ {
		w := syllableWord(k)
		if !stop[w] {
			words = append(words, w)
		}
	}
	return words
}

// syllableWord writes k >= 1 in bijective base-S numeration with the S
// consonant-vowel syllables as digits, so that every k gives a different
// word and smaller numbers give shorter words.
func syllableWord(k int) string {
	const base = len(consonants) * len(vowels)
	var buf [32]byte
	pos := len(buf)
	for k > 0 {
		k--
		digit := k % base
		k /= base
		pos -= 2
		buf[pos] = consonants[digit/len(vowels)]
		buf[pos+1] = vowels[digit%len(vowels)]
	}
	return string(buf[pos:])
}
