package answer

import (
	"math"
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
