package router_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/question"
	"github.com/chatdesk/chatdesk/internal/router"
)

// newChannel is channel mira over the tiny test FAQ, with the help desk on
// and !learn writing into a temporary directory.
func newChannel(t *testing.T, interval time.Duration) (*router.Channel, string) {
	t.Helper()
	base, err := filepath.Abs("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := answer.LoadFAQ(base)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := answer.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	det := question.Detector{Names: []string{"chatdesk", "mira"}}
	r := answer.NewResponder(ix, det, answer.Settings{}, nil, nil)
	learned := filepath.Join(t.TempDir(), "learned", "mira.yaml")
	ch := router.NewChannel(router.Parts{
		Name: "mira", Reader: det, Responder: r, FAQFiles: []string{base}, ReloadInterval: interval,
		Desk:        &escalation.Config{Channel: "mira", Store: escalation.NewMemoryStore(), Names: []string{"chatdesk", "mira"}},
		LearnedPath: learned,
	})
	t.Cleanup(func() { ch.Close() })
	return ch, learned
}

func say(ch *router.Channel, id string, roles chat.Roles, user, text string) chat.Decision {
	return ch.Pipeline().Process(context.Background(), chat.Message{
		ID: id, Channel: "mira", User: user, UserID: "uid-" + user, Roles: roles, Text: text, Time: time.Now(),
	})
}

func texts(d chat.Decision) string {
	var parts []string
	for _, r := range d.Replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, " / ")
}

// TestChannelStageOrder: commands, answers and the help desk in one
// pipeline, in the product's order.
func TestChannelStageOrder(t *testing.T) {
	ch, _ := newChannel(t, 0)
	if d := say(ch, "m1", 0, "ana", "what colour is the teapot?"); d.Action != chat.ActionAnswer || d.FAQ != "teapot" {
		t.Errorf("FAQ question: %+v; want the teapot answer", d)
	}
	if d := say(ch, "m2", 0, "ana", "!faq plant"); d.Action != chat.ActionCommand || !strings.Contains(texts(d), "Gerald") {
		t.Errorf("!faq plant: %+v; want the plant answer as a command", d)
	}
	if d := say(ch, "m3", 0, "bob", "!ask does the merch ship abroad?"); d.Action != chat.ActionEscalate || d.Ticket == "" {
		t.Errorf("!ask: %+v; want a ticket", d)
	}
	if d := say(ch, "m4", chat.RoleModerator, "kim", "!help"); !strings.Contains(texts(d), "!claim") || !strings.Contains(texts(d), "!faq") {
		t.Errorf("moderator !help: %q; want the desk's and the FAQ's commands", texts(d))
	}
}

// TestRemindersRideAlongWithoutASink: where the run attached no sink, what
// the channel posts on its own waits for its next message.
func TestRemindersRideAlongWithoutASink(t *testing.T) {
	ch, _ := newChannel(t, 0)
	ctx := context.Background()
	reminder := chat.Decision{Replies: []chat.Reply{{Text: "⏰ moderators: 1 ticket waiting"}}}
	if err := ch.Deliver(ctx, chat.Message{Channel: "mira"}, reminder); err != nil {
		t.Fatal(err)
	}
	d := say(ch, "m1", 0, "ana", "LUL")
	if texts(d) != "⏰ moderators: 1 ticket waiting" || d.Acted() {
		t.Fatalf("next message: %+v; want the reminder carried, the message not acted on", d)
	}
	if d := say(ch, "m2", 0, "ana", "LUL"); len(d.Replies) != 0 {
		t.Fatalf("the reminder came twice: %+v", d)
	}
	var sink recorderSink
	ch.Attach(&sink)
	if err := ch.Deliver(ctx, chat.Message{Channel: "mira"}, reminder); err != nil || len(sink.decs) != 1 {
		t.Fatalf("with a sink: %v, %d posted; want it posted at once", err, len(sink.decs))
	}
}

// TestOutboxKeepsTheNewest: a channel that never hears a message keeps
// only the newest replies, since a newer reminder repeats what is due.
func TestOutboxKeepsTheNewest(t *testing.T) {
	ch, _ := newChannel(t, 0)
	ctx := context.Background()
	for i := range 20 {
		d := chat.Decision{Replies: []chat.Reply{{Text: "reminder " + string(rune('a'+i))}}}
		if err := ch.Deliver(ctx, chat.Message{Channel: "mira"}, d); err != nil {
			t.Fatal(err)
		}
	}
	d := say(ch, "m1", 0, "ana", "LUL")
	if len(d.Replies) != 8 || d.Replies[7].Text != "reminder t" {
		t.Errorf("carried %d replies (last %q); want the newest 8", len(d.Replies), texts(d))
	}
}

type recorderSink struct{ decs []chat.Decision }

func (r *recorderSink) Deliver(_ context.Context, _ chat.Message, d chat.Decision) error {
	r.decs = append(r.decs, d)
	return nil
}

// TestReloaderWatchesTheLearnedFile: the learned file did not exist when
// the channel started, so the reloader did not watch it; once !learn writes
// it, edits to it are picked up like edits to any FAQ file. (The FAQ index
// runs goroutines of its own, so this test cannot use a synctest bubble;
// it polls every few milliseconds for what it expects instead.)
func TestReloaderWatchesTheLearnedFile(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch, learned := newChannel(t, 5*time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	say(ch, "m1", 0, "bob", "!ask is the merch store open?")
	say(ch, "m2", chat.RoleModerator, "kim", "!answer 1 yes")
	if d := say(ch, "m3", chat.RoleModerator, "kim", "!learn 1"); !strings.Contains(texts(d), "learned ✓") {
		t.Fatalf("!learn 1: %q", texts(d))
	}
	data, err := os.ReadFile(learned)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "answer: \"yes\"", "answer: \"yes, until Sunday\"", 1)
	edited = strings.Replace(edited, "answer: yes", "answer: yes, until Sunday", 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Written again each round: the reloader may restart after the
		// first write, and only a change after it starts counts.
		if err := os.WriteFile(learned, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		if res, _ := ch.Responder().Lookup("is the merch store open?", 1); res.Best != nil && res.Best.Entry.Answer == "yes, until Sunday" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the edited learned file was never reloaded")
		}
		time.Sleep(20 * time.Millisecond)
		edited += "\n"
	}
}
