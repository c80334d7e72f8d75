package answer

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // registers the "custom" analyzer type
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"        // registers the cjk width and bigram filters
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"         // registers the possessive filter
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	_ "github.com/blevesearch/bleve/v2/analysis/tokenmap" // registers the "custom" token map type
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/chatdesk/chatdesk/internal/embedding"
	"github.com/chatdesk/chatdesk/internal/question"
)

// Field and analyzer names inside the bleve index. Each example question is
// one document with its text in the field of its language.
const (
	fieldEN    = "en"
	fieldZH    = "zh"
	fieldEntry = "entry"

	analyzerEN = "chatdesk_en"
	analyzerZH = "chatdesk_zh"
)

// stopEN is deliberately short. The stock English stop list drops
// what/when/where/why/how, which are exactly the words that tell "when do you
// stream" from "how do you stream"; BM25's idf already discounts the rest.
var stopEN = []string{
	"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "is",
	"are", "am", "was", "were", "be", "it", "its", "that", "this", "some",
	"any", "so", "just", "please", "hey", "hi", "yo", "lol",
}

// Candidate is one FAQ entry that may answer a question, with how sure the
// matcher is and why.
type Candidate struct {
	Entry *Entry
	// Confidence is in [0,1]; it is comparable across questions, unlike raw
	// bleve scores.
	Confidence float64
	// Example is the example question that matched best.
	Example string
	// Terms are the analysed terms the question shares with Example or the
	// entry's keywords.
	Terms []string
	// Score is bleve's BM25 score of Example, for diagnostics.
	Score float64
	// Features that make up Confidence, for tuning.
	Features Features
}

// Features are the measurements a confidence is made of.
type Features struct {
	// QueryByExample: share of the question's weight found in the best example.
	QueryByExample float64
	// ExampleByQuery: share of the best example's weight found in the question.
	ExampleByQuery float64
	// QueryByEntry: share of the question's weight found in any example or
	// keyword of the entry.
	QueryByEntry float64
	// Unknown: share of the question's weight the whole FAQ never uses.
	Unknown float64
	// Keyword: the question uses one of the entry's keywords.
	Keyword bool
	// Lexical is the coverage score: the geometric mean of QueryByEntry
	// and ExampleByQuery.
	Lexical float64
	// Semantic is the best cosine similarity between the question's
	// sentence vector and one of the entry's example vectors (English);
	// HasSemantic says whether there was one to compare.
	Semantic    float64
	HasSemantic bool
	// SemanticExample is the example Semantic was measured against, and
	// SemanticSource the vectors' source ("built-in" or a model).
	SemanticExample, SemanticSource string
	// SemanticMargin is how far Semantic is ahead of the best other
	// candidate's.
	SemanticMargin float64
	// MissingQuestion is the idf-weighted share of the question's content
	// characters the best example lacks, and MissingExample the reverse
	// (Chinese): negative evidence that they ask about different things.
	MissingQuestion, MissingExample float64
	// Mismatch: a number or a Latin word on one side only (Chinese), or
	// the question asks a kind of thing ("how many", "when") none of the
	// entry's examples asks (English).
	Mismatch bool
	// Margin is how far the entry's rank score is ahead of the best other
	// entry's (negative when behind); 1 for an exact example.
	Margin float64
}

// Index is a searchable, immutable FAQ. Build a new one to change it.
type Index struct {
	bi       bleve.Index
	searcher *searcher
	entries  []Entry
	byID     map[string]int
	docs     []example
	// idf holds per-language inverse document frequencies of analysed terms
	// over the example questions, used to weigh term coverage.
	idf    map[string]map[string]float64
	maxIDF map[string]float64
	df     map[string]map[string]int // lang → term → examples that have it
	// exactTerms holds the term set of every English example (termSet).
	exactTerms map[string]bool
	keywords   map[string]map[string][]int // lang → term → entry indexes
	// phrases are each entry's keywords as analysed terms: a keyword of
	// several words counts only when the question has all of them, so
	// "how long" does not fire on every "how".
	phrases [][][]string
	vocab   []map[string]struct{} // entry → every term of its examples and keywords
	// commonIDF is, per field, the idf below which a term is too common to
	// be worth searching for.
	commonIDF map[string]float64
	en, zh    analysis.Analyzer
	// holders counts the holders beyond the first, and lastClose runs
	// when the last lets go (see shared.go).
	holders   atomic.Int64
	lastClose func()
	// RemoteErr is why the configured embedding model is not used by this
	// index, if it is not.
	RemoteErr error
	// entryDocs lists each entry's examples, as indexes into docs.
	entryDocs [][]int
	// table is the built-in English embedding table, and builtin the
	// English examples' vectors from it.
	table   *embedding.Table
	builtin *semantic
	dots    *tokenDots
	// unscoredPool keeps the slices nearestAmong scores into.
	unscoredPool sync.Pool
	// fullScan is the most examples this index matches as a small FAQ;
	// fullScanExamples but in tests.
	fullScan int
	// remote holds every example's vector from the streamer's own model,
	// when one is configured and answered while the index was built.
	emb    Embedder
	remote *semantic
	// zh holds each Chinese example's content, for negative evidence.
	zhc []zhContent
	// zhEntry is, per entry, the content of all its Chinese examples
	// together: a 弹幕 question words its topic the way one example does
	// and its detail the way another does, and what none of them names is
	// the evidence that it asks something else.
	zhEntry []zhContent
	// asks holds, per entry, the kinds of question its English examples ask.
	asks []map[string]bool
}

