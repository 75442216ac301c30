package pipeline

import "github.com/mine-tools/mine/corpus"

// Summary reports what a run read, dropped and wrote.
type Summary struct {
	// InputLines counts non-blank input lines or rows; for a BEIR folder,
	// the queries with a relevant document.
	InputLines int
	// Records counts records after merging duplicate queries.
	Records int
	// MergedQueries counts input records folded into an earlier record with
	// the same query text.
	MergedQueries int
	// DuplicatePassages counts exact repeats of a passage within a record.
	DuplicatePassages int
	// EmptyNegatives counts empty strings dropped from given negatives.
	EmptyNegatives int
	// GivenNegativesDropped counts given negatives that equal, after
	// normalisation, one of the record's relevant passages or its query.
	GivenNegativesDropped int
	// BOM reports a byte-order mark at the start of the input.
	BOM bool
	// BEIR holds what a BEIR folder held; nil for other inputs.
	BEIR *corpus.BEIRStats
	// CorpusPassages counts passages read from -corpus files.
	CorpusPassages int
	// Passages counts the distinct passages in the index.
	Passages int
	// IndexReused reports that an existing index folder was reused.
	IndexReused bool
	// Written counts output records.
	Written int
	// Mined counts negatives found by retrieval; Given those from the input.
	Mined, Given int
	// Histogram[n] counts records written with n hard negatives; the last
	// entry counts records with that many or more.
	Histogram []int
	// Short counts records with fewer hard negatives than requested.
	Short int
	// Positives counts relevant passages; PositivesRanked those that BM25
	// ranks within the depth for their query. A positive that BM25 cannot
	// reach shares few terms with its query.
	Positives, PositivesRanked int
	// Dropped counts examined candidates that were not kept, by reason.
	Dropped Drops
	// Rejected counts skipped input lines by kind, RejectedTotal all of
	// them; RejectExamples quotes the first few; RejectsFile names the file
	// they were written to, empty unless invalid lines are skipped.
	Rejected       []KindCount
	RejectedTotal  int
	RejectExamples []string
	RejectsFile    string
	// OutputLines counts lines written to the output; with the triplets
	// format that is one per positive and negative pair.
	OutputLines int
	// EvalWritten counts records written to the held-out file.
	EvalWritten int
	// StartedOver reports a resumable run that found the checkpoint of a
	// run with other inputs or settings and started from the beginning.
	StartedOver bool
	// JobTrain and JobEval count, in a sharded run, the records that all
	// shards together mine for the output and for the held-out file.
	JobTrain, JobEval int
	// Problems lists upload rules that the written files break.
	Problems []Problem
	// MarginOff counts records where the score margin guard could not
	// apply because no relevant passage scored above 0.
	MarginOff int
	// DroppedShort counts records left out of the output, and written to
	// the rejects file, for having too few negatives.
	DroppedShort int
	// Rank and score distributions of the positives within the depth and
	// of the mined negatives.
	positiveRanks, keptRanks, positiveScores, keptScores distribution
	// Resumed counts records that an earlier, interrupted run had written.
	Resumed int
	// Seconds spent per stage.
	ReadSeconds, IndexSeconds, MineSeconds float64
}

// QueriesPerSecond returns the mining rate of this run: the records it
// mined, without those an earlier run wrote before a resume, per second
// of the mining stage.
func (s *Summary) QueriesPerSecond() float64 {
	if s.MineSeconds <= 0 {
		return 0
	}
	return float64(s.Written-s.Resumed) / s.MineSeconds
}
