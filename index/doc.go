// Package index stores passages and ranks them for a query with Okapi BM25
// over a Bleve scorch index on disk.
//
// An index folder holds three things: the Bleve index of the passages'
// analyzed terms (no stored text, term vectors or _all field), the passage
// store that maps a document ID to the passage text, and meta.json with the
// settings and a fingerprint of the content. Document IDs number passages
// from 0 in the order they were first added; identical passages are added
// once.
//
// Ranking computes Okapi BM25 exactly as Lucene defines it, over Bleve's
// postings: idf = ln(1 + (N - df + 0.5) / (df + 0.5)) and a term's weight
// tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)), with dl and avgdl
// counted in tokens after analysis. A query term that occurs n times counts
// n times. Scores do not depend on how Bleve split the index into segments.
// The "lucene" model computes the same formula with the document length
// that Lucene's one-byte norm keeps, which Anserini's and Pyserini's BM25
// rankings reproduce. Bleve's own "bm25" scoring model is also set in the
// index mapping and can be used for comparison; it differs from Okapi BM25
// in its term frequency, average length and fixed k1 and b.
package index
