package escalation

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
)

// Settings decide, per channel, when the desk escalates and how it follows
// up. Zero values take the defaults below, except CrowdViewers and
// FirstResponse, where zero turns the feature off.
type Settings struct {
	// FirstResponse is the promise: a ticket without an answer after this
	// long earns the moderators a reminder. Zero: no reminders.
	FirstResponse time.Duration
	// RemindEvery is the least time between two reminders in a channel,
	// and between two reminders about one ticket.
	RemindEvery time.Duration
	// ClaimLease is how long a claim keeps other moderators off a ticket.
	ClaimLease time.Duration
	// DeliveryExpiry is how long an answer waits for a viewer who left.
	DeliveryExpiry time.Duration
	// AwayAfter is how long a viewer may be silent and still count as in
	// chat when an answer arrives. Twitch's join and part messages are
	// late and partial, so having spoken recently is the best sign.
	AwayAfter time.Duration
	// CrowdViewers distinct viewers asking the same unanswered question
	// within CrowdWithin file a ticket. Zero: off.
	CrowdViewers int
	CrowdWithin  time.Duration
	// Mentions escalates questions that name the bot or the streamer and
	// that the FAQ could not answer.
	Mentions bool
	// ContextLines is how many of the asker's earlier lines a ticket
	// keeps.
	ContextLines int
	// MaxOpenPerViewer caps the open tickets one viewer can file, so a
	// viewer cannot flood the queue.
	MaxOpenPerViewer int
	// SuggestLimit anonymous suggestions per viewer within SuggestWindow.
	SuggestLimit  int
	SuggestWindow time.Duration
	// SuggestDelete has a viewer's "!suggest …" deleted from chat (by a
	// sink that can: see chat.Enforcement.Private), so that what is
	// anonymous in the box is not public in chat.
	SuggestDelete bool
}

// Defaults for zero Settings fields.
const (
	DefaultRemindEvery      = 5 * time.Minute
	DefaultClaimLease       = 15 * time.Minute
	DefaultDeliveryExpiry   = 24 * time.Hour
	DefaultAwayAfter        = 10 * time.Minute
	DefaultCrowdWithin      = 5 * time.Minute
	DefaultContextLines     = 5
	DefaultMaxOpenPerViewer = 3
)

func (s Settings) withDefaults() Settings {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&s.RemindEvery, DefaultRemindEvery)
	def(&s.ClaimLease, DefaultClaimLease)
	def(&s.DeliveryExpiry, DefaultDeliveryExpiry)
	def(&s.AwayAfter, DefaultAwayAfter)
	def(&s.CrowdWithin, DefaultCrowdWithin)
	if s.ContextLines <= 0 {
		s.ContextLines = DefaultContextLines
	}
	if s.MaxOpenPerViewer <= 0 {
		s.MaxOpenPerViewer = DefaultMaxOpenPerViewer
	}
	if s.SuggestLimit <= 0 {
		s.SuggestLimit = DefaultSuggestLimit
	}
	def(&s.SuggestWindow, DefaultSuggestWindow)
	return s
}

