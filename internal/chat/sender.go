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
	// DuplicateWindow is how long the bot's previous message in a channel
	// may not be posted there again; the platform would drop the repeat.
	// Twitch compares with the previous message only ("identical to the
	// previous one you sent, less than 30 seconds ago"), so any other
	// message in between lifts the hold.
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
// stale quickly; a viewer's command reply lasts a little longer. What is
// owed to someone never goes stale: replies to moderators and the
// broadcaster, moderation notices, ticket answers and a viewer's ticket
// number. So the staff's replies can never expire before viewer traffic.
var DefaultMaxAge = map[Priority]time.Duration{
	PriorityCommand: 15 * time.Second,
	PriorityAnswer:  5 * time.Second,
	PriorityTip:     5 * time.Second,
}

// DefaultQueueSize bounds the messages waiting to be sent. At one message a
// second per channel that is minutes of chat, far more than any reply is
// worth waiting for; the bound is there so a flood costs bounded memory.
// When it is reached, Send sheds the newest of the less urgent replies that
// would go stale anyway (FAQ answers, tips, viewers' command replies), and
// refuses the new reply only when none is left to shed, unless it folds
// into a line already waiting, which it may join up to twice the bound.
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
	// Queued is when the message (for a folded one, its oldest reply) was
	// given to Send.
	Queued, At time.Time
	// Folded is how many replies the message carries: 1, or more when
	// several waiting replies were folded into it (see Fold).
	Folded int
	// To are the viewers a folded message names, in order; nil otherwise.
	To []string
}

// Errors Send returns.
var (
	ErrQueueFull    = errors.New("send queue full")
	ErrSenderClosed = errors.New("sender closed")
)

// SenderStats counts what became of the messages given to a Sender.
type SenderStats struct {
	Queued      int   // waiting now
	Capacity    int   // the most that may wait (SenderConfig.QueueSize)
	Posted      int64 // handed to the transport
	Stale       int64 // dropped: waited longer than their priority allows
	Shed        int64 // dropped while waiting to make room for a more urgent reply in a full queue
	Rejected    int64 // refused: the queue was full of more urgent replies, or the sender closed
	Unsendable  int64 // dropped: their channel was given up (the bot was banned, say)
	PostFailed  int64 // the transport refused them
	RateLimited int64 // the platform said the bot went too fast
	// Folded counts replies that went out folded with others into one
	// message (each reply counts, not the message).
	Folded int64
}

// Sender posts replies to chat within the platform's limits. Replies are
// sanitised and split (see Prepare), queued by priority, and posted one at a
// time when the connection's budget, the channel's pacing and the
// duplicate-text rule all allow; replies that wait too long for their
// priority are dropped rather than posted late.
//
// Two rules keep what one viewer is told in order and short:
//
//   - Replies threaded under the same message go out in the order they were
//     given to Send, whatever their priority: a viewer told "the ticket
//     number follows in a moment" hears the number after that, never
//     before. A reply waiting on its thread lets other threads pass.
//   - Replies that can fold (Reply.Fold) and wait for the same channel go
//     out as one message naming every viewer once two or more wait, so a
//     flood of "!ask" costs chat a line a second, not a line per viewer.
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
	queue     []*outgoing             // most urgent first, FIFO within a priority
	threads   map[threadKey]*outgoing // the newest queued message of each thread
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
	// lastText is the channel's last message and lastTextAt when it may
	// no longer be repeated from: Twitch refuses a message identical to
	// the previous one the bot sent there within the duplicate window.
	lastText   string
	lastTextAt time.Time
}

// outgoing is one chat message waiting to be posted.
type outgoing struct {
	channel, parentID, text string
	prio                    Priority
	seq                     uint64
	queued                  time.Time
	expires                 time.Time // zero: never stale
	group                   uint64    // the parts of one reply share it
	fold                    Fold      // Kind set: may fold with others (single-part replies only)
	// after is the message queued before this one in its thread; this one
	// waits until after has left the queue.
	after *outgoing
	gone  bool // left the queue: posted or dropped
}

