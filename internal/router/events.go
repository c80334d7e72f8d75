package router

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/feedback"
)

// EventRecorder is the observer that keeps the event log the stream
// report reads. Observe runs on a channel's lane, so it only queues: one
// goroutine appends to the store in batches, and when the store is slow and
// the queue is full, events are dropped and counted rather than holding up
// chat.
type EventRecorder struct {
	log     *slog.Logger
	store   escalation.EventLog
	queue   chan escalation.Event
	now     func() time.Time
	dropped atomic.Int64

	// lastRule remembers the rule that last acted on each viewer, in
	// memory only, so a !pardon can be counted against the rule it undoes
	// without the log ever naming the viewer.
	mu       sync.Mutex
	lastRule map[string]string
}

// recorderQueue bounds the events waiting for the store; recorderBatch is
// the most appended at once.
const (
	recorderQueue = 4096
	recorderBatch = 256
)

// NewEventRecorder returns a recorder appending to store; now is the clock
// of messages without a time (nil: time.Now), log may be nil.
func NewEventRecorder(store escalation.EventLog, now func() time.Time, log *slog.Logger) *EventRecorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &EventRecorder{log: log, store: store, queue: make(chan escalation.Event, recorderQueue), now: now, lastRule: map[string]string{}}
}

// Dropped is how many events a full queue cost.
func (r *EventRecorder) Dropped() int64 { return r.dropped.Load() }

// Observe implements Observer.
func (r *EventRecorder) Observe(_ context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	for _, e := range r.eventsOf(msg, d, took) {
		select {
		case r.queue <- e:
		default:
			if n := r.dropped.Add(1); n == 1 || n%1000 == 0 {
				r.log.Warn("event log queue full, events dropped", "channel", msg.Channel, "dropped_total", n)
			}
		}
	}
}

// eventsOf maps one decision to what the report counts.
func (r *EventRecorder) eventsOf(msg chat.Message, d chat.Decision, took time.Duration) []escalation.Event {
	at := msg.Time
	if at.IsZero() {
		at = r.now()
	}
	base := escalation.Event{Channel: msg.Channel, At: at}
	ev := func(kind escalation.EventKind, f func(*escalation.Event)) escalation.Event {
		e := base
		e.Kind = kind
		if f != nil {
			f(&e)
		}
		return e
	}
	out := []escalation.Event{ev(escalation.EventMessage, nil)}
	switch {
	case d.Note == feedback.NoteHelpful || d.Note == feedback.NoteWrong:
		v := escalation.VerdictHelpful
		if d.Note == feedback.NoteWrong {
			v = escalation.VerdictWrong
		}
		out = append(out, ev(escalation.EventFeedback, func(e *escalation.Event) { e.FAQ, e.Verdict = d.FAQ, v }))
	case d.Action == chat.ActionAnswer && d.FAQ != "":
		out = append(out, ev(escalation.EventAnswered, func(e *escalation.Event) { e.FAQ, e.Took = d.FAQ, took }))
	case d.Action == chat.ActionEscalate && d.Ticket != "" && d.Note != "spooled":
		out = append(out, ev(escalation.EventEscalated, func(e *escalation.Event) { e.Ticket = d.Ticket }))
	case d.Rule != "" && (d.Action == chat.ActionModerate || d.Shadow):
		r.mu.Lock()
		if len(r.lastRule) >= 10000 {
			clear(r.lastRule)
		}
		r.lastRule[msg.User] = d.Rule
		r.mu.Unlock()
		out = append(out, ev(escalation.EventModerated, func(e *escalation.Event) { e.Rule, e.Step, e.Shadow = d.Rule, d.Penalty, d.Shadow }))
	case d.Action == chat.ActionCommand && msg.Roles.Privileged():
		if rule := r.pardoned(msg.Text); rule != "" {
			out = append(out, ev(escalation.EventPardoned, func(e *escalation.Event) { e.Rule = rule }))
		}
	case d.Question && !d.Acted():
		out = append(out, ev(escalation.EventMissed, func(e *escalation.Event) { e.Text = msg.Text }))
	}
	return out
}

// pardoned returns the rule a "!pardon user" undoes, if it knows one.
func (r *EventRecorder) pardoned(text string) string {
	f := strings.Fields(text)
	if len(f) < 2 || !strings.EqualFold(f[0], "!pardon") {
		return ""
	}
	// The same reading as !pardon's own, so "!pardon \u202eana" finds ana.
	user, ok := chat.NormalizeLogin(f[1])
	if !ok {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rule := r.lastRule[user]
	delete(r.lastRule, user)
	return rule
}

// Run appends queued events until ctx ends, then appends what is still
// queued, with a short grace, so a clean shutdown loses nothing.
func (r *EventRecorder) Run(ctx context.Context) error {
	batch := make([]escalation.Event, 0, recorderBatch)
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		if err := r.store.AppendEvents(ctx, batch...); err != nil {
			r.dropped.Add(int64(len(batch)))
			r.log.Warn("append to the event log", "events", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	fill := func() {
		for len(batch) < recorderBatch {
			select {
			case e := <-r.queue:
				batch = append(batch, e)
			default:
				return
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			for {
				fill()
				if len(batch) == 0 {
					return nil
				}
				flush(grace)
			}
		case e := <-r.queue:
			batch = append(batch, e)
			fill()
			flush(ctx)
		}
	}
}
