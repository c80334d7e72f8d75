package escalation

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Store keeps tickets. Its methods are the state transitions; each is atomic
// and applies the rules in ticket.go, so a backend cannot drift from the
// state machine without failing the conformance suite. Transitions return
// the ticket as it is afterwards; a refused transition returns a
// *TransitionError holding the ticket as it is.
type Store interface {
	// Create files a ticket. Filing a message that already filed one
	// returns that ticket and created=false.
	Create(ctx context.Context, n NewTicket) (t Ticket, created bool, err error)
	// Join adds a viewer to an open ticket.
	Join(ctx context.Context, op Op, a Asker) (Ticket, error)
	// Claim gives op.By the ticket until op.At+lease.
	Claim(ctx context.Context, op Op, lease time.Duration) (Ticket, error)
	// Answer records op.By's answer; it is then owed to every asker.
	Answer(ctx context.Context, op Op, text string) (Ticket, error)
	// Resolve closes an open ticket as done.
	Resolve(ctx context.Context, op Op) (Ticket, error)
	// Dismiss closes an open ticket without an answer.
	Dismiss(ctx context.Context, op Op, reason string) (Ticket, error)
	// Reopen puts a resolved ticket back in the queue.
	Reopen(ctx context.Context, op Op) (Ticket, error)
	// Delivered records that the answer reached user, and reports whether
	// it was still owed: of several bot instances, exactly one sees true.
	Delivered(ctx context.Context, op Op, user string) (bool, error)
	// Expire gives up on delivering to user, who has not come back within
	// the delivery expiry; it reports whether the answer was still owed.
	Expire(ctx context.Context, op Op, user string) (bool, error)
	// Remind records an SLA reminder unless one was sent within every,
	// and reports whether the caller should send it.
	Remind(ctx context.Context, op Op, every time.Duration) (bool, error)

	// Get returns one ticket.
	Get(ctx context.Context, channel string, number int64) (Ticket, error)
	// List returns a channel's tickets, oldest first.
	List(ctx context.Context, channel string, f Filter) ([]Ticket, error)
	// Owed lists the tickets whose answer is still owed to user, oldest
	// first.
	Owed(ctx context.Context, channel, user string) ([]Ticket, error)
	// OwedUsers lists the viewers an answer is still owed to.
	OwedUsers(ctx context.Context, channel string) ([]string, error)
	// Close releases the store.
	Close() error

	// The store also keeps the channel's event log, for the report.
	EventLog
}

// Filter narrows List.
type Filter struct {
	// Open lists only open tickets (new, claimed, answered).
	Open bool
	// States, when not empty, lists only tickets in these states.
	States []State
	// Limit caps the number of tickets; zero means no cap.
	Limit int
}

// ParseFilter reads a list of states as a user types it, comma separated,
// in any case: "open" stands for every open state; empty lists every
// ticket.
func ParseFilter(states string) (Filter, error) {
	var f Filter
	for part := range strings.SplitSeq(states, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		switch {
		case part == "":
		case part == "open":
			f.Open = true
		case State(part).Valid():
			f.States = append(f.States, State(part))
		default:
			return f, fmt.Errorf("unknown state %q (want open, new, claimed, answered, resolved or dismissed)", part)
		}
	}
	return f, nil
}

func (f Filter) match(t Ticket) bool {
	if f.Open && !t.State.Open() {
		return false
	}
	if len(f.States) == 0 {
		return true
	}
	for _, s := range f.States {
		if t.State == s {
			return true
		}
	}
	return false
}
