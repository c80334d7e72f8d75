package answer

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// topHits returns the n best-scoring examples for q, equal scores in
// example order, the same on every run and every build of the index.
//
// bleve alone breaks ties by the order it meets documents, and that order
// depends on which of its analysis goroutines finished first while the
// index was built: with examples tied at the n-th place, which of them
// made the cut changed from run to run. Sorting by id as well settles it:
// ids are zero-padded example numbers (see docIDs), so as strings they
// sort in example order, and an earlier entry wins a tie. (Asking for one
// hit more and sorting by id only when the cut falls inside a tie was
// slower: in a FAQ of templated questions it nearly always does.)
func topHits(bi bleve.Index, q query.Query, n int) (search.DocumentMatchCollection, error) {
	req := bleve.NewSearchRequestOptions(q, n, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := bi.Search(req)
	if err != nil {
		return nil, fmt.Errorf("search faq: %w", err)
	}
	return res.Hits, nil
}
