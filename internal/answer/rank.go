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
// made the cut changed from run to run. Ids are zero-padded example
// numbers (see docIDs), so as strings they sort in example order. Asking
// bleve to sort by id reads every compared hit's stored id, which doubled
// the cost of a match in a 10,000-entry FAQ; so bleve is asked for twice
// the hits needed, ties among them are put in order here, and only a tie
// that runs past all of them is searched again sorted by id.
func topHits(bi bleve.Index, q query.Query, n int) (search.DocumentMatchCollection, error) {
	res, err := bi.Search(bleve.NewSearchRequestOptions(q, 2*n, 0, false))
	if err != nil {
		return nil, fmt.Errorf("search faq: %w", err)
	}
	hits := res.Hits
	if len(hits) > n && hits[n-1].Score == hits[len(hits)-1].Score && res.Total > uint64(len(hits)) {
		req := bleve.NewSearchRequestOptions(q, n, 0, false)
		req.SortBy([]string{"-_score", "_id"})
		if res, err = bi.Search(req); err != nil {
			return nil, fmt.Errorf("search faq: %w", err)
		}
		return res.Hits, nil
	}
	// bleve sorted by score: only runs of equal scores need reordering.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].Score == hits[j-1].Score && hits[j].ID < hits[j-1].ID; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	return hits[:min(n, len(hits))], nil
}
