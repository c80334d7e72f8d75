package moderation

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// term is one banned word, phrase or pattern, ready to match.
type term struct {
	// source is the term as written, for verdicts.
	source string
	// words are the normalised words of a word or phrase.
	words [][]byte
	// joined is the words run together, for spotting a word split in two
	// ("fr ee"); nil when the term is too short for that to be safe.
	joined []byte
	// substr is set for terms in scripts written without spaces (CJK,
	// Thai), which match anywhere in the text.
	substr []byte
	re     *regexp.Regexp
	// insts is the size of re's program and cost what it costs per
	// character (see termcheck.go), counted against its list's budget.
	insts, cost int
}

// parseTerm reads a term as config files and !block write it: a word or
// phrase, or a regular expression between slashes ("/fr[e3]+/"). It
// refuses a term that would do harm once live: one that matches empty
// text or much of the honest sample, or a regexp over the budget (see
// termcheck.go). The error is the reason, in words a moderator can act on.
func parseTerm(s string) (term, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > maxTermRunes {
		return term{}, fmt.Errorf("term is %d characters long, the limit is %d", n, maxTermRunes)
	}
	t, err := compileTerm(s)
	if err != nil {
		return term{}, err
	}
	if err := checkBroad(t); err != nil {
		return term{}, err
	}
	return t, nil
}

// compileTerm turns s into a term, without judging how broad it is.
func compileTerm(s string) (term, error) {
	if len(s) >= 2 && s[0] == '/' && s[len(s)-1] == '/' {
		return compileTermRegexp(s, s[1:len(s)-1])
	}
	n := Normalize(s)
	if n == "" {
		return term{}, fmt.Errorf("term %q has no letters or digits to match", s)
	}
	t := term{source: s}
	if unspaced(n) {
		t.substr = []byte(n)
		return t, nil
	}
	for w := range strings.FieldsSeq(n) {
		t.words = append(t.words, []byte(w))
	}
	if len(t.words) == 1 && utf8.RuneCount(t.words[0]) >= 4 {
		t.joined = t.words[0]
	}
	return t, nil
}

func unwrapRegexpError(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "error parsing regexp: ")
}

// unspaced reports text in a script that does not put spaces between
// words, where whole-word matching cannot work.
func unspaced(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0EFF || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

// termSet matches many terms against an Input without allocating. It is
// only read once built, so one set serves every channel that lists the
// same terms (see sharedTermLists).
type termSet struct {
	terms []term
	// byFirst lists, for a first byte, the word and phrase terms whose
	// first word starts with it.
	byFirst [256][]int
	other   []int // regexps and unspaced terms
	// insts and cost are those of all the set's regexps together.
	insts, cost int
}

// addTerm adds a term that has been parsed and fits.
func (ts *termSet) addTerm(t term) {
	i := len(ts.terms)
	ts.terms = append(ts.terms, t)
	ts.insts += t.insts
	ts.cost += t.cost
	if len(t.words) > 0 {
		c := t.words[0][0]
		ts.byFirst[c] = append(ts.byFirst[c], i)
	} else {
		ts.other = append(ts.other, i)
	}
}

// without returns a set of the same terms but those whose source drop
// reports, reusing the parsed terms: they were judged when they came in,
// and judging them again could only differ if the machine got slower.
func (ts *termSet) without(drop func(source string) bool) *termSet {
	out := &termSet{}
	for _, t := range ts.terms {
		if !drop(t.source) {
			out.addTerm(t)
		}
	}
	return out
}

// match returns the first term the input contains.
func (ts *termSet) match(in *Input) (*term, bool) {
	if len(ts.terms) == 0 {
		return nil, false
	}
	// Regexps read at most maxMatchRunes of the text and of its
	// normalised form, which bounds their cost on a huge message; the
	// second pass is skipped when the two are the same.
	var text string
	var norm []byte
	if len(ts.other) > 0 {
		text = capRunes(in.Msg.Text, maxMatchRunes)
		norm = capRunes(in.Norm, maxMatchRunes)
		if string(norm) == text {
			norm = nil
		}
	}
	for _, i := range ts.other {
		t := &ts.terms[i]
		switch {
		case t.re != nil:
			if t.re.MatchString(text) || (norm != nil && t.re.Match(norm)) {
				return t, true
			}
		case bytes.Contains(in.Norm, t.substr):
			return t, true
		}
	}
	for w := range in.Words {
		word := in.Word(w)
		for _, i := range ts.byFirst[word[0]] {
			t := &ts.terms[i]
			if phraseAt(in, w, t.words) {
				return t, true
			}
			if t.joined != nil && ts.splitAt(in, w, t.joined) {
				return t, true
			}
		}
	}
	return nil, false
}

// phraseAt reports whether the term's words match the input's words from
// word w on.
func phraseAt(in *Input, w int, words [][]byte) bool {
	if w+len(words) > len(in.Words) {
		return false
	}
	for k, tw := range words {
		if !stretchMatch(tw, in.Word(w+k)) {
			return false
		}
	}
	return true
}

// splitAt reports whether a single-word term is spelled across words w,
// w+1, … ("fr ee"), with at least one piece no longer than two
// characters: a word really split to dodge a filter, not two real words
// that happen to run together.
func (ts *termSet) splitAt(in *Input, w int, joined []byte) bool {
	// The pieces are joined on the stack: the set is shared between
	// channels checked at the same time, so it keeps no scratch of its own.
	var local [256]byte
	buf := local[:0]
	short := false
	limit := 3 * len(joined)
	for k := w; k < len(in.Words); k++ {
		piece := in.Word(k)
		if utf8.RuneCount(piece) <= 2 {
			short = true
		}
		buf = append(buf, piece...)
		if k > w && short && stretchMatch(joined, buf) {
			return true
		}
		if len(buf) > limit {
			break
		}
	}
	return false
}

// stretchMatch reports whether text is the term word with letters
// stretched: every run of a character in the term is matched by a run at
// least as long in the text ("fuuck" matches "fuck"; "as" does not match
// "ass").
func stretchMatch(term, text []byte) bool {
	i, j := 0, 0
	for i < len(term) {
		if j >= len(text) {
			return false
		}
		r, _ := utf8.DecodeRune(term[i:])
		r2, _ := utf8.DecodeRune(text[j:])
		if r != r2 {
			return false
		}
		c1, c2 := 0, 0
		for i < len(term) {
			if x, k := utf8.DecodeRune(term[i:]); x == r {
				i += k
				c1++
				continue
			}
			break
		}
		for j < len(text) {
			if x, k := utf8.DecodeRune(text[j:]); x == r2 {
				j += k
				c2++
				continue
			}
			break
		}
		if c2 < c1 {
			return false
		}
	}
	return j == len(text)
}
