package index

import (
	"fmt"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segmentView is one segment of the Bleve snapshot that Search reads
// postings from directly, without scorch's TermFieldReader.
type segmentView struct {
	seg segment.Segment
	// deleted contains the segment's deleted document numbers, or nil.
	deleted *roaring.Bitmap
	// offset turns the segment's document numbers into Bleve's internal
	// numbers, as scorch does: the document counts of the segments before
	// it, deleted documents included.
	offset uint64
}

// segmentViews lists the segments of a scorch snapshot with their offsets.
func segmentViews(r bleveindex.IndexReader) ([]segmentView, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("open index: Bleve reader is a %T, expected a scorch snapshot; rebuild the index", r)
	}
	var views []segmentView
	var offset uint64
	for _, ss := range snap.Segments() {
		views = append(views, segmentView{seg: ss.Segment(), deleted: ss.Deleted(), offset: offset})
		offset += ss.Segment().Count()
	}
	return views, nil
}

// termPostings is one query term's postings list and iterator in each
// segment, reused from search to search.
type termPostings struct {
	lists []segment.PostingsList
	iters []segment.PostingsIterator
}

// dictionaries returns the text field's term dictionary of each segment.
// A dictionary keeps the state of its last lookup, so each scratch has its
// own.
func (ix *Index) dictionaries(s *scratch) ([]segment.TermDictionary, error) {
	if len(s.dicts) == len(ix.segments) {
		return s.dicts, nil
	}
	dicts := make([]segment.TermDictionary, len(ix.segments))
	for i, v := range ix.segments {
		d, err := v.seg.Dictionary(textField)
		if err != nil {
			return nil, err
		}
		dicts[i] = d
	}
	s.dicts = dicts
	return dicts, nil
}

// postings looks term up in every segment and returns its postings and
// its document frequency, deleted documents left out. The postings stay
// valid until the next call with the same scratch and slot.
func (ix *Index) postings(s *scratch, slot int, term string) (*termPostings, uint64, error) {
	dicts, err := ix.dictionaries(s)
	if err != nil {
		return nil, 0, err
	}
	for len(s.terms) <= slot {
		s.terms = append(s.terms, termPostings{
			lists: make([]segment.PostingsList, len(ix.segments)),
			iters: make([]segment.PostingsIterator, len(ix.segments)),
		})
	}
	tp := &s.terms[slot]
	s.key = append(s.key[:0], term...)
	var df uint64
	for i, v := range ix.segments {
		pl, err := dicts[i].PostingsList(s.key, v.deleted, tp.lists[i])
		if err != nil {
			return nil, 0, err
		}
		tp.lists[i] = pl
		df += pl.Count()
	}
	return tp, df, nil
}

// iterator starts term slot's postings in segment i, with frequencies and
// norms.
func (tp *termPostings) iterator(i int) segment.PostingsIterator {
	tp.iters[i] = tp.lists[i].Iterator(true, true, false, tp.iters[i])
	return tp.iters[i]
}

// normLength returns the field length that a Bleve norm encodes. Bleve
// stores the field length L as the norm 1/sqrt(L) in a float32, which
// recovers L exactly below about 4 million tokens.
func normLength(norm float64) float64 {
	return math.Round(1 / (norm * norm))
}

// zapNorm returns the norm that zap's Posting.Norm reports for a posting
// whose NormUint64 is bits: zap v17 stores the field length itself.
func zapNorm(bits uint64) float64 {
	return float64(float32(1.0 / math.Sqrt(float64(uint32(bits)))))
}

// lengthTableSize bounds the field lengths whose scoring length is looked
// up in a table; longer fields compute it.
const lengthTableSize = 1 << 12

// okapiLengths and luceneLengths map a zap posting's stored field length
// to the document length that each scoring model uses, exactly as it is
// computed from the posting's norm.
var okapiLengths, luceneLengths = lengthTables()

func lengthTables() (okapi, lucene []float64) {
	okapi = make([]float64, lengthTableSize)
	lucene = make([]float64, lengthTableSize)
	for n := range okapi {
		dl := normLength(zapNorm(uint64(n)))
		okapi[n] = dl
		lucene[n] = float64(luceneLength(uint64(dl)))
	}
	return okapi, lucene
}

// postingLength returns the document length of a zap posting's stored
// field length for the given model.
func postingLength(bits uint64, lucene bool) float64 {
	if bits < lengthTableSize {
		if lucene {
			return luceneLengths[bits]
		}
		return okapiLengths[bits]
	}
	dl := normLength(zapNorm(bits))
	if lucene {
		dl = float64(luceneLength(uint64(dl)))
	}
	return dl
}
