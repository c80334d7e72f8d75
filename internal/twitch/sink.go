package twitch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// SinkConfig configures a Sink.
type SinkConfig struct {
	Sender *chat.Sender
	Helix  *Helix
	// ChannelIDs maps each channel's login to its user id, the
	// broadcaster_id moderation calls need.
	ChannelIDs map[string]string
	Log        *slog.Logger
	// QueueSize bounds the moderation actions waiting per channel
	// (DefaultModerationQueue when 0); when it is full the least severe
	// are dropped, counted as Shed.
	QueueSize int
	// Moderator reports whether the bot moderates a channel, and whether
	// Twitch has said yet (IRC.Moderator); nil: never known. Private
	// actions wait for a yes (see mayModerate).
	Moderator func(channel string) (mod, known bool)
}

// Sink carries decisions out on Twitch: replies go to the Sender, which
// posts them to chat within Twitch's limits; moderation goes through Helix
// (IRC's /ban, /timeout and /delete no longer work). It implements router.Sink.
//
// Deliver never waits for Twitch. Each channel has a queue of moderation
// actions worked by its own goroutine, so a slow or failing Helix call holds
// up neither the channel's lane of messages nor any other channel. The
// queue is ordered by severity, and every channel draws on the token's one
// Helix Budget: when points are short, bans and timeouts go first, then
// deletes, then warnings, then the rest (see modQueue).
type Sink struct {
	sender *chat.Sender
	helix  *Helix
	ids    map[string]string
	log    *slog.Logger

	mu     sync.RWMutex // guards closed against sends on the queues
	closed bool
	queues map[string]*modQueue

	moderator func(channel string) (mod, known bool)

	// announced is the token change (see TokenSource.Changed) after
	// which moderation was last said to be stopped, so it is said once
	// per refused token.
	announced atomic.Pointer[<-chan struct{}]
	disabled  sync.Map // chat.PenaltyKind → true: the token lacks its scope
	users     sync.Map // login → user id
	dropped   atomic.Int64
	failed    atomic.Int64
	done      atomic.Int64
	shed      atomic.Int64 // the part of dropped the full queues let go
}

// enforcement is one moderation action and the message it is about, with
// its place in line.
type enforcement struct {
	msg  chat.Message
	e    chat.Enforcement
	rank rank
}

// NewSink returns a sink for the given channels; Run works its queues.
func NewSink(cfg SinkConfig) *Sink {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultModerationQueue
	}
	s := &Sink{sender: cfg.Sender, helix: cfg.Helix, ids: cfg.ChannelIDs, log: cfg.Log, queues: map[string]*modQueue{}, moderator: cfg.Moderator}
	shed := func() {
		s.shed.Add(1)
		s.dropped.Add(1)
	}
	for ch := range cfg.ChannelIDs {
		s.queues[ch] = newModQueue(ch, cfg.QueueSize, cfg.Log, shed)
	}
	return s
}

