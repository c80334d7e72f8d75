// Package escalation is the help desk behind the chat: what the FAQ cannot
// answer becomes a ticket that moderators work from chat, and the answer
// goes back to the viewer who asked. It owns tickets and their state
// machine, the Store interface with an embedded (bbolt) and a Redis backend,
// the local spool that keeps tickets while Redis is away, and the follow-up
// that delivers answers and SLA reminders. It never talks to Twitch: it
// returns chat decisions, and a sink carries them out.
package escalation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// State is where a ticket is in its life.
type State string

// The states. new → claimed → answered → resolved is the usual path;
// dismissed closes a ticket from any open state, and a resolved ticket can be
// reopened (back to new).
const (
	StateNew       State = "new"
	StateClaimed   State = "claimed"
	StateAnswered  State = "answered"
	StateResolved  State = "resolved"
	StateDismissed State = "dismissed"
)

// Open reports whether the ticket still needs a moderator.
func (s State) Open() bool { return s == StateNew || s == StateClaimed || s == StateAnswered }

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	switch s {
	case StateNew, StateClaimed, StateAnswered, StateResolved, StateDismissed:
		return true
	}
	return false
}

// Kind says what a viewer filed.
type Kind string

// The kinds of ticket.
const (
	KindQuestion   Kind = "question"
	KindComplaint  Kind = "complaint"
	KindSuggestion Kind = "suggestion"
	// KindFAQFix is a viewer's !wrong about an FAQ answer: the streamer
	// should fix the entry.
	KindFAQFix Kind = "faq-fix"
)

// Source says why a ticket was filed, for the moderators' context and for
// tuning when to escalate.
type Source string

// The reasons a ticket is filed.
const (
	SourceAsk     Source = "ask"     // the viewer asked for a human with !ask
	SourceReport  Source = "report"  // !report
	SourceSuggest Source = "suggest" // !suggest
	SourceMention Source = "mention" // a question to the bot or streamer the FAQ cannot answer
	SourceCrowd   Source = "crowd"   // several viewers asked the same unanswered question
	SourceWrong   Source = "wrong"   // a viewer said an FAQ answer was wrong
)

// MaxAskers is how many askers a ticket keeps by name. More are counted but
// not kept: an answer mentioning dozens of viewers would flood chat anyway.
const MaxAskers = 20

// Asker is a viewer waiting for a ticket's answer.
type Asker struct {
	User        string `json:"user"`
	UserID      string `json:"user_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// MessageID is the message the answer is threaded under.
	MessageID string `json:"message_id,omitempty"`
	// Text is what this viewer asked, in their words; !learn keeps every
	// wording as an example question.
	Text string    `json:"text,omitempty"`
	At   time.Time `json:"at"`
	// DeliveredAt is when the answer reached this viewer.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// ExpiredAt is when the bot stopped waiting for this viewer to come
	// back for the answer. The answer is owed while both are zero.
	ExpiredAt time.Time `json:"expired_at,omitzero"`
}

func (a Asker) owed() bool { return a.DeliveredAt.IsZero() && a.ExpiredAt.IsZero() }

// Name is how to address the asker in chat.
func (a Asker) Name() string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.User
}

// Line is one chat line kept as context: what the asker said just before.
type Line struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Ticket is one thing a human must look at.
type Ticket struct {
	Channel string `json:"channel"`
	// Number is the human number, unique and increasing per channel (#42).
	Number int64  `json:"number"`
	Kind   Kind   `json:"kind"`
	Source Source `json:"source"`
	Text   string `json:"text"`
	// MessageID identifies the chat message that filed the ticket (its id,
	// and its time where the source gives one); filing is idempotent on
	// it. Replies thread under the askers' own message ids.
	MessageID string `json:"message_id"`
	// Askers are the viewers waiting for it, the filer first.
	Askers []Asker `json:"askers"`
	// AskerCount counts every asker, including those past MaxAskers.
	AskerCount int `json:"asker_count"`
	// Context is the filer's last chat lines before the ticket.
	Context []Line `json:"context,omitempty"`

	State State `json:"state"`
	// Revision counts changes; a transition may insist on the revision it
	// was decided on.
	Revision int64 `json:"revision"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	ClaimedBy  string    `json:"claimed_by,omitempty"`
	ClaimedAt  time.Time `json:"claimed_at,omitzero"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`

	Answer     string    `json:"answer,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	// FirstResponseAt is when the first answer was given; later answers
	// and reopens do not move it.
	FirstResponseAt time.Time `json:"first_response_at,omitzero"`

	ClosedBy string    `json:"closed_by,omitempty"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Reason is why a moderator dismissed the ticket.
	Reason  string `json:"reason,omitempty"`
	Reopens int    `json:"reopens"`

	// RemindedAt is the last SLA reminder about this ticket.
	RemindedAt time.Time `json:"reminded_at,omitzero"`
	// LastOp is the id of the last operation applied, so a retried
	// operation is recognised and not applied twice.
	LastOp string `json:"last_op,omitempty"`

	// Spooled marks a ticket that is safe in the local spool but not yet
	// in the store, so it has no number yet. It is never stored.
	Spooled bool `json:"-"`
}

