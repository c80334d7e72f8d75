package main

import (
	"context"
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
