package escalation

import (
	"slices"
	"time"
)

// Answerable reports whether a ticket of this kind owes the viewer an
// answer from a moderator: a question, a complaint, or a faq-fix (the viewer
// who said !wrong still wants the right answer). These are the kinds the
// first-response promise covers — the reminders in chat, the breaches, the
// response and resolution times. A suggestion is read, not answered, and
// its box is anonymous: nobody waits on it.
func (k Kind) Answerable() bool {
	switch k {
	case KindQuestion, KindComplaint, KindFAQFix:
		return true
	}
	return false
}

// Times are one ticket's help-desk measures.
type Times struct {
	// Answered says the ticket had a first response; FirstResponse is the
	// time from filing to it.
	Answered      bool
	FirstResponse time.Duration
	// Resolved says the ticket is resolved; Resolution is the time from
	// filing to that.
	Resolved   bool
	Resolution time.Duration
	// Breached says the ticket broke the first-response promise: its kind
	// is answerable and its first response — or, closed without one, its
	// closing — came later than the promise, or it still waits and has
	// waited longer. A ticket does not stop being late by being closed.
	Breached bool
}

// TimesOf measures t against the first-response promise (zero: none) as of
// now, which only matters for a ticket still waiting.
func TimesOf(t Ticket, promise time.Duration, now time.Time) Times {
	var m Times
	if !t.FirstResponseAt.IsZero() {
		m.Answered = true
		m.FirstResponse = t.FirstResponseAt.Sub(t.CreatedAt)
	}
	if t.State == StateResolved && !t.ClosedAt.IsZero() {
		m.Resolved = true
		m.Resolution = t.ClosedAt.Sub(t.CreatedAt)
	}
	if promise > 0 && t.Kind.Answerable() {
		switch {
		case m.Answered:
			m.Breached = m.FirstResponse > promise
		case t.State.Open():
			m.Breached = now.Sub(t.CreatedAt) > promise
		case !t.ClosedAt.IsZero():
			m.Breached = t.ClosedAt.Sub(t.CreatedAt) > promise
		}
	}
	return m
}

// Durations summarise how long something took.
type Durations struct {
	N int
	// Median is the middle value; of an even count, the mean of the two
	// middle ones, so {1m, 3m} has a median of 2m.
	Median time.Duration
	// P90 is the 90th percentile by nearest rank: the smallest value that
	// at least 90% of the values are no larger than.
	P90 time.Duration
}

// summarise computes Durations of ds.
func summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		lo, hi := s[n/2-1], s[n/2]
		med = lo + (hi-lo)/2
	}
	// Nearest rank: ⌈0.9·n⌉, counted from 1.
	p90 := s[(9*n+9)/10-1]
	return Durations{N: n, Median: med, P90: p90}
}

// Measures are the help-desk numbers of a set of tickets, the one
// definition that `bot tickets`, the stream report and anything else that
// counts tickets share.
type Measures struct {
	// Tickets, Open, Resolved and Reopened count every kind: what the
	// queue holds and in which state.
	Tickets, Open, Resolved, Reopened int
	// Answerable counts the tickets whose kind owes an answer
	// (Kind.Answerable), and AnswerableResolved those of them resolved.
	// The times and breaches below are about these tickets only.
	Answerable, AnswerableResolved int
	// FirstResponse is over the answerable tickets with a first response,
	// Resolution over those resolved.
	FirstResponse, Resolution Durations
	// FirstResponses are the first-response times themselves, in the
	// tickets' order, for a distribution.
	FirstResponses []time.Duration
	// Breaches counts the answerable tickets that broke the promise; zero
	// when there is no promise.
	Breaches int
}

// ResolutionRate is the share of answerable tickets resolved, zero when
// there are none.
func (m Measures) ResolutionRate() float64 {
	if m.Answerable == 0 {
		return 0
	}
	return float64(m.AnswerableResolved) / float64(m.Answerable)
}

// Measure computes the measures of ts against the first-response promise
// (zero: none) as of now.
func Measure(ts []Ticket, promise time.Duration, now time.Time) Measures {
	var m Measures
	var resolutions []time.Duration
	for _, t := range ts {
		tm := TimesOf(t, promise, now)
		m.Tickets++
		if t.State.Open() {
			m.Open++
		}
		if t.State == StateResolved {
			m.Resolved++
		}
		if t.Reopens > 0 {
			m.Reopened++
		}
		if !t.Kind.Answerable() {
			continue
		}
		m.Answerable++
		if t.State == StateResolved {
			m.AnswerableResolved++
		}
		if tm.Answered {
			m.FirstResponses = append(m.FirstResponses, tm.FirstResponse)
		}
		if tm.Resolved {
			resolutions = append(resolutions, tm.Resolution)
		}
		if tm.Breached {
			m.Breaches++
		}
	}
	m.FirstResponse = summarise(m.FirstResponses)
	m.Resolution = summarise(resolutions)
	return m
}
