package moderation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// bannedList is 200 banned terms as a busy channel might keep them: 150
// words, 20 phrases, 10 Chinese terms and 20 regexps.
func bannedList() []string {
	var terms []string
	for i := range 150 {
		terms = append(terms, fmt.Sprintf("%cbadword%d", 'a'+i%26, i))
	}
	for i := range 20 {
		terms = append(terms, fmt.Sprintf("buy cheap thing%d", i))
	}
	for i := range 10 {
		terms = append(terms, fmt.Sprintf("违禁词%d", i))
	}
	for i := range 4 {
		terms = append(terms,
			fmt.Sprintf(`/b[a@]d%d\s*w[o0]rd/`, i),
			fmt.Sprintf(`/(?:free|cheap)\s*(?:followers|viewers|primes)%d/`, i),
			fmt.Sprintf(`/discord\.gg/x%d\w+/`, i),
			fmt.Sprintf(`/\bf+\W*u+\W*c+\W*k+%d/`, i),
			fmt.Sprintf(`/n[i1!]+gg+[e3]+r%d/`, i))
	}
	return terms
}

// worstList is a list at the regexp budget, made of patterns that pass
// every check but keep as many threads busy as they are allowed to on a
// message written against them ("zx" is rare in chat, so the probe alone
// would call them cheap).
func worstList() []string {
	var terms []string
	for i := range 4 {
		terms = append(terms, fmt.Sprintf("/zx(?:[a-j ]*){10}%c/", 'k'+i))
	}
	return append(terms, "/zx(?:[a-j ]*){5}p/")
}

func benchTermsEngine(b *testing.B, terms []string) *Engine {
	b.Helper()
	s := DefaultSettings()
	bt := s.Rules[RuleBannedTerms]
	bt.Terms = terms
	s.Rules[RuleBannedTerms] = bt
	e, err := New("bench", s, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkCheckBannedTerms is the check cost of a message with banned
// terms: the default rules plus 200 terms over the usual chat mix and over
// 500-character messages (Twitch's longest), and the worst case the budget
// allows: a list of regexps at the limit against a 500-character message
// written to keep every instruction busy.
func BenchmarkCheckBannedTerms(b *testing.B) {
	start := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	long := strings.Repeat("what a game, that boss fight was something else lol ", 10)[:chat.MaxMessageRunes]
	// The capital Z makes the normalised form differ, so both passes run.
	worst := ("Zx" + strings.Repeat("abcdefghij ", 50))[:chat.MaxMessageRunes]
	users := make([]string, 200)
	for i := range users {
		users[i] = fmt.Sprintf("viewer%d", i)
	}
	run := func(b *testing.B, e *Engine, texts []string) {
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// Chatters take turns, a minute apart: only the content
			// rules decide.
			e.Check(chat.Message{
				User: users[i%len(users)], Text: texts[i%len(texts)],
				Time: start.Add(time.Duration(i) * time.Minute),
			})
		}
	}
	b.Run("none/mix", func(b *testing.B) { run(b, benchTermsEngine(b, nil), benchMix) })
	b.Run("200/mix", func(b *testing.B) { run(b, benchTermsEngine(b, bannedList()), benchMix) })
	b.Run("200/500-chars", func(b *testing.B) { run(b, benchTermsEngine(b, bannedList()), []string{long}) })
	b.Run("worst/500-chars", func(b *testing.B) { run(b, benchTermsEngine(b, worstList()), []string{worst}) })
}

// TestBenchListsAccepted: the benchmark's lists are what a channel may
// really hold, so its numbers describe the budget.
func TestBenchListsAccepted(t *testing.T) {
	for name, list := range map[string][]string{"200": bannedList(), "worst": worstList()} {
		ts, err := newTermSet(list)
		if err != nil {
			t.Fatalf("%s list: %v", name, err)
		}
		if name == "worst" && ts.cost < maxListCost*9/10 {
			t.Errorf("worst list costs %d steps a character; want near the limit %d", ts.cost, maxListCost)
		}
	}
}
