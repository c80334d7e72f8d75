package router

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/feedback"
)

// TestRecorderEvents: what each decision records, and that no event names
// the viewer.
func TestRecorderEvents(t *testing.T) {
	rec := NewEventRecorder(escalation.NewMemoryStore(), nil, slog.New(slog.DiscardHandler))
	at := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	msg := func(user, text string, roles chat.Roles) chat.Message {
		return chat.Message{Channel: "mira", User: user, Text: text, Roles: roles, Time: at}
	}
	for _, c := range []struct {
		msg  chat.Message
		d    chat.Decision
		want string
	}{
		{msg("ana", "hi", 0), chat.Decision{}, "message"},
		{msg("ana", "when do you stream?", 0), chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, "message answered:schedule"},
		{msg("ana", "what game is this?", 0), chat.Decision{Action: chat.ActionIgnore, Question: true}, "message missed:what game is this?"},
		{msg("ana", "!ask x", 0), chat.Decision{Action: chat.ActionEscalate, Ticket: "#3"}, "message escalated:#3"},
		{msg("spammy", "buy followers", 0), chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"}, "message moderated:links"},
		{msg("kim", "!pardon @Spammy", chat.RoleModerator), chat.Decision{Action: chat.ActionCommand}, "message pardoned:links"},
		{msg("kim", "!pardon spammy", chat.RoleModerator), chat.Decision{Action: chat.ActionCommand}, "message"},
		{msg("ana", "thanks", 0), chat.Decision{Action: chat.ActionCommand, FAQ: "schedule", Note: feedback.NoteHelpful}, "message feedback:schedule"},
	} {
		var got []string
		for _, e := range rec.eventsOf(c.msg, c.d, time.Millisecond) {
			s := string(e.Kind)
			if v := e.FAQ + e.Text + e.Ticket + e.Rule; v != "" {
				s += ":" + v
			}
			got = append(got, s)
			if strings.Contains(e.Text+e.FAQ+e.Rule, c.msg.User) && c.msg.User != "" {
				t.Errorf("event %+v names the viewer", e)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q with %+v recorded %q; want %q", c.msg.Text, c.d, strings.Join(got, " "), c.want)
		}
	}
}

// slowStore blocks appends until released, like a store that hangs.
type slowStore struct {
	*escalation.MemoryStore
	release chan struct{}
	mu      sync.Mutex
	calls   int
}

func (s *slowStore) AppendEvents(ctx context.Context, es ...escalation.Event) error {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.MemoryStore.AppendEvents(ctx, es...)
}

// TestRecorderNeverBlocksALane: with the store stuck, Observe returns at
// once and counts what it could not queue; once the store answers, the
// queued events are appended, and stopping flushes the rest.
func TestRecorderNeverBlocksALane(t *testing.T) {
	store := &slowStore{MemoryStore: escalation.NewMemoryStore(), release: make(chan struct{})}
	rec := NewEventRecorder(store, nil, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rec.Run(ctx) }()
	msg := chat.Message{Channel: "mira", User: "ana", Text: "hi", Time: time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)}
	n := recorderQueue + recorderBatch + 500
	for range n {
		rec.Observe(context.Background(), msg, chat.Decision{}, 0)
	}
	if rec.Dropped() == 0 {
		t.Fatal("nothing dropped with the store stuck and the queue overfull")
	}
	close(store.release)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, _ := store.Events(context.Background(), "mira", time.Time{})
	if int64(len(got))+rec.Dropped() != int64(n) {
		t.Errorf("%d appended + %d dropped; want all %d accounted for", len(got), rec.Dropped(), n)
	}
}
