package answer

import (
	"context"
	"fmt"

	"github.com/chatdesk/chatdesk/internal/embedding"
	"github.com/chatdesk/chatdesk/internal/question"
)

// Embedder gives sentence vectors from a model outside the bot, such as an
// OpenAI-compatible endpoint (embedding.Remote). It bounds its own time:
// the answer stage waits for it no longer than that, then scores without it.
type Embedder interface {
	// Embed gives the FAQ's examples their vectors (a client may cache
	// them).
	Embed(ctx context.Context, texts []string) ([]embedding.Vector, error)
	// Query gives one question its vector.
	Query(ctx context.Context, text string) (embedding.Vector, error)
	// Name says which model, for bot ask.
	Name() string
}

// remoteBatch is how many examples go in one request while an index is
// built.
const remoteBatch = 64

// remoteSemantic embeds every example with emb; any failure leaves the
// index on the built-in score.
func remoteSemantic(emb Embedder, docs []example) (*semantic, error) {
	vecs := make([]embedding.Vector, 0, len(docs))
	for start := 0; start < len(docs); start += remoteBatch {
		var texts []string
		for _, d := range docs[start:min(len(docs), start+remoteBatch)] {
			texts = append(texts, normalizeText(d.text))
		}
		vs, err := emb.Embed(context.Background(), texts)
		if err != nil {
			return nil, fmt.Errorf("embed faq examples with %s: %w", emb.Name(), err)
		}
		vecs = append(vecs, vs...)
	}
	if len(vecs) != len(docs) {
		return nil, fmt.Errorf("embed faq examples with %s: %d vectors for %d examples", emb.Name(), len(vecs), len(docs))
	}
	return newSemantic(emb.Name(), len(vecs), func(i int) embedding.Vector { return vecs[i] }), nil
}

// nearest scores entries by meaning with the best source that answers: the
// streamer's model, any language; else the built-in table, English. With
// among nil it scores every entry; else only those, every other entry
// scoring as if it had no vector (see fullScanExamples).
func (ix *Index) nearest(lang, norm string, among []int) ([]semanticMatch, string) {
	if ix.remote != nil {
		v, err := ix.emb.Query(context.Background(), norm)
		if err == nil && v != nil {
			qv := ix.remote.center(v)
			if among != nil {
				return ix.remote.nearestAmong(qv, ix.entryDocs, among, ix.unscored()), ix.remote.source
			}
			if near := ix.remote.nearest(qv, ix.entryDocs); near != nil {
				return near, ix.remote.source
			}
		}
	}
	if lang == question.LangEnglish && ix.builtin != nil {
		s := ix.table.Sentence(norm)
		if among != nil {
			return ix.builtin.nearestAmong(ix.builtin.center(s.Vector), ix.entryDocs, among, ix.unscored()), ix.builtin.source
		}
		return bestPerEntry(ix.dots.scores(s), ix.entryDocs), ix.builtin.source
	}
	return nil, ""
}
