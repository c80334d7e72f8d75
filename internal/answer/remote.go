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
	return newSemantic(emb.Name(), vecs), nil
}

// nearest scores every entry by meaning with the best source that answers:
// the streamer's model, any language; else the built-in table, English.
func (ix *Index) nearest(lang, norm string) ([]semanticMatch, string) {
	if ix.remote != nil {
		v, err := ix.emb.Query(context.Background(), norm)
		if err == nil && v != nil {
			if near := ix.remote.nearest(ix.remote.center(v), ix.entryDocs); near != nil {
				return near, ix.remote.source
			}
		}
	}
	if lang == question.LangEnglish && ix.builtin != nil {
		return bestPerEntry(ix.dots.scores(ix.table.Sentence(norm)), ix.entryDocs), ix.builtin.source
	}
	return nil, ""
}