// Config is what a channel's desk is built from.
type Config struct {
	Channel  string
	Store    Store
	Settings Settings
	// Names are the logins of the bot and the streamer: a question that
	// names one of them is meant for us. The first is the bot's.
	Names []string
	// Learner saves answered tickets into the FAQ (!learn); nil turns
	// !learn off.
	Learner Learner
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Desk is one channel's help desk: the escalation stage, the follow-up
// stage, the ticket commands and the SLA loop share it. It is safe for
// concurrent use.
type Desk struct {
	channel string
	store   Store
	set     Settings
	names   []string
	learner Learner
	now     func() time.Time
	log     *slog.Logger
	// detector reads the messages that reach the desk unread (tests,
	// messages built for tickets); the pipeline reads every chat message
	// once, with the same names, so the answer stage and the desk agree
	// on what a question is.
	detector question.Detector

	mu           sync.Mutex
	seen         map[string]time.Time // viewer → when they last spoke
	history      map[string][]heard   // viewer → their last lines
	open         map[int64]openTicket // the channel's open tickets, for +1 and caps
	asked        *openQuestions       // the open questions among them, by telling term
	owed         map[string]bool      // viewers an answer waits for
	crowd        crowd
	lastReminder time.Time

	box *suggestionBox
}

// heard is one chat line kept for context.
type heard struct {
	id string
	Line
}

// openTicket is what the desk remembers of an open ticket.
type openTicket struct {
	number int64
	kind   Kind
	filer  string
	users  []string
}

// maxRemembered bounds the viewers whose presence and lines are kept.
const maxRemembered = 10000

// NewDesk returns a channel's desk. It does not touch the store; Load does.
func NewDesk(c Config) *Desk {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	set := c.Settings.withDefaults()
	names := make([]string, 0, len(c.Names))
	for _, n := range c.Names {
		if n = strings.ToLower(strings.TrimPrefix(n, "@")); n != "" {
			names = append(names, n)
		}
	}
	return &Desk{
		channel: c.Channel, store: c.Store, set: set, names: names,
		learner: c.Learner, now: c.Now, detector: question.Detector{Names: c.Names},
		log:  c.Log.With("channel", c.Channel),
		seen: map[string]time.Time{}, history: map[string][]heard{},
		open: map[int64]openTicket{}, asked: newOpenQuestions(), owed: map[string]bool{},
		crowd: crowd{n: set.CrowdViewers, within: set.CrowdWithin},
		box:   &suggestionBox{limit: set.SuggestLimit, window: set.SuggestWindow},
	}
}

// Load reads the channel's open tickets and owed answers from the store, so
// a restarted bot picks up where it left off.
func (d *Desk) Load(ctx context.Context) error {
	open, err := d.store.List(ctx, d.channel, Filter{Open: true})
	if err != nil {
		return err
	}
	users, err := d.store.OwedUsers(ctx, d.channel)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.open = make(map[int64]openTicket, len(open))
	d.asked = newOpenQuestions()
	for _, t := range open {
		d.keep(t)
	}
	d.owed = make(map[string]bool, len(users))
	for _, u := range users {
		d.owed[u] = true
	}
	return nil
}

func (d *Desk) openOf(t Ticket) openTicket {
	o := openTicket{number: t.Number, kind: t.Kind}
	for i, a := range t.Askers {
		if i == 0 {
			o.filer = a.User
		}
		o.users = append(o.users, a.User)
	}
	return o
}

// track keeps the desk's picture of a ticket current after a transition.
// Callers hold no lock.
func (d *Desk) track(t Ticket) {
	if t.Number == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if t.State.Open() {
		d.keep(t)
	} else {
		delete(d.open, t.Number)
		d.asked.forget(t.Number)
	}
	for _, a := range t.Owed() {
		d.owed[a.User] = true
	}
}

// keep remembers open ticket t, and files it by its terms when it is a
// question a viewer may join; d.mu must be held.
func (d *Desk) keep(t Ticket) {
	d.open[t.Number] = d.openOf(t)
	if t.Kind == KindQuestion {
		d.asked.keep(t.Number, newWording(termsOf(t.Text, d.names)))
	} else {
		d.asked.forget(t.Number)
	}
}

// opID identifies msg for idempotent operations: its id, and its time when
// the source gave one, because not every source's ids are unique for ever
// (the console numbers its lines from 1 on every start). A message delivered
// twice has the same id and time, so retries still match.
func opID(msg chat.Message) string {
	if msg.Time.IsZero() {
		return msg.ID
	}
	return msg.ID + "@" + strconv.FormatInt(msg.Time.UnixMilli(), 10)
}

// at is when msg was said: its own time when the source gave one.
func (d *Desk) at(msg chat.Message) time.Time {
	if !msg.Time.IsZero() {
		return msg.Time
	}
	return d.now()
}

// remember notes that msg's author is in chat and keeps the line as context.
// Callers hold d.mu.
func (d *Desk) remember(msg chat.Message, at time.Time) {
	if len(d.seen) >= maxRemembered {
		d.forget(at)
	}
	d.seen[msg.User] = at
	// One line more than the context keeps, since the newest is usually
	// the question itself; shifting in place keeps a chatty viewer from
	// costing an allocation per line.
	line := heard{id: msg.ID, Line: Line{At: at, Text: msg.Text}}
	h := d.history[msg.User]
	if keep := d.set.ContextLines + 1; len(h) >= keep {
		copy(h, h[len(h)-keep+1:])
		h = h[:keep-1]
	}
	d.history[msg.User] = append(h, line)
}

// forget drops viewers silent for longer than AwayAfter; if all are recent,
// it drops everyone, which costs only context and presence.
func (d *Desk) forget(now time.Time) {
	for u, t := range d.seen {
		if now.Sub(t) > d.set.AwayAfter {
			delete(d.seen, u)
			delete(d.history, u)
		}
	}
	if len(d.seen) >= maxRemembered {
		clear(d.seen)
		clear(d.history)
	}
}

// context returns user's lines before message id.
func (d *Desk) context(user, id string) []Line {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Line
	for _, h := range d.history[user] {
		if h.id == id {
			continue
		}
		out = append(out, h.Line)
	}
	if len(out) > d.set.ContextLines {
		out = out[len(out)-d.set.ContextLines:]
	}
	return out
}

// present reports whether user spoke within AwayAfter before at.
func (d *Desk) present(user string, at time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.seen[user]
	return ok && at.Sub(t) <= d.set.AwayAfter
}

func askerOf(msg chat.Message, text string, at time.Time) Asker {
	return Asker{User: msg.User, UserID: msg.UserID, DisplayName: msg.DisplayName, MessageID: msg.ID, Text: text, At: at}
}

// filed is what came of one escalation.
type filed struct {
	Ticket Ticket
	// Joined: the viewer was added to a similar open ticket.
	Joined bool
	// Already: the viewer was on that ticket already.
	Already bool
	// Capped: the viewer has too many open tickets; nothing was filed.
	Capped []int64
}

// Escalate files msg's text as a question from a viewer who asked for a
// human, or adds them to an open ticket that asks the same thing.
func (d *Desk) Escalate(ctx context.Context, msg chat.Message) (Ticket, error) {
	f, err := d.file(ctx, msg, KindQuestion, SourceAsk, msg.Text, nil)
	return f.Ticket, err
}

// file is every way a ticket is filed. askers, when given, are the viewers
// waiting (the crowd); otherwise it is msg's author.
func (d *Desk) file(ctx context.Context, msg chat.Message, kind Kind, source Source, text string, askers []Asker) (filed, error) {
	at := d.at(msg)
	me := askerOf(msg, text, at)
	if askers == nil {
		askers = []Asker{me}
	}
	if kind == KindQuestion {
		if f, ok, err := d.joinSimilar(ctx, msg, me, newWording(termsOf(text, d.names))); ok || err != nil {
			return f, err
		}
	}
	if source == SourceAsk || source == SourceReport || source == SourceSuggest {
		if mine := d.openBy(msg.User); len(mine) >= d.set.MaxOpenPerViewer {
			return filed{Capped: mine}, nil
		}
	}
	t, _, err := d.store.Create(ctx, NewTicket{
		Channel: d.channel, Kind: kind, Source: source, Text: text, MessageID: opID(msg),
		Askers: askers, Context: d.context(msg.User, msg.ID), At: at,
	})
	if err != nil {
		return filed{}, err
	}
	d.track(t)
	if t.Spooled {
		d.log.Warn("ticket spooled while the store is unreachable", "user", msg.User, "message", msg.ID)
	} else {
		d.log.Info("ticket filed", "ticket", t.Ref(), "user", msg.User, "kind", string(kind), "source", string(source))
	}
	return filed{Ticket: t}, nil
}

// joinSimilar adds the asker to the lowest-numbered open question that asks
// the same thing as q; only those sharing a telling term with it are
// compared. ok is false when there is none (or the store could not be
// reached, in which case a new filing goes to the spool instead).
func (d *Desk) joinSimilar(ctx context.Context, msg chat.Message, me Asker, q wording) (filed, bool, error) {
	d.mu.Lock()
	var match *openTicket
	if n, ok := d.asked.match(q); ok {
		o := d.open[n]
		match = &o
	}
	d.mu.Unlock()
	if match == nil {
		return filed{}, false, nil
	}
	if contains(match.users, msg.User) {
		t, err := d.store.Get(ctx, d.channel, match.number)
		if err == nil && t.State.Open() {
			return filed{Ticket: t, Already: true}, true, nil
		}
	}
	t, err := d.store.Join(ctx, Op{Channel: d.channel, Number: match.number, By: msg.User, ID: opID(msg), At: me.At}, me)
	switch {
	case err == nil:
		d.track(t)
		d.log.Info("viewer joined ticket", "ticket", t.Ref(), "user", msg.User)
		return filed{Ticket: t, Joined: true}, true, nil
	case errors.Is(err, ErrState), errors.Is(err, ErrNotFound):
		// Closed meanwhile (by another instance, say): file anew.
		d.track(t)
		return filed{}, false, nil
	case errors.Is(err, ErrUnavailable):
		return filed{}, false, nil
	}
	return filed{}, false, err
}

// openBy lists the open tickets user filed.
func (d *Desk) openBy(user string) []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []int64
	for _, o := range d.open {
		if o.filer == user {
			out = append(out, o.number)
		}
	}
	return out
}