// Deliver queues the decision's replies and moderation actions. A shadow
// decision is only logged. The error reports what could not be queued.
func (s *Sink) Deliver(_ context.Context, msg chat.Message, d chat.Decision) error {
	if d.Shadow {
		s.log.Info("shadow decision (not carried out)", "channel", msg.Channel, "user", msg.User, "rule", d.Rule, "penalty", d.Penalty, "replies", len(d.Replies))
		return nil
	}
	var errs []error
	for _, e := range d.Enforcements {
		if e.Private && !s.mayModerate(msg.Channel) {
			continue
		}
		if err := s.enqueue(msg, e); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range d.Replies {
		err := s.sender.Send(msg.Channel, r)
		switch {
		case err == nil:
		case d.Ticket != "" && errors.Is(err, chat.ErrQueueFull):
			// Only the line is lost: the ticket is filed, and the
			// viewer's !ticket shows its number.
			errs = append(errs, fmt.Errorf("reply in #%s about ticket %s (filed all the same; !ticket shows it): %w", msg.Channel, d.Ticket, err))
		default:
			errs = append(errs, fmt.Errorf("reply in #%s: %w", msg.Channel, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Sink) enqueue(msg chat.Message, e chat.Enforcement) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.dropped.Add(1)
		return fmt.Errorf("%s in #%s: shutting down", e.Kind, msg.Channel)
	}
	q, ok := s.queues[msg.Channel]
	if !ok {
		s.dropped.Add(1)
		return fmt.Errorf("%s in #%s: not a channel the bot moderates", e.Kind, msg.Channel)
	}
	// A full queue is not an error here: the queue counts and logs what it
	// drops once per wave, where an error would be logged per message.
	q.push(enforcement{msg: msg, e: e, rank: rank{sev: severityOf(e.Kind), seq: s.helix.Budget().next()}})
	return nil
}

// Run works every channel's moderation queue until ctx ends, or until Close
// and the queues are empty.
func (s *Sink) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for ch, q := range s.queues {
		wg.Go(func() { s.work(ctx, ch, q) })
	}
	wg.Wait()
	return nil
}

// work carries out one channel's queue. It waits for a point of the budget
// before it picks the action, so the action is the most severe one queued
// when the point comes, not the one that was first when the wait began.
func (s *Sink) work(ctx context.Context, channel string, q *modQueue) {
	budget := s.helix.Budget()
	defer func() {
		if n := q.abandon(); n > 0 {
			s.dropped.Add(int64(n))
			s.log.Warn("shutting down: moderation actions still queued were not carried out", "channel", channel, "actions", n)
		}
	}()
	for q.wait(ctx) {
		if err := budget.take(ctx, q.top); err != nil {
			return
		}
		job, ok := q.pop()
		if !ok {
			budget.unused()
			continue
		}
		opts := &callOpts{rank: job.rank, requeue: true}
		opts.prepaid.Store(true)
		s.enforce(withCallOpts(ctx, opts), channel, job)
		if opts.prepaid.Load() { // skipped, or failed before calling Twitch
			budget.unused()
		}
	}
}

// Close stops Deliver from queueing moderation; Run returns once what is
// queued has been carried out.
func (s *Sink) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	for _, q := range s.queues {
		q.close()
	}
}

// SinkStats counts moderation actions.
type SinkStats struct {
	Done, Failed, Dropped int64
	// Queued is how many actions wait for Twitch now; Shed is the part of
	// Dropped that found the queue full (the least severe go first).
	Queued int
	Shed   int64
	// Stopped is set once Twitch refused the token: the bot no longer
	// moderates at all. Disabled lists actions whose scope the token lacks.
	Stopped  bool
	Disabled []string
}

// Stats returns the sink's counters.
func (s *Sink) Stats() SinkStats {
	st := SinkStats{Done: s.done.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(), Shed: s.shed.Load(), Stopped: s.stopped()}
	for _, q := range s.queues {
		st.Queued += q.len()
	}
	s.disabled.Range(func(k, _ any) bool {
		st.Disabled = append(st.Disabled, string(k.(chat.PenaltyKind)))
		return true
	})
	return st
}

// Announce posts an announcement in channel through Helix.
func (s *Sink) Announce(ctx context.Context, channel, message, color string) error {
	id, ok := s.ids[channel]
	if !ok {
		return fmt.Errorf("announce in #%s: unknown channel", channel)
	}
	if s.stopped() {
		return fmt.Errorf("announce in #%s: moderation stopped, the token was refused", channel)
	}
	return s.helix.Announce(ctx, id, message, color)
}

// scopeFor names the scope an action needs.
func scopeFor(k chat.PenaltyKind) string {
	switch k {
	case chat.PenaltyDelete:
		return ScopeChatMessages
	case chat.PenaltyWarn:
		return ScopeWarnings
	}
	return ScopeBans
}

func (s *Sink) enforce(ctx context.Context, channel string, job enforcement) {
	e, msg := job.e, job.msg
	log := s.log.With("channel", channel)
	if !e.Private { // a private action's log names nobody
		log = log.With("user", cmp.Or(e.User, msg.User))
	}
	log = log.With("action", string(e.Kind))
	if s.stopped() {
		s.dropped.Add(1)
		log.Debug("moderation skipped: the token was refused")
		return
	}
	if _, off := s.disabled.Load(e.Kind); off {
		s.dropped.Add(1)
		log.Debug("moderation skipped: the token lacks the scope", "scope", scopeFor(e.Kind))
		return
	}
	err := s.carryOut(ctx, channel, msg, e)
	switch {
	case err == nil:
		s.done.Add(1)
		log.Info("moderation carried out", "reason", e.Reason, "duration", e.Duration)
	case errors.Is(err, ErrRateLimited) && ctx.Err() == nil:
		// Back in line at the head of its severity; the budget now waits
		// for Twitch's reset, and logs that once for every channel.
		s.queues[channel].again(job)
		log.Debug("moderation rate-limited by twitch; queued again", "err", err)
	case errors.Is(err, ErrUnauthorized):
		s.failed.Add(1)
		s.unauthorized(ctx, e.Kind, err)
	default:
		s.failed.Add(1)
		log.Error("moderation failed", "err", err)
	}
}

func (s *Sink) carryOut(ctx context.Context, channel string, msg chat.Message, e chat.Enforcement) error {
	broadcaster := s.ids[channel]
	if broadcaster == "" {
		broadcaster = msg.ChannelID
	}
	if e.Kind == chat.PenaltyDelete {
		id := cmp.Or(e.MessageID, msg.ID)
		if id == "" {
			return errors.New("delete: no message id")
		}
		return s.helix.DeleteMessage(ctx, broadcaster, id)
	}
	user, err := s.userID(ctx, msg, e)
	if err != nil {
		return err
	}
	switch e.Kind {
	case chat.PenaltyTimeout:
		d := e.Duration
		if d <= 0 {
			d = 10 * time.Minute // a timeout with no length still must not become a ban
		}
		return s.helix.Ban(ctx, broadcaster, user, d, e.Reason)
	case chat.PenaltyBan:
		return s.helix.Ban(ctx, broadcaster, user, 0, e.Reason)
	case chat.PenaltyUnban:
		return s.helix.Unban(ctx, broadcaster, user)
	case chat.PenaltyWarn:
		return s.helix.Warn(ctx, broadcaster, user, e.Reason)
	}
	return fmt.Errorf("unknown moderation action %q", e.Kind)
}

// userID finds the target's user id: named in the enforcement, the author
// of the message, or looked up by login (a moderator's "!unban bob").
func (s *Sink) userID(ctx context.Context, msg chat.Message, e chat.Enforcement) (string, error) {
	if e.UserID != "" {
		return e.UserID, nil
	}
	login := strings.ToLower(strings.TrimPrefix(e.User, "@"))
	if login == "" || login == msg.User {
		if msg.UserID == "" {
			return "", errors.New("no user id for the message's author")
		}
		return msg.UserID, nil
	}
	if id, ok := s.users.Load(login); ok {
		return id.(string), nil
	}
	users, err := s.helix.Users(ctx, login)
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", login, err)
	}
	if len(users) == 0 {
		return "", fmt.Errorf("no twitch user %q", login)
	}
	s.users.Store(login, users[0].ID)
	return users[0].ID, nil
}

