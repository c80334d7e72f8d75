package answer

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/chatdesk/chatdesk/internal/embedding"
)

// tokenDots scores questions against the built-in table's example vectors
// from each question token's products with them, kept per token once
// computed: a question has a handful of tokens, so its scores cost a few
// additions per example instead of a full dot product each, and chat reuses
// a small vocabulary. The products are exact, not an approximation; see
// embedding.Sentence.
type tokenDots struct {
	table   *embedding.Table
	vecs    []embedding.Packed // the semantic's centred example vectors
	common  []float32          // per example, its product with table.Common()
	meanDot []float32          // per example, its product with mean
	mean    embedding.Vector
	cache   sync.Map // int32 token id → []float32, one per example
	cached  atomic.Int32
	limit   int32 // how many tokens the cache may hold
}

// maxCachedTokens and maxCachedBytes bound the cache: 1,024 tokens, about
// 4 MB, for a 200-entry FAQ; fewer tokens for more examples, so that no
// index's cache passes 8 MB. Tokens past the bound are computed each time,
// which is still correct.
const (
	maxCachedTokens = 1024
	maxCachedBytes  = 8 << 20
)

func newTokenDots(t *embedding.Table, s *semantic) *tokenDots {
	td := &tokenDots{table: t, vecs: s.vecs, mean: s.mean, common: make([]float32, len(s.vecs))}
	td.limit = int32(min(maxCachedTokens, maxCachedBytes/(4*max(1, len(s.vecs)))))
	td.meanDot = make([]float32, len(s.vecs))
	for d, v := range s.vecs {
		td.common[d] = float32(v.Dot(t.Common()))
		if s.mean != nil {
			td.meanDot[d] = float32(v.Dot(s.mean))
		}
	}
	return td
}

func (td *tokenDots) token(id int32) []float32 {
	if v, ok := td.cache.Load(id); ok {
		return v.([]float32)
	}
	out := make([]float32, len(td.vecs))
	for d, v := range td.vecs {
		out[d] = td.table.RowDotPacked(id, v)
	}
	if td.cached.Load() < td.limit {
		if _, loaded := td.cache.LoadOrStore(id, out); !loaded {
			td.cached.Add(1)
		}
	}
	return out
}

// scores returns the cosine of the question, centred as the examples are,
// with every example vector; nil when the question has no vector. Examples
// without a vector score -1.
func (td *tokenDots) scores(q embedding.Sentence) []float64 {
	if q.Vector == nil {
		return nil
	}
	acc := make([]float64, len(td.vecs))
	for i, id := range q.IDs {
		w := float64(q.Weights[i])
		for d, x := range td.token(id) {
			acc[d] += w * float64(x)
		}
	}
	// Centring the question removes its share along the mean: its product
	// with an example loses the question's own along the mean times the
	// example's (packed, an example is nearly but not exactly orthogonal
	// to it), and the rest is rescaled.
	var qm float64
	den := 1.0
	if td.mean != nil {
		qm = embedding.Cosine(q.Vector, td.mean)
		den = math.Sqrt(math.Max(1-qm*qm, 1e-12))
	}
	for d := range acc {
		if td.vecs[d].Len() == 0 {
			acc[d] = -1
			continue
		}
		raw := (acc[d] - q.Shared*float64(td.common[d])) / q.Norm
		acc[d] = (raw - qm*float64(td.meanDot[d])) / den
	}
	return acc
}
