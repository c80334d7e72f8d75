package escalation

import (
	"strings"
	goUnicode "unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Two viewers ask "the same thing" when their questions share most of their
// telling words. The words come from the analysis chain the FAQ index uses
// (bleve's unicode tokenizer, lower case, Porter stems for English, CJK
// width folding and bigrams for Chinese), so "streaming" and "stream", or
// "什么时候开播" and "几点开播", compare as the FAQ matcher would compare
// them. A full FAQ index per comparison would cost milliseconds to build
// for every unanswered line; term sets cost microseconds, and a handful of
// recent questions needs no ranking.

var (
	// Filler words are dropped between lower-casing and stemming, so the
	// list holds words as typed.
	analyzerEN = &analysis.DefaultAnalyzer{
		Tokenizer:    unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), fillerFilter{}, porter.NewPorterStemmer()},
	}
	analyzerZH = &analysis.DefaultAnalyzer{
		Tokenizer:    unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{cjk.NewCJKWidthFilter(), lowercase.NewLowerCaseFilter(), cjk.NewCJKBigramFilter(false)},
	}
)

// fillerFilter drops filler words and folds a possessive "'s" away.
type fillerFilter struct{}

// Filter implements analysis.TokenFilter.
func (fillerFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := in[:0]
	for _, tok := range in {
		w := string(tok.Term)
		for _, s := range []string{"'s", "’s"} {
			w = strings.TrimSuffix(w, s)
		}
		if w == "" || filler[w] {
			continue
		}
		// "whats", "hows": a question word with the apostrophe left out.
		if b := strings.TrimSuffix(w, "s"); questionWords[b] {
			w = b
		}
		tok.Term = []byte(w)
		out = append(out, tok)
	}
	return out
}

// filler words say nothing about what is asked. Question words stay: "when
// is the collab" and "where is the collab" ask different things.
var filler = map[string]bool{}

// questionWords (what, when, …) make two lines look alike without saying
// what they ask.
var questionWords = map[string]bool{}

// common words carry some meaning but are said about everything ("going",
// "today", "play"); they weigh less than the word that names the topic, so
// "what's going on with the merch today" and "… with the discord today" do
// not count as the same question. The list holds stems.
var common = map[string]bool{}

// Weights of a term in the similarity: a question word, a common word, and
// any other (telling) word.
const (
	weightQuestion = 0.5
	weightCommon   = 0.3
	weightTelling  = 1.0
)

func weight(term string) float64 {
	switch {
	case questionWords[term]:
		return weightQuestion
	case common[term]:
		return weightCommon
	}
	return weightTelling
}

func init() {
	for _, w := range strings.Fields(`a an the and or but of to in on at for from with about is are am was were be been
		it its it's that this these those some any so just please pls plz hey hi hello yo lol lmao pog do does did done
		don't doesn't you u your ur yours you're i i'm me my mine we our us he she her his him they them their
		can could would will should shall there here then than have has had get got gonna wanna know anyone
		someone somebody anybody chat guys guy bro tell`) {
		filler[w] = true
	}
	for _, w := range strings.Fields(`what when where why how who which whose whom`) {
		questionWords[w] = true
	}
	stem := porter.NewPorterStemmer()
	for _, w := range strings.Fields(`go going gone went come coming came get getting make making made doing play playing
		played today tonight tomorrow yesterday now later soon time times day days week weeks month year next last new
		old good bad best better big small lot lots much many more most really very still again also too thing things
		stuff way people one two first back up down out off over right left need want like look looking think see
		seen say said use using used work working start started starting stop end happen happened happening ever
		never always yet already little long sure okay ok yeah yes no not on anything something everything
		guys stream streaming streamer live`) {
		for _, tok := range stem.Filter(analysis.TokenStream{{Term: []byte(w)}}) {
			common[string(tok.Term)] = true
		}
	}
}

// terms are the telling words of one line.
type terms []string