// threadKey names a thread: the replies under one message in one channel.
type threadKey struct{ channel, parent string }

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
		threads:  map[threadKey]*outgoing{},
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
	if over := len(s.queue) + len(parts) - s.size; over > 0 && !s.shed(over, r.Priority) && !s.rides(channel, r, len(parts)) {
		s.stats.Rejected += int64(len(parts))
		return ErrQueueFull
	}
	now := s.clock.Now()
	var expires time.Time
	if age := s.maxAge[r.Priority]; age > 0 {
		expires = now.Add(age)
	}
	fold := r.Fold
	if len(parts) > 1 || fold.To == "" {
		fold = Fold{} // a folded message names each viewer in one line
	}
	s.seq++
	group := s.seq
	for _, p := range parts {
		s.seq++
		o := &outgoing{channel: channel, parentID: r.ParentID, text: p, prio: r.Priority, seq: s.seq, queued: now, expires: expires, group: group, fold: fold}
		if r.ParentID != "" {
			k := threadKey{channel, r.ParentID}
			o.after = s.threads[k]
			s.threads[k] = o
		}
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

// rides reports whether reply r, refused room in a full queue, may wait
// past the bound all the same: a viewer's acknowledgement that will fold
// into a message already waiting in its channel takes no message of its
// own, and an asker must learn the ticket number. Past twice the bound
// even these are refused, so a flood cannot grow the queue without end.
// s.mu must be held.
func (s *Sender) rides(channel string, r Reply, parts int) bool {
	if parts != 1 || r.Fold.Kind == "" || r.Fold.To == "" || len(s.queue) >= 2*s.size {
		return false
	}
	for _, m := range s.queue {
		if !m.gone && m.channel == channel && m.fold.Kind == r.Fold.Kind && m.prio == r.Priority {
			return true
		}
	}
	return false
}

// shed makes room for n messages of priority p in a full queue by dropping
// the least urgent, newest replies that would go stale anyway and are less
// urgent than p, whole replies at a time. It drops nothing, and reports
// false, when that cannot free n slots: what is owed to someone is never
// pushed out. s.mu must be held.
func (s *Sender) shed(n int, p Priority) bool {
	// The parts of a reply sit side by side in the queue (one priority,
	// consecutive sequence numbers), so walking back over them counts
	// them all; a group reached part-way is dropped whole, freeing more.
	groups := map[uint64]bool{}
	freed := 0
	for i := len(s.queue) - 1; i >= 0 && freed < n; i-- {
		o := s.queue[i]
		if o.prio <= p {
			break // sorted by priority: nothing further up is less urgent
		}
		if o.expires.IsZero() {
			continue
		}
		groups[o.group] = true
		freed++
	}
	if freed < n {
		return false
	}
	s.drop(func(o *outgoing) bool { return groups[o.group] }, &s.stats.Shed)
	s.log.Info("send queue full: dropped less urgent replies to make room", "dropped", freed, "priority", int(p))
	return true
}

// drop removes the queued messages f picks, counting them in *count.
// s.mu must be held.
func (s *Sender) drop(f func(*outgoing) bool, count *int64) {
	kept := s.queue[:0]
	for _, o := range s.queue {
		if f(o) {
			*count++
			s.leave(o)
			continue
		}
		kept = append(kept, o)
	}
	clear(s.queue[len(kept):])
	s.queue = kept
}

// leave marks o as out of the queue, which frees the next message of its
// thread. s.mu must be held.
func (s *Sender) leave(o *outgoing) {
	o.gone = true
	if o.parentID == "" {
		return
	}
	k := threadKey{o.channel, o.parentID}
	if s.threads[k] != o {
		return
	}
	if o.waits() {
		s.threads[k] = o.after // the thread's newest left before an older one
	} else {
		delete(s.threads, k)
	}
}

// waits reports whether an earlier message of o's thread is still queued.
// Messages that left are cut out of the chain on the way, so it stays as
// short as what still waits.
func (o *outgoing) waits() bool {
	for o.after != nil && o.after.gone {
		o.after = o.after.after
	}
	return o.after != nil
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
			s.drop(func(*outgoing) bool { return true }, &s.stats.Unsendable)
			s.mu.Unlock()
			if n > 0 {
				s.log.Warn("shutting down: messages not sent in time were dropped", "dropped", n)
			}
			return nil
		}
		s.dropStale(now)
		o, wait, blocked := s.next(now)
		if o != nil {
			p := s.post(o, now)
			s.mu.Unlock()
			if err := s.transport.Post(p.Channel, p.ParentID, p.Text); err != nil {
				s.mu.Lock()
				s.stats.PostFailed += int64(p.Folded)
				s.mu.Unlock()
				s.log.Warn("post chat message", "channel", p.Channel, "err", err)
			} else if s.onPost != nil {
				s.onPost(p)
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
			c.lastTextAt = now
		}
	})
}

