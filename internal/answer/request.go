package answer

import (
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
