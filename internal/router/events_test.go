package router

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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
		{msg("ana", "hi", 0), chat.Decision{}, ""},
		{msg("ana", "when do you stream?", 0), chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, "answered:schedule"},
		{msg("ana", "what game is this?", 0), chat.Decision{Action: chat.ActionIgnore, Question: true}, "missed:what game is this?"},
		{msg("ana", "!ask x", 0), chat.Decision{Action: chat.ActionEscalate, Ticket: "#3"}, "escalated:#3"},
		{msg("spammy", "buy followers", 0), chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"}, "moderated:links"},
		{msg("kim", "!pardon @Spammy", chat.RoleModerator), chat.Decision{Action: chat.ActionCommand}, "pardoned:links"},
		{msg("kim", "!pardon spammy", chat.RoleModerator), chat.Decision{Action: chat.ActionCommand}, ""},
		{msg("ana", "thanks", 0), chat.Decision{Action: chat.ActionCommand, FAQ: "schedule", Note: feedback.NoteHelpful}, "feedback:schedule"},
	} {
		var got string
		if e, ok := rec.eventOf(c.msg, c.d, time.Millisecond, at); ok {
			got = string(e.Kind)
			if v := e.FAQ + e.Text + e.Ticket + e.Rule; v != "" {
				got += ":" + v
			}
			if strings.Contains(e.Text+e.FAQ+e.Rule, c.msg.User) && c.msg.User != "" {
				t.Errorf("event %+v names the viewer", e)
			}
		}
		if got != c.want {
			t.Errorf("%q with %+v recorded %q; want %q", c.msg.Text, c.d, got, c.want)
		}
	}
}

// TestRecorderCountsChatVolume: chat messages become one counter a channel
// and minute, stamped with the minute's first message, written with the
// next batch; the report's sum is the number of messages.
func TestRecorderCountsChatVolume(t *testing.T) {
	store := escalation.NewMemoryStore()
	rec := NewEventRecorder(store, nil, nil)
	at := time.Date(2026, 3, 14, 18, 0, 10, 0, time.UTC)
	for i := range 300 {
		// 300 messages a second apart: 18:00:10 … 18:05:09.
		rec.Observe(context.Background(), chat.Message{Channel: "mira", User: "ana", Text: "hi", Time: at.Add(time.Duration(i) * time.Second)}, chat.Decision{}, 0)
	}
	rec.Observe(context.Background(), chat.Message{Channel: "otto", User: "ana", Text: "hi", Time: at}, chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run writes what waits and returns
	if err := rec.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Events(context.Background(), "mira", time.Time{})
	var stamps []string
	total := 0
	for _, e := range got {
		stamps = append(stamps, fmt.Sprintf("%s=%d", e.At.Format("15:04:05"), e.Count))
		total += e.Messages()
	}
	want := []string{"18:00:10=50", "18:01:00=60", "18:02:00=60", "18:03:00=60", "18:04:00=60", "18:05:00=10"}
	if !slices.Equal(stamps, want) || total != 300 {
		t.Errorf("#mira's log = %v (%d messages); want %v (300)", stamps, total, want)
	}
	otto, _ := store.Events(context.Background(), "otto", time.Time{})
	if len(otto) != 2 {
		t.Errorf("#otto's log = %+v; want its minute's count and the answer", otto)
	}
}

// TestRecorderWritesOnTheTimer: nothing is written per message; each tick
// writes one batch with what waited.
func TestRecorderWritesOnTheTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &countingStore{MemoryStore: escalation.NewMemoryStore()}
		rec := NewEventRecorder(store, nil, nil)
		rec.FlushEvery = 5 * time.Second
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- rec.Run(ctx) }()
		at := time.Now()
		for i := range 1000 {
			d := chat.Decision{}
			if i%100 == 0 {
				d = chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}
			}
			rec.Observe(context.Background(), chat.Message{Channel: "mira", User: "ana", Text: "hi", Time: at}, d, 0)
		}
		synctest.Wait()
		if n := store.appends(); n != 0 {
			t.Errorf("%d appends before the first tick; want none", n)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := store.appends(); n != 1 {
			t.Errorf("%d appends after one tick; want 1", n)
		}
		got, _ := store.Events(context.Background(), "mira", time.Time{})
		if len(got) != 11 {
			t.Errorf("%d events written; want 11 (one counter, ten answers)", len(got))
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// countingStore counts appends.
type countingStore struct {
	*escalation.MemoryStore
	mu sync.Mutex
	n  int
}

func (s *countingStore) AppendEvents(ctx context.Context, es ...escalation.Event) error {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return s.MemoryStore.AppendEvents(ctx, es...)
}

func (s *countingStore) appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
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
		rec.Observe(context.Background(), msg, chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}, 0)
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
	answers, messages := 0, 0
	for _, e := range got {
		messages += e.Messages()
		if e.Kind == escalation.EventAnswered {
			answers++
		}
	}
	if int64(answers)+rec.Dropped() != int64(n) || messages != n {
		t.Errorf("%d answers appended + %d dropped, %d messages counted; want all %d accounted for", answers, rec.Dropped(), messages, n)
	}
}
