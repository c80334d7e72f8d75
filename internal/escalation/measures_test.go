package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// measured is a ticket for the measures' tests: filed at base, first
// answered after first (negative: never), closed after closed (negative:
// not closed) in the given state.
func measured(kind escalation.Kind, state escalation.State, first, closed time.Duration) escalation.Ticket {
	base := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	t := escalation.Ticket{Channel: "mira", Kind: kind, State: state, CreatedAt: base}
	if first >= 0 {
		t.FirstResponseAt = base.Add(first)
	}
	if closed >= 0 {
		t.ClosedAt = base.Add(closed)
	}
	return t
}

func TestKindAnswerable(t *testing.T) {
	for _, c := range []struct {
		kind escalation.Kind
		want bool
	}{
		{escalation.KindQuestion, true},
		{escalation.KindComplaint, true},
		{escalation.KindFAQFix, true},
		{escalation.KindSuggestion, false},
		{"", false},
	} {
		if got := c.kind.Answerable(); got != c.want {
			t.Errorf("Kind(%q).Answerable() = %v; want %v", c.kind, got, c.want)
		}
	}
}

func TestTimesOf(t *testing.T) {
	const promise = 10 * time.Minute
	now := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC).Add(time.Hour)
	const never = -1
	for _, c := range []struct {
		what    string
		ticket  escalation.Ticket
		promise time.Duration
		want    escalation.Times
	}{
		{"question answered in time", measured(escalation.KindQuestion, escalation.StateAnswered, 4*time.Minute, never), promise,
			escalation.Times{Answered: true, FirstResponse: 4 * time.Minute}},
		{"answered exactly at the promise is in time", measured(escalation.KindQuestion, escalation.StateAnswered, promise, never), promise,
			escalation.Times{Answered: true, FirstResponse: promise}},
		{"question answered late, resolved", measured(escalation.KindQuestion, escalation.StateResolved, 25*time.Minute, 30*time.Minute), promise,
			escalation.Times{Answered: true, FirstResponse: 25 * time.Minute, Resolved: true, Resolution: 30 * time.Minute, Breached: true}},
		{"complaint answered late", measured(escalation.KindComplaint, escalation.StateAnswered, 11*time.Minute, never), promise,
			escalation.Times{Answered: true, FirstResponse: 11 * time.Minute, Breached: true}},
		{"faq-fix answered late", measured(escalation.KindFAQFix, escalation.StateAnswered, 14*time.Minute, never), promise,
			escalation.Times{Answered: true, FirstResponse: 14 * time.Minute, Breached: true}},
		{"suggestion waiting an hour breaks nothing", measured(escalation.KindSuggestion, escalation.StateNew, never, never), promise,
			escalation.Times{}},
		{"suggestion answered late breaks nothing", measured(escalation.KindSuggestion, escalation.StateAnswered, 30*time.Minute, never), promise,
			escalation.Times{Answered: true, FirstResponse: 30 * time.Minute}},
		{"question still waiting past the promise", measured(escalation.KindQuestion, escalation.StateNew, never, never), promise,
			escalation.Times{Breached: true}},
		{"claimed complaint still waiting", measured(escalation.KindComplaint, escalation.StateClaimed, never, never), promise,
			escalation.Times{Breached: true}},
		{"question waiting, within a longer promise", measured(escalation.KindQuestion, escalation.StateNew, never, never), 2 * time.Hour,
			escalation.Times{}},
		{"no promise, nothing to break", measured(escalation.KindQuestion, escalation.StateNew, never, never), 0,
			escalation.Times{}},
		{"complaint dismissed at once", measured(escalation.KindComplaint, escalation.StateDismissed, never, time.Minute), promise,
			escalation.Times{}},
		{"question dismissed after 40m unanswered stays late", measured(escalation.KindQuestion, escalation.StateDismissed, never, 40*time.Minute), promise,
			escalation.Times{Breached: true}},
		{"question resolved unanswered after 20m", measured(escalation.KindQuestion, escalation.StateResolved, never, 20*time.Minute), promise,
			escalation.Times{Resolved: true, Resolution: 20 * time.Minute, Breached: true}},
	} {
		if got := escalation.TimesOf(c.ticket, c.promise, now); got != c.want {
			t.Errorf("%s: TimesOf = %+v; want %+v", c.what, got, c.want)
		}
	}
}