// example is one indexed example question.
type example struct {
	entry int
	lang  string
	text  string
	terms []string // unique analysed terms
}

// Build indexes entries with the built-in semantic score. It returns an
// error only when bleve fails; entries are expected to have been validated
// by LoadFAQ.
func Build(entries []Entry) (*Index, error) { return BuildWith(entries, nil) }

// BuildWith indexes entries, taking sentence vectors from emb where it
// answers (nil: the built-in English table only). An emb that fails while
// the index is built is not an error: the index uses the built-in score and
// says why in RemoteErr.
func BuildWith(entries []Entry, emb Embedder) (*Index, error) {
	m, err := sharedMapping()
	if err != nil {
		return nil, err
	}
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create faq index: %w", err)
	}
	ix := &Index{
		bi:       bi,
		fullScan: fullScanExamples,
		entries:  append([]Entry(nil), entries...),
		byID:     make(map[string]int, len(entries)),
		idf:      map[string]map[string]float64{"en": {}, "zh": {}},
		maxIDF:   map[string]float64{},
		keywords: map[string]map[string][]int{"en": {}, "zh": {}},
		en:       m.AnalyzerNamed(analyzerEN),
		zh:       m.AnalyzerNamed(analyzerZH),
	}
	batch := bi.NewBatch()
	docID := docIDs(entries)
	df := map[string]map[string]int{"en": {}, "zh": {}}
	count := map[string]int{}
	ix.vocab = make([]map[string]struct{}, len(ix.entries))
	ix.exactTerms = map[string]bool{}
	ix.entryDocs = make([][]int, len(ix.entries))
	ix.asks = make([]map[string]bool, len(ix.entries))
	ix.zhEntry = make([]zhContent, len(ix.entries))
	for i, e := range ix.entries {
		ix.byID[e.ID] = i
		ix.vocab[i] = map[string]struct{}{}
		for _, q := range e.Questions {
			lang := question.DetectLang(q)
			norm := normalizeText(q)
			ex := example{entry: i, lang: lang, text: q, terms: ix.analyze(lang, norm)}
			id := docID(len(ix.docs))
			ix.entryDocs[i] = append(ix.entryDocs[i], len(ix.docs))
			ix.docs = append(ix.docs, ex)
			if lang != "zh" {
				ix.exactTerms[termSet(ex.terms)] = true
			}
			var zc zhContent
			if lang == "zh" {
				zc = newZhContent(norm)
				ix.zhEntry[i] = ix.zhEntry[i].union(zc)
			} else if k := askType(norm); k != "" {
				if ix.asks[i] == nil {
					ix.asks[i] = map[string]bool{}
				}
				ix.asks[i][k] = true
			}
			ix.zhc = append(ix.zhc, zc)
			doc := map[string]any{fieldEntry: e.ID}
			if lang == "zh" {
				doc[fieldZH] = norm
			} else {
				doc[fieldEN] = norm
			}
			if err := batch.Index(id, doc); err != nil {
				return nil, fmt.Errorf("index faq %s: %w", e.ID, err)
			}
			if err := flushFull(bi, batch); err != nil {
				return nil, err
			}
			count[lang]++
			for _, t := range ex.terms {
				df[lang][t]++
				ix.vocab[i][t] = struct{}{}
			}
		}
		ix.phrases = append(ix.phrases, nil)
		for _, k := range e.Keywords {
			lang := question.DetectLang(k)
			terms := ix.analyze(lang, normalizeText(k))
			ix.phrases[i] = append(ix.phrases[i], terms)
			for _, t := range terms {
				ix.keywords[lang][t] = appendUnique(ix.keywords[lang][t], i)
				ix.vocab[i][t] = struct{}{}
			}
		}
	}
	if err := bi.Batch(batch); err != nil {
		return nil, fmt.Errorf("index faq: %w", err)
	}
	if ix.searcher, err = newSearcher(bi, len(ix.docs), docID); err != nil {
		bi.Close()
		return nil, err
	}
	tab, err := embedding.English()
	if err != nil {
		return nil, fmt.Errorf("faq index: %w", err)
	}
	if tab != nil {
		ix.table = tab
		ix.builtin = newSemantic("built-in", len(ix.docs), builtinVector(tab, ix.docs))
		ix.dots = newTokenDots(tab, ix.builtin)
	}
	if emb != nil {
		ix.emb = emb
		ix.remote, ix.RemoteErr = remoteSemantic(emb, ix.docs)
	}
	ix.commonIDF = map[string]float64{}
	ix.df = df
	for lang, terms := range df {
		n := float64(count[lang])
		field := fieldEN
		if lang == "zh" {
			field = fieldZH
		}
		// A term in more than a quarter of the examples does not tell
		// entries apart; small FAQs keep every term.
		if n >= 20 {
			ix.commonIDF[field] = math.Log(1 + (n-0.25*n+0.5)/(0.25*n+0.5))
		}
		// A term never seen in the examples weighs like the rarest possible
		// one: a question full of words the FAQ never uses is not covered.
		ix.maxIDF[lang] = math.Log(1 + (n+0.5)/0.5)
		for t, d := range terms {
			ix.idf[lang][t] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
		}
	}
	return ix, nil
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	if err := m.AddCustomTokenMap("chatdesk_stop_en", map[string]any{
		"type":   "custom",
		"tokens": toAny(stopEN),
	}); err != nil {
		return nil, fmt.Errorf("faq index stop words: %w", err)
	}
	if err := m.AddCustomTokenFilter("chatdesk_stop_en", map[string]any{
		"type":           stop.Name,
		"stop_token_map": "chatdesk_stop_en",
	}); err != nil {
		return nil, fmt.Errorf("faq index stop filter: %w", err)
	}
	if err := m.AddCustomAnalyzer(analyzerEN, map[string]any{
		"type":          "custom",
		"tokenizer":     unicode.Name,
		"token_filters": []any{"possessive_en", lowercase.Name, "chatdesk_stop_en", porter.Name},
	}); err != nil {
		return nil, fmt.Errorf("faq index english analyzer: %w", err)
	}
	// Unigrams and bigrams both: bigrams alone miss one-character words
	// (吗, 几) and questions that share only single characters with the
	// example; unigrams alone match almost anything.
	if err := m.AddCustomTokenFilter("chatdesk_cjk_bigram", map[string]any{
		"type":           "cjk_bigram",
		"output_unigram": true,
	}); err != nil {
		return nil, fmt.Errorf("faq index cjk filter: %w", err)
	}
	if err := m.AddCustomAnalyzer(analyzerZH, map[string]any{
		"type":          "custom",
		"tokenizer":     unicode.Name,
		"token_filters": []any{"cjk_width", lowercase.Name, "chatdesk_cjk_bigram"},
	}); err != nil {
		return nil, fmt.Errorf("faq index chinese analyzer: %w", err)
	}
	doc := bleve.NewDocumentStaticMapping()
	en := bleve.NewTextFieldMapping()
	en.Analyzer = analyzerEN
	en.Store = false
	zh := bleve.NewTextFieldMapping()
	zh.Analyzer = analyzerZH
	zh.Store = false
	entry := bleve.NewKeywordFieldMapping()
	entry.Store = false
	doc.AddFieldMappingsAt(fieldEN, en)
	doc.AddFieldMappingsAt(fieldZH, zh)
	doc.AddFieldMappingsAt(fieldEntry, entry)
	m.DefaultMapping = doc
	return m, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// analyze returns the unique analysed terms of text in lang.
