// Package bench measures mine side by side with two peers on the same BEIR
// folder, at the same depth and number of hard negatives:
//
//   - plain Bleve, as most users would write it: the default index mapping,
//     bleve.New on disk, batches of 1,000 documents, and one match query
//     per query that requests the top depth hits with their stored text;
//   - SQLite FTS5 through the sqlite3 command, ranking with its bm25()
//     function, one process per worker.
//
// Each peer mines the plain way: it takes the top depth candidates, drops
// the query's relevant passages and keeps the first ones left. Every
// measured step runs in a child process so that its peak resident memory
// (the kernel's maxrss) and CPU time belong to that step alone.
//
// The package is driven by the tests in this folder: `make bench` runs
// TestSideBySide, which prints a report of medians and ratios. Nothing in
// the mine command imports it.
package bench
