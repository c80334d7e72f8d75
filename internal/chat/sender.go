package chat

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Clock is the time a Sender paces itself by. Production uses SystemClock;
// tests pass a clock they move by hand, so no test waits for real seconds
// to see a rate limit at work.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the wall clock.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Transport writes one chat message that is already sanitised, split and
// due. parentID, when set, threads the message under that message.
type Transport interface {
	Post(channel, parentID, text string) error
}

// Limits are a chat platform's rules for how much one connection may say.
type Limits struct {
	// PerWindow messages may be sent per Window, counted over every channel
	// of the connection; ModPerWindow applies instead when the message goes
	// to a channel where the bot is a moderator or the broadcaster.
	PerWindow    int
	ModPerWindow int
	Window       time.Duration
	// ChannelGap is the least time between two messages in one channel.
	ChannelGap time.Duration
	// DuplicateWindow is how long the same text may not be repeated in one
	// channel; the platform would drop the repeat.
	DuplicateWindow time.Duration
}

// TwitchLimits are Twitch's chat limits for an account without verified-bot
// status.
func TwitchLimits() Limits {
	return Limits{
		PerWindow:       20,
		ModPerWindow:    100,
		Window:          30 * time.Second,
		ChannelGap:      time.Second,
		DuplicateWindow: 30 * time.Second,
	}
}

// DefaultMaxAge is how long a reply may wait for the send budget, per
// priority, before it is dropped. A FAQ answer posted half a minute late
// lands under other conversations and reads as noise, so answers and tips go
// stale quickly; a command's reply lasts a little longer; moderation notices
// and ticket answers are owed to someone and never go stale.
var DefaultMaxAge = map[Priority]time.Duration{
	PriorityCommand: 15 * time.Second,
	PriorityAnswer:  5 * time.Second,
	PriorityTip:     5 * time.Second,
}

// DefaultQueueSize bounds the messages waiting to be sent.
const DefaultQueueSize = 1024

// SenderConfig configures a Sender. Zero fields take the defaults.
type SenderConfig struct {
	Limits Limits
	// MaxAge per priority; a priority missing from the map never goes stale.
	MaxAge    map[Priority]time.Duration
	QueueSize int
	// WaitForReady keeps every channel closed until SetReady opens it, for
	// a connection that must join a channel before it may speak there.
	// Without it a channel is ready until told otherwise.
	WaitForReady bool
	// OnPost, when set, is called after each message is handed to the
	// transport, on the Sender's goroutine; it must not block. It is the
	// raw material for response-time figures: when a reply was queued and
	// when it went out, by the Sender's own clock.
	OnPost func(Posted)
	Clock  Clock
	Log    *slog.Logger
}

// Posted describes one message the Sender handed to its transport.
type Posted struct {
	Channel, ParentID, Text string
	Priority                Priority
	Queued, At              time.Time
}

// Errors Send returns.
var (
	ErrQueueFull    = errors.New("send queue full")
	ErrSenderClosed = errors.New("sender closed")
)

// SenderStats counts what became of the messages given to a Sender.
type SenderStats struct {
	Queued      int   // waiting now
	Posted      int64 // handed to the transport
	Stale       int64 // dropped: waited longer than their priority allows
	Rejected    int64 // refused: the queue was full or the sender closed
	Unsendable  int64 // dropped: their channel was given up (the bot was banned, say)
	PostFailed  int64 // the transport refused them
	RateLimited int64 // the platform said the bot went too fast
}

// Sender posts replies to chat within the platform's limits. Replies are
// sanitised and split (see Prepare), queued by priority, and posted one at a
// time when the connection's budget, the channel's pacing and the
// duplicate-text rule all allow; replies that wait too long for their
// priority are dropped rather than posted late.
//
// One Sender serves one chat connection: the limits it keeps are the
// connection's. It is safe for concurrent use; Run does the posting.
type Sender struct {
	transport Transport
	limits    Limits
	maxAge    map[Priority]time.Duration
	size      int
	waitReady bool
	onPost    func(Posted)
	clock     Clock
	log       *slog.Logger

	wake chan struct{}

	mu        sync.Mutex
	queue     []*outgoing // most urgent first, FIFO within a priority
	seq       uint64
	sent      []time.Time // post times within the last window, oldest first
	channels  map[string]*channelState
	holdUntil time.Time // nothing is posted before this (after a rate-limit notice)
	closed    bool
	closeBy   time.Time // after Close: the end of the flush
	stats     SenderStats
}

