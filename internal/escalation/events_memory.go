package escalation

import (
	"context"
	"sort"
	"time"
)

// AppendEvents implements EventLog.
func (s *MemoryStore) AppendEvents(_ context.Context, events ...Event) error {
	if err := validateEvents(events); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	touched := map[string]bool{}
	for _, e := range events {
		log := s.events[e.Channel]
		// Events come nearly in order; an insertion keeps the log sorted
		// for a few late ones without sorting it all.
		i := sort.Search(len(log), func(i int) bool { return log[i].At.After(e.At) })
		log = append(log, Event{})
		copy(log[i+1:], log[i:])
		log[i] = e
		s.events[e.Channel] = log
		touched[e.Channel] = true
	}
	for ch := range touched {
		s.events[ch] = trimEvents(s.events[ch])
	}
	return nil
}

// trimEvents drops what the bounds leave out of a sorted log.
func trimEvents(log []Event) []Event {
	if len(log) == 0 {
		return log
	}
	cut := log[len(log)-1].At.Add(-EventRetention)
	i := sort.Search(len(log), func(i int) bool { return !log[i].At.Before(cut) })
	i = max(i, len(log)-MaxEvents)
	if i == 0 {
		return log
	}
	return append([]Event(nil), log[i:]...)
}

// Events implements EventLog.
func (s *MemoryStore) Events(_ context.Context, channel string, since time.Time) ([]Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.events[channel]
	i := sort.Search(len(log), func(i int) bool { return !log[i].At.Before(since) })
	return append([]Event(nil), log[i:]...), nil
}
