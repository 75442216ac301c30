// Package pipeline runs the mining job. It reads the input records and
// indexes every passage. A pool of workers then retrieves each query's top
// BM25 candidates, filters out what is really a positive and selects the
// hard negatives, and the records are written in input order.
//
// Output depends only on the input and the settings, never on the number of
// workers: each record is mined on its own, candidates are ranked by score
// and then by document ID, and results leave through a reorder window.
package pipeline
