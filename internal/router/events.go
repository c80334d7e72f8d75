package router

import (
	"cmp"
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
// report reads. Observe runs on a channel's lane, so it costs next to
// nothing: chat volume is a counter per channel and minute in memory, and
// only what the report lists (answers, misses, tickets, moderation,
// pardons, feedback) becomes an event, in a bounded queue. One goroutine
// writes both to the store in one batch every FlushEvery (and sooner when
// a batch fills), so a busy chat costs the store a commit every few
// seconds, not one a message.
//
// What a crash can lose is what waits for the next batch: at most
// FlushEvery of chat-volume counters, and the events queued in that time
// (at most recorderQueue plus a batch). Never a ticket: the desk writes
// tickets to the store (or its spool) itself, before anything is said in
// chat; the log only counts them for the report. When the store is slow and
// the queue is full, events are dropped and counted rather than holding up
// chat; counters wait in memory and go with the next batch that succeeds.
type EventRecorder struct {
	log     *slog.Logger
	store   escalation.EventLog
	queue   chan escalation.Event
	now     func() time.Time
	dropped atomic.Int64

	// FlushEvery is how often counters and queued events are written;
	// set it before Run (zero: DefaultFlushEvery).
	FlushEvery time.Duration

	volMu  sync.Mutex
	volume map[volumeKey]*escalation.Event

	// lastRule remembers the rule that last acted on each viewer, in
	// memory only, so a !pardon can be counted against the rule it undoes
	// without the log ever naming the viewer.
	mu       sync.Mutex
	lastRule map[string]string
}

// volumeKey is one channel's minute of chat.
type volumeKey struct {
	channel string
	minute  int64
}

// recorderQueue bounds the events waiting for the store; recorderBatch is
// the most appended at once.
const (
	recorderQueue = 4096
	recorderBatch = 256
)

// DefaultFlushEvery is how often the event log is written: a crash loses at
// most this much chat volume. Each write is one record per channel that
// chatted, so at 10 s a channel chatting day and night writes 8,640 a day
// and its 200,000 events reach back more than three weeks.
const DefaultFlushEvery = 10 * time.Second

// NewEventRecorder returns a recorder appending to store; now is the clock
// of messages without a time (nil: time.Now), log may be nil.
func NewEventRecorder(store escalation.EventLog, now func() time.Time, log *slog.Logger) *EventRecorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &EventRecorder{
		log: log, store: store, queue: make(chan escalation.Event, recorderQueue), now: now,
		volume: map[volumeKey]*escalation.Event{}, lastRule: map[string]string{},
	}
}

// Dropped is how many events a full queue or a failed write cost.
func (r *EventRecorder) Dropped() int64 { return r.dropped.Load() }

// Observe implements Observer.
func (r *EventRecorder) Observe(_ context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	at := msg.Time
	if at.IsZero() {
		at = r.now()
	}
	r.count(msg.Channel, at, 1)
	e, ok := r.eventOf(msg, d, took, at)
	if !ok {
		return
	}
	select {
	case r.queue <- e:
	default:
		if n := r.dropped.Add(1); n == 1 || n%1000 == 0 {
			r.log.Warn("event log queue full, events dropped", "channel", msg.Channel, "dropped_total", n)
		}
	}
}

// count adds n messages to channel's minute at; the minute's record is
// stamped with the first of them.
func (r *EventRecorder) count(channel string, at time.Time, n int) {
	k := volumeKey{channel, at.Unix() / 60}
	r.volMu.Lock()
	if v, ok := r.volume[k]; ok {
		v.Count += n
	} else {
		r.volume[k] = &escalation.Event{Channel: channel, At: at, Kind: escalation.EventMessage, Count: n}
	}
	r.volMu.Unlock()
}

// takeVolume empties the counters into events, appended to batch.
func (r *EventRecorder) takeVolume(batch []escalation.Event) []escalation.Event {
	r.volMu.Lock()
	defer r.volMu.Unlock()
	for k, v := range r.volume {
		batch = append(batch, *v)
		delete(r.volume, k)
	}
	return batch
}