// Handle is the escalation stage, placed after the answer stage: a question
// that reaches it was not answered confidently. It escalates a question
// that names the bot or the streamer, and a question several viewers ask;
// a question like an open ticket's joins it quietly. Everything else passes
// on untouched: most unanswered chat lines are not for a human.
func (d *Desk) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	if msg.Roles.Privileged() || d.isUs(msg.User) || strings.HasPrefix(strings.TrimSpace(msg.Text), "!") {
		return chat.Decision{}
	}
	if !d.isQuestion(msg) {
		return chat.Decision{}
	}
	at := d.at(msg)
	me := askerOf(msg, msg.Text, at)
	q := newWording(termsOf(msg.Text, d.names))
	f, ok, err := d.joinSimilar(ctx, msg, me, q)
	if err != nil {
		d.log.Error("join similar ticket", "user", msg.User, "err", err)
		return chat.Decision{}
	}
	if ok {
		return chat.Decision{Action: chat.ActionEscalate, Ticket: f.Ticket.Ref(), Note: "joined"}
	}
	if d.set.Mentions && d.mentionsUs(msg.Text) {
		f, err := d.file(ctx, msg, KindQuestion, SourceMention, msg.Text, nil)
		if err != nil {
			d.log.Error("escalate mention", "user", msg.User, "err", err)
			return chat.Decision{}
		}
		return d.ack(msg, f, "I don't know that one — I've asked the moderators")
	}
	d.mu.Lock()
	crowd := d.crowd.add(me, q)
	d.mu.Unlock()
	if crowd == nil {
		return chat.Decision{}
	}
	f, err = d.file(ctx, msg, KindQuestion, SourceCrowd, crowd[0].Text, crowd)
	if err != nil {
		d.log.Error("escalate crowd question", "user", msg.User, "err", err)
		return chat.Decision{}
	}
	var others []string
	for _, a := range crowd {
		if a.User != msg.User {
			others = append(others, "@"+a.Name())
		}
	}
	return d.ack(msg, f, strings.Join(others, " ")+" good question — I've asked the moderators")
}