// Discard gives up on channel: it is marked not ready and what waits for it
// is dropped. The bot was banned there, or the channel was suspended.
func (s *Sender) Discard(channel string) {
	s.mu.Lock()
	s.state(channel).unready = true
	s.drop(func(o *outgoing) bool { return o.channel == channel }, &s.stats.Unsendable)
	s.mu.Unlock()
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Queued = len(s.queue)
	st.Capacity = s.size
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
		c = &channelState{unready: s.waitReady}
		s.channels[channel] = c
	}
	return c
}

// dropStale removes messages that waited longer than their priority
// allows. s.mu must be held.
func (s *Sender) dropStale(now time.Time) {
	s.drop(func(o *outgoing) bool {
		if o.expires.IsZero() || now.Before(o.expires) {
			return false
		}
		s.log.Info("reply dropped: waited too long to be sent", "channel", o.channel, "priority", int(o.prio), "waited", now.Sub(o.queued))
		return true
	}, &s.stats.Stale)
}

// next picks the most urgent message that may be posted at now. Otherwise
// it says how long until something might change (blocked) — or that
// nothing queued can move until a channel becomes ready (!blocked).
//
// A message that waits only for its own channel (pacing, a repeat, a hold)
// or for an earlier message of its thread lets other messages pass. A
// message that waits for the connection's budget stops the scan: what frees
// up goes to it first, not to whatever happens to come later. Only staff
// replies pass a staff reply held so: one waiting for the 20-message budget
// of a channel the bot does not moderate must not hold up a moderator's
// reply in a channel it does, which may use 100, and staff replies are too
// few to starve it.
func (s *Sender) next(now time.Time) (o *outgoing, wait time.Duration, blocked bool) {
	s.pruneSent(now)
	var until time.Time
	later := func(t time.Time) {
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	// Groups with a part held back for its own text: the rest keep
	// their place. A hold on the channel holds every part alike and
	// needs no entry, so a flood's held messages cost the scan no
	// map writes.
	var waiting map[uint64]bool
	staffHeld := false // a staff reply waits for the budget
	for i, m := range s.queue {
		if staffHeld && m.prio != PriorityStaff {
			break
		}
		c := s.state(m.channel)
		if c.unready || waiting[m.group] || m.waits() {
			continue
		}
		if t := maxTime(c.last.Add(s.gap(c)), c.holdUntil, s.holdUntil); t.After(now) {
			later(t)
			continue
		}
		// A reply that will fold goes out as another text than its own.
		if m.text == c.lastText && !c.lastTextAt.IsZero() && len(s.foldWith(m)) < 2 {
			if t := c.lastTextAt.Add(s.limits.DuplicateWindow); t.After(now) {
				later(t)
				if waiting == nil {
					waiting = map[uint64]bool{}
				}
				waiting[m.group] = true
				continue
			}
		}
		if t := s.budgetFreeAt(s.limit(c), now); t.After(now) {
			later(t)
			if m.prio == PriorityStaff {
				staffHeld = true
				continue
			}
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

// post takes o, just picked by next, out of the queue, with the replies
// that fold into it, and notes that the message is posted at now. It
// returns what goes to the transport. s.mu must be held.
func (s *Sender) post(o *outgoing, now time.Time) Posted {
	p := Posted{Channel: o.channel, ParentID: o.parentID, Text: o.text, Priority: o.prio, Queued: o.queued, At: now, Folded: 1}
	if folded := s.foldWith(o); len(folded) > 1 {
		p.ParentID, p.Text, p.To, p.Folded = "", foldText(folded), foldedTo(folded), len(folded)
		s.stats.Folded += int64(len(folded))
		s.drop(func(m *outgoing) bool { return slices.Contains(folded[1:], m) }, new(int64))
	}
	s.leave(o)
	c := s.state(o.channel)
	c.last = now
	c.lastText, c.lastTextAt = p.Text, now
	s.sent = append(s.sent, now)
	s.stats.Posted++
	// The rest of a reply whose first part went out is no longer an
	// answer arriving late; cutting it off would leave half a sentence.
	for _, m := range s.queue {
		if m.group == o.group {
			m.expires = time.Time{}
		}
	}
	return p
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

// OnPosts joins hooks that each want to see every posted message (metrics,
// a test) into one for SenderConfig.OnPost; nil hooks are left out, and
// none gives nil.
func OnPosts(hooks ...func(Posted)) func(Posted) {
	var fs []func(Posted)
	for _, h := range hooks {
		if h != nil {
			fs = append(fs, h)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	return func(p Posted) {
		for _, f := range fs {
			f(p)
		}
	}
}