func (ix *Index) analyze(lang, text string) []string {
	a := ix.en
	if lang == "zh" {
		a = ix.zh
	}
	toks := a.Analyze([]byte(text))
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		s := string(t.Term)
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// keywordHit reports whether the question has every term of one of entry
// e's keywords.
func (ix *Index) keywordHit(e int, qterms []string) bool {
	for _, p := range ix.phrases[e] {
		if containsAll(qterms, p) {
			return true
		}
	}
	return false
}

func containsAll(s, want []string) bool {
	for _, w := range want {
		if !contains(s, w) {
			return false
		}
	}
	return len(want) > 0
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Entries returns the indexed entries in file order.
func (ix *Index) Entries() []Entry { return ix.entries }

// Entry returns the entry with the given id.
func (ix *Index) Entry(id string) (*Entry, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.entries[i], true
}

// Candidates returns up to n entries that may answer text, most confident
// first, reading text as written in lang (question.LangEnglish or
// question.LangChinese; anything else is read as English). The caller
// passes the language rather than the index detecting it because the
// pipeline has already read it once per message, into chat.Reading.
func (ix *Index) Candidates(text, lang string, n int) ([]Candidate, error) {
	if lang != question.LangChinese {
		lang = question.LangEnglish
	}
	norm := normalizeText(text)
	qterms := ix.analyze(lang, norm)
	if len(qterms) == 0 || len(ix.docs) == 0 {
		return nil, nil
	}
	field := fieldEN
	if lang == "zh" {
		field = fieldZH
	}
	idf := ix.idf[lang]
	weights := make([]float64, len(qterms))
	var qTotal, unknown float64
	for i, t := range qterms {
		w, ok := idf[t]
		if !ok {
			w = ix.maxIDF[lang]
			unknown += w
		}
		weights[i] = w
		qTotal += w
	}
	hits, err := ix.search(lang, field, qterms, weights)
	if err != nil {
		return nil, err
	}
	best := map[int]*Candidate{}
	for _, h := range hits {
		ex := ix.docs[h.doc]
		f, terms := ix.exampleFeatures(lang, qterms, weights, qTotal, ex)
		c, ok := best[ex.entry]
		if !ok || exampleRank(f) > exampleRank(c.Features) {
			best[ex.entry] = &Candidate{Entry: &ix.entries[ex.entry], Example: ex.text, Terms: terms, Score: h.score, Features: f}
		}
	}
	// Keyword hits bring an entry in even when no example shares wording;
	// not a word that many entries list as a keyword, which points at
	// none of them (it still counts for the entries found by their
	// examples, below).
	for _, t := range qterms {
		if len(ix.keywords[lang][t]) > maxKeywordEntries {
			continue
		}
		for _, e := range ix.keywords[lang][t] {
			if _, ok := best[e]; !ok && ix.keywordHit(e, qterms) {
				best[e] = &Candidate{Entry: &ix.entries[e]}
			}
		}
	}
	for e, c := range best {
		for _, p := range ix.phrases[e] {
			if !containsAll(qterms, p) {
				continue
			}
			c.Features.Keyword = true
			for _, t := range p {
				if !contains(c.Terms, t) {
					c.Terms = append(c.Terms, t)
				}
			}
		}
	}
	var among []int
	if ix.large() {
		among = make([]int, 0, len(best))
		for e := range best {
			among = append(among, e)
		}
	}
	near, source := ix.nearest(lang, norm, among)
	if among != nil {
		defer ix.release(near, among)
	}
	// The entries closest in meaning are candidates too, for questions
	// that say the same thing in other words (in a large FAQ only the
	// entries found are scored, and they are candidates already).
	var closest []int
	if among == nil {
		closest = topEntries(near, semanticCandidates)
	}
	for _, e := range closest {
		if _, ok := best[e]; ok {
			continue
		}
		d := near[e].doc
		f, terms := ix.exampleFeatures(lang, qterms, weights, qTotal, ix.docs[d])
		best[e] = &Candidate{Entry: &ix.entries[e], Example: ix.docs[d].text, Terms: terms, Features: f}
	}
	var qz zhContent
	var ask string
	if lang == question.LangChinese {
		qz = newZhContent(norm)
	} else {
		ask = askType(norm)
	}
	lead := leaders(near, among)
	out := make([]Candidate, 0, len(best))
	for e, c := range best {
		var inEntry float64
		for i, t := range qterms {
			if _, ok := ix.vocab[e][t]; ok {
				inEntry += weights[i]
			}
		}
		c.Features.QueryByEntry = inEntry / qTotal
		c.Features.Unknown = unknown / qTotal
		c.Features.Lexical = math.Sqrt(c.Features.QueryByEntry * c.Features.ExampleByQuery)
		if near != nil {
			setSemantic(near, lead, e, ix.docs, &c.Features)
			c.Features.SemanticSource = source
		}
		if lang == question.LangChinese {
			ix.negativeEvidence(qz, e, c)
		} else {
			c.Features.MissingQuestion = 1 - c.Features.QueryByExample
			c.Features.MissingExample = 1 - c.Features.ExampleByQuery
			c.Features.Mismatch = ask != "" && !ix.asks[e][ask]
		}
		out = append(out, *c)
	}
	ix.calibrate(lang, out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// negativeEvidence compares the question's content with the entry's
// examples: what the question names that none of them does, and what the
// best lexical example, the one the entry is represented by, names that
// the question does not.
func (ix *Index) negativeEvidence(qz zhContent, e int, c *Candidate) {
	for _, d := range ix.entryDocs[e] {
		if ix.docs[d].text != c.Example || ix.docs[d].lang != "zh" {
			continue
		}
		var m1, m2 bool
		c.Features.MissingQuestion, m1 = ix.missing(qz, ix.zhEntry[e])
		c.Features.MissingExample, m2 = ix.missing(ix.zhc[d], qz)
		c.Features.Mismatch = m1 || m2
		return
	}
	// Reached by keyword only: nothing of the question is in an example.
	c.Features.MissingQuestion, c.Features.MissingExample = 1, 1
}

// Mentions reports whether text uses a word the FAQ's examples or keywords
// tell entries apart by, without searching: a cheap test that lets chatter
// with no such word skip matching.
func (ix *Index) Mentions(text, lang string) bool {
	if lang != question.LangChinese {
		lang = question.LangEnglish
	}
	field := fieldEN
	if lang == question.LangChinese {
		field = fieldZH
	}
	for _, t := range ix.analyze(lang, normalizeText(text)) {
		if len(ix.keywords[lang][t]) > 0 {
			return true
		}
		if w, ok := ix.idf[lang][t]; ok && w >= ix.commonIDF[field] {
			return true
		}
	}
	return false
}

// maxKeywordEntries is the most entries a keyword word may be listed by
// and still bring them in as candidates on its own. A generated
// 10,000-entry FAQ whose subjects were each a keyword of some 45 entries
// spent a third of a match on entries that nothing but that word
// pointed at.
const maxKeywordEntries = 8

// exact reports whether the question and the best example have the same
// terms.
func (c Candidate) exact() bool {
	return c.Features.QueryByExample >= 0.999 && c.Features.ExampleByQuery >= 0.999
}

// exampleRank orders an entry's examples: the one closest to the question
// on both sides represents the entry.
func exampleRank(f Features) float64 { return f.QueryByExample * f.ExampleByQuery }

// exampleFeatures measures how the question and one example cover each
// other, weighted by idf, and returns the shared terms.
func (ix *Index) exampleFeatures(lang string, qterms []string, weights []float64, qTotal float64, ex example) (Features, []string) {
	var shared, dTotal float64
	var terms []string
	for i, t := range qterms {
		if contains(ex.terms, t) {
			shared += weights[i]
			terms = append(terms, t)
		}
	}
	idf := ix.idf[lang]
	for _, t := range ex.terms {
		if w, ok := idf[t]; ok {
			dTotal += w
		} else {
			dTotal += ix.maxIDF[lang]
		}
	}
	if qTotal == 0 || dTotal == 0 {
		return Features{}, nil
	}
	return Features{QueryByExample: shared / qTotal, ExampleByQuery: shared / dTotal}, terms
}

// normalizeText rewrites chat shorthand so that "wen r u live" and "when are
// you live" analyse alike.
func normalizeText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			s = foldZh(s)
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, f := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r, ok := shorthand[strings.ToLower(strings.Trim(f, "?!.,"))]; ok {
			b.WriteString(r)
			continue
		}
		b.WriteString(f)
	}
	return b.String()
}

var shorthand = map[string]string{
	"u": "you", "ur": "your", "r": "are", "wat": "what", "wut": "what",
	"wen": "when", "y": "why", "whats": "what is", "wats": "what is",
	"hows": "how is", "wheres": "where is", "whens": "when is",
	"pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
	"rn": "right now", "bc": "because", "cuz": "because", "tmrw": "tomorrow",
	"2day": "today", "2morrow": "tomorrow", "specs": "specs", "vid": "video",
	"vids": "videos", "insta": "instagram", "ig": "instagram", "yt": "youtube",
	"dc": "discord", "disc": "discord", "sched": "schedule", "ppl": "people",
	"abt": "about", "smth": "something", "sth": "something",
}