// termsOf analyses text. names (the bot's and the streamer's logins) are
// dropped: "@mira when is the collab" and "when is the collab" ask the same.
func termsOf(text string, names []string) terms {
	a := analyzerEN
	if mostlyHan(text) {
		a = analyzerZH
	}
	var out terms
	for _, tok := range a.Analyze([]byte(text)) {
		w := string(tok.Term)
		if isName(w, names) {
			continue
		}
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// mostlyHan reports whether Han characters outnumber the Latin words around
// them, the way the answer stage tells Chinese from English: "有没有discord"
// is Chinese, "what does 你好 mean" English.
func mostlyHan(text string) bool {
	han, words, inWord := 0, 0, false
	for _, r := range text {
		switch {
		case goUnicode.Is(goUnicode.Han, r):
			han++
			inWord = false
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			if !inWord {
				words++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return han > 0 && han >= words
}

func isName(w string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(w, n) {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// SimilarityThreshold is the weighted Dice coefficient at which two
// questions count as the same.
const SimilarityThreshold = 0.6

// wording is one line's terms with what similar needs of them, worked out
// once per line rather than once per comparison.
type wording struct {
	terms  terms
	weight []float64
	total  float64
	// asks: the line has a question word.
	asks bool
}

// newWording weighs t's terms.
func newWording(t terms) wording {
	q := wording{terms: t, weight: make([]float64, len(t))}
	for i, w := range t {
		q.weight[i] = weight(w)
		q.total += q.weight[i]
		q.asks = q.asks || questionWords[w]
	}
	return q
}

// telling calls f with each of q's telling terms: two similar lines share
// at least one, so an index of them finds every candidate.
func (q wording) telling(f func(term string)) {
	for i, w := range q.terms {
		if q.weight[i] == weightTelling {
			f(w)
		}
	}
}

// similar reports whether a and b ask the same thing: the weight of the
// words they share is at least SimilarityThreshold of their average weight
// (a weighted Dice coefficient), they share a telling word, and when both
// have question words they share one ("when is the collab" is not "where is
// the collab").
func similar(a, b wording) bool {
	if len(a.terms) == 0 || len(b.terms) == 0 {
		return false
	}
	var shared float64
	telling, qboth := false, false
	for i, w := range a.terms {
		if !contains(b.terms, w) {
			continue
		}
		shared += a.weight[i]
		if questionWords[w] {
			qboth = true
		} else if a.weight[i] == weightTelling {
			telling = true
		}
	}
	if a.asks && b.asks && !qboth {
		return false
	}
	return telling && 2*shared/(a.total+b.total) >= SimilarityThreshold
}

// questionIndex finds, among many questions, the ones worth comparing with
// a new one: those that share a telling term with it. Keys are whatever the
// caller names its questions by (a ticket's number, a group); a key may be
// filed under several wordings. It is not safe for concurrent use.
type questionIndex[K comparable] struct {
	byTerm map[string]map[K]struct{}
	terms  map[K][]string
}

func newQuestionIndex[K comparable]() *questionIndex[K] {
	return &questionIndex[K]{byTerm: map[string]map[K]struct{}{}, terms: map[K][]string{}}
}

// add files k under q's telling terms, beside what it is filed under
// already.
func (x *questionIndex[K]) add(k K, q wording) {
	q.telling(func(term string) {
		if contains(x.terms[k], term) {
			return
		}
		x.terms[k] = append(x.terms[k], term)
		set := x.byTerm[term]
		if set == nil {
			set = map[K]struct{}{}
			x.byTerm[term] = set
		}
		set[k] = struct{}{}
	})
}

// remove forgets k.
func (x *questionIndex[K]) remove(k K) {
	for _, term := range x.terms[k] {
		set := x.byTerm[term]
		delete(set, k)
		if len(set) == 0 {
			delete(x.byTerm, term)
		}
	}
	delete(x.terms, k)
}

// candidates calls f once with each key filed under one of q's telling
// terms, in no particular order.
func (x *questionIndex[K]) candidates(q wording, f func(k K)) {
	var seen map[K]struct{}
	q.telling(func(term string) {
		for k := range x.byTerm[term] {
			if _, dup := seen[k]; dup {
				continue
			}
			if seen == nil {
				seen = map[K]struct{}{}
			}
			seen[k] = struct{}{}
			f(k)
		}
	})
}

// openQuestions are a channel's open question tickets, filed by their
// telling terms, so a new question is compared only with the tickets it
// could join. It is not safe for concurrent use; the desk guards it.
type openQuestions struct {
	index   *questionIndex[int64]
	wording map[int64]wording
}

func newOpenQuestions() *openQuestions {
	return &openQuestions{index: newQuestionIndex[int64](), wording: map[int64]wording{}}
}

// keep files ticket n as asking q, in place of what it asked before.
func (o *openQuestions) keep(n int64, q wording) {
	o.forget(n)
	o.wording[n] = q
	o.index.add(n, q)
}

// forget drops ticket n.
func (o *openQuestions) forget(n int64) {
	o.index.remove(n)
	delete(o.wording, n)
}

// match returns the lowest-numbered ticket that asks what q asks.
func (o *openQuestions) match(q wording) (int64, bool) {
	var best int64
	found := false
	o.index.candidates(q, func(n int64) {
		if (!found || n < best) && similar(o.wording[n], q) {
			best, found = n, true
		}
	})
	return best, found
}