// isQuestion reports whether msg asks something, by the pipeline's reading
// when it has one and by the desk's own otherwise.
func (d *Desk) isQuestion(msg chat.Message) bool {
	if msg.Reading.Read() {
		return msg.Reading.Question
	}
	return d.detector.Read(msg.Text).Question
}

func (d *Desk) isUs(user string) bool { return len(d.names) > 0 && user == d.names[0] }

// mentionsUs reports whether text names the bot or the streamer: an
// @-mention anywhere, or the name as the first word ("mira, when…").
func (d *Desk) mentionsUs(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r == '@' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for i, w := range words {
		at := strings.HasPrefix(w, "@")
		w = strings.TrimLeft(w, "@")
		if (at || i == 0) && contains(d.names, w) {
			return true
		}
	}
	return false
}

// Acknowledgements fold under load (see chat.Fold): when several wait for
// one channel, chat gets one line naming every viewer and their numbers.
// The kinds say which lines may share a message.
var (
	foldFiled = chat.Fold{Kind: "ticket-filed", Noun: "ticket", Lead: "got it — ", Tail: ", a moderator will answer"}
	// Reports are answered by nobody in chat; they only get thanks.
	foldReport = chat.Fold{Kind: "ticket-report", Noun: "ticket", Lead: "thanks — the moderators have your reports (", Tail: ")"}
	// A spooled filing has no number yet; it follows in a notice of its
	// own, threaded under the same message, so it comes after this.
	foldSpooled = chat.Fold{Kind: "ticket-spooled", Lead: "got it — a moderator will answer; the ticket numbers follow in a moment"}
	// The numbers of filings that waited in the spool.
	foldNumbered = chat.Fold{Kind: "ticket-numbered", Noun: "ticket", Lead: "your questions are now ", Tail: " — a moderator will answer"}
)