// stopped reports whether Twitch refused the token for good: nothing is
// asked of Twitch until a new sign-in is picked up.
func (s *Sink) stopped() bool { return s.helix != nil && s.helix.Tokens().Refused() != nil }

// unauthorized handles a refused call the Helix client could not mend by
// renewing the token: a token refused for good stops moderation until a
// new sign-in, said loudly once; else Twitch is asked about the token
// again and an action whose scope it lacks is turned off for good, rather
// than failing quietly on every message.
func (s *Sink) unauthorized(ctx context.Context, kind chat.PenaltyKind, callErr error) {
	if s.stopped() {
		s.announceStopped(callErr)
		return
	}
	info, err := s.helix.Validate(ctx)
	switch {
	case s.stopped():
		s.announceStopped(callErr)
	case errors.Is(err, ErrUnauthorized):
		s.log.Error("moderation refused: Twitch refused the token and it could not be renewed just now", "action", string(kind), "err", callErr)
	case err != nil:
		s.log.Error("moderation refused, and the token could not be checked again", "action", string(kind), "err", callErr, "validate_err", err)
	case !info.HasScope(scopeFor(kind)):
		if _, had := s.disabled.LoadOrStore(kind, true); !had {
			s.log.Error("MODERATION PARTLY STOPPED: the token lacks the scope "+scopeFor(kind)+", so the bot can no longer "+string(kind)+". Grant the scope to a new token and restart.",
				"action", string(kind), "err", callErr)
		}
	default:
		s.log.Error("moderation refused although the token is valid", "action", string(kind), "err", callErr)
	}
}

func (s *Sink) announceStopped(callErr error) {
	ch := s.helix.Tokens().Changed()
	if old := s.announced.Swap(&ch); old != nil && *old == ch {
		return
	}
	s.log.Error("MODERATION STOPPED: Twitch no longer accepts the bot's token and renewing it was refused. The bot cannot delete, warn, time out or ban until it is signed in again (bot login).",
		"err", callErr)
}
