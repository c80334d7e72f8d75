package answer

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// hit is an example bleve found for a question, and its score.
type hit struct {
	doc   int // index into Index.docs
	score float64
}

// searcher runs queries on a built index's one snapshot. An index is never
// changed once built, so the snapshot bleve's Search would open and close
// for every question is opened once, and every example's bleve document
// number is mapped to its place in docs once: a hit needs neither its
// stored id read nor the stored fields bleve's Search loads for each hit.
// Those, with the collector's pool sized for every search, were a third of
// a question's allocations.
type searcher struct {
	reader index.IndexReader
	ctx    context.Context
	docOf  []int32 // bleve's document number → index into docs
	// closed is set once the index is closed: a search then fails, as
	// bleve's own would, instead of reading a released snapshot.
	closed atomic.Bool
}

// newSearcher opens bi's snapshot and maps its documents; id names the
// i-th of n examples.
func newSearcher(bi bleve.Index, n int, id func(int) string) (*searcher, error) {
	adv, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("open faq index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("open faq index: %w", err)
	}
	// A new index of n documents, none ever deleted, numbers them 0 to n-1
	// across its segments.
	s := &searcher{reader: r, docOf: make([]int32, n)}
	for d := range n {
		iid, err := r.InternalID(id(d))
		if err != nil || len(iid) != 8 || binary.BigEndian.Uint64(iid) >= uint64(n) {
			r.Close()
			return nil, fmt.Errorf("open faq index: example %d has no document number below %d (%v)", d, n, err)
		}
		s.docOf[binary.BigEndian.Uint64(iid)] = int32(d)
	}
	// Scored as bleve's Search scores: by the model the mapping names.
	model := index.DefaultScoringModel
	if m, ok := bi.Mapping().(*mapping.IndexMappingImpl); ok && m.ScoringModel == index.BM25Scoring {
		model = index.BM25Scoring
	}
	s.ctx = context.WithValue(context.Background(), search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return model }))
	return s, nil
}

func (s *searcher) close() error {
	s.closed.Store(true)
	return s.reader.Close()
}

// topHits returns the n best-scoring examples for q, equal scores in
// example order: the same on every run and every build of the index.
// bleve alone breaks ties by the order it meets documents, and that
// depends on which of its analysis goroutines finished first while the
// index was built.
func (ix *Index) topHits(q query.Query, n int) ([]hit, error) {
	s := ix.searcher
	if s.closed.Load() {
		return nil, fmt.Errorf("search faq: %w", bleve.ErrorIndexClosed)
	}
	qs, err := q.Searcher(s.ctx, s.reader, ix.bi.Mapping(), search.SearcherOptions{})
	if err != nil {
		return nil, fmt.Errorf("search faq: %w", err)
	}
	defer qs.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(qs.DocumentMatchPoolSize()+1, 0)}
	hits := make([]hit, 0, n+1)
	for {
		dm, err := qs.Next(sctx)
		if err != nil {
			return nil, fmt.Errorf("search faq: %w", err)
		}
		if dm == nil {
			return hits, nil
		}
		h := hit{doc: -1, score: dm.Score}
		if len(dm.IndexInternalID) == 8 {
			if num := binary.BigEndian.Uint64(dm.IndexInternalID); num < uint64(len(s.docOf)) {
				h.doc = int(s.docOf[num])
			}
		}
		sctx.DocumentMatchPool.Put(dm)
		if h.doc < 0 || (len(hits) == n && !h.before(hits[n-1])) {
			continue
		}
		// Insertion into the few kept: n is a few dozen.
		i := len(hits)
		if i < n {
			hits = append(hits, h)
		} else {
			i = n - 1
		}
		for ; i > 0 && h.before(hits[i-1]); i-- {
			hits[i] = hits[i-1]
		}
		hits[i] = h
	}
}

// before orders hits best first, equal scores by example.
func (h hit) before(o hit) bool {
	if h.score != o.score {
		return h.score > o.score
	}
	return h.doc < o.doc
}
