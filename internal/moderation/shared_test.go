package moderation

import (
	"fmt"
	"sync"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// TestEnginesShareTables: engines built from the default settings share
// the built-in emote names and the parsed default phrase lists, and a
// channel's own emotes and terms stay its own.
func TestEnginesShareTables(t *testing.T) {
	s := DefaultSettings()
	a, err := New("a", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	own := DefaultSettings()
	own.Emotes = []string{"miraWave"}
	own.Rules[RuleSpam] = withPhrases(own.Rules[RuleSpam], "cheap vbucks")
	b, err := New("b", own, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%p", a.emotes.builtin) != fmt.Sprintf("%p", b.emotes.builtin) {
		t.Error("the built-in emote names are built again for each engine")
	}
	if a.emotes.extra != nil || !b.emotes.has("miraWave") || a.emotes.has("miraWave") {
		t.Errorf("channel emotes leak: a %v, b %v", a.emotes.extra, b.emotes.extra)
	}
	c, err := New("c", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if phrasesOf(t, a, RuleSpam) != phrasesOf(t, c, RuleSpam) {
		t.Error("the default spam phrases are parsed again for each engine")
	}
	if phrasesOf(t, a, RuleSpam) == phrasesOf(t, b, RuleSpam) {
		t.Error("a channel's own phrases share the default list")
	}
	if got := b.Check(chat.Message{User: "x", Text: "get cheap vbucks here now"}); got.Rule != RuleSpam {
		t.Errorf("own phrase: rule %q, want %q", got.Rule, RuleSpam)
	}
	// Every engine starts on the one empty block list; a !block in one
	// channel stays there.
	if _, err := a.Block("pineapple"); err != nil {
		t.Fatal(err)
	}
	if got := a.Check(chat.Message{User: "y", Text: "pineapple pizza"}); got.Rule != RuleBannedTerms {
		t.Errorf("blocked term in its channel: rule %q", got.Rule)
	}
	if got := c.Check(chat.Message{User: "y", Text: "pineapple pizza"}); got.Rule != "" {
		t.Errorf("a !block in one channel applies in another: rule %q", got.Rule)
	}
	if len(noTerms().terms) != 0 {
		t.Error("!block added to the shared empty list")
	}
}

// TestSharedTermsConcurrent: channels checked at the same time match
// through the same shared term sets (run with -race).
func TestSharedTermsConcurrent(t *testing.T) {
	s := DefaultSettings()
	s.Rules[RuleBannedTerms] = RuleSettings{Enabled: true, Severity: 2, Terms: []string{"free"}}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		e, err := New(fmt.Sprint("c", i), s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				v := e.Check(chat.Message{User: fmt.Sprint("u", j), Text: "fr ee stuff"})
				if v.Rule != RuleBannedTerms {
					t.Errorf("split term: rule %q", v.Rule)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func withPhrases(r RuleSettings, p ...string) RuleSettings {
	r.Phrases = append(append([]string(nil), r.Phrases...), p...)
	return r
}

// phrasesOf is the address of rule's parsed phrase list in e.
func phrasesOf(t *testing.T, e *Engine, rule string) string {
	t.Helper()
	for _, sl := range e.slots {
		if r, ok := sl.rule.(*spamRule); ok && rule == RuleSpam {
			return fmt.Sprintf("%p", r.phrases)
		}
	}
	t.Fatalf("no %s rule", rule)
	return ""
}
