package answer

import (
	"cmp"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
)

// search asks bleve for the examples that share the question's telling
// terms. Terms that most examples contain ("what", "you", 是) are left out
// of the query: they would make bleve visit nearly every example for
// nothing, and they still count in the features computed afterwards. So
// are terms no example has: they find nothing, and leaving them out only
// scales every hit's score alike.
func (ix *Index) search(lang, field string, qterms []string, weights []float64) ([]hit, error) {
	var terms []string
	for i, t := range qterms {
		if weights[i] >= ix.commonIDF[field] && ix.df[lang][t] > 0 {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return nil, nil
	}
	if ix.large() {
		return ix.searchLarge(lang, field, terms)
	}
	return ix.topHits(disjunction(field, terms), searchHits)
}

// large reports whether the index matches as a large FAQ: candidates found
// without scoring every posting, meaning compared with those only.
func (ix *Index) large() bool { return len(ix.docs) > ix.fullScan }

// searchHits is how many examples a search returns.
const searchHits = 30

// postingBudget bounds how many postings a large FAQ's search visits when
// it falls back to a disjunction; the rarest term is searched even when it
// alone has more.
const postingBudget = 2048

// searchLarge finds candidates in a large FAQ without scoring every posting
// of every term, where a disjunction of a few terms in thousands of
// examples cost more than the rest of a match. The examples that have all
// the telling terms come first: bleve finds them by skipping through the
// rarest term's postings, and when there are enough of them they are the
// best covered anyway. Else the rarest terms are searched, as many as fit
// the posting budget: an example that shares only the common ones covers
// less of the question than one that shares a rare one.
func (ix *Index) searchLarge(lang, field string, terms []string) ([]hit, error) {
	df := ix.df[lang]
	slices.SortFunc(terms, func(a, b string) int { return cmp.Or(df[a]-df[b], strings.Compare(a, b)) })
	terms = slices.Compact(terms)
	if len(terms) > 1 {
		qs := make([]query.Query, len(terms))
		for i, t := range terms {
			qs[i] = termQuery(field, t)
		}
		hits, err := ix.topHits(query.NewConjunctionQuery(qs), searchHits)
		if err != nil || len(hits) >= searchHits {
			return hits, err
		}
	}
	n, postings := 1, df[terms[0]]
	for n < len(terms) && postings+df[terms[n]] <= postingBudget {
		postings += df[terms[n]]
		n++
	}
	return ix.topHits(disjunction(field, terms[:n]), searchHits)
}

func termQuery(field, t string) *query.TermQuery {
	tq := query.NewTermQuery(t)
	tq.SetField(field)
	return tq
}

func disjunction(field string, terms []string) query.Query {
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = termQuery(field, t)
	}
	return query.NewDisjunctionQuery(qs)
}
