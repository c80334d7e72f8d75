package answer

import (
	"math"
	"strings"
	"unicode"

	"github.com/chatdesk/chatdesk/internal/embedding"
)

// semantic holds the sentence vectors of an index's examples from one
// source. The FAQ's own mean direction is removed from every vector, the
// question's included: what all of a streamer's examples share ("what is
// your …") says nothing about which one a question asks.
type semantic struct {
	source string // "built-in" or the remote model's name
	mean   embedding.Vector
	vecs   []embedding.Packed // per doc, centred; empty where there is none
}

// newSemantic centres and packs the n vectors vec gives. It asks for each
// vector twice, once for the mean and once to centre it, so that a caller
// that makes them on demand never holds them all unpacked at once.
func newSemantic(source string, n int, vec func(i int) embedding.Vector) *semantic {
	s := &semantic{source: source, vecs: make([]embedding.Packed, n)}
	var sum []float64
	count := 0
	for i := range n {
		v := vec(i)
		if v == nil {
			continue
		}
		if sum == nil {
			sum = make([]float64, len(v))
		}
		if len(v) != len(sum) {
			continue
		}
		for j, x := range v {
			sum[j] += float64(x)
		}
		count++
	}
	if count > 1 {
		s.mean = unit(sum)
	}
	for i := range n {
		s.vecs[i] = embedding.Pack(s.center(vec(i)))
	}
	return s
}

// builtinVector embeds one example with the built-in table; Chinese
// examples have none.
func builtinVector(t *embedding.Table, docs []example) func(int) embedding.Vector {
	return func(i int) embedding.Vector {
		if docs[i].lang == "zh" {
			return nil
		}
		return t.Embed(docs[i].text)
	}
}

func (s *semantic) center(v embedding.Vector) embedding.Vector {
	if v == nil || s.mean == nil || len(v) != len(s.mean) {
		return v
	}
	var p float64
	for i := range v {
		p += float64(v[i]) * float64(s.mean[i])
	}
	out := make([]float64, len(v))
	for i := range v {
		out[i] = float64(v[i]) - p*float64(s.mean[i])
	}
	return unit(out)
}

