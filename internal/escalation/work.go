package escalation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Work is a moderator's act on a ticket from outside chat (the web desk).
// It goes through the same transitions as the chat command of the same name;
// Rev, when set, is the revision the moderator saw, so of two moderators
// acting on what they both saw, one wins and the other is told.
type Work struct {
	// Action is one of claim, answer, resolve, dismiss, reopen, learn.
	Action string
	Number int64
	Rev    int64
	// By is the moderator's login.
	By string
	// ID identifies the act, so a form sent twice is applied once.
	ID string
	// Text is the answer, or the reason of a dismissal.
	Text string
	At   time.Time
}

// Worked is what came of a Work.
type Worked struct {
	Ticket Ticket
	// Chat is what goes to chat: the answer to its askers, threaded under
	// their questions exactly as !answer posts it. Empty when nothing does.
	Chat chat.Decision
	// Note is what the moderator is told, in the words chat uses.
	Note string
	// Refused is set when the transition was refused (the ticket moved, is
	// claimed by another moderator, or is in a state that forbids it);
	// Note says why.
	Refused bool
}

// ErrUnknownWork is a Work whose Action is none of the desk's.
var ErrUnknownWork = errors.New("unknown action")

// Do carries out w. A refused transition is a Worked with Refused set, not
// an error; an error means the store failed or w is malformed.
func (d *Desk) Do(ctx context.Context, w Work) (Worked, error) {
	if w.At.IsZero() {
		w.At = d.now()
	}
	op := Op{Channel: d.channel, Number: w.Number, By: w.By, ID: w.ID, At: w.At, Rev: w.Rev}
	msg := chat.Message{Channel: d.channel, User: w.By, Roles: chat.RoleModerator, Time: w.At}
	var (
		t   Ticket
		err error
	)
	switch w.Action {
	case "claim":
		t, err = d.store.Claim(ctx, op, d.set.ClaimLease)
	case "answer":
		if w.Text == "" {
			return Worked{Note: "write an answer first", Refused: true}, nil
		}
		t, err = d.store.Answer(ctx, op, w.Text)
	case "resolve":
		t, err = d.store.Resolve(ctx, op)
	case "dismiss":
		if w.Text == "" {
			return Worked{Note: "say why it is dismissed", Refused: true}, nil
		}
		t, err = d.store.Dismiss(ctx, op, w.Text)
	case "reopen":
		t, err = d.store.Reopen(ctx, op)
	case "learn":
		if d.learner == nil {
			return Worked{Note: "!learn is off in this channel", Refused: true}, nil
		}
		// !learn changes the FAQ, not the ticket: the same command, word
		// for word.
		dec := d.cmdLearn(ctx, msg, strconv.FormatInt(w.Number, 10))
		t, _ = d.store.Get(ctx, d.channel, w.Number)
		return Worked{Ticket: t, Note: decisionText(dec), Refused: dec.FAQ == ""}, nil
	default:
		return Worked{}, fmt.Errorf("%w %q", ErrUnknownWork, w.Action)
	}
	d.track(t)
	if err != nil {
		var te *TransitionError
		if errors.As(err, &te) || errors.Is(err, ErrNotFound) {
			return Worked{Ticket: t, Note: decisionText(d.refusal(msg, w.Number, w.Action, err)), Refused: true}, nil
		}
		return Worked{Ticket: t}, fmt.Errorf("%s ticket #%d: %w", w.Action, w.Number, err)
	}
	d.log.Info("ticket "+pastTense(w.Action)+" from the web desk", "ticket", t.Ref(), "user", w.By)
	out := Worked{Ticket: t, Note: t.Ref() + " " + pastTense(w.Action)}
	if w.Action == "answer" {
		replies, reached, waiting := d.deliver(ctx, t, w.At)
		if len(replies) > 0 {
			out.Chat = chat.Decision{Action: chat.ActionCommand, Ticket: t.Ref(), Replies: replies}
		}
		if len(reached) > 0 {
			out.Note += " — delivered to " + strings.Join(reached, ", ")
		}
		if len(waiting) > 0 {
			out.Note += " — " + strings.Join(waiting, ", ") + " will get it when they're back in chat"
		}
	}
	return out, nil
}

// Settings are the desk's settings with their defaults filled in: the web
// desk shows each ticket's age against FirstResponse.
func (d *Desk) Settings() Settings { return d.set }

// Channel is the channel the desk works.
func (d *Desk) Channel() string { return d.channel }

// Learns reports whether the desk can save answers into the FAQ.
func (d *Desk) Learns() bool { return d.learner != nil }

// ErrRateLimited is a suggestion refused because its sender made too many.
var ErrRateLimited = errors.New("too many suggestions")

// SuggestAnonymously files a suggestion from outside chat (the web box).
// client tells senders apart for the rate limit only: it goes through the
// same rotating keyed hash as a viewer's !suggest and is never stored, nor
// is anything else about the sender.
func (d *Desk) SuggestAnonymously(ctx context.Context, client, nonce, text string) (Ticket, error) {
	at := d.now()
	// "web:" cannot be a Twitch user id (digits only), so a web client
	// never shares a chat viewer's allowance.
	// No Time on the message: the form's nonce alone makes the filing's
	// id, so the same form sent twice files once.
	id, ok := d.box.admit(chat.Message{UserID: "web:" + client, ID: "web:" + nonce}, at)
	if !ok {
		return Ticket{}, ErrRateLimited
	}
	t, _, err := d.store.Create(ctx, NewTicket{
		Channel: d.channel, Kind: KindSuggestion, Source: SourceSuggest, Text: text, MessageID: id,
		Askers: []Asker{{User: AnonymousLogin, At: at}}, At: at,
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("file suggestion: %w", err)
	}
	d.track(t)
	d.log.Info("suggestion filed from the web", "ticket", t.Ref())
	return t, nil
}

// SuggestLimit is how many suggestions one sender may make within window.
func (d *Desk) SuggestLimit() (n int, window time.Duration) { return d.box.limit, d.box.window }

func decisionText(dec chat.Decision) string {
	if len(dec.Replies) == 0 {
		return ""
	}
	return dec.Replies[len(dec.Replies)-1].Text
}

func pastTense(action string) string {
	switch action {
	case "claim":
		return "claimed"
	case "reopen":
		return "reopened"
	case "answer":
		return "answered"
	}
	return action + "d" // resolved, dismissed
}
