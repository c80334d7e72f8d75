package metrics

import (
	"context"
	"log/slog"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// MeterStore returns s as the metrics see it: every transition that changes
// a ticket's life is counted as it happens. The open-ticket gauges of the
// channels start from what s holds now; a channel whose tickets cannot be
// listed starts from zero (the desk logs the store's trouble when it loads).
func (m *Metrics) MeterStore(ctx context.Context, s escalation.Store, channels []string, log *slog.Logger) escalation.Store {
	for _, ch := range channels {
		open, err := s.List(ctx, ch, escalation.Filter{Open: true})
		if err != nil {
			if log != nil {
				log.Debug("metrics: count open tickets", "channel", ch, "err", err)
			}
			continue
		}
		m.SetOpenTickets(ch, len(open))
	}
	return meteredStore{Store: s, m: m}
}

// meteredStore is the ticket store seen by the metrics: every transition
// that changes a ticket's life (filed, first answered, closed, reopened) is
// counted as it happens, by the clock of the operation.
type meteredStore struct {
	escalation.Store
	m *Metrics
}

// Create implements escalation.Store.
func (s meteredStore) Create(ctx context.Context, n escalation.NewTicket) (escalation.Ticket, bool, error) {
	t, created, err := s.Store.Create(ctx, n)
	if err == nil && created {
		s.m.TicketOpened(t.Channel)
	}
	return t, created, err
}

// Answer implements escalation.Store.
func (s meteredStore) Answer(ctx context.Context, op escalation.Op, text string) (escalation.Ticket, error) {
	t, err := s.Store.Answer(ctx, op, text)
	// Only the answer that set the first response counts; later ones
	// correct or add to it.
	if err == nil && t.FirstResponseAt.Equal(op.At) && !t.CreatedAt.IsZero() {
		s.m.TicketFirstResponse(t.Channel, t.FirstResponseAt.Sub(t.CreatedAt))
	}
	return t, err
}

// Resolve implements escalation.Store.
func (s meteredStore) Resolve(ctx context.Context, op escalation.Op) (escalation.Ticket, error) {
	t, err := s.Store.Resolve(ctx, op)
	if err == nil {
		s.m.TicketClosed(t.Channel, true, op.At.Sub(t.CreatedAt))
	}
	return t, err
}

// Dismiss implements escalation.Store.
func (s meteredStore) Dismiss(ctx context.Context, op escalation.Op, reason string) (escalation.Ticket, error) {
	t, err := s.Store.Dismiss(ctx, op, reason)
	if err == nil {
		s.m.TicketClosed(t.Channel, false, op.At.Sub(t.CreatedAt))
	}
	return t, err
}

// Reopen implements escalation.Store.
func (s meteredStore) Reopen(ctx context.Context, op escalation.Op) (escalation.Ticket, error) {
	t, err := s.Store.Reopen(ctx, op)
	if err == nil {
		s.m.TicketOpened(t.Channel)
	}
	return t, err
}