func unit(v []float64) embedding.Vector {
	var n float64
	for _, x := range v {
		n += x * x
	}
	if n == 0 {
		return nil
	}
	n = math.Sqrt(n)
	out := make(embedding.Vector, len(v))
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// zhContent is what negative evidence compares in a Chinese line: its Han
// characters other than the function characters every question uses, its
// numbers and its Latin words (uid, bgm, game names). A question that
// names something its example does not ("三楼" against "二楼", "ps5"
// against "switch") asks something else, however much wording they share.
type zhContent struct {
	chars   map[rune]bool
	numbers map[string]bool
	latin   map[string]bool
}

// zhFunction are characters that carry the asking, not the thing asked
// about. Kept small on purpose: idf weighs everything else.
const zhFunction = "的了吗呢吧啊呀哦嘛么是有没不在我你他她它们这那个要会能可以请问一下什怎样哪谁几多少吗呐捏哈啦就还都也和与或给把被让得地着过来去说看想"

// zhAddress are the ways chat addresses the streamer or the room. Nearly
// every 弹幕 question carries one ("主播什么时候开播") and the FAQ's
// examples mostly do not, so they are no evidence either way.
var zhAddress = []string{"主播", "up主", "大大", "大家", "各位", "姐妹们", "兄弟们", "老铁们", "宝宝们"}

// zhNumerals count as numbers, not characters: 一 against 二 is a different
// question.
const zhNumerals = "零〇一二两三四五六七八九十百千万亿"

func newZhContent(text string) zhContent {
	c := zhContent{chars: map[rune]bool{}, numbers: map[string]bool{}, latin: map[string]bool{}}
	var num, word strings.Builder
	flush := func() {
		if num.Len() > 0 {
			c.numbers[num.String()] = true
			num.Reset()
		}
		if word.Len() > 0 {
			c.latin[word.String()] = true
			word.Reset()
		}
	}
	text = strings.ToLower(text)
	for _, w := range zhAddress {
		text = strings.ReplaceAll(text, w, " ")
	}
	for _, r := range text {
		r = foldWidth(r)
		switch {
		case unicode.IsDigit(r) || strings.ContainsRune(zhNumerals, r):
			if word.Len() > 0 {
				word.WriteRune(r)
				continue
			}
			num.WriteRune(r)
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			if num.Len() > 0 {
				c.numbers[num.String()] = true
				num.Reset()
			}
			word.WriteRune(r)
		case unicode.Is(unicode.Han, r):
			flush()
			if !strings.ContainsRune(zhFunction, r) {
				c.chars[r] = true
			}
		default:
			flush()
		}
	}
	flush()
	return c
}

// union is the content of c and o together; c is not changed.
func (c zhContent) union(o zhContent) zhContent {
	u := zhContent{chars: map[rune]bool{}, numbers: map[string]bool{}, latin: map[string]bool{}}
	for _, from := range []zhContent{c, o} {
		for k := range from.chars {
			u.chars[k] = true
		}
		for k := range from.numbers {
			u.numbers[k] = true
		}
		for k := range from.latin {
			u.latin[k] = true
		}
	}
	return u
}

// foldWidth maps full-width ASCII to ASCII, as chat mixes both.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// missing measures what one side names that the other does not: the
// idf-weighted share of a's content characters absent from b, and whether
// a's numbers or Latin words are absent from b.
func (ix *Index) missing(a, b zhContent) (chars float64, other bool) {
	var total, miss float64
	for r := range a.chars {
		w := ix.charIDF(r)
		total += w
		if !b.chars[r] {
			miss += w
		}
	}
	for n := range a.numbers {
		if !b.numbers[n] {
			other = true
		}
	}
	for w := range a.latin {
		if !b.latin[w] {
			other = true
		}
	}
	if total == 0 {
		return 0, other
	}
	return miss / total, other
}

// charIDF is a Chinese character's weight: its idf as a unigram term of the
// examples, or the rarest weight when the FAQ never uses it.
func (ix *Index) charIDF(r rune) float64 {
	if w, ok := ix.idf["zh"][string(r)]; ok {
		return w
	}
	return ix.maxIDF["zh"]
}

// askType is what an English question asks for, from its question word:
// "how many", "when", "why"… The open kinds ("what", "how", yes/no) ask for
// anything and return "". A question that asks "how many" of an entry whose
// examples never do ("how many followers" against "do you have tiktok")
// asks something the entry does not answer.
func askType(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for i, w := range words {
		switch w {
		case "when", "whens", "when's", "wen":
			return "when"
		case "where", "wheres", "where's":
			return "where"
		case "who", "whos", "who's", "whose":
			return "who"
		case "why", "y":
			return "why"
		case "how", "hows", "how's":
			if i+1 < len(words) {
				switch words[i+1] {
				case "many", "much", "long", "old", "often", "far":
					return "how " + words[i+1]
				}
			}
			return ""
		}
	}
	return ""
}

// semanticCandidates is how many of the entries closest in meaning join
// bleve's candidates.
const semanticCandidates = 2

// semanticMatch is an entry's example closest in meaning to a question.
type semanticMatch struct {
	score float64
	doc   int // -1 when the entry has no English example
}

// nearest scores every entry by its example closest in meaning to qv. A
// full scan: a 200-entry FAQ is a few hundred dot products, and the
// runner-up it finds is what the semantic lead is measured against.
func (s *semantic) nearest(qv embedding.Vector, entryDocs [][]int) []semanticMatch {
	if qv == nil {
		return nil
	}
	scores := make([]float64, len(s.vecs))
	for d, v := range s.vecs {
		scores[d] = -1
		if v.Len() == len(qv) {
			scores[d] = v.Dot(qv)
		}
	}
	return bestPerEntry(scores, entryDocs)
}

// fullScanExamples is the most examples an index compares every question
// with by meaning. Past it, a question is compared with the examples of the
// entries its words found only: a full scan of a 10,000-entry FAQ cost
// more than the rest of a match together, and the per-token products that
// make a smaller scan cheap would need over 100 MB there. Questions that
// share no telling word with any example then go without the entries
// closest in meaning, and the lead is measured against the other entries
// found.
const fullScanExamples = 4096

// nearestAmong scores only the given entries by their examples closest in
// meaning to qv, into out, in which every entry scores as having no
// vector; it returns out, or nil when there is no qv.
func (s *semantic) nearestAmong(qv embedding.Vector, entryDocs [][]int, among []int, out []semanticMatch) []semanticMatch {
	if qv == nil {
		return nil
	}
	for _, e := range among {
		for _, d := range entryDocs[e] {
			if v := s.vecs[d]; v.Len() == len(qv) {
				if c := v.Dot(qv); c > -1 && c > out[e].score {
					out[e] = semanticMatch{score: c, doc: d}
				}
			}
		}
	}
	return out
}

// unscored lends a slice in which every entry scores as having no vector,
// for nearestAmong: a large FAQ's match would otherwise make and fill one
// of 10,000 entries a question. Give it back with release.
func (ix *Index) unscored() []semanticMatch {
	if p, ok := ix.unscoredPool.Get().(*[]semanticMatch); ok {
		return *p
	}
	out := make([]semanticMatch, len(ix.entries))
	for e := range out {
		out[e] = semanticMatch{score: -1, doc: -1}
	}
	return out
}

// release resets the entries among and gives back a slice unscored lent.
func (ix *Index) release(near []semanticMatch, among []int) {
	if near == nil {
		return
	}
	for _, e := range among {
		near[e] = semanticMatch{score: -1, doc: -1}
	}
	ix.unscoredPool.Put(&near)
}

// bestPerEntry picks each entry's best-scoring example; examples scored -1
// have no vector. nil scores give nil.
func bestPerEntry(scores []float64, entryDocs [][]int) []semanticMatch {
	if scores == nil {
		return nil
	}
	out := make([]semanticMatch, len(entryDocs))
	for e, docs := range entryDocs {
		out[e] = semanticMatch{score: -1, doc: -1}
		for _, d := range docs {
			if c := scores[d]; c > -1 && c > out[e].score {
				out[e] = semanticMatch{score: c, doc: d}
			}
		}
	}
	return out
}

// topEntries returns the n entries with the best semantic scores.
func topEntries(near []semanticMatch, n int) []int {
	var top []int
	for e, m := range near {
		if m.doc < 0 {
			continue
		}
		top = append(top, e)
		for i := len(top) - 1; i > 0 && near[top[i]].score > near[top[i-1]].score; i-- {
			top[i], top[i-1] = top[i-1], top[i]
		}
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// semanticLeaders holds the two best entries' semantic scores, so each
// candidate's lead over the best other entry costs a comparison rather than
// a pass over the whole FAQ.
type semanticLeaders struct {
	first         int     // the best entry, -1 when none has a vector
	score, second float64 // the best and second-best scores, floored at 0
}

// leaders finds the two leading entries among those given, or among all
// of them when among is nil.
func leaders(near []semanticMatch, among []int) semanticLeaders {
	l := semanticLeaders{first: -1}
	if near == nil {
		return l
	}
	visit := func(e int) {
		m := near[e]
		if m.doc < 0 {
			return
		}
		switch {
		case l.first < 0 || m.score > l.score:
			l.second = max(l.second, l.score)
			l.first, l.score = e, max(m.score, 0)
		case m.score > l.second:
			l.second = m.score
		}
	}
	if among != nil {
		for _, e := range among {
			visit(e)
		}
		return l
	}
	for e := range near {
		visit(e)
	}
	return l
}

// setSemantic records entry e's semantic score and its lead over the best
// other entry of the whole FAQ.
func setSemantic(near []semanticMatch, l semanticLeaders, e int, docs []example, f *Features) {
	m := near[e]
	if m.doc < 0 {
		return
	}
	other := l.score
	if e == l.first {
		other = l.second
	}
	f.Semantic, f.HasSemantic, f.SemanticExample = m.score, true, docs[m.doc].text
	f.SemanticMargin = m.score - other
}