// Ref is the ticket's human reference, "#42".
func (t Ticket) Ref() string {
	if t.Number == 0 {
		return ""
	}
	return "#" + strconv.FormatInt(t.Number, 10)
}

// HoldsClaim reports whether who holds a live claim on the ticket at at.
func (t Ticket) HoldsClaim(who string, at time.Time) bool {
	return t.State == StateClaimed && t.ClaimedBy == who && at.Before(t.LeaseUntil)
}

// claimedByOther reports whether someone other than who holds a live claim.
func (t Ticket) claimedByOther(who string, at time.Time) bool {
	return t.State == StateClaimed && t.ClaimedBy != who && at.Before(t.LeaseUntil)
}

// Asker returns the asker with login user.
func (t Ticket) Asker(user string) (Asker, bool) {
	for _, a := range t.Askers {
		if a.User == user {
			return a, true
		}
	}
	return Asker{}, false
}

// Owed lists the askers the answer has not reached yet.
func (t Ticket) Owed() []Asker {
	if t.Answer == "" || t.State == StateDismissed {
		return nil
	}
	var out []Asker
	for _, a := range t.Askers {
		if a.owed() {
			out = append(out, a)
		}
	}
	return out
}

// NewTicket is what filing a ticket needs.
type NewTicket struct {
	Channel string
	Kind    Kind
	Source  Source
	Text    string
	// MessageID makes filing idempotent: filing the same message twice
	// returns the first ticket.
	MessageID string
	// Askers are the viewers waiting, the filer first; there is at least
	// one.
	Askers  []Asker
	Context []Line
	At      time.Time
}

// Validate checks what every backend relies on.
func (n NewTicket) Validate() error {
	var p []string
	if n.Channel == "" {
		p = append(p, "no channel")
	}
	if n.MessageID == "" {
		p = append(p, "no message id")
	}
	if len(n.Askers) == 0 {
		p = append(p, "no asker")
	}
	for _, a := range n.Askers {
		if a.User == "" {
			p = append(p, "an asker without a login")
			break
		}
	}
	switch n.Kind {
	case KindQuestion, KindComplaint, KindSuggestion, KindFAQFix:
	default:
		p = append(p, fmt.Sprintf("unknown kind %q", n.Kind))
	}
	if n.At.IsZero() {
		p = append(p, "no time")
	}
	if len(p) > 0 {
		return fmt.Errorf("new ticket: %s", strings.Join(p, ", "))
	}
	return nil
}

// Op is who changes a ticket, when, and under which operation id.
type Op struct {
	Channel string
	Number  int64
	// By is the login of the moderator (or viewer) acting.
	By string
	// ID identifies the operation, usually the chat message that asked
	// for it. A store that sees the same id twice on a ticket applies it
	// once and returns the ticket as it left it.
	ID string
	At time.Time
	// Rev, when not zero, is the revision the caller decided on; the
	// transition fails with ErrStale if the ticket has moved since.
	Rev int64
}

// Errors callers branch on. Transition failures are *TransitionError values
// that match these with errors.Is.
var (
	// ErrNotFound: no ticket with that number in that channel.
	ErrNotFound = errors.New("no such ticket")
	// ErrState: the transition is not allowed from the ticket's state.
	ErrState = errors.New("not allowed in this state")
	// ErrClaimed: another moderator holds a live claim.
	ErrClaimed = errors.New("claimed by another moderator")
	// ErrStale: the ticket changed since the revision the caller saw.
	ErrStale = errors.New("ticket changed meanwhile")
	// ErrUnavailable: the store cannot be reached right now; the caller
	// may retry later, and filing goes to the spool.
	ErrUnavailable = errors.New("ticket store unavailable")
)

