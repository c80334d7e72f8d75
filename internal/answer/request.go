package answer

import (
	"slices"
	"strings"
	"unicode"

	"github.com/chatdesk/chatdesk/internal/question"
)

// requestWords is the most words a request without question syntax has:
// "discord link", "drop the playlist pls". Longer lines the detector calls
// statements are chatter.
const requestWords = 6

// requestShaped reports whether an English line the detector read as a
// statement may still be a request: short, and opening without a subject
// (an imperative, "drop the discord", or a bare noun phrase, "discord
// link"), not "i love the discord" or "the song is fire". Reactions,
// greetings, emotes and lines aimed at other viewers have their own
// verdicts and are never requests.
func requestShaped(q question.Question, text string) bool {
	if q.Is || q.Lang != question.LangEnglish || q.Why != "statement" {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '@'
	})
	if len(words) == 0 || len(words) > requestWords {
		return false
	}
	first := strings.ReplaceAll(words[0], "'", "")
	return !strings.HasPrefix(first, "@") && !subjectWords[first]
}

// subjectWords open a clause with its subject or a determiner, or open a
// reaction: a line that starts with one states something.
var subjectWords = map[string]bool{
	"i": true, "im": true, "ive": true, "ill": true, "id": true, "me": true, "my": true, "mine": true,
	"you": true, "u": true, "youre": true, "ur": true, "your": true, "ya": true, "yall": true,
	"he": true, "hes": true, "she": true, "shes": true, "his": true, "her": true,
	"it": true, "its": true, "we": true, "were": true, "our": true, "they": true, "theyre": true, "their": true,
	"this": true, "that": true, "thats": true, "these": true, "those": true, "the": true, "a": true, "an": true,
	"there": true, "theres": true, "here": true, "heres": true, "everyone": true, "nobody": true, "chat": true,
	"no": true, "not": true, "yes": true, "yeah": true, "yep": true, "nah": true, "nope": true,
	"so": true, "just": true, "all": true, "some": true, "same": true, "also": true, "too": true,
	// Openers of reactions, not of requests.
	"lol": true, "lmao": true, "lmfao": true, "haha": true, "omg": true, "wow": true, "bruh": true,
	"ok": true, "okay": true, "damn": true, "nice": true, "gg": true, "rip": true,
	// Chat's rituals: wishes, thanks, comings and goings ("good luck on
	// the boss", "brb getting food", "first time here, love the vibes").
	"good": true, "gl": true, "glhf": true, "goodluck": true, "brb": true, "afk": true, "bbl": true,
	"ty": true, "thx": true, "thanks": true, "thank": true, "tysm": true, "congrats": true,
	"grats": true, "gz": true, "happy": true, "love": true, "first": true, "welcome": true,
}

// beyondReach reports whether no entry could answer text at threshold or
// above, found without searching: the question's meaning is compared with
// every example, and the confidence the best of them could reach with the
// most favourable word signals is below threshold, and no example has
// exactly the question's words (those are sure whatever their meaning).
// It lets request-shaped chatter, which must be matched at the strict
// RequestConfidence, skip the search. It answers false, to match as usual,
// when it cannot tell: a language without the built-in score, the
// streamer's own model (a second call to it), or a large FAQ.
func (ix *Index) beyondReach(text, lang string, threshold float64) bool {
	if lang != question.LangEnglish || ix.builtin == nil || ix.remote != nil || ix.large() {
		return false
	}
	norm := normalizeText(text)
	qterms := ix.analyze(lang, norm)
	if len(qterms) == 0 {
		return true // Candidates finds nothing either
	}
	if ix.exactTerms[termSet(qterms)] {
		return false
	}
	var s, lead float64
	if near := bestPerEntry(ix.dots.scores(ix.table.Sentence(norm)), ix.entryDocs); near != nil {
		if l := leaders(near, nil); l.first >= 0 {
			s, lead = near[l.first].score, near[l.first].score-l.second
		}
	}
	return calibrated[lang].ceiling(s, lead) < threshold
}

// termSet is a key for a set of terms, whatever their order and repeats.
func termSet(terms []string) string {
	t := slices.Clone(terms)
	slices.Sort(t)
	return strings.Join(slices.Compact(t), "\x00")
}
