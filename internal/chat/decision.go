package chat

import "time"

// Action says which stage acted on a message. It is the "action" field of
// the replay output, so its values are a contract.
type Action string

// The actions a decision can carry.
const (
	ActionIgnore   Action = "ignore"
	ActionAnswer   Action = "answer"
	ActionModerate Action = "moderate"
	ActionEscalate Action = "escalate"
	ActionCommand  Action = "command"
)

// Priority orders outgoing chat messages when the send budget is short:
// lower values go first.
//
// The order follows who needs the bot most when chat is busiest: the
// moderators and the streamer working the channel first, then what keeps
// order, then what is owed to a viewer (an answer to their ticket, its
// number), and last what chat can do without (FAQ answers, tips). Which
// priorities may go stale, and after how long, is the Sender's MaxAge.
type Priority int

// Priorities, most urgent first.
const (
	// PriorityStaff is every reply to a moderator's or the broadcaster's
	// command (the router's command stage raises them to it), including
	// the answers a moderator's !answer delivers.
	PriorityStaff Priority = iota
	// PriorityModeration is a moderation notice ("@ana no links, please").
	PriorityModeration
	// PriorityTicket is a ticket's answer reaching its viewers, a late
	// ticket number, and the moderators' SLA reminders.
	PriorityTicket
	// PriorityAck tells a viewer their question became a ticket, and which
	// (their acknowledgement, and what !ticket says).
	PriorityAck
	// PriorityCommand is a viewer's command reply (!help, !faq, usage).
	PriorityCommand
	// PriorityAnswer is a FAQ answer.
	PriorityAnswer
	// PriorityTip is a tip posted unasked.
	PriorityTip
)

// Reply is a chat message the bot should post.
type Reply struct {
	Text string
	// ParentID threads the reply under that message when set.
	ParentID string
	Priority Priority
	// Fold, when its Kind is set, lets the Sender post this reply
	// together with others of the same kind waiting for the same channel,
	// as one message naming every viewer: under load, chat gets one line
	// instead of one per viewer. Text is what is posted when it goes out
	// alone.
	Fold Fold
}

// Fold describes a reply that can be folded with others of its kind into
// one message: "@a @b @c " + Lead + "tickets #12–#14" + Tail.
type Fold struct {
	// Kind groups replies that may fold together; replies of one Kind
	// share Lead, Noun and Tail.
	Kind string
	// To is the viewer the reply is for, as they are mentioned (no "@").
	To string
	// Number is what the reply tells them (a ticket number); 0 for none.
	Number int64
	// Noun names the numbers ("ticket" → "ticket #12", "tickets #12–#14").
	Noun string
	// Lead and Tail go before and after the numbers.
	Lead, Tail string
}

// Decision is what a stage decided to do about one message. The zero value
// means "nothing to do". Stages fill it; sinks carry it out.
type Decision struct {
	Action  Action
	Replies []Reply

	// FAQ is the id of the entry an answer came from, and Confidence how
	// sure the matcher was (0..1).
	FAQ        string
	Confidence float64
	// Lang is the language the question was read in ("en", "zh").
	Lang string
	// Question is set when the message was read as a question or request
	// for information, answered or not: what "missed questions" counts.
	Question bool
	// Note is a short machine-readable reason, for logs and replay output
	// (for example "cooldown" when an answer was replaced by a pointer).
	Note string

	// Rule and Penalty describe a moderation decision: the rule that fired
	// and the ladder step taken ("warn", "delete", "timeout 60s", "ban"),
	// for logs and replay output.
	Rule    string
	Penalty string
	// Why lists what tipped a moderation decision: a spam bot's family and
	// the words that made it, or the words that weighed most in a spam
	// score. `bot replay --explain` prints it.
	Why []string
	// Enforcements are the moderation actions a sink carries out.
	Enforcements []Enforcement
	// Shadow marks a decision that is recorded but not carried out (a rule
	// being tried on live chat): sinks log it and act on nothing.
	Shadow bool

	// Ticket names the ticket an escalation filed or touched.
	Ticket string
}

// Acted reports whether the decision does anything, which ends the message's
// trip through the stages.
func (d Decision) Acted() bool { return d.Action != "" && d.Action != ActionIgnore }

// PenaltyKind is one kind of moderation action.
type PenaltyKind string

// The moderation actions a sink knows how to carry out.
const (
	PenaltyWarn    PenaltyKind = "warn"    // Twitch's native warning, which the user must acknowledge
	PenaltyDelete  PenaltyKind = "delete"  // remove the message
	PenaltyTimeout PenaltyKind = "timeout" // silence the user for Duration
	PenaltyBan     PenaltyKind = "ban"
	PenaltyUnban   PenaltyKind = "unban" // lift a timeout or ban (a moderator's pardon)
)

// Enforcement is one moderation action against a user or a message.
type Enforcement struct {
	Kind PenaltyKind
	// Duration of a timeout.
	Duration time.Duration
	// Reason is shown to the user and the moderators; it names the rule,
	// so "timed out by bot" never leaves a moderator guessing.
	Reason string
	// UserID, User and MessageID name the target. Empty means the author
	// and the message the decision is about.
	UserID    string
	User      string
	MessageID string
	// Private marks an action taken for the author's privacy, not as a
	// penalty: an anonymous suggestion removed from public chat. A sink
	// names nobody in its logs for it ("deleted ana's message", logged as
	// a suggestion is filed, would say whose it is), and carries it out
	// only where it knows the bot moderates: anywhere else Twitch would
	// refuse it, and a refused courtesy is not worth a Helix call.
	Private bool
}
