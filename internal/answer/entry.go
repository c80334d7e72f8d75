// Package answer finds the FAQ entry that answers a viewer's question: it
// loads and validates the streamer's FAQ files, detects questions in chat,
// finds candidate entries with a bleve index in English and Chinese, scores
// each by meaning (sentence vectors), wording, keywords, its lead over the
// next and negative evidence into one calibrated confidence, and keeps
// entries from being repeated too often. It knows nothing of Twitch, Redis
// or configuration files other than the FAQ itself.
package answer

import "time"

// Entry is one FAQ entry as the streamer wrote it.
type Entry struct {
	// ID is unique within a channel, [a-z0-9-]+.
	ID string
	// Questions are example phrasings, in any language.
	Questions []string
	// Keywords are words that, when a viewer uses them, point strongly at
	// this entry.
	Keywords []string
	// Answer is the default answer.
	Answer string
	// Answers holds per-language answers keyed by language code ("zh",
	// "en"), from the answer_<lang> fields.
	Answers map[string]string
	// Cooldown keeps the entry from being posted to a channel twice within
	// it; zero means the channel's default.
	Cooldown time.Duration
	// Announce, when set, lets the bot post the entry unasked as a tip,
	// at most this often and only while chat is active; zero never.
	Announce time.Duration

	// File and Line locate the entry in its source, for messages.
	File string
	Line int
}

// AnswerIn returns the answer to post for a question in language lang: the
// entry's answer in that language when it has one, its default otherwise.
func (e Entry) AnswerIn(lang string) string {
	if a, ok := e.Answers[lang]; ok && a != "" {
		return a
	}
	return e.Answer
}

// variant names which of the entry's answers AnswerIn(lang) gives: lang
// where the entry has an answer of its own in it, "" for the plain answer.
func (e Entry) variant(lang string) string {
	if a, ok := e.Answers[lang]; ok && a != "" {
		return lang
	}
	return ""
}