// TransitionError says why a transition was refused, with the ticket as it
// is, so the reply can tell the moderator who holds it or what state it is
// in.
type TransitionError struct {
	Op     string // "claim", "answer", …
	Err    error  // ErrState, ErrClaimed or ErrStale
	Ticket Ticket
}

// Error says what was refused and why, with the ticket's holder or state.
func (e *TransitionError) Error() string {
	t := e.Ticket
	switch e.Err {
	case ErrClaimed:
		return fmt.Sprintf("%s %s: %v (%s)", e.Op, t.Ref(), e.Err, t.ClaimedBy)
	case ErrStale:
		return fmt.Sprintf("%s %s: %v (revision %d)", e.Op, t.Ref(), e.Err, t.Revision)
	}
	return fmt.Sprintf("%s %s: %v (%s)", e.Op, t.Ref(), e.Err, t.State)
}

// Unwrap lets errors.Is match ErrState, ErrClaimed and ErrStale.
func (e *TransitionError) Unwrap() error { return e.Err }

func refused(op string, err error, t Ticket) error {
	return &TransitionError{Op: op, Err: err, Ticket: t}
}

// The transitions below are the state machine in Go. The embedded store runs
// them inside a write transaction; the Redis store runs the same rules as
// Lua scripts, and the conformance suite holds both to them. Each returns
// changed=false when the operation was already applied (a retry), in which
// case the ticket must not be written again.

// begin checks what every transition checks first: a retried operation and a
// stale revision.
func begin(t *Ticket, op Op) (retry bool, err error) {
	if op.ID != "" && t.LastOp == op.ID {
		return true, nil
	}
	if op.Rev != 0 && t.Revision != op.Rev {
		return false, ErrStale
	}
	return false, nil
}

func finish(t *Ticket, op Op) {
	t.Revision++
	t.UpdatedAt = op.At
	if op.ID != "" {
		t.LastOp = op.ID
	}
}

// applyClaim: new, or claimed with an expired lease or by the same
// moderator (a renewal) → claimed by op.By until op.At+lease.
func applyClaim(t *Ticket, op Op, lease time.Duration) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("claim", err, *t)
	}
	switch {
	case t.State == StateNew:
	case t.State == StateClaimed && !t.claimedByOther(op.By, op.At):
	case t.State == StateClaimed:
		return false, refused("claim", ErrClaimed, *t)
	default:
		return false, refused("claim", ErrState, *t)
	}
	if t.State != StateClaimed || t.ClaimedBy != op.By {
		t.ClaimedAt = op.At
	}
	t.State = StateClaimed
	t.ClaimedBy = op.By
	t.LeaseUntil = op.At.Add(lease)
	finish(t, op)
	return true, nil
}

// applyAnswer: new, claimed (unless another moderator's claim is live) or
// answered (an amended answer) → answered. The answer is owed again to
// every asker.
func applyAnswer(t *Ticket, op Op, text string) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("answer", err, *t)
	}
	switch {
	case t.State == StateNew, t.State == StateAnswered:
	case t.State == StateClaimed && !t.claimedByOther(op.By, op.At):
	case t.State == StateClaimed:
		return false, refused("answer", ErrClaimed, *t)
	default:
		return false, refused("answer", ErrState, *t)
	}
	if t.State != StateClaimed || t.ClaimedBy != op.By {
		t.ClaimedBy = op.By
		t.ClaimedAt = op.At
	}
	t.State = StateAnswered
	t.LeaseUntil = time.Time{}
	t.Answer = text
	t.AnsweredBy = op.By
	t.AnsweredAt = op.At
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = op.At
	}
	for i := range t.Askers {
		t.Askers[i].DeliveredAt = time.Time{}
		t.Askers[i].ExpiredAt = time.Time{}
	}
	finish(t, op)
	return true, nil
}