// eventOf maps one decision to the event the report counts, if any.
func (r *EventRecorder) eventOf(msg chat.Message, d chat.Decision, took time.Duration, at time.Time) (escalation.Event, bool) {
	e := escalation.Event{Channel: msg.Channel, At: at}
	switch {
	case d.Note == feedback.NoteHelpful || d.Note == feedback.NoteWrong:
		e.Kind, e.FAQ, e.Verdict = escalation.EventFeedback, d.FAQ, escalation.VerdictHelpful
		if d.Note == feedback.NoteWrong {
			e.Verdict = escalation.VerdictWrong
		}
	case d.Action == chat.ActionAnswer && d.FAQ != "":
		e.Kind, e.FAQ, e.Took = escalation.EventAnswered, d.FAQ, took
	case d.Action == chat.ActionEscalate && d.Ticket != "" && d.Note != "spooled":
		e.Kind, e.Ticket = escalation.EventEscalated, d.Ticket
	case d.Rule != "" && (d.Action == chat.ActionModerate || d.Shadow):
		r.mu.Lock()
		if len(r.lastRule) >= 10000 {
			clear(r.lastRule)
		}
		r.lastRule[msg.User] = d.Rule
		r.mu.Unlock()
		e.Kind, e.Rule, e.Step, e.Shadow = escalation.EventModerated, d.Rule, d.Penalty, d.Shadow
	case d.Action == chat.ActionCommand && msg.Roles.Privileged():
		rule := r.pardoned(msg.Text)
		if rule == "" {
			return e, false
		}
		e.Kind, e.Rule = escalation.EventPardoned, rule
	case d.Question && !d.Acted():
		e.Kind, e.Text = escalation.EventMissed, msg.Text
	default:
		return e, false
	}
	return e, true
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

// Run writes counters and queued events every FlushEvery until ctx ends,
// then writes what is left, with a short grace, so a clean shutdown loses
// nothing.
func (r *EventRecorder) Run(ctx context.Context) error {
	every := cmp.Or(r.FlushEvery, DefaultFlushEvery)
	tick := time.NewTicker(every)
	defer tick.Stop()
	batch := make([]escalation.Event, 0, recorderBatch)
	flush := func(ctx context.Context, volume bool) (err error) {
		if volume {
			batch = r.takeVolume(batch)
		}
		if len(batch) == 0 {
			return nil
		}
		if err = r.store.AppendEvents(ctx, batch...); err != nil {
			// Counters go back to wait for the next write; the
			// rest is counted lost.
			lost := 0
			for _, e := range batch {
				if e.Kind == escalation.EventMessage {
					r.count(e.Channel, e.At, e.Count)
				} else {
					lost++
				}
			}
			r.dropped.Add(int64(lost))
			r.log.Warn("append to the event log", "events", len(batch), "lost", lost, "err", err)
		}
		batch = batch[:0]
		return err
	}
	for {
		select {
		case <-ctx.Done():
			grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			for {
				r.fill(&batch)
				if err := flush(grace, len(batch) < recorderBatch); err != nil {
					return nil // logged, and the store will not take it now
				}
				if len(r.queue) == 0 && r.volumeEmpty() {
					return nil
				}
			}
		case e := <-r.queue:
			batch = append(batch, e)
			r.fill(&batch)
			if len(batch) >= recorderBatch {
				_ = flush(ctx, false) // logged and counted
			}
		case <-tick.C:
			r.fill(&batch)
			_ = flush(ctx, true)
		}
	}
}

// fill moves what is queued into batch, up to a batch.
func (r *EventRecorder) fill(batch *[]escalation.Event) {
	for len(*batch) < recorderBatch {
		select {
		case e := <-r.queue:
			*batch = append(*batch, e)
		default:
			return
		}
	}
}

func (r *EventRecorder) volumeEmpty() bool {
	r.volMu.Lock()
	defer r.volMu.Unlock()
	return len(r.volume) == 0
}