// channelState is what the Sender knows about one channel.
type channelState struct {
	unready   bool // not joined (yet), or given up
	moderator bool
	slow      time.Duration
	last      time.Time // last post
	holdUntil time.Time
	recent    map[string]time.Time // text → when it was last posted
	lastText  string
}

// outgoing is one chat message waiting to be posted.
type outgoing struct {
	channel, parentID, text string
	prio                    Priority
	seq                     uint64
	queued                  time.Time
	expires                 time.Time // zero: never stale
	group                   uint64    // the parts of one reply share it
}

// NewSender returns a Sender posting through t. Nothing is posted until Run.
func NewSender(t Transport, cfg SenderConfig) *Sender {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = TwitchLimits()
	}
	if cfg.MaxAge == nil {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		transport: t, limits: cfg.Limits, maxAge: cfg.MaxAge, size: cfg.QueueSize,
		waitReady: cfg.WaitForReady, onPost: cfg.OnPost, clock: cfg.Clock, log: cfg.Log,
		wake:     make(chan struct{}, 1),
		channels: map[string]*channelState{},
	}
}

// Send queues r for channel. The text is sanitised and split into as many
// messages as it needs; the parts go out in order, threaded under
// r.ParentID. A reply that is empty once sanitised is not an error.
func (s *Sender) Send(channel string, r Reply) error {
	parts := Prepare(r.Text)
	if len(parts) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.stats.Rejected += int64(len(parts))
		return ErrSenderClosed
	}
	if len(s.queue)+len(parts) > s.size {
		s.stats.Rejected += int64(len(parts))
		return ErrQueueFull
	}
	now := s.clock.Now()
	var expires time.Time
	if age := s.maxAge[r.Priority]; age > 0 {
		expires = now.Add(age)
	}
	s.seq++
	group := s.seq
	for _, p := range parts {
		s.seq++
		o := &outgoing{channel: channel, parentID: r.ParentID, text: p, prio: r.Priority, seq: s.seq, queued: now, expires: expires, group: group}
		i, _ := slices.BinarySearchFunc(s.queue, o, func(a, b *outgoing) int {
			if a.prio != b.prio {
				return int(a.prio) - int(b.prio)
			}
			return int(a.seq) - int(b.seq)
		})
		s.queue = slices.Insert(s.queue, i, o)
	}
	s.poke()
	return nil
}

// Run posts queued messages as the limits allow until ctx ends, or until
// the Sender is closed and has nothing left it could still post.
func (s *Sender) Run(ctx context.Context) error {
	// The timer is kept while its deadline holds: a sender woken for
	// nothing (a Send to a paced channel) does not leave one behind.
	var timer <-chan time.Time
	var timerAt time.Time
	for {
		s.mu.Lock()
		now := s.clock.Now()
		if s.closed && !s.closeBy.IsZero() && !now.Before(s.closeBy) {
			n := len(s.queue)
			s.stats.Unsendable += int64(n)
			clear(s.queue)
			s.queue = s.queue[:0]
			s.mu.Unlock()
			if n > 0 {
				s.log.Warn("shutting down: messages not sent in time were dropped", "dropped", n)
			}
			return nil
		}
		s.dropStale(now)
		o, wait, blocked := s.next(now)
		if o != nil {
			s.record(o, now)
			s.mu.Unlock()
			if err := s.transport.Post(o.channel, o.parentID, o.text); err != nil {
				s.mu.Lock()
				s.stats.PostFailed++
				s.mu.Unlock()
				s.log.Warn("post chat message", "channel", o.channel, "err", err)
			} else if s.onPost != nil {
				s.onPost(Posted{Channel: o.channel, ParentID: o.parentID, Text: o.text, Priority: o.prio, Queued: o.queued, At: now})
			}
			continue
		}
		done := s.closed && (len(s.queue) == 0 || !blocked)
		if blocked && !s.closeBy.IsZero() {
			wait = min(wait, s.closeBy.Sub(now))
		}
		s.mu.Unlock()
		if done {
			return nil
		}
		switch at := now.Add(wait); {
		case !blocked:
			timer = nil
		case timer == nil || !at.Equal(timerAt):
			timer, timerAt = s.clock.After(wait), at
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer:
			timer = nil
		}
	}
}

