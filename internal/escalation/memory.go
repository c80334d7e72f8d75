package escalation

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// MemoryStore keeps tickets in memory only, for dry runs: `bot replay`
// shows what would be escalated without touching the real queue. It runs
// the same transitions as the other backends and passes the same
// conformance suite.
type MemoryStore struct {
	mu      sync.Mutex
	tickets map[string]map[int64]*Ticket // channel → number → ticket
	byMsg   map[string]int64             // channel 0x00 message id → number
	events  map[string][]Event           // channel → its event log, oldest first
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{tickets: map[string]map[int64]*Ticket{}, byMsg: map[string]int64{}, events: map[string][]Event{}}
}

// clone copies t so callers never share the store's slices.
func clone(t Ticket) Ticket {
	t.Askers = append([]Asker(nil), t.Askers...)
	t.Context = append([]Line(nil), t.Context...)
	return t
}

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, n NewTicket) (Ticket, bool, error) {
	if err := n.Validate(); err != nil {
		return Ticket{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if num, ok := s.byMsg[n.Channel+"\x00"+n.MessageID]; ok {
		return clone(*s.tickets[n.Channel][num]), false, nil
	}
	ch := s.tickets[n.Channel]
	if ch == nil {
		ch = map[int64]*Ticket{}
		s.tickets[n.Channel] = ch
	}
	t := newTicket(n, int64(len(ch)+1))
	t.Context = append([]Line(nil), t.Context...)
	ch[t.Number] = &t
	s.byMsg[n.Channel+"\x00"+n.MessageID] = t.Number
	return clone(t), true, nil
}

func (s *MemoryStore) transition(op Op, name string, apply func(*Ticket) (bool, error)) (Ticket, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.tickets[op.Channel][op.Number]
	if p == nil {
		return Ticket{}, false, fmt.Errorf("%s #%s %d: %w", name, op.Channel, op.Number, ErrNotFound)
	}
	t := clone(*p)
	changed, err := apply(&t)
	if err != nil {
		return clone(*p), false, err
	}
	if changed {
		*p = t
	}
	return clone(*p), changed, nil
}

// Join implements Store.
func (s *MemoryStore) Join(_ context.Context, op Op, a Asker) (Ticket, error) {
	t, _, err := s.transition(op, "join", func(t *Ticket) (bool, error) { return applyJoin(t, op, a) })
	return t, err
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, op Op, lease time.Duration) (Ticket, error) {
	t, _, err := s.transition(op, "claim", func(t *Ticket) (bool, error) { return applyClaim(t, op, lease) })
	return t, err
}

// Answer implements Store.
func (s *MemoryStore) Answer(_ context.Context, op Op, text string) (Ticket, error) {
	t, _, err := s.transition(op, "answer", func(t *Ticket) (bool, error) { return applyAnswer(t, op, text) })
	return t, err
}

// Resolve implements Store.
func (s *MemoryStore) Resolve(_ context.Context, op Op) (Ticket, error) {
	t, _, err := s.transition(op, "resolve", func(t *Ticket) (bool, error) { return applyResolve(t, op) })
	return t, err
}

// Dismiss implements Store.
func (s *MemoryStore) Dismiss(_ context.Context, op Op, reason string) (Ticket, error) {
	t, _, err := s.transition(op, "dismiss", func(t *Ticket) (bool, error) { return applyDismiss(t, op, reason) })
	return t, err
}

// Reopen implements Store.
func (s *MemoryStore) Reopen(_ context.Context, op Op) (Ticket, error) {
	t, _, err := s.transition(op, "reopen", func(t *Ticket) (bool, error) { return applyReopen(t, op) })
	return t, err
}

// Delivered implements Store.
func (s *MemoryStore) Delivered(_ context.Context, op Op, user string) (bool, error) {
	_, changed, err := s.transition(op, "delivered", func(t *Ticket) (bool, error) { return applySettle(t, op, user, false) })
	return changed, err
}

// Expire implements Store.
func (s *MemoryStore) Expire(_ context.Context, op Op, user string) (bool, error) {
	_, changed, err := s.transition(op, "expire", func(t *Ticket) (bool, error) { return applySettle(t, op, user, true) })
	return changed, err
}

// Remind implements Store.
func (s *MemoryStore) Remind(_ context.Context, op Op, every time.Duration) (bool, error) {
	_, changed, err := s.transition(op, "remind", func(t *Ticket) (bool, error) { return applyRemind(t, op, every) })
	return changed, err
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, channel string, number int64) (Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.tickets[channel][number]
	if p == nil {
		return Ticket{}, fmt.Errorf("get #%s %d: %w", channel, number, ErrNotFound)
	}
	return clone(*p), nil
}

// sorted returns a channel's tickets by number.
func (s *MemoryStore) sorted(channel string) []Ticket {
	out := make([]Ticket, 0, len(s.tickets[channel]))
	for _, p := range s.tickets[channel] {
		out = append(out, clone(*p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// List implements Store.
func (s *MemoryStore) List(_ context.Context, channel string, f Filter) ([]Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ticket
	for _, t := range s.sorted(channel) {
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
		if f.match(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Owed implements Store.
func (s *MemoryStore) Owed(_ context.Context, channel, user string) ([]Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ticket
	for _, t := range s.sorted(channel) {
		for _, a := range t.Owed() {
			if a.User == user {
				out = append(out, t)
				break
			}
		}
	}
	return out, nil
}

// OwedUsers implements Store.
func (s *MemoryStore) OwedUsers(_ context.Context, channel string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, t := range s.sorted(channel) {
		for _, a := range t.Owed() {
			if !seen[a.User] {
				seen[a.User] = true
				out = append(out, a.User)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Close implements Store.
func (s *MemoryStore) Close() error { return nil }
