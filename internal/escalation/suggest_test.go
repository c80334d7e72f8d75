package escalation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// TestSuggestionIsAnonymous: nothing stored with a suggestion, nor logged
// about it, names the viewer: not their login, id, display name, message id
// or earlier lines.
func TestSuggestionIsAnonymous(t *testing.T) {
	var logs bytes.Buffer
	s := escalation.NewMemoryStore()
	clk := &clock{t: t0}
	d := escalation.NewDesk(escalation.Config{
		Channel: "mira", Store: s, Settings: defaultSettings(), Names: []string{"chatdesk", "mira"}, Now: clk.Now,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	h := &desk{t: t, clk: clk, store: s, Desk: d, cmds: map[string]chat.Command{}}
	for _, c := range d.Commands() {
		h.cmds[c.Name] = c
	}
	h.said(chat.Message{ID: "secret-earlier-id", Channel: "mira", User: "zoe_secret", UserID: "id-4242", DisplayName: "ZoeSecret", Text: "my earlier line", Time: clk.Now()})
	dec := h.said(chat.Message{ID: "secret-msg-id", Channel: "mira", User: "zoe_secret", UserID: "id-4242", DisplayName: "ZoeSecret", Text: "!suggest more horror games", Time: clk.Now()})
	wantReply(t, dec, "anonymously")
	if dec.Ticket != "" || strings.Contains(texts(dec), "#") {
		t.Errorf("reply %q (ticket %q) names the ticket; want no way to tell which suggestion is whose", texts(dec), dec.Ticket)
	}
	tk := h.ticket(1)
	if tk.Kind != escalation.KindSuggestion || tk.Text != "more horror games" {
		t.Fatalf("ticket = %s %q; want the suggestion", tk.Kind, tk.Text)
	}
	stored, _ := json.Marshal(tk)
	for _, secret := range []string{"zoe", "Zoe", "4242", "secret-msg-id", "secret-earlier-id", "earlier line"} {
		if strings.Contains(string(stored), secret) {
			t.Errorf("stored suggestion %s holds %q", stored, secret)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log %q holds %q", logs.String(), secret)
		}
	}
}

// TestSuggestionRateLimit: a viewer gets SuggestLimit suggestions per
// window; another viewer is not held back by them; the window passes.
func TestSuggestionRateLimit(t *testing.T) {
	set := defaultSettings()
	set.SuggestLimit, set.SuggestWindow = 2, time.Hour
	h := newDesk(t, escalation.NewMemoryStore(), set, nil)
	for i, c := range []struct {
		user, want string
		wait       time.Duration
	}{
		{"ana", "anonymously", 0},
		{"ana", "anonymously", time.Minute},
		{"ana", "try again later", time.Minute},
		{"bob", "anonymously", 0},
		{"ana", "anonymously", time.Hour},
	} {
		h.clk.Advance(c.wait)
		if got := texts(h.viewer(c.user, "!suggest idea")); !strings.Contains(got, c.want) {
			t.Errorf("step %d: %s's !suggest got %q; want %q", i, c.user, got, c.want)
		}
	}
	all, _ := h.store.List(context.Background(), "mira", escalation.Filter{})
	if len(all) != 4 {
		t.Errorf("%d suggestions filed; want 4", len(all))
	}
}

// TestSuggestionsCommand: the broadcaster lists open suggestions, newest
// first, in one chat message; others are told it is not theirs.
func TestSuggestionsCommand(t *testing.T) {
	set := defaultSettings()
	set.SuggestLimit = 100
	h := newDesk(t, escalation.NewMemoryStore(), set, nil)
	if got := texts(h.said(h.message("mira", chat.RoleBroadcaster, "!suggestions"))); !strings.Contains(got, "empty") {
		t.Errorf("!suggestions with none = %q; want empty", got)
	}
	h.viewer("ana", "!ask when is the next collab?")
	for i := range 40 {
		h.viewer("ana", "!suggest "+strings.Repeat("x", i%7)+" play more rhythm games please with friends")
	}
	got := texts(h.said(h.message("mira", chat.RoleBroadcaster, "!suggestions")))
	if !strings.HasPrefix(got, "40 suggestions, newest first: #41 ") || !strings.Contains(got, "more") || len([]rune(got)) > chat.MaxMessageRunes {
		t.Errorf("!suggestions = %q (%d runes); want 40, newest first, within one message", got, len([]rune(got)))
	}
	if got := texts(h.mod("kim", "!suggestions")); !strings.Contains(got, "for the broadcaster") {
		t.Errorf("a moderator's !suggestions = %q; want refused", got)
	}
}

// TestFileFAQFix: a faq-fix ticket carries the question and the answer.
func TestFileFAQFix(t *testing.T) {
	h := newDesk(t, escalation.NewMemoryStore(), defaultSettings(), nil)
	msg := h.message("ana", 0, "!wrong")
	tk, err := h.FileFAQFix(context.Background(), msg, escalation.FAQFix{Question: "when do you stream?", FAQ: "schedule", Answer: "Mon/Wed/Fri 19:00", AskedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Kind != escalation.KindFAQFix || tk.Source != escalation.SourceWrong || !strings.Contains(tk.Text, "when do you stream?") ||
		!strings.Contains(tk.Text, "Mon/Wed/Fri 19:00") || !strings.Contains(tk.Text, "schedule") || len(tk.Context) != 2 {
		t.Errorf("ticket = %s/%s %q context %v; want a faq-fix with the question and the answer", tk.Kind, tk.Source, tk.Text, tk.Context)
	}
	if got := texts(h.mod("kim", "!tickets")); !strings.Contains(got, "faq-fix") {
		t.Errorf("!tickets = %q; want the faq-fix listed", got)
	}
}

func TestGroupSimilar(t *testing.T) {
	got := escalation.GroupSimilar([]string{
		"when is the next collab?", "what game is this?", "@mira when's the next collab", "when is the collab", "what game is this", "is there merch?",
	}, []string{"mira"})
	var line []string
	for _, g := range got {
		line = append(line, g.Text+"="+string(rune('0'+g.Count)))
	}
	want := "when is the next collab?=3 | what game is this?=2 | is there merch?=1"
	if strings.Join(line, " | ") != want {
		t.Errorf("groups %q; want %q", strings.Join(line, " | "), want)
	}
}