// Close stops Send from taking more; Run returns once what is queued has
// been posted, has gone stale, or can never be posted. With flushFor above
// zero, Run also gives up, dropping the rest, once that much time has
// passed on the Sender's clock: a shutdown must not wait on rate limits
// for long.
func (s *Sender) Close(flushFor time.Duration) {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		if flushFor > 0 {
			s.closeBy = s.clock.Now().Add(flushFor)
		}
	}
	s.mu.Unlock()
	s.poke()
}

// SetReady says whether channel can take messages now (joined, connected).
// Messages for a channel that is not ready wait, and may go stale.
func (s *Sender) SetReady(channel string, ready bool) {
	s.update(channel, func(c *channelState) { c.unready = !ready })
}

// SetAllUnready marks every known channel not ready: the connection dropped.
func (s *Sender) SetAllUnready() {
	s.mu.Lock()
	for _, c := range s.channels {
		c.unready = true
	}
	s.mu.Unlock()
}

// SetModerator records whether the bot is a moderator (or the broadcaster)
// in channel, which raises the connection's budget for that channel's
// messages and lifts slow mode.
func (s *Sender) SetModerator(channel string, mod bool) {
	s.update(channel, func(c *channelState) { c.moderator = mod })
}

// SetSlowMode records a channel's slow mode; zero turns it off.
func (s *Sender) SetSlowMode(channel string, d time.Duration) {
	s.update(channel, func(c *channelState) { c.slow = d })
}

// Hold posts nothing to channel for d, for when the platform says the bot
// may not speak there for a while (it was timed out, say).
func (s *Sender) Hold(channel string, d time.Duration) {
	now := s.clock.Now()
	s.update(channel, func(c *channelState) {
		if t := now.Add(d); t.After(c.holdUntil) {
			c.holdUntil = t
		}
	})
}

// RateLimited is told when the platform refused a message for going too
// fast: the Sender's count was wrong (another client on the same account,
// or a lost moderator badge). Going on risks a long lockout, so it posts
// nothing for a whole window and counts the channel at the lower limit
// until told otherwise.
func (s *Sender) RateLimited(channel string) {
	s.mu.Lock()
	now := s.clock.Now()
	s.holdUntil = now.Add(s.limits.Window)
	s.state(channel).moderator = false
	s.stats.RateLimited++
	s.mu.Unlock()
	s.log.Warn("chat rate limit hit; pausing all messages for one window", "channel", channel, "pause", s.limits.Window)
}

// Duplicate is told when the platform refused a message as a repeat. The
// text it refused is taken to be the last one posted there, which then may
// not be repeated for another full window.
func (s *Sender) Duplicate(channel string) {
	now := s.clock.Now()
	s.update(channel, func(c *channelState) {
		if c.lastText != "" {
			c.recent[c.lastText] = now
		}
	})
}

// Discard gives up on channel: it is marked not ready and what waits for it
// is dropped. The bot was banned there, or the channel was suspended.
func (s *Sender) Discard(channel string) {
	s.mu.Lock()
	s.state(channel).unready = true
	kept := s.queue[:0]
	for _, o := range s.queue {
		if o.channel == channel {
			s.stats.Unsendable++
			continue
		}
		kept = append(kept, o)
	}
	clear(s.queue[len(kept):])
	s.queue = kept
	s.mu.Unlock()
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Queued = len(s.queue)
	return st
}

func (s *Sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sender) update(channel string, f func(*channelState)) {
	s.mu.Lock()
	f(s.state(channel))
	s.mu.Unlock()
	s.poke()
}