// applyResolve: any open state → resolved. Answers still owed stay owed.
func applyResolve(t *Ticket, op Op) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("resolve", err, *t)
	}
	if !t.State.Open() {
		return false, refused("resolve", ErrState, *t)
	}
	t.State = StateResolved
	t.LeaseUntil = time.Time{}
	t.ClosedBy = op.By
	t.ClosedAt = op.At
	finish(t, op)
	return true, nil
}

// applyDismiss: any open state → dismissed; nothing is owed any more.
func applyDismiss(t *Ticket, op Op, reason string) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("dismiss", err, *t)
	}
	if !t.State.Open() {
		return false, refused("dismiss", ErrState, *t)
	}
	t.State = StateDismissed
	t.LeaseUntil = time.Time{}
	t.ClosedBy = op.By
	t.ClosedAt = op.At
	t.Reason = reason
	finish(t, op)
	return true, nil
}

// applyReopen: resolved → new, unclaimed. The old answer stays on record
// until a new one replaces it; the first response time does not move.
func applyReopen(t *Ticket, op Op) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("reopen", err, *t)
	}
	if t.State != StateResolved {
		return false, refused("reopen", ErrState, *t)
	}
	t.State = StateNew
	t.ClaimedBy = ""
	t.ClaimedAt = time.Time{}
	t.LeaseUntil = time.Time{}
	t.ClosedBy = ""
	t.ClosedAt = time.Time{}
	t.Reopens++
	finish(t, op)
	return true, nil
}

// applyJoin adds a viewer to an open ticket ("+1"). A viewer already on it
// changes nothing. When the ticket is already answered, the answer is owed
// to the newcomer.
func applyJoin(t *Ticket, op Op, a Asker) (bool, error) {
	if retry, err := begin(t, op); retry || err != nil {
		return false, wrapRefusal("join", err, *t)
	}
	if !t.State.Open() {
		return false, refused("join", ErrState, *t)
	}
	if _, ok := t.Asker(a.User); ok {
		return false, nil
	}
	a.DeliveredAt, a.ExpiredAt = time.Time{}, time.Time{}
	if len(t.Askers) < MaxAskers {
		t.Askers = append(t.Askers, a)
	}
	t.AskerCount++
	finish(t, op)
	return true, nil
}

// applySettle records that the answer reached user (expired=false) or that
// the bot gave up waiting for them (expired=true). It reports false when
// nothing was owed to them any more (settled already, by this instance or
// another).
func applySettle(t *Ticket, op Op, user string, expired bool) (bool, error) {
	if t.Answer == "" || t.State == StateDismissed {
		return false, nil
	}
	for i := range t.Askers {
		if t.Askers[i].User == user && t.Askers[i].owed() {
			if expired {
				t.Askers[i].ExpiredAt = op.At
			} else {
				t.Askers[i].DeliveredAt = op.At
			}
			finish(t, op)
			return true, nil
		}
	}
	return false, nil
}

// applyRemind records an SLA reminder unless one went out within every. It
// reports whether this caller should send it, so two bot instances never
// both remind.
func applyRemind(t *Ticket, op Op, every time.Duration) (bool, error) {
	if !t.State.Open() {
		return false, nil
	}
	if !t.RemindedAt.IsZero() && op.At.Sub(t.RemindedAt) < every {
		return false, nil
	}
	t.RemindedAt = op.At
	finish(t, op)
	return true, nil
}

// wrapRefusal turns begin's sentinel into a TransitionError; nil stays nil.
func wrapRefusal(op string, err error, t Ticket) error {
	if err == nil {
		return nil
	}
	return refused(op, err, t)
}

// newTicket builds the ticket a NewTicket files under number n.
func newTicket(n NewTicket, number int64) Ticket {
	askers := make([]Asker, 0, min(len(n.Askers), MaxAskers))
	seen := map[string]bool{}
	count := 0
	for _, a := range n.Askers {
		if seen[a.User] {
			continue
		}
		seen[a.User] = true
		count++
		if len(askers) < MaxAskers {
			a.DeliveredAt, a.ExpiredAt = time.Time{}, time.Time{}
			askers = append(askers, a)
		}
	}
	return Ticket{
		Channel: n.Channel, Number: number, Kind: n.Kind, Source: n.Source, Text: n.Text,
		MessageID: n.MessageID, Askers: askers, AskerCount: count, Context: n.Context,
		State: StateNew, Revision: 1, CreatedAt: n.At, UpdatedAt: n.At,
	}
}
