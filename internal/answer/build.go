package answer

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	zap "github.com/blevesearch/zapx/v17"
)

// buildChunk is how many example questions go into bleve at a time. One
// batch holds every document analysed at once, which for a 10,000-entry
// FAQ (30,000 examples) peaked at three times the finished index; each
// batch is a segment of its own, searched one after another, so smaller
// batches cost every match more. 4,000 kept that FAQ's peak at 110 MB
// (1,000: 102 MB, 8,000: 169 MB) and its match at 1.5 ms (1,000: 1.7 ms).
// A FAQ smaller than this (nearly all) is one batch, as it always was.
const buildChunk = 4000

// flushFull sends batch to bi once it holds buildChunk documents, and
// empties it for the next ones.
func flushFull(bi bleve.Index, batch *bleve.Batch) error {
	if batch.Size() < buildChunk {
		return nil
	}
	if err := bi.Batch(batch); err != nil {
		return fmt.Errorf("index faq: %w", err)
	}
	batch.Reset()
	return nil
}

// docIDs returns the bleve id of the i-th example of entries: its number,
// zero-padded to one width so ids sort as the examples are ordered.
func docIDs(entries []Entry) func(i int) string {
	n := 0
	for _, e := range entries {
		n += len(e.Questions)
	}
	width := len(strconv.Itoa(n))
	return func(i int) string { return fmt.Sprintf("%0*d", width, i) }
}

// sharedMapping is the index mapping every FAQ index is built with, made
// once per process: its analyzers (stop words, stemmer, CJK bigrams) are
// the same for every FAQ, bleve only reads a mapping once an index is
// open, and made again for each of a thousand channels' indexes they
// were a good part of what a small FAQ costs.
//
// It also sets, before the process's first index, how zap sizes a new
// segment's buffer: for the batch's documents plus 100 more, by default,
// which made a 10-entry FAQ's segment (30 documents) four times the size
// it needs, and bleve keeps the buffer as the segment. Every bleve index
// of the process is a FAQ index built after this.
var sharedMapping = sync.OnceValues(func() (*mapping.IndexMappingImpl, error) {
	zap.NewSegmentBufferNumResultsBump = 0
	return newMapping()
})
