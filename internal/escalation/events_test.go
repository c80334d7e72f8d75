package escalation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// testEventLog is the event log's part of the conformance suite.
func testEventLog(t *testing.T, open func(t *testing.T) escalation.Store) {
	ctx := context.Background()
	ev := func(channel string, d time.Duration, kind escalation.EventKind) escalation.Event {
		return escalation.Event{Channel: channel, At: at(d), Kind: kind}
	}
	kinds := func(es []escalation.Event) string {
		s := ""
		for _, e := range es {
			s += fmt.Sprintf("%s@%s ", e.Kind, e.At.Sub(t0))
		}
		return s
	}

	t.Run("events: kept per channel, oldest first, with every field", func(t *testing.T) {
		s := open(t)
		full := escalation.Event{
			Channel: "mira", At: at(3 * time.Second), Kind: escalation.EventModerated, FAQ: "schedule", Text: "when is the collab?",
			Ticket: "#4", Rule: "links", Step: "timeout 60s", Shadow: true, Verdict: escalation.VerdictWrong, Took: 1500 * time.Microsecond,
		}
		err := s.AppendEvents(ctx, ev("mira", 2*time.Second, escalation.EventMessage), ev("otto", 0, escalation.EventMessage), full)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AppendEvents(ctx, ev("mira", time.Second, escalation.EventAnswered)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Events(ctx, "mira", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if k := kinds(got); k != "answered@1s message@2s moderated@3s " {
			t.Fatalf("Events(mira) = %s; want answered, message, moderated in time order", k)
		}
		if got[2] != full {
			t.Errorf("event read back = %+v; want %+v", got[2], full)
		}
		counted := escalation.Event{Channel: "mira", At: at(4 * time.Second), Kind: escalation.EventMessage, Count: 37}
		if err := s.AppendEvents(ctx, counted); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Events(ctx, "mira", at(4*time.Second)); len(got) != 1 || got[0] != counted || got[0].Messages() != 37 {
			t.Errorf("a minute's count read back = %+v; want %+v, 37 messages", got, counted)
		}
		if other, err := s.Events(ctx, "otto", time.Time{}); err != nil || len(other) != 1 {
			t.Errorf("Events(otto) = %s, %v; want its one message", kinds(other), err)
		}
		if none, err := s.Events(ctx, "nobody", time.Time{}); err != nil || len(none) != 0 {
			t.Errorf("Events of an unknown channel = %s, %v; want none", kinds(none), err)
		}
	})

	t.Run("events: since is inclusive", func(t *testing.T) {
		s := open(t)
		for i := range 5 {
			if err := s.AppendEvents(ctx, ev("mira", time.Duration(i)*time.Minute, escalation.EventMessage)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Events(ctx, "mira", at(2*time.Minute))
		if err != nil || kinds(got) != "message@2m0s message@3m0s message@4m0s " {
			t.Fatalf("Events since +2m = %s, %v; want +2m, +3m, +4m", kinds(got), err)
		}
	})

	t.Run("events: identical events in one millisecond are all kept", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.AppendEvents(ctx, ev("mira", 0, escalation.EventMessage), ev("mira", 0, escalation.EventMessage)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got, err := s.Events(ctx, "mira", time.Time{}); err != nil || len(got) != 20 {
			t.Fatalf("Events = %d, %v; want all 20", len(got), err)
		}
	})

	t.Run("events: older than the retention before the newest are dropped", func(t *testing.T) {
		s := open(t)
		if err := s.AppendEvents(ctx, ev("mira", 0, escalation.EventMessage), ev("mira", time.Hour, escalation.EventMissed)); err != nil {
			t.Fatal(err)
		}
		later := escalation.EventRetention + 30*time.Minute
		if err := s.AppendEvents(ctx, ev("mira", later, escalation.EventAnswered)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Events(ctx, "mira", time.Time{})
		if err != nil || len(got) != 2 || got[0].Kind != escalation.EventMissed {
			t.Fatalf("Events = %s, %v; want the +1h event and the newest, the first one trimmed", kinds(got), err)
		}
	})

	t.Run("events: an incomplete event is refused", func(t *testing.T) {
		s := open(t)
		for _, e := range []escalation.Event{{At: at(0), Kind: escalation.EventMessage}, {Channel: "mira", Kind: escalation.EventMessage}, {Channel: "mira", At: at(0)}} {
			if err := s.AppendEvents(ctx, e); err == nil {
				t.Errorf("AppendEvents(%+v) succeeded; want an error", e)
			}
		}
	})
}