// ack is the reply to a viewer whose question became (or joined) a ticket.
// It is owed: it never goes stale, and under load it folds with the others
// waiting, so a flood of questions costs chat a line a second. A crowd's
// acknowledgement names its askers itself and goes out on its own.
func (d *Desk) ack(msg chat.Message, f filed, lead string) chat.Decision {
	dec := chat.Decision{Action: chat.ActionEscalate, Ticket: f.Ticket.Ref()}
	who := askerOf(msg, "", time.Time{}).Name()
	fold := foldFiled
	if f.Ticket.Kind == KindComplaint {
		fold = foldReport
	}
	if f.Ticket.Source == SourceCrowd {
		fold = chat.Fold{}
	}
	var text string
	switch {
	case f.Ticket.Spooled:
		// Named, so two viewers' notices are never the same text, which
		// Twitch would refuse and the Sender would have to hold back.
		text = "@" + who + " " + strings.TrimSpace(lead) + " — the ticket number follows in a moment"
		dec.Note = "spooled"
		if fold.Kind != "" {
			fold = foldSpooled
		}
	case f.Joined:
		text = strings.TrimSpace(lead) + ", ticket " + f.Ticket.Ref()
		dec.Note = "joined"
	default:
		text = strings.TrimSpace(lead) + " (ticket " + f.Ticket.Ref() + ")"
	}
	if fold.Kind != "" {
		fold.To, fold.Number = who, f.Ticket.Number
	}
	dec.Replies = []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityAck, Fold: fold}}
	return dec
}

// isOver reports whether the answer has waited for its viewer too long.
func (d *Desk) isOver(t Ticket, at time.Time) bool {
	return !t.AnsweredAt.IsZero() && at.Sub(t.AnsweredAt) > d.set.DeliveryExpiry
}

// FollowUp is the stage at the front of the pipeline: it notes who is in
// chat, keeps their last lines as context for tickets, and hands a viewer
// the answers that waited for them. It never acts on the message, so the
// message goes on to the other stages and the answers ride along.
type FollowUp struct{ d *Desk }

// FollowUp returns the desk's follow-up stage.
func (d *Desk) FollowUp() FollowUp { return FollowUp{d: d} }

