package main

import (
	"context"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// AppendEvents implements escalation.EventLog. Recording an event creates
// the store like a first ticket does: a live bot's log is worth a file.
func (l *lazyBolt) AppendEvents(ctx context.Context, events ...escalation.Event) error {
	s, err := l.open(true)
	if err != nil {
		return err
	}
	return s.AppendEvents(ctx, events...)
}

// Events implements escalation.EventLog.
func (l *lazyBolt) Events(ctx context.Context, channel string, since time.Time) ([]escalation.Event, error) {
	s, err := l.open(false)
	if s == nil || err != nil {
		return nil, err
	}
	return s.Events(ctx, channel, since)
}

// exists reports whether the store file is there (opening it if so).
func (l *lazyBolt) exists() bool {
	s, err := l.open(false)
	return err == nil && s != nil
}

// heldEvents is the console's event log. A try-out in a fresh folder must
// leave no file behind, so events wait in memory until the store exists —
// because a ticket created it, in this session or an earlier one — and are
// written then, oldest first. A session that never files a ticket in a
// folder without a store records nothing.
type heldEvents struct {
	store  escalation.EventLog
	exists func() bool

	mu   sync.Mutex
	held []escalation.Event
}

// maxHeldEvents bounds what a long console session keeps in memory while
// no store exists; later events are dropped.
const maxHeldEvents = 100_000

// consoleEvents returns the event log the console records into: the store
// itself when it is a server or an existing file, else one that holds
// events until the file exists.
func consoleEvents(store escalation.Store) escalation.EventLog {
	inner := store
	if ms, ok := inner.(meteredStore); ok {
		inner = ms.Store
	}
	lb, ok := inner.(*lazyBolt)
	if !ok {
		return store
	}
	return &heldEvents{store: store, exists: lb.exists}
}

// AppendEvents implements escalation.EventLog.
func (h *heldEvents) AppendEvents(ctx context.Context, events ...escalation.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.exists() {
		if room := maxHeldEvents - len(h.held); len(events) > room {
			events = events[:max(room, 0)]
		}
		h.held = append(h.held, events...)
		return nil
	}
	if len(h.held) > 0 {
		if err := h.store.AppendEvents(ctx, h.held...); err != nil {
			return err
		}
		h.held = nil
	}
	return h.store.AppendEvents(ctx, events...)
}

// Events implements escalation.EventLog.
func (h *heldEvents) Events(ctx context.Context, channel string, since time.Time) ([]escalation.Event, error) {
	return h.store.Events(ctx, channel, since)
}