// state returns channel's state, creating it; s.mu must be held.
func (s *Sender) state(channel string) *channelState {
	c, ok := s.channels[channel]
	if !ok {
		c = &channelState{unready: s.waitReady, recent: map[string]time.Time{}}
		s.channels[channel] = c
	}
	return c
}

// dropStale removes messages that waited longer than their priority
// allows. s.mu must be held.
func (s *Sender) dropStale(now time.Time) {
	kept := s.queue[:0]
	for _, o := range s.queue {
		if !o.expires.IsZero() && !now.Before(o.expires) {
			s.stats.Stale++
			s.log.Info("reply dropped: waited too long to be sent", "channel", o.channel, "priority", int(o.prio), "waited", now.Sub(o.queued))
			continue
		}
		kept = append(kept, o)
	}
	clear(s.queue[len(kept):])
	s.queue = kept
}

// next picks the most urgent message that may be posted at now. Otherwise
// it says how long until something might change (blocked) — or that
// nothing queued can move until a channel becomes ready (!blocked).
//
// A message that waits only for its own channel (pacing, a repeat, a hold)
// lets less urgent messages of other channels pass. A message that waits
// for the connection's budget stops the scan: what frees up goes to it
// first, not to whatever happens to come later.
func (s *Sender) next(now time.Time) (o *outgoing, wait time.Duration, blocked bool) {
	s.pruneSent(now)
	var until time.Time
	later := func(t time.Time) {
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	var waiting map[uint64]bool // groups with a part held back: the rest keep their place
	for i, m := range s.queue {
		c := s.state(m.channel)
		if c.unready || waiting[m.group] {
			continue
		}
		t := maxTime(c.last.Add(s.gap(c)), c.holdUntil, s.holdUntil)
		if at, ok := c.recent[m.text]; ok {
			t = maxTime(t, at.Add(s.limits.DuplicateWindow))
		}
		if t.After(now) {
			later(t)
			if waiting == nil {
				waiting = map[uint64]bool{}
			}
			waiting[m.group] = true
			continue
		}
		if t := s.budgetFreeAt(s.limit(c), now); t.After(now) {
			later(t)
			break
		}
		s.queue = slices.Delete(s.queue, i, i+1)
		return m, 0, false
	}
	if until.IsZero() {
		return nil, 0, false
	}
	return nil, until.Sub(now), true
}

// record notes that o is being posted at now. s.mu must be held.
func (s *Sender) record(o *outgoing, now time.Time) {
	c := s.state(o.channel)
	c.last = now
	c.lastText = o.text
	for text, at := range c.recent {
		if now.Sub(at) >= s.limits.DuplicateWindow {
			delete(c.recent, text)
		}
	}
	c.recent[o.text] = now
	s.sent = append(s.sent, now)
	s.stats.Posted++
	// The rest of a reply whose first part went out is no longer an
	// answer arriving late; cutting it off would leave half a sentence.
	for _, m := range s.queue {
		if m.group == o.group {
			m.expires = time.Time{}
		}
	}
}

func (s *Sender) gap(c *channelState) time.Duration {
	if !c.moderator && c.slow > s.limits.ChannelGap {
		return c.slow
	}
	return s.limits.ChannelGap
}

func (s *Sender) limit(c *channelState) int {
	if c.moderator {
		return s.limits.ModPerWindow
	}
	return s.limits.PerWindow
}

// pruneSent forgets posts older than the window. s.mu must be held.
func (s *Sender) pruneSent(now time.Time) {
	i := 0
	for i < len(s.sent) && now.Sub(s.sent[i]) >= s.limits.Window {
		i++
	}
	s.sent = slices.Delete(s.sent, 0, i)
}

// budgetFreeAt is the first time at or after now when fewer than limit
// posts lie within the window. s.mu must be held and s.sent pruned.
func (s *Sender) budgetFreeAt(limit int, now time.Time) time.Time {
	n := len(s.sent)
	if n < limit {
		return now
	}
	if limit <= 0 {
		limit = 1
	}
	return s.sent[n-limit].Add(s.limits.Window)
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}
