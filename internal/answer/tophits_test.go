package answer

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/chatdesk/chatdesk/internal/answer/answertest"
)

// TestTopHitsAsBleveSearch: the index's own collector over bleve's
// searcher finds what bleve's Search sorted by score and then id finds,
// with the same scores, for disjunctions and conjunctions over a generated
// FAQ whose templated examples tie all the time, and for a cut that falls
// inside a run of equal scores.
func TestTopHitsAsBleveSearch(t *testing.T) {
	ix := generatedIndex(t, 400)
	checked, tiedCuts := 0, 0
	for _, q := range answertest.Questions(200, 5) {
		terms := ix.analyze("en", normalizeText(q))
		if len(terms) == 0 {
			continue
		}
		queries := []query.Query{disjunction(fieldEN, terms)}
		if len(terms) > 1 {
			qs := []query.Query{termQuery(fieldEN, terms[0]), termQuery(fieldEN, terms[1])}
			queries = append(queries, query.NewConjunctionQuery(qs))
		}
		for _, bq := range queries {
			for _, n := range []int{1, 5, searchHits} {
				got, err := ix.topHits(bq, n)
				if err != nil {
					t.Fatal(err)
				}
				req := bleve.NewSearchRequestOptions(bq, n, 0, false)
				req.SortBy([]string{"-_score", "_id"})
				res, err := ix.bi.Search(req)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(res.Hits) {
					t.Fatalf("%q, %d hits: got %d, bleve %d", q, n, len(got), len(res.Hits))
				}
				for i, h := range res.Hits {
					d, _ := strconv.Atoi(h.ID)
					if got[i].doc != d || got[i].score != h.Score {
						t.Fatalf("%q, %d hits, #%d: got example %d (%g), bleve %d (%g)", q, n, i, got[i].doc, got[i].score, d, h.Score)
					}
				}
				if more, err := ix.topHits(bq, n+1); err == nil && len(got) == n && len(more) > n && more[n].score == got[n-1].score {
					tiedCuts++
				}
				checked++
			}
		}
	}
	if checked < 500 || tiedCuts == 0 {
		t.Fatalf("checked %d searches, %d with a cut inside a tie; the test needs more of both", checked, tiedCuts)
	}
	t.Logf("%d searches, %d cut inside a run of equal scores", checked, tiedCuts)
}

// TestTopHitsAfterClose: a closed index answers an error, not a released
// snapshot's contents.
func TestTopHitsAfterClose(t *testing.T) {
	ix, err := Build([]Entry{{ID: "a", Questions: []string{"what is the teapot"}, Answer: "green"}})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if _, err := ix.Candidates("what is the teapot", "en", 1); err == nil {
		t.Fatal("a closed index still searched")
	}
}

// TestTopHitsConcurrent: channels sharing an FAQ search its one snapshot
// at once; every goroutine finds what a lone search finds.
func TestTopHitsConcurrent(t *testing.T) {
	ix := generatedIndex(t, 200)
	questions := answertest.Questions(100, 7)
	decide := func(q string) string {
		cs, err := ix.Candidates(q, "en", 3)
		if err != nil {
			return err.Error()
		}
		var out string
		for _, c := range cs {
			out += fmt.Sprintf("%s %q %.6f;", c.Entry.ID, c.Example, c.Confidence)
		}
		return out
	}
	want := make([]string, len(questions))
	for i, q := range questions {
		want[i] = decide(q)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(questions))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range questions {
				i := (k + g*13) % len(questions)
				if got := decide(questions[i]); got != want[i] {
					errs <- fmt.Sprintf("%q: %s, alone %s", questions[i], got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// generatedIndex builds a generated FAQ of n entries whose templated
// examples tie all the time, closed when the test ends.
func generatedIndex(t *testing.T, n int) *Index {
	t.Helper()
	entries, err := ParseFAQ("big.yaml", answertest.FAQ(n, 1))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}
