// Package question reads one line of chat and says whether it asks for
// something (a question or a request the bot might answer) and in which
// language it is written, English or Chinese, with the cue that decided.
//
// It is read once per message, before any stage runs, and its verdict rides
// on the message as a chat.Reading, so the answer and escalation stages
// agree on what a question is without each reading the line again. It knows
// nothing about the FAQ: whether a question can be answered is the answer
// stage's business.
//
// The files follow the concerns: question.go is the API, english_scan.go
// breaks a line into words and clauses, english_lexicon.go holds the word
// lists, english_rules.go the English heuristics, chinese.go the Chinese
// ones and lang.go the language reading.
package question

import (
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Question is the detector's verdict on one line of chat.
type Question struct {
	// Is reports whether the line asks for something the bot might answer.
	Is bool
	// Lang is the language the line is written in: LangEnglish or
	// LangChinese. It is set whatever Is says, so a later stage can reply
	// in the viewer's language.
	Lang string
	// Why names the cue that decided, such as "wh-word" or "greeting". It is
	// meant for logs and replay output, where a moderator asks "why did the
	// bot answer that?", not for code to branch on.
	Why string
}

// Reasons a Question carries in Why. The Chinese cues carry the marker that
// matched, as in "zh particle 吗", and are listed in zhMarkers.
const (
	whyEmpty        = "empty"
	whyCommand      = "command"
	whyOtherViewer  = "addressed to another viewer"
	whyEmoteOnly    = "emote only"
	whyNoWords      = "no words"
	whyGreeting     = "greeting"
	whyReaction     = "reaction"
	whyStatement    = "statement"
	whyQuestionMark = "question mark"
	whyWh           = "wh-word"
	whyAux          = "aux inversion"
	whyRequest      = "request"
	whyIndirect     = "indirect question"
	whyANotA        = "zh A-not-A"
	whyFinalNot     = "zh final 不/没"
)

// Detector decides whether a chat line is a question the bot should try to
// answer. It runs on every message of every channel, so it works from word
// lists over a fixed-size scan of the text, without regular expressions or
// allocations, and errs towards silence: a missed question can still be
// asked again or sent with !ask, while a bot that answers jokes and
// reactions gets muted by the streamer.
//
// The zero value is ready to use.
type Detector struct {
	// Names are logins (the bot's, the broadcaster's) a viewer may
	// @-mention, or name as the first word, in a question meant for us. A
	// line that @-mentions only other logins is a conversation between
	// viewers and is left alone. Matching ignores case and a leading '@'.
	Names []string
}

// Detect reads one chat line and says whether it is a question, in which
// language, and why.
//
// English lines count when a clause ends in '?', opens with a wh-word or an
// inverted auxiliary ("can I", "is there"), or asks for information without
// question syntax ("tell me your specs", "need the discord link", "anyone
// know…"). Chinese lines count on question particles and words (吗, 什么,
// 怎么, 哪, 是不是 and other A-not-A forms, 请问, 求…). Either way, short
// reactions that are shaped like questions ("is this real", "no way?!",
// "wtf?", "真的假的", "什么鬼") do not count: they react to the stream and
// expect no answer. Commands, greetings, emote spam and lines addressed to
// another viewer never count.
func (d Detector) Detect(text string) Question {
	q := Question{Lang: LangEnglish, Why: whyStatement}
	text = strings.TrimSpace(text)
	if text == "" {
		q.Why = whyEmpty
		return q
	}
	if text[0] == '!' {
		q.Lang, q.Why = DetectLang(text), whyCommand
		return q
	}

	var s enScan
	s.scan(text)
	q.Lang = s.lang(text)
	if s.addressedElsewhere(d.Names) {
		q.Why = whyOtherViewer
		return q
	}
	if s.han == 0 {
		if why, ok := s.noContent(); ok {
			q.Why = why
			return q
		}
	}

	// Both scripts are read whatever the language: a Chinese viewer writes
	// "有没有discord" and an English one may quote a Chinese word.
	enWhy, enIs := s.evaluate(d.Names)
	if enIs {
		q.Is, q.Why = true, enWhy
		return q
	}
	if s.han > 0 {
		zhWhy, zhIs := detectZh(text)
		if zhIs {
			q.Is, q.Why = true, zhWhy
			return q
		}
		if q.Lang == LangChinese || enWhy == whyStatement {
			q.Why = zhWhy
			return q
		}
	}
	q.Why = enWhy
	return q
}

// Read is Detect with its verdict in the shape a chat.Message carries, so
// the pipeline can store it in msg.Reading once and every stage after it
// reads the same answer. Its Lang is never empty, so Reading.Read reports
// true for what it returns.
func (d Detector) Read(text string) chat.Reading {
	q := d.Detect(text)
	return chat.Reading{Question: q.Is, Lang: q.Lang, Why: q.Why}
}