func TestMeasureMedianAndP90(t *testing.T) {
	m := time.Minute
	for _, c := range []struct {
		what        string
		firsts      []time.Duration
		median, p90 time.Duration
	}{
		{"none", nil, 0, 0},
		{"one", []time.Duration{7 * m}, 7 * m, 7 * m},
		{"two: the mean of the middle two", []time.Duration{3 * m, 1 * m}, 2 * m, 3 * m},
		{"three", []time.Duration{25 * m, 2 * m, 3 * m}, 3 * m, 25 * m},
		{"four", []time.Duration{2 * m, 25 * m, 3 * m, 14 * m}, 8*m + 30*time.Second, 25 * m},
		{"ten: p90 is the ninth", []time.Duration{1 * m, 2 * m, 3 * m, 4 * m, 5 * m, 6 * m, 7 * m, 8 * m, 9 * m, 10 * m}, 5*m + 30*time.Second, 9 * m},
		{"odd nanoseconds round down", []time.Duration{1, 2}, 1, 2},
	} {
		var ts []escalation.Ticket
		for _, d := range c.firsts {
			ts = append(ts, measured(escalation.KindQuestion, escalation.StateAnswered, d, -1))
		}
		got := escalation.Measure(ts, 0, time.Time{}).FirstResponse
		want := escalation.Durations{N: len(c.firsts), Median: c.median, P90: c.p90}
		if got != want {
			t.Errorf("%s: first response of %v = %+v; want %+v", c.what, c.firsts, got, want)
		}
	}
}

// TestMeasure: a stream's worth of tickets of every kind.
func TestMeasure(t *testing.T) {
	const never = -1
	m := time.Minute
	reopened := measured(escalation.KindQuestion, escalation.StateNew, 3*m, never)
	reopened.Reopens = 1
	ts := []escalation.Ticket{
		measured(escalation.KindQuestion, escalation.StateResolved, 1*m, 10*m),     // in time
		measured(escalation.KindQuestion, escalation.StateAnswered, 3*m, never),    // in time
		measured(escalation.KindQuestion, escalation.StateNew, never, never),       // waiting: late
		measured(escalation.KindComplaint, escalation.StateResolved, 12*m, 20*m),   // late
		measured(escalation.KindComplaint, escalation.StateDismissed, never, 2*m),  // closed in time
		measured(escalation.KindFAQFix, escalation.StateAnswered, 30*m, never),     // late
		measured(escalation.KindSuggestion, escalation.StateNew, never, never),     // not promised
		measured(escalation.KindSuggestion, escalation.StateResolved, never, 50*m), // not promised
		reopened, // answered in time before it was reopened
	}
	now := ts[0].CreatedAt.Add(time.Hour)
	got := escalation.Measure(ts, 10*m, now)
	checks := []struct {
		what      string
		got, want any
	}{
		{"tickets", got.Tickets, 9},
		{"open, every kind", got.Open, 5},
		{"resolved, every kind", got.Resolved, 3},
		{"reopened", got.Reopened, 1},
		{"answerable", got.Answerable, 7},
		{"answerable resolved", got.AnswerableResolved, 2},
		{"resolution rate", got.ResolutionRate(), 2.0 / 7},
		{"breaches: waiting question, late complaint, late faq-fix", got.Breaches, 3},
		{"first responses", got.FirstResponse, escalation.Durations{N: 5, Median: 3 * m, P90: 30 * m}},
		{"resolution, suggestions left out", got.Resolution, escalation.Durations{N: 2, Median: 15 * m, P90: 20 * m}},
		{"first-response times", len(got.FirstResponses), 5},
		{"no promise, no breaches", escalation.Measure(ts, 0, now).Breaches, 0},
		{"no tickets, no rate", escalation.Measures{}.ResolutionRate(), 0.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.what, c.got, c.want)
		}
	}
}

// TestSuggestionsEarnNoReminder: the reminders cover the kinds the promise
// covers; a suggestion nobody will answer never shows up in one.
func TestSuggestionsEarnNoReminder(t *testing.T) {
	ctx := context.Background()
	h := newDesk(t, escalation.NewMemoryStore(), defaultSettings(), nil)
	h.viewer("ana", "!suggest a charity stream in May")
	h.viewer("bob", "!report someone is spamming links in whispers")
	h.clk.Advance(11 * time.Minute)
	d, err := h.Tick(ctx, h.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := texts(d)
	if !strings.Contains(got, "1 ticket waiting over 10m") || !strings.Contains(got, "#2 11m") || strings.Contains(got, "#1") {
		t.Errorf("reminder %q; want the complaint #2 only, not the suggestion #1", got)
	}
}