// Handle implements the follow-up stage.
func (f FollowUp) Handle(ctx context.Context, msg chat.Message) chat.Decision {
	d := f.d
	at := d.at(msg)
	d.mu.Lock()
	d.remember(msg, at)
	owed := d.owed[msg.User]
	d.mu.Unlock()
	if !owed {
		return chat.Decision{}
	}
	tickets, err := d.store.Owed(ctx, d.channel, msg.User)
	if err != nil {
		d.log.Warn("look up answers owed", "user", msg.User, "err", err)
		return chat.Decision{}
	}
	var dec chat.Decision
	var refs []string
	for _, t := range tickets {
		op := Op{Channel: d.channel, Number: t.Number, At: at}
		if d.isOver(t, at) {
			if _, err := d.store.Expire(ctx, op, msg.User); err != nil {
				d.log.Warn("expire owed answer", "ticket", t.Ref(), "user", msg.User, "err", err)
			}
			continue
		}
		ok, err := d.store.Delivered(ctx, op, msg.User)
		if err != nil {
			d.log.Warn("record delivered answer", "ticket", t.Ref(), "user", msg.User, "err", err)
			continue
		}
		if !ok {
			continue
		}
		a, _ := t.Asker(msg.User)
		a.MessageID = msg.ID // thread under what they just said: the old message scrolled away
		dec.Replies = append(dec.Replies, deliveryReply(t, []Asker{a}, "welcome back — "))
		refs = append(refs, t.Ref())
	}
	d.mu.Lock()
	delete(d.owed, msg.User)
	d.mu.Unlock()
	dec.Ticket = strings.Join(refs, ",")
	if len(refs) > 0 {
		d.log.Info("delivered waiting answer", "ticket", dec.Ticket, "user", msg.User)
	}
	return dec
}

// deliver posts t's answer to the askers still in chat and leaves it owed
// to the others, who get it when they next speak. It returns the replies
// and the logins reached and waiting.
func (d *Desk) deliver(ctx context.Context, t Ticket, at time.Time) (replies []chat.Reply, reached, waiting []string) {
	var here []Asker
	for _, a := range t.Owed() {
		if a.User == AnonymousLogin {
			// Nobody to reach, and an answer addressed to the box would
			// quote the suggestion in public chat.
			continue
		}
		if !d.present(a.User, at) && at.Sub(a.At) > d.set.AwayAfter {
			waiting = append(waiting, a.Name())
			continue
		}
		ok, err := d.store.Delivered(ctx, Op{Channel: d.channel, Number: t.Number, At: at}, a.User)
		if err != nil {
			d.log.Warn("record delivered answer", "ticket", t.Ref(), "user", a.User, "err", err)
			waiting = append(waiting, a.Name())
			continue
		}
		if ok {
			here = append(here, a)
			reached = append(reached, a.Name())
		}
	}
	if len(waiting) > 0 {
		d.mu.Lock()
		for _, a := range t.Owed() {
			d.owed[a.User] = true
		}
		d.mu.Unlock()
	}
	// A few askers each get a reply in their own thread; a crowd gets one
	// message that names them all, so chat is not flooded.
	if len(here) <= 3 {
		for _, a := range here {
			replies = append(replies, deliveryReply(t, []Asker{a}, ""))
		}
		return replies, reached, waiting
	}
	return []chat.Reply{deliveryReply(t, here, "")}, reached, waiting
}

// Sink posts what the desk decides outside of a viewer's message: SLA
// reminders, and ticket numbers of spooled filings.
type Sink interface {
	Deliver(ctx context.Context, msg chat.Message, d chat.Decision) error
}

// Flushed tells a viewer whose filing waited in the spool its ticket number.
// The notice is threaded under the viewer's wording, like the "number
// follows" acknowledgement before it, and the Sender keeps one thread's
// replies in order: the number never arrives before the promise of it.
// After an outage many numbers come at once; they fold like
// acknowledgements.
func (d *Desk) Flushed(ctx context.Context, t Ticket, sink Sink) {
	d.track(t)
	if len(t.Askers) == 0 {
		return
	}
	a := t.Askers[0]
	msg := chat.Message{ID: a.MessageID, Channel: d.channel, User: a.User, DisplayName: a.DisplayName, UserID: a.UserID}
	fold := foldNumbered
	fold.To, fold.Number = a.Name(), t.Number
	dec := chat.Decision{Action: chat.ActionEscalate, Ticket: t.Ref(), Replies: []chat.Reply{{
		Text: "@" + a.Name() + " your question is ticket " + t.Ref() + " — a moderator will answer", ParentID: a.MessageID, Priority: chat.PriorityTicket,
		Fold: fold,
	}}}
	if err := sink.Deliver(ctx, msg, dec); err != nil {
		d.log.Warn("tell the ticket number of a spooled ticket", "ticket", t.Ref(), "err", err)
	}
}
