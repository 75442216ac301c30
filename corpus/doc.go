// Package corpus reads the query/passage data that mine turns into training
// records, and the passage collections that hard negatives are mined from.
//
// Input layouts, each read line by line from a file that may be
// gzip-compressed (detected by its magic bytes, not its name):
//
//   - Cohere rerank JSONL: {"query", "relevant_passages", "hard_negatives"},
//     with "hard_negatives" optional.
//   - Pairs JSONL: {"query", "passage"}.
//   - FlagEmbedding JSONL: {"query", "pos", "neg"}, with "neg" optional.
//   - Two-column TSV or CSV: query, passage. A first row whose first column
//     is "query", "question" or "anchor" is a header. TSV fields are split on
//     tabs and quotes are plain text; CSV follows RFC 4180 quoting.
//   - A BEIR folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv.
//
// A JSONL line may use any of the three JSON layouts; the layout is picked
// from the keys present. Any layout may carry "answers", a list of short
// answer strings as QA datasets give them. Blank lines are skipped, a UTF-8 byte-order mark at
// the start of a file is removed, and CR LF line endings are accepted. Lines
// have no length limit. Line numbers count from 1 and include blank lines,
// so they match what an editor shows.
//
// Rejected: bytes that are not valid UTF-8, a line that is not exactly one
// JSON object, a missing or empty query, relevant passages that are missing,
// empty or not a list of non-empty strings, and negatives that are not a list
// of strings. Each rejection is a *ParseError naming the file, the line and
// the field. Empty strings among given negatives are dropped and counted,
// because Cohere's upload check drops them too.
//
// Passage collections (-corpus files) are JSONL with "text" and optional
// "title" and "_id" (a BEIR corpus.jsonl is one), or plain text with one
// passage per line. A passage's text is title + " " + text when the title is
// not empty.
//
// ValidateFile and Validator check a file against Cohere's rerank upload
// rules, which are stricter than what the readers accept: only the Cohere
// layout, no byte-order mark, "hard_negatives" absent or a list (not null),
// no passage both relevant and a hard negative on one line, and at least
// 256 unique queries. They report every fault of the file, not only the
// first, and warn about data that Cohere drops or cuts.
package corpus

// BUG(validate): EstimateTokens counts text written without spaces between
// words, such as Chinese, Japanese or Thai, as very few words, so the
// long-passage warning misses most long passages in those languages.
