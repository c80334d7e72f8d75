package answer

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The per-token scores are the same cosines as centring the question's
// vector and comparing it with every example.
func TestTokenDotsMatchFullScan(t *testing.T) {
	entries, err := LoadFAQ("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, text := range []string{
		"when do you stream", "wen r u live", "pc specs?", "tell me your specs pls",
		"whats the song rn", "can i play with you", "discord link", "how old is the channel",
		"xyzzy", "主播什么时候开播", "", "emoji 😂😂 PogChamp",
	} {
		norm := normalizeText(text)
		want := ix.builtin.nearest(ix.builtin.center(ix.table.Embed(norm)), ix.entryDocs)
		// Twice: the second time from the cache.
		for range 2 {
			got := bestPerEntry(ix.dots.scores(ix.table.Sentence(norm)), ix.entryDocs)
			if (got == nil) != (want == nil) || len(got) != len(want) {
				t.Fatalf("%q: got %d matches, want %d", text, len(got), len(want))
			}
			for e := range want {
				if got[e].doc != want[e].doc || math.Abs(got[e].score-want[e].score) > 1e-4 {
					t.Errorf("%q entry %s: got %+v, want %+v", text, ix.entries[e].ID, got[e], want[e])
				}
			}
		}
	}
}

// TestSemanticLeaders: each entry's lead over the best other entry, taken
// from the two leaders, is what a pass over every other entry gives, ties
// and entries without a vector included.
func TestSemanticLeaders(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for round := range 500 {
		near := make([]semanticMatch, 1+r.IntN(8))
		for e := range near {
			near[e] = semanticMatch{score: float64(r.IntN(9)-3) / 4, doc: e}
			if r.IntN(4) == 0 {
				near[e] = semanticMatch{score: -1, doc: -1}
			}
		}
		docs := make([]example, len(near))
		// Every entry, then some of them, as a large FAQ scores only
		// the entries its words found.
		var among []int
		if round%2 == 1 {
			among = []int{}
			for e := range near {
				if r.IntN(2) == 0 {
					among = append(among, e)
				}
			}
		}
		in := func(e int) bool { return among == nil || slices.Contains(among, e) }
		l := leaders(near, among)
		for e := range near {
			if !in(e) {
				continue
			}
			var f Features
			setSemantic(near, l, e, docs, &f)
			want := 0.0
			for o, n := range near {
				if o != e && in(o) && n.doc >= 0 && n.score > want {
					want = n.score
				}
			}
			if near[e].doc >= 0 && f.SemanticMargin != near[e].score-want {
				t.Fatalf("round %d entry %d of %v: lead %v, a full pass says %v", round, e, near, f.SemanticMargin, near[e].score-want)
			}
		}
	}
}
