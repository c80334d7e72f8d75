package escalation

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The event log is what the stages did, kept beside the tickets so the
// stream report can be computed later from the store alone (and, with
// Redis, by any instance). An event never names a viewer: the report counts
// what happened, not who did it, and a log that outlives the stream must not
// become a record of who said what.

// EventKind says what happened.
type EventKind string

// The kinds of event.
const (
	EventMessage   EventKind = "message"   // chat messages reached the stages (Count)
	EventAnswered  EventKind = "answered"  // the FAQ answered a question (FAQ)
	EventMissed    EventKind = "missed"    // a question nobody answered (Text)
	EventEscalated EventKind = "escalated" // a ticket was filed or joined (Ticket)
	EventModerated EventKind = "moderated" // a rule fired (Rule, Step, Shadow)
	EventPardoned  EventKind = "pardoned"  // a moderator took a penalty back (Rule)
	EventFeedback  EventKind = "feedback"  // a viewer judged an answer (FAQ, Verdict)
	EventCommand   EventKind = "command"   // a chat command was run
)

// Verdicts of feedback on an answer.
const (
	VerdictHelpful = "helpful"
	VerdictWrong   = "wrong"
)

// Event is one thing that happened in a channel.
type Event struct {
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	// FAQ is the entry an answer or feedback is about.
	FAQ string `json:"faq,omitempty"`
	// Text is a missed question, in the viewer's words, for grouping what
	// the FAQ should learn next.
	Text string `json:"text,omitempty"`
	// Ticket is the reference of a ticket filed or joined ("#42").
	Ticket string `json:"ticket,omitempty"`
	// Rule, Step and Shadow describe a moderation action or pardon.
	Rule   string `json:"rule,omitempty"`
	Step   string `json:"step,omitempty"`
	Shadow bool   `json:"shadow,omitempty"`
	// Verdict is feedback's judgement: VerdictHelpful or VerdictWrong.
	Verdict string `json:"verdict,omitempty"`
	// Took is how long the stages took over the message, for answers.
	Took time.Duration `json:"took,omitempty"`
	// Count is how many chat messages an EventMessage stands for: the
	// live bot counts chat volume per channel and minute instead of
	// writing an event a message, and At is the first of them. Zero is
	// one message, as logs written before counting have it.
	Count int `json:"count,omitempty"`
}

// Messages is how many chat messages e counts: Count, or one for an
// EventMessage without a count; none for any other kind.
func (e Event) Messages() int {
	if e.Kind != EventMessage {
		return 0
	}
	return max(e.Count, 1)
}

// Validate checks what every backend relies on.
func (e Event) Validate() error {
	var p []string
	if e.Channel == "" {
		p = append(p, "no channel")
	}
	if e.At.IsZero() {
		p = append(p, "no time")
	}
	if e.Kind == "" {
		p = append(p, "no kind")
	}
	if e.Count < 0 {
		p = append(p, "negative count")
	}
	if len(p) > 0 {
		return fmt.Errorf("event: %s", strings.Join(p, ", "))
	}
	return nil
}

// EventLog is the store's record of what happened in each channel. It is
// bounded: events older than EventRetention before the newest one, and all
// but the newest MaxEvents of a channel, are dropped as new ones arrive, so
// a bot that runs for months keeps a bounded store.
type EventLog interface {
	// AppendEvents records events. Each must pass Validate.
	AppendEvents(ctx context.Context, events ...Event) error
	// Events lists a channel's events at or after since, oldest first.
	Events(ctx context.Context, channel string, since time.Time) ([]Event, error)
}

// Bounds of a channel's event log.
const (
	// EventRetention is how far back a channel's log reaches, counted from
	// its newest event rather than the clock, so replaying old chat does
	// not wipe it.
	EventRetention = 30 * 24 * time.Hour
	// MaxEvents bounds a channel's log however busy the channel is.
	MaxEvents = 200_000
)

func validateEvents(events []Event) error {
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("append event %d: %w", i, err)
		}
	}
	return nil
}
